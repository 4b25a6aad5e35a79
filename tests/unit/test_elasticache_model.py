"""ElastiCache's rules with a real store and region model: no engines, no Ray."""

from __future__ import annotations

import pytest

from azlab.cluster.config import RegionConfig
from azlab.cluster.elasticache.config_endpoint import config_reply
from azlab.cluster.elasticache.model import (
    DAY_S,
    PRIMARY,
    REPLICA,
    WRITE_LEASE_LAG_S,
    CacheNodeNotFound,
    CacheParameterGroupNotFound,
    InvalidCacheParameterGroupState,
    Snapshot,
    ElastiCacheModel,
    InvalidParameterCombination,
    InvalidReplicationGroupState,
    ReplicationGroupAlreadyExists,
    ReplicationGroupNotFound,
    SnapshotFeatureNotSupported,
    page,
    slot_ranges,
)
from azlab.common.errors import AvailabilityZoneNotFound, InvalidParameterValue
from azlab.common.network import LoopbackNetwork
from azlab.cluster.region import Region
from azlab.cluster.state import Store


@pytest.fixture
def region(tmp_path):
    region = Region(RegionConfig(isolation="loopback"), Store(tmp_path / "state.db"), LoopbackNetwork(), lambda: 1000.0)
    for name in region.nodes:
        region.heartbeat(name, f"ray-{name}")
    return region


class Clock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def model(region, clock):
    return ElastiCacheModel(region, region.store, clock)


def test_a_group_puts_its_primary_and_replicas_in_different_azs_on_ports_of_their_own(model):
    group = model.create_replication_group("Sessions", num_cache_clusters=3, automatic_failover=True, multi_az=True)
    assert group.replication_group_id == "sessions"
    assert [m.member_id for m in group.members] == ["sessions-001", "sessions-002", "sessions-003"]
    assert [m.role for m in group.members] == [PRIMARY, REPLICA, REPLICA]
    assert sorted(m.az for m in group.members) == ["lab-1a", "lab-1b", "lab-1c"]
    other = model.create_replication_group("other", num_cache_clusters=2)
    endpoints = [(m.address, m.port) for m in group.members + other.members]
    assert len(set(endpoints)) == len(endpoints)


def test_the_model_survives_a_restart(model, region):
    model.create_replication_group("sessions", num_cache_clusters=2, automatic_failover=True)
    model.create_cache_cluster("pages", num_cache_nodes=2)
    again = ElastiCacheModel(region, region.store)
    assert again.groups["sessions"].members == model.groups["sessions"].members
    assert again.clusters["pages"].members == model.clusters["pages"].members


@pytest.mark.parametrize("kwargs, error", [
    ({"num_cache_clusters": 7}, InvalidParameterValue),
    ({"num_cache_clusters": 1, "automatic_failover": True}, InvalidParameterCombination),
    ({"num_cache_clusters": 2, "multi_az": True}, InvalidParameterCombination),
    ({"num_cache_clusters": 2, "num_node_groups": 2}, InvalidParameterCombination),
    ({"num_node_groups": 2, "replicas_per_node_group": 6, "automatic_failover": True}, InvalidParameterValue),
    ({"cache_node_type": "cache.r9.giant"}, InvalidParameterValue),
    ({"engine": "memcached"}, InvalidParameterValue),
    ({"num_cache_clusters": 2, "preferred_azs": ["lab-1a", "lab-9z"]}, AvailabilityZoneNotFound),
    ({"num_cache_clusters": 2, "preferred_azs": ["lab-1a"]}, InvalidParameterValue),
    ({"snapshot_retention_limit": 36}, InvalidParameterValue),
    ({"snapshot_window": "5:00-6:00"}, InvalidParameterValue),
    ({"snapshot_window": "05:00-05:30"}, InvalidParameterValue),
    ({"cache_parameter_group_name": "nope"}, CacheParameterGroupNotFound),
    ({"cache_parameter_group_name": "default.memcached1.6"}, InvalidParameterCombination),
])
def test_bad_input_changes_nothing(model, region, kwargs, error):
    with pytest.raises(error):
        model.create_replication_group("g", **kwargs)
    assert model.groups == {} and region.store.resources("elasticache", "replication-group") == []


def test_names_are_checked_and_unique(model):
    for bad in ("", "1abc", "a--b", "ab-", "x" * 41, "a_b"):
        with pytest.raises(InvalidParameterValue):
            model.create_replication_group(bad)
    model.create_replication_group("ok")
    with pytest.raises(ReplicationGroupAlreadyExists):
        model.create_replication_group("OK")
    with pytest.raises(ReplicationGroupNotFound):
        model.group("missing")


def test_a_failover_raises_the_epoch_and_a_lost_member_is_replaced_in_a_surviving_az(model, region):
    group = model.create_replication_group("g", num_cache_clusters=3, automatic_failover=True, multi_az=True)
    old_primary = group.primary("0001")
    region.nodes[old_primary.node_name].state = "down"
    region._apply([])  # the AZ states follow the nodes
    new = model.promote(group, "0001", "g-002", "host down")
    assert new.role == PRIMARY and group.group("0001").epoch == 1
    assert old_primary.role == REPLICA
    replacement = model.replace(group, old_primary)
    assert replacement.az != old_primary.az and replacement.role == REPLICA
    assert len(group.members) == 3 and old_primary not in group.members
    # its engine may still run (cut off, not dead): the port is kept until the service saw it stop
    assert model.retired == {old_primary.member_id: old_primary}
    assert region.store.allocate_port(old_primary.address, "x") != old_primary.port
    model.release(old_primary)
    assert model.retired == {} and region.store.allocate_port(old_primary.address, "y") == old_primary.port


def test_a_primary_with_automatic_failover_holds_a_write_lease(tmp_path, clock):
    region = Region(RegionConfig(isolation="loopback"), Store(tmp_path / "leased.db"), LoopbackNetwork(), clock)
    for name in region.nodes:
        region.heartbeat(name, f"ray-{name}")
    model = ElastiCacheModel(region, region.store, clock)
    leased = model.create_replication_group("leased", num_cache_clusters=3, automatic_failover=True)
    plain = model.create_replication_group("plain", num_cache_clusters=2)
    assert model.settings(leased)["min-replicas-to-write"] == "1"
    assert model.settings(leased)["min-replicas-max-lag"] == str(WRITE_LEASE_LAG_S)
    assert "min-replicas-to-write" not in model.settings(plain)  # no failover: nothing to fence, writes go on


def test_test_failover_needs_automatic_failover_and_an_available_group(model):
    group = model.create_replication_group("g", num_cache_clusters=2)
    with pytest.raises(InvalidReplicationGroupState):
        model.check_failover("g", "")
    group.status = "available"
    with pytest.raises(InvalidReplicationGroupState):
        model.check_failover("g", "0001")


def test_cluster_mode_splits_the_slots_and_names_members_by_shard(model):
    assert slot_ranges(3) == [(0, 5461), (5462, 10922), (10923, 16383)]
    group = model.create_replication_group("c", num_node_groups=2, replicas_per_node_group=1, automatic_failover=True)
    assert [g.slots for g in group.node_groups] == [(0, 8191), (8192, 16383)]
    assert [m.member_id for m in group.members] == ["c-0001-001", "c-0001-002", "c-0002-003", "c-0002-004"]


def test_memcached_clusters_add_and_remove_nodes_and_have_no_snapshots(model):
    cluster = model.create_cache_cluster("pages", num_cache_nodes=3)
    assert [m.member_id for m in cluster.members] == ["pages-0001", "pages-0002", "pages-0003"]
    cluster = model.modify_cache_cluster("pages", 4, [])
    assert len(cluster.members) == 4 and cluster.config_version == 2
    cluster = model.modify_cache_cluster("pages", 3, ["0002"])
    assert [m.member_id for m in cluster.members] == ["pages-0001", "pages-0003", "pages-0004"]
    with pytest.raises(InvalidParameterCombination):
        model.modify_cache_cluster("pages", 1, ["0001"])
    with pytest.raises(CacheNodeNotFound):
        model.modify_cache_cluster("pages", 2, ["0002"])
    with pytest.raises(SnapshotFeatureNotSupported):
        model.check_snapshot("", "pages", "s1")
    with pytest.raises(SnapshotFeatureNotSupported):
        model.create_cache_cluster("more", snapshot_name="s1")
    reply = config_reply(cluster)
    assert reply.startswith(b"CONFIG cluster 0 ") and reply.endswith(b"\r\nEND\r\n")
    body = reply.split(b"\r\n")[1].decode().splitlines()
    assert body[0] == "3" and len(body[1].split()) == 3


def test_paging_by_marker():
    ids = [f"g{i:03d}" for i in range(45)]
    first, marker = page(ids, 20)
    second, marker2 = page(ids, 20, marker)
    third, end = page(ids, 20, marker2)
    assert first + second + third == ids and end == ""
    with pytest.raises(InvalidParameterValue):
        page(ids, 5)


def test_parameter_groups_set_the_engines_settings(model, region):
    default = model.settings(model.create_replication_group("plain"))
    assert default["maxmemory-policy"] == "volatile-lru" and default["maxmemory"] == str(
        int(2.78 * 0.75 * 1024**3))
    model.create_parameter_group("lru", "redis7", "evict any key")
    with pytest.raises(InvalidParameterValue):
        model.modify_parameter_group("lru", {"maxmemory-policy": "random-guess"})
    with pytest.raises(InvalidParameterValue):
        model.modify_parameter_group("lru", {"appendonly": "yes"})
    with pytest.raises(InvalidCacheParameterGroupState):
        model.modify_parameter_group("default.redis7", {"timeout": "5"})
    model.modify_parameter_group("lru", {"maxmemory-policy": "allkeys-lru", "reserved-memory-percent": "50"})
    group = model.create_replication_group("tuned", cache_parameter_group_name="lru")
    settings = model.settings(group)
    assert settings["maxmemory-policy"] == "allkeys-lru" and settings["maxmemory"] == str(int(2.78 * 0.5 * 1024**3))
    with pytest.raises(InvalidCacheParameterGroupState):
        model.delete_parameter_group("lru")  # in use
    assert ElastiCacheModel(region, region.store).parameter_groups["lru"].values["maxmemory-policy"] == "allkeys-lru"


def test_automatic_snapshots_are_due_once_a_day_in_the_window_and_kept_for_the_retention(model, clock):
    clock.now = 20 * DAY_S + 5.5 * 3600  # 05:30 UTC
    group = model.create_replication_group("g", snapshot_retention_limit=2, snapshot_window="05:00-06:00")
    assert model.due_automatic_snapshot(group) is None  # still creating
    group.status = "available"
    name = model.due_automatic_snapshot(group)
    assert name == "automatic.g-1970-01-21-05-30"
    model.add_snapshot(Snapshot(name, "g", group.node_type, False, [], 10, clock.now, "automated"))
    assert model.due_automatic_snapshot(group) is None
    clock.now += 3600  # 06:30, outside the window
    assert model.due_automatic_snapshot(group) is None
    clock.now += DAY_S - 3600  # 05:30 the next day
    assert model.due_automatic_snapshot(group) is not None
    assert model.expired_snapshots() == []
    clock.now += 2 * DAY_S
    assert [s.snapshot_name for s in model.expired_snapshots()] == [name]


def test_a_replacement_goes_where_its_shard_has_no_member(model, region):
    group = model.create_replication_group("c", num_node_groups=3, replicas_per_node_group=1, automatic_failover=True,
                                           preferred_azs=["lab-1a", "lab-1b", "lab-1b", "lab-1c", "lab-1c", "lab-1a"])
    region.nodes["lab-1b/node-0"].state = "down"
    region._apply([])
    lost = next(m for m in group.members_of("0001") if m.az == "lab-1b")
    # lab-1a and lab-1c hold two members of the group each; only lab-1c holds none of shard 0001
    assert model.replace(group, lost).az == "lab-1c"

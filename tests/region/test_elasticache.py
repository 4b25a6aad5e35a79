"""ElastiCache with real engines and real clients: redis-py and pymemcache against
the endpoints, a whole AZ killed under a writing client."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import timezone
from pathlib import Path

import pytest
import redis
from azlab.chaos.v1 import chaos_pb2
from azlab.cluster.elasticache import engines
from azlab.cluster.elasticache.model import NODE_TYPES
from azlab.common.network import NetnsNetwork
from azlab.cluster.sdk import ApiError
from azlab.elasticache.v1 import elasticache_pb2 as pb
from azlab.region.v1 import region_pb2
from pymemcache.client.base import Client
from pymemcache.client.hash import HashClient
from redis.cluster import RedisCluster

from tests.checker import ClientLoad, NotAcknowledged, Stream, check

from .conftest import best_isolation, bring_up, tear_down, wait_until

ROOT = Path(__file__).resolve().parents[2]  # where `python -m tests.region.redis_writer` runs
AZS = ["lab-1a", "lab-1b", "lab-1c"]

pytestmark = [
    pytest.mark.region,
    pytest.mark.skipif(engines.missing() is not None, reason=f"ElastiCache engines: {engines.missing()}"),
]
AVAILABLE_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab = bring_up(tmp_path_factory, best_isolation())
    yield lab
    tear_down(lab)


def describe(lab, group_id: str) -> pb.ReplicationGroup:
    request = pb.DescribeReplicationGroupsRequest(replication_group_id=group_id)
    return lab.client.elasticache.DescribeReplicationGroups(request).replication_groups[0]


def available(lab, group_id: str) -> pb.ReplicationGroup:
    def ready():
        group = describe(lab, group_id)
        nodes = [n for g in group.node_groups for n in g.node_group_members]
        return group if group.status == "available" and all(n.cache_node_status == "available" for n in nodes) else None

    return wait_until(ready, AVAILABLE_TIMEOUT_S, f"replication group {group_id} available")


def create_group(lab, group_id: str, **fields) -> pb.ReplicationGroup:
    lab.client.elasticache.CreateReplicationGroup(pb.CreateReplicationGroupRequest(replication_group_id=group_id, **fields))
    return available(lab, group_id)


def connect(endpoint: pb.Endpoint) -> redis.Redis:
    return redis.Redis(host=endpoint.address, port=endpoint.port, socket_timeout=1, socket_connect_timeout=1)


@pytest.fixture(scope="module")
def sessions(lab):
    return create_group(lab, "sessions", num_cache_clusters=3, automatic_failover_enabled=True, multi_az_enabled=True,
                        cache_node_type="cache.m3.medium")


def test_a_replication_group_spreads_over_the_azs_and_replicates(lab, sessions):
    [shard] = sessions.node_groups
    assert sorted(n.availability_zone for n in shard.node_group_members) == ["lab-1a", "lab-1b", "lab-1c"]
    assert [n.current_role for n in shard.node_group_members].count("primary") == 1
    primary = connect(shard.primary_endpoint)
    primary.set("greeting", "hello")
    assert primary.wait(2, 2000) == 2  # both replicas have it
    reader = describe(lab, "sessions").node_groups[0].reader_endpoint
    assert (reader.address, reader.port) != (shard.primary_endpoint.address, shard.primary_endpoint.port)
    assert connect(reader).get("greeting") == b"hello"
    with pytest.raises(redis.ReadOnlyError):
        connect(reader).set("greeting", "from a replica")
    expected = NODE_TYPES["cache.m3.medium"].maxmemory_bytes()
    assert int(primary.config_get("maxmemory")["maxmemory"]) == expected


def test_bad_input_gets_elasticache_errors_and_changes_nothing(lab, sessions):
    before = lab.client.elasticache.DescribeReplicationGroups(pb.DescribeReplicationGroupsRequest())
    cases = [
        (pb.DescribeReplicationGroupsRequest(replication_group_id="nope"), "DescribeReplicationGroups", "ReplicationGroupNotFoundFault"),
        (pb.CreateReplicationGroupRequest(replication_group_id="big", num_cache_clusters=7), "CreateReplicationGroup", "InvalidParameterValue"),
        (pb.CreateReplicationGroupRequest(replication_group_id="sessions", num_cache_clusters=2), "CreateReplicationGroup", "ReplicationGroupAlreadyExists"),
        (pb.CreateReplicationGroupRequest(replication_group_id="odd", cache_node_type="cache.x9.huge"), "CreateReplicationGroup", "InvalidParameterValue"),
        (pb.CreateReplicationGroupRequest(replication_group_id="bad--id"), "CreateReplicationGroup", "InvalidParameterValue"),
        (pb.TestFailoverRequest(replication_group_id="sessions", node_group_id="0009"), "TestFailover", "NodeGroupNotFoundFault"),
        (pb.CreateSnapshotRequest(replication_group_id="nope", snapshot_name="s"), "CreateSnapshot", "ReplicationGroupNotFoundFault"),
    ]
    for request, method, code in cases:
        with pytest.raises(ApiError) as error:
            getattr(lab.client.elasticache, method)(request)
        assert error.value.code == code, (method, error.value)
    after = lab.client.elasticache.DescribeReplicationGroups(pb.DescribeReplicationGroupsRequest())
    assert [g.replication_group_id for g in after.replication_groups] == [g.replication_group_id for g in before.replication_groups]
    done = lab.azlab("elasticache", "describe-replication-groups", "--replication-group-id", "nope")
    assert done.returncode == 254
    assert "(ReplicationGroupNotFoundFault)" in done.stderr and done.stdout == ""


def test_test_failover_promotes_a_replica_and_the_old_primary_follows_it(lab, sessions):
    old = describe(lab, "sessions").node_groups[0]
    connect(old.primary_endpoint).set("before-failover", "kept")
    assert connect(old.primary_endpoint).wait(2, 2000) == 2
    lab.client.elasticache.TestFailover(pb.TestFailoverRequest(replication_group_id="sessions", node_group_id="0001"))
    new = available(lab, "sessions").node_groups[0]
    assert new.failover_epoch == old.failover_epoch + 1
    assert new.primary_endpoint != old.primary_endpoint
    promoted = connect(new.primary_endpoint)
    assert promoted.get("before-failover") == b"kept"
    promoted.set("after-failover", "written")
    demoted = connect(old.primary_endpoint)
    wait_until(lambda: demoted.info("replication")["role"] == "slave" and demoted.get("after-failover") == b"written",
               20, "the old primary replicating from the new one")


def test_a_snapshot_restores_into_a_new_group(lab, sessions):
    primary = connect(describe(lab, "sessions").node_groups[0].primary_endpoint)
    primary.mset({f"snap:{i}": i for i in range(500)})
    snapshot = lab.client.elasticache.CreateSnapshot(
        pb.CreateSnapshotRequest(replication_group_id="sessions", snapshot_name="s1")).snapshot
    assert snapshot.size_bytes > 0 and snapshot.snapshot_status == "available"
    restored = create_group(lab, "restored", num_cache_clusters=2, snapshot_name="s1", automatic_failover_enabled=True)
    copy = connect(restored.node_groups[0].primary_endpoint)
    assert copy.mget([f"snap:{i}" for i in range(500)]) == [str(i).encode() for i in range(500)]
    lab.client.elasticache.DeleteReplicationGroup(pb.DeleteReplicationGroupRequest(replication_group_id="restored"))
    wait_until(lambda: "restored" not in {g.replication_group_id for g in lab.client.elasticache.DescribeReplicationGroups(
        pb.DescribeReplicationGroupsRequest()).replication_groups}, 30, "the restored group deleted")
    wait_until(lambda: not answers(copy), 30, "the deleted group's engines stopped")


def answers(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def window_around_now() -> str:
    minute = int(time.time() % 86400) // 60
    start, end = (minute - 5) % 1440, (minute + 60) % 1440
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def test_parameter_groups_reach_running_engines_and_automatic_snapshots_follow_the_window(lab):
    es = lab.client.elasticache
    es.CreateCacheParameterGroup(pb.CreateCacheParameterGroupRequest(
        cache_parameter_group_name="evict-any", cache_parameter_group_family="redis7", description="allkeys"))
    group = create_group(lab, "tuned", cache_parameter_group_name="evict-any", snapshot_retention_limit=1,
                         snapshot_window=window_around_now())
    engine = connect(group.node_groups[0].primary_endpoint)
    assert engine.config_get("maxmemory-policy") == {"maxmemory-policy": "volatile-lru"}
    es.ModifyCacheParameterGroup(pb.ModifyCacheParameterGroupRequest(
        cache_parameter_group_name="evict-any",
        parameter_name_values=[pb.ParameterNameValue(parameter_name="maxmemory-policy", parameter_value="allkeys-lru")]))
    assert engine.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}  # applied on return
    done = lab.azlab("elasticache", "modify-cache-parameter-group", "--cache-parameter-group-name", "evict-any",
                     "--parameter-name-values", "ParameterName=maxmemory-policy,ParameterValue=sometimes")
    assert done.returncode == 254 and "(InvalidParameterValue)" in done.stderr
    assert engine.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}

    def automated():
        return [s for s in es.DescribeSnapshots(pb.DescribeSnapshotsRequest(
            replication_group_id="tuned", snapshot_source="automated")).snapshots]

    [snapshot] = wait_until(automated, 30, "the automatic snapshot inside the window")
    assert snapshot.snapshot_name.startswith("automatic.tuned-")
    es.DeleteReplicationGroup(pb.DeleteReplicationGroupRequest(replication_group_id="tuned"))
    wait_until(lambda: not automated(), 30, "automatic snapshots deleted with their group")


def config_nodes(endpoint: pb.Endpoint) -> tuple[int, list[tuple[str, int]]]:
    """Auto Discovery, as a cluster client does it: `config get cluster` on the configuration endpoint."""
    with socket.create_connection((endpoint.address, endpoint.port), timeout=2) as s:
        s.sendall(b"config get cluster\r\n")
        reply = b""
        while not reply.endswith(b"END\r\n"):
            reply += s.recv(4096)
    version, nodes = reply.split(b"\r\n")[1].decode().splitlines()[:2]
    return int(version), [(n.split("|")[1], int(n.split("|")[2])) for n in nodes.split()]


def test_a_memcached_cluster_shards_keys_over_its_nodes(lab):
    es = lab.client.elasticache
    es.CreateCacheCluster(pb.CreateCacheClusterRequest(cache_cluster_id="pages", engine="memcached", num_cache_nodes=3))
    cluster = wait_until(lambda: (c := es.DescribeCacheClusters(pb.DescribeCacheClustersRequest(
        cache_cluster_id="pages")).cache_clusters[0]).cache_cluster_status == "available" and c, 30, "pages available")
    version, nodes = config_nodes(cluster.configuration_endpoint)
    assert sorted(nodes) == sorted((n.endpoint.address, n.endpoint.port) for n in cluster.cache_nodes)
    assert sorted(n.availability_zone for n in cluster.cache_nodes) == ["lab-1a", "lab-1b", "lab-1c"]
    client = HashClient(nodes, connect_timeout=1, timeout=1)
    for i in range(300):
        client.set(f"page:{i}", f"body {i}")
    assert all(client.get(f"page:{i}") == f"body {i}".encode() for i in range(300))
    per_node = [Client(n).stats()[b"curr_items"] for n in nodes]
    assert sum(per_node) == 300 and all(count > 0 for count in per_node)

    with pytest.raises(ApiError) as error:
        es.CreateSnapshot(pb.CreateSnapshotRequest(cache_cluster_id="pages", snapshot_name="nope"))
    assert error.value.code == "SnapshotFeatureNotSupportedFault"
    es.ModifyCacheCluster(pb.ModifyCacheClusterRequest(cache_cluster_id="pages", num_cache_nodes=4))
    wait_until(lambda: len(config_nodes(cluster.configuration_endpoint)[1]) == 4, 30, "a fourth node listed")
    removed = cluster.cache_nodes[0]
    es.ModifyCacheCluster(pb.ModifyCacheClusterRequest(
        cache_cluster_id="pages", num_cache_nodes=3, cache_node_ids_to_remove=[removed.cache_node_id]))
    # the configuration endpoint is the front end's, which learns of the change from the store: poll, as Auto
    # Discovery clients do
    new_version, nodes = wait_until(lambda: (found := config_nodes(cluster.configuration_endpoint))[0] > version + 1
                                    and found, 30, "the removal listed")
    assert new_version == version + 2 and (removed.endpoint.address, removed.endpoint.port) not in nodes


@pytest.fixture(scope="module")
def shards(lab):
    """Cluster mode, three shards whose primaries sit one in each AZ, each with a replica in the next."""
    return create_group(lab, "shards", num_node_groups=3, replicas_per_node_group=1, automatic_failover_enabled=True,
                        cache_node_type="cache.t1.micro",
                        preferred_cache_cluster_azs=["lab-1a", "lab-1b", "lab-1b", "lab-1c", "lab-1c", "lab-1a"])


def cluster_client(group: pb.ReplicationGroup) -> RedisCluster:
    endpoint = group.configuration_endpoint
    return RedisCluster(host=endpoint.address, port=endpoint.port, socket_timeout=5)


BLOB = os.urandom(1 << 20)


def test_cluster_mode_spreads_keys_and_holds_more_than_one_node(lab, shards):
    assert [g.slots for g in shards.node_groups] == ["0-5461", "5462-10922", "10923-16383"]
    client = cluster_client(shards)
    count = NODE_TYPES["cache.t1.micro"].maxmemory_bytes() * 3 // 2 // len(BLOB)  # half again what one node may hold
    for i in range(count):
        client.set(f"blob:{i}", BLOB)
    sizes = [connect(g.primary_endpoint).dbsize() for g in shards.node_groups]
    assert sum(sizes) == count and all(s > count // 6 for s in sizes)
    assert all(connect(g.primary_endpoint).wait(1, 5000) == 1 for g in shards.node_groups)
    assert client.get(f"blob:{count - 1}") == BLOB


def test_engines_serve_while_the_controller_restarts_and_are_adopted_not_restarted(lab, sessions):
    shard = available(lab, "sessions").node_groups[0]
    engines_before = {m.cache_node_id: connect(m.endpoint).info("server")["run_id"] for m in shard.node_group_members}
    controller = lab.kill_controller()
    primary = connect(shard.primary_endpoint)
    primary.set("during-restart", "accepted")  # the data plane does not need the control plane
    assert primary.wait(2, 2000) == 2
    lab.controller_restarted(controller)
    after = wait_until(lambda: lab.serving() and available(lab, "sessions"), 60, "the restarted controller")
    assert after.node_groups[0].primary_endpoint == shard.primary_endpoint
    engines_after = {m.cache_node_id: connect(m.endpoint).info("server")["run_id"] for m in after.node_groups[0].node_group_members}
    assert engines_after == engines_before  # the same engines, adopted
    assert connect(after.node_groups[0].reader_endpoint).get("during-restart") == b"accepted"


def test_a_cut_off_primary_is_replaced_and_stopped_when_it_returns(lab):
    if lab.isolation != "netns":
        pytest.skip(f"partition needs netns isolation: {NetnsNetwork.available()}")
    group = create_group(lab, "islands", num_cache_clusters=3, automatic_failover_enabled=True,
                         preferred_cache_cluster_azs=["lab-1b", "lab-1a", "lab-1c"])
    old = group.node_groups[0].primary_endpoint
    connect(old).set("before-partition", "kept")
    assert connect(old).wait(2, 2000) == 2
    lab.client.chaos.PartitionAz(chaos_pb2.PartitionAzRequest(availability_zone="lab-1b"))

    def failed_over():
        shard = available(lab, "islands").node_groups[0]
        return shard if {m.availability_zone for m in shard.node_group_members} == {"lab-1a", "lab-1c"} else None

    shard = wait_until(failed_over, 60, "a primary outside lab-1b and the group whole again")
    new = connect(shard.primary_endpoint)
    assert new.get("before-partition") == b"kept"
    new.set("after-partition", "written")
    lab.client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone="lab-1b"))
    # Back on the network, the old primary still believes it is one: the controller stops it.
    wait_until(lambda: not answers(connect(old)), 30, "the returned old primary stopped")
    roles = [connect(m.endpoint).info("replication")["role"] for m in describe(lab, "islands").node_groups[0].node_group_members]
    assert sorted(roles) == ["master", "slave", "slave"]
    lab.client.elasticache.DeleteReplicationGroup(pb.DeleteReplicationGroupRequest(replication_group_id="islands"))


def test_a_cut_off_primary_acknowledges_no_write_under_the_new_epoch(lab):
    """A client inside the primary's AZ goes on writing to it across a partition: once the region has promoted a
    replica (the new epoch), the old primary, holding its write lease no longer, has acknowledged nothing."""
    if lab.isolation != "netns":
        pytest.skip(f"partition needs netns isolation: {NetnsNetwork.available()}")
    group = create_group(lab, "leased", num_cache_clusters=3, automatic_failover_enabled=True,
                         preferred_cache_cluster_azs=["lab-1b", "lab-1a", "lab-1c"])
    old = group.node_groups[0].primary_endpoint
    network = NetnsNetwork(lab.paths.region_id, len(AZS), 1)
    lab.client.chaos.PartitionAz(chaos_pb2.PartitionAzRequest(availability_zone="lab-1b"))
    cut_at = time.time()
    writer = subprocess.run(
        [*network.host_command(AZS.index("lab-1b") + 1, 0), sys.executable, "-m", "tests.region.redis_writer",
         f"{old.address}:{old.port}", "15"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert writer.returncode == 0, writer.stderr[-2000:]
    [line] = [x for x in writer.stdout.splitlines() if x.startswith("RESULT ")]
    cut_off = json.loads(line.removeprefix("RESULT "))
    [promoted] = [e for e in lab.client.region.DescribeEvents(region_pb2.DescribeEventsRequest(
        event_types=["FailoverComplete"], source="leased")).events]
    promoted_at = promoted.time.ToDatetime(tzinfo=timezone.utc).timestamp()
    assert cut_off["last_sent"] > promoted_at, "the writer stopped before the failover: nothing was tested"
    assert [key for key, at in cut_off["acknowledged"] if at > promoted_at] == []
    assert cut_off["refused"].get("NOREPLICAS"), cut_off["refused"]  # refused by its own lease, not unreachable
    print(f"acknowledged on the cut-off side between the cut and the new epoch ({promoted_at - cut_at:.1f} s): "
          f"{sum(at > cut_at for _, at in cut_off['acknowledged'])} (lost: a plain SET is asynchronous, as on AWS)")
    lab.client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone="lab-1b"))
    wait_until(lambda: not answers(connect(old)), 30, "the returned old primary stopped")
    lab.client.elasticache.DeleteReplicationGroup(pb.DeleteReplicationGroupRequest(replication_group_id="leased"))


def writer(load: ClientLoad, lab, group_id: str) -> Stream:
    """A client writing `w:<n>` in a loop, each SET followed by WAIT for one replica; a write is acknowledged
    only when WAIT says a replica has it. It (re)connects to the primary the region names now."""
    client: redis.Redis | None = None

    def write(n: int) -> str:
        nonlocal client
        try:
            if client is None:
                client = connect(describe(lab, group_id).node_groups[0].primary_endpoint)
            client.set(f"w:{n}", n)
            if client.wait(1, 500) < 1:
                raise NotAcknowledged(f"w:{n}: WAIT found no replica holding it")
        except (redis.RedisError, OSError, ApiError):
            client = None
            raise
        return f"w:{n}"

    return load.client(f"writer of {group_id}", write, expected=(redis.RedisError, OSError, ApiError))


def test_killing_the_primarys_az_loses_no_acknowledged_write(lab, sessions, shards):
    before = available(lab, "sessions").node_groups[0]
    shards_before = available(lab, "shards")
    primary_az = next(n.availability_zone for n in before.node_group_members if n.current_role == "primary")
    with ClientLoad(max_seconds=90) as load:
        writes = writer(load, lab, "sessions")
        wait_until(lambda: len(writes.acknowledged) >= 200, 30, "writes before the kill")
        lab.client.chaos.KillAz(chaos_pb2.KillAzRequest(availability_zone=primary_az))
        killed_at = time.time()
        wait_until(lambda: writes.acknowledged_after(killed_at) >= 200, 60, "writes acknowledged after the failover")
    after = available(lab, "sessions").node_groups[0]
    acknowledged = writes.acknowledged
    values = connect(after.primary_endpoint).mget(acknowledged)
    # present: the keys holding the value written (w:<n> holds n)
    check(acknowledged, [k for k, v in zip(acknowledged, values, strict=True) if v == k[2:].encode()]).assert_nothing_lost()
    assert after.failover_epoch > before.failover_epoch
    members = after.node_group_members
    assert len(members) == 3 and primary_az not in {m.availability_zone for m in members}
    assert all(m.cache_node_status == "available" for m in members)

    # The cluster-mode group lost the primary of one shard, and fails that shard over alone.
    shards_after = available(lab, "shards")
    epochs = {g.node_group_id: g.failover_epoch for g in shards_after.node_groups}
    for shard in shards_before.node_groups:
        lost_primary = next(m for m in shard.node_group_members if m.current_role == "primary").availability_zone == primary_az
        assert epochs[shard.node_group_id] == shard.failover_epoch + (1 if lost_primary else 0)
    shard_members = [m for g in shards_after.node_groups for m in g.node_group_members]
    assert len(shard_members) == 6 and primary_az not in {m.availability_zone for m in shard_members}
    client = cluster_client(shards_after)
    count = NODE_TYPES["cache.t1.micro"].maxmemory_bytes() * 3 // 2 // len(BLOB)
    assert all(client.get(f"blob:{i}") == BLOB for i in range(0, count, 7))
    lab.client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone=primary_az))

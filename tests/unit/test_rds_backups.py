"""RDS's model: snapshots, automated backups, restores and the postgres engine's master user; no sockets."""

import calendar

import pytest

from azlab.cluster.config import RegionConfig
from azlab.common.errors import InvalidParameterValue, MissingParameter
from azlab.common.network import LoopbackNetwork
from azlab.common.rds.errors import (
    DBSnapshotAlreadyExists,
    DBSnapshotNotFound,
    InvalidDBInstanceState,
    InvalidDBSnapshotState,
    InvalidParameterCombination,
    InvalidRestore,
    PointInTimeRestoreNotEnabled,
)
from azlab.cluster.rds.model import AVAILABLE, DAY_S, MemberHealth, RdsModel
from azlab.cluster.region import Region
from azlab.cluster.state import Store

NOON = calendar.timegm((2026, 11, 27, 12, 0, 0))


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock(NOON)


@pytest.fixture
def model(tmp_path, clock):
    region = Region(RegionConfig(isolation="loopback"), Store(tmp_path / "state.db"), LoopbackNetwork(1), clock)
    for name in region.nodes:
        region.heartbeat(name, f"ray-{name}")
    return RdsModel(region, region.store, clock)


def available(model, identifier="shop", engine="postgres", **kwargs):
    creds = dict(master_username="app", master_user_password="lab-pass-1") if engine == "postgres" else {}
    instance = model.create_db_instance(identifier, engine, "db.t3.micro", 5, **{**creds, **kwargs})
    for member in instance.members:
        model.observe(member.member_id, MemberHealth(
            node_alive=True, reachable=True, role=member.role, epoch=instance.epoch, lineage=instance.lineage,
            synced_epoch=instance.epoch, instance_class=member.instance_class,
            allocated_storage=member.allocated_storage, engine_version="15.18"))
    model.decide(instance)
    assert instance.status == AVAILABLE
    return instance


def take(model, clock, identifier: str) -> None:
    model.snapshot_taken(identifier, clock.now, lsn=7)


@pytest.mark.parametrize("kwargs, error", [
    (dict(master_username=""), MissingParameter),
    (dict(master_user_password=""), MissingParameter),
    (dict(master_username="postgres"), InvalidParameterValue),
    (dict(master_username="1app"), InvalidParameterValue),
    (dict(master_user_password="short"), InvalidParameterValue),
    (dict(master_user_password="has/slash-in-it"), InvalidParameterValue),
    (dict(master_user_password="has space in it"), InvalidParameterValue),
    (dict(preferred_backup_window="03:00-03:10"), InvalidParameterValue),
    (dict(preferred_backup_window="3am"), InvalidParameterValue),
])
def test_a_postgres_instance_needs_a_valid_master_user(model, kwargs, error):
    args = dict(identifier="shop", engine="postgres", instance_class="db.t3.micro", allocated_storage=5,
                master_username="app", master_user_password="lab-pass-1")
    with pytest.raises(error):
        model.create_db_instance(**{**args, **kwargs})
    assert model.instances == {}
    with pytest.raises(InvalidParameterCombination):  # sqlite has no users
        model.create_db_instance("lite", "sqlite", "db.t3.micro", 5, master_username="app")


def test_a_postgres_member_has_a_port_for_its_server_and_one_for_its_db_node(model):
    shop = available(model, multi_az=True)
    for member in shop.members:
        assert member.control_port and member.control_port != member.port
        assert member.endpoint.endswith(f":{member.port}") and member.control_endpoint.endswith(f":{member.control_port}")
    replica = model.create_read_replica("shop-r", "shop")
    assert (replica.master_username, replica.master_user_password) == ("app", "lab-pass-1")


def test_first_automated_backup_at_once_then_daily_in_the_window_kept_for_the_retention(model, clock):
    shop = available(model, backup_retention_period=2, preferred_backup_window="05:00-05:30")
    first = model.backup_due(shop)
    assert first.startswith("rds:shop-")
    model.create_db_snapshot("shop", first, "automated")
    assert model.backup_due(shop) == ""  # one at a time
    take(model, clock, first)
    clock.now += DAY_S  # noon the next day: outside the window
    assert model.backup_due(shop) == ""
    clock.now = NOON + DAY_S + 17 * 3600 + 60  # 05:01 two days on
    second = model.backup_due(shop)
    assert second and second != first
    model.create_db_snapshot("shop", second, "automated")
    take(model, clock, second)
    model.expire_backups()
    assert model.snapshots[first].status == "available"  # within two days still
    clock.now += 2 * DAY_S
    model.expire_backups()
    assert model.snapshots[first].status == "deleting" and model.snapshots[second].status == "available"
    with pytest.raises(InvalidDBSnapshotState):
        model.delete_db_snapshot(second)  # automated: goes with the retention
    replica = model.create_read_replica("shop-r", "shop")
    assert model.backup_due(replica) == ""


def test_manual_snapshots_and_restores(model, clock):
    available(model)
    snapshot = model.create_db_snapshot("shop", "s1")
    assert snapshot.status == "creating"
    with pytest.raises(InvalidDBSnapshotState):
        model.restore_from_snapshot("shop2", "s1")
    with pytest.raises(DBSnapshotAlreadyExists):
        model.create_db_snapshot("shop", "s1")
    with pytest.raises(InvalidParameterValue):
        model.create_db_snapshot("shop", "Bad_Name")
    with pytest.raises(DBSnapshotNotFound):
        model.restore_from_snapshot("shop2", "nope")
    take(model, clock, "s1")
    restored = model.restore_from_snapshot("shop2", "s1", multi_az=True)
    assert (restored.engine, restored.master_username, restored.restore) == ("postgres", "app", {"snapshot": "s1"})
    assert restored.multi_az and len(restored.members) == 2
    assert [s.identifier for s in model.describe_snapshots("shop", snapshot_type="manual")] == ["s1"]
    model.delete_db_snapshot("s1")
    assert model.describe_snapshots("shop") == [] and model.snapshots["s1"].status == "deleting"
    model.forget_snapshot("s1")
    assert RdsModel(model.region, model.store, clock).snapshots == {}


def test_point_in_time_restore_picks_the_last_backup_before_the_time_and_refuses_outside_the_window(model, clock):
    shop = available(model)
    with pytest.raises(InvalidRestore):  # no automated backup yet
        model.restore_to_point_in_time("shop", "then", NOON)
    for offset in (0, 600):
        clock.now = NOON + offset
        name = f"rds:shop-{offset}"
        model.create_db_snapshot("shop", name, "automated")
        take(model, clock, name)
    clock.now = NOON + 1200
    then = model.restore_to_point_in_time("shop", "then", NOON + 599)
    assert then.restore == {"snapshot": "rds:shop-0", "time": NOON + 599, "source": "shop"}
    later = model.restore_to_point_in_time("shop", "later", use_latest=True)
    assert later.restore["snapshot"] == "rds:shop-600" and later.restore["time"] == NOON + 1200
    for at in (NOON - 1, NOON + 1201):
        with pytest.raises(InvalidRestore):
            model.restore_to_point_in_time("shop", "never", at)
    with pytest.raises(InvalidParameterCombination):
        model.restore_to_point_in_time("shop", "never", NOON + 10, use_latest=True)
    model.modify("shop", backup_retention_period=0)
    with pytest.raises(PointInTimeRestoreNotEnabled):
        model.restore_to_point_in_time("shop", "never", NOON + 10)
    assert "never" not in model.instances
    assert shop.status == AVAILABLE


def test_a_snapshot_needs_an_available_instance(model):
    shop = model.create_db_instance("shop", "sqlite", "db.t3.micro", 5)
    with pytest.raises(InvalidDBInstanceState):
        model.create_db_snapshot("shop", "s1")
    assert shop.identifier not in {s.instance for s in model.snapshots.values()}


def test_parameter_groups_apply_dynamic_parameters_now_and_static_ones_at_the_reboot(model):
    from azlab.common.rds.errors import DBParameterGroupNotFound, InvalidDBParameterGroupState

    with pytest.raises(DBParameterGroupNotFound):
        available(model, "early", parameter_group="tuned")
    model.create_parameter_group("tuned", "postgres15", "for the shop")
    shop = available(model, parameter_group="tuned")
    plain = available(model, "plain")
    assert (shop.parameter_group, plain.parameter_group) == ("tuned", "default.postgres15")
    for changes, error in (
        ([("max_connections", "50", "immediate")], InvalidParameterCombination),  # static
        ([("wal_level", "minimal", "immediate")], InvalidParameterValue),       # not for users
        ([("work_mem", "lots", "immediate")], InvalidParameterValue),
        ([("work_mem", "8MB", "later")], InvalidParameterValue),
        ([("work_mem", "8MB", "immediate"), ("max_connections", "50", "immediate")], InvalidParameterCombination),
    ):
        with pytest.raises(error):
            model.modify_parameter_group("tuned", changes)
    assert shop.parameters == {} and model.parameter_groups["tuned"].parameters == {}  # nothing half-applied
    model.modify_parameter_group("tuned", [("work_mem", "8MB", "immediate"), ("max_connections", "50", "pending-reboot")])
    assert shop.parameters == {"work_mem": "8MB"} and shop.pending_parameters == {"max_connections": "50"}
    assert model.parameter_apply_status(shop) == "pending-reboot" and plain.parameters == {}
    model.reboot("shop")
    assert shop.parameters == {"work_mem": "8MB", "max_connections": "50"} and shop.pending_parameters == {}
    assert model.parameter_apply_status(shop) == "applying"  # its members still run without them
    with pytest.raises(InvalidDBParameterGroupState):
        model.delete_parameter_group("tuned")  # in use
    with pytest.raises(InvalidDBParameterGroupState):
        model.modify_parameter_group("default.postgres15", [("work_mem", "8MB", "immediate")])
    with pytest.raises(InvalidParameterCombination):
        model.create_db_instance("lite", "sqlite", "db.t3.micro", 5, parameter_group="tuned")
    assert RdsModel(model.region, model.store).parameter_groups["tuned"].parameters == {
        "work_mem": "8MB", "max_connections": "50"}

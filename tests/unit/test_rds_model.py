"""RDS's model: its rules and error codes, with a real store and region, no sockets."""

import pytest

from azlab.cluster.config import RegionConfig
from azlab.common.errors import InvalidParameterValue, MissingParameter, UnsupportedOperation
from azlab.common.network import LoopbackNetwork
from azlab.common.rds.errors import (
    DBInstanceAlreadyExists,
    DBInstanceNotFound,
    InsufficientDBInstanceCapacity,
    InvalidDBInstanceState,
    InvalidParameterCombination,
    ReadReplicaLimitExceeded,
)
from azlab.cluster.rds.model import (
    AVAILABLE,
    CREATING,
    DELETING,
    MODIFYING,
    REBOOTING,
    FollowerHealth,
    MemberHealth,
    RdsModel,
)
from azlab.cluster.region import Region
from azlab.cluster.state import Store


@pytest.fixture
def region(tmp_path):
    region = Region(RegionConfig(isolation="loopback"), Store(tmp_path / "state.db"), LoopbackNetwork(1), lambda: 1000.0)
    for name in region.nodes:
        region.heartbeat(name, f"ray-{name}")
    return region


@pytest.fixture
def model(region):
    return RdsModel(region, region.store, lambda: 1000.0)


def serving(model, instance, member, role=None, synced=True, **overrides):
    """The member's DB node answers as the model wants it (in sync if a standby)."""
    epoch = model.desired_epoch(instance)
    health = dict(node_alive=True, reachable=True, role=role or member.role, epoch=epoch, lineage=instance.lineage,
                  synced_epoch=epoch if synced else 0, lsn=1, instance_class=member.instance_class,
                  allocated_storage=member.allocated_storage)
    model.observe(member.member_id, MemberHealth(**{**health, **overrides}))


def all_serving(model, instance):
    for member in instance.members:
        serving(model, instance, member)
    model.decide(instance)


def multi_az(model, identifier="orders"):
    instance = model.create_db_instance(identifier, "sqlite", "db.m3.medium", 10, multi_az=True, availability_zone="lab-1a")
    all_serving(model, instance)
    return instance


def test_multi_az_puts_the_standby_in_another_az_and_is_available_once_it_is_in_sync(model):
    instance = model.create_db_instance("orders", "sqlite", "db.m3.medium", 10, multi_az=True, availability_zone="lab-1a")
    assert instance.status == CREATING and instance.primary.az == "lab-1a" and instance.standby.az != "lab-1a"
    assert instance.primary.port != instance.standby.port or instance.primary.address != instance.standby.address
    serving(model, instance, instance.primary)
    serving(model, instance, instance.standby, synced=False)
    model.decide(instance)
    assert instance.status == CREATING  # not protected yet
    serving(model, instance, instance.standby)
    model.decide(instance)
    assert instance.status == AVAILABLE
    assert RdsModel(model.region, model.store).get("orders").status == AVAILABLE  # persisted


@pytest.mark.parametrize("kwargs, error", [
    (dict(identifier=""), MissingParameter),
    (dict(identifier="Bad_Name"), InvalidParameterValue),
    (dict(identifier="ends-"), InvalidParameterValue),
    (dict(engine="mysql"), InvalidParameterValue),
    (dict(instance_class="db.x9.huge"), InvalidParameterValue),
    (dict(allocated_storage=2), InvalidParameterValue),
    (dict(allocated_storage=5000), InvalidParameterValue),
    (dict(availability_zone="lab-9z"), Exception),
])
def test_bad_create_input_is_refused_and_changes_nothing(model, kwargs, error):
    args = dict(identifier="orders", engine="sqlite", instance_class="db.m3.medium", allocated_storage=10)
    with pytest.raises(error):
        model.create_db_instance(**{**args, **kwargs})
    assert model.instances == {} and model.store.resources("rds", "db-instance") == []


def test_names_are_unique_and_unknown_ones_are_not_found(model):
    multi_az(model)
    with pytest.raises(DBInstanceAlreadyExists):
        model.create_db_instance("orders", "sqlite", "db.m3.medium", 10)
    for verb in (model.get, model.delete, model.reboot, model.promote_read_replica):
        with pytest.raises(DBInstanceNotFound):
            verb("nope")


def test_six_read_replicas_are_one_too_many(model):
    source = multi_az(model)
    for i in range(5):
        model.create_read_replica(f"r{i}", "orders")
    with pytest.raises(ReadReplicaLimitExceeded):
        model.create_read_replica("r5", "orders")
    assert "r5" not in model.instances and len(source.replicas) == 5
    with pytest.raises(UnsupportedOperation):
        model.create_read_replica("chained", "r0")
    with pytest.raises(InvalidDBInstanceState):
        model.delete("orders")  # it has replicas
    no_backups = model.create_db_instance("nobackup", "sqlite", "db.t3.micro", 5, backup_retention_period=0)
    all_serving(model, no_backups)
    with pytest.raises(InvalidDBInstanceState):
        model.create_read_replica("nobackup-r", "nobackup")


def test_a_lost_primary_fails_over_to_the_in_sync_standby_under_a_new_epoch(model, region):
    instance = multi_az(model)
    old, standby = instance.primary, instance.standby
    replica = model.create_read_replica("orders-r1", "orders", availability_zone="lab-1c")
    model.observe(old.member_id, MemberHealth(node_alive=False))
    model.decide(instance)
    assert instance.primary is standby and instance.standby is old and instance.epoch == 2
    assert model.desired_epoch(replica) == 2
    assert [m.member_id for m, _ in model.followers(instance)] == [old.member_id, replica.primary.member_id]
    events = [e.event_type for e in region.store.events(source="orders")]
    assert events[-2:] == ["FailoverStarted", "FailoverCompleted"]


def test_no_failover_to_a_standby_that_is_not_in_sync(model):
    instance = model.create_db_instance("orders", "sqlite", "db.m3.medium", 10, multi_az=True, availability_zone="lab-1a")
    primary = instance.primary
    serving(model, instance, instance.standby, synced=False)
    model.observe(primary.member_id, MemberHealth(node_alive=False))
    model.decide(instance)
    assert instance.primary is primary and instance.epoch == 1
    serving(model, instance, instance.standby, synced=True, epoch=0)  # in sync, but in an older epoch
    model.decide(instance)
    assert instance.primary is primary


def test_a_lost_standby_is_replaced_in_another_live_az_under_a_new_epoch(model, region):
    instance = multi_az(model)
    lost = instance.standby
    model.observe(lost.member_id, MemberHealth(node_alive=False, synced_epoch=1))
    model.decide(instance)
    assert instance.epoch == 2 and instance.standby is not lost
    assert instance.standby.az not in (instance.primary.az, lost.az)
    assert lost.member_id in model.retired


def test_a_lost_standby_with_nowhere_to_go_stops_being_waited_for_and_rejoins(model, region):
    instance = multi_az(model)
    lost = instance.standby
    third = ({"lab-1a", "lab-1b", "lab-1c"} - {instance.primary.az, lost.az}).pop()
    region.nodes[f"{third}/node-0"].state = "down"
    model.observe(lost.member_id, MemberHealth(node_alive=False, synced_epoch=0))  # its last mark, seen stale
    serving(model, instance, instance.primary, followers=(FollowerHealth(lost.member_id, in_sync=True),))
    model.decide(instance)
    assert instance.epoch == 2 and instance.standby is lost  # commits no longer wait for it; it stays the standby
    model.decide(instance)
    assert instance.epoch == 2  # once per loss


def test_scaling_a_multi_az_instance_goes_standby_first_then_one_failover(model):
    instance = multi_az(model)
    primary, standby = instance.primary, instance.standby
    model.modify("orders", instance_class="db.m3.large", apply_immediately=True)
    assert instance.status == MODIFYING and instance.epoch == 2
    assert standby.instance_class == "db.m3.large" and primary.instance_class == "db.m3.medium"
    serving(model, instance, primary)
    serving(model, instance, standby, instance_class="db.m3.medium")  # still the old class: to restart
    assert model.needs_restart(standby) and model.followers(instance) == [(standby, False)]
    model.decide(instance)
    assert instance.primary is primary
    serving(model, instance, standby)  # restarted with the new class, in sync again
    model.decide(instance)
    assert instance.primary is standby and instance.epoch == 3 and primary.instance_class == "db.m3.large"
    serving(model, instance, standby)
    serving(model, instance, primary)
    model.decide(instance)
    assert instance.status == AVAILABLE and instance.instance_class == "db.m3.large" and instance.pending == {}


def test_modify_checks_its_input_and_state(model):
    instance = multi_az(model)
    with pytest.raises(InvalidParameterValue):
        model.modify("orders", instance_class="db.nope")
    with pytest.raises(InvalidParameterCombination):
        model.modify("orders", allocated_storage=5)  # shrinking
    model.modify("orders", allocated_storage=20)  # not immediately: pending
    assert instance.pending == {"allocated_storage": 20} and instance.status == AVAILABLE
    model.reboot("orders")
    assert instance.status == REBOOTING and instance.standby.allocated_storage == 20
    with pytest.raises(InvalidDBInstanceState):
        model.modify("orders", instance_class="db.m3.large", apply_immediately=True)


def test_reboot_with_failover_needs_a_multi_az_instance_with_an_in_sync_standby(model):
    single = model.create_db_instance("single", "sqlite", "db.t3.micro", 5)
    all_serving(model, single)
    with pytest.raises(InvalidDBInstanceState):
        model.reboot("single", force_failover=True)
    instance = multi_az(model)
    primary = instance.primary
    model.reboot("orders", force_failover=True)
    assert instance.status == REBOOTING and instance.primary is not primary and instance.epoch == 2
    all_serving(model, instance)
    assert instance.status == AVAILABLE


def test_a_promoted_read_replica_is_a_primary_of_its_own_lineage(model):
    source = multi_az(model)
    replica = model.create_read_replica("orders-r1", "orders")
    with pytest.raises(InvalidDBInstanceState):
        model.promote_read_replica("orders-r1")  # still creating
    serving(model, replica, replica.primary)
    model.decide(replica)
    assert replica.status == CREATING  # not caught up yet
    serving(model, source, source.primary, followers=(FollowerHealth(replica.primary.member_id, acked_lsn=1),))
    model.decide(replica)
    assert replica.status == AVAILABLE
    model.promote_read_replica("orders-r1", backup_retention_period=7)
    assert replica.source == "" and replica.lineage == "orders-r1" and replica.primary.role == "primary"
    assert source.replicas == [] and model.followers(source) == [(source.standby, True)]
    serving(model, replica, replica.primary)
    model.decide(replica)
    assert replica.status == AVAILABLE and replica.backup_retention_period == 7
    with pytest.raises(InvalidDBInstanceState):
        model.promote_read_replica("orders-r1")


def test_no_live_second_az_no_multi_az(model, region):
    for az in ("lab-1b", "lab-1c"):
        region.nodes[f"{az}/node-0"].state = "down"
    with pytest.raises(InsufficientDBInstanceCapacity):
        model.create_db_instance("orders", "sqlite", "db.m3.medium", 10, multi_az=True, availability_zone="lab-1a")


def test_delete_marks_deleting_and_a_removed_member_releases_its_port(model):
    instance = model.create_db_instance("single", "sqlite", "db.t3.micro", 5)
    assert model.delete("single").status == DELETING
    model.retire(instance.primary)
    model.forget("single")
    assert "single" not in model.instances
    model.forget_retired(instance.primary.member_id)
    port = model.store.allocate_port(instance.primary.address, "someone")
    assert port == instance.primary.port  # released, so handed out again

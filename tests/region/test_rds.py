"""RDS with the sqlite engine in a real region: a Multi-AZ instance with two read
replicas over three AZs, written and read through the Data API; its primary's
AZ killed under a committing client; a read replica promoted; its primary's AZ
cut off (netns), where the old primary must acknowledge nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from azlab.chaos.v1 import chaos_pb2
from azlab.common.network import NetnsNetwork
from azlab.cluster.sdk import ApiError, Client
from azlab.rds.v1 import rds_pb2

from tests.checker import ClientLoad, Stream, check

from .conftest import best_isolation, bring_up, tear_down, wait_until

pytestmark = pytest.mark.region
AZS = ["lab-1a", "lab-1b", "lab-1c"]
SETTLE_S = 60  # generous bound for polling; failover and lag figures are benchmarks
ROOT = Path(__file__).resolve().parents[2]  # where `python -m tests.region.rds_writer` runs


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    # netns where the machine allows it: the partition test needs it; the rest runs under either
    lab = bring_up(tmp_path_factory, best_isolation())
    yield lab
    tear_down(lab)


def describe(lab, identifier: str) -> rds_pb2.DBInstance:
    return lab.client.rds.DescribeDBInstances(rds_pb2.DescribeDBInstancesRequest(db_instance_identifier=identifier)).db_instances[0]


def available(lab, identifier: str) -> rds_pb2.DBInstance | None:
    instance = describe(lab, identifier)
    return instance if instance.db_instance_status == "available" else None


def sql(client: Client, identifier: str, statement: str, timeout: float | None = None, **params):
    parameters = [rds_pb2.SqlParameter(name=k, value=_field(v)) for k, v in params.items()]
    return client.rds.ExecuteStatement(rds_pb2.ExecuteStatementRequest(
        db_instance_identifier=identifier, sql=statement, parameters=parameters), timeout=timeout)


def _field(value) -> rds_pb2.Field:
    if isinstance(value, int):
        return rds_pb2.Field(long_value=value)
    return rds_pb2.Field(string_value=str(value))


def rows(client: Client, identifier: str, statement: str) -> list[tuple]:
    answer = sql(client, identifier, statement)
    return [tuple(getattr(f, f.WhichOneof("value")) for f in record.values) for record in answer.records]


def rows_when_there(client: Client, identifier: str, statement: str) -> list[tuple] | None:
    """A replica's rows, or None while it has not received the table yet."""
    try:
        return rows(client, identifier, statement)
    except ApiError as e:
        if e.code != "BadRequestException":
            raise
        return None


def primary_member(instance: rds_pb2.DBInstance) -> rds_pb2.Member:
    return next(m for m in instance.members if m.role == "primary")


def test_multi_az_with_two_replicas_in_three_azs(lab):
    created = lab.json("rds", "create-db-instance", "--db-instance-identifier", "orders", "--engine", "sqlite",
                       "--db-instance-class", "db.m3.medium", "--allocated-storage", "10", "--multi-az",
                       "--availability-zone", "lab-1a")["DBInstance"]
    assert created["DBInstanceStatus"] == "creating" and created["MultiAZ"] is True
    orders = wait_until(lambda: available(lab, "orders"), SETTLE_S, "orders available")
    for name, az in (("orders-r1", "lab-1c"), ("orders-r2", "lab-1b")):
        lab.json("rds", "create-db-instance-read-replica", "--db-instance-identifier", name,
                 "--source-db-instance-identifier", "orders", "--availability-zone", az)
    replicas = [wait_until(lambda n=n: available(lab, n), SETTLE_S, f"{n} available") for n in ("orders-r1", "orders-r2")]

    assert orders.availability_zone == "lab-1a" and orders.secondary_availability_zone in ("lab-1b", "lab-1c")
    assert {m.role: m.state for m in orders.members} == {"primary": "primary", "standby": "standby"}
    assert [m.in_sync for m in orders.members if m.role == "standby"] == [True]
    assert orders.endpoint.address == primary_member(orders).endpoint.address
    assert sorted(describe(lab, "orders").read_replica_db_instance_identifiers) == ["orders-r1", "orders-r2"]
    assert [r.availability_zone for r in replicas] == ["lab-1c", "lab-1b"]
    assert all(r.read_replica_source_db_instance_identifier == "orders" for r in replicas)
    assert {az for i in (orders, *replicas) for az in (i.availability_zone, i.secondary_availability_zone) if az} == set(AZS)


def test_writes_on_the_primary_appear_on_the_replicas_and_describe_shows_lag(lab):
    sql(lab.client, "orders", "CREATE TABLE acks (k TEXT PRIMARY KEY, noise INTEGER, at TEXT)")
    for i in range(20):
        answer = sql(lab.client, "orders", "INSERT INTO acks VALUES (:k, random(), datetime('now'))", k=f"setup-{i}")
        assert answer.number_of_records_updated == 1
    on_primary = rows(lab.client, "orders", "SELECT * FROM acks ORDER BY k")
    assert len(on_primary) == 20
    for replica in ("orders-r1", "orders-r2"):
        # random() and datetime('now') were evaluated once, on the primary: replicas hold its row images
        wait_until(lambda r=replica: rows_when_there(lab.client, r, "SELECT * FROM acks ORDER BY k") == on_primary, SETTLE_S,
                   f"{replica} to hold the primary's rows")
        # describe reports what the last probe saw (every 0.2 s)
        lagged = wait_until(lambda r=replica: (i := describe(lab, r)).replica_lag.lsns == 0 and i, SETTLE_S,
                            f"{replica} to report no lag")
        assert lagged.HasField("replica_lag") and lagged.replica_lag.seconds == 0
    described = lab.json("rds", "describe-db-instances", "--db-instance-identifier", "orders-r1")["DBInstances"][0]
    assert set(described["ReplicaLag"]) == {"Seconds", "Lsns"}


def test_a_replica_refuses_writes_and_bad_input_has_rds_codes(lab):
    before = rows(lab.client, "orders-r1", "SELECT count(*) FROM acks")
    for args, code in (
        (("rds", "execute-statement", "--db-instance-identifier", "orders-r1", "--sql", "INSERT INTO acks (k) VALUES ('x')"),
         "InvalidDBInstanceState"),
        (("rds", "execute-statement", "--db-instance-identifier", "orders", "--sql", "INSERT INTO nowhere VALUES (1)"),
         "BadRequestException"),
        (("rds", "describe-db-instances", "--db-instance-identifier", "nope"), "DBInstanceNotFound"),
        (("rds", "create-db-instance", "--db-instance-identifier", "x", "--engine", "sqlite", "--db-instance-class",
          "db.huge"), "InvalidParameterValue"),
        (("rds", "create-db-instance", "--db-instance-identifier", "orders", "--engine", "sqlite", "--db-instance-class",
          "db.t3.micro"), "DBInstanceAlreadyExists"),
        (("rds", "modify-db-instance", "--db-instance-identifier", "orders", "--allocated-storage", "5",
          "--apply-immediately"), "InvalidParameterCombination"),
        (("rds", "delete-db-instance", "--db-instance-identifier", "orders"), "InvalidDBInstanceState"),
    ):
        done = lab.azlab(*args)
        assert done.returncode == 254 and f"({code})" in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert rows(lab.client, "orders-r1", "SELECT count(*) FROM acks") == before
    assert describe(lab, "orders").db_instance_status == "available" and describe(lab, "orders").allocated_storage == 10


def test_a_transaction_commits_all_or_nothing(lab):
    begin = lab.client.rds.BeginTransaction(rds_pb2.BeginTransactionRequest(db_instance_identifier="orders"))
    txn = begin.transaction_id
    for k in ("txn-1", "txn-2"):
        lab.client.rds.ExecuteStatement(rds_pb2.ExecuteStatementRequest(
            db_instance_identifier="orders", sql=f"INSERT INTO acks (k) VALUES ('{k}')", transaction_id=txn))
    assert rows(lab.client, "orders", "SELECT count(*) FROM acks WHERE k LIKE 'txn-%'") == [(0,)]
    done = lab.client.rds.CommitTransaction(rds_pb2.CommitTransactionRequest(db_instance_identifier="orders",
                                                                              transaction_id=txn))
    assert done.transaction_status == "Transaction Committed"
    assert rows(lab.client, "orders", "SELECT count(*) FROM acks WHERE k LIKE 'txn-%'") == [(2,)]


def committer(load: ClientLoad, client: Client, prefix: str) -> Stream:
    """A client committing `<prefix>-<n>` in a loop through the Data API; a commit is acknowledged when
    ExecuteStatement returned."""

    def commit(n: int) -> str:
        key = f"{prefix}-{n}"
        sql(client, "orders", "INSERT INTO acks (k) VALUES (:k)", timeout=3.0, k=key)
        return key

    return load.client(prefix, commit, expected=(ApiError,))


def failovers(lab) -> int:
    return sum(e.event_type == "FailoverCompleted" for e in lab.client.rds.DescribeEvents(
        rds_pb2.DescribeEventsRequest(source_identifier="orders", max_records=1000)).events)


def assert_none_lost(lab, commits: Stream) -> None:
    present = [k for (k,) in rows(lab.client, "orders", f"SELECT k FROM acks WHERE k LIKE '{commits.name}-%'")]
    check(commits.acknowledged, present).assert_nothing_lost()


def snapshot_available(lab, identifier: str) -> rds_pb2.DBSnapshot | None:
    found = lab.client.rds.DescribeDBSnapshots(rds_pb2.DescribeDBSnapshotsRequest(
        db_snapshot_identifier=identifier)).db_snapshots[0]
    assert found.status != "failed"
    return found if found.status == "available" else None


def test_snapshot_restore_and_point_in_time_restore_of_sqlite(lab):
    automated = wait_until(lambda: [s for s in lab.client.rds.DescribeDBSnapshots(rds_pb2.DescribeDBSnapshotsRequest(
        db_instance_identifier="orders", snapshot_type="automated")).db_snapshots if s.status == "available"],
        SETTLE_S, "an automated backup of orders")
    assert automated[0].engine == "sqlite"
    lab.json("rds", "create-db-snapshot", "--db-instance-identifier", "orders", "--db-snapshot-identifier", "o1")
    wait_until(lambda: snapshot_available(lab, "o1"), SETTLE_S, "o1 available")
    in_snapshot = rows(lab.client, "orders", "SELECT k FROM acks ORDER BY k")
    for i in range(5):
        sql(lab.client, "orders", "INSERT INTO acks (k) VALUES (:k)", k=f"pitr-before-{i}")
    target = int(time.time() + 0.5) + 1  # a whole second with no commit close to it on either side
    time.sleep(max(0.0, target + 0.5 - time.time()))
    for i in range(5):
        sql(lab.client, "orders", "INSERT INTO acks (k) VALUES (:k)", k=f"pitr-after-{i}")
    lab.json("rds", "restore-db-instance-from-db-snapshot", "--db-instance-identifier", "orders-copy",
             "--db-snapshot-identifier", "o1")
    lab.json("rds", "restore-db-instance-to-point-in-time", "--source-db-instance-identifier", "orders",
             "--target-db-instance-identifier", "orders-then",
             "--restore-time", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(target)))
    for name in ("orders-copy", "orders-then"):
        wait_until(lambda n=name: available(lab, n), SETTLE_S, f"{name} available")
    assert rows(lab.client, "orders-copy", "SELECT k FROM acks ORDER BY k") == in_snapshot
    assert rows(lab.client, "orders-then", "SELECT k FROM acks WHERE k LIKE 'pitr-%' ORDER BY k") == [
        (f"pitr-before-{i}",) for i in range(5)]
    sql(lab.client, "orders-then", "INSERT INTO acks (k) VALUES ('only-in-orders-then')")
    assert rows(lab.client, "orders", "SELECT count(*) FROM acks WHERE k = 'only-in-orders-then'") == [(0,)]
    for name in ("orders-copy", "orders-then"):
        lab.json("rds", "delete-db-instance", "--db-instance-identifier", name)


def test_scale_up_goes_to_the_standby_first_then_takes_one_failover(lab):
    before, failed_over = describe(lab, "orders"), failovers(lab)
    with ClientLoad() as load:
        commits = committer(load, lab.client, "scale")
        wait_until(lambda: len(commits.acknowledged) >= 10, SETTLE_S, "commits before the change")
        modified = lab.json("rds", "modify-db-instance", "--db-instance-identifier", "orders",
                            "--db-instance-class", "db.m3.large", "--apply-immediately")["DBInstance"]
        assert modified["DBInstanceStatus"] == "modifying"
        assert modified["PendingModifiedValues"] == {"DBInstanceClass": "db.m3.large"}
        after = wait_until(lambda: available(lab, "orders"), SETTLE_S, "orders scaled")
        done_at = time.time()
        wait_until(lambda: commits.acknowledged_after(done_at) >= 10, SETTLE_S, "commits after the change")
    assert after.db_instance_class == "db.m3.large" and not after.HasField("pending_modified_values") or \
        after.pending_modified_values == rds_pb2.PendingModifiedValues()
    assert [m.db_instance_class for m in after.members] == ["db.m3.large"] * 2
    assert primary_member(after).member_id != primary_member(before).member_id
    assert failovers(lab) == failed_over + 1  # the outage is one failover
    assert_none_lost(lab, commits)


def test_reboot_with_failover_switches_to_the_standby(lab):
    before = describe(lab, "orders")
    with ClientLoad() as load:
        commits = committer(load, lab.client, "reboot")
        wait_until(lambda: len(commits.acknowledged) >= 10, SETTLE_S, "commits before the reboot")
        rebooted = lab.json("rds", "reboot-db-instance", "--db-instance-identifier", "orders", "--force-failover")
        assert rebooted["DBInstance"]["DBInstanceStatus"] == "rebooting"
        after = wait_until(lambda: available(lab, "orders"), SETTLE_S, "orders rebooted")
        done_at = time.time()
        wait_until(lambda: commits.acknowledged_after(done_at) >= 10, SETTLE_S, "commits after the reboot")
    assert primary_member(after).member_id != primary_member(before).member_id and after.epoch > before.epoch
    assert_none_lost(lab, commits)


def test_kill_the_primarys_az_under_load_loses_no_acknowledged_commit(lab):
    before = describe(lab, "orders")
    old_primary, standby = primary_member(before), next(m for m in before.members if m.role == "standby")
    with ClientLoad() as load:
        commits = committer(load, lab.client, "kill")
        wait_until(lambda: len(commits.acknowledged) >= 20, SETTLE_S, "commits before the kill")
        # (it holds SQLite's one write lock: the committer waits until the kill)
        open_txn = lab.client.rds.BeginTransaction(rds_pb2.BeginTransactionRequest(db_instance_identifier="orders"))
        lab.client.rds.ExecuteStatement(rds_pb2.ExecuteStatementRequest(
            db_instance_identifier="orders", sql="INSERT INTO acks (k) VALUES ('in-open-txn')",
            transaction_id=open_txn.transaction_id))
        lab.client.chaos.KillAz(chaos_pb2.KillAzRequest(availability_zone=old_primary.availability_zone))
        killed_at = time.time()
        wait_until(lambda: commits.acknowledged_after(killed_at) >= 20, SETTLE_S, "commits to resume after the kill")
    after = describe(lab, "orders")
    assert primary_member(after).member_id == standby.member_id and after.epoch > before.epoch
    assert after.endpoint.address == standby.endpoint.address and after.availability_zone == standby.availability_zone
    assert_none_lost(lab, commits)
    with pytest.raises(ApiError) as gone:  # a transaction open on the old primary went with it
        lab.client.rds.CommitTransaction(rds_pb2.CommitTransactionRequest(
            db_instance_identifier="orders", transaction_id=open_txn.transaction_id))
    assert gone.value.code == "NotFoundException" and "no longer the primary" in gone.value.message
    assert rows(lab.client, "orders", "SELECT count(*) FROM acks WHERE k = 'in-open-txn'") == [(0,)]
    everything = rows(lab.client, "orders", "SELECT k FROM acks ORDER BY k")
    for replica in ("orders-r1", "orders-r2"):
        if describe(lab, replica).availability_zone != old_primary.availability_zone:
            wait_until(lambda r=replica: rows(lab.client, r, "SELECT k FROM acks ORDER BY k") == everything, SETTLE_S,
                       f"{replica} to follow the new primary")
    events = [e.event_type for e in lab.client.rds.DescribeEvents(
        rds_pb2.DescribeEventsRequest(source_identifier="orders")).events]
    assert "FailoverStarted" in events and "FailoverCompleted" in events
    # a new standby in the AZ left, in sync: the instance is protected again
    wait_until(lambda: any(m.role == "standby" and m.in_sync and m.availability_zone != old_primary.availability_zone
                           for m in describe(lab, "orders").members), SETTLE_S, "a new in-sync standby")

    lab.client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone=old_primary.availability_zone))
    wait_until(lambda: all(m.state != "unreachable" for m in describe(lab, "orders").members), SETTLE_S,
               "every member of orders to answer after the restore")
    assert old_primary.member_id not in {m.member_id for m in describe(lab, "orders").members}


def test_promote_read_replica_gives_an_independent_writable_instance(lab):
    promoted = lab.json("rds", "promote-read-replica", "--db-instance-identifier", "orders-r2")["DBInstance"]
    assert promoted["ReadReplicaSourceDBInstanceIdentifier"] == ""
    wait_until(lambda: available(lab, "orders-r2"), SETTLE_S, "orders-r2 available on its own")
    assert "orders-r2" not in describe(lab, "orders").read_replica_db_instance_identifiers
    count = rows(lab.client, "orders-r2", "SELECT count(*) FROM acks")
    sql(lab.client, "orders-r2", "INSERT INTO acks (k) VALUES ('only-on-r2')")
    sql(lab.client, "orders", "INSERT INTO acks (k) VALUES ('only-on-orders')")
    wait_until(lambda: rows(lab.client, "orders-r1", "SELECT count(*) FROM acks WHERE k = 'only-on-orders'") == [(1,)],
               SETTLE_S, "orders-r1 to still follow orders")
    assert rows(lab.client, "orders-r2", "SELECT k FROM acks WHERE k LIKE 'only-on-%'") == [("only-on-r2",)]
    assert rows(lab.client, "orders-r2", "SELECT count(*) FROM acks") == [(count[0][0] + 1,)]
    assert describe(lab, "orders").db_instance_status == "available"  # the source is not fenced by its former replica


def test_a_cut_off_old_primary_acknowledges_no_commit(lab):
    if lab.isolation != "netns":
        pytest.skip("partition needs netns isolation (root, iproute2, nftables)")
    before = describe(lab, "orders")
    old = primary_member(before)
    az_index = AZS.index(old.availability_zone) + 1
    network = NetnsNetwork(lab.paths.region_id, len(AZS), 1)
    lab.client.chaos.PartitionAz(chaos_pb2.PartitionAzRequest(availability_zone=old.availability_zone))
    # a client inside the cut-off AZ keeps asking the old primary for commits, before and after the failover
    writer = subprocess.run(
        [*network.host_command(az_index, 0), sys.executable, "-m", "tests.region.rds_writer",
         f"{old.endpoint.address}:{old.endpoint.port}", "8"],
        capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert writer.returncode == 0, writer.stderr[-2000:]
    [line] = [x for x in writer.stdout.splitlines() if x.startswith("RESULT ")]
    cut_off = json.loads(line.removeprefix("RESULT "))
    assert cut_off["attempts"] > 0 and cut_off["acknowledged"] == [], cut_off
    after = wait_until(lambda: (i := describe(lab, "orders")) and primary_member(i).member_id != old.member_id and i,
                       SETTLE_S, "a failover away from the cut-off primary")
    sql(lab.client, "orders", "INSERT INTO acks (k) VALUES ('after-partition')")
    lab.client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone=old.availability_zone))
    # the old primary, fenced, is retired (or rejoins as standby): either way it leads nothing
    wait_until(lambda: all(m.state != "unreachable" and (m.member_id != old.member_id or m.role == "standby")
                           for m in describe(lab, "orders").members), SETTLE_S, "the old primary settled")
    assert after.epoch > before.epoch
    assert rows(lab.client, "orders", "SELECT count(*) FROM acks WHERE k LIKE 'cut-off-%'") == [(0,)]


def test_with_no_other_az_left_the_old_primary_rejoins_as_standby_after_catching_up(lab):
    before = describe(lab, "orders")
    old, standby = primary_member(before), next(m for m in before.members if m.role == "standby")
    third = ({*AZS} - {old.availability_zone, standby.availability_zone}).pop()
    lab.client.chaos.KillAz(chaos_pb2.KillAzRequest(availability_zone=third))
    wait_until(lambda: lab.zones()[third]["State"] == "unavailable", SETTLE_S, f"{third} down")
    with ClientLoad() as load:
        commits = committer(load, lab.client, "rejoin")
        wait_until(lambda: len(commits.acknowledged) >= 10, SETTLE_S, "commits before the kill")
        lab.client.chaos.KillAz(chaos_pb2.KillAzRequest(availability_zone=old.availability_zone))
        killed_at = time.time()
        wait_until(lambda: commits.acknowledged_after(killed_at) >= 10, SETTLE_S, "commits after the failover")
        lab.client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone=old.availability_zone))
        rejoined = wait_until(
            lambda: (i := describe(lab, "orders")) and any(
                m.member_id == old.member_id and m.role == "standby" and m.state == "standby" and m.in_sync
                for m in i.members) and i,
            SETTLE_S, "the old primary back as an in-sync standby")
    assert primary_member(rejoined).member_id == standby.member_id
    assert_none_lost(lab, commits)
    lab.client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone=third))


def test_losing_the_standbys_az_under_load_keeps_the_primary_and_loses_no_commit(lab):
    before = describe(lab, "orders")
    primary, lost = primary_member(before), next(m for m in before.members if m.role == "standby")
    with ClientLoad() as load:
        commits = committer(load, lab.client, "standby-lost")
        wait_until(lambda: len(commits.acknowledged) >= 10, SETTLE_S, "commits before the kill")
        lab.client.chaos.KillAz(chaos_pb2.KillAzRequest(availability_zone=lost.availability_zone))
        killed_at = time.time()
        # commits wait for the lost standby until the controller stops them waiting (a new epoch), then go on
        wait_until(lambda: commits.acknowledged_after(killed_at) >= 10, SETTLE_S, "commits after the standby's loss")
        after = wait_until(lambda: (i := describe(lab, "orders")) and any(
            m.role == "standby" and m.in_sync and m.member_id != lost.member_id for m in i.members) and i,
            SETTLE_S, "a new in-sync standby")
    assert primary_member(after).member_id == primary.member_id and after.epoch > before.epoch
    assert {m.availability_zone for m in after.members} == set(AZS) - {lost.availability_zone}
    assert_none_lost(lab, commits)
    lab.client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone=lost.availability_zone))

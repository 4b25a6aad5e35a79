"""RDS with the postgres engine in a real region: a Multi-AZ instance (PostgreSQL's
synchronous streaming replication) and a read replica over three AZs, used with
psycopg at the instance endpoint; the primary's AZ killed under a committing client."""

from __future__ import annotations

import time

import psycopg
import pytest
from azlab.chaos.v1 import chaos_pb2
from azlab.cluster.rds.service import postgres_storage
from azlab.cluster.sdk import ApiError
from azlab.nodes.rds.postgres import unavailable_reason
from azlab.rds.v1 import rds_pb2

from tests.checker import ClientLoad, Stream, check

from .conftest import best_isolation, bring_up, tear_down, wait_until

REASON = unavailable_reason()
if REASON:
    print(f"skipping RDS postgres region tests: {REASON}")
pytestmark = [pytest.mark.region, pytest.mark.skipif(bool(REASON), reason=REASON or "-")]
USER, PASSWORD = "app", "lab-pass-123"
SETTLE_S = 90  # generous bound for polling (a clone is a pg_basebackup); timings are benchmarks


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab = bring_up(tmp_path_factory, best_isolation())
    yield lab
    storage = postgres_storage(lab.paths.home)  # the servers' files, outside the home
    tear_down(lab)
    assert not storage.exists(), "`azlab down` left the postgres servers' files"


def describe(lab, identifier: str) -> rds_pb2.DBInstance:
    return lab.client.rds.DescribeDBInstances(rds_pb2.DescribeDBInstancesRequest(db_instance_identifier=identifier)).db_instances[0]


def available(lab, identifier: str) -> rds_pb2.DBInstance | None:
    instance = describe(lab, identifier)
    return instance if instance.db_instance_status == "available" else None


def connect(endpoint: rds_pb2.Endpoint) -> psycopg.Connection:
    # keepalives and a user timeout: a server in a killed AZ's cut network must not hold a call for minutes
    return psycopg.connect(host=endpoint.address, port=endpoint.port, user=USER, password=PASSWORD, dbname="postgres",
                           autocommit=True, connect_timeout=2, keepalives_idle=1, keepalives_interval=1,
                           keepalives_count=2, tcp_user_timeout=3000)


def count(endpoint: rds_pb2.Endpoint, where: str = "true") -> int:
    with connect(endpoint) as conn:
        return conn.execute(f"SELECT count(*) FROM acks WHERE {where}").fetchone()[0]


def readable(endpoint: rds_pb2.Endpoint, where: str, wanted: int) -> bool:
    try:
        return count(endpoint, where) == wanted
    except psycopg.Error:
        return False


def primary_member(instance: rds_pb2.DBInstance) -> rds_pb2.Member:
    return next(m for m in instance.members if m.role == "primary")


def test_multi_az_postgres_with_a_read_replica(lab):
    created = lab.json("rds", "create-db-instance", "--db-instance-identifier", "shop", "--engine", "postgres",
                       "--db-instance-class", "db.t3.micro", "--allocated-storage", "5", "--multi-az",
                       "--availability-zone", "lab-1a", "--master-username", USER,
                       "--master-user-password", PASSWORD)["DBInstance"]
    assert created["DBInstanceStatus"] == "creating" and created["MasterUsername"] == USER
    shop = wait_until(lambda: available(lab, "shop"), SETTLE_S, "shop available")
    lab.json("rds", "create-db-instance-read-replica", "--db-instance-identifier", "shop-r1",
             "--source-db-instance-identifier", "shop", "--availability-zone", "lab-1c")
    replica = wait_until(lambda: available(lab, "shop-r1"), SETTLE_S, "shop-r1 available")

    assert shop.engine == "postgres" and shop.engine_version.startswith("1")
    assert {m.role: m.state for m in shop.members} == {"primary": "primary", "standby": "standby"}
    assert [m.in_sync for m in shop.members if m.role == "standby"] == [True]
    assert (shop.endpoint.address, shop.endpoint.port) == (primary_member(shop).endpoint.address,
                                                           primary_member(shop).endpoint.port)
    assert shop.secondary_availability_zone in ("lab-1b", "lab-1c") and replica.availability_zone == "lab-1c"
    with connect(shop.endpoint) as conn:
        # commits wait for the standby: PostgreSQL's own synchronous replication names it
        standby = next(m for m in shop.members if m.role == "standby")
        assert conn.execute("SHOW synchronous_standby_names").fetchone()[0] == f'"{standby.member_id}"'
        assert conn.execute("SELECT sync_state FROM pg_stat_replication WHERE application_name = %s",
                            (standby.member_id,)).fetchone()[0] == "sync"


def test_write_on_the_primary_read_on_the_replica_which_refuses_writes(lab):
    shop, replica = describe(lab, "shop"), describe(lab, "shop-r1")
    with connect(shop.endpoint) as conn:
        conn.execute("CREATE TABLE acks (k text PRIMARY KEY, at timestamptz DEFAULT now())")
        for i in range(20):
            conn.execute("INSERT INTO acks (k) VALUES (%s)", (f"setup-{i}",))
    wait_until(lambda: readable(replica.endpoint, "k LIKE 'setup-%'", 20), SETTLE_S, "the replica to read the rows")
    with connect(replica.endpoint) as conn, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute("INSERT INTO acks (k) VALUES ('on-the-replica')")
    assert count(shop.endpoint, "k = 'on-the-replica'") == 0
    # caught up and idle, the replica's lag figure comes to nothing (PostgreSQL clears replay_lag soon after)
    wait_until(lambda: (i := describe(lab, "shop-r1")).HasField("replica_lag") and i.replica_lag.lsns == 0
               and i.replica_lag.seconds == 0, SETTLE_S, "shop-r1 to report no lag")


def test_bad_input_is_refused_with_rds_codes(lab):
    for args, code in (
        (("rds", "create-db-instance", "--db-instance-identifier", "nopass", "--engine", "postgres",
          "--db-instance-class", "db.t3.micro", "--master-username", USER), "MissingParameter"),
        (("rds", "create-db-instance", "--db-instance-identifier", "badpass", "--engine", "postgres",
          "--db-instance-class", "db.t3.micro", "--master-username", USER, "--master-user-password", "has@at-sign"),
         "InvalidParameterValue"),
        (("rds", "create-db-instance", "--db-instance-identifier", "baduser", "--engine", "postgres",
          "--db-instance-class", "db.t3.micro", "--master-username", "postgres", "--master-user-password", PASSWORD),
         "InvalidParameterValue"),
        (("rds", "execute-statement", "--db-instance-identifier", "shop", "--sql", "SELECT 1"), "UnsupportedOperation"),
    ):
        done = lab.azlab(*args)
        assert done.returncode == 254 and f"({code})" in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert sorted(i.db_instance_identifier for i in lab.client.rds.DescribeDBInstances(
        rds_pb2.DescribeDBInstancesRequest()).db_instances) == ["shop", "shop-r1"]


def snapshots(lab, **filters) -> list[rds_pb2.DBSnapshot]:
    return list(lab.client.rds.DescribeDBSnapshots(rds_pb2.DescribeDBSnapshotsRequest(**filters)).db_snapshots)


def snapshot_available(lab, identifier: str) -> rds_pb2.DBSnapshot | None:
    found = snapshots(lab, db_snapshot_identifier=identifier)[0]
    assert found.status != "failed"
    return found if found.status == "available" else None


def keys(endpoint: rds_pb2.Endpoint, like: str = "%") -> set[str]:
    with connect(endpoint) as conn:
        return {k for (k,) in conn.execute("SELECT k FROM acks WHERE k LIKE %s", (like,))}


def test_a_snapshot_restores_as_a_new_instance_with_the_same_data(lab):
    shop = describe(lab, "shop")
    with connect(shop.endpoint) as conn:
        conn.execute("INSERT INTO acks (k) VALUES ('in-snapshot')")
    taken = keys(shop.endpoint)
    lab.json("rds", "create-db-snapshot", "--db-instance-identifier", "shop", "--db-snapshot-identifier", "s1")
    s1 = wait_until(lambda: snapshot_available(lab, "s1"), SETTLE_S, "s1 available")
    assert (s1.engine, s1.snapshot_type, s1.db_instance_identifier) == ("postgres", "manual", "shop")
    with connect(shop.endpoint) as conn:
        conn.execute("INSERT INTO acks (k) VALUES ('after-snapshot')")
    restored = lab.json("rds", "restore-db-instance-from-db-snapshot", "--db-instance-identifier", "shop2",
                        "--db-snapshot-identifier", "s1")["DBInstance"]
    assert restored["Engine"] == "postgres" and restored["MasterUsername"] == USER
    shop2 = wait_until(lambda: available(lab, "shop2"), SETTLE_S, "shop2 available")
    assert keys(shop2.endpoint) == taken and "after-snapshot" not in keys(shop2.endpoint)
    with connect(shop2.endpoint) as conn:  # a writable instance of its own
        conn.execute("INSERT INTO acks (k) VALUES ('only-in-shop2')")
    assert "only-in-shop2" not in keys(shop.endpoint)
    lab.json("rds", "delete-db-instance", "--db-instance-identifier", "shop2", "--skip-final-snapshot")


def test_point_in_time_restore_lands_at_the_asked_second(lab):
    wait_until(lambda: [s for s in snapshots(lab, db_instance_identifier="shop", snapshot_type="automated")
                        if s.status == "available"], SETTLE_S, "an automated backup of shop")
    shop = describe(lab, "shop")
    with connect(shop.endpoint) as conn:
        for i in range(5):
            conn.execute("INSERT INTO acks (k) VALUES (%s)", (f"pitr-before-{i}",))
    target = int(time.time() + 0.5) + 1  # a whole second with no commit close to it on either side
    time.sleep(max(0.0, target + 0.5 - time.time()))
    with connect(shop.endpoint) as conn:
        for i in range(5):
            conn.execute("INSERT INTO acks (k) VALUES (%s)", (f"pitr-after-{i}",))
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(target))
    lab.json("rds", "restore-db-instance-to-point-in-time", "--source-db-instance-identifier", "shop",
             "--target-db-instance-identifier", "shop3", "--restore-time", at)
    shop3 = wait_until(lambda: available(lab, "shop3"), SETTLE_S, "shop3 available")
    assert keys(shop3.endpoint, "pitr-%") == {f"pitr-before-{i}" for i in range(5)}
    with connect(shop3.endpoint) as conn:
        assert not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        conn.execute("INSERT INTO acks (k) VALUES ('only-in-shop3')")
    too_late = lab.azlab("rds", "restore-db-instance-to-point-in-time", "--source-db-instance-identifier", "shop",
                         "--target-db-instance-identifier", "shop4", "--restore-time", "2099-01-01T00:00:00Z")
    assert too_late.returncode == 254 and "(InvalidRestoreFault)" in too_late.stderr
    lab.json("rds", "delete-db-instance", "--db-instance-identifier", "shop3", "--skip-final-snapshot")


def setting(endpoint: rds_pb2.Endpoint, name: str) -> str:
    with connect(endpoint) as conn:
        return conn.execute(f"SHOW {name}").fetchone()[0]


def test_a_parameter_group_applies_dynamic_settings_at_once_and_static_ones_at_reboot(lab):
    lab.json("rds", "create-db-parameter-group", "--db-parameter-group-name", "tuned",
             "--db-parameter-group-family", "postgres15", "--description", "lab")
    lab.json("rds", "create-db-instance", "--db-instance-identifier", "tuned-db", "--engine", "postgres",
             "--db-instance-class", "db.t3.micro", "--master-username", USER, "--master-user-password", PASSWORD,
             "--db-parameter-group-name", "tuned", "--backup-retention-period", "0")
    tuned = wait_until(lambda: available(lab, "tuned-db"), SETTLE_S, "tuned-db available")
    max_connections = setting(tuned.endpoint, "max_connections")
    static_now = lab.azlab("rds", "modify-db-parameter-group", "--db-parameter-group-name", "tuned", "--parameters",
                           "ParameterName=max_connections,ParameterValue=42,ApplyMethod=immediate")
    assert static_now.returncode == 254 and "(InvalidParameterCombination)" in static_now.stderr
    lab.json("rds", "modify-db-parameter-group", "--db-parameter-group-name", "tuned", "--parameters",
             "ParameterName=work_mem,ParameterValue=8MB,ApplyMethod=immediate",
             "ParameterName=max_connections,ParameterValue=42,ApplyMethod=pending-reboot")
    wait_until(lambda: setting(tuned.endpoint, "work_mem") == "8MB", SETTLE_S, "work_mem reloaded")
    assert setting(tuned.endpoint, "max_connections") == max_connections
    assert [(g.db_parameter_group_name, g.parameter_apply_status) for g in describe(lab, "tuned-db").db_parameter_groups] \
        == [("tuned", "pending-reboot")]
    lab.json("rds", "reboot-db-instance", "--db-instance-identifier", "tuned-db")
    wait_until(lambda: available(lab, "tuned-db") and describe(lab, "tuned-db").db_parameter_groups[0]
               .parameter_apply_status == "in-sync", SETTLE_S, "tuned-db rebooted with its parameters")
    wait_until(lambda: setting(tuned.endpoint, "max_connections") == "42", SETTLE_S, "max_connections after reboot")
    shown = lab.json("rds", "describe-db-parameters", "--db-parameter-group-name", "tuned", "--source", "user")
    assert {(p["ParameterName"], p["ParameterValue"], p["ApplyType"]) for p in shown["Parameters"]} == {
        ("work_mem", "8MB", "dynamic"), ("max_connections", "42", "static")}
    lab.json("rds", "delete-db-instance", "--db-instance-identifier", "tuned-db")


def committer(load: ClientLoad, lab, prefix: str) -> Stream:
    """A client committing `<prefix>-<n>` one row at a time at the instance endpoint, reconnecting (to the
    endpoint describe shows) after an error; a commit is acknowledged when its autocommit INSERT returned."""
    conn: psycopg.Connection | None = None

    def commit(n: int) -> str:
        nonlocal conn
        key = f"{prefix}-{n}"
        try:
            if conn is None:
                conn = connect(describe(lab, "shop").endpoint)
            conn.execute("INSERT INTO acks (k) VALUES (%s)", (key,))
        except (psycopg.Error, ApiError):
            if conn is not None:
                conn.close()
            conn = None
            raise
        return key

    return load.client(prefix, commit, expected=(psycopg.Error, ApiError), pause_after_failure_s=0.2)


def test_kill_the_primarys_az_under_load_loses_no_acknowledged_commit(lab):
    before = describe(lab, "shop")
    old_primary, standby = primary_member(before), next(m for m in before.members if m.role == "standby")
    with ClientLoad(max_seconds=300) as load:
        commits = committer(load, lab, "kill")
        wait_until(lambda: len(commits.acknowledged) >= 20, SETTLE_S, "commits before the kill")
        lab.client.chaos.KillAz(chaos_pb2.KillAzRequest(availability_zone=old_primary.availability_zone))
        killed_at = time.time()
        wait_until(lambda: commits.acknowledged_after(killed_at) >= 20, SETTLE_S, "commits to resume after the kill")
    after = describe(lab, "shop")
    assert primary_member(after).member_id == standby.member_id and after.epoch > before.epoch
    assert (after.endpoint.address, after.endpoint.port) == (standby.endpoint.address, standby.endpoint.port)
    with connect(after.endpoint) as conn:
        present = [k for (k,) in conn.execute("SELECT k FROM acks WHERE k LIKE 'kill-%'")]
        assert not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
    check(commits.acknowledged, present).assert_nothing_lost()
    # the read replica follows the new primary (a new timeline)
    total = count(after.endpoint)
    wait_until(lambda: readable(describe(lab, "shop-r1").endpoint, "true", total), SETTLE_S,
               "the replica to follow the new primary")
    events = [e.event_type for e in lab.client.rds.DescribeEvents(
        rds_pb2.DescribeEventsRequest(source_identifier="shop")).events]
    assert "FailoverStarted" in events and "FailoverCompleted" in events
    # a new standby in the AZ left, cloned from the new primary and in sync: protected again
    wait_until(lambda: any(m.role == "standby" and m.in_sync and m.availability_zone != old_primary.availability_zone
                           for m in describe(lab, "shop").members), SETTLE_S, "a new in-sync standby")
    with connect(describe(lab, "shop").endpoint) as conn:
        conn.execute("INSERT INTO acks (k) VALUES ('after-all')")

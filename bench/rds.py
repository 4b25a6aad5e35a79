"""`python -m bench rds [--runs N] [--isolation loopback|netns] [--commits N] [--engines sqlite,postgres]`: RDS's figures, medians of N runs.

One region for the whole suite; each run makes its own DB instances and deletes them.

sqlite engine:

| figure | how | peer in the same run |
|---|---|---|
| commit latency p50 / p99 | `--commits` single-row INSERTs, one at a time, straight to the primary's endpoint | single-AZ instance vs Multi-AZ (their ratio: the price of the synchronous standby) |
| replica lag under steady writes | a read replica of the Multi-AZ instance while a writer commits at `--rate`/s for `--lag-seconds`; the lag its source's primary reports (seconds, LSNs), sampled every 50 ms | - |
| failover time | a client commits through the Data API in a loop; KillAz of the primary's AZ; time to the first acknowledged commit after it, from the call and from the fault's start | - (target < 3 s) |

postgres engine (pgbench from PostgreSQL's contrib, against the instance endpoints):

| figure | how | peer in the same run |
|---|---|---|
| pgbench TPS | `pgbench -c 4 -j 2 -T --pgbench-seconds` (TPC-B-like, scale 1) | a single-AZ instance (a plain PostgreSQL, no replication) vs Multi-AZ (synchronous standby) |
| replica lag under pgbench | pg_stat_replication's replay lag (s) and bytes of the read replica, sampled every 50 ms on the primary during a pgbench run | - |
| failover time | a client commits to the endpoint (re-read from describe after an error) in a loop; RebootDBInstance --force-failover, `--failovers` times, and one KillAz of the primary's AZ: time to its first commit after the call | - |

Writes bench/results/rds-<UTC>.json (every figure of every run) and .md (the table).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import grpc
import psycopg

from azlab.chaos.v1 import chaos_pb2
from azlab.cluster.config import ISOLATIONS, Paths, RegionConfig
from azlab.common.network import NetnsNetwork
from azlab.cluster.sdk import ApiError, Client
from azlab.member.v1 import member_pb2, member_pb2_grpc
from azlab.nodes.rds.postgres import pg_bindir
from azlab.rds.v1 import dbnode_pb2, dbnode_pb2_grpc, rds_pb2
from azlab.region.v1 import region_pb2
from bench import results_stem
from bench.measure import probe, teardown
from bench.region import git_revision, median

SETTLE_S = 120.0
POLL_S = 0.05
Run = dict[str, Any]
# (run key, label, unit, target)
ROWS = (
    ("single_p50_ms", "commit latency p50, single-AZ", "ms", None),
    ("single_p99_ms", "commit latency p99, single-AZ", "ms", None),
    ("multi_p50_ms", "commit latency p50, Multi-AZ", "ms", None),
    ("multi_p99_ms", "commit latency p99, Multi-AZ", "ms", None),
    ("multi_over_single_p50", "Multi-AZ / single-AZ, p50", "x", None),
    ("multi_over_single_p99", "Multi-AZ / single-AZ, p99", "x", None),
    ("lag_p50_s", "replica lag p50 under steady writes", "s", None),
    ("lag_max_s", "replica lag max under steady writes", "s", None),
    ("lag_p50_lsns", "replica lag p50 under steady writes", "LSNs", None),
    ("lag_max_lsns", "replica lag max under steady writes", "LSNs", None),
    ("write_rate", "steady write rate achieved", "/s", None),
    ("failover_s", "failover: KillAz call to first commit", "s", 3.0),
    ("failover_from_fault_s", "failover: fault start to first commit", "s", 3.0),
    ("node_down_after_fault_s", "... of which: fault start to NodeDown", "s", None),
    ("failover_decided_after_fault_s", "... of which: fault start to FailoverCompleted", "s", None),
    ("kill_call_s", "KillAz call itself", "s", None),
    ("pg_single_tps", "postgres: pgbench TPS, single-AZ (no replication)", "tps", None),
    ("pg_multi_tps", "postgres: pgbench TPS, Multi-AZ (synchronous standby)", "tps", None),
    ("pg_multi_over_single_tps", "postgres: Multi-AZ / single-AZ TPS", "x", None),
    ("pg_lag_p50_s", "postgres: replica replay lag p50 under pgbench", "s", None),
    ("pg_lag_max_s", "postgres: replica replay lag max under pgbench", "s", None),
    ("pg_lag_p50_bytes", "postgres: replica lag p50 under pgbench", "bytes", None),
    ("pg_lag_max_bytes", "postgres: replica lag max under pgbench", "bytes", None),
    ("pg_planned_failover_s", "postgres: reboot --force-failover to first commit (median)", "s", None),
    ("pg_kill_failover_s", "postgres: KillAz call to first commit", "s", None),
)
PG_USER, PG_PASSWORD = "bench", "bench-pass-1"


def wait(predicate, what: str, timeout_s: float = SETTLE_S):
    deadline = time.monotonic() + timeout_s
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(POLL_S)
    return value


def describe(client: Client, identifier: str) -> rds_pb2.DBInstance:
    return client.rds.DescribeDBInstances(rds_pb2.DescribeDBInstancesRequest(db_instance_identifier=identifier)).db_instances[0]


def available(client: Client, identifier: str) -> rds_pb2.DBInstance:
    return wait(lambda: (i := describe(client, identifier)).db_instance_status == "available" and i, f"{identifier} available")


def insert(key: str) -> rds_pb2.ExecuteStatementRequest:
    return rds_pb2.ExecuteStatementRequest(
        sql="INSERT INTO bench (k) VALUES (:k)",
        parameters=[rds_pb2.SqlParameter(name="k", value=rds_pb2.Field(string_value=key))])


def endpoint_stub(instance: rds_pb2.DBInstance) -> dbnode_pb2_grpc.DbNodeStub:
    return dbnode_pb2_grpc.DbNodeStub(grpc.insecure_channel(f"{instance.endpoint.address}:{instance.endpoint.port}"))


def commit_latencies(client: Client, identifier: str, commits: int) -> list[float]:
    """Seconds per commit, one at a time, straight to the primary's endpoint (as a database client would)."""
    stub = endpoint_stub(available(client, identifier))
    stub.ExecuteStatement(rds_pb2.ExecuteStatementRequest(sql="CREATE TABLE bench (k TEXT PRIMARY KEY)"), timeout=10)
    latencies = []
    for i in range(commits):
        started = time.perf_counter()
        stub.ExecuteStatement(insert(f"latency-{i}"), timeout=10)
        latencies.append(time.perf_counter() - started)
    return latencies


def percentile(values: list[float], q: float) -> float:
    ranked = sorted(values)
    return ranked[min(len(ranked) - 1, int(round(q * (len(ranked) - 1))))]


def replica_lag(client: Client, source: str, replica: str, rate: float, seconds: float) -> Run:
    """Commit at `rate`/s to the source's primary; sample the replica's lag as the primary reports it."""
    primary = available(client, source)
    member = available(client, replica).members[0].member_id
    stub = endpoint_stub(primary)
    member_stub = member_pb2_grpc.MemberStub(  # the primary's node contract: its followers' lag is in its detail
        grpc.insecure_channel(f"{primary.endpoint.address}:{primary.endpoint.port}"))
    samples: list[tuple[float, int]] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            detail = dbnode_pb2.DbNodeDetail()
            member_stub.Status(member_pb2.StatusRequest(), timeout=2).detail.Unpack(detail)
            for follower in detail.followers:
                if follower.member_id == member:
                    samples.append((follower.lag_seconds, follower.lag_lsns))
            time.sleep(POLL_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    committed = 0
    while (elapsed := time.monotonic() - started) < seconds:
        stub.ExecuteStatement(insert(f"lag-{committed}"), timeout=10)
        committed += 1
        time.sleep(max(0.0, committed / rate - (time.monotonic() - started)))
    stop.set()
    sampler.join(timeout=10)
    lag_s, lag_lsns = [s for s, _ in samples], [n for _, n in samples]
    return {"lag_p50_s": statistics.median(lag_s), "lag_max_s": max(lag_s), "lag_p50_lsns": statistics.median(lag_lsns),
            "lag_max_lsns": max(lag_lsns), "write_rate": committed / elapsed, "lag_samples": len(samples)}


def failover(client: Client, identifier: str) -> Run:
    """KillAz of the primary's AZ while a client commits through the Data API; then RestoreAz."""
    az = available(client, identifier).availability_zone
    acknowledged: list[float] = []
    stop = threading.Event()

    def commit() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            request = insert(f"failover-{i}")
            request.db_instance_identifier = identifier
            try:
                client.rds.ExecuteStatement(request, timeout=2.0)
                acknowledged.append(time.time())
            except ApiError:
                time.sleep(0.01)

    writer = threading.Thread(target=commit, daemon=True)
    writer.start()
    wait(lambda: len(acknowledged) >= 20, "commits before the kill")
    called = time.time()
    fault = client.chaos.KillAz(chaos_pb2.KillAzRequest(availability_zone=az)).fault
    returned = time.time()
    first = wait(lambda: next((at for at in acknowledged if at > returned), None), "a commit after the kill")
    stop.set()
    writer.join(timeout=10)
    fault_at = fault.started_at.ToNanoseconds() / 1e9
    since = fault.started_at
    node_down = _first_event(client, region_pb2.DescribeEventsRequest(start_time=since, event_types=["NodeDown"], source=az))
    failed_over = next((e.date.ToNanoseconds() / 1e9 for e in client.rds.DescribeEvents(
        rds_pb2.DescribeEventsRequest(source_identifier=identifier, start_time=since)).events
        if e.event_type == "FailoverCompleted"), None)
    client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone=az))
    return {"failover_s": first - called, "failover_from_fault_s": first - fault_at, "killed_az": az,
            "kill_call_s": returned - called,
            "node_down_after_fault_s": node_down - fault_at if node_down else None,
            "failover_decided_after_fault_s": failed_over - fault_at if failed_over else None}


def _first_event(client: Client, request: region_pb2.DescribeEventsRequest) -> float | None:
    events = client.region.DescribeEvents(request).events
    return events[0].time.ToNanoseconds() / 1e9 if events else None


def one_run(client: Client, i: int, commits: int, rate: float, lag_seconds: float) -> Run:
    single, multi, replica = f"single-{i}", f"multi-{i}", f"multi-{i}-r1"
    client.rds.CreateDBInstance(rds_pb2.CreateDBInstanceRequest(
        db_instance_identifier=single, engine="sqlite", db_instance_class="db.m3.medium", allocated_storage=10))
    client.rds.CreateDBInstance(rds_pb2.CreateDBInstanceRequest(
        db_instance_identifier=multi, engine="sqlite", db_instance_class="db.m3.medium", allocated_storage=10,
        multi_az=True))
    single_ms = [s * 1e3 for s in commit_latencies(client, single, commits)]
    multi_ms = [s * 1e3 for s in commit_latencies(client, multi, commits)]
    run: Run = {
        "single_p50_ms": percentile(single_ms, 0.5), "single_p99_ms": percentile(single_ms, 0.99),
        "multi_p50_ms": percentile(multi_ms, 0.5), "multi_p99_ms": percentile(multi_ms, 0.99),
    }
    run["multi_over_single_p50"] = run["multi_p50_ms"] / run["single_p50_ms"]
    run["multi_over_single_p99"] = run["multi_p99_ms"] / run["single_p99_ms"]
    client.rds.CreateDBInstanceReadReplica(rds_pb2.CreateDBInstanceReadReplicaRequest(
        db_instance_identifier=replica, source_db_instance_identifier=multi))
    run.update(replica_lag(client, multi, replica, rate, lag_seconds))
    run.update(failover(client, multi))
    for identifier in (replica, multi, single):
        client.rds.DeleteDBInstance(rds_pb2.DeleteDBInstanceRequest(db_instance_identifier=identifier))
    return run


def pg_connect(endpoint: rds_pb2.Endpoint) -> psycopg.Connection:
    return psycopg.connect(host=endpoint.address, port=endpoint.port, user=PG_USER,
                           password=PG_PASSWORD, dbname="postgres", autocommit=True, connect_timeout=2,
                           keepalives_idle=1, keepalives_interval=1, keepalives_count=2, tcp_user_timeout=3000)


def pgbench(instance: rds_pb2.DBInstance, *args: str, timeout_s: float = 600) -> str:
    done = subprocess.run([str(pg_bindir() / "pgbench"), "-h", instance.endpoint.address, "-p",
                           str(instance.endpoint.port), "-U", PG_USER, *args, "postgres"],
                          capture_output=True, text=True, timeout=timeout_s, env={**os.environ, "PGPASSWORD": PG_PASSWORD})
    if done.returncode != 0:
        raise RuntimeError(f"pgbench failed: {done.stderr[-500:]}")
    return done.stdout


def pgbench_tps(instance: rds_pb2.DBInstance, seconds: float) -> float:
    out = pgbench(instance, "-n", "-c", "4", "-j", "2", "-T", str(int(seconds)))
    return float(next(line for line in out.splitlines() if line.startswith("tps =")).split()[2])


def pg_lag(client: Client, source: str, replica: str, seconds: float) -> Run:
    primary, member = available(client, source), available(client, replica).members[0].member_id
    samples: list[tuple[float, int]] = []
    stop = threading.Event()

    def sample() -> None:
        with pg_connect(primary.endpoint) as conn:
            while not stop.is_set():
                row = conn.execute(
                    "SELECT coalesce(extract(epoch FROM replay_lag), 0)::float8, "
                    "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint FROM pg_stat_replication "
                    "WHERE application_name = %s", (member,)).fetchone()
                if row:
                    samples.append((row[0], row[1]))
                time.sleep(POLL_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    pgbench_tps(primary, seconds)
    stop.set()
    sampler.join(timeout=10)
    lag_s, lag_bytes = [s for s, _ in samples], [b for _, b in samples]
    return {"pg_lag_p50_s": statistics.median(lag_s), "pg_lag_max_s": max(lag_s),
            "pg_lag_p50_bytes": statistics.median(lag_bytes), "pg_lag_max_bytes": max(lag_bytes),
            "pg_lag_samples": len(samples)}


def pg_failover(client: Client, identifier: str, act) -> float:
    """Seconds from `act()` (which starts a failover) to the first commit a reconnecting client gets after it."""
    old = available(client, identifier).endpoint
    acknowledged: list[tuple[float, tuple[str, int]]] = []  # when, and on which server
    stop = threading.Event()

    def commit() -> None:
        conn, server = None, None
        deadline = time.monotonic() + SETTLE_S * 2  # bounded, whatever happens
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                if conn is None:
                    endpoint = describe(client, identifier).endpoint
                    conn, server = pg_connect(endpoint), (endpoint.address, endpoint.port)
                conn.execute("INSERT INTO failover_probe VALUES (now())")
                acknowledged.append((time.time(), server))
            except (psycopg.Error, ApiError):
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.02)
        if conn is not None:
            conn.close()

    writer = threading.Thread(target=commit, daemon=True)
    writer.start()
    wait(lambda: len(acknowledged) >= 20, "commits before the failover")
    called = time.time()
    act()
    # the old primary may take commits a moment longer (a planned failover): the first on the new one counts
    first = wait(lambda: next((at for at, server in acknowledged if at > called and server != (old.address, old.port)),
                              None), "a commit on the new primary")
    stop.set()
    writer.join(timeout=10)
    return first - called


def in_sync_standby(client: Client, identifier: str) -> bool:
    instance = describe(client, identifier)
    return instance.db_instance_status == "available" and any(m.role == "standby" and m.in_sync for m in instance.members)


def one_postgres_run(client: Client, i: int, seconds: float, failovers: int) -> Run:
    single, multi, replica = f"pg-single-{i}", f"pg-multi-{i}", f"pg-multi-{i}-r1"
    for identifier, multi_az in ((single, False), (multi, True)):
        client.rds.CreateDBInstance(rds_pb2.CreateDBInstanceRequest(
            db_instance_identifier=identifier, engine="postgres", db_instance_class="db.m3.medium", allocated_storage=10,
            multi_az=multi_az, master_username=PG_USER, master_user_password=PG_PASSWORD))
    run: Run = {}
    for identifier, key in ((single, "pg_single_tps"), (multi, "pg_multi_tps")):
        instance = available(client, identifier)
        pgbench(instance, "-i", "-s", "1", "-q")
        run[key] = pgbench_tps(instance, seconds)
    run["pg_multi_over_single_tps"] = run["pg_multi_tps"] / run["pg_single_tps"]
    client.rds.CreateDBInstanceReadReplica(rds_pb2.CreateDBInstanceReadReplicaRequest(
        db_instance_identifier=replica, source_db_instance_identifier=multi))
    run.update(pg_lag(client, multi, replica, seconds))
    with pg_connect(available(client, multi).endpoint) as conn:
        conn.execute("CREATE TABLE failover_probe (at timestamptz)")
    planned = []
    for _ in range(failovers):
        # a planned failover is allowed once the standby is back in sync
        wait(lambda: in_sync_standby(client, multi), "an in-sync standby")
        planned.append(pg_failover(client, multi, lambda: client.rds.RebootDBInstance(
            rds_pb2.RebootDBInstanceRequest(db_instance_identifier=multi, force_failover=True))))
    run["pg_planned_failover_s"], run["pg_planned_failovers"] = statistics.median(planned), planned
    wait(lambda: in_sync_standby(client, multi), "an in-sync standby")
    az = describe(client, multi).availability_zone
    run["pg_kill_failover_s"] = pg_failover(
        client, multi, lambda: client.chaos.KillAz(chaos_pb2.KillAzRequest(availability_zone=az)))
    client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone=az))
    for identifier in (replica, multi, single):
        client.rds.DeleteDBInstance(rds_pb2.DeleteDBInstanceRequest(db_instance_identifier=identifier))
    return run


def table(runs: list[Run]) -> str:
    lines = ["| figure (median of runs) | value | target |", "|---|---|---|"]
    for key, label, unit, target in ROWS:
        if not any(key in r for r in runs):
            continue
        value = median([r[key] for r in runs if key in r])
        shown = "-" if value is None else f"{value:.2f} {unit}"
        lines.append(f"| {label} | {shown} | {f'< {target:g} {unit}' if target else ''} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench rds", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--isolation", choices=ISOLATIONS,
                        default="netns" if NetnsNetwork.available() is None else "loopback")
    parser.add_argument("--commits", type=int, default=300, help="commits per latency sample")
    parser.add_argument("--rate", type=float, default=100.0, help="commits per second while measuring replica lag")
    parser.add_argument("--lag-seconds", type=float, default=5.0)
    parser.add_argument("--engines", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--pgbench-seconds", type=float, default=10.0)
    parser.add_argument("--failovers", type=int, default=3, help="planned postgres failovers per run")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    started = datetime.now(timezone.utc)
    paths = Paths(Path(tempfile.mkdtemp(prefix="azlab-bench-rds-")))
    runs: list[Run] = []
    seen: dict = {}
    try:
        endpoint = probe("up-azlab", home=str(paths.home), isolation=args.isolation)["endpoint"]
        with Client(endpoint) as client:
            for i in range(args.runs):
                print(f"run {i + 1}/{args.runs} ...", file=sys.stderr, flush=True)
                run: Run = {}
                if "sqlite" in args.engines.split(","):
                    run.update(one_run(client, i, args.commits, args.rate, args.lag_seconds))
                if "postgres" in args.engines.split(","):
                    run.update(one_postgres_run(client, i, args.pgbench_seconds, args.failovers))
                runs.append(run)
    finally:
        teardown(paths, seen)

    text = table(runs)
    azs = RegionConfig().azs
    meta = (f"{args.runs} run(s), isolation {args.isolation}, {len(azs)} AZs x 1 node, {args.commits} commits per "
            f"latency sample, {args.rate:g}/s for {args.lag_seconds:g} s of lag, {started:%Y-%m-%d %H:%M} UTC, "
            f"azlab {git_revision()}, Python {platform.python_version()}, {platform.node()}")
    stem = results_stem("rds", started)
    record = {"started_at": started.isoformat(), "args": vars(args), "revision": git_revision(),
              "medians": {key: median([r[key] for r in runs if key in r]) for key, *_ in ROWS}, "runs": runs}
    stem.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
    stem.with_suffix(".md").write_text(f"# azlab bench: rds\n\n{meta}\n\n{text}\n")
    print(f"{meta}\n\n{text}\n\nwritten to {stem}.json and .md")
    return 0

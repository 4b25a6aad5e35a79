"""`python -m bench failover [--before REV] [--after REV] [--services ...] [--rounds R]`: every service's failover, before and after.

Each side is a git checkout (`git worktree` under /tmp) run with this machine's
.venv: the bench puts `bench/tree` on PYTHONPATH with AZLAB_TREE naming the
checkout, so the `azlab` CLI, the controller, Ray's workers and the node
servers all import that checkout's `azlab.*` (each side's child checks
`azlab.__file__`, and every process of its region is checked to carry the
checkout in its environment). The measuring code is this tree's, the same for
both sides (tests/checker.py and the region tests' clients and set-ups), so it
imports only what every side's checkout has: nothing of bench/rds.py or
bench/elasticache.py, which follow the newest code.

One measurement per service and side, in a child process with its own
region (a 3-AZ loopback region, `bench.sqs.azlab_region`): a client runs on
tests/checker.py's ClientLoad against the service's data plane; once it has 20
acknowledgements, KillAz of the AZ of the leader or primary (ELB: of an AZ
whose LB node serves; Route53: of the AZ of the server the resolver asks
first); the load runs until it has 20 acknowledgements after the kill (or
RESUME_BOUND_S). Figures:
- longest wait: the longest time between two acknowledgements the client got
  across the kill, the kill call's own duration included (the failover as a
  client lives it);
- lost: acknowledged writes absent afterwards (tests/checker.py's `check`);
  ELB and Route53 write nothing: failed requests are counted instead;
- failed over: from the fault's start to the moment the service says so
  (its failover event; ELB: every surviving DNS server answers the LB's name
  without the dead AZ's node; Route53: DescribeNameServers shows the dead
  server unreachable).

SQS also measures its boto3 throughput on every side (bench/sqs.py's workloads:
batch 1 and 10 at `--clients` threads), and runs a third side, `before-frontend`:
the commit before the region's front end (the AWS endpoint out of the
controller) appeared, where every boto3 call still passed through the
controller. The boto3 client ceiling (bench/sqs.py's null server) is measured
in each round.

Sides run back to back per service, in alternating order, `--rounds` times;
figures are medians. Run under `flock /tmp/azlab-machine.lock`: it brings
regions up and down one at a time. Writes bench/results/failover-<UTC>.json
and .md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from bench import results_stem
from bench.measure import REPO, Run, probe
from bench.region import median
from tests.checker import ClientLoad, Stream, check

if TYPE_CHECKING:
    from tests.region.conftest import Lab

SERVICES = ("sqs", "rds", "elasticache", "elb", "route53")
BEFORE_RUNTIME = "cluster/replicated.py"  # the replicated runtime's first file: "before" is its parent
BEFORE_FRONTEND = "cluster/frontend"  # the region's front end: SQS's boto3 "before" is its parent
TREE_PATH = Path(__file__).resolve().parent / "tree"  # holds the sitecustomize that maps azlab.* to AZLAB_TREE
SIDE_TIMEOUT_S = 480.0
RESUME_BOUND_S = 60.0
SETTLE_S = 120.0
ACKS = 20  # acknowledgements before the kill, and after it, that the load waits for
POLL_S = 0.05


# ---------------------------------------------------------------- sides: checkouts run with this .venv

@dataclass(frozen=True)
class Side:
    name: str
    revision: str
    tree: Path

    def env(self) -> dict[str, str]:
        env = {**os.environ, "AZLAB_TREE": str(self.tree),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(TREE_PATH), os.environ.get("PYTHONPATH")]))}
        env.pop("AZLAB_ENDPOINT", None)
        return env


def git(*args: str, cwd: Path = REPO) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def parent_of_first(path: str) -> str:
    """The parent of the commit that added `path`: the last revision without it."""
    added = git("log", "--diff-filter=A", "--format=%H", "--", path).split()
    if not added:
        raise SystemExit(f"no commit adds {path}: give the revision explicitly")
    return git("rev-parse", f"{added[-1]}^")


def checkout(name: str, revision: str) -> Side:
    """A detached worktree of `revision` at /tmp/azlab-<name>, reused when it is there already."""
    sha = git("rev-parse", "--verify", f"{revision}^{{commit}}")
    tree = Path(tempfile.gettempdir()) / f"azlab-{name}"
    if not (tree / ".git").exists():
        git("worktree", "add", "--detach", str(tree), sha)
    elif git("rev-parse", "HEAD", cwd=tree) != sha:
        git("checkout", "--detach", sha, cwd=tree)
    return Side(name, sha, tree)


def run_side(service: str, side: Side, seconds: float, clients: list[int]) -> Run:
    """One side's measurement of `service` in a child process and a region of its own; the region is taken
    down whatever happens. A side that fails is kept with its error, not dropped."""
    home = Path(tempfile.mkdtemp(prefix=f"azlab-bench-failover-{side.name}-"))
    started = time.monotonic()
    try:
        return probe("measure", timeout_s=SIDE_TIMEOUT_S, module="bench.failover", env=side.env(),
                     service=service, home=str(home), tree=str(side.tree), seconds=seconds, clients=clients)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        return {"error": str(e)[-1500:]}
    finally:
        azlab = str(Path(sys.executable).with_name("azlab"))
        subprocess.run([azlab, "down"], env={**side.env(), "AZLAB_HOME": str(home)}, capture_output=True, timeout=300)
        shutil.rmtree(home, ignore_errors=True)
        print(f"  {service} {side.name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the child: one region, one service

def measure(service: str, home: str, tree: str, seconds: float, clients: list[int]) -> Run:
    import azlab
    from bench.sqs import azlab_region

    loaded = Path(azlab.__file__).resolve()
    if not loaded.is_relative_to(Path(tree).resolve()):
        raise RuntimeError(f"azlab imported from {loaded}, not from the checkout {tree}")
    from tests.region.conftest import Lab

    with azlab_region(Path(home)) as (client, _, aws):
        run: Run = {"azlab_file": str(loaded), **on_tree(Path(home), tree)}
        if service == "sqs":
            run.update(sqs_throughput(aws, seconds, clients))
        run.update(MEASURES[service](Lab(Path(home), "loopback", client), aws))
        run.update({f"{k}_at_end": v for k, v in on_tree(Path(home), tree).items()})
    return run


def on_tree(home: Path, tree: str) -> Run:
    """How many of the region's Python processes run without this side's checkout in their environment, and
    what they are (an EC2 instance's own programs, which azlab starts without the region's environment, are
    expected here; azlab's processes are not)."""
    import psutil

    from azlab.cluster.config import Paths
    from azlab.common import processes

    checked, off = 0, []
    for pid in processes.tagged(processes.region_prefix(Paths(home).region_id)):
        try:
            proc = psutil.Process(pid)
            if "python" not in proc.name() and "python" not in " ".join(proc.cmdline()[:1]):
                continue
            checked += 1
            if proc.environ().get("AZLAB_TREE") != tree:
                off.append(" ".join(proc.cmdline())[:160])
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return {"python_processes": checked, "python_processes_off_tree": len(off), "off_tree": off[:5]}


def timestamp(seconds: float):
    from google.protobuf.timestamp_pb2 import Timestamp

    stamp = Timestamp()
    stamp.FromNanoseconds(int(seconds * 1e9))
    return stamp


def region_event(client, event_type: str, since: float, source: str = "") -> float | None:
    """When the region first recorded `event_type` (from `source`) at or after `since`."""
    from azlab.region.v1 import region_pb2

    events = client.region.DescribeEvents(region_pb2.DescribeEventsRequest(
        start_time=timestamp(since), event_types=[event_type], source=source)).events
    return min((e.time.ToNanoseconds() / 1e9 for e in events), default=None)


def kill_under_load(lab: Lab, az: str, start: Callable[[ClientLoad], Stream],
                    failed_over: Callable[[float], float | None], present: Callable[[list[str]], list[str]] | None) -> Run:
    """The one failover measurement: the client `start(load)` adds to a ClientLoad; KillAz(az) once it has ACKS
    acknowledgements; on until ACKS more after the kill (or RESUME_BOUND_S) and until the service says it
    failed over (`failed_over(fault start)`: when it said so, None while it has not); then what is
    `present(acknowledged)` against what was acknowledged; RestoreAz."""
    from azlab.chaos.v1 import chaos_pb2
    from tests.region.conftest import wait_until
    from tests.region.test_sqs import longest_silence

    with ClientLoad(max_seconds=RESUME_BOUND_S + SETTLE_S) as load:
        stream = start(load)
        wait_until(lambda: len(stream.acknowledged) >= ACKS, SETTLE_S, "acknowledgements before the kill")
        called = time.time()
        fault = lab.client.chaos.KillAz(chaos_pb2.KillAzRequest(availability_zone=az)).fault
        returned = time.time()
        fault_at = fault.started_at.ToNanoseconds() / 1e9
        said = resumed = None  # when each was first seen
        while (not resumed and time.time() - returned < RESUME_BOUND_S) or (not said and time.time() - returned < SETTLE_S):
            resumed = resumed or (stream.acknowledged_after(returned) >= ACKS and time.time())
            said = said or failed_over(fault_at)
            time.sleep(POLL_S)
    run: Run = {"killed_az": az, "kill_call_s": returned - called,
                "longest_wait_s": longest_silence([stream], called - 1.0, resumed) if resumed else None,
                "failed_calls_after_kill": sum(not c.ok for c in stream.sent_after(called)),
                "calls_after_kill": len(stream.sent_after(called)),
                "failed_over_s": said - fault_at if said else None, "acknowledged": len(stream.acknowledged),
                "errors_seen": sorted({c.error.split(":")[0] for c in stream.failures if c.error})[:5]}
    slowest = max(stream.sent_after(called - 1.0), key=lambda c: c.done - c.sent, default=None)
    if slowest:  # where a long wait went: one call that hung, or many that failed
        run["slowest_call"] = {"sent_after_kill_s": slowest.sent - called, "took_s": slowest.done - slowest.sent,
                               "error": slowest.error}
    if present is not None:
        verdict = check(stream.acknowledged, present(stream.acknowledged))
        run.update({"lost": len(verdict.lost), "lost_keys": verdict.lost[:5]})
    lab.client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone=az))
    return run


# ---------------------------------------------------------------- per service: the client, the AZ, its word
# Each reuses its region test's client and set-up (tests/region/test_<svc>.py), on a Lab made of the region.

def sqs_failover(lab: Lab, aws: str) -> Run:
    """test_sqs's producer (boto3 through the AWS endpoint, resending until acknowledged); KillAz(the leader's
    AZ); afterwards every message is received, and each acknowledged body must be among them. Its word: the
    region's SqsLeaderElected event."""
    from tests.region import test_sqs

    reader = test_sqs.boto3_client(aws)
    url = reader.create_queue(QueueName="failover")["QueueUrl"]

    def received(acknowledged: list[str]) -> list[str]:
        bodies: list[str] = []
        while messages := reader.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                                 VisibilityTimeout=600).get("Messages", []):
            bodies += [m["Body"] for m in messages]
        return bodies

    return kill_under_load(lab, test_sqs.leader_az(lab), lambda load: test_sqs.producer(load, aws, "standard", url),
                           lambda at: region_event(lab.client, "SqsLeaderElected", at), received)


def sqs_throughput(aws: str, seconds: float, clients: list[int]) -> Run:
    """bench/sqs.py's boto3 workloads, messages/s (send+receive+delete)."""
    from bench.sqs import Boto3Driver, key, throughput

    return {key("boto3", b, n): throughput(lambda i, b=b, n=n: Boto3Driver(aws, "lab-1", f"t-{b}-{n}-{i}"), b, n, seconds)
            for n in clients for b in (1, 10)}


def rds_failover(lab: Lab, aws: str) -> Run:
    """A Multi-AZ sqlite instance; test_rds's committer (the Data API); KillAz(the primary's AZ); afterwards each
    acknowledged key must be a row. Its word: the instance's FailoverCompleted event."""
    from azlab.rds.v1 import rds_pb2
    from tests.region import test_rds
    from tests.region.conftest import wait_until

    client = lab.client
    client.rds.CreateDBInstance(rds_pb2.CreateDBInstanceRequest(
        db_instance_identifier="orders", engine="sqlite", db_instance_class="db.m3.medium", allocated_storage=10,
        multi_az=True))
    wait_until(lambda: test_rds.available(lab, "orders") and any(
        m.role == "standby" and m.in_sync for m in test_rds.describe(lab, "orders").members), SETTLE_S,
        "orders available with an in-sync standby")
    test_rds.sql(client, "orders", "CREATE TABLE acks (k TEXT PRIMARY KEY)")

    def failed_over(at: float) -> float | None:
        events = client.rds.DescribeEvents(rds_pb2.DescribeEventsRequest(source_identifier="orders",
                                                                          start_time=timestamp(at))).events
        return min((e.date.ToNanoseconds() / 1e9 for e in events if e.event_type == "FailoverCompleted"), default=None)

    return kill_under_load(lab, test_rds.describe(lab, "orders").availability_zone,
                           lambda load: test_rds.committer(load, client, "kill"), failed_over,
                           lambda acknowledged: [k for (k,) in test_rds.rows(client, "orders", "SELECT k FROM acks")])


def elasticache_failover(lab: Lab, aws: str) -> Run:
    """test_elasticache's group (3 nodes, automatic failover) and writer (SET, then WAIT for a replica: acknowledged
    only then); KillAz(the primary's AZ); afterwards each acknowledged key must hold its value on the new primary.
    Its word: the region's FailoverComplete event."""
    from tests.region import test_elasticache as t

    t.sessions.__wrapped__(lab)
    primary = next(m for m in t.available(lab, "sessions").node_groups[0].node_group_members if m.current_role == "primary")

    def present(acknowledged: list[str]) -> list[str]:  # w:<n> holds n
        values = t.connect(t.available(lab, "sessions").node_groups[0].primary_endpoint).mget(acknowledged)
        return [k for k, v in zip(acknowledged, values, strict=True) if v == k[2:].encode()]

    return kill_under_load(lab, primary.availability_zone, lambda load: t.writer(load, lab, "sessions"),
                           lambda at: region_event(lab.client, "FailoverComplete", at, "sessions"), present)


class Scratch:
    """What test fixtures take as tmp_path_factory: a fresh directory per `mktemp`."""

    def __init__(self, home: Path):
        self.home = home

    def mktemp(self, name: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.home))


def elb_failover(lab: Lab, aws: str) -> Run:
    """test_elb's `web` (an instance per AZ behind an HTTP listener); a client resolves the LB's name through the
    region's DNS servers and GETs from its nodes in turn; KillAz(the AZ of the node that answered it first).
    Nothing is written: failed requests are its loss. Its word: every surviving DNS server answers the name
    without the dead node, and every surviving node routes to the two living instances."""
    from azlab.elb.v1 import elb_pb2
    from tests.checker import NotAcknowledged
    from tests.region import test_elb as t

    web = t.web.__wrapped__(lab, Scratch(lab.home))
    servers = t.name_servers(lab)
    nodes = {n.address: n.availability_zone for n in lab.client.elb.DescribeLoadBalancerNodes(
        elb_pb2.DescribeLoadBalancerNodesRequest(load_balancer_name="web")).nodes}
    first = sorted(nodes)[0]

    def request(n: int) -> str:
        addresses = t.resolve(lab, web["name"], servers, timeout=RESOLVER_TIMEOUT_S)
        if not addresses:
            raise NotAcknowledged("no answer for the LB's name")
        address = addresses[n % len(addresses)]
        try:
            response, _ = t.get(address, timeout=3)
        except (OSError, http.client.HTTPException) as e:
            raise NotAcknowledged(f"{address}: {e!r}") from None
        if response.status != 200:
            raise NotAcknowledged(f"{address}: HTTP {response.status}")
        return address

    def settled(at: float) -> float | None:
        survivors = sorted({az for az in nodes.values() if az != nodes[first]})
        answers = [t.resolve(lab, web["name"], [s]) for s in servers if s.availability_zone in survivors]
        done = all(a and first not in a for a in answers) and t.routable_targets(lab, survivors) == [2] * len(survivors)
        return time.time() if done else None

    return kill_under_load(lab, nodes[first], lambda load: load.client("client", request, pause_s=0.01), settled, None)


def route53_failover(lab: Lab, aws: str) -> Run:
    """test_route53's zone; a stub resolver asks the region's servers in AZ order, each for RESOLVER_TIMEOUT_S,
    and takes the first answer; KillAz(the AZ of the server it asks first). Nothing is written: failed queries are
    its loss. Its word: DescribeNameServers shows the dead server unreachable."""
    from tests.checker import NotAcknowledged
    from tests.region import test_elb, test_route53 as t

    t.zone.__wrapped__(lab, Scratch(lab.home))
    servers = sorted(t.servers(lab).values(), key=lambda s: s.availability_zone)
    first = servers[0].availability_zone

    def resolve(n: int) -> str:
        answer = test_elb.resolve(lab, "www.example.lab", servers, timeout=RESOLVER_TIMEOUT_S)
        if answer != ["10.0.0.1", "10.0.0.2"]:
            raise NotAcknowledged(f"answered {answer}")
        return f"q-{n}"

    return kill_under_load(lab, first, lambda load: load.client("resolver", resolve, pause_s=0.01),
                           lambda at: time.time() if t.servers(lab)[first].state == "unreachable" else None, None)


RESOLVER_TIMEOUT_S = 0.5  # a stub resolver's wait for one server before it asks the next

MEASURES: dict[str, Callable[[Lab, str], Run]] = {
    "sqs": sqs_failover, "rds": rds_failover, "elasticache": elasticache_failover, "elb": elb_failover,
    "route53": route53_failover,
}


# ---------------------------------------------------------------- the parent: rounds, medians, the results file

# (run key, label, unit)
FIGURES = (
    ("longest_wait_s", "longest wait for an acknowledgement around KillAz", "s"),
    ("lost", "acknowledged writes lost", ""),
    ("failed_calls_after_kill", "failed calls after the kill", ""),
    ("failed_over_s", "fault to the service saying it failed over", "s"),
    ("kill_call_s", "the KillAz call itself", "s"),
)


LEGEND = f"""Each figure is the median over the rounds of one measurement per side: a client on tests/checker.py's
ClientLoad, KillAz once it has {ACKS} acknowledgements, on until {ACKS} more after the kill and the service has said it
failed over. Longest wait: the longest time between two acknowledgements the client got, from a second before
the KillAz call until it had resumed. Lost: acknowledged writes absent afterwards (ELB and Route53 write nothing;
their failed requests are the row above). Failed over: from the fault's start to the service's own word (SQS:
SqsLeaderElected; RDS: FailoverCompleted; ElastiCache: FailoverComplete; ELB: every surviving DNS server answers
the LB's name without the dead node and every surviving node routes to the living instances; Route53: the dead
server shown unreachable). Clients: SQS boto3 through the AWS endpoint (resending until acknowledged), RDS the
Data API, ElastiCache redis-py SET + WAIT 1 (reconnecting to the primary the region names), ELB HTTP GETs to the
nodes its DNS name answers, Route53 a stub resolver asking the servers in AZ order, {RESOLVER_TIMEOUT_S:g} s each.

Sides:"""


def machine() -> dict[str, Any]:
    return {"node": platform.node(), "python": platform.python_version(), "cpus": os.cpu_count(),
            "platform": platform.platform()}


def figure(runs: list[Run], key: str) -> float | None:
    values = [r[key] for r in runs if "error" not in r and key in r]
    return median(values) if values else None


def cell(runs: list[Run], key: str, unit: str, digits: int = 2) -> str:
    if not runs:
        return ""
    if all("error" in r for r in runs):
        return "failed"
    value = figure(runs, key)
    if value is None:
        return "-"
    return f"{value:.{digits}f} {unit}" if unit else f"{value:.{digits}f}"


def tables(runs: dict[str, dict[str, list[Run]]], sides: dict[str, Side], clients: list[int],
           ceiling: dict[int, list[float]]) -> str:
    names = [n for n in ("before-frontend", "before", "after") if n in sides]
    head = " | ".join(f"{n} ({sides[n].revision[:7]})" for n in names)
    lines = [f"| service | figure (median) | {head} |", "|---|---|" + "---|" * len(names)]
    for service, by_side in runs.items():
        for key, label, unit in FIGURES:
            cells = [cell(by_side.get(n, []), key, unit, 0 if not unit else 2) for n in names]
            if any(c not in ("", "-") for c in cells):
                lines.append(f"| {service} | {label} | {' | '.join(cells)} |")
    if "sqs" in runs:
        lines += ["", "SQS through boto3, messages/s (send+receive+delete); the client ceiling: boto3 SendMessage "
                      "calls/s against a server that stores nothing (a batch-1 message takes 3 calls):", "",
                  f"| workload | {head} | boto3 client ceiling, batch-1 messages/s |",
                  "|---|" + "---|" * len(names) + "---|"]
        for n in clients:
            for b in (1, 10):
                key = f"boto3_batch{b}_clients{n}"
                cells = [cell(runs["sqs"].get(s, []), key, "", 0) for s in names]
                top = f"{median(ceiling[n]) / 3:.0f}" if b == 1 and ceiling.get(n) else ""
                lines.append(f"| batch {b}, {n} client threads | {' | '.join(cells)} | {top} |")
    failed = [(s, n, r["error"].strip().splitlines()[-1]) for s, by in runs.items() for n, rs in by.items() for r in rs if "error" in r]
    lines += ["", *(f"- {s} {n} failed: {e}" for s, n, e in failed)] if failed else []
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench failover", description=__doc__.splitlines()[0])
    parser.add_argument("--before", help=f"default: the parent of the commit adding {BEFORE_RUNTIME}")
    parser.add_argument("--before-frontend", help=f"SQS's third side; default: the parent of the commit adding "
                                                  f"{BEFORE_FRONTEND}; 'none' to skip it")
    parser.add_argument("--after", default="HEAD", help="default: HEAD of this working tree (committed code only)")
    parser.add_argument("--services", default=",".join(SERVICES), help=f"comma-separated (default {','.join(SERVICES)})")
    parser.add_argument("--rounds", type=int, default=3, help="each service's sides this many times (default 3)")
    parser.add_argument("--seconds", type=float, default=5.0, help="per SQS throughput workload (default 5)")
    parser.add_argument("--clients", default="4,16", help="SQS throughput client threads (default 4,16, as bench sqs)")
    args = parser.parse_args(argv)
    services = args.services.split(",")
    if unknown := [s for s in services if s not in MEASURES]:
        parser.error(f"unknown service {unknown[0]!r}; services: {', '.join(MEASURES)}")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    clients = [int(n) for n in args.clients.split(",")]

    sides = {"before": checkout("before", args.before or parent_of_first(BEFORE_RUNTIME)),
             "after": checkout("after", args.after)}
    if "sqs" in services and args.before_frontend != "none":
        sides["before-frontend"] = checkout("before-frontend", args.before_frontend or parent_of_first(BEFORE_FRONTEND))
    started = datetime.now(timezone.utc)
    runs: dict[str, dict[str, list[Run]]] = {s: {} for s in services}
    ceiling: dict[int, list[float]] = {n: [] for n in clients}
    for r in range(args.rounds):
        if "sqs" in services:
            from bench.sqs import measure_client_ceiling

            for n in clients:
                ceiling[n].append(measure_client_ceiling(n, args.seconds))
        for service in services:
            names = [n for n in ("before-frontend", "before", "after") if n in sides and (service == "sqs" or n != "before-frontend")]
            for name in names if r % 2 == 0 else names[::-1]:  # neither side always meets a warm or cold machine
                print(f"round {r + 1}/{args.rounds}: {service} {name} ({sides[name].revision[:7]}) ...", file=sys.stderr, flush=True)
                runs[service].setdefault(name, []).append(run_side(service, sides[name], args.seconds, clients))

    text = tables(runs, sides, clients, ceiling) + "\n\n" + LEGEND + "\n" + "\n".join(
        f"- {n}: {s.revision[:10]} {git('log', '-1', '--format=%s', s.revision)[:120]}" for n, s in sides.items())
    facts = machine()
    meta = (f"{args.rounds} round(s), 3-AZ loopback regions, {started:%Y-%m-%d %H:%M} UTC, "
            + ", ".join(f"{n} {s.revision[:7]}" for n, s in sides.items())
            + f", bench at {git('describe', '--always', '--dirty')}, Python {facts['python']}, {facts['cpus']} CPUs, {facts['node']}")
    stem = results_stem("failover", started)
    stem.with_suffix(".json").write_text(json.dumps({
        "started_at": started.isoformat(), "rounds": args.rounds, "services": services, "machine": facts,
        "bench_revision": git("describe", "--always", "--dirty"),
        "sides": {n: {"revision": s.revision, "tree": str(s.tree)} for n, s in sides.items()},
        "medians": {svc: {n: {k: figure(rs, k) for k in [*(f[0] for f in FIGURES), *(
            f"boto3_batch{b}_clients{c}" for c in clients for b in (1, 10))] if figure(rs, k) is not None}
            for n, rs in by.items()} for svc, by in runs.items()},
        "boto3_client_ceiling_calls_per_s": ceiling, "runs": runs}, indent=2) + "\n")
    stem.with_suffix(".md").write_text(f"# azlab bench: failover, before and after\n\n{meta}\n\n{text}\n")
    print(f"{meta}\n\n{text}\n\nwritten to {stem}.json and .md")
    return 0


if __name__ == "__main__":
    step, options = sys.argv[1], json.loads(sys.argv[2])
    assert step == "measure", step
    print("RESULT " + json.dumps(measure(**options)), flush=True)

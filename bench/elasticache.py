"""`python -m bench elasticache [--runs N] [--requests N]`: a lab Redis node beside a plain redis-server, and failover time.

- Throughput: redis-benchmark (SET and GET, 50 clients) against the endpoint
  of a one-node replication group, and in the same run against a redis-server
  this bench starts by hand with the same settings: the lab must add no proxy
  cost (its endpoints are the engines themselves). One node on each side, so
  that replication to replicas does not weigh on one side only.
- Failover: kill the primary's AZ while a client writes; the time from the
  KillAz call to the first write the new primary accepts, found through
  DescribeReplicationGroups as a client would. Then restore and repeat.

Writes bench/results/elasticache-<UTC>.json and .md. Run one bench at a time
(`flock /tmp/azlab-machine.lock`): it brings a region up and down.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import redis

from azlab.chaos.v1 import chaos_pb2
from azlab.cluster.elasticache import engines
from azlab.cluster.elasticache.model import NODE_TYPES
from azlab.cluster.runtime import free_port
from azlab.cluster.sdk import ApiError, Client
from azlab.elasticache.v1 import elasticache_pb2 as pb
from bench import results_stem

AZLAB = str(Path(sys.executable).with_name("azlab"))
NODE_TYPE = "cache.m3.medium"
FAILOVER_BOUND_S = 60.0


def benchmark(host: str, port: int, requests: int) -> dict[str, float]:
    """Requests per second for SET and GET, by redis-benchmark's own CSV."""
    done = subprocess.run(
        ["redis-benchmark", "-h", host, "-p", str(port), "-t", "set,get", "-n", str(requests), "-c", "50", "--csv"],
        capture_output=True, text=True, timeout=600, check=True,
    )
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    return {row["test"]: float(row["rps"]) for row in rows}


def describe(client: Client, group_id: str) -> pb.ReplicationGroup:
    return client.elasticache.DescribeReplicationGroups(
        pb.DescribeReplicationGroupsRequest(replication_group_id=group_id)).replication_groups[0]


def wait_available(client: Client, group_id: str, size: int, timeout_s: float = 120.0) -> pb.ReplicationGroup:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        group = describe(client, group_id)
        members = group.node_groups[0].node_group_members
        if group.status == "available" and len(members) == size and all(m.cache_node_status == "available" for m in members):
            return group
        time.sleep(0.2)
    raise TimeoutError(f"{group_id} not available after {timeout_s:.0f}s")


def failover_time(client: Client, group_id: str) -> float | None:
    """Seconds from KillAz of the primary's AZ to the first write the new primary accepts (None past the bound)."""
    shard = describe(client, group_id).node_groups[0]
    az = next(m.availability_zone for m in shard.node_group_members if m.current_role == "primary")
    started = time.monotonic()
    client.chaos.KillAz(chaos_pb2.KillAzRequest(availability_zone=az))
    try:
        while time.monotonic() - started < FAILOVER_BOUND_S:
            try:
                endpoint = describe(client, group_id).node_groups[0].primary_endpoint
                r = redis.Redis(host=endpoint.address, port=endpoint.port, socket_timeout=0.3, socket_connect_timeout=0.3)
                r.set("bench:failover", time.time())
                return time.monotonic() - started
            except (redis.RedisError, OSError, ApiError):
                time.sleep(0.02)
        return None
    finally:
        client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone=az))


def plain_redis(data_dir: Path) -> tuple[subprocess.Popen, int]:
    """The peer: the same redis-server with the same settings, outside the lab."""
    port = free_port("127.0.0.1")
    argv = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--protected-mode", "no", "--dir", str(data_dir),
            "--save", "", "--appendonly", "no", "--maxmemory", str(NODE_TYPES[NODE_TYPE].maxmemory_bytes()),
            "--maxmemory-policy", "volatile-lru", "--logfile", ""]
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis(port=port).ping()
            return server, port
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.05)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench elasticache", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=50000, help="per redis-benchmark test")
    args = parser.parse_args(argv)
    if why := engines.missing():
        print(f"bench elasticache skipped: {why}", file=sys.stderr)
        return 0
    started = datetime.now(timezone.utc)
    home = Path(tempfile.mkdtemp(prefix="azlab-bench-elasticache-"))
    env = {**os.environ, "AZLAB_HOME": str(home)}
    env.pop("AZLAB_ENDPOINT", None)
    up = subprocess.run([AZLAB, "up", "--isolation", "loopback"], env=env, capture_output=True, text=True)
    if up.returncode != 0:
        print(up.stderr, file=sys.stderr)
        return 1
    peer, peer_port = plain_redis(home)
    lab_rps, peer_rps, failovers = [], [], []
    try:
        client = Client(json.loads(up.stdout)["Endpoint"])
        client.elasticache.CreateReplicationGroup(pb.CreateReplicationGroupRequest(
            replication_group_id="single", num_cache_clusters=1, cache_node_type=NODE_TYPE))
        client.elasticache.CreateReplicationGroup(pb.CreateReplicationGroupRequest(
            replication_group_id="bench", num_cache_clusters=3, automatic_failover_enabled=True,
            multi_az_enabled=True, cache_node_type=NODE_TYPE))
        wait_available(client, "single", 1)
        wait_available(client, "bench", 3)
        for i in range(args.runs):
            primary = describe(client, "single").node_groups[0].primary_endpoint
            sides = [((primary.address, primary.port), lab_rps), (("127.0.0.1", peer_port), peer_rps)]
            for (host, port), into in sides if i % 2 == 0 else sides[::-1]:  # neither side always goes first
                into.append(benchmark(host, port, args.requests))
            print(f"run {i + 1}/{args.runs}: lab {lab_rps[-1]}, plain {peer_rps[-1]}", file=sys.stderr, flush=True)
        for i in range(args.runs):
            failovers.append(failover_time(client, "bench"))
            print(f"failover {i + 1}/{args.runs}: {failovers[-1]}", file=sys.stderr, flush=True)
            wait_available(client, "bench", 3)
        client.close()
    finally:
        peer.kill()
        subprocess.run([AZLAB, "down"], env=env, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)

    def rps(side: list[dict[str, float]], test: str) -> float:
        return statistics.median(r[test] for r in side)

    timed = sorted(f for f in failovers if f is not None)
    table = "\n".join([
        "| figure (median) | azlab endpoint (one-node group) | plain redis-server |",
        "|---|---|---|",
        f"| SET requests/s | {rps(lab_rps, 'SET'):.0f} | {rps(peer_rps, 'SET'):.0f} |",
        f"| GET requests/s | {rps(lab_rps, 'GET'):.0f} | {rps(peer_rps, 'GET'):.0f} |",
        f"| failover of a 3-node group: KillAz to first accepted write | {statistics.median(timed):.2f} s"
        if timed else "| failover | -",
    ]) + " | - |"
    meta = (f"{args.runs} run(s), {args.requests} requests per test, 50 clients, {NODE_TYPE}, loopback isolation, "
            f"{started:%Y-%m-%d %H:%M} UTC; failovers measured: {len(timed)} of {len(failovers)}")
    stem = results_stem("elasticache", started)
    stem.with_suffix(".json").write_text(json.dumps({
        "started_at": started.isoformat(), "runs": args.runs, "requests": args.requests, "node_type": NODE_TYPE,
        "azlab_rps": lab_rps, "plain_rps": peer_rps, "failover_s": failovers,
    }, indent=2) + "\n")
    stem.with_suffix(".md").write_text(f"# azlab bench: elasticache\n\n{meta}\n\n{table}\n")
    print(f"{meta}\n\n{table}\n\nwritten to {stem}.json and .md")
    return 0

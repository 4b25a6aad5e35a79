"""The engines as the controller runs and speaks to them: command lines, what their sidecars say, Redis admin calls.

Everything here talks to real redis-server and memcached processes (from
Debian's packages) over their own protocols; nothing is simulated.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import redis.asyncio as aioredis

from azlab.cluster.elasticache.model import NODE_TYPES, Member
from azlab.elasticache.v1.member_pb2 import RedisMemberDetail
from azlab.member.v1 import member_pb2

ADMIN_TIMEOUT_S = 1.0
# Cluster mode: the controller decides failovers (DESIGN.md), so replicas never
# elect themselves; the node timeout only marks peers as failing.
CLUSTER_NODE_TIMEOUT_MS = 3000


def missing() -> str | None:
    """Why the engines cannot run here, or None."""
    absent = [b for b in ("redis-server", "redis-cli", "memcached") if shutil.which(b) is None]
    return f"{', '.join(absent)} not installed (Debian: redis-server redis-tools memcached)" if absent else None


def redis_argv(member: Member, settings: dict[str, str], data_dir: Path, cluster: bool, replica_of: Member | None) -> list[str]:
    argv = [
        shutil.which("redis-server") or "redis-server",
        "--bind", member.address, "--port", str(member.port), "--protected-mode", "no",
        "--dir", str(data_dir), "--dbfilename", "dump.rdb",
        # No persistence, as ElastiCache's default: data lives in memory and in replicas.
        "--save", "", "--appendonly", "no",
        "--daemonize", "no", "--logfile", "",
    ]
    for name, value in settings.items():  # from the parameter group and the node type
        argv += [f"--{name}", value]
    if cluster:
        argv += [
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
            "--cluster-port", str(member.bus_port), "--cluster-announce-bus-port", str(member.bus_port),
            "--cluster-node-timeout", str(CLUSTER_NODE_TIMEOUT_MS), "--cluster-replica-no-failover", "yes",
            "--cluster-announce-ip", member.address, "--cluster-require-full-coverage", "no",
        ]
    elif replica_of:
        argv += ["--replicaof", replica_of.address, str(replica_of.port)]
    return argv


def memcached_argv(member: Member, node_type: str) -> list[str]:
    megabytes = NODE_TYPES[node_type].maxmemory_bytes() // 2**20
    argv = [shutil.which("memcached") or "memcached", "-l", member.address, "-p", str(member.port), "-U", "0",
            "-m", str(megabytes), "-t", "2"]
    if os.geteuid() == 0:
        argv += ["-u", "nobody"]  # memcached refuses to run as root
    return argv


def client(member: Member) -> aioredis.Redis:
    return aioredis.Redis(host=member.address, port=member.port, socket_timeout=ADMIN_TIMEOUT_S,
                          socket_connect_timeout=ADMIN_TIMEOUT_S, decode_responses=True)


@dataclass(frozen=True)
class Replication:
    """What an engine's sidecar says of its replication (azlab.member.v1.MemberStatus)."""

    role: str  # "master" | "replica"
    offset: int
    master: tuple[str, int] | None
    link_up: bool


def replication(status: member_pb2.MemberStatus | None) -> Replication | None:
    """None when the sidecar does not answer, or its engine is down."""
    if status is None or status.role not in ("master", "replica"):
        return None
    detail = RedisMemberDetail()
    status.detail.Unpack(detail)
    master = (detail.master_address, detail.master_port) if status.role == "replica" else None
    return Replication(status.role, detail.offset, master, detail.link_up)


async def command(member: Member, *args) -> object:
    async with client(member) as r:
        return await r.execute_command(*args)


async def cluster_node_id(member: Member) -> str:
    return str(await command(member, "CLUSTER", "MYID"))


async def dump_rdb(member: Member, into: Path) -> int:
    """A point-in-time RDB of the engine's data set, fetched with `redis-cli --rdb`
    (a replication sync), so the file lands in the region and not on the node."""
    into.parent.mkdir(parents=True, exist_ok=True)
    done = await asyncio.create_subprocess_exec(
        shutil.which("redis-cli") or "redis-cli", "-h", member.address, "-p", str(member.port), "--rdb", str(into),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await done.communicate()
    if done.returncode != 0:
        raise RuntimeError(f"redis-cli --rdb from {member.member_id} failed: {out.decode(errors='replace')[-300:]}")
    return into.stat().st_size

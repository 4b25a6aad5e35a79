"""ElastiCache's controller side: make the engines match the model, and fail over.

Level-triggered (cluster/services.py): every tick looks at each member of each
group and acts on what differs, so creation, failover, replacement of a lost
node, restore-az and a restarted controller are all the same few rules:

1. A node group whose primary engine has exited, or whose primary's host has
   been silent past the write lease, fails over to the replica with the
   highest replication offset (the stream is one prefix, so it holds every
   write any replica acknowledged, i.e. every write a client confirmed with
   WAIT 1), under a new epoch: decided by `azlab.cluster.membership`'s
   `WriteLease`, persisted, and only then told to the engines' sidecars.
2. A member whose host is down is replaced by a new replica in a surviving AZ.
3. A member whose host is alive but runs no engine gets one, in its role,
   with the runtime's one restart back-off (`azlab.cluster.replicated.Processes`).
4. An engine whose role or epoch differs from the model's is told them.
5. A retired member's engine and sidecar (replaced, removed or deleted; perhaps
   back from a partition, where it still thinks it is primary) are stopped, and
   only then are its ports given back.

Every Redis engine has a sidecar on its node (azlab.nodes.elasticache.sidecar,
azlab.member.v1.Member): roles are told and replication is read through it,
under the node group's epoch, so an engine that hears of a newer epoch naming
another primary stops taking writes (fencing). A primary cut off from the
region hears of nothing: its write lease (min-replicas-to-write) stops it.
Cluster joins, snapshots and parameter changes still speak to the engine.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import shutil
import sys
import time
from pathlib import Path

from azlab.cluster.elasticache import engines
from azlab.cluster.elasticache.cluster_mode import ensure_cluster
from azlab.cluster.elasticache.config_endpoint import serves
from azlab.cluster.elasticache.model import (
    PRIMARY,
    REPLICA,
    SERVICE,
    CacheCluster,
    ElastiCacheModel,
    InvalidReplicationGroupState,
    Member,
    ReplicationGroup,
    WRITE_LEASE_S,
    Snapshot,
)
from azlab.cluster.membership import Configuration, Evidence, WriteLease
from azlab.cluster.replicated import MemberChannels, Processes
from azlab.elasticache.v1.member_pb2 import RedisMemberSettings
from azlab.member.v1 import member_pb2
from azlab.common.errors import UnsupportedOperation
from azlab.cluster.services import GrpcService, NodeUnreachable, ServiceContext

log = logging.getLogger(__name__)
ROLE_CHECK_INTERVAL_S = 1.0
# A live agent lists its children in milliseconds; one that does not answer
# this fast is on a host that just died, and must not hold up the failover.
LOOK_TIMEOUT_S = 1.0
PROCESS_PREFIX = "elasticache-"
FAILOVER = WriteLease(lease_s=WRITE_LEASE_S)


class ElastiCache:
    name = SERVICE

    def __init__(self, context: ServiceContext):
        self.region = context.region
        self.agents = context.agents
        self.data = context.paths.home / "data" / SERVICE
        self.snapshots_dir = context.paths.home / SERVICE / "snapshots"
        self.model = ElastiCacheModel(context.region, context.store)
        # Reconcile and the API both change the model; one at a time.
        self.lock = asyncio.Lock()
        self.running: set[str] = set()  # member ids whose engine ran at the last look
        self._processes: dict[str, dict[str, dict]] = {}
        self._observed: dict[str, float] = {}  # member id -> when its replication was last looked at
        self.in_sync: set[str] = set()  # member ids playing their role, replicas done syncing
        self.sidecars = MemberChannels()
        self.processes = Processes()  # engines and sidecars, by process name

    def grpc_services(self) -> list[GrpcService]:
        from azlab.cluster.elasticache.servicer import ElastiCacheServicer
        from azlab.elasticache.v1 import elasticache_pb2, elasticache_pb2_grpc

        return [GrpcService(elasticache_pb2.DESCRIPTOR.services_by_name["ElastiCache"].full_name,
                            ElastiCacheServicer(self), elasticache_pb2_grpc.add_ElastiCacheServicer_to_server)]

    def check_engines(self) -> None:
        if why := engines.missing():
            raise UnsupportedOperation(f"ElastiCache is unavailable on this region's machine: {why}")

    # the tick
    async def reconcile(self) -> None:
        if not (self.model.groups or self.model.clusters or self.model.retired or self.model.snapshots):
            return
        async with self.lock:
            await self._look()
            for group in list(self.model.groups.values()):
                await self._reconcile_group(group)
            for cluster in list(self.model.clusters.values()):
                await self._reconcile_cluster(cluster)
            await self._retire()
            await self._automatic_snapshots()

    async def _look(self) -> None:
        """Every live node's children, in one round of calls."""
        alive = [n.name for n in self.region.nodes.values() if n.state == "alive"]
        found = await asyncio.gather(*(self.agents.processes(n, LOOK_TIMEOUT_S) for n in alive), return_exceptions=True)
        self._processes = {n: p for n, p in zip(alive, found, strict=False) if not isinstance(p, BaseException)}
        running = {name for procs in self._processes.values() for name, p in procs.items()
                   if name.startswith(PROCESS_PREFIX) and p["running"]}
        for name in running:
            self.processes.reset(name)
        self.running = {name.removeprefix(PROCESS_PREFIX) for name in running if not name.endswith("-sidecar")}

    def _engine_state(self, member: Member, process_name: str = "") -> str:
        """"running", "exited" (it ran and stopped), "absent" (this node never ran it) or "unknown" (host down);
        of the engine, or of `process_name` (its sidecar)."""
        procs = self._processes.get(member.node_name)
        if procs is None or not self.model.node_alive(member):
            return "unknown"
        proc = procs.get(process_name or member.process_name)
        return "absent" if proc is None else "running" if proc["running"] else "exited"

    def _start_due(self, member: Member, process_name: str = "") -> bool:
        """Whether to start the member's engine (or `process_name`) now: it does not run on its live node, and the
        runtime's back-off since its last start has passed (an engine that keeps exiting is not restarted every
        tick)."""
        return self._engine_state(member, process_name) in ("absent", "exited") and self.processes.due(
            process_name or member.process_name)

    async def _reconcile_group(self, group: ReplicationGroup) -> None:
        if group.status == "deleting":
            self.model.forget_group(group)  # its members retire: their engines stop on this tick
            return
        if group.automatic_failover:
            for shard in group.node_groups:
                await self.failover(group, shard.node_group_id)
            for member in list(group.members):
                if not self.model.node_alive(member) and member.role == REPLICA:
                    self.model.replace(group, member)
        for member in group.members:
            await self._ensure_sidecar(group, member)
            await self._ensure_engine(group, member)
        await self._ensure_roles(group)
        if group.status in ("creating", "modifying") and self._ready(group):
            group.status, group.restore_from = "available", ""
            self.model.save_group(group)
            self.region.record("ReplicationGroupAvailable", group.replication_group_id, f"{len(group.members)} nodes in sync")

    async def _ensure_sidecar(self, group: ReplicationGroup, member: Member) -> None:
        if not self._start_due(member, member.sidecar_process_name):
            return
        if not member.member_port:  # a member placed before engines had sidecars
            member.member_port = self.model.store.allocate_port(member.address, f"{SERVICE}/{member.member_id}")
            self.model.save_group(group)
        await self._start(member, [
            sys.executable, "-m", "azlab.nodes.elasticache.sidecar", "--member-id", member.member_id,
            "--listen", member.sidecar_endpoint, "--engine", f"{member.address}:{member.port}",
            "--state-file", str(self._sidecar_state(member)), "--az", member.az,
        ], member.sidecar_process_name)

    def _sidecar_state(self, member: Member) -> Path:
        return self.data / "sidecars" / f"{member.member_id}.state"  # apart from the engine's data, emptied on a start

    async def _ensure_engine(self, group: ReplicationGroup, member: Member) -> None:
        state = self._engine_state(member)
        if state == "exited" and member.role == PRIMARY and group.automatic_failover:
            return  # failover handles it once a replica can take over
        if not self._start_due(member):
            return
        data_dir = self.data / member.member_id
        if member.role == PRIMARY and group.restore_from:
            self._seed(group, member, data_dir)
        elif not group.cluster_enabled:
            # Engines start empty, as ElastiCache's do without persistence: a replica
            # then syncs from its primary, and never serves a stale file it left.
            shutil.rmtree(data_dir, ignore_errors=True)
        if group.cluster_enabled and state == "absent":
            shutil.rmtree(data_dir, ignore_errors=True)  # a new engine: a new identity in the cluster
            if member.cluster_node_id:
                group.forget.append(member.cluster_node_id)
            member.joined, member.cluster_node_id = False, ""
            self.model.save_group(group)
        data_dir.mkdir(parents=True, exist_ok=True)
        primary = group.primary(member.node_group_id)
        argv = engines.redis_argv(member, self.model.settings(group), data_dir, group.cluster_enabled,
                                  primary if member.role == REPLICA else None)
        await self._start(member, argv)

    def _seed(self, group: ReplicationGroup, member: Member, data_dir) -> None:
        snapshot = self.model.snapshots.get(group.restore_from)
        if snapshot is None:
            return
        shard = next(s for s in snapshot.shards if s["node_group_id"] == member.node_group_id)
        data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.snapshots_dir / shard["file"], data_dir / "dump.rdb")

    async def _start(self, member: Member, argv: list[str], process_name: str = "") -> None:
        process_name = process_name or member.process_name
        try:
            await self.agents.start_process(member.node_name, process_name, argv)
            self._processes.setdefault(member.node_name, {})[process_name] = {"running": True}
        except NodeUnreachable as e:
            log.info("cannot start %s yet: %s", member.member_id, e)

    async def _replication(self, member: Member) -> engines.Replication | None:
        """What the member's sidecar says of its engine's replication; None when either does not answer."""
        return engines.replication(await self.sidecars.status(member.sidecar_endpoint, engines.ADMIN_TIMEOUT_S))

    async def _tell(self, group: ReplicationGroup, member: Member) -> bool:
        """Tell the member's sidecar its role under the node group's epoch; False when it was not told."""
        primary = group.primary(member.node_group_id)
        request = member_pb2.ConfigureRequest(epoch=group.group(member.node_group_id).epoch, leader=primary.member_id)
        request.settings.Pack(RedisMemberSettings(role=member.role, primary_address=primary.address,
                                                  primary_port=primary.port, cluster_enabled=group.cluster_enabled))
        return await self.sidecars.configure(member.sidecar_endpoint, request, engines.ADMIN_TIMEOUT_S) is not None

    async def _observe(self, group: ReplicationGroup) -> dict[str, member_pb2.MemberStatus]:
        """What each running member's sidecar says, at most once a second each. A member is in
        sync when it plays its role, and a replica has finished its sync with the model's primary."""
        now = time.monotonic()
        running = [m for m in group.members if self._engine_state(m) == "running"]
        self.in_sync.difference_update(m.member_id for m in group.members if m not in running)
        due = [m for m in running if now - self._observed.get(m.member_id, 0) >= ROLE_CHECK_INTERVAL_S]
        seen = await asyncio.gather(*(self.sidecars.status(m.sidecar_endpoint, engines.ADMIN_TIMEOUT_S) for m in due))
        observed = {}
        for member, status in zip(due, seen, strict=False):
            self._observed[member.member_id] = now
            if (replication := engines.replication(status)) is None:
                continue
            observed[member.member_id] = status
            primary = group.primary(member.node_group_id)
            if member.role == PRIMARY:
                synced = replication.role == "master"
            else:
                synced = replication.master == (primary.address, primary.port) and replication.link_up
            (self.in_sync.add if synced else self.in_sync.discard)(member.member_id)
        return observed

    async def _ensure_roles(self, group: ReplicationGroup) -> None:
        """Tell every running engine's sidecar the role and epoch the model gives it, where it holds others."""
        observed = await self._observe(group)
        if group.cluster_enabled:
            await ensure_cluster(self, group, {m: engines.replication(s) for m, s in observed.items()})
        for member in group.members:
            status = observed.get(member.member_id)
            if status is not None and not self._holds(group, member, status):
                if not await self._tell(group, member):
                    log.info("cannot set the role of %s yet", member.member_id)

    def _holds(self, group: ReplicationGroup, member: Member, status: member_pb2.MemberStatus) -> bool:
        primary = group.primary(member.node_group_id)
        if (status.epoch, status.leader) != (group.group(member.node_group_id).epoch, primary.member_id):
            return False
        if member.role == PRIMARY:
            return status.role == "master"
        # a cluster-mode replica follows its primary by CLUSTER REPLICATE, once joined (cluster_mode)
        return group.cluster_enabled or engines.replication(status).master == (primary.address, primary.port)

    def _ready(self, group: ReplicationGroup) -> bool:
        """Every member runs, plays its role and (a replica) has finished syncing."""
        return all(self._engine_state(m) == "running" and m.member_id in self.in_sync
                   and (m.joined or not group.cluster_enabled) for m in group.members)

    async def failover(self, group: ReplicationGroup, node_group_id: str, asked: bool = False) -> Member | None:
        """Fail the node group over if its primary failed (or when `asked`: TestFailover) to the most caught-up
        answering replica; the new primary is persisted before any engine hears of it. None when nothing changed."""
        members = group.members_of(node_group_id)
        primary = group.primary(node_group_id)
        configuration = Configuration(group.group(node_group_id).epoch, primary.member_id,
                                      tuple(sorted(m.member_id for m in members)))
        now = self.region.clock()
        evidence = {m.member_id: self._evidence(m, now) for m in members}
        if not asked and not FAILOVER.leader_failed(configuration, evidence, now):
            return None
        replicas = [m for m in members if m.role == REPLICA and self._engine_state(m) == "running"]
        seen = await asyncio.gather(*(self._replication(m) for m in replicas))
        for member, replication in zip(replicas, seen, strict=False):
            if replication is not None:
                evidence[member.member_id] = dataclasses.replace(
                    evidence[member.member_id], answered=True, position=(replication.offset,))
        wanted = FAILOVER.hand_over(configuration, evidence) if asked else FAILOVER.decide(configuration, evidence, now)
        if wanted.leader == configuration.leader:
            return None
        reason = ("TestFailover" if asked else f"{primary.member_id} exited"
                  if evidence[primary.member_id].exited else f"{primary.member_id} host down")
        promoted = self.model.promote(group, node_group_id, wanted.leader, reason)
        for other in members:
            self._observed.pop(other.member_id, None)  # re-point the others on this tick
            self.in_sync.discard(other.member_id)
        # Its sidecar makes it primary (REPLICAOF NO ONE, or in cluster mode CLUSTER FAILOVER TAKEOVER); the others,
        # the old primary among them if it answers (fenced), are told on this tick's _ensure_roles.
        if not await self._tell(group, promoted):
            log.warning("%s is the primary but not told yet (the next tick tells it)", promoted.member_id)
        return promoted

    def _evidence(self, member: Member, now: float) -> Evidence:
        """What the region knows of the member without asking its engine: whether its node lives, since when it is
        silent, whether its engine exited. `failover` adds a replica's offset when it answers."""
        alive = self.model.node_alive(member)
        return Evidence(node_alive=alive, answered=False, exited=self._engine_state(member) == "exited",
                        silent_since=None if alive else now - self.region.silent_for(member.node_name))

    async def _reconcile_cluster(self, cluster: CacheCluster) -> None:
        if cluster.status == "deleting":
            self.model.forget_cluster(cluster)  # the front end closes its configuration endpoint
            return
        for member in cluster.members:
            if self._start_due(member):
                await self._start(member, engines.memcached_argv(member, cluster.node_type))
        # The configuration endpoint is the front end's (azlab.cluster.frontend), read from the store.
        if cluster.status == "creating" and all(self._engine_state(m) == "running" for m in cluster.members) \
                and await serves(self.region.network.region_address(), cluster):
            cluster.status = "available"
            self.model.save_cluster(cluster)
            self.region.record("CacheClusterAvailable", cluster.cache_cluster_id, f"{len(cluster.members)} nodes")

    async def _retire(self) -> None:
        """Stop the engines of retired members; free their ports once they are gone."""
        for member in list(self.model.retired.values()):
            names = [member.process_name] + ([member.sidecar_process_name] if member.member_port else [])
            if all([await self._stop(member, name) for name in names]):
                shutil.rmtree(self.data / member.member_id, ignore_errors=True)
                self._sidecar_state(member).unlink(missing_ok=True)
                for name in names:
                    self.processes.reset(name)
                self.model.release(member)

    async def _stop(self, member: Member, process_name: str) -> bool:
        """Stop one of the member's processes; True once it is not running."""
        state = self._engine_state(member, process_name)
        if state == "running":
            try:
                await self.agents.stop_process(member.node_name, process_name)
            except NodeUnreachable:
                return False
            return True
        return state in ("absent", "exited")

    # API actions that need the engines
    async def test_failover(self, replication_group_id: str, node_group_id: str) -> ReplicationGroup:
        async with self.lock:
            group, shard = self.model.check_failover(replication_group_id, node_group_id)
            if await self.failover(group, shard.node_group_id, asked=True) is None:
                raise InvalidReplicationGroupState(f"no replica of node group {shard.node_group_id} answers")
            return group

    async def create_snapshot(self, replication_group_id: str, cache_cluster_id: str, snapshot_name: str) -> Snapshot:
        async with self.lock:
            group = self.model.check_snapshot(replication_group_id, cache_cluster_id, snapshot_name)
            return await self._snapshot(group, snapshot_name, "manual")

    async def _snapshot(self, group: ReplicationGroup, snapshot_name: str, source: str) -> Snapshot:
        shards, size = [], 0
        try:
            for shard in group.node_groups:
                # From a replica where there is one, as ElastiCache does: the primary keeps serving.
                members = sorted(group.members_of(shard.node_group_id), key=lambda m: m.role != REPLICA)
                source_member = next((m for m in members if self._engine_state(m) == "running"), None)
                if source_member is None:
                    raise InvalidReplicationGroupState(f"no engine of node group {shard.node_group_id} runs to snapshot")
                file = f"{snapshot_name}/{shard.node_group_id}.rdb"
                size += await engines.dump_rdb(source_member, self.snapshots_dir / file)
                shards.append({"node_group_id": shard.node_group_id, "slots": shard.slots, "file": file})
        except BaseException:
            shutil.rmtree(self.snapshots_dir / snapshot_name, ignore_errors=True)
            raise
        return self.model.add_snapshot(Snapshot(
            snapshot_name, group.replication_group_id, group.node_type, group.cluster_enabled, shards, size,
            time.time(), source,
        ))

    async def _automatic_snapshots(self) -> None:
        """Take the day's snapshot of each group inside its window; drop those past retention."""
        for group in list(self.model.groups.values()):
            if name := self.model.due_automatic_snapshot(group):
                try:
                    await self._snapshot(group, name, "automated")
                except (OSError, RuntimeError, InvalidReplicationGroupState) as e:
                    log.warning("automatic snapshot of %s failed: %s", group.replication_group_id, e)
        for snapshot in self.model.expired_snapshots():
            self.model.delete_snapshot(snapshot.snapshot_name)
        kept = set(self.model.snapshots)
        for directory in self.snapshots_dir.glob("*") if self.snapshots_dir.exists() else ():
            if directory.name not in kept:
                shutil.rmtree(directory, ignore_errors=True)

    async def modify_parameter_group(self, name: str, changes: dict[str, str]) -> None:
        """Change the group, then every running engine that uses it, as AWS applies dynamic parameters."""
        async with self.lock:
            self.model.modify_parameter_group(name, changes)
            for group in self.model.groups.values():
                if group.parameter_group != name:
                    continue
                settings = self.model.settings(group)
                for member in group.members:
                    if self._engine_state(member) == "running":
                        await engines.command(member, "CONFIG", "SET", *[x for kv in settings.items() for x in kv])

    async def delete_snapshot(self, snapshot_name: str) -> Snapshot:
        async with self.lock:
            return self.model.delete_snapshot(snapshot_name)  # its files go on the next tick


def create(context: ServiceContext) -> ElastiCache:
    return ElastiCache(context)

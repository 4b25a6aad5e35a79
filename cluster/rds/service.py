"""RDS on the controller: makes the DB nodes match the model, and carries the Data API to them.

Each reconcile tick (level-triggered, every 0.2 s): probe every member's DB node
(the node contract's `Status`, bounded), feed the model what they and the
region's health say, let the model decide (failover, standby replacement, a
change's next step), then make the members match: start a DB node where none
answers on a live node (with the runtime's one restart back-off,
`azlab.cluster.replicated.Processes`), push `Configure` (the epoch, and `DbNodeSettings`)
where a node's role, epoch or followers differ, restart one whose class or
storage differs, and remove what was retired or deleted.

Choices and limitations against AWS (see also model.py and nodes/rds/):
- engines `sqlite` (embedded, through apsw; the instance class sets its page
  cache, the allocated storage its size limit) and `postgres` (PostgreSQL
  servers, `nodes/rds/postgres.py`; the class sets a lab-sized shared_buffers,
  the allocated storage is recorded but not enforced);
- endpoints are the current primary's address:port, not Route53 names (a name
  needs the lab's DNS as the client's resolver, which is not built); describe
  shows them, and the Data API follows them itself;
- the Data API takes `DBInstanceIdentifier` instead of resource and secret ARNs;
  one statement per ExecuteStatement; a BatchExecuteStatement is one transaction;
  SQLite has one writer, so an open transaction holds every other write of the
  instance back until it ends (or is rolled back after 60 s idle); int64 values
  show as strings in the CLI's JSON, as protobuf's JSON mapping has them;
- read replicas of read replicas, Multi-AZ read replicas, storage autoscaling,
  cross-region copies, final snapshots on delete, option groups, IAM auth,
  the Data API on postgres: absent; automated backups go with their instance;
- parameter groups: postgres only, the settings in POSTGRES_PARAMETERS
  (model.py); an instance's group is set at creation (ModifyDBInstance cannot
  change it); lowering max_connections on a Multi-AZ instance below what a
  standby needs (PostgreSQL wants it at least the primary's) is not guarded;
- point-in-time restore: to any moment from the oldest automated backup to
  now; postgres needs the source's primary to answer (its WAL is switched and
  archived first), else recovery stops where the archive ends; sqlite replays
  the log its primary still keeps (the last 10,000 commits), so a restore time
  more commits after the last automated backup fails;
- the master password is kept in the region's state (no secrets store);
- a pending modification (no --apply-immediately) is applied at the next reboot;
- deleting a source with read replicas is refused (AWS promotes them).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import shutil
import sys
import time
from pathlib import Path

import grpc

from azlab.cluster.config import Paths, RegionConfig
from azlab.common.rds.errors import DatabaseUnavailable, InvalidDBInstanceState, RemoteError, TransactionNotFound
from azlab.cluster.rds.model import (
    CREATING,
    DELETING,
    INSTANCE_CLASSES,
    AUTOMATED,
    PRIMARY,
    SNAPSHOT_CREATING,
    SNAPSHOT_DELETING,
    STANDBY,
    DBInstance,
    DBSnapshot,
    FollowerHealth,
    Member,
    MemberHealth,
    RdsModel,
)
from azlab.common.rpc import ERROR_CODE_KEY
from azlab.cluster.replicated import MemberChannels, Processes
from azlab.cluster.services import GrpcService, NodeUnreachable, ServiceContext
from azlab.member.v1 import member_pb2
from azlab.rds.v1 import dbnode_pb2, dbnode_pb2_grpc, rds_pb2, rds_pb2_grpc

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 0.5
CONFIGURE_TIMEOUT_S = 2.0
DATA_API_TIMEOUT_S = 15.0
BACKUP_TIMEOUT_S = 300.0


class RdsService:
    name = "rds"

    def __init__(self, context: ServiceContext):
        self.context = context
        self.region = context.region
        self.model = RdsModel(context.region, context.store)
        self._channels: dict[str, tuple[grpc.aio.Channel, dbnode_pb2_grpc.DbNodeStub]] = {}
        self.members = MemberChannels()
        self.processes = Processes()
        self._actions: dict[str, asyncio.Task] = {}  # held: the loop keeps only weak references to tasks
        self._replaced: dict[str, asyncio.Event] = {}  # set when a member stops serving its instance's Data API

    def grpc_services(self) -> list[GrpcService]:
        from azlab.cluster.rds.servicer import RdsServicer

        return [GrpcService(rds_pb2.DESCRIPTOR.services_by_name["Rds"].full_name, RdsServicer(self),
                            rds_pb2_grpc.add_RdsServicer_to_server)]

    # the control loop
    async def reconcile(self) -> None:
        instances = list(self.model.instances.values())
        members = [m for instance in instances for m in instance.members]
        statuses = await asyncio.gather(*(self._probe(m) for m in members))
        for member, status in zip(members, statuses):
            self.model.observe(member.member_id, self._health(member, status))
            if status is not None:
                self.processes.reset(member.member_id)
        for instance in instances:
            if instance.identifier not in self.model.instances:
                continue
            serving = instance.primary
            try:
                self.model.decide(instance)
            except Exception:  # one instance's trouble must not stop the others' failovers
                log.exception("deciding for %s failed; trying again next tick", instance.identifier)
            if serving is not instance.primary and serving is not None:
                self._replaced.pop(serving.member_id, asyncio.Event()).set()
        for instance in [i for i in self.model.instances.values() if i.status != DELETING]:
            for member in instance.members:
                self._act(member.member_id, self._converge_member(instance, member))
        await self._remove_deleted()
        for member in list(self.model.retired.values()):
            self._act(member.member_id, self._remove_retired(member))
        self._backups()

    def _backups(self) -> None:
        """Start the automated backups that are due, expire old ones, take and remove snapshots."""
        for instance in list(self.model.instances.values()):
            if name := self.model.backup_due(instance):
                self.model.create_db_snapshot(instance.identifier, name, AUTOMATED)
        self.model.expire_backups()
        for snapshot in list(self.model.snapshots.values()):
            if snapshot.status == SNAPSHOT_CREATING:
                self._act(f"snapshot/{snapshot.identifier}", self._take_snapshot(snapshot))
            elif snapshot.status == SNAPSHOT_DELETING:
                self._act(f"snapshot/{snapshot.identifier}", self._remove_snapshot(snapshot))

    async def _take_snapshot(self, snapshot: DBSnapshot) -> None:
        instance = self.model.instances.get(snapshot.instance)
        if instance is None or instance.primary is None:
            self.model.snapshot_failed(snapshot.identifier, f"DB instance {snapshot.instance} is gone")
            return
        path = self._snapshot_path(snapshot)
        await asyncio.to_thread(self._clear, path)
        try:
            done = await self.stub(instance.primary).Backup(dbnode_pb2.BackupRequest(path=str(path)),
                                                            timeout=BACKUP_TIMEOUT_S)
        except grpc.aio.AioRpcError as e:
            # taken again by the next tick while the snapshot is `creating`; given up once its instance is gone
            log.info("snapshot %s of %s: %s", snapshot.identifier, instance.identifier, e.details())
            await asyncio.sleep(1.0)
            return
        self.model.snapshot_taken(snapshot.identifier, done.time, done.lsn)

    async def _remove_snapshot(self, snapshot: DBSnapshot) -> None:
        await asyncio.to_thread(self._clear, self._snapshot_path(snapshot))
        self.model.forget_snapshot(snapshot.identifier)
        self.region.record("DBSnapshotDeleted", snapshot.instance, f"snapshot {snapshot.identifier} deleted")

    @staticmethod
    def _clear(path: Path) -> None:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)

    def _snapshot_path(self, snapshot: DBSnapshot) -> Path:
        """In the region's storage, not in any AZ: a snapshot outlives the loss of its instance's AZs."""
        if snapshot.engine == "postgres":
            return postgres_storage(self.context.paths.home) / "snapshots" / snapshot.identifier
        return self.context.paths.home / "rds" / "snapshots" / f"{snapshot.identifier}.db"

    async def _restore_arguments(self, instance: DBInstance, member: Member) -> list[str]:
        """For a restored instance's first primary: where its data comes from (nodes restore only into an empty
        data directory, so a later start ignores them)."""
        if not instance.restore or member.member_id != f"{instance.identifier}-1":
            return []
        snapshot = self.model.snapshots.get(str(instance.restore["snapshot"]))
        if snapshot is None:
            raise RuntimeError(f"the snapshot {instance.restore['snapshot']} to restore {instance.identifier} is gone")
        args = ["--restore-from", str(self._snapshot_path(snapshot))]
        if "time" not in instance.restore:
            return args
        at = float(instance.restore["time"])
        source = self.model.instances.get(str(instance.restore["source"]))
        log_path = self.context.paths.home / "rds" / "pitr" / f"{instance.identifier}.log"
        if source is not None and source.primary is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            try:  # every commit up to now into the archive, so the restore can reach its target
                await self.stub(source.primary).ArchiveLog(dbnode_pb2.ArchiveLogRequest(
                    path=str(log_path), after_lsn=snapshot.lsn), timeout=BACKUP_TIMEOUT_S)
            except grpc.aio.AioRpcError as e:
                log.warning("archiving the log of %s for %s: %s", source.identifier, instance.identifier, e.details())
        if instance.engine != "postgres" and not log_path.exists():
            # never a restore that silently stops at the backup: it waits (creating) until the log can be had
            raise RuntimeError(f"no archived log of {instance.restore['source']} yet to restore {instance.identifier}")
        if instance.engine == "postgres":
            return args + ["--restore-archive", str(self._archive_dir(source or instance, str(instance.restore["source"]))),
                           "--recovery-target-time", _iso_utc(at)]
        return args + ["--replay", str(log_path), "--recovery-target-time", repr(at)]

    def _act(self, member_id: str, action) -> None:
        """Run a member's action in the background, one at a time per member: a call to a
        dead node waits for its timeout, and must not hold up the decisions of the next tick."""
        running = self._actions.get(member_id)
        if running is not None and not running.done():
            action.close()
            return
        self._actions[member_id] = asyncio.get_running_loop().create_task(action)

    def _node_alive(self, member: Member) -> bool:
        return self.region.node_alive(member.node)

    def _health(self, member: Member, status: member_pb2.MemberStatus | None) -> MemberHealth:
        if status is None:
            previous = self.model.health_of(member)  # keep what it last said: the rules need its last sync mark
            return MemberHealth(node_alive=self._node_alive(member), reachable=False, role=previous.role,
                                epoch=previous.epoch, lineage=previous.lineage, synced_epoch=previous.synced_epoch,
                                lsn=previous.lsn, instance_class=previous.instance_class,
                                allocated_storage=previous.allocated_storage, engine_version=previous.engine_version,
                                parameters=previous.parameters)
        detail = dbnode_pb2.DbNodeDetail()
        status.detail.Unpack(detail)
        return MemberHealth(
            node_alive=self._node_alive(member), reachable=True, role=status.role, epoch=status.epoch,
            lineage=detail.lineage, synced_epoch=detail.synced_epoch, lsn=status.position[1],
            instance_class=detail.instance_class, allocated_storage=detail.allocated_storage,
            engine_version=detail.engine_version, parameters=tuple(sorted(detail.parameters.items())),
            followers=tuple(FollowerHealth(f.member_id, f.acked_lsn, f.lag_lsns, f.lag_seconds, f.in_sync, f.sync)
                            for f in detail.followers),
        )

    def stub(self, member: Member) -> dbnode_pb2_grpc.DbNodeStub:
        if member.member_id not in self._channels:
            channel = grpc.aio.insecure_channel(member.control_endpoint)
            self._channels[member.member_id] = (channel, dbnode_pb2_grpc.DbNodeStub(channel))
        return self._channels[member.member_id][1]

    async def _probe(self, member: Member) -> member_pb2.MemberStatus | None:
        if not self._node_alive(member):
            return None
        return await self.members.status(member.control_endpoint, PROBE_TIMEOUT_S)

    async def _converge_member(self, instance: DBInstance, member: Member) -> None:
        if not self._node_alive(member):
            return
        health = self.model.health_of(member)
        try:
            if not health.reachable:
                if self.processes.due(member.member_id):
                    await self._start(instance, member)
                return
            epoch, wanted = self.model.desired_epoch(instance), self._settings(instance, member)
            followers = {(f.member_id, f.sync) for f in health.followers}
            if (health.role, health.epoch, health.lineage) != (wanted.role, epoch, wanted.lineage) or (
                    wanted.role == PRIMARY and followers != {(f.member_id, f.sync) for f in wanted.followers}) or (
                    health.parameters != tuple(sorted(wanted.parameters.items()))):
                request = member_pb2.ConfigureRequest(epoch=epoch)
                request.settings.Pack(wanted)
                await self.members.configure(member.control_endpoint, request, CONFIGURE_TIMEOUT_S)
            elif self.model.needs_restart(member):
                await self.context.agents.stop_process(member.node, member.process_name)
                self.processes.reset(member.member_id)
                if self.processes.due(member.member_id):
                    await self._start(instance, member)
                self.model.restarted(instance.identifier, member.member_id)
        except (grpc.aio.AioRpcError, NodeUnreachable, RuntimeError) as e:  # RuntimeError: a restore not ready
            log.info("converging %s: %s", member.member_id, e)

    def _settings(self, instance: DBInstance, member: Member) -> dbnode_pb2.DbNodeSettings:
        followers = self.model.followers(instance) if member.role == PRIMARY else []
        leader = instance.primary if member.role == STANDBY else (
            source.primary if (source := self.model.source_of(instance)) else None)
        return dbnode_pb2.DbNodeSettings(
            role=member.role, lineage=instance.lineage,
            followers=[dbnode_pb2.Follower(member_id=f.member_id, address=f.control_endpoint, sync=sync)
                       for f, sync in followers],
            primary=leader.endpoint if leader and member.role != PRIMARY else "", parameters=instance.parameters,
        )

    async def _start(self, instance: DBInstance, member: Member) -> None:
        memory_gib = INSTANCE_CLASSES.get(member.instance_class, 1.0)
        if instance.engine == "postgres":
            argv = [
                sys.executable, "-m", "azlab.nodes.rds.postgres", "--member-id", member.member_id,
                "--address", member.control_endpoint, "--pg-port", str(member.port),
                "--data-dir", str(self._data_dir(member, instance.engine)),
                "--archive-dir", str(self._archive_dir(instance)), "--instance-class", member.instance_class,
                # a lab-sized share of the class's memory: every member of the region shares one machine
                "--shared-buffers-mib", str(max(16, int(memory_gib * 1024 / 64))),
                "--allocated-storage", str(member.allocated_storage),
            ]
            argv += await self._restore_arguments(instance, member)
            env = {"AZLAB_RDS_MASTER_USERNAME": instance.master_username,
                   "AZLAB_RDS_MASTER_PASSWORD": instance.master_user_password}
            await self.context.agents.start_process(member.node, member.process_name, argv, env)
            return
        argv = [
            sys.executable, "-m", "azlab.nodes.rds.server", "--member-id", member.member_id,
            "--address", member.endpoint, "--data-dir", str(self._data_dir(member)),
            "--instance-class", member.instance_class, "--cache-mib", str(int(memory_gib * 1024 / 16)),
            "--allocated-storage", str(member.allocated_storage),
        ]
        argv += await self._restore_arguments(instance, member)
        await self.context.agents.start_process(member.node, member.process_name, argv)

    def _data_dir(self, member: Member, engine: str = "sqlite") -> Path:
        # On the region's disk, as an EBS volume would be: it survives its AZ's processes.
        if engine == "postgres":
            return postgres_storage(self.context.paths.home) / member.member_id
        return self.context.paths.home / "rds" / member.member_id

    def _archive_dir(self, instance: DBInstance, identifier: str = "") -> Path:
        """The instance's WAL archive: its primaries archive there whichever member they are."""
        return postgres_storage(self.context.paths.home) / "archive" / (identifier or instance.identifier)

    async def _remove_member(self, member: Member) -> bool:
        """Stop its DB node and remove its data; False while its node cannot be reached."""
        if not self._node_alive(member):
            return False
        try:
            await self.context.agents.stop_process(member.node, member.process_name)
        except NodeUnreachable:
            return False
        if entry := self._channels.pop(member.member_id, None):
            await entry[0].close()
        # a retired member's instance may be gone: its second port says it was a postgres one
        await asyncio.to_thread(shutil.rmtree, self._data_dir(member, "postgres" if member.control_port else "sqlite"),
                                True)
        return True

    async def _remove_deleted(self) -> None:
        """Deleted instances' members join the retired ones, removed as soon as their nodes answer."""
        for instance in [i for i in self.model.instances.values() if i.status == DELETING]:
            for member in instance.members:
                self.model.retire(member)
            self.model.expire_backups()  # its automated backups go with it, as on AWS by default
            self.model.forget(instance.identifier)
            if instance.engine == "postgres":
                await asyncio.to_thread(shutil.rmtree, self._archive_dir(instance), True)

    async def _remove_retired(self, member: Member) -> None:
        if await self._remove_member(member):
            self.model.forget_retired(member.member_id)

    # the Data API, carried to the member that serves it
    async def data_api(self, identifier: str, method: str, request, timeout_s: float | None, transaction_id: str = ""):
        instance = self.model.get(identifier)
        if instance.status in (CREATING, DELETING):
            raise InvalidDBInstanceState(f"DB instance {identifier} is {instance.status}")
        member = instance.primary
        if transaction_id and transaction_id.split(".")[0] != member.member_id:
            raise TransactionNotFound(
                f"transaction {transaction_id} is gone: it was open on {transaction_id.split('.')[0]}, which is no "
                f"longer the primary of {identifier} (failover to {member.member_id}, epoch {instance.epoch}); "
                "it was rolled back with that primary")
        timeout = min(timeout_s or DATA_API_TIMEOUT_S, DATA_API_TIMEOUT_S)
        call = asyncio.ensure_future(getattr(self.stub(member), method)(request, timeout=timeout))
        replaced = asyncio.ensure_future(self._replaced.setdefault(member.member_id, asyncio.Event()).wait())
        try:
            await asyncio.wait({call, replaced}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            replaced.cancel()
        if not call.done():
            # answer now rather than at the caller's deadline: it retries on the new primary at once
            call.cancel()
            raise DatabaseUnavailable(
                f"{member.member_id} stopped serving {identifier} (failover, epoch {instance.epoch}) while this call "
                "waited for it; a commit in it may or may not have survived: retry, and check")
        try:
            return call.result()
        except grpc.aio.AioRpcError as e:
            code = dict(e.trailing_metadata() or ()).get(ERROR_CODE_KEY)
            if code:
                raise RemoteError(code, e.code().name, e.details() or code) from None
            raise DatabaseUnavailable(
                f"the {member.role} of {identifier} ({member.member_id} in {member.az}) did not answer "
                f"({e.code().name}); if its AZ is down a failover follows, retry") from None

    # what describe shows beyond the model
    def replica_lag(self, instance: DBInstance) -> tuple[float, int] | None:
        source = self.model.source_of(instance)
        if not source or not source.primary or not instance.primary:
            return None
        for follower in self.model.health_of(source.primary).followers:
            if follower.member_id == instance.primary.member_id:
                return follower.lag_seconds, follower.lag_lsns
        return None


def _iso_utc(t: float) -> str:
    """PostgreSQL's timestamptz literal for a Unix time, to the microsecond."""
    seconds, micros = divmod(int(round(t * 1e6)), 10**6)
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds)) + f".{micros:06d}+00"


def postgres_storage(home: Path | str) -> Path:
    """The region's postgres storage (data directories, WAL archives, snapshots) for the region under `home`.

    Not under `home` itself: the servers run as another user (PostgreSQL refuses
    root), who must reach their directories, and a home (~/.azlab, a test's tmp
    dir) is often private. Short, too: the servers' Unix sockets live there.
    """
    root = _postgres_root(home)
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o711)
    return root


def _postgres_root(home: Path | str) -> Path:
    return Path(os.environ.get("AZLAB_RDS_PG_ROOT", "/var/tmp")) / (
        "azlab-rds-" + hashlib.sha1(str(Path(home).resolve()).encode()).hexdigest()[:12])


def remove_region(paths: Paths, config: RegionConfig | None) -> int:
    """`azlab down`: the postgres servers' files, kept outside the home (`postgres_storage`); the servers
    themselves died with the region's tagged processes."""
    shutil.rmtree(_postgres_root(paths.home), ignore_errors=True)
    return 0


def create(context: ServiceContext) -> RdsService:
    return RdsService(context)

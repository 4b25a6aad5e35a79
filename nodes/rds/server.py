"""The DB node: one server per member of a DB instance, owning one engine.

`python -m azlab.nodes.rds.server --member-id ID --address A --port P --data-dir D`
(started by the RDS service through the node agent, so on its AZ's network).

Roles come from the controller over the node contract (azlab.member.v1.Member's
`Configure`, with `DbNodeSettings`) under an epoch; the node keeps the highest
epoch it has seen on disk (its `EpochGuard`: durable before adopted). Guarantees:
- a primary's commit is acknowledged only once it is durable here and, when a
  standby is in sync, durable on the standby too (the entry is shipped before
  the local COMMIT, so no other client can read an unacknowledged commit);
- a node that sees a newer epoch (from the controller, a follower's answer or
  a new primary's Append) stops being primary at once: its open transactions
  are rolled back and a commit waiting for its standby fails, so a fenced or
  cut-off primary acknowledges nothing;
- followers apply entries in LSN order, each batch in one engine transaction,
  and refuse entries that do not extend what they hold; a follower that has
  diverged or fallen behind the primary's log is re-bootstrapped from a
  consistent snapshot, then streamed from the snapshot's LSN.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import shutil
import signal
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health

from azlab.common.errors import InvalidParameterValue
from azlab.common.members import EpochGuard, serve_member
from azlab.common.rds.errors import (
    CommitOutcomeUnknown,
    DatabaseUnavailable,
    InvalidDBInstanceState,
    SqlError,
    TransactionNotFound,
)
from azlab.member.v1 import member_pb2, member_pb2_grpc
from azlab.nodes.rds.engine import Entry, Position, SqliteEngine, StatementResult, Transaction, Value
from azlab.rds.v1 import dbnode_pb2, dbnode_pb2_grpc, rds_pb2

log = logging.getLogger(__name__)

PRIMARY, STANDBY, REPLICA, FENCED, UNCONFIGURED = "primary", "standby", "replica", "fenced", "unconfigured"
APPEND_TIMEOUT_S = 1.0
SNAPSHOT_TIMEOUT_S = 120.0
BATCH_ENTRIES = 200
RETRY_S = 0.1
TRANSACTION_IDLE_TIMEOUT_S = 60.0  # an abandoned transaction holds SQLite's one write lock; rds-data waits 3 min
SNAPSHOT_CHUNK = 1 << 20
RECENT_COMMITS = 100_000


@dataclass
class OpenTransaction:
    id: str
    txn: Transaction
    last_used: float = field(default_factory=time.monotonic)
    busy: asyncio.Lock = field(default_factory=asyncio.Lock)  # one call at a time in a transaction


class DbNode:
    def __init__(self, member_id: str, engine: SqliteEngine, data_dir: Path, instance_class: str = "",
                 allocated_storage: int = 0):
        self.member_id = member_id
        self.engine = engine
        self.data_dir = data_dir
        self.role = UNCONFIGURED
        self.guard = EpochGuard(0, self._persist_epoch)
        self.synced_epoch = 0
        self.lineage = ""
        self.instance_class = instance_class
        self.allocated_storage = allocated_storage
        self.followers: dict[str, FollowerLink] = {}
        self.write_lock = asyncio.Lock()  # SQLite has one writer: held by a transaction from begin to end
        self.apply_lock = asyncio.Lock()
        self.transactions: dict[str, OpenTransaction] = {}
        self.commit_times: OrderedDict[int, float] = OrderedDict()
        self._committed = asyncio.Event()

    async def start(self) -> None:
        await asyncio.to_thread(self.engine.start)
        self.guard = EpochGuard(self.engine.get_meta("epoch"), self._persist_epoch)
        self.synced_epoch = self.engine.get_meta("synced_epoch")
        self.lineage = str(self.engine.get_meta("lineage") or "")

    @property
    def position(self) -> Position:
        return self.engine.position

    @property
    def epoch(self) -> int:
        return self.guard.epoch

    def _persist_epoch(self, epoch: int) -> None:
        self.engine.set_meta("epoch", epoch)  # on the loop, not a thread: nothing runs under the new epoch before it

    # configuration, from the controller
    async def configure(self, epoch: int, settings: dbnode_pb2.DbNodeSettings) -> None:
        async with self.apply_lock:  # never promoted halfway through applying an old primary's entries
            await self._configure(epoch, settings)

    async def _configure(self, epoch: int, settings: dbnode_pb2.DbNodeSettings) -> None:
        check_role(settings.role)
        if settings.lineage != self.lineage:  # e.g. a promoted read replica: a lineage, and epochs, of its own
            if self.role == PRIMARY:
                await self._step_down(FENCED)
            self.lineage = settings.lineage
            await asyncio.to_thread(self.engine.set_meta, "lineage", settings.lineage)
            self.guard = EpochGuard(-1, self._persist_epoch)
        self.guard.check(epoch)
        await self._adopt_epoch(epoch)
        if settings.role == PRIMARY:
            if self.role != PRIMARY:
                log.info("promoted to primary at epoch %d, lsn %d", self.epoch, self.position.lsn)
            self.role = PRIMARY
            self.engine.promote()
            self._set_followers(settings.followers)
        else:
            await self._step_down(settings.role)

    async def _adopt_epoch(self, epoch: int) -> None:
        """A newer epoch (durable first) fences this node if it was primary; the controller's next Configure
        says what it is now."""
        if self.guard.observe(epoch) and self.role == PRIMARY:
            log.warning("fenced: epoch %d is newer than this primary's", epoch)
            await self._step_down(FENCED)

    async def _step_down(self, role: str) -> None:
        self.role = role
        self.engine.demote()
        self._set_followers([])
        for open_txn in list(self.transactions.values()):
            await self._end_transaction(open_txn, commit=False)

    def _set_followers(self, wanted: list[dbnode_pb2.Follower]) -> None:
        by_id = {f.member_id: f for f in wanted}
        for member_id, link in list(self.followers.items()):
            spec = by_id.get(member_id)
            if spec is None or (spec.address, spec.sync) != (link.address, link.sync) or link.epoch != self.epoch:
                link.stop()
                del self.followers[member_id]
        for member_id, spec in by_id.items():
            if member_id not in self.followers:
                link = FollowerLink(self, spec.member_id, spec.address, spec.sync)
                self.followers[member_id] = link
                link.start()

    def status(self) -> member_pb2.MemberStatus:
        return member_status(self.member_id, self.role, self.epoch, self.position, dbnode_pb2.DbNodeDetail(
            synced_epoch=self.synced_epoch, instance_class=self.instance_class,
            allocated_storage=self.allocated_storage, lineage=self.lineage,
            followers=[link.status() for link in self.followers.values()]))

    def lag_seconds(self, acked: int) -> float:
        if acked >= self.position.lsn:
            return 0.0
        oldest_missing = self.commit_times.get(acked + 1)
        if oldest_missing is None:  # older than what we remember: at least as old as the oldest we do
            oldest_missing = next(iter(self.commit_times.values()), time.time())
        return max(0.0, time.time() - oldest_missing)

    # the primary's write path
    def _require_primary(self) -> None:
        if self.role == PRIMARY:
            return
        if self.role == REPLICA:
            raise InvalidDBInstanceState("a read replica cannot be written; write to its source DB instance")
        raise DatabaseUnavailable(f"this DB node is {self.role}, not the primary (epoch {self.epoch}); retry")

    async def _commit(self, txn: Transaction) -> int:
        """Stage, ship to the in-sync standby, then COMMIT here. Called holding the write lock. 0 if nothing changed."""
        entry = await asyncio.to_thread(self.engine.stage, txn, self.position.lsn + 1, self.epoch)
        if entry is None:
            await asyncio.to_thread(self.engine.commit, txn)
            return 0
        await self._ship_to_standby(entry)
        await asyncio.to_thread(self.engine.commit, txn)
        self._remember(entry)
        self._committed.set()
        self._committed = asyncio.Event()
        return entry.lsn

    def _remember(self, entry: Entry) -> None:
        self.commit_times[entry.lsn] = entry.commit_time
        while len(self.commit_times) > RECENT_COMMITS:
            self.commit_times.popitem(last=False)

    async def _ship_to_standby(self, entry: Entry) -> None:
        """Return once the in-sync standby holds `entry` durably; raise if this node stops being primary first.

        An unreachable standby blocks commits (nothing is acknowledged that one AZ's
        loss could take) until the controller reconfigures the instance under a new epoch.
        """
        epoch = self.epoch
        prev = self.position
        while True:
            if self.epoch != epoch or self.role != PRIMARY:
                raise CommitOutcomeUnknown(
                    f"the DB instance was reconfigured (epoch {self.epoch}) while this commit waited for its standby; "
                    "it was rolled back here and may or may not survive on the new primary")
            link = next((f for f in self.followers.values() if f.sync and f.in_sync), None)
            if link is None:
                return
            try:
                answer = await link.append([entry], prev, timeout=APPEND_TIMEOUT_S)
            except grpc.aio.AioRpcError:
                await asyncio.sleep(RETRY_S)
                continue
            if answer.refused:
                raise CommitOutcomeUnknown(f"standby {link.member_id} refused this primary's stream")
            if answer.epoch > self.epoch:
                await self._adopt_epoch(answer.epoch)
                continue
            if answer.ok or (answer.lsn, answer.last_epoch) == (entry.lsn, entry.epoch):  # a retry it already had
                link.acked = entry.lsn
                return
            await asyncio.sleep(RETRY_S)

    async def wait_for_commit(self, timeout_s: float) -> None:
        try:
            await asyncio.wait_for(self._committed.wait(), timeout_s)
        except asyncio.TimeoutError:
            pass

    # the Data API
    async def execute(self, sql: str, params: dict[str, Value], transaction_id: str = "") -> tuple[StatementResult, int]:
        if transaction_id:
            open_txn = self._transaction(transaction_id)
            async with open_txn.busy:
                self._transaction(transaction_id)
                open_txn.last_used = time.monotonic()
                return await asyncio.to_thread(self.engine.execute, open_txn.txn, sql, params), 0
        if self.role == STANDBY:
            raise InvalidDBInstanceState("a Multi-AZ standby is not readable")
        if self.role in (REPLICA, PRIMARY):
            try:  # reads need no write lock: they see the last commit, and run beside an open transaction
                return await asyncio.to_thread(self.engine.query, sql, params), 0
            except SqlError as e:
                if "read-only" not in e.message:
                    raise
        self._require_primary()
        return await self._autocommit(lambda txn: [self.engine.execute(txn, sql, params)])

    async def batch(self, sql: str, parameter_sets: list[dict[str, Value]], transaction_id: str = "") -> list[StatementResult]:
        """Every parameter set in one transaction: all or nothing."""
        def run(txn: Transaction) -> list[StatementResult]:
            return [self.engine.execute(txn, sql, params) for params in parameter_sets]

        if transaction_id:
            open_txn = self._transaction(transaction_id)
            async with open_txn.busy:
                self._transaction(transaction_id)
                open_txn.last_used = time.monotonic()
                return await asyncio.to_thread(run, open_txn.txn)
        self._require_primary()
        results, _ = await self._autocommit(run)
        return results

    async def _autocommit(self, work) -> tuple:
        async with self.write_lock:
            self._require_primary()
            txn = await asyncio.to_thread(self.engine.begin)
            try:
                results = await asyncio.to_thread(work, txn)
                lsn = await self._commit(txn)
            except BaseException:
                await asyncio.to_thread(self.engine.rollback, txn)
                raise
        return (results[0] if len(results) == 1 else results), lsn

    async def begin(self) -> str:
        self._require_primary()
        await self.write_lock.acquire()
        try:
            self._require_primary()
            txn = await asyncio.to_thread(self.engine.begin)
        except BaseException:
            self.write_lock.release()
            raise
        transaction_id = f"{self.member_id}.{self.epoch}.{secrets.token_hex(8)}"
        self.transactions[transaction_id] = OpenTransaction(transaction_id, txn)
        return transaction_id

    async def finish(self, transaction_id: str, commit: bool) -> int:
        open_txn = self._transaction(transaction_id)
        async with open_txn.busy:
            self._transaction(transaction_id)
            return await self._end_transaction(open_txn, commit)

    async def _end_transaction(self, open_txn: OpenTransaction, commit: bool) -> int:
        if self.transactions.pop(open_txn.id, None) is None:
            return 0
        try:
            if commit:
                self._require_primary()
                return await self._commit(open_txn.txn)
            return 0
        finally:
            await asyncio.to_thread(self.engine.rollback, open_txn.txn)  # nothing left to undo after a commit
            self.write_lock.release()

    def _transaction(self, transaction_id: str) -> OpenTransaction:
        open_txn = self.transactions.get(transaction_id)
        if open_txn is None:
            raise TransactionNotFound(
                f"transaction {transaction_id} is not open on this DB instance: it was committed, rolled back, "
                f"expired after {TRANSACTION_IDLE_TIMEOUT_S:.0f}s idle, or lost in a failover")
        return open_txn

    async def expire_idle_transactions(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            for open_txn in list(self.transactions.values()):
                if now - open_txn.last_used > TRANSACTION_IDLE_TIMEOUT_S and not open_txn.busy.locked():
                    log.info("rolling back idle transaction %s", open_txn.id)
                    await self._end_transaction(open_txn, commit=False)

    # the follower's side of replication
    async def append(self, request: dbnode_pb2.AppendRequest) -> dbnode_pb2.AppendResponse:
        if request.lineage != self.lineage:
            return self._answer(False, refused=True)
        if request.epoch < self.epoch:
            return self._answer(False)
        await self._adopt_epoch(request.epoch)
        if self.role == PRIMARY:
            return self._answer(False)  # the controller never makes two primaries of one epoch
        async with self.apply_lock:
            if self.role == PRIMARY or request.epoch != self.epoch:  # promoted, or moved on, while waiting
                return self._answer(False)
            if (self.position.lsn, self.position.epoch) != (request.prev_lsn, request.prev_epoch):
                return self._answer(False)
            if request.entries:
                entries = [Entry(e.lsn, e.epoch, e.commit_time, e.record) for e in request.entries]
                await asyncio.to_thread(self.engine.apply, entries)
                for entry in entries:
                    self._remember(entry)
            if request.sync and self.synced_epoch != request.epoch:
                await asyncio.to_thread(self.engine.set_meta, "synced_epoch", request.epoch)
                self.synced_epoch = request.epoch
                log.info("in sync with primary %s at epoch %d, lsn %d", request.primary_id, self.epoch, self.position.lsn)
        return self._answer(True)

    async def install_snapshot(self, chunks) -> dbnode_pb2.AppendResponse:
        incoming = self.data_dir / "incoming-snapshot.db"
        epoch = lineage = None
        with incoming.open("wb") as out:
            async for chunk in chunks:
                epoch, lineage = (chunk.epoch, chunk.lineage) if epoch is None else (epoch, lineage)
                out.write(chunk.data)
        if lineage != self.lineage:
            incoming.unlink(missing_ok=True)
            return self._answer(False, refused=True)
        if epoch is None or epoch < self.epoch:
            incoming.unlink(missing_ok=True)
            return self._answer(False)
        await self._adopt_epoch(epoch)
        if self.role == PRIMARY:
            return self._answer(False)
        async with self.apply_lock:
            if self.role == PRIMARY or epoch != self.epoch:  # promoted, or moved on, while waiting
                incoming.unlink(missing_ok=True)
                return self._answer(False)
            await asyncio.to_thread(self.engine.install, incoming)
            # the snapshot carries the primary's own settings: this node's are its own
            for key, value in (("epoch", self.epoch), ("synced_epoch", 0), ("lineage", self.lineage)):
                await asyncio.to_thread(self.engine.set_meta, key, value)
            self.synced_epoch = 0
        log.info("installed a snapshot at lsn %d", self.position.lsn)
        return self._answer(True)

    def _answer(self, ok: bool, refused: bool = False) -> dbnode_pb2.AppendResponse:
        return dbnode_pb2.AppendResponse(ok=ok, epoch=self.epoch, lsn=self.position.lsn, last_epoch=self.position.epoch,
                                         refused=refused)


class Detached(Exception):
    """The follower is of another lineage: not yet configured, or a promoted read replica."""


class FollowerLink:
    """The primary's stream to one follower: catch it up from the log (or a
    snapshot), then follow each commit. A standby is marked in sync once it
    holds every commit, with the write lock held so that none slips past."""

    def __init__(self, node: DbNode, member_id: str, address: str, sync: bool):
        self.node = node
        self.member_id = member_id
        self.address = address
        self.sync = sync
        self.epoch = node.epoch
        self.acked: int | None = None
        self.in_sync = False
        self.state = "probing"
        self.channel = grpc.aio.insecure_channel(address)
        self.stub = dbnode_pb2_grpc.DbNodeStub(self.channel)
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> None:
        if self._task:
            self._task.cancel()
        asyncio.get_running_loop().create_task(self.channel.close())

    def status(self) -> dbnode_pb2.FollowerStatus:
        acked = self.acked or 0
        return dbnode_pb2.FollowerStatus(
            member_id=self.member_id, acked_lsn=acked, lag_lsns=max(0, self.node.position.lsn - acked),
            lag_seconds=self.node.lag_seconds(acked), in_sync=self.in_sync, state=self.state, sync=self.sync,
        )

    async def append(self, entries: list[Entry], prev: Position, sync: bool = False,
                     timeout: float = APPEND_TIMEOUT_S) -> dbnode_pb2.AppendResponse:
        request = dbnode_pb2.AppendRequest(
            epoch=self.epoch, lineage=self.node.lineage, primary_id=self.node.member_id, prev_lsn=prev.lsn, prev_epoch=prev.epoch, sync=sync,
            entries=[dbnode_pb2.LogEntry(lsn=e.lsn, epoch=e.epoch, commit_time=e.commit_time, record=e.record)
                     for e in entries],
        )
        return await self.stub.Append(request, timeout=timeout)

    async def _run(self) -> None:
        node = self.node
        while node.role == PRIMARY and node.epoch == self.epoch:
            try:
                if self.in_sync:
                    await node.wait_for_commit(1.0)  # commits reach it directly (`_ship_to_standby`)
                    continue
                if self.acked is None:
                    await self._settle(await self.append([], node.position))
                while self.acked is not None and self.acked < node.position.lsn and not self.in_sync:
                    batch = await asyncio.to_thread(node.engine.entries, self.acked, BATCH_ENTRIES)
                    batch = [e for e in batch if e.lsn <= node.position.lsn]
                    if not batch or batch[0].lsn != self.acked + 1:
                        await self._send_snapshot()  # the log no longer reaches back to it
                        continue
                    prev = Position(self.acked, await asyncio.to_thread(node.engine.epoch_at, self.acked) or 0)
                    await self._settle(await self.append(batch, prev))
                    self.state = "streaming"
                if self.sync and not self.in_sync and self.acked == node.position.lsn:
                    await self._mark_in_sync()
                if not self.in_sync:
                    await node.wait_for_commit(1.0)
            except asyncio.CancelledError:
                raise
            except Detached as e:
                # not (yet, or any more) configured as our follower: the controller settles which
                self.state = "detached"
                self.acked = None
                log.debug("%s", e)
                await asyncio.sleep(RETRY_S * 5)
            except grpc.aio.AioRpcError as e:
                self.state = "unreachable"
                log.debug("follower %s: %s", self.member_id, e.code())
                await asyncio.sleep(RETRY_S * 2)
            except Exception:
                log.exception("follower %s: streaming failed; probing again", self.member_id)
                self.acked = None
                await asyncio.sleep(RETRY_S * 5)

    async def _settle(self, answer: dbnode_pb2.AppendResponse) -> None:
        """Read where the follower stands from its answer; snapshot it if it is not on our history."""
        node = self.node
        if answer.refused:
            raise Detached(f"{self.member_id} is not of lineage {node.lineage!r}")
        if answer.epoch > node.epoch:
            await node._adopt_epoch(answer.epoch)
            return
        if answer.ok:
            self.acked = answer.lsn
            return
        if answer.lsn == 0 and node.position.lsn > 0:
            await self._send_snapshot()  # a new member: bootstrapped from a consistent snapshot, then streamed
            return
        on_our_history = (answer.lsn <= node.position.lsn
                          and await asyncio.to_thread(node.engine.epoch_at, answer.lsn) == answer.last_epoch)
        if on_our_history:
            self.acked = answer.lsn
        else:
            await self._send_snapshot()

    async def _send_snapshot(self) -> None:
        node = self.node
        self.state = "snapshotting"
        path = node.data_dir / f"snapshot-for-{self.member_id}.db"
        try:
            position = await asyncio.to_thread(node.engine.snapshot, path)
            data = await asyncio.to_thread(path.read_bytes)

            async def chunks():
                for offset in range(0, max(len(data), 1), SNAPSHOT_CHUNK):
                    yield dbnode_pb2.SnapshotChunk(epoch=self.epoch, lineage=node.lineage,
                                                   data=data[offset:offset + SNAPSHOT_CHUNK])

            answer = await self.stub.InstallSnapshot(chunks(), timeout=SNAPSHOT_TIMEOUT_S)
        finally:
            path.unlink(missing_ok=True)
        log.info("follower %s bootstrapped from a snapshot at lsn %d", self.member_id, position.lsn)
        if answer.refused:
            raise Detached(f"{self.member_id} is not of lineage {node.lineage!r}")
        if answer.epoch > node.epoch:
            await node._adopt_epoch(answer.epoch)
        self.acked = answer.lsn if answer.ok else None

    async def _mark_in_sync(self) -> None:
        node = self.node
        async with node.write_lock:
            if self.acked != node.position.lsn or node.epoch != self.epoch or node.role != PRIMARY:
                return
            answer = await self.append([], node.position, sync=True)
            if answer.ok:
                self.in_sync = True
                self.state = "streaming"
                log.info("standby %s in sync at lsn %d", self.member_id, node.position.lsn)
            else:
                await self._settle(answer)


# point-in-time restore: the log kept with its commit times
def archive_log(engine: SqliteEngine, path: Path, after_lsn: int) -> int:
    """Write the log's entries after `after_lsn` to `path` (an AppendRequest's entries); the last LSN written."""
    entries: list[Entry] = []
    while batch := engine.entries(entries[-1].lsn if entries else after_lsn, 1000):
        entries.extend(batch)
    if entries and entries[0].lsn != after_lsn + 1 or not entries and engine.position.lsn > after_lsn:
        raise InvalidDBInstanceState(f"the log no longer reaches back to lsn {after_lsn + 1}: the restore's backup is "
                                     "older than what the primary keeps")
    request = dbnode_pb2.AppendRequest(entries=[
        dbnode_pb2.LogEntry(lsn=e.lsn, epoch=e.epoch, commit_time=e.commit_time, record=e.record) for e in entries])
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(request.SerializeToString())
    tmp.replace(path)
    return entries[-1].lsn if entries else after_lsn


def restore(engine_path: Path, backup: Path, log: Path | None, until: float) -> None:
    """A new database from a backup, replayed from the archived log up to `until` (commit times), if given."""
    shutil.copyfile(backup, engine_path)
    if log is None:
        return
    engine = SqliteEngine(engine_path)
    engine.start()
    try:
        request = dbnode_pb2.AppendRequest.FromString(log.read_bytes()) if log.exists() else dbnode_pb2.AppendRequest()
        entries = [Entry(e.lsn, e.epoch, e.commit_time, e.record) for e in request.entries
                   if e.lsn > engine.position.lsn and e.commit_time <= until]
        if entries:
            engine.apply(entries)
    finally:
        engine.stop()


# wire <-> node
def to_value(field: rds_pb2.Field) -> Value:
    kind = field.WhichOneof("value")
    if kind in (None, "is_null"):
        return None
    value = getattr(field, kind)
    return int(value) if kind == "boolean_value" else value


def to_field(value: Value) -> rds_pb2.Field:
    if value is None:
        return rds_pb2.Field(is_null=True)
    if isinstance(value, bool):
        return rds_pb2.Field(boolean_value=value)
    if isinstance(value, int):
        return rds_pb2.Field(long_value=value)
    if isinstance(value, float):
        return rds_pb2.Field(double_value=value)
    if isinstance(value, bytes):
        return rds_pb2.Field(blob_value=value)
    return rds_pb2.Field(string_value=str(value))


def to_params(parameters) -> dict[str, Value]:
    return {p.name.lstrip(":"): to_value(p.value) for p in parameters}


def to_response(result: StatementResult, lsn: int, include_metadata: bool) -> rds_pb2.ExecuteStatementResponse:
    return rds_pb2.ExecuteStatementResponse(
        records=[rds_pb2.Record(values=[to_field(v) for v in row]) for row in result.rows],
        column_metadata=[rds_pb2.ColumnMetadata(name=n, type_name=t) for n, t in result.columns] if include_metadata else [],
        number_of_records_updated=result.changes,
        generated_fields=[to_field(result.last_insert_rowid)] if result.last_insert_rowid is not None else [],
        lsn=lsn,
    )


def check_role(role: str) -> None:
    if role not in (PRIMARY, STANDBY, REPLICA):
        raise InvalidDBInstanceState(f"unknown role {role!r}")


def member_status(member_id: str, role: str, epoch: int, position: Position,
                  detail: dbnode_pb2.DbNodeDetail) -> member_pb2.MemberStatus:
    """What a DB node of either engine says over the node contract."""
    status = member_pb2.MemberStatus(member_id=member_id, epoch=epoch, role=role,
                                     position=[position.epoch, position.lsn])
    status.detail.Pack(detail)
    return status


class DbNodeMember(member_pb2_grpc.MemberServicer):
    """azlab.member.v1.Member over a DB node of either engine (`configure(epoch, settings)`, `status()`)."""

    def __init__(self, node):
        self.node = node

    async def Configure(self, request, context):
        settings = dbnode_pb2.DbNodeSettings()
        if not request.settings.Unpack(settings):
            raise InvalidParameterValue(f"settings must be {dbnode_pb2.DbNodeSettings.DESCRIPTOR.full_name}, "
                                        f"not {request.settings.type_url or 'empty'}")
        await self.node.configure(request.epoch, settings)
        return self.node.status()

    async def Status(self, request, context):
        return self.node.status()


class DbNodeServicer(dbnode_pb2_grpc.DbNodeServicer):
    def __init__(self, node: DbNode):
        self.node = node

    async def Append(self, request, context):
        return await self.node.append(request)

    async def InstallSnapshot(self, request_iterator, context):
        return await self.node.install_snapshot(request_iterator)

    async def Backup(self, request, context):
        path = Path(request.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        position = await asyncio.to_thread(self.node.engine.snapshot, path)
        return dbnode_pb2.BackupResponse(lsn=position.lsn, time=time.time())

    async def ArchiveLog(self, request, context):
        lsn = await asyncio.to_thread(archive_log, self.node.engine, Path(request.path), request.after_lsn)
        return dbnode_pb2.ArchiveLogResponse(lsn=lsn, time=time.time())

    async def ExecuteStatement(self, request, context):
        result, lsn = await self.node.execute(request.sql, to_params(request.parameters), request.transaction_id)
        return to_response(result, lsn, request.include_result_metadata)

    async def BatchExecuteStatement(self, request, context):
        sets = [to_params(s.parameters) for s in request.parameter_sets] or [{}]
        results = await self.node.batch(request.sql, sets, request.transaction_id)
        return rds_pb2.BatchExecuteStatementResponse(update_results=[
            rds_pb2.UpdateResult(generated_fields=[to_field(r.last_insert_rowid)] if r.last_insert_rowid is not None else [])
            for r in results
        ])

    async def BeginTransaction(self, request, context):
        return rds_pb2.BeginTransactionResponse(transaction_id=await self.node.begin())

    async def CommitTransaction(self, request, context):
        await self.node.finish(request.transaction_id, commit=True)
        return rds_pb2.CommitTransactionResponse(transaction_status="Transaction Committed")

    async def RollbackTransaction(self, request, context):
        await self.node.finish(request.transaction_id, commit=False)
        return rds_pb2.RollbackTransactionResponse(transaction_status="Rollback Complete")


async def create_server(servicer: DbNodeServicer, address: str) -> tuple[grpc.aio.Server, health.aio.HealthServicer]:
    """Serve an engine's DB node on `address` (host:port): the node contract, DbNode (`servicer`) and health."""
    return await serve_member(DbNodeMember(servicer.node), address,
                              also=[lambda server: dbnode_pb2_grpc.add_DbNodeServicer_to_server(servicer, server)])


async def serve(args: argparse.Namespace) -> None:
    args.data_dir.mkdir(parents=True, exist_ok=True)
    if args.restore_from and not (args.data_dir / "db.sqlite").exists():
        await asyncio.to_thread(restore, args.data_dir / "db.sqlite", args.restore_from, args.replay,
                                args.recovery_target_time)
    engine = SqliteEngine(args.data_dir / "db.sqlite", args.cache_mib, max_bytes=args.allocated_storage << 30)
    node = DbNode(args.member_id, engine, args.data_dir, args.instance_class, args.allocated_storage)
    await node.start()
    server, health_servicer = await create_server(DbNodeServicer(node), args.address)
    log.info("DB node %s serving on %s (lsn %d, epoch %d)", args.member_id, args.address, node.position.lsn, node.epoch)
    expiry = asyncio.get_running_loop().create_task(node.expire_idle_transactions())
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stopping.set)
    await stopping.wait()
    await health_servicer.enter_graceful_shutdown()
    expiry.cancel()
    await server.stop(grace=2.0)
    await asyncio.to_thread(node.engine.stop)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="An RDS DB node: one member of a DB instance")
    parser.add_argument("--member-id", required=True)
    parser.add_argument("--address", required=True, help="host:port to serve on")
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--instance-class", default="")
    parser.add_argument("--cache-mib", type=int, default=64, help="SQLite page cache, from the DB instance class")
    parser.add_argument("--allocated-storage", type=int, default=20, help="GiB the database may grow to")
    parser.add_argument("--restore-from", type=Path, help="a backup to start from, when there is no database yet")
    parser.add_argument("--replay", type=Path, help="archived log entries to replay onto the backup")
    parser.add_argument("--recovery-target-time", type=float, default=float("inf"), help="replay commits until then")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()

"""The engine interface of RDS's data plane, and the embedded `sqlite` engine.

An engine owns one database and its replication log. It knows nothing of
roles, epochs' meaning or the network: the DB node (`server.py`) decides who
writes and ships log entries; the engine executes, stages, applies and
snapshots. Every method is synchronous and blocking (the node runs it in a
worker thread) and is called by one thread at a time.

The sqlite engine records each transaction as a `ChangeRecord`: per statement,
the row changes SQLite's session extension captured (deterministic row images,
so `random()`, `datetime('now')` and rowids replay exactly), or, for a statement
that changed the schema (which sessions do not capture), the statement's text.
Limitation: a schema-changing statement that also writes rows from a
non-deterministic expression (`CREATE TABLE t AS SELECT random()`) replays
its text, and so its rows can differ on followers.

The log lives in the database itself (`_azlab_log`), written in the same
SQLite transaction as the change it records, so a crash can never leave the
data and the log disagreeing; `_azlab_meta` keeps the epochs that must
survive a restart.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import apsw

from azlab.common.rds.errors import DatabaseUnavailable, SqlError
from azlab.rds.v1 import dbnode_pb2

INTERNAL_PREFIX = "_azlab_"
KEEP_LOG_ENTRIES = 10_000  # followers further behind than this are bootstrapped from a snapshot
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {INTERNAL_PREFIX}log (
    lsn INTEGER PRIMARY KEY, epoch INTEGER NOT NULL, commit_time REAL NOT NULL, record BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS {INTERNAL_PREFIX}meta (key TEXT PRIMARY KEY, value NOT NULL);
"""
# What a user's statement may not do: the node owns transactions, the files and the log.
DENIED_ACTIONS = {apsw.SQLITE_TRANSACTION, apsw.SQLITE_SAVEPOINT, apsw.SQLITE_ATTACH, apsw.SQLITE_DETACH}
WRITE_ACTIONS = {apsw.SQLITE_INSERT, apsw.SQLITE_UPDATE, apsw.SQLITE_DELETE, apsw.SQLITE_DROP_TABLE,
                 apsw.SQLITE_ALTER_TABLE, apsw.SQLITE_CREATE_INDEX, apsw.SQLITE_DROP_INDEX}
# pragmas that take an argument and only read (the session extension itself asks table_info)
READ_PRAGMAS = {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list", "table_list"}

Value = None | int | float | str | bytes


@dataclass(frozen=True)
class Position:
    lsn: int = 0
    epoch: int = 0  # the epoch of the entry at `lsn`


@dataclass(frozen=True)
class Entry:
    lsn: int
    epoch: int
    commit_time: float
    record: bytes


@dataclass
class StatementResult:
    columns: list[tuple[str, str]] = field(default_factory=list)  # (name, declared type)
    rows: list[tuple[Value, ...]] = field(default_factory=list)
    changes: int = 0
    last_insert_rowid: int | None = None


@dataclass
class Transaction:
    """An open write transaction on the engine: what it changed so far, in order."""

    changes: list[dbnode_pb2.Change] = field(default_factory=list)
    staged: Entry | None = None

    @property
    def writes(self) -> bool:
        return bool(self.changes)


class Engine(Protocol):
    """One database and its log. Failure rules: a statement that fails changes
    nothing; `apply` and `install` are all-or-nothing; `stop` succeeds when stopped."""

    def start(self) -> Position:
        """Open (creating if new) the database; the position of its log."""

    def stop(self) -> None: ...

    def promote(self) -> None:
        """Become writable: from now on `begin` may be called."""

    def demote(self) -> None:
        """Become a follower: only `query`, `apply` and `install` from now on."""

    def begin(self) -> Transaction: ...

    def execute(self, txn: Transaction, sql: str, params: dict[str, Value]) -> StatementResult:
        """Run one statement in `txn`; on error it is undone and the transaction stays open."""

    def stage(self, txn: Transaction, lsn: int, epoch: int) -> Entry | None:
        """Write txn's log entry inside txn; None if it changed nothing."""

    def commit(self, txn: Transaction) -> None: ...

    def rollback(self, txn: Transaction) -> None:
        """Succeeds when the transaction is already gone."""

    def query(self, sql: str, params: dict[str, Value]) -> StatementResult:
        """A read-only statement outside any transaction (followers' reads)."""

    def apply(self, entries: Sequence[Entry]) -> Position:
        """Replay a primary's entries, durably and in one transaction."""

    def entries(self, after_lsn: int, limit: int) -> list[Entry]: ...

    def epoch_at(self, lsn: int) -> int | None:
        """The epoch of the entry at `lsn`, None if the log no longer (or never) held it."""

    def snapshot(self, path: Path) -> Position:
        """A consistent copy of the database (and its log) at one position."""

    def install(self, path: Path) -> Position:
        """Replace the database with a snapshot."""

    def get_meta(self, key: str) -> int | str: ...

    def set_meta(self, key: str, value: int | str) -> None: ...


class SqliteEngine:
    """The embedded engine: SQLite through apsw, in WAL mode with full fsync on commit."""

    def __init__(self, path: Path, cache_mib: int = 64, keep_log_entries: int = KEEP_LOG_ENTRIES, max_bytes: int = 0):
        self.path = path
        self.max_bytes = max_bytes
        self.keep_log_entries = keep_log_entries
        self.cache_mib = cache_mib
        self.writable = False
        self._writer: apsw.Connection | None = None
        self._reader: apsw.Connection | None = None
        # apsw refuses one connection used by two threads at once: every use holds this (re-entrant: install restarts)
        self._lock = threading.RLock()
        self.position = Position()

    # lifecycle
    def start(self) -> Position:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self._writer = self._connect()
            self._writer.execute(SCHEMA)
            self._reader = self._connect()
            self._reader.execute("PRAGMA query_only = ON")
            self.position = self._read_position()
        return self.position

    def _connect(self) -> apsw.Connection:
        db = apsw.Connection(str(self.path))
        db.set_busy_timeout(5000)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute(f"PRAGMA cache_size = -{self.cache_mib * 1024}")
        if self.max_bytes:  # the allocated storage, enforced: beyond it SQLite answers "database or disk is full"
            page_size = next(db.execute("PRAGMA page_size"))[0]
            db.execute(f"PRAGMA max_page_count = {self.max_bytes // page_size}")
        return db

    def stop(self) -> None:
        with self._lock:
            for db in (self._reader, self._writer):
                if db is not None:
                    db.close()
            self._reader = self._writer = None

    def promote(self) -> None:
        self.writable = True

    def demote(self) -> None:
        self.writable = False

    def _read_position(self) -> Position:
        row = next(self._writer.execute(f"SELECT lsn, epoch FROM {INTERNAL_PREFIX}log ORDER BY lsn DESC LIMIT 1"), None)
        return Position(*row) if row else Position(self.get_meta("base_lsn"), self.get_meta("base_epoch"))

    # a primary's transactions
    def begin(self) -> Transaction:
        if not self.writable:
            raise SqlError("this DB instance is read-only: it is a replica or a standby")
        with self._lock:
            self._writer.execute("BEGIN IMMEDIATE")
        return Transaction()

    def execute(self, txn: Transaction, sql: str, params: dict[str, Value]) -> StatementResult:
        with self._lock:
            db = self._writer
            if not self.writable or db is None or not db.in_transaction:
                raise DatabaseUnavailable("the transaction was rolled back: this DB node stopped being the primary")
            schema_before = self._schema_version()
            session = apsw.Session(db, "main")
            session.config(apsw.SQLITE_SESSION_OBJCONFIG_ROWID, 1)  # tables without a PRIMARY KEY too
            session.table_filter(lambda table: not table.startswith(INTERNAL_PREFIX))
            session.attach()
            db.execute("SAVEPOINT statement")
            try:
                result = self._run(db, sql, params)
            except BaseException:
                # SQLite undid the statement (or we do now); its session changes are discarded with it
                db.execute("ROLLBACK TO statement; RELEASE statement")
                session.close()
                raise
            db.execute("RELEASE statement")
            if self._schema_version() != schema_before:
                txn.changes.append(dbnode_pb2.Change(statement=sql))
            elif not session.is_empty:
                txn.changes.append(dbnode_pb2.Change(changeset=session.changeset()))
            session.close()
            return result

    def _schema_version(self) -> int:
        return next(self._writer.execute("PRAGMA schema_version"))[0]

    def _run(self, db: apsw.Connection, sql: str, params: dict[str, Value]) -> StatementResult:
        statements = 0

        def one_statement_only(cursor, text, bindings) -> bool:
            nonlocal statements
            statements += 1
            return statements == 1

        changes_before = db.total_changes()
        db.set_last_insert_rowid(0)  # nonzero afterwards only if this statement inserted a row
        cursor = db.cursor()
        cursor.exec_trace = one_statement_only
        db.authorizer = _authorize
        try:
            cursor.execute(sql, params or None)
            rows = [tuple(row) for row in cursor]
            try:
                columns = [(name, decltype or "") for name, decltype in cursor.get_description()]
            except apsw.ExecutionCompleteError:
                columns = []
        except apsw.ExecTraceAbort:
            raise SqlError("one statement per call: split the SQL, or use BatchExecuteStatement") from None
        except apsw.Error as e:
            raise SqlError(_engine_message(e)) from None
        finally:
            db.authorizer = None
        rowid = db.last_insert_rowid()
        return StatementResult(columns, rows, db.total_changes() - changes_before, rowid or None)

    def stage(self, txn: Transaction, lsn: int, epoch: int) -> Entry | None:
        if not txn.writes:
            return None
        record = dbnode_pb2.ChangeRecord(changes=txn.changes).SerializeToString()
        entry = Entry(lsn, epoch, time.time(), record)
        with self._lock:
            self._insert_log(entry)
        txn.staged = entry
        return entry

    def commit(self, txn: Transaction) -> None:
        with self._lock:
            self._writer.execute("COMMIT")
        if txn.staged:
            self.position = Position(txn.staged.lsn, txn.staged.epoch)
            self._trim_log()

    def rollback(self, txn: Transaction) -> None:
        with self._lock:
            if self._writer is not None and self._writer.in_transaction:
                self._writer.execute("ROLLBACK")

    # followers
    def query(self, sql: str, params: dict[str, Value]) -> StatementResult:
        try:
            with self._lock:
                return self._run(self._reader, sql, params)
        except SqlError as e:
            if "readonly" in e.message or "query_only" in e.message:
                raise SqlError("this DB instance is read-only: it is a replica or a standby") from None
            raise

    def apply(self, entries: Sequence[Entry]) -> Position:
        with self._lock:
            db = self._writer
            db.execute("BEGIN IMMEDIATE")
            try:
                for entry in entries:
                    for change in dbnode_pb2.ChangeRecord.FromString(entry.record).changes:
                        if change.HasField("changeset"):
                            apsw.Changeset.apply(change.changeset, db)  # any conflict aborts: the follower diverged
                        else:
                            db.execute(change.statement)
                    self._insert_log(entry)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        if entries:
            self.position = Position(entries[-1].lsn, entries[-1].epoch)
            self._trim_log()
        return self.position

    def _insert_log(self, entry: Entry) -> None:
        self._writer.execute(
            f"INSERT INTO {INTERNAL_PREFIX}log (lsn, epoch, commit_time, record) VALUES (?, ?, ?, ?)",
            (entry.lsn, entry.epoch, entry.commit_time, entry.record),
        )

    def _trim_log(self) -> None:
        keep = self.keep_log_entries
        if self.position.lsn % max(1, keep // 10) == 0 and self.position.lsn > keep:
            with self._lock:
                self._writer.execute(f"DELETE FROM {INTERNAL_PREFIX}log WHERE lsn <= ?", (self.position.lsn - keep,))

    def entries(self, after_lsn: int, limit: int) -> list[Entry]:
        with self._lock:
            rows = self._writer.execute(
                f"SELECT lsn, epoch, commit_time, record FROM {INTERNAL_PREFIX}log WHERE lsn > ? ORDER BY lsn LIMIT ?",
                (after_lsn, limit),
            )
            return [Entry(*row) for row in rows]

    def epoch_at(self, lsn: int) -> int | None:
        if lsn == self.position.lsn:
            return self.position.epoch
        with self._lock:
            row = next(self._writer.execute(f"SELECT epoch FROM {INTERNAL_PREFIX}log WHERE lsn = ?", (lsn,)), None)
        if row:
            return row[0]
        if lsn == self.get_meta("base_lsn"):  # where the snapshot this database came from stood
            return self.get_meta("base_epoch")
        return 0 if lsn == 0 else None

    def commit_time_at(self, lsn: int) -> float | None:
        with self._lock:
            row = next(self._writer.execute(f"SELECT commit_time FROM {INTERNAL_PREFIX}log WHERE lsn = ?", (lsn,)), None)
        return row[0] if row else None

    # snapshots
    def snapshot(self, path: Path) -> Position:
        path.unlink(missing_ok=True)
        source = apsw.Connection(str(self.path), flags=apsw.SQLITE_OPEN_READONLY)
        try:
            source.execute("VACUUM INTO ?", (str(path),))  # one read transaction: a consistent copy
        finally:
            source.close()
        copy = apsw.Connection(str(path))
        try:
            row = next(copy.execute(f"SELECT lsn, epoch FROM {INTERNAL_PREFIX}log ORDER BY lsn DESC LIMIT 1"), None)
            position = Position(*row) if row else Position()
            # the copy remembers its own position even if its log is trimmed away later
            copy.execute(f"INSERT OR REPLACE INTO {INTERNAL_PREFIX}meta VALUES ('base_lsn', ?), ('base_epoch', ?)",
                         (position.lsn, position.epoch))
        finally:
            copy.close()
        return position

    def install(self, path: Path) -> Position:
        with self._lock:
            self.stop()
            for suffix in ("-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            shutil.move(str(path), self.path)
            _fsync_dir(self.path.parent)
        return self.start()

    # durable settings
    def get_meta(self, key: str) -> int | str:
        with self._lock:
            row = next(self._writer.execute(f"SELECT value FROM {INTERNAL_PREFIX}meta WHERE key = ?", (key,)), None)
        return row[0] if row else 0

    def set_meta(self, key: str, value: int | str) -> None:
        with self._lock:
            self._writer.execute(f"INSERT OR REPLACE INTO {INTERNAL_PREFIX}meta (key, value) VALUES (?, ?)", (key, value))


def _authorize(action: int, name1: str | None, name2: str | None, database: str | None, trigger: str | None) -> int:
    if action in DENIED_ACTIONS:
        return apsw.SQLITE_DENY
    if action == apsw.SQLITE_PRAGMA and name2 is not None and (name1 or "").lower() not in READ_PRAGMAS:
        return apsw.SQLITE_DENY  # reading a pragma is fine, setting one is not
    if action in WRITE_ACTIONS and (name1 or "").startswith(INTERNAL_PREFIX):
        return apsw.SQLITE_DENY
    return apsw.SQLITE_OK


def _engine_message(error: apsw.Error) -> str:
    message = str(error)
    if isinstance(error, apsw.AuthError):
        return f"{message}: transactions, savepoints, ATTACH and pragma writes go through the Data API, not SQL"
    return message


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def bind(params: Iterable[tuple[str, Any]]) -> dict[str, Value]:
    return {name.lstrip(":"): value for name, value in params}

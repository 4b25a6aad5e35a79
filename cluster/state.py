"""The controller's durable state: SQLite in WAL mode under the state dir.

The controller is the only writer. Every state change is committed before the
call that made it returns, so a killed controller restarts from exactly what it
acknowledged. Readers (the SDK finding the endpoint) open the file read-only.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
    name TEXT PRIMARY KEY, az TEXT NOT NULL, idx INTEGER NOT NULL, address TEXT NOT NULL,
    ray_node_id TEXT NOT NULL DEFAULT '', state TEXT NOT NULL, last_heartbeat REAL);
CREATE TABLE IF NOT EXISTS events (
    event_id INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, event_type TEXT NOT NULL,
    source TEXT NOT NULL, message TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS faults (
    fault_id TEXT PRIMARY KEY, kind TEXT NOT NULL, availability_zone TEXT NOT NULL,
    node_name TEXT NOT NULL DEFAULT '', latency_ms INTEGER NOT NULL DEFAULT 0,
    loss_pct REAL NOT NULL DEFAULT 0, started_at REAL NOT NULL, processes_killed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS resources (
    service TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (service, kind, id));
CREATE TABLE IF NOT EXISTS ports (
    address TEXT NOT NULL, port INTEGER NOT NULL, owner TEXT NOT NULL, PRIMARY KEY (address, port));
"""
# Data-plane servers listen here: above Ray's worker (10002-19999) and node
# (20000-29999) ports, below Linux's ephemeral range (32768-).
SERVICE_PORTS = range(30000, 32700)


@dataclass
class NodeRecord:
    name: str
    az: str
    idx: int
    address: str
    ray_node_id: str = ""
    state: str = "pending"
    last_heartbeat: float | None = None


@dataclass(frozen=True)
class Event:
    event_id: int
    time: float
    event_type: str
    source: str
    message: str


@dataclass(frozen=True)
class Fault:
    fault_id: str
    kind: str
    availability_zone: str
    started_at: float
    node_name: str = ""
    latency_ms: int = 0
    loss_pct: float = 0.0
    processes_killed: int = 0


class Store:
    def __init__(self, path: Path, readonly: bool = False):
        if readonly:
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=5, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
        self._db.row_factory = sqlite3.Row

    def close(self) -> None:
        self._db.close()

    # settings: small JSON documents (config, runtime facts, endpoints)
    def get(self, key: str, default: Any = None) -> Any:
        row = self._db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return json.loads(row["value"]) if row else default

    def put(self, key: str, value: Any) -> None:
        self._db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )

    # nodes
    def nodes(self) -> list[NodeRecord]:
        return [NodeRecord(**dict(r)) for r in self._db.execute("SELECT * FROM nodes ORDER BY az, idx")]

    def save_node(self, node: NodeRecord) -> None:
        columns = asdict(node)
        self._db.execute(
            f"INSERT OR REPLACE INTO nodes ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            tuple(columns.values()),
        )

    # events
    def record_event(self, event_type: str, source: str, message: str, at: float | None = None) -> Event:
        at = time.time() if at is None else at
        cur = self._db.execute(
            "INSERT INTO events (time, event_type, source, message) VALUES (?, ?, ?, ?)",
            (at, event_type, source, message),
        )
        return Event(cur.lastrowid, at, event_type, source, message)

    def events(
        self, after_id: int = 0, start_time: float = 0.0, types: list[str] | None = None,
        source: str = "", limit: int = 100,
    ) -> list[Event]:
        """Oldest first. `source` matches itself and, for an AZ, its nodes (`<az>/...`)."""
        sql = "SELECT * FROM events WHERE event_id > ? AND time >= ?"
        args: list[Any] = [after_id, start_time]
        if types:
            sql += f" AND event_type IN ({', '.join('?' * len(types))})"
            args += types
        if source:
            sql += " AND (source = ? OR substr(source, 1, ?) = ?)"
            args += [source, len(source) + 1, source + "/"]
        sql += " ORDER BY event_id LIMIT ?"
        args.append(limit)
        return [Event(**dict(r)) for r in self._db.execute(sql, args)]

    # faults in force
    def faults(self) -> list[Fault]:
        return [Fault(**dict(r)) for r in self._db.execute("SELECT * FROM faults ORDER BY started_at")]

    def add_fault(self, fault: Fault) -> None:
        columns = asdict(fault)
        self._db.execute(
            f"INSERT INTO faults ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            tuple(columns.values()),
        )

    def remove_faults(self, fault_ids: list[str]) -> None:
        self._db.executemany("DELETE FROM faults WHERE fault_id = ?", [(f,) for f in fault_ids])

    # services' resources: one JSON document per (service, kind, id)
    def resources(self, service: str, kind: str) -> list[dict[str, Any]]:
        rows = self._db.execute("SELECT doc FROM resources WHERE service = ? AND kind = ? ORDER BY id", (service, kind))
        return [json.loads(r["doc"]) for r in rows]

    def resource(self, service: str, kind: str, id: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT doc FROM resources WHERE service = ? AND kind = ? AND id = ?",
                               (service, kind, id)).fetchone()
        return json.loads(row["doc"]) if row else None

    def put_resource(self, service: str, kind: str, id: str, doc: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT INTO resources (service, kind, id, doc) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(service, kind, id) DO UPDATE SET doc = excluded.doc",
            (service, kind, id, json.dumps(doc)),
        )

    def delete_resource(self, service: str, kind: str, id: str) -> None:
        self._db.execute("DELETE FROM resources WHERE service = ? AND kind = ? AND id = ?", (service, kind, id))

    # data-plane ports, handed out per address so that no two servers of a host collide
    def allocate_port(self, address: str, owner: str) -> int:
        """The lowest free service port on `address`, recorded for `owner` until released."""
        taken = {r["port"] for r in self._db.execute("SELECT port FROM ports WHERE address = ?", (address,))}
        port = next((p for p in SERVICE_PORTS if p not in taken), None)
        if port is None:
            raise RuntimeError(f"no free service port left on {address}")
        self._db.execute("INSERT INTO ports (address, port, owner) VALUES (?, ?, ?)", (address, port, owner))
        return port

    def release_ports(self, owner: str) -> None:
        self._db.execute("DELETE FROM ports WHERE owner = ?", (owner,))

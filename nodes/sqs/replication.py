"""A queue replica's replicated log: durable on disk, streamed leader -> followers with the epoch.

The controller decides who leads and under which epoch (`configure`); this
module keeps the rules that make that safe:
- an entry is acknowledged (its waiter resolved) only once a majority of the
  members, the leader included, hold it fsync'd, and only entries of the
  leader's own epoch are counted (Raft's commit rule; earlier ones commit with
  them), so an acknowledged entry is in every majority;
- a replica persists the highest epoch it has seen before acting on it and
  refuses configurations and appends of older epochs (its `EpochGuard`, from
  whichever of the controller, the leader or a refusal tells it first): a
  deposed leader reaches no majority and acknowledges nothing; it learns of
  the newer epoch from a refusal and steps down;
- a follower truncates entries that disagree with the leader's log (never
  acknowledged ones) and rebuilds its state from what is left.

The state machine is `SqsModel`: every replica's model is the fold of its
whole log, so a promoted follower serves exactly what its log holds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azlab.common.members import EpochGuard, StaleEpoch
from azlab.common.sqs.errors import LeaderUnavailable
from azlab.common.sqs.model import SqsModel

log = logging.getLogger(__name__)
FRAME = struct.Struct(">IQQ")  # record length, index, epoch; the record's JSON follows
MAX_APPEND_ENTRIES = 512
MAX_APPEND_BYTES = 8 * 1024 * 1024  # a catching-up follower gets its backlog in frames of this size
HEARTBEAT_S = 0.25
APPEND_TIMEOUT_S = 1.0
LEADER, FOLLOWER, FENCED, NEW = "leader", "follower", "fenced", "new"


@dataclass(frozen=True)
class Entry:
    index: int
    epoch: int
    record: bytes  # JSON of a model record


class DurableLog:
    """Entries 1..n in one append-only file of frames (a header, then the record), plus the epoch in `epoch`.

    `append` writes without waiting for the disk; `sync` makes everything appended so far durable
    (one fsync for however many entries: group commit). A torn last frame (a crash mid-write) is cut
    off on open: it was never durable, so never acknowledged.
    """

    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        self._epoch_path = directory / "epoch"
        self._path = directory / "log"
        self.entries: list[Entry] = []
        self._offsets: list[int] = []
        self.epoch = int(self._epoch_path.read_text()) if self._epoch_path.exists() else 0
        self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        self._load()

    def _load(self) -> None:
        data = os.pread(self._fd, os.fstat(self._fd).st_size, 0)
        at = 0
        while at + FRAME.size <= len(data):
            length, index, epoch = FRAME.unpack_from(data, at)
            if at + FRAME.size + length > len(data):
                break
            self.entries.append(Entry(index, epoch, data[at + FRAME.size: at + FRAME.size + length]))
            self._offsets.append(at)
            at += FRAME.size + length
        if at < len(data):
            os.ftruncate(self._fd, at)
            os.fsync(self._fd)
        self._size = at

    @property
    def last_index(self) -> int:
        return len(self.entries)

    @property
    def last_epoch(self) -> int:
        return self.entries[-1].epoch if self.entries else 0

    def epoch_at(self, index: int) -> int:
        return self.entries[index - 1].epoch if index > 0 else 0

    def append(self, epoch: int, record: bytes) -> int:
        entry = Entry(self.last_index + 1, epoch, record)
        frame = FRAME.pack(len(record), entry.index, epoch) + record
        written = 0
        while written < len(frame):  # a regular file takes it all at once, short of a full disk
            written += os.write(self._fd, frame[written:])
        self._offsets.append(self._size)
        self._size += len(frame)
        self.entries.append(entry)
        return entry.index

    def truncate_after(self, index: int) -> None:
        """Drop entries after `index`, durably."""
        if index >= self.last_index:
            return
        self._size = self._offsets[index]
        os.ftruncate(self._fd, self._size)
        os.fsync(self._fd)
        del self.entries[index:], self._offsets[index:]

    def sync(self) -> None:
        os.fsync(self._fd)

    def save_epoch(self, epoch: int) -> None:
        tmp = self._epoch_path.with_suffix(".tmp")
        with tmp.open("w") as f:
            f.write(str(epoch))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self._epoch_path)
        dir_fd = os.open(self._epoch_path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        self.epoch = epoch

    def close(self) -> None:
        os.close(self._fd)


# (address, AppendRequest fields) -> (ok, epoch, last_index); raises on an unreachable peer
SendAppend = Callable[[str, dict[str, Any]], Awaitable[tuple[bool, int, int]]]


class Replica:
    """One AZ's replica: its log, its model, and, while it leads, a replication task per follower."""

    def __init__(self, replica_id: str, directory: Path, region: str, send_append: SendAppend):
        self.replica_id = replica_id
        self.region = region
        self.log = DurableLog(directory)
        self.guard = EpochGuard(self.log.epoch, self.log.save_epoch)
        self.send_append = send_append
        self.role = NEW
        self.leader_id = ""
        self.peers: dict[str, str] = {}
        self.queue_url_base = "http://localhost"
        self.commit_index = 0
        self.durable_index = self.log.last_index
        self.model = self._rebuild()
        self._match: dict[str, int] = {}
        self._waiters: dict[int, list[asyncio.Future]] = {}
        self._tasks: list[asyncio.Task] = []
        self._wake: dict[str, asyncio.Event] = {}
        self._flush_needed = asyncio.Event()
        self._append_lock = asyncio.Lock()
        self.changed = asyncio.Event()  # replaced on every change: long polls wait on it

    @property
    def epoch(self) -> int:
        return self.guard.epoch

    def _rebuild(self) -> SqsModel:
        model = SqsModel(self.region, self.queue_url_base)
        for entry in self.log.entries:
            self._apply(model, entry.record)
        return model

    @staticmethod
    def _apply(model: SqsModel, record: bytes) -> None:
        decoded = json.loads(record)
        if decoded["op"] != "noop":
            model.apply(decoded)

    # ---- configuration, from the controller
    def configure(self, epoch: int, leader_id: str, peers: dict[str, str], queue_url_base: str) -> None:
        """Follow or lead under `epoch`; refused with StaleEpoch (nothing changes) when an epoch above it was seen."""
        new = self.guard.admit(epoch)
        if queue_url_base and queue_url_base != self.queue_url_base:
            self.queue_url_base = self.model.queue_url_base = queue_url_base.rstrip("/")
        if not new and leader_id == self.leader_id and self.role in (LEADER, FOLLOWER) and peers == self.peers:
            return
        self.peers = dict(peers)
        self.leader_id = leader_id
        self._stop_leading()
        if leader_id == self.replica_id:
            self._lead()
        else:
            self.role = FOLLOWER

    def _lead(self) -> None:
        self.role = LEADER
        self._match = {peer: 0 for peer in self.peers if peer != self.replica_id}
        # An entry of our own epoch: once it commits, everything before it has too.
        self.log.append(self.epoch, b'{"op":"noop"}')
        loop = asyncio.get_running_loop()
        self._flush_needed = asyncio.Event()
        self._flush_needed.set()
        self._tasks = [loop.create_task(self._flush_forever())]
        for peer in self._match:
            self._wake[peer] = asyncio.Event()
            self._tasks.append(loop.create_task(self._replicate_forever(peer, self.epoch)))

    def _stop_leading(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks = []
        for futures in self._waiters.values():
            for future in futures:
                if not future.done():
                    future.set_exception(LeaderUnavailable(f"{self.replica_id} is no longer the leader"))
        self._waiters.clear()

    def _fence(self, epoch: int) -> None:
        """A peer has seen a newer epoch: stop acknowledging at once."""
        ours = self.epoch
        if not self.guard.observe(epoch):
            return  # already told, by the controller or the new leader
        log.warning("%s fenced: epoch %d seen, ours was %d", self.replica_id, epoch, ours)
        self._stop_leading()
        self.role = FENCED

    # ---- the leader's write path
    def require_leader(self) -> None:
        if self.role != LEADER:
            raise LeaderUnavailable(f"{self.replica_id} is not the leader ({self.role}, epoch {self.epoch})")

    async def commit(self, records: list[dict[str, Any]]) -> None:
        """Append the records a command decided (already applied to our model); return once they are
        durable on a majority. Raises LeaderUnavailable if leadership is lost first."""
        if not records:
            return
        self.require_leader()
        index = 0
        for record in records:
            index = self.log.append(self.epoch, json.dumps(record, separators=(",", ":")).encode())
        self._notify_change()
        future = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(index, []).append(future)
        self._flush_needed.set()
        for event in self._wake.values():
            event.set()
        await future

    def _notify_change(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()

    async def _flush_forever(self) -> None:
        while True:
            await self._flush_needed.wait()
            self._flush_needed.clear()
            last = self.log.last_index
            # Off the loop: two followers' acknowledgements usually make the majority first, and the loop
            # meanwhile gathers the next appends into one write.
            await asyncio.to_thread(self.log.sync)
            self.durable_index = max(self.durable_index, last)
            self._advance_commit()

    async def _replicate_forever(self, peer: str, epoch: int) -> None:
        next_index = self.log.last_index  # optimistic; a mismatch walks it back
        wake = self._wake[peer]
        # The epoch is this task's own, and checked: a cancellation can be lost (asyncio.wait_for in 3.11),
        # and a task outliving its leadership must never speak for a newer epoch.
        while self.role == LEADER and self.epoch == epoch:
            entries = self._batch(next_index)
            request = {
                "epoch": epoch, "leader_id": self.replica_id, "prev_index": next_index - 1,
                "prev_epoch": self.log.epoch_at(next_index - 1), "commit_index": self.commit_index,
                "entries": entries,
            }
            wake.clear()
            try:
                ok, answered_epoch, last_index = await asyncio.wait_for(self.send_append(self.peers[peer], request),
                                                               APPEND_TIMEOUT_S)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # the peer is dead or cut off: keep trying, it may come back
                log.debug("append to %s failed: %r", peer, e)
                await asyncio.sleep(0.05)
                continue
            if answered_epoch > epoch:
                self._fence(answered_epoch)
                return
            if ok:
                if entries:
                    self._match[peer] = entries[-1].index
                    next_index = entries[-1].index + 1
                    self._advance_commit()
                else:
                    self._match[peer] = max(self._match[peer], next_index - 1)
            else:
                next_index = max(1, min(next_index - 1, last_index + 1))
            if next_index > self.log.last_index:
                try:
                    await asyncio.wait_for(wake.wait(), HEARTBEAT_S)
                except asyncio.TimeoutError:
                    pass

    def _batch(self, start: int) -> list[Entry]:
        """Entries from `start` on, at most MAX_APPEND_ENTRIES or MAX_APPEND_BYTES (but at least one)."""
        batch, size = [], 0
        for entry in self.log.entries[start - 1: start - 1 + MAX_APPEND_ENTRIES]:
            size += len(entry.record)
            if batch and size > MAX_APPEND_BYTES:
                break
            batch.append(entry)
        return batch

    def _advance_commit(self) -> None:
        matches = sorted([self.durable_index, *self._match.values()], reverse=True)
        majority = len(self.peers) // 2 + 1
        candidate = matches[majority - 1] if len(matches) >= majority else 0
        if candidate <= self.commit_index or self.log.epoch_at(candidate) != self.epoch:
            return
        self.commit_index = candidate
        for index in [i for i in self._waiters if i <= candidate]:
            for future in self._waiters.pop(index):
                if not future.done():
                    future.set_result(None)

    # ---- the follower's side
    async def append(self, epoch: int, leader_id: str, prev_index: int, prev_epoch: int, entries: list[Entry],
                     commit_index: int) -> tuple[bool, int, int]:
        async with self._append_lock:
            try:
                new = self.guard.admit(epoch)
            except StaleEpoch:
                return False, self.epoch, self.log.last_index
            if new or self.role != FOLLOWER or leader_id != self.leader_id:
                self._stop_leading()
                self.role, self.leader_id = FOLLOWER, leader_id
            if prev_index > self.log.last_index or self.log.epoch_at(prev_index) != prev_epoch:
                return False, self.epoch, min(self.log.last_index, prev_index - 1)
            rebuild = False
            for entry in entries:
                if entry.index <= self.log.last_index:
                    if self.log.epoch_at(entry.index) == entry.epoch:
                        continue
                    self.log.truncate_after(entry.index - 1)
                    rebuild = True
                self.log.append(entry.epoch, entry.record)
                if not rebuild:
                    self._apply(self.model, entry.record)
            if entries or rebuild:
                self.log.sync()
            self.durable_index = self.log.last_index  # all of it fsync'd: a future lead counts on it
            if rebuild:
                self.model = self._rebuild()
            last_new = entries[-1].index if entries else prev_index
            self.commit_index = max(self.commit_index, min(commit_index, last_new))
            return True, self.epoch, self.log.last_index

    def close(self) -> None:
        self._stop_leading()
        self.log.close()

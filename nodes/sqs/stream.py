"""The replication stream: the leader's appends to a follower over one persistent TCP connection.

Plain asyncio streams and binary frames rather than gRPC: an append is the hot
path of every acknowledged operation, and here it costs a fraction of a gRPC
call's CPU. One request is in flight per connection (the leader's per-follower
loop waits for each answer), so answers need no ids. Any error closes the
connection; the next append opens a new one.

    request:  MAGIC, >I length of the rest;
              >QQQQQI epoch, prev_index, prev_epoch, commit_index, len(leader_id), entry count; leader_id;
              then per entry >QQI index, epoch, len(record); record
    response: MAGIC, >?QQ ok, the follower's epoch, its last index

Both sides check MAGIC first: a connection that reaches something else (a
port a lost region's process still holds, or another server's: a gRPC
server's SETTINGS frame reads as a refusal under an epoch of 2^52) is a
failed append, never an answer believed, so no replica fences itself with
an epoch nobody decided.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from typing import Any

from azlab.nodes.sqs.replication import Entry, Replica

log = logging.getLogger(__name__)
MAGIC = b"AZr1"
HEADER = struct.Struct(">4sI")
REQUEST = struct.Struct(">QQQQQI")
ENTRY = struct.Struct(">QQI")
RESPONSE = struct.Struct(">4s?QQ")
MAX_FRAME = 1 << 30  # far above any batch the leader sends; a length past it is no append
CONNECT_TIMEOUT_S = 1.0


class NotAReplicaStream(ConnectionError):
    """What answered is not a queue replica's replication stream."""


def encode_request(request: dict[str, Any]) -> bytes:
    leader = request["leader_id"].encode()
    parts = [REQUEST.pack(request["epoch"], request["prev_index"], request["prev_epoch"], request["commit_index"],
                          len(leader), len(request["entries"])), leader]
    for entry in request["entries"]:
        parts += [ENTRY.pack(entry.index, entry.epoch, len(entry.record)), entry.record]
    body = b"".join(parts)
    return HEADER.pack(MAGIC, len(body)) + body


def decode_request(body: bytes) -> dict[str, Any]:
    epoch, prev_index, prev_epoch, commit_index, leader_length, count = REQUEST.unpack_from(body)
    at = REQUEST.size
    leader_id = body[at: at + leader_length].decode()
    at += leader_length
    entries = []
    for _ in range(count):
        index, entry_epoch, length = ENTRY.unpack_from(body, at)
        at += ENTRY.size
        entries.append(Entry(index, entry_epoch, body[at: at + length]))
        at += length
    return {"epoch": epoch, "leader_id": leader_id, "prev_index": prev_index, "prev_epoch": prev_epoch,
            "commit_index": commit_index, "entries": entries}


class StreamPeers:
    """The leader's side: one connection per follower address, reopened after any failure."""

    def __init__(self):
        self._connections: dict[str, tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}

    async def send_append(self, address: str, request: dict[str, Any]) -> tuple[bool, int, int]:
        try:
            if address not in self._connections:
                host, port = address.rsplit(":", 1)
                self._connections[address] = await asyncio.wait_for(asyncio.open_connection(host, int(port)),
                                                                    CONNECT_TIMEOUT_S)
            reader, writer = self._connections[address]
            writer.write(encode_request(request))
            await writer.drain()
            magic, ok, epoch, last_index = RESPONSE.unpack(await reader.readexactly(RESPONSE.size))
            if magic != MAGIC:
                raise NotAReplicaStream(f"{address} is not a queue replica's replication stream")
            return ok, epoch, last_index
        except BaseException:  # a timeout or a cancellation included: what the stream holds is unknown now
            self._close(address)
            raise

    def _close(self, address: str) -> None:
        if (connection := self._connections.pop(address, None)) is not None:
            connection[1].close()


async def serve_appends(replica: Replica, host: str, port: int) -> asyncio.Server:
    """The follower's side: answer each append frame in turn."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                magic, length = HEADER.unpack(await reader.readexactly(HEADER.size))
                if magic != MAGIC or length > MAX_FRAME:
                    log.warning("closing a connection that does not speak the replication stream")
                    return
                r = decode_request(await reader.readexactly(length))
                ok, epoch, last_index = await replica.append(r["epoch"], r["leader_id"], r["prev_index"],
                                                             r["prev_epoch"], r["entries"], r["commit_index"])
                writer.write(RESPONSE.pack(MAGIC, ok, epoch, last_index))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(handle, host, port, reuse_address=True)

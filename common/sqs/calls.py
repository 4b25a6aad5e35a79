"""The call stream: SQS calls from the controller to the leader replica over one persistent TCP connection.

Both doors of SQS (the gRPC API and the AWS endpoint) reach the leader through
`LeaderRouter`, and every call crosses this hop, so it is kept cheap: the
request and response are the azlab.sqs.v1 messages, serialized, in binary
frames over asyncio streams (as the replication stream, `nodes/sqs/stream.py`)
rather than a gRPC call, whose client and server machinery cost more CPU than
the leader's own work on a send. Calls are multiplexed: each carries an id and
its answer comes back with it, in any order, so concurrent calls reach the
leader together and share its group commit. Any error closes the connection
and fails every call on it (the router retries them on the leader in force);
the next call opens a new one.

    request:  MAGIC, >QHI call id, len(method), len(request); method (an azlab.sqs.v1.Sqs RPC name); request
    response: MAGIC, >QHHI call id, len(code), len(status), len(payload); code; status; payload
              (code and status empty: payload is the response message; else an error, payload its message)

Both sides check MAGIC on every frame: a call that reaches something else (a
port a lost region's process still holds, another server's) fails as a
connection error, which the router retries on the leader in force, instead
of reading a stranger's bytes as lengths.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import struct
from collections.abc import Awaitable, Callable

from google.protobuf.message import Message

from azlab.common.errors import AzlabError
from azlab.sqs.v1 import sqs_pb2

log = logging.getLogger(__name__)
MAGIC = b"AZc1"
REQUEST = struct.Struct(">4sQHI")
RESPONSE = struct.Struct(">4sQHHI")
CONNECT_TIMEOUT_S = 1.0
METHODS = sqs_pb2.DESCRIPTOR.services_by_name["Sqs"].methods_by_name


class FrameWriter:
    """Frames written in one turn of the event loop leave in one send: on loopback a send (and the peer's wakeup)
    costs more than a frame's own work, and a group commit completes many calls in the same turn."""

    def __init__(self, writer: asyncio.StreamWriter):
        self.writer = writer
        self._frames: list[bytes] = []

    def write(self, frame: bytes) -> None:
        if not self._frames:
            asyncio.get_running_loop().call_soon(self._flush)
        self._frames.append(frame)

    def _flush(self) -> None:
        frames, self._frames = self._frames, []
        if not self.writer.is_closing():
            self.writer.write(b"".join(frames))

    def is_closing(self) -> bool:
        return self.writer.is_closing()


class ReplicaError(AzlabError):
    """An error the leader answered with, passed on with its own code and status."""

    def __init__(self, code: str, status: str, message: str):
        super().__init__(message)
        self.code = code
        self.status = status


class CallChannel:
    """The caller's side: one connection to one replica, reopened by the next call after any failure."""

    def __init__(self, address: str):
        self.address = address
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[asyncio.Future, type[Message], FrameWriter]] = {}
        self._writer: FrameWriter | None = None
        self._connecting: asyncio.Future | None = None

    async def call(self, method: str, request: Message) -> Message:
        """`method` of azlab.sqs.v1.Sqs on the replica. Raises ReplicaError with the replica's error, or
        ConnectionError / asyncio.TimeoutError (the caller's wait_for) when the replica could not answer."""
        writer = self._writer or await self._connect()
        if writer.is_closing():
            raise ConnectionError(f"the connection to {self.address} closed")
        call_id = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._pending[call_id] = (future, getattr(sqs_pb2, METHODS[method].output_type.name), writer)
        name, payload = method.encode(), request.SerializeToString()
        writer.write(REQUEST.pack(MAGIC, call_id, len(name), len(payload)) + name + payload)
        try:
            return await future
        finally:
            self._pending.pop(call_id, None)

    def reset(self) -> None:
        """Drop the connection (a call went unanswered: what it holds is unknown); its calls fail, and the next
        call opens a new one."""
        if self._writer is not None:
            self._writer.writer.close()
            self._writer = None

    async def _connect(self) -> FrameWriter:
        if self._connecting is None:  # concurrent first calls share one connection attempt
            self._connecting = asyncio.ensure_future(self._open())
        try:
            return await asyncio.shield(self._connecting)
        finally:
            if self._connecting is not None and self._connecting.done():
                self._connecting = None

    async def _open(self) -> FrameWriter:
        host, port = self.address.rsplit(":", 1)
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), CONNECT_TIMEOUT_S)
        self._writer = FrameWriter(writer)
        asyncio.get_running_loop().create_task(self._read(reader, self._writer))
        return self._writer

    async def _read(self, reader: asyncio.StreamReader, writer: FrameWriter) -> None:
        failure: BaseException = ConnectionError(f"the connection to {self.address} closed")
        try:
            while True:
                magic, call_id, code_length, status_length, length = RESPONSE.unpack(
                    await reader.readexactly(RESPONSE.size))
                if magic != MAGIC:
                    raise ConnectionError(f"{self.address} does not speak the call stream")
                body = await reader.readexactly(code_length + status_length + length)
                waiting = self._pending.get(call_id)
                if waiting is None or waiting[0].done():
                    continue  # its caller gave up (a timeout, a new leader)
                future, response_class, _ = waiting
                if code_length or status_length:
                    future.set_exception(ReplicaError(body[:code_length].decode(),
                                                      body[code_length:code_length + status_length].decode(),
                                                      body[code_length + status_length:].decode()))
                else:
                    future.set_result(response_class.FromString(body))
        except (asyncio.IncompleteReadError, ConnectionError, OSError) as e:
            failure = ConnectionError(f"the connection to {self.address} failed: {e!r}")
        finally:
            if self._writer is writer:
                self._writer = None
            writer.writer.close()
            for future, _, on in self._pending.values():
                if on is writer and not future.done():  # calls on a newer connection are not this one's
                    future.set_exception(failure)


Handler = Callable[[Message], Awaitable[Message]]


async def serve_calls(handlers: dict[str, Handler], host: str, port: int) -> asyncio.Server:
    """The replica's side: run each call's handler as its own task (so concurrent calls commit together) and
    answer in completion order. An AzlabError goes back with its code and status; anything else as
    InternalFailure."""

    typed = {name: (handler, getattr(sqs_pb2, METHODS[name].input_type.name)) for name, handler in handlers.items()}

    async def answer(writer: FrameWriter, call_id: int, method: str, payload: bytes) -> None:
        code = status = ""
        entry = typed.get(method)
        try:
            if entry is None:
                raise NotImplementedError(f"no such call: {method}")
            handler, request_class = entry
            body = (await handler(request_class.FromString(payload))).SerializeToString()
        except AzlabError as e:
            code, status, body = e.code, e.status, e.message.encode()
        except NotImplementedError as e:
            code, status, body = "NotImplemented", "UNIMPLEMENTED", (str(e) or "not implemented").encode()
        except Exception as e:
            log.exception("%s failed", method)
            code, status, body = "InternalFailure", "INTERNAL", f"{type(e).__name__}: {e}".encode()
        if not writer.is_closing():
            code_b, status_b = code.encode(), status.encode()
            writer.write(RESPONSE.pack(MAGIC, call_id, len(code_b), len(status_b), len(body)) + code_b + status_b + body)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tasks: set[asyncio.Task] = set()
        loop = asyncio.get_running_loop()
        frames = FrameWriter(writer)
        try:
            while True:
                magic, call_id, name_length, length = REQUEST.unpack(await reader.readexactly(REQUEST.size))
                if magic != MAGIC:
                    log.warning("closing a connection that does not speak the call stream")
                    return
                body = await reader.readexactly(name_length + length)
                task = loop.create_task(answer(frames, call_id, body[:name_length].decode(), body[name_length:]))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(handle, host, port, reuse_address=True)

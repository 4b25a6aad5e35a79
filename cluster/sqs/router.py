"""Forwarding SQS calls to the leader replica, following it across failovers.

Both the gRPC API and the AWS endpoint call `LeaderRouter.call`. A call that
meets a dead, fenced or cut-off leader is sent again to the next leader as
soon as the controller names one: the caller sees one slow call, not an error,
unless no leader appears within the retry budget. A call is abandoned (and
retried) the moment the configuration changes under it, so a call stuck on a
cut-off leader does not wait out its timeout.

Retries are at-least-once, as SQS is: a send whose acknowledgement was lost
with its leader may be stored twice on a standard queue (FIFO queues drop the
second by its deduplication id).
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import grpc
from google.protobuf.message import Message

from azlab.common.sqs.calls import CallChannel, ReplicaError
from azlab.common.sqs.errors import LeaderUnavailable
from azlab.sqs.v1 import replica_pb2_grpc

RETRY_BUDGET_S = 15.0
ATTEMPT_TIMEOUT_S = 5.0
RETRY_PAUSE_S = 0.05
# Channels between the controller and the replicas, and among replicas. A replica comes back after
# restore-az: reconnect within a second, not after gRPC's default backoff of up to two minutes.
CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", 64 * 1024 * 1024),
    ("grpc.max_send_message_length", 64 * 1024 * 1024),
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 1000),
]


class Leadership(Protocol):
    def activate(self) -> None:
        """A call has come: the replicas must run."""

    def leader_address(self) -> tuple[str, int]:
        """(host:port of the leader's call stream, or "" while there is none; the epoch)."""

    def configuration_changed(self) -> asyncio.Event:
        """Set when the leader or epoch changes."""


class ReplicaChannels:
    """The controller's connections to the replicas, opened in its event loop and kept: per address, a gRPC
    stub of SqsReplica (configuration and status) or a call stream (the data calls, `calls`)."""

    def __init__(self):
        self._stubs: dict[str, replica_pb2_grpc.SqsReplicaStub] = {}
        self._calls: dict[str, CallChannel] = {}

    def replica(self, address: str) -> replica_pb2_grpc.SqsReplicaStub:
        if address not in self._stubs:  # a stub is built per address once: building one costs more than a call
            self._stubs[address] = replica_pb2_grpc.SqsReplicaStub(
                grpc.aio.insecure_channel(address, options=CHANNEL_OPTIONS))
        return self._stubs[address]

    def calls(self, address: str) -> CallChannel:
        if address not in self._calls:
            self._calls[address] = CallChannel(address)
        return self._calls[address]


class LeaderRouter:
    def __init__(self, leadership: Leadership, channels: ReplicaChannels, retry_budget_s: float = RETRY_BUDGET_S):
        self.leadership = leadership
        self.channels = channels
        self.retry_budget_s = retry_budget_s
        self._watched: asyncio.Event | None = None
        self._watcher: asyncio.Future | None = None

    async def call(self, method: str, request: Message, wait_s: float = 0.0) -> Any:
        """`method` of azlab.sqs.v1.Sqs on the leader; `wait_s`: how long the call itself may take (long polls)."""
        self.leadership.activate()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.retry_budget_s + wait_s
        last_failure = "no leader elected yet"
        while loop.time() < deadline:
            changed = self.leadership.configuration_changed()
            address, epoch = self.leadership.leader_address()
            if not address:
                await _first(changed.wait(), RETRY_PAUSE_S * 4)
                continue
            attempt = asyncio.ensure_future(self.channels.calls(address).call(method, request))
            waiter = self._watch(changed)
            done, _ = await asyncio.wait({attempt, waiter}, timeout=ATTEMPT_TIMEOUT_S + wait_s,
                                         return_when=asyncio.FIRST_COMPLETED)
            if attempt not in done:  # a new leader (whatever this one answers no longer counts), or no answer
                attempt.cancel()
                if waiter not in done:
                    self.channels.calls(address).reset()
                    last_failure = f"epoch {epoch} leader at {address}: no answer"
                continue
            try:
                return attempt.result()
            except ReplicaError as e:
                if e.code != LeaderUnavailable.code:
                    raise
                last_failure = f"epoch {epoch} leader at {address}: {e.message}"
            except (ConnectionError, OSError, asyncio.TimeoutError) as e:
                last_failure = f"epoch {epoch} leader at {address}: {e}"
            await _first(changed.wait(), RETRY_PAUSE_S)
        raise LeaderUnavailable(f"no queue replica could acknowledge within {self.retry_budget_s:.0f}s "
                                f"({last_failure})")

    def _watch(self, changed: asyncio.Event) -> asyncio.Future:
        """Done when `changed` is set: one waiter per configuration, shared by every call made under it
        (a waiting task per call cost more than the rest of the call's routing)."""
        if self._watched is not changed:
            self._watched, self._watcher = changed, asyncio.ensure_future(changed.wait())
        return self._watcher


async def _first(awaitable, timeout_s: float) -> None:
    try:
        await asyncio.wait_for(awaitable, timeout_s)
    except asyncio.TimeoutError:
        pass

"""The node side of a replicated data plane, shared by every member: its epoch guard and its gRPC server.

A member is told its configuration by the region under an epoch
(azlab.member.v1.Member, Configure) and says what it holds (Status). The one
rule every member keeps is the `EpochGuard`'s: an epoch, once seen, is made
durable before the member acts on it, and nothing under an older one is
taken. Pushes may then repeat and cross, a restarted controller (which
persisted its epoch before telling anyone) never moves a member back, and a
leader that learns of a newer epoch steps down.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from azlab.common.errors import AzlabError
from azlab.common.rpc import ErrorInterceptor
from azlab.member.v1 import member_pb2_grpc


class StaleEpoch(AzlabError):
    status = "FAILED_PRECONDITION"
    code = "StaleEpoch"


class EpochGuard:
    """The highest epoch this member has seen; `persist` makes a newer one durable before it is adopted."""

    def __init__(self, epoch: int, persist: Callable[[int], None]):
        self.epoch = epoch
        self._persist = persist

    def check(self, epoch: int) -> None:
        """Refuse what comes under an older epoch than this member holds."""
        if epoch < self.epoch:
            raise StaleEpoch(f"epoch {epoch} is older than the {self.epoch} this member holds")

    def observe(self, epoch: int) -> bool:
        """Adopt `epoch` if newer (durably first); True when it was: a leader of an older epoch steps down."""
        if epoch <= self.epoch:
            return False
        self._persist(epoch)
        self.epoch = epoch
        return True

    def admit(self, epoch: int) -> bool:
        """`check`, then `observe`: what a Configure does first. True when the epoch is new to this member."""
        self.check(epoch)
        return self.observe(epoch)


async def serve_member(servicer: member_pb2_grpc.MemberServicer, listen: str,
                       also: Sequence[Callable[[grpc.aio.Server], None]] = ()) -> tuple[grpc.aio.Server, health.aio.HealthServicer]:
    """A started gRPC server on `listen` (host:port) with the Member contract, grpc.health.v1 (SERVING) and
    whatever `also` adds; the caller stops it (`enter_graceful_shutdown` on the health servicer first)."""
    server = grpc.aio.server(interceptors=[ErrorInterceptor()], options=[("grpc.so_reuseport", 0)])
    member_pb2_grpc.add_MemberServicer_to_server(servicer, server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for add in also:
        add(server)
    if server.add_insecure_port(listen) == 0:
        raise SystemExit(f"cannot bind {listen}")
    await server.start()
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    return server, health_servicer

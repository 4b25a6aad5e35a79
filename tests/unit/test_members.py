"""The member side's shared parts (azlab.common.members) over a real gRPC server on loopback, reached as the
runtime reaches it (azlab.cluster.replicated.MemberChannels)."""

from __future__ import annotations

import asyncio
import socket

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from azlab.cluster.replicated import MemberChannels
from azlab.common.members import EpochGuard, StaleEpoch, serve_member
from azlab.member.v1 import member_pb2, member_pb2_grpc


def test_the_guard_persists_a_newer_epoch_before_adopting_it_and_refuses_an_older_one():
    persisted: list[int] = []
    guard = EpochGuard(3, persisted.append)
    assert not guard.admit(3) and persisted == []
    assert guard.admit(5) and (guard.epoch, persisted) == (5, [5])
    with pytest.raises(StaleEpoch):
        guard.admit(4)
    assert guard.epoch == 5 and not guard.observe(4)


class Remembering(member_pb2_grpc.MemberServicer):
    def __init__(self):
        self.guard = EpochGuard(0, lambda epoch: None)
        self.settings = b""

    async def Configure(self, request, context):
        self.guard.admit(request.epoch)
        self.settings = request.settings.value
        return await self.Status(None, context)

    async def Status(self, request, context):
        return member_pb2.MemberStatus(member_id="m", epoch=self.guard.epoch, role="serving")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_member_server_takes_its_configuration_refuses_a_stale_one_and_says_it_serves():
    async def run():
        address = f"127.0.0.1:{free_port()}"
        servicer = Remembering()
        server, health = await serve_member(servicer, address)
        channels = MemberChannels()
        try:
            said = await channels.configure(address, member_pb2.ConfigureRequest(epoch=2), 2.0)
            assert (said.epoch, said.role) == (2, "serving")
            assert await channels.configure(address, member_pb2.ConfigureRequest(epoch=1), 2.0) is None
            assert (await channels.status(address, 2.0)).epoch == 2
            async with grpc.aio.insecure_channel(address) as channel:
                answer = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2.0)
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
        finally:
            await server.stop(0)
        assert await channels.status(address, 0.5) is None
    asyncio.run(run())

"""azlab.sqs.v1.Sqs on the controller: every data call goes, unchanged, to the leader replica."""

from __future__ import annotations

from typing import TYPE_CHECKING

from azlab.sqs.v1 import sqs_pb2, sqs_pb2_grpc

if TYPE_CHECKING:
    from azlab.cluster.sqs.service import SqsService

# Every RPC of the contract but DescribeQueueReplicas, which the controller answers itself.
FORWARDED = tuple(m.name for m in sqs_pb2.DESCRIPTOR.services_by_name["Sqs"].methods
                  if m.name != "DescribeQueueReplicas")


def long_poll_s(method: str, request) -> float:
    """How long the leader may hold `request` before answering (ReceiveMessage's WaitTimeSeconds)."""
    if method == "ReceiveMessage" and request.HasField("wait_time_seconds"):
        return max(0, request.wait_time_seconds)
    return 20.0 if method == "ReceiveMessage" else 0.0  # the queue's own default wait is at most 20 s


class SqsServicer(sqs_pb2_grpc.SqsServicer):
    def __init__(self, service: SqsService):
        self.service = service

    async def DescribeQueueReplicas(self, request, context):
        return self.service.describe()


def _forward(method: str):
    async def forward(self: SqsServicer, request, context):
        return await self.service.router.call(method, request, long_poll_s(method, request))

    forward.__name__ = method
    return forward


for _method in FORWARDED:
    setattr(SqsServicer, _method, _forward(_method))

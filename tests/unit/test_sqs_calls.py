"""SQS calls as the controller makes them: a LeaderRouter in front of three queue replicas in one event loop,
the call stream and the replication stream on real loopback ports, real files and fsync."""

from __future__ import annotations

import asyncio

import pytest

from azlab.common.sqs.calls import METHODS, ReplicaError, serve_calls
from azlab.cluster.sqs.router import LeaderRouter, ReplicaChannels
from azlab.nodes.sqs.replication import Replica
from azlab.nodes.sqs.server import SqsCalls
from azlab.nodes.sqs.stream import StreamPeers, serve_appends
from azlab.sqs.v1 import sqs_pb2

IDS = ("a", "b", "c")


class Region:
    """The controller's part: it names the leader and the epoch, and the router follows (`Leadership`)."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.replicas: dict[str, Replica] = {}
        self.call_addresses: dict[str, str] = {}
        self.peers: dict[str, str] = {}
        self.servers: list[asyncio.Server] = []
        self.leader, self.epoch = "", 0
        self.changed = asyncio.Event()
        self.router = LeaderRouter(self, ReplicaChannels(), retry_budget_s=5.0)

    async def __aenter__(self) -> Region:
        for r in IDS:
            replica = self.replicas[r] = Replica(r, self.tmp_path / r, "lab-1", StreamPeers().send_append)
            appends = await serve_appends(replica, "127.0.0.1", 0)
            servicer = SqsCalls(replica)
            calls = await serve_calls({m: getattr(servicer, m) for m in METHODS if hasattr(servicer, m)},
                                      "127.0.0.1", 0)
            self.servers += [appends, calls]
            self.peers[r] = f"127.0.0.1:{appends.sockets[0].getsockname()[1]}"
            self.call_addresses[r] = f"127.0.0.1:{calls.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc) -> None:
        for server in self.servers:
            server.close()
        for replica in self.replicas.values():
            replica.close()

    def configure(self, epoch: int, leader: str) -> None:
        """What the replicas are told; the router learns it only from `announce`."""
        for replica in self.replicas.values():
            replica.configure(epoch, leader, self.peers, "http://endpoint")

    def announce(self, epoch: int, leader: str) -> None:
        self.epoch, self.leader = epoch, leader
        self.changed.set()
        self.changed = asyncio.Event()

    # Leadership, as SqsService has it
    def activate(self) -> None:
        pass

    def leader_address(self) -> tuple[str, int]:
        return self.call_addresses.get(self.leader, ""), self.epoch

    def configuration_changed(self) -> asyncio.Event:
        return self.changed

    def leader_failed(self, address: str, epoch: int) -> None:
        pass  # the router follows only what is announced

    async def create_queue(self, name: str) -> str:
        return (await self.router.call("CreateQueue", sqs_pb2.CreateQueueRequest(queue_name=name))).queue_url

    def send(self, url: str, body: str):
        return self.router.call("SendMessage", sqs_pb2.SendMessageRequest(queue_url=url, message_body=body))


def holders(region: Region, message_id: str) -> int:
    return sum(any(message_id in q.messages for q in r.model.queues.values()) for r in region.replicas.values())


def run(tmp_path, leader: str, story) -> None:
    """`story(region)` with the replicas up and `leader` leading under epoch 1."""
    async def main():
        async with Region(tmp_path) as region:
            region.configure(1, leader)
            region.announce(1, leader)
            await story(region)
    asyncio.run(main())


def test_concurrent_sends_are_each_acknowledged_once_on_a_majority(tmp_path):
    async def story(region):
        url = await region.create_queue("jobs")
        answers = await asyncio.wait_for(asyncio.gather(*(region.send(url, f"m{i}") for i in range(50))), 10)
        ids = [a.message_id for a in answers]
        assert len(set(ids)) == 50
        assert all(holders(region, i) >= 2 for i in ids)
    run(tmp_path, "a", story)


def test_the_leader_s_error_comes_back_with_its_aws_code(tmp_path):
    async def story(region):
        with pytest.raises(ReplicaError) as error:
            await region.send("http://endpoint/000000000000/missing", "m")
        assert (error.value.code, error.value.status) == ("QueueDoesNotExist", "NOT_FOUND")
    run(tmp_path, "b", story)


def test_a_call_meeting_a_deposed_leader_is_answered_by_the_next_one(tmp_path):
    async def story(region):
        url = await region.create_queue("jobs")
        region.configure(2, "c")  # a is a follower now; the router still sends to it
        call = asyncio.ensure_future(region.send(url, "after"))
        await asyncio.sleep(0.2)
        assert not call.done()  # refused by a (not the leader), retried, not failed
        region.announce(2, "c")
        answer = await asyncio.wait_for(call, 5)
        assert holders(region, answer.message_id) >= 2
        assert region.replicas["c"].role == "leader"
    run(tmp_path, "a", story)

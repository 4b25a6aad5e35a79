"""The replicated log's rules with three replicas in one event loop: real files and fsync, no sockets.

The transport between them is a dict; a replica in `cut` neither sends nor receives.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import time

import pytest

from azlab.common.members import StaleEpoch
from azlab.common.sqs.errors import LeaderUnavailable
from azlab.nodes.sqs.replication import DurableLog, Replica

IDS = ("a", "b", "c")


class Cluster:
    def __init__(self, tmp_path):
        self.cut: set[str] = set()
        self.replicas = {r: Replica(r, tmp_path / r, "lab-1", self._sender(r)) for r in IDS}

    def _sender(self, source: str):
        async def send(address: str, request: dict):
            if source in self.cut or address in self.cut:
                raise ConnectionError(f"{source} -> {address} cut")
            r = request
            return await self.replicas[address].append(r["epoch"], r["leader_id"], r["prev_index"], r["prev_epoch"],
                                                       r["entries"], r["commit_index"])
        return send

    def configure(self, epoch: int, leader: str, members=IDS) -> None:
        for r in members:
            self.replicas[r].configure(epoch, leader, {p: p for p in IDS}, "http://endpoint")

    async def send(self, leader: str, body: str, queue: str = "jobs") -> None:
        replica = self.replicas[leader]
        replica.require_leader()
        url = replica.model.queue_url(queue)
        if queue not in replica.model.queues:
            await replica.commit(replica.model.create_queue(queue, {}, {}, time.time())[1])
        await replica.commit(replica.model.send_message(url, body, time.time())[1])


def bodies(replica: Replica, queue: str = "jobs") -> list[str]:
    q = replica.model.queues.get(queue)
    return [m.body for m in q.messages.values()] if q else []


@pytest.fixture
def cluster(tmp_path):
    return Cluster(tmp_path)


def run(coro):
    return asyncio.run(coro)


def test_an_acknowledged_send_is_durable_on_a_majority(cluster):
    async def story():
        cluster.configure(1, "a")
        cluster.cut.add("c")
        await asyncio.wait_for(cluster.send("a", "m1"), 5)  # a and b make a majority
        assert bodies(cluster.replicas["b"]) == ["m1"]
        assert bodies(cluster.replicas["c"]) == []
    run(story())


def test_without_a_majority_the_leader_acknowledges_nothing(cluster):
    async def story():
        cluster.configure(1, "a")
        cluster.cut.update({"b", "c"})
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(cluster.send("a", "m1"), 1.0)
    run(story())


def test_a_fenced_old_leader_acknowledges_nothing_and_steps_down(cluster):
    async def story():
        cluster.configure(1, "a")
        await cluster.send("a", "before")
        while len({r.log.last_index for r in cluster.replicas.values()}) > 1:  # the third replica's append lands
            await asyncio.sleep(0.01)
        # the controller fails over to b under epoch 2; a is cut off and does not hear of it
        cluster.cut.add("a")
        cluster.configure(2, "b", members=("b", "c"))
        old = asyncio.ensure_future(cluster.send("a", "lost"))
        await asyncio.sleep(0.3)
        assert not old.done()
        await cluster.send("b", "after")
        cluster.cut.clear()  # a hears epoch 2 refusing its appends
        with pytest.raises(LeaderUnavailable):
            await asyncio.wait_for(old, 5)
        # told by b's refusal (fenced) or by b's own appends (follower), whichever came first
        assert cluster.replicas["a"].role in ("fenced", "follower") and cluster.replicas["a"].epoch == 2
        # brought back as a follower, a drops what it never got acknowledged
        cluster.configure(2, "b", members=("a",))
        await cluster.send("b", "later")
        await asyncio.sleep(0.3)
        assert bodies(cluster.replicas["a"]) == ["before", "after", "later"]
    run(story())


def test_replicas_refuse_an_older_epoch(cluster):
    async def story():
        cluster.configure(3, "b")
        with pytest.raises(StaleEpoch):
            cluster.replicas["c"].configure(2, "a", {p: p for p in IDS}, "")
        assert (cluster.replicas["c"].epoch, cluster.replicas["c"].leader_id) == (3, "b")
        ok, epoch, _ = await cluster.replicas["c"].append(2, "a", 0, 0, [], 0)
        assert not ok and epoch == 3
    run(story())


def test_a_restarted_replica_reads_its_log_and_epoch_back(cluster, tmp_path):
    async def story():
        cluster.configure(4, "a")
        await cluster.send("a", "m1")
        await cluster.send("a", "m2")
    run(story())
    for replica in cluster.replicas.values():
        replica.close()
    again = Replica("b", tmp_path / "b", "lab-1", None)
    assert again.epoch == 4 and bodies(again) == ["m1", "m2"]


def test_a_torn_last_frame_is_cut_off(tmp_path):
    log = DurableLog(tmp_path / "x")
    log.append(1, json.dumps({"op": "noop"}).encode())
    log.sync()
    log.close()
    whole = os.path.getsize(tmp_path / "x" / "log")
    with open(tmp_path / "x" / "log", "ab") as f:
        f.write(b"\x00\x00\x01\x00" + bytes(16) + b"{partial")
    reopened = DurableLog(tmp_path / "x")
    assert reopened.last_index == 1
    assert os.path.getsize(tmp_path / "x" / "log") == whole


def test_the_replication_stream_frames_an_append_losslessly():
    from azlab.nodes.sqs.replication import Entry
    from azlab.nodes.sqs.stream import decode_request, encode_request

    request = {"epoch": 7, "leader_id": "sqs-lab-1b", "prev_index": 41, "prev_epoch": 6, "commit_index": 40,
               "entries": [Entry(42, 7, b'{"op":"noop"}'), Entry(43, 7, "é".encode())]}
    frame = encode_request(request)
    assert frame[:4] == b"AZr1" and int.from_bytes(frame[4:8], "big") == len(frame) - 8
    assert decode_request(frame[8:]) == request


def test_neither_stream_believes_a_server_that_does_not_speak_it(tmp_path):
    """A port held by something else (here a gRPC server, as a lost region's process may still hold one): the
    leader's append and the router's call fail as connection errors, and a replica reached by a stranger changes
    nothing. A gRPC server's SETTINGS frame, read as an append's answer, said "refused under epoch 2^52"."""
    from azlab.common.members import serve_member
    from azlab.common.sqs.calls import CallChannel
    from azlab.member.v1 import member_pb2_grpc
    from azlab.nodes.sqs.stream import StreamPeers, serve_appends
    from azlab.sqs.v1 import sqs_pb2

    async def story():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        grpc_server, _ = await serve_member(member_pb2_grpc.MemberServicer(), f"127.0.0.1:{port}")
        try:
            append = {"epoch": 3, "leader_id": "a", "prev_index": 0, "prev_epoch": 0, "commit_index": 0, "entries": []}
            with pytest.raises(ConnectionError):
                await asyncio.wait_for(StreamPeers().send_append(f"127.0.0.1:{port}", append), 5)
            with pytest.raises(ConnectionError):
                await asyncio.wait_for(CallChannel(f"127.0.0.1:{port}").call("ListQueues", sqs_pb2.ListQueuesRequest()),
                                       5)
        finally:
            await grpc_server.stop(0)

        follower = Replica("b", tmp_path / "b", "lab-1", None)
        appends = await serve_appends(follower, "127.0.0.1", 0)
        reader, writer = await asyncio.open_connection(*appends.sockets[0].getsockname()[:2])
        writer.write(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes.fromhex("000018040000000000") + bytes(24))
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), 5) == b""  # closed, unanswered
        writer.close()
        appends.close()
        assert (follower.epoch, follower.log.last_index) == (0, 0)
    asyncio.run(story())

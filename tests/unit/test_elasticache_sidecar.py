"""The sidecar next to a Redis engine, over the node contract (azlab.member.v1.Member), no region: two real
redis-servers on loopback, each with its sidecar, told and asked as the controller tells and asks them."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time

import grpc
import pytest
import redis

from azlab.elasticache.v1.member_pb2 import RedisMemberDetail, RedisMemberSettings
from azlab.member.v1 import member_pb2, member_pb2_grpc

HOST = "127.0.0.1"
pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Node:
    """One engine and its sidecar, as a node runs them."""

    def __init__(self, member_id: str, directory):
        self.member_id = member_id
        self.directory = directory
        self.port, self.sidecar_port = free_port(), free_port()
        directory.mkdir()
        self.engine = self.sidecar = None
        self.stub = member_pb2_grpc.MemberStub(grpc.insecure_channel(f"{HOST}:{self.sidecar_port}"))

    def start_engine(self) -> None:
        self.engine = subprocess.Popen(
            ["redis-server", "--bind", HOST, "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.directory), "--logfile", ""], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(HOST, self.port).ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def start_sidecar(self) -> None:
        self.sidecar = subprocess.Popen([
            sys.executable, "-m", "azlab.nodes.elasticache.sidecar", "--member-id", self.member_id,
            "--listen", f"{HOST}:{self.sidecar_port}", "--engine", f"{HOST}:{self.port}",
            "--state-file", str(self.directory / "sidecar.state")])
        self.stub.Status(member_pb2.StatusRequest(), timeout=15, wait_for_ready=True)

    def stop(self, process) -> None:
        process.kill()
        process.wait()

    @property
    def client(self) -> redis.Redis:
        return redis.Redis(HOST, self.port, socket_timeout=5)

    def status(self) -> member_pb2.MemberStatus:
        return self.stub.Status(member_pb2.StatusRequest(), timeout=5)

    def configure(self, epoch: int, leader: "Node", **settings) -> member_pb2.MemberStatus:
        role = "primary" if leader is self else "replica"
        request = member_pb2.ConfigureRequest(epoch=epoch, leader=leader.member_id)
        request.settings.Pack(RedisMemberSettings(role=role, primary_address=HOST, primary_port=leader.port, **settings))
        return self.stub.Configure(request, timeout=5)


@pytest.fixture
def nodes(tmp_path):
    started = [Node("cache-001", tmp_path / "a"), Node("cache-002", tmp_path / "b")]
    for node in started:
        node.start_engine()
        node.start_sidecar()
    yield started
    for node in started:
        for process in (node.sidecar, node.engine):
            if process.poll() is None:
                node.stop(process)


def detail(status: member_pb2.MemberStatus) -> RedisMemberDetail:
    found = RedisMemberDetail()
    assert status.detail.Unpack(found)
    return found


def synced(replica: Node, primary: Node, wait_s: float = 10) -> member_pb2.MemberStatus:
    """The replica's status once it holds all the primary has."""
    deadline = time.monotonic() + wait_s
    while True:
        status, at = replica.status(), primary.status()
        if status.role == "replica" and detail(status).link_up and list(status.position) == list(at.position):
            return status
        assert time.monotonic() < deadline, f"{replica.member_id} never caught up: {status}"
        time.sleep(0.05)


def test_configure_makes_one_engine_primary_and_the_other_its_replica_and_status_says_how_far_each_is(nodes):
    a, b = nodes
    told = a.configure(0, leader=a)
    assert (told.member_id, told.epoch, told.leader, told.role) == ("cache-001", 0, "cache-001", "master")
    told = b.configure(0, leader=a)
    assert (told.role, detail(told).master_address, detail(told).master_port) == ("replica", HOST, a.port)
    a.client.set("k", "v")
    status = synced(b, a)
    assert status.position[0] > 0 and b.client.get("k") == b"v"
    assert b.client.info("replication")["role"] == "slave"


def test_a_stale_epoch_is_refused_and_changes_nothing(nodes):
    a, b = nodes
    b.configure(3, leader=a)
    with pytest.raises(grpc.RpcError) as refused:
        b.configure(2, leader=b)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "older" in refused.value.details()
    status = b.status()
    assert (status.epoch, status.leader, status.role) == (3, "cache-001", "replica")


def test_settings_of_another_type_are_refused(nodes):
    a, _ = nodes
    request = member_pb2.ConfigureRequest(epoch=1, leader=a.member_id)
    request.settings.Pack(member_pb2.StatusRequest())
    with pytest.raises(grpc.RpcError) as refused:
        a.stub.Configure(request, timeout=5)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert a.status().epoch == 0


def test_a_primary_told_a_newer_epoch_naming_another_leader_acknowledges_no_write(nodes):
    a, b = nodes
    a.configure(1, leader=a)
    b.configure(1, leader=a)
    writer = a.client
    writer.set("before", "1")
    synced(b, a)
    b.configure(2, leader=b)  # the failover: the new primary first, as the region tells it
    told = a.configure(2, leader=b)
    assert (told.epoch, told.leader, told.role) == (2, "cache-002", "replica")
    with pytest.raises(redis.ReadOnlyError):
        writer.set("after", "1")  # the same client, the same connection: refused, not acknowledged
    b.client.set("after", "2")
    assert synced(a, b) and a.client.get("after") == b"2"


def test_the_epoch_outlives_a_restarted_sidecar(nodes):
    a, b = nodes
    b.configure(5, leader=a)
    b.stop(b.sidecar)
    b.start_sidecar()
    assert (b.status().epoch, b.status().leader) == (5, "cache-001")
    with pytest.raises(grpc.RpcError):
        b.configure(4, leader=b)


def test_the_sidecar_answers_while_its_engine_is_down(nodes):
    a, _ = nodes
    a.configure(1, leader=a)
    a.stop(a.engine)
    status = a.status()
    assert (status.member_id, status.epoch, status.role, list(status.position)) == ("cache-001", 1, "down", [])
    with pytest.raises(grpc.RpcError) as refused:
        a.configure(1, leader=a)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE

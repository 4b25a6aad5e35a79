"""A queue replica's process over the node contract (azlab.member.v1.Member), no region: one replica, its own
majority, told and asked as the controller tells and asks it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import grpc
import pytest

from azlab.member.v1 import member_pb2, member_pb2_grpc
from azlab.sqs.v1.replica_pb2 import SqsReplicaDetail, SqsReplicaSettings

HOST = "127.0.0.1"
REPLICA = "sqs-lab-1a"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Replica:
    def __init__(self, data_dir):
        self.ports = [free_port() for _ in range(3)]
        self.data_dir = data_dir
        self.process: subprocess.Popen | None = None
        self.stub = member_pb2_grpc.MemberStub(grpc.insecure_channel(f"{HOST}:{self.ports[0]}"))

    def start(self) -> None:
        member, replication, calls = (f"{HOST}:{p}" for p in self.ports)
        self.process = subprocess.Popen([
            sys.executable, "-m", "azlab.nodes.sqs.server", "--replica-id", REPLICA, "--listen", member,
            "--replication-listen", replication, "--call-listen", calls, "--data-dir", str(self.data_dir),
            "--region", "lab-1"])
        self.status(wait_s=15)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()

    def status(self, wait_s: float = 5) -> member_pb2.MemberStatus:
        return self.stub.Status(member_pb2.StatusRequest(), timeout=wait_s, wait_for_ready=True)

    def configure(self, epoch: int, leader: str = REPLICA, settings=None) -> member_pb2.MemberStatus:
        request = member_pb2.ConfigureRequest(epoch=epoch, leader=leader)
        if settings is None:
            settings = SqsReplicaSettings(peers={REPLICA: f"{HOST}:{self.ports[1]}"}, queue_url_base="http://aws")
        request.settings.Pack(settings)
        return self.stub.Configure(request, timeout=5)


@pytest.fixture
def replica(tmp_path):
    r = Replica(tmp_path / REPLICA)
    r.start()
    yield r
    r.stop()


def commit_index(status: member_pb2.MemberStatus) -> int:
    detail = SqsReplicaDetail()
    assert status.detail.Unpack(detail)
    return detail.commit_index


def test_a_replica_told_to_lead_leads_and_says_how_far_its_log_reaches(replica):
    assert replica.status().role == "new"
    status = replica.configure(epoch=1)
    assert (status.member_id, status.epoch, status.leader, status.role) == (REPLICA, 1, REPLICA, "leader")
    assert list(status.position) == [1, 1]  # its own epoch's first entry: the one a new leader appends
    deadline = time.monotonic() + 10
    while commit_index(replica.status()) < 1:  # a majority of one: committed once fsync'd
        assert time.monotonic() < deadline, "the leader's first entry never committed"
        time.sleep(0.05)


def test_an_older_epoch_is_refused_and_changes_nothing(replica):
    replica.configure(epoch=3)
    with pytest.raises(grpc.RpcError) as refused:
        replica.configure(epoch=2, leader="sqs-lab-1b")
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "epoch" in refused.value.details()
    status = replica.status()
    assert (status.epoch, status.leader, status.role) == (3, REPLICA, "leader")


def test_settings_of_another_kind_are_refused(replica):
    with pytest.raises(grpc.RpcError) as refused:
        replica.configure(epoch=1, settings=member_pb2.StatusRequest())
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "SqsReplicaSettings" in refused.value.details()
    assert (replica.status().epoch, replica.status().role) == (0, "new")


def test_a_restarted_replica_holds_its_epoch_and_log_untold(replica):
    replica.configure(epoch=4)
    replica.stop()
    replica.start()
    status = replica.status()
    assert (status.epoch, list(status.position), status.role) == (4, [4, 1], "new")
    with pytest.raises(grpc.RpcError) as refused:
        replica.configure(epoch=3)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION

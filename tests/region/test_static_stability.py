"""Static stability: the data plane goes on while the region controller is SIGKILLed and Ray restarts it.

boto3 producers and consumers on the AWS endpoint, a redis client writing to an ElastiCache group and a
Memcached client asking its configuration endpoint `config get cluster`, all while the controller dies and
comes back: no SQS call fails beyond the client's own retries, nothing acknowledged is lost, and the
restarted controller adopts every process it finds (the same pids, still serving).

One region for the module: netns where this host allows it, else loopback.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

import boto3
import botocore.config
import pytest
import redis
from azlab.cluster.elasticache import engines
from azlab.common.network import NetnsNetwork
from azlab.elasticache.v1 import elasticache_pb2 as pb
from azlab.region.v1 import region_pb2
from azlab.sqs.v1 import sqs_pb2
from botocore.exceptions import BotoCoreError, ClientError

from tests.checker import ClientLoad, NotAcknowledged, assert_no_failures, check

from .conftest import best_isolation, bring_up, tear_down, wait_until

pytestmark = [
    pytest.mark.region,
    pytest.mark.skipif(engines.missing() is not None, reason=f"ElastiCache engines: {engines.missing()}"),
]
AZS = ["lab-1a", "lab-1b", "lab-1c"]
# The client's own retries, stated rather than left to botocore's defaults: a call that raises failed for
# longer than three attempts.
CLIENT_CONFIG = botocore.config.Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2,
                                       read_timeout=10)
DATA_PLANE = ("azlab.nodes.sqs.server", "redis-server", "memcached", "azlab.cluster.frontend")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab = bring_up(tmp_path_factory, best_isolation())
    yield lab
    tear_down(lab)


@pytest.fixture(scope="module")
def endpoint(lab) -> str:
    return lab.client.region.DescribeRegion(region_pb2.DescribeRegionRequest()).region.endpoints.aws_http


def sqs_client(endpoint: str):
    return boto3.client("sqs", endpoint_url=f"http://{endpoint}", region_name="lab-1", aws_access_key_id="lab",
                        aws_secret_access_key="lab", config=CLIENT_CONFIG)


@pytest.fixture(scope="module")
def queue(lab, endpoint) -> str:
    client = sqs_client(endpoint)

    def created():
        try:
            return client.create_queue(QueueName="orders")["QueueUrl"]
        except ClientError:
            return None  # the replicas are still electing their first leader

    return wait_until(created, 90, "the SQS replicas to elect a leader")


@pytest.fixture(scope="module")
def group(lab) -> pb.ReplicationGroup:
    es = lab.client.elasticache
    es.CreateReplicationGroup(pb.CreateReplicationGroupRequest(
        replication_group_id="carts", num_cache_clusters=3, automatic_failover_enabled=True, multi_az_enabled=True))

    def available():
        [g] = es.DescribeReplicationGroups(pb.DescribeReplicationGroupsRequest(replication_group_id="carts")).replication_groups
        return g if g.status == "available" else None

    return wait_until(available, 90, "replication group carts available")


@pytest.fixture(scope="module")
def catalog(lab) -> pb.CacheCluster:
    es = lab.client.elasticache
    es.CreateCacheCluster(pb.CreateCacheClusterRequest(cache_cluster_id="catalog", engine="memcached", num_cache_nodes=3))

    def available():
        [c] = es.DescribeCacheClusters(pb.DescribeCacheClustersRequest(cache_cluster_id="catalog")).cache_clusters
        return c if c.cache_cluster_status == "available" else None

    return wait_until(available, 60, "cache cluster catalog available")


def config_nodes(address: str, port: int, timeout_s: float = 5.0) -> list[tuple[str, int]]:
    """Auto Discovery, as a cluster client does it: the nodes `config get cluster` lists."""
    with socket.create_connection((address, port), timeout=timeout_s) as s:
        s.sendall(b"config get cluster\r\n")
        reply = b""
        while not reply.endswith(b"END\r\n"):
            if not (chunk := s.recv(4096)):
                raise ConnectionError(f"the configuration endpoint closed after {reply!r}")
            reply += chunk
    nodes = reply.split(b"\r\n")[1].decode().splitlines()[1]
    return sorted((n.split("|")[1], int(n.split("|")[2])) for n in nodes.split())


def data_plane(lab) -> dict[int, str]:
    """The region's data-plane processes, found by their tag and command line: pid -> what it runs."""
    found = {}
    for pid in lab.tagged():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(name in command for name in DATA_PLANE):
            found[pid] = command
    return found


def run_ids(group: pb.ReplicationGroup) -> dict[str, str]:
    return {m.cache_node_id: redis.Redis(host=m.endpoint.address, port=m.endpoint.port, socket_timeout=5)
            .info("server")["run_id"] for m in group.node_groups[0].node_group_members}


def frontend_pid(endpoint: str) -> int:
    with urllib.request.urlopen(f"http://{endpoint}/health", timeout=5) as answer:
        return json.load(answer)["pid"]


def in_az(lab, az_index: int) -> list[str]:
    """The command prefix that runs a process on an AZ's first host (nothing under loopback: one network)."""
    return NetnsNetwork(lab.paths.region_id, len(AZS), 1).host_command(az_index, 0) if lab.isolation == "netns" else []


def test_the_front_end_answers_from_the_host_and_from_inside_every_az(lab, endpoint, queue, catalog):
    client = sqs_client(endpoint)
    client.send_message(QueueUrl=queue, MessageBody="from the host")
    [message] = client.receive_message(QueueUrl=queue, WaitTimeSeconds=5)["Messages"]
    client.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    members = sorted((n.endpoint.address, n.endpoint.port) for n in catalog.cache_nodes)
    address, port = catalog.configuration_endpoint.address, catalog.configuration_endpoint.port
    assert config_nodes(address, port) == members
    code = (
        "import sys, socket, boto3\n"
        "endpoint, queue, address, port = sys.argv[1:]\n"
        "sqs = boto3.client('sqs', endpoint_url=f'http://{endpoint}', region_name='lab-1', "
        "aws_access_key_id='lab', aws_secret_access_key='lab')\n"
        "print(sqs.get_queue_url(QueueName='orders')['QueueUrl'] == queue)\n"
        "s = socket.create_connection((address, int(port)), timeout=5); s.sendall(b'config get cluster\\r\\n')\n"
        "print(s.recv(4096).startswith(b'CONFIG cluster 0 '))\n"
    )
    for az_index, az in enumerate(AZS, start=1):
        done = subprocess.run([*in_az(lab, az_index), sys.executable, "-c", code, endpoint, queue, address, str(port)],
                              capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stdout.split()) == (0, ["True", "True"]), f"from {az}: {done.stderr[-2000:]}"


def test_killing_the_controller_under_load_fails_no_call_loses_nothing_and_adopts_every_member(
        lab, endpoint, queue, group, catalog):
    before = data_plane(lab)
    frontend_before = frontend_pid(endpoint)
    assert frontend_before in before
    primary = group.node_groups[0].primary_endpoint
    engines_before = run_ids(group)
    writer = redis.Redis(host=primary.address, port=primary.port, socket_timeout=5, socket_connect_timeout=5)
    config_address, config_port = catalog.configuration_endpoint.address, catalog.configuration_endpoint.port
    members = sorted((n.endpoint.address, n.endpoint.port) for n in catalog.cache_nodes)
    producer, consumer = sqs_client(endpoint), sqs_client(endpoint)
    received: list[str] = []

    def send(n: int) -> str:
        producer.send_message(QueueUrl=queue, MessageBody=f"m{n}")
        return f"m{n}"

    def receive(n: int) -> list[str]:
        messages = consumer.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        received.extend(m["Body"] for m in messages)  # kept before the deletes: a failed delete loses no receipt
        for m in messages:
            consumer.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
        return [m["Body"] for m in messages]

    def write(n: int) -> str:
        writer.set(f"cart:{n}", n)
        return f"cart:{n}"

    def discover(n: int) -> str | None:
        if (nodes := config_nodes(config_address, config_port)) != members:
            raise NotAcknowledged(f"config get cluster lists {nodes}, not the cluster's {members}")
        return None

    sqs_errors = (ClientError, BotoCoreError)
    with ClientLoad(max_seconds=150, max_calls=20_000) as load:
        sends = load.client("producer", send, expected=sqs_errors, retry=True, pause_s=0.01)
        receives = load.client("consumer", receive, expected=sqs_errors)
        writes = load.client("redis", write, expected=(redis.RedisError, OSError), pause_s=0.01)
        lookups = load.client("config", discover, expected=(OSError,), pause_s=0.1)
        started = time.time()
        wait_until(lambda: sends.acknowledged_after(started) and writes.acknowledged_after(started), 30,
                   "the load to get going")
        killed = lab.kill_controller()
        killed_at = time.time()
        lab.controller_restarted(killed)
        restarted_at = time.time()
        wait_until(lambda: sends.acknowledged_after(restarted_at) >= 20 and writes.acknowledged_after(restarted_at) >= 20
                   and len(lookups.sent_after(restarted_at)) >= 5, 60, "the load to go on after the restart")
    assert sends.acknowledged_after(killed_at) > 0

    # Every SQS call answered within the client's own retries, before, during and after the restart.
    for stream in (sends, receives):
        assert_no_failures(stream.calls, f"SQS calls of the {stream.name}")
    assert_no_failures(lookups.calls, "config get cluster lookups")

    # Nothing acknowledged is lost: every acknowledged send is received, every acknowledged write is there.
    drain = sqs_client(endpoint)
    for _ in range(100):  # bounded: the queue holds at most what was sent and not yet received
        messages = drain.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        if not messages:
            break
        received.extend(m["Body"] for m in messages)
        drain.delete_message_batch(QueueUrl=queue, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                            for i, m in enumerate(messages)])
    check(sends.acknowledged, received).assert_nothing_lost()
    keys = writes.acknowledged
    values = writer.mget(keys)
    check(keys, [k for k, v in zip(keys, values) if v is not None]).assert_nothing_lost()

    # The restarted controller adopted every member: the same processes, still serving, and it sees them.
    assert data_plane(lab) == before
    assert frontend_pid(endpoint) == frontend_before
    assert lab.client.region.DescribeRegion(region_pb2.DescribeRegionRequest()).region.endpoints.aws_http == endpoint
    replicas = lab.client.sqs.DescribeQueueReplicas(sqs_pb2.DescribeQueueReplicasRequest())
    assert sorted(r.role for r in replicas.replicas) == ["follower", "follower", "leader"]
    [after] = lab.client.elasticache.DescribeReplicationGroups(
        pb.DescribeReplicationGroupsRequest(replication_group_id="carts")).replication_groups
    assert after.status == "available" and after.node_groups[0].primary_endpoint == primary
    assert run_ids(after) == engines_before  # redis rewrites its title: its own run_id says it is the same engine

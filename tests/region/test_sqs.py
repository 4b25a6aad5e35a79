"""SQS as a user meets it: boto3 and the aws CLI against the region's AWS endpoint, the gRPC SDK and
`azlab sqs`, then the leader's AZ killed under producers and consumers, and (netns) cut off.

One region for the module: netns where this host allows it (so the partition test runs), else loopback.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

import boto3
import botocore.config
import pytest
from azlab.chaos.v1 import chaos_pb2
from azlab.common.network import NetnsNetwork
from azlab.cluster.sdk import ApiError
from azlab.region.v1 import region_pb2
from azlab.sqs.v1 import sqs_pb2
from botocore.exceptions import BotoCoreError, ClientError

from tests.checker import ClientLoad, Stream, check

from .conftest import best_isolation, bring_up, tear_down, wait_until

pytestmark = pytest.mark.region
AZS = ["lab-1a", "lab-1b", "lab-1c"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab = bring_up(tmp_path_factory, best_isolation())
    yield lab
    tear_down(lab)


@pytest.fixture(scope="module")
def endpoint(lab) -> str:
    region = lab.client.region.DescribeRegion(region_pb2.DescribeRegionRequest()).region
    return f"http://{region.endpoints.aws_http}"


@pytest.fixture(scope="module")
def sqs(lab, endpoint):
    client = boto3_client(endpoint)
    wait_until(lambda: _answers(client), 60, "the SQS replicas to elect a leader")
    return client


def boto3_client(endpoint: str):
    return boto3.client("sqs", endpoint_url=endpoint, region_name="lab-1", aws_access_key_id="lab",
                        aws_secret_access_key="lab",
                        config=botocore.config.Config(retries={"mode": "standard", "max_attempts": 5},
                                                      read_timeout=40))


def _answers(client) -> bool:
    try:
        client.list_queues()
        return True
    except ClientError:
        return False


def error_code(call) -> str:
    with pytest.raises(ClientError) as error:
        call()
    # botocore reports JSON errors of formerly-query services by their query code, and the JSON code beside it
    return error.value.response["Error"].get("QueryErrorCode") or error.value.response["Error"]["Code"]


def leader_az(lab) -> str:
    replicas = lab.client.sqs.DescribeQueueReplicas(sqs_pb2.DescribeQueueReplicasRequest())
    return next(r.availability_zone for r in replicas.replicas if r.replica_id == replicas.leader)


def test_the_region_shows_its_aws_endpoint_and_a_replica_per_az(lab, sqs, endpoint):
    assert lab.json("status")["Region"]["Endpoints"]["AwsHttp"] == endpoint.removeprefix("http://")
    replicas = lab.json("sqs", "describe-queue-replicas")
    assert sorted(r["AvailabilityZone"] for r in replicas["Replicas"]) == AZS
    roles = sorted(r["Role"] for r in replicas["Replicas"])
    assert roles == ["follower", "follower", "leader"] and replicas["Epoch"] >= 1


def test_every_queue_operation_through_boto3(sqs, endpoint):
    url = sqs.create_queue(QueueName="ops", Attributes={"VisibilityTimeout": "40"}, tags={"team": "lab"})["QueueUrl"]
    assert url == f"{endpoint}/000000000000/ops"
    assert sqs.create_queue(QueueName="ops", Attributes={"VisibilityTimeout": "40"})["QueueUrl"] == url  # idempotent
    assert sqs.get_queue_url(QueueName="ops")["QueueUrl"] == url
    assert url in sqs.list_queues(QueueNamePrefix="op")["QueueUrls"]
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="nothing-like-it")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "0", "MaximumMessageSize": "2048"})
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "40" and attributes["MaximumMessageSize"] == "2048"
    assert attributes["QueueArn"] == "arn:aws:sqs:lab-1:000000000000:ops"

    sent = sqs.send_message(QueueUrl=url, MessageBody="one", MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "a"}, "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
    batch = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": f"e{i}", "MessageBody": f"b{i}"} for i in range(3)])
    assert sorted(e["Id"] for e in batch["Successful"]) == ["e0", "e1", "e2"] and not batch.get("Failed")
    got = receive_all(sqs, url, 4, MessageAttributeNames=["All"], AttributeNames=["All"])
    assert sorted(m["Body"] for m in got) == ["b0", "b1", "b2", "one"]
    one = next(m for m in got if m["Body"] == "one")
    assert one["MessageId"] == sent["MessageId"]
    assert one["MessageAttributes"]["blob"]["BinaryValue"] == b"\x00\x01"  # botocore checked the MD5s too
    assert {"ApproximateReceiveCount", "SentTimestamp", "ApproximateFirstReceiveTimestamp"} <= set(one["Attributes"])

    sqs.delete_message(QueueUrl=url, ReceiptHandle=one["ReceiptHandle"])
    rest = [m for m in got if m is not one]
    changed = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": f"v{i}", "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0} for i, m in enumerate(rest)])
    assert len(changed["Successful"]) == 3
    again = receive_all(sqs, url, 3)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=again[0]["ReceiptHandle"], VisibilityTimeout=60)
    deleted = sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(again)])
    assert len(deleted["Successful"]) == 3
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                         "ApproximateNumberOfMessagesNotVisible"])
    assert attributes["Attributes"] == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}

    sqs.send_message(QueueUrl=url, MessageBody="purged")
    sqs.purge_queue(QueueUrl=url)
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages") is None
    sqs.tag_queue(QueueUrl=url, Tags={"env": "test"})
    sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "test"}
    sqs.delete_queue(QueueUrl=url)
    assert error_code(lambda: sqs.get_queue_url(QueueName="ops")) == "QueueDoesNotExist"


def receive_all(sqs, url: str, count: int, **options) -> list[dict]:
    got: list[dict] = []
    deadline = time.monotonic() + 20
    while len(got) < count and time.monotonic() < deadline:
        got += sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, **options).get("Messages", [])
    return got


def test_visibility_timeout_hides_a_message_then_redelivers_it(sqs):
    url = sqs.create_queue(QueueName="visibility", Attributes={"VisibilityTimeout": "2"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="again")
    [first] = sqs.receive_message(QueueUrl=url)["Messages"]
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages") is None
    [second] = receive_all(sqs, url, 1, AttributeNames=["ApproximateReceiveCount"])
    assert second["MessageId"] == first["MessageId"] and second["Attributes"]["ApproximateReceiveCount"] == "2"


def test_a_message_goes_to_the_dead_letter_queue_after_max_receive_count(sqs):
    dlq = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName="jobs", Attributes={
        "VisibilityTimeout": "1", "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 2})})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    receipts = [m for _ in range(2) for m in receive_all(sqs, url, 1)]
    assert [m["Body"] for m in receipts] == ["poison", "poison"]
    # the next receive finds it received twice already: it moves to the dead-letter queue instead
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=3).get("Messages") is None
    [dead] = receive_all(sqs, dlq, 1)
    assert dead["Body"] == "poison"


def test_fifo_keeps_order_per_group_and_drops_duplicates(sqs):
    url = sqs.create_queue(QueueName="orders.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    for n in range(5):
        for group in ("g1", "g2"):
            sqs.send_message(QueueUrl=url, MessageBody=f"{group}-{n}", MessageGroupId=group,
                             MessageDeduplicationId=f"{group}-{n}")
    duplicate = sqs.send_message(QueueUrl=url, MessageBody="g1-0", MessageGroupId="g1", MessageDeduplicationId="g1-0")
    assert duplicate["SequenceNumber"]
    seen: dict[str, list[str]] = defaultdict(list)
    for _ in range(20):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["MessageGroupId"]).get(
            "Messages", [])
        for m in messages:
            seen[m["Attributes"]["MessageGroupId"]].append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        if sum(map(len, seen.values())) == 10:
            break
    assert seen == {g: [f"{g}-{n}" for n in range(5)] for g in ("g1", "g2")}
    assert error_code(lambda: sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="x")) \
        == "MissingParameter"


def test_long_polling_returns_as_soon_as_a_message_arrives(sqs):
    url = sqs.create_queue(QueueName="long-poll")["QueueUrl"]
    answer: dict = {}

    def poll():
        started = time.monotonic()
        answer["messages"] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20).get("Messages", [])
        answer["waited_s"] = time.monotonic() - started

    poller = threading.Thread(target=poll)
    poller.start()
    time.sleep(1.0)  # lets the poll reach the empty queue (if it has not, the message is there when it does)
    assert poller.is_alive(), answer  # still waiting: a short poll would have answered nothing by now
    sqs.send_message(QueueUrl=url, MessageBody="wake up")
    poller.join(30)
    assert [m["Body"] for m in answer["messages"]] == ["wake up"]
    # answered before its WaitTimeSeconds ran out, so on the message's arrival: the call's own bound, not a figure
    assert answer["waited_s"] < 20


@pytest.mark.parametrize("call, code", [
    (lambda s, u: s.create_queue(QueueName="bad name!"), "InvalidParameterValue"),
    (lambda s, u: s.create_queue(QueueName="bad", Attributes={"VisibilityTimeout": "43201"}), "InvalidAttributeValue"),
    (lambda s, u: s.get_queue_url(QueueName="missing"), "QueueDoesNotExist"),
    (lambda s, u: s.send_message(QueueUrl=u, MessageBody="x" * (1024 * 1024 + 1)), "InvalidParameterValue"),
    (lambda s, u: s.receive_message(QueueUrl=u, MaxNumberOfMessages=11), "InvalidParameterValue"),
    (lambda s, u: s.delete_message(QueueUrl=u, ReceiptHandle="forged"), "ReceiptHandleIsInvalid"),
    (lambda s, u: s.send_message_batch(QueueUrl=u, Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(11)]),
     "TooManyEntriesInBatchRequest"),
    (lambda s, u: s.add_permission(QueueUrl=u, Label="l", AWSAccountIds=["1"], Actions=["SendMessage"]),
     "UnsupportedOperation"),
])
def test_bad_input_gets_aws_s_error_code_and_changes_nothing(sqs, call, code):
    url = sqs.create_queue(QueueName="untouched")["QueueUrl"]
    before = (sqs.list_queues()["QueueUrls"], sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]))
    assert error_code(lambda: call(sqs, url)) == code
    after = (sqs.list_queues()["QueueUrls"], sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]))
    assert after[0] == before[0] and after[1]["Attributes"] == before[1]["Attributes"]


def test_the_grpc_sdk_and_the_cli_reach_the_same_queues(lab, sqs):
    url = lab.client.sqs.CreateQueue(sqs_pb2.CreateQueueRequest(queue_name="sdk")).queue_url
    lab.client.sqs.SendMessage(sqs_pb2.SendMessageRequest(queue_url=url, message_body="from grpc"))
    done = lab.azlab("sqs", "send-message", "--queue-url", url, "--message-body", "from cli")
    assert done.returncode == 0, done.stderr
    got = lab.client.sqs.ReceiveMessage(sqs_pb2.ReceiveMessageRequest(
        queue_url=url, max_number_of_messages=10, wait_time_seconds=1, attribute_names=["All"]))
    assert sorted(m.body for m in got.messages) == ["from cli", "from grpc"]
    assert [m.attributes["ApproximateReceiveCount"] for m in got.messages] == ["1", "1"]
    for m in got.messages:
        lab.client.sqs.DeleteMessage(sqs_pb2.DeleteMessageRequest(queue_url=url, receipt_handle=m.receipt_handle))
    assert sqs.receive_message(QueueUrl=url).get("Messages") is None  # boto3 sees the same queue
    with pytest.raises(ApiError) as missing:
        lab.client.sqs.GetQueueUrl(sqs_pb2.GetQueueUrlRequest(queue_name="nope"))
    assert missing.value.code == "QueueDoesNotExist"
    done = lab.azlab("sqs", "receive-message", "--queue-url", url + "-gone")
    assert done.returncode == 254 and "(QueueDoesNotExist)" in done.stderr and done.stderr.count("\n") == 1


def test_every_queue_operation_through_the_grpc_sdk(lab):
    sqs = lab.client.sqs
    url = sqs.CreateQueue(sqs_pb2.CreateQueueRequest(queue_name="sdk-ops", attributes={"VisibilityTimeout": "40"},
                                                     tags={"team": "lab"})).queue_url
    assert sqs.GetQueueUrl(sqs_pb2.GetQueueUrlRequest(queue_name="sdk-ops")).queue_url == url
    assert url in sqs.ListQueues(sqs_pb2.ListQueuesRequest(queue_name_prefix="sdk-")).queue_urls
    sqs.SetQueueAttributes(sqs_pb2.SetQueueAttributesRequest(queue_url=url, attributes={"DelaySeconds": "0"}))
    attributes = sqs.GetQueueAttributes(sqs_pb2.GetQueueAttributesRequest(queue_url=url, attribute_names=["All"]))
    assert attributes.attributes["VisibilityTimeout"] == "40"

    sqs.SendMessage(sqs_pb2.SendMessageRequest(queue_url=url, message_body="one", message_attributes={
        "kind": sqs_pb2.MessageAttributeValue(data_type="String", string_value="a")}))
    batch = sqs.SendMessageBatch(sqs_pb2.SendMessageBatchRequest(queue_url=url, entries=[
        sqs_pb2.SendMessageBatchRequestEntry(id=f"e{i}", message_body=f"b{i}") for i in range(2)]))
    assert len(batch.successful) == 2 and not batch.failed
    got = sqs.ReceiveMessage(sqs_pb2.ReceiveMessageRequest(queue_url=url, max_number_of_messages=10,
                                                           wait_time_seconds=1, message_attribute_names=["All"]))
    assert sorted(m.body for m in got.messages) == ["b0", "b1", "one"]
    assert next(m for m in got.messages if m.body == "one").message_attributes["kind"].string_value == "a"
    handles = [m.receipt_handle for m in got.messages]
    changed = sqs.ChangeMessageVisibilityBatch(sqs_pb2.ChangeMessageVisibilityBatchRequest(queue_url=url, entries=[
        sqs_pb2.ChangeMessageVisibilityBatchRequestEntry(id=f"v{i}", receipt_handle=h, visibility_timeout=0)
        for i, h in enumerate(handles)]))
    assert len(changed.successful) == 3
    again = sqs.ReceiveMessage(sqs_pb2.ReceiveMessageRequest(queue_url=url, max_number_of_messages=10,
                                                             wait_time_seconds=1)).messages
    sqs.ChangeMessageVisibility(sqs_pb2.ChangeMessageVisibilityRequest(
        queue_url=url, receipt_handle=again[0].receipt_handle, visibility_timeout=60))
    sqs.DeleteMessage(sqs_pb2.DeleteMessageRequest(queue_url=url, receipt_handle=again[0].receipt_handle))
    deleted = sqs.DeleteMessageBatch(sqs_pb2.DeleteMessageBatchRequest(queue_url=url, entries=[
        sqs_pb2.DeleteMessageBatchRequestEntry(id=f"d{i}", receipt_handle=m.receipt_handle)
        for i, m in enumerate(again[1:])]))
    assert len(deleted.successful) == len(again) - 1

    sqs.SendMessage(sqs_pb2.SendMessageRequest(queue_url=url, message_body="purged"))
    sqs.PurgeQueue(sqs_pb2.PurgeQueueRequest(queue_url=url))
    counts = sqs.GetQueueAttributes(sqs_pb2.GetQueueAttributesRequest(
        queue_url=url, attribute_names=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]))
    assert dict(counts.attributes) == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}
    sqs.TagQueue(sqs_pb2.TagQueueRequest(queue_url=url, tags={"env": "test"}))
    sqs.UntagQueue(sqs_pb2.UntagQueueRequest(queue_url=url, tag_keys=["team"]))
    assert dict(sqs.ListQueueTags(sqs_pb2.ListQueueTagsRequest(queue_url=url)).tags) == {"env": "test"}
    sqs.DeleteQueue(sqs_pb2.DeleteQueueRequest(queue_url=url))
    with pytest.raises(ApiError) as gone:
        sqs.GetQueueUrl(sqs_pb2.GetQueueUrlRequest(queue_name="sdk-ops"))
    assert gone.value.code == "QueueDoesNotExist" and gone.value.status.name == "NOT_FOUND"


@pytest.mark.skipif(shutil.which("aws") is None, reason="the aws CLI is not installed")
def test_the_aws_cli_works_unchanged(lab, sqs, endpoint):
    env = {**lab.env, "AWS_ACCESS_KEY_ID": "lab", "AWS_SECRET_ACCESS_KEY": "lab", "AWS_DEFAULT_REGION": "lab-1"}

    def aws(*args: str) -> dict:
        done = subprocess.run(["aws", "--endpoint-url", endpoint, "--output", "json", "sqs", *args], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout or "{}")

    url = aws("create-queue", "--queue-name", "from-aws-cli")["QueueUrl"]
    aws("send-message", "--queue-url", url, "--message-body", "hello")
    [message] = aws("receive-message", "--queue-url", url, "--wait-time-seconds", "5")["Messages"]
    assert message["Body"] == "hello"
    aws("delete-message", "--queue-url", url, "--receipt-handle", message["ReceiptHandle"])


def test_a_restarted_controller_keeps_the_queues_the_leader_and_the_endpoint(lab, sqs, endpoint):
    url = sqs.create_queue(QueueName="survives-restart")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="kept")
    before = lab.client.sqs.DescribeQueueReplicas(sqs_pb2.DescribeQueueReplicasRequest())
    controller = lab.kill_controller()
    # The endpoint is the front end's, not the controller's: while Ray restarts the controller, every call
    # is answered within the client's own retries (`boto3_client`: standard mode, 5 attempts); one that
    # raises here failed for longer.
    sent = []
    for n in range(2000):  # bounded; ends when the restarted controller serves
        sqs.send_message(QueueUrl=url, MessageBody=f"during:{n}")
        sent.append(f"during:{n}")
        if lab.controller_pid(missing_ok=True) not in (None, controller) and lab.serving():
            break
    lab.controller_restarted(controller)
    bodies = []
    for _ in range(len(sent) + 10):  # bounded: a receive takes at least one message but the last
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        if not messages:
            break
        bodies += [m["Body"] for m in messages]
        sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                        for i, m in enumerate(messages)])
    assert set(bodies) == {"kept", *sent}  # nothing acknowledged across the restart is lost
    after = lab.client.sqs.DescribeQueueReplicas(sqs_pb2.DescribeQueueReplicasRequest())
    assert (after.epoch, after.leader) == (before.epoch, before.leader)  # the replicas were adopted, not re-elected
    region = lab.client.region.DescribeRegion(region_pb2.DescribeRegionRequest()).region
    assert f"http://{region.endpoints.aws_http}" == endpoint  # the same address before and after


CLIENT_ERRORS = (ClientError, BotoCoreError)  # what a call that was not acknowledged raises
GROUPS = ("g0", "g1", "g2")
VISIBILITY_S = 4


def producer(load: ClientLoad, endpoint: str, kind: str, url: str) -> Stream:
    """A producer on the `standard` or `fifo` queue at `url`, sending each message again until it is
    acknowledged (FIFO with the same deduplication id), as an SQS client does."""
    client = boto3_client(endpoint)

    def send(n: int) -> str:
        group = GROUPS[n % len(GROUPS)]
        body = f"{group}:{n // len(GROUPS)}" if kind == "fifo" else f"s:{n}"
        options = {"MessageGroupId": group, "MessageDeduplicationId": body} if kind == "fifo" else {}
        client.send_message(QueueUrl=url, MessageBody=body, **options)
        return body

    return load.client(f"producer {kind}", send, expected=CLIENT_ERRORS, retry=True, pause_s=0.01,
                       pause_after_failure_s=0.1)


@dataclass
class Consumer:
    deletes: Stream  # its acknowledged keys: the bodies whose delete was acknowledged
    received: list[tuple[float, str, str]]  # every delivery: when it came, its body and MessageId

    def bodies(self) -> list[str]:
        return [body for _, body, _ in self.received]

    def messages(self) -> list[str]:
        """The body of each distinct message received (a redelivery is the same message)."""
        return [body for body, _ in dict.fromkeys((body, message_id) for _, body, message_id in self.received)]

    def deleted_at(self) -> dict[str, float]:
        return {body: c.done for c in self.deletes.calls if c.ok for body in c.keys}


def consumer(load: ClientLoad, endpoint: str, kind: str, url: str) -> Consumer:
    """A consumer deleting what it receives: each call deletes one message received before, or, with
    none left, receives (long polling up to 1 s)."""
    client = boto3_client(endpoint)
    received: list[tuple[float, str, str]] = []
    pending: list[dict] = []

    def consume(n: int) -> str | None:
        if pending:
            message = pending.pop(0)  # a failed delete leaves it to come back after its visibility timeout
            client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            return message["Body"]
        messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        at = time.time()
        received.extend((at, m["Body"], m["MessageId"]) for m in messages)
        pending.extend(messages)
        return None

    return Consumer(load.client(f"consumer {kind}", consume, expected=CLIENT_ERRORS), received)


def longest_silence(streams: list[Stream], start: float, end: float) -> float:
    """The longest time no send was acknowledged between `start` and `end`: what a failover cost."""
    acks = sorted([start, end, *(c.done for s in streams for c in s.calls if c.ok and start < c.done < end)])
    return max(b - a for a, b in zip(acks, acks[1:]))


def group_of(body: str) -> str:
    return body.split(":")[0]


def test_killing_the_leaders_az_under_load_loses_nothing_acknowledged(lab, sqs, endpoint, record_property):
    urls = {"standard": sqs.create_queue(QueueName="chaos", Attributes={"VisibilityTimeout": str(VISIBILITY_S)})["QueueUrl"],
            "fifo": sqs.create_queue(QueueName="chaos.fifo", Attributes={
                "FifoQueue": "true", "VisibilityTimeout": str(VISIBILITY_S)})["QueueUrl"]}
    doomed = leader_az(lab)
    producers, consumers = ClientLoad(max_seconds=180), ClientLoad(max_seconds=180)
    sends = {kind: producer(producers, endpoint, kind, url) for kind, url in urls.items()}
    consumed = {kind: consumer(consumers, endpoint, kind, url) for kind, url in urls.items()}
    with consumers, producers:
        wait_until(lambda: all(len(s.acknowledged) >= 20 for s in sends.values()), 60, "sends before the kill")
        killed_at = time.time()
        lab.client.chaos.KillAz(chaos_pb2.KillAzRequest(availability_zone=doomed))
        wait_until(lambda: all(s.acknowledged_after(killed_at) >= 20 for s in sends.values()), 60,
                   "sends acknowledged after the kill, by the new leader")
        resumed_at = time.time()
        producers.stop()
        wait_until(lambda: not any(check(sends[k].acknowledged, consumed[k].bodies()).lost for k in urls),
                   60, "every acknowledged send to be received")
        time.sleep(VISIBILITY_S + 1)  # past the visibility timeout: anything received and not deleted comes back now

    silence = longest_silence(list(sends.values()), killed_at - 1.0, resumed_at)
    failures = [c.error for s in [*sends.values(), *(c.deletes for c in consumed.values())] for c in s.failures]
    print(f"longest time without an acknowledged send around KillAz({doomed}): {silence:.2f}s; "
          f"{len(failures)} client errors: {failures[:3]}")
    record_property("sqs_longest_silence_s", round(silence, 3))
    assert leader_az(lab) != doomed
    for kind in urls:
        check(sends[kind].acknowledged, consumed[kind].bodies(), ordered_by=group_of if kind == "fifo" else None
              ).assert_holds()
        deleted = consumed[kind].deleted_at()
        # once its delete is acknowledged, a message is never delivered again
        assert [(at, b) for at, b, _ in consumed[kind].received if b in deleted and at > deleted[b]] == []
    # FIFO deduplicates: a body resent (same deduplication id) after an unanswered send is still one message
    check(sends["fifo"].acknowledged, consumed["fifo"].messages(), unique=True).assert_holds()
    for url in urls.values():
        assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages") is None

    lab.client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone=doomed))
    wait_until(lambda: _caught_up(lab, f"sqs-{doomed}"), 60, f"the replica in {doomed} to catch up as a follower")


def _caught_up(lab, replica_id: str) -> bool:
    replicas = lab.client.sqs.DescribeQueueReplicas(sqs_pb2.DescribeQueueReplicasRequest())
    leader = next(r for r in replicas.replicas if r.replica_id == replicas.leader)
    mine = next(r for r in replicas.replicas if r.replica_id == replica_id)
    return mine.role == "follower" and mine.epoch == replicas.epoch and mine.last_index >= leader.commit_index


CUT_OFF_SEND = """
import sys, grpc
from azlab.sqs.v1 import sqs_pb2, sqs_pb2_grpc
stub = sqs_pb2_grpc.SqsStub(grpc.insecure_channel(sys.argv[1]))
try:
    stub.SendMessage(sqs_pb2.SendMessageRequest(queue_url=sys.argv[2], message_body="from the cut-off side"), timeout=4)
    print("ACKNOWLEDGED")
except grpc.RpcError as e:
    print("REFUSED", e.code().name)
"""


@pytest.mark.skipif(best_isolation() != "netns", reason="partition needs netns isolation (root, iproute2, nftables)")
def test_a_cut_off_leader_acknowledges_nothing(lab, sqs):
    url = sqs.create_queue(QueueName="partition")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="before")
    replicas = lab.client.sqs.DescribeQueueReplicas(sqs_pb2.DescribeQueueReplicasRequest())
    old = next(r for r in replicas.replicas if r.replica_id == replicas.leader)
    lab.client.chaos.PartitionAz(chaos_pb2.PartitionAzRequest(availability_zone=old.availability_zone))

    # a client inside the cut-off AZ still reaches its old leader, which cannot reach a majority
    inside = NetnsNetwork(lab.paths.region_id, len(AZS), 1).host_command(AZS.index(old.availability_zone) + 1, 0)
    done = subprocess.run([*inside, sys.executable, "-c", CUT_OFF_SEND, old.address, url], capture_output=True,
                          text=True, timeout=60, env=lab.env)
    assert done.stdout.startswith("REFUSED"), done.stdout + done.stderr
    # the majority side elected another leader and goes on
    sqs.send_message(QueueUrl=url, MessageBody="after")
    assert leader_az(lab) != old.availability_zone

    lab.client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone=old.availability_zone))
    wait_until(lambda: _caught_up(lab, old.replica_id), 60, "the old leader to rejoin as a follower")
    bodies = sorted(m["Body"] for m in receive_all(sqs, url, 2))
    assert bodies == ["after", "before"]
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages") is None

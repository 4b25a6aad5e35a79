"""The SQS model's rules, on a clock the test turns: no Ray, no sockets."""

from __future__ import annotations

import copy
import json

import pytest

from azlab.common.sqs.model import SqsModel, md5_of_message_attributes

T0 = 1_800_000_000.0


@pytest.fixture
def sqs():
    return SqsModel("lab-1", "http://127.10.0.1:4566")


def create(sqs, name, now=T0, **attributes):
    url, _ = sqs.create_queue(name, {k: str(v) for k, v in attributes.items()}, {}, now)
    return url


def send(sqs, url, body, now=T0, **options):
    result, _ = sqs.send_message(url, body, now, **options)
    return result


def receive(sqs, url, now, **options):
    received, _ = sqs.receive_message(url, now, **options)
    return received


def bodies(received):
    return [m.body for m in received]


def test_queue_urls_are_aws_shaped_and_lookups_follow_them(sqs):
    url = create(sqs, "jobs")
    assert url == "http://127.10.0.1:4566/000000000000/jobs"
    assert sqs.get_queue_url("jobs") == url
    assert sqs.queue("http://elsewhere:1/000000000000/jobs").name == "jobs"
    assert sqs.list_queues() == ([url], "")


def test_a_received_message_is_invisible_for_its_timeout_then_comes_back_counted(sqs):
    url = create(sqs, "jobs", VisibilityTimeout=30)
    send(sqs, url, "hello")
    [first] = receive(sqs, url, T0 + 1, attribute_names=["All"])
    assert first.attributes["ApproximateReceiveCount"] == "1"
    assert receive(sqs, url, T0 + 30) == []
    [again] = receive(sqs, url, T0 + 31.5, attribute_names=["ApproximateReceiveCount"])
    assert again.body == "hello" and again.attributes == {"ApproximateReceiveCount": "2"}
    assert again.receipt_handle != first.receipt_handle


def test_visibility_override_and_change_message_visibility(sqs):
    url = create(sqs, "jobs")
    send(sqs, url, "a")
    [m] = receive(sqs, url, T0, visibility_timeout=5)
    assert receive(sqs, url, T0 + 4) == []
    sqs.change_message_visibility(url, m.receipt_handle, 0, T0 + 4)
    assert bodies(receive(sqs, url, T0 + 4)) == ["a"]


def test_delete_takes_the_latest_receipt_handle_only(sqs):
    url = create(sqs, "jobs", VisibilityTimeout=1)
    send(sqs, url, "a")
    [old] = receive(sqs, url, T0)
    [new] = receive(sqs, url, T0 + 2)
    assert sqs.delete_message(url, old.receipt_handle) == []  # answered, nothing deleted: as AWS
    sqs.delete_message(url, new.receipt_handle)
    assert receive(sqs, url, T0 + 10) == []
    sqs.delete_message(url, new.receipt_handle)  # deleting again is fine


def test_delay_hides_a_message_until_due(sqs):
    url = create(sqs, "jobs", DelaySeconds=10)
    send(sqs, url, "queue-delay")
    send(sqs, url, "own-delay", delay_seconds=0)
    assert bodies(receive(sqs, url, T0 + 1, max_number=10)) == ["own-delay"]
    assert sqs.get_queue_attributes(url, ["ApproximateNumberOfMessagesDelayed"], T0 + 1) == {
        "ApproximateNumberOfMessagesDelayed": "1"}
    assert bodies(receive(sqs, url, T0 + 10, max_number=10)) == ["queue-delay"]


def test_expired_messages_are_gone(sqs):
    url = create(sqs, "jobs", MessageRetentionPeriod=60)
    send(sqs, url, "old")
    send(sqs, url, "new", now=T0 + 30)
    assert bodies(receive(sqs, url, T0 + 61, max_number=10)) == ["new"]
    assert "old" not in [m.body for m in sqs.queues["jobs"].messages.values()]


def test_redrive_moves_a_message_to_the_dead_letter_queue_after_max_receives(sqs):
    dlq = create(sqs, "jobs-dlq")
    policy = json.dumps({"deadLetterTargetArn": "arn:aws:sqs:lab-1:000000000000:jobs-dlq", "maxReceiveCount": 2})
    url = create(sqs, "jobs", VisibilityTimeout=1, RedrivePolicy=policy)
    send(sqs, url, "poison")
    assert bodies(receive(sqs, url, T0)) == ["poison"]
    assert bodies(receive(sqs, url, T0 + 2)) == ["poison"]
    assert receive(sqs, url, T0 + 4) == []
    assert bodies(receive(sqs, dlq, T0 + 4)) == ["poison"]


def test_fifo_delivers_in_order_per_group_and_blocks_a_group_while_in_flight(sqs):
    url = create(sqs, "jobs.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    for group, body in [("g1", "a1"), ("g2", "b1"), ("g1", "a2"), ("g2", "b2")]:
        send(sqs, url, body, group_id=group)
    first = receive(sqs, url, T0, max_number=1)
    assert bodies(first) == ["a1"]
    # g1 is blocked while a1 is in flight; g2 flows, in order
    assert bodies(receive(sqs, url, T0, max_number=10)) == ["b1", "b2"]
    assert receive(sqs, url, T0, max_number=10) == []
    sqs.delete_message(url, first[0].receipt_handle)
    [a2] = receive(sqs, url, T0, max_number=10, attribute_names=["All"])
    assert a2.body == "a2" and a2.attributes["MessageGroupId"] == "g1"
    assert int(a2.attributes["SequenceNumber"]) > 0


def test_fifo_deduplicates_within_five_minutes(sqs):
    url = create(sqs, "jobs.fifo", FifoQueue="true")
    first = send(sqs, url, "x", group_id="g", deduplication_id="d1")
    again = send(sqs, url, "x", T0 + 299, group_id="g", deduplication_id="d1")
    assert again.message_id == first.message_id and again.sequence_number == first.sequence_number
    later = send(sqs, url, "x", T0 + 301, group_id="g", deduplication_id="d1")
    assert later.message_id != first.message_id
    assert len(sqs.queues["jobs.fifo"].messages) == 2


def test_content_based_deduplication(sqs):
    url = create(sqs, "jobs.fifo", ContentBasedDeduplication="true")
    assert send(sqs, url, "same", group_id="g").message_id == send(sqs, url, "same", group_id="h").message_id


def test_batch_send_reports_each_entry(sqs):
    url = create(sqs, "jobs.fifo")
    sent, failed, records = sqs.send_message_batch(url, [
        {"Id": "ok", "MessageBody": "a", "MessageGroupId": "g", "MessageDeduplicationId": "1"},
        {"Id": "nogroup", "MessageBody": "b", "MessageDeduplicationId": "2"},
    ], T0)
    assert [entry_id for entry_id, _ in sent] == ["ok"]
    assert [(f.id, f.code) for f in failed] == [("nogroup", "MissingParameter")]
    assert len(records) == 1


def test_purge_and_tags(sqs):
    url = create(sqs, "jobs")
    send(sqs, url, "a")
    sqs.purge_queue(url, T0)
    assert receive(sqs, url, T0 + 1) == []
    sqs.tag_queue(url, {"team": "a", "env": "lab"})
    sqs.untag_queue(url, ["env"])
    assert sqs.list_queue_tags(url) == {"team": "a"}


def test_message_attribute_digest_is_aws_s():
    # the value botocore computes for the same attributes (it checks every response against it)
    attributes = {"a": {"DataType": "String", "StringValue": "x"}, "b": {"DataType": "Binary", "BinaryValue": "AQI="}}
    assert md5_of_message_attributes(attributes) == "3e9b4c785db2deb306cf4009ae214dab"


def test_followers_that_apply_the_leaders_records_hold_the_same_queues(sqs):
    follower = SqsModel("lab-1", "http://127.10.0.1:4566")
    records = []
    url, r = sqs.create_queue("jobs", {"VisibilityTimeout": "5"}, {}, T0)
    records += r
    for i in range(3):
        records += sqs.send_message(url, f"m{i}", T0)[1]
    received, r = sqs.receive_message(url, T0 + 1, max_number=2)
    records += r
    records += sqs.delete_message(url, received[0].receipt_handle)
    for record in copy.deepcopy(records):
        follower.apply(record)
    assert follower.queues["jobs"].messages == sqs.queues["jobs"].messages
    assert follower.get_queue_attributes(url, ["All"], T0 + 2) == sqs.get_queue_attributes(url, ["All"], T0 + 2)


@pytest.mark.parametrize("call, code", [
    (lambda s, u: s.create_queue("bad name!", {}, {}, T0), "InvalidParameterValue"),
    (lambda s, u: s.create_queue("jobs", {"VisibilityTimeout": "43201"}, {}, T0), "InvalidAttributeValue"),
    (lambda s, u: s.create_queue("jobs", {"VisibilityTimeout": "60"}, {}, T0), "QueueNameExists"),
    (lambda s, u: s.create_queue("x", {"Colour": "red"}, {}, T0), "InvalidAttributeName"),
    (lambda s, u: s.create_queue("x", {"RedrivePolicy": '{"deadLetterTargetArn": "arn:aws:sqs:lab-1:000000000000:none",'
                                                        ' "maxReceiveCount": 1}'}, {}, T0), "InvalidAttributeValue"),
    (lambda s, u: s.get_queue_url("nope"), "QueueDoesNotExist"),
    (lambda s, u: s.send_message(u + "x", "a", T0), "QueueDoesNotExist"),
    (lambda s, u: s.send_message(u, "x" * (1024 * 1024 + 1), T0), "InvalidParameterValue"),
    (lambda s, u: s.send_message(u, "", T0), "MissingParameter"),
    (lambda s, u: s.send_message(u, "bad \x00 char", T0), "InvalidMessageContents"),
    (lambda s, u: s.send_message(u, "a", T0, delay_seconds=901), "InvalidParameterValue"),
    (lambda s, u: s.receive_message(u, T0, max_number=11), "InvalidParameterValue"),
    (lambda s, u: s.delete_message(u, "not-a-handle"), "ReceiptHandleIsInvalid"),
    (lambda s, u: s.delete_message_batch(u, []), "EmptyBatchRequest"),
    (lambda s, u: s.send_message_batch(u, [{"Id": str(i), "MessageBody": "a"} for i in range(11)], T0),
     "TooManyEntriesInBatchRequest"),
    (lambda s, u: s.send_message_batch(u, [{"Id": "a", "MessageBody": "a"}] * 2, T0), "BatchEntryIdsNotDistinct"),
    (lambda s, u: s.send_message_batch(u, [{"Id": str(i), "MessageBody": "x" * 200_000} for i in range(6)], T0),
     "BatchRequestTooLong"),
    (lambda s, u: s.set_queue_attributes(u, {"FifoQueue": "true"}, T0), "InvalidAttributeName"),
])
def test_bad_input_raises_aws_s_code_and_changes_nothing(sqs, call, code):
    url = create(sqs, "jobs")
    send(sqs, url, "keep")
    before = copy.deepcopy(sqs.queues)
    with pytest.raises(Exception) as error:
        call(sqs, url)
    assert getattr(error.value, "code", None) == code, error.value
    assert sqs.queues == before


def test_fifo_rules(sqs):
    url = create(sqs, "jobs.fifo")
    with pytest.raises(Exception) as no_group:
        sqs.send_message(url, "a", T0, deduplication_id="d")
    assert no_group.value.code == "MissingParameter"
    with pytest.raises(Exception) as no_dedup:
        sqs.send_message(url, "a", T0, group_id="g")
    assert no_dedup.value.code == "InvalidParameterValue"
    with pytest.raises(Exception) as per_message_delay:
        sqs.send_message(url, "a", T0, delay_seconds=1, group_id="g", deduplication_id="d")
    assert per_message_delay.value.code == "InvalidParameterValue"


def test_foreign_receipt_handle_is_refused(sqs):
    a, b = create(sqs, "a"), create(sqs, "b")
    send(sqs, a, "x")
    [m] = receive(sqs, a, T0)
    with pytest.raises(Exception) as foreign:
        sqs.delete_message(b, m.receipt_handle)
    assert foreign.value.code == "ReceiptHandleIsInvalid"
    with pytest.raises(Exception) as not_in_flight:
        sqs.change_message_visibility(a, m.receipt_handle, 10, T0 + 31)
    assert not_in_flight.value.code == "MessageNotInflight"


def test_cli_maps_take_aws_cli_shorthand_with_json_values():
    from azlab.common.errors import InvalidParameterValue
    from azlab.cluster.sqs.cli import parse_map

    policy = '{"deadLetterTargetArn":"arn:aws:sqs:lab-1:000000000000:dlq","maxReceiveCount":"3"}'
    assert parse_map(f"VisibilityTimeout=30,RedrivePolicy='{policy}'") == {"VisibilityTimeout": "30",
                                                                            "RedrivePolicy": policy}
    assert parse_map('{"DelaySeconds": 5}') == {"DelaySeconds": "5"}
    # as aws-cli reads it: unquoted, `{` opens a shorthand hash and a comma a list, neither one string
    for unquoted in (f"RedrivePolicy={policy}", "Policy=a,b"):
        with pytest.raises(InvalidParameterValue):
            parse_map(unquoted)

"""SQS queues: state and rules, pure Python (no sockets, no clock of its own).

The model is a deterministic state machine over *records*. A command
(`send_message`, `receive_message`, ...) validates, decides with the `now` it
is given (message ids, receipt handles, visibility deadlines), applies the
records of its decision to the state and returns them with its result. The
leader replica appends those records to the replicated log; a follower applies
the same records with `apply()`. So every replica's state is the fold of its
log, and a promoted follower holds exactly what its log says.

Limitations against AWS (also listed in the README):
- one account (000000000000); no IAM, policies or KMS: Policy, KmsMasterKeyId
  and the like are stored and echoed, never enforced;
- ReceiveRequestAttemptId is accepted and ignored; DeduplicationScope
  `messageGroup` dedups per group, FifoThroughputLimit is stored only;
- a purge is instant; a deleted queue's name can be reused at once;
- MessageSystemAttributes (AWSTraceHeader) on send, message move tasks and
  ListDeadLetterSourceQueues are not implemented;
- the 12-hour cap on a message's total visibility extension is not enforced.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import struct
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from azlab.common.sqs.errors import (
    BatchEntryIdsNotDistinct,
    BatchRequestTooLong,
    EmptyBatchRequest,
    InvalidAttributeName,
    InvalidAttributeValue,
    InvalidBatchEntryId,
    InvalidMessageContents,
    InvalidParameterValue,
    MessageNotInflight,
    MissingParameter,
    PurgeQueueInProgress,
    QueueDoesNotExist,
    QueueNameExists,
    ReceiptHandleIsInvalid,
    TooManyEntriesInBatchRequest,
)
from azlab.common.errors import AzlabError

ACCOUNT_ID = "000000000000"
MAX_BATCH_ENTRIES = 10
MAX_BATCH_BYTES = 1024 * 1024
MAX_RECEIVE = 10
MAX_WAIT_S = 20
MAX_VISIBILITY_S = 12 * 3600
MAX_DELAY_S = 900
DEDUP_WINDOW_S = 300
PURGE_INTERVAL_S = 60
MAX_LIST_RESULTS = 1000

_QUEUE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
# What AWS accepts in a body: XML 1.0's characters.
_INVALID_BODY = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# name -> (default, low, high) for the integer attributes; None: no default
_INT_ATTRIBUTES = {
    "DelaySeconds": (0, 0, MAX_DELAY_S),
    "MaximumMessageSize": (1024 * 1024, 1024, 1024 * 1024),
    "MessageRetentionPeriod": (345600, 60, 1209600),
    "ReceiveMessageWaitTimeSeconds": (0, 0, MAX_WAIT_S),
    "VisibilityTimeout": (30, 0, MAX_VISIBILITY_S),
    "KmsDataKeyReusePeriodSeconds": (300, 60, 86400),
}
_BOOL_ATTRIBUTES = ("FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled")
_CHOICE_ATTRIBUTES = {
    "DeduplicationScope": ("queue", "messageGroup"),
    "FifoThroughputLimit": ("perQueue", "perMessageGroupId"),
}
_FREE_ATTRIBUTES = ("Policy", "KmsMasterKeyId", "RedriveAllowPolicy", "RedrivePolicy")
_FIFO_ONLY = ("ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")
SETTABLE = (*_INT_ATTRIBUTES, *_BOOL_ATTRIBUTES, *_CHOICE_ATTRIBUTES, *_FREE_ATTRIBUTES)
READ_ONLY = (
    "QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp",
)
MESSAGE_SYSTEM_ATTRIBUTES = (
    "SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
    "MessageDeduplicationId", "MessageGroupId", "SequenceNumber",
)
SENDER_ID = "AIDAAZLABAZLABAZLAB00"


@dataclass
class Message:
    message_id: str
    body: str
    md5_of_body: str
    message_attributes: dict[str, dict[str, str]]  # name -> {DataType, StringValue | BinaryValue (base64)}
    md5_of_message_attributes: str
    sent_at: float
    visible_at: float
    receive_count: int = 0
    first_received_at: float | None = None
    receipt_handle: str = ""   # the latest one: only it deletes, as in AWS
    group_id: str = ""
    dedup_id: str = ""
    sequence_number: str = ""

    def in_flight(self, now: float) -> bool:
        return self.receive_count > 0 and self.visible_at > now

    def delayed(self, now: float) -> bool:
        return self.receive_count == 0 and self.visible_at > now


@dataclass
class Queue:
    name: str
    attributes: dict[str, str]
    tags: dict[str, str]
    created_at: float
    last_modified_at: float
    messages: dict[str, Message] = field(default_factory=dict)   # by id, in send order
    dedup: dict[str, list] = field(default_factory=dict)          # key -> [expires_at, message_id, sequence]
    next_sequence: int = 1
    purged_at: float | None = None

    @property
    def fifo(self) -> bool:
        return self.name.endswith(".fifo")

    def int_attribute(self, name: str) -> int:
        return int(self.attributes.get(name, _INT_ATTRIBUTES[name][0]))

    def expired(self, message: Message, now: float) -> bool:
        return message.sent_at + self.int_attribute("MessageRetentionPeriod") <= now

    def redrive(self) -> tuple[str, int] | None:
        """(dead-letter queue name, maxReceiveCount), if the queue has a redrive policy."""
        if not (policy := self.attributes.get("RedrivePolicy")):
            return None
        parsed = json.loads(policy)
        return parsed["deadLetterTargetArn"].rsplit(":", 1)[-1], int(parsed["maxReceiveCount"])


@dataclass(frozen=True)
class SendResult:
    message_id: str
    md5_of_message_body: str
    md5_of_message_attributes: str
    sequence_number: str


@dataclass(frozen=True)
class BatchFailure:
    id: str
    code: str
    message: str
    sender_fault: bool = True


@dataclass(frozen=True)
class Received:
    message_id: str
    receipt_handle: str
    md5_of_body: str
    body: str
    attributes: dict[str, str]
    md5_of_message_attributes: str
    message_attributes: dict[str, dict[str, str]]


Record = dict[str, Any]


class SqsModel:
    """Every queue of a region. Commands raise an SqsError-family AzlabError and change nothing on bad input."""

    def __init__(self, region: str = "lab-1", queue_url_base: str = "http://localhost"):
        self.region = region
        self.queue_url_base = queue_url_base.rstrip("/")
        self.queues: dict[str, Queue] = {}

    # ---- names and lookups
    def queue_url(self, name: str) -> str:
        return f"{self.queue_url_base}/{ACCOUNT_ID}/{name}"

    def queue_arn(self, name: str) -> str:
        return f"arn:aws:sqs:{self.region}:{ACCOUNT_ID}:{name}"

    def queue(self, queue_url: str) -> Queue:
        """The queue a URL names (any host, as AWS lets any endpoint of the region serve it)."""
        if not queue_url:
            raise MissingParameter("The request must contain the parameter QueueUrl.")
        name = queue_url.rstrip("/").rsplit("/", 1)[-1]
        if name not in self.queues:
            raise QueueDoesNotExist("The specified queue does not exist.")
        return self.queues[name]

    # ---- queues
    def create_queue(self, name: str, attributes: dict[str, str], tags: dict[str, str], now: float) -> tuple[str, list[Record]]:
        if not name:
            raise MissingParameter("The request must contain the parameter QueueName.")
        fifo = name.endswith(".fifo")
        if not _QUEUE_NAME.match(name.removesuffix(".fifo")):
            raise InvalidParameterValue(
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
        if attributes.get("FifoQueue", "false").lower() == "true" and not fifo:
            raise InvalidParameterValue("The name of a FIFO queue can only include alphanumeric characters, hyphens, "
                                        "or underscores, must end with .fifo suffix and be 1 to 80 in length.")
        if fifo and attributes.get("FifoQueue", "true").lower() != "true":
            raise InvalidParameterValue("A queue whose name ends in .fifo must be a FIFO queue (FifoQueue=true).")
        attributes = self._valid_attributes(attributes, fifo, creating=True)
        if fifo:
            attributes["FifoQueue"] = "true"
        if existing := self.queues.get(name):
            if any(_effective(existing, k) != v for k, v in attributes.items()):
                raise QueueNameExists("A queue already exists with the same name and a different value for attribute(s)")
            return self.queue_url(name), []
        return self.queue_url(name), self._commit({"op": "create_queue", "name": name, "attributes": attributes,
                                                   "tags": dict(tags), "at": now})

    def get_queue_url(self, name: str) -> str:
        if name not in self.queues:
            raise QueueDoesNotExist("The specified queue does not exist.")
        return self.queue_url(name)

    def list_queues(self, prefix: str = "", max_results: int | None = None, next_token: str = "") -> tuple[list[str], str]:
        if max_results is not None and not 1 <= max_results <= MAX_LIST_RESULTS:
            raise InvalidParameterValue(f"Value {max_results} for parameter MaxResults is invalid. "
                                        f"Reason: must be between 1 and {MAX_LIST_RESULTS}.")
        names = sorted(n for n in self.queues if n.startswith(prefix) and n > next_token)
        if max_results is None:
            return [self.queue_url(n) for n in names[:MAX_LIST_RESULTS]], ""
        page = names[:max_results]
        return [self.queue_url(n) for n in page], page[-1] if len(names) > max_results else ""

    def delete_queue(self, queue_url: str) -> list[Record]:
        return self._commit({"op": "delete_queue", "name": self.queue(queue_url).name})

    def get_queue_attributes(self, queue_url: str, names: list[str], now: float) -> dict[str, str]:
        queue = self.queue(queue_url)
        for name in names:
            if name != "All" and name not in SETTABLE and name not in READ_ONLY:
                raise InvalidAttributeName(f"Unknown Attribute {name}.")
        everything = {
            **{k: str(v[0]) for k, v in _INT_ATTRIBUTES.items() if k != "KmsDataKeyReusePeriodSeconds"},
            **({"ContentBasedDeduplication": "false", "DeduplicationScope": "queue",
                "FifoThroughputLimit": "perQueue"} if queue.fifo else {}),
            "SqsManagedSseEnabled": "false",
            **queue.attributes,
            "QueueArn": self.queue_arn(queue.name),
            "CreatedTimestamp": str(int(queue.created_at)),
            "LastModifiedTimestamp": str(int(queue.last_modified_at)),
            **self._counts(queue, now),
        }
        wanted = everything if "All" in names else {n: everything[n] for n in names if n in everything}
        return dict(wanted)

    def set_queue_attributes(self, queue_url: str, attributes: dict[str, str], now: float) -> list[Record]:
        queue = self.queue(queue_url)
        if "FifoQueue" in attributes:
            raise InvalidAttributeName("FifoQueue can only be set when the queue is created.")
        attributes = self._valid_attributes(attributes, queue.fifo, creating=False)
        return self._commit({"op": "set_attributes", "name": queue.name, "attributes": attributes, "at": now})

    def purge_queue(self, queue_url: str, now: float) -> list[Record]:
        queue = self.queue(queue_url)
        if queue.purged_at is not None and now - queue.purged_at < PURGE_INTERVAL_S:
            raise PurgeQueueInProgress(f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds.")
        return self._commit({"op": "purge", "name": queue.name, "at": now})

    def tag_queue(self, queue_url: str, tags: dict[str, str]) -> list[Record]:
        queue = self.queue(queue_url)
        if not tags:
            raise MissingParameter("The request must contain the parameter Tags.")
        return self._commit({"op": "tag", "name": queue.name, "tags": dict(tags)})

    def untag_queue(self, queue_url: str, keys: list[str]) -> list[Record]:
        queue = self.queue(queue_url)
        if not keys:
            raise MissingParameter("The request must contain the parameter TagKeys.")
        return self._commit({"op": "untag", "name": queue.name, "keys": list(keys)})

    def list_queue_tags(self, queue_url: str) -> dict[str, str]:
        return dict(self.queue(queue_url).tags)

    # ---- messages
    def send_message(self, queue_url: str, body: str, now: float, delay_seconds: int | None = None,
                     message_attributes: dict[str, dict[str, str]] | None = None,
                     deduplication_id: str = "", group_id: str = "") -> tuple[SendResult, list[Record]]:
        queue = self.queue(queue_url)
        message = self._new_message(queue, body, now, delay_seconds, message_attributes or {}, deduplication_id,
                                    group_id, pending=[])
        return self._send(queue, [message], now)[0]

    def send_message_batch(self, queue_url: str, entries: list[dict[str, Any]], now: float
                           ) -> tuple[list[tuple[str, SendResult]], list[BatchFailure], list[Record]]:
        """`entries`: dicts with Id, MessageBody and the send_message options by AWS's names."""
        queue = self.queue(queue_url)
        _check_batch([e.get("Id", "") for e in entries])
        total = sum(_message_size(e.get("MessageBody", ""), e.get("MessageAttributes") or {}) for e in entries)
        if total > MAX_BATCH_BYTES:
            raise BatchRequestTooLong(f"Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. "
                                      f"You have sent {total} bytes.")
        accepted: list[tuple[str, Message]] = []
        failed: list[BatchFailure] = []
        for entry in entries:
            try:
                accepted.append((entry["Id"], self._new_message(
                    queue, entry.get("MessageBody", ""), now, entry.get("DelaySeconds"),
                    entry.get("MessageAttributes") or {}, entry.get("MessageDeduplicationId", ""),
                    entry.get("MessageGroupId", ""), pending=[m for _, m in accepted])))
            except AzlabError as e:
                failed.append(BatchFailure(entry["Id"], e.code, e.message))
        sent = self._send(queue, [m for _, m in accepted], now) if accepted else []
        records = [r for _, rs in sent[:1] for r in rs]
        return [(entry_id, result) for (entry_id, _), (result, _) in zip(accepted, sent)], failed, records

    def _new_message(self, queue: Queue, body: str, now: float, delay_seconds: int | None,
                     message_attributes: dict[str, dict[str, str]], deduplication_id: str, group_id: str,
                     pending: list[Message]) -> Message:
        if not body:
            raise MissingParameter("The request must contain the parameter MessageBody.")
        if _INVALID_BODY.search(body):
            raise InvalidMessageContents("Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | "
                                         "#x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
        _check_message_attributes(message_attributes)
        size, limit = _message_size(body, message_attributes), queue.int_attribute("MaximumMessageSize")
        if size > limit:
            raise InvalidParameterValue(f"One or more parameters are invalid. Reason: Message must be shorter than "
                                        f"{limit} bytes.")
        if delay_seconds is not None:
            if queue.fifo:
                raise InvalidParameterValue("Value for parameter DelaySeconds is invalid. Reason: The request include "
                                            "parameter that is not valid for this queue type.")
            check_range("DelaySeconds", delay_seconds, 0, MAX_DELAY_S)
        delay = queue.int_attribute("DelaySeconds") if delay_seconds is None else delay_seconds
        if queue.fifo:
            if not group_id:
                raise MissingParameter("The request must contain the parameter MessageGroupId.")
            if not deduplication_id:
                if queue.attributes.get("ContentBasedDeduplication", "false") != "true":
                    raise InvalidParameterValue("The queue should either have ContentBasedDeduplication enabled or "
                                                "MessageDeduplicationId provided explicitly")
                deduplication_id = hashlib.sha256(body.encode()).hexdigest()
        elif deduplication_id or group_id:
            # AWS takes MessageGroupId on standard queues now (fair queues); deduplication stays FIFO's
            if deduplication_id:
                raise InvalidParameterValue("Value for parameter MessageDeduplicationId is invalid. Reason: The "
                                            "request includes a parameter that is not valid for this queue type.")
        return Message(
            message_id=str(uuid.uuid4()), body=body, md5_of_body=hashlib.md5(body.encode()).hexdigest(),
            message_attributes={k: dict(v) for k, v in message_attributes.items()},
            md5_of_message_attributes=md5_of_message_attributes(message_attributes) if message_attributes else "",
            sent_at=now, visible_at=now + delay, group_id=group_id, dedup_id=deduplication_id,
        )

    def _send(self, queue: Queue, messages: list[Message], now: float) -> list[tuple[SendResult, list[Record]]]:
        """Assign sequence numbers, drop FIFO duplicates (answering with the original), commit one record."""
        results: list[SendResult] = []
        fresh: list[Message] = []
        live = {k: v for k, v in queue.dedup.items() if v[0] > now} if queue.fifo else {}
        sequence = queue.next_sequence
        for message in messages:
            if queue.fifo:
                key = self._dedup_key(queue, message)
                if key in live:
                    _, original_id, original_sequence = live[key]
                    results.append(SendResult(original_id, message.md5_of_body, message.md5_of_message_attributes,
                                              original_sequence))
                    continue
                message.sequence_number = f"{sequence:020d}"
                sequence += 1
                live[key] = [now + DEDUP_WINDOW_S, message.message_id, message.sequence_number]
            fresh.append(message)
            results.append(SendResult(message.message_id, message.md5_of_body, message.md5_of_message_attributes,
                                      message.sequence_number))
        records = self._commit({"op": "send", "name": queue.name, "at": now,
                                "messages": [asdict(m) for m in fresh]}) if fresh else []
        return [(result, records) for result in results]

    @staticmethod
    def _dedup_key(queue: Queue, message: Message) -> str:
        if queue.attributes.get("DeduplicationScope") == "messageGroup":
            return f"{message.group_id}\x00{message.dedup_id}"
        return message.dedup_id

    def receive_message(self, queue_url: str, now: float, max_number: int | None = None,
                        visibility_timeout: int | None = None, attribute_names: list[str] | None = None,
                        message_attribute_names: list[str] | None = None) -> tuple[list[Received], list[Record]]:
        """Up to `max_number` visible messages, made invisible for the visibility timeout. Empty: none visible now
        (the caller long-polls by calling again)."""
        queue = self.queue(queue_url)
        count = 1 if max_number is None else max_number
        check_range("MaxNumberOfMessages", count, 1, MAX_RECEIVE)
        if visibility_timeout is not None:
            check_range("VisibilityTimeout", visibility_timeout, 0, MAX_VISIBILITY_S)
        timeout = queue.int_attribute("VisibilityTimeout") if visibility_timeout is None else visibility_timeout
        redrive = queue.redrive()
        expired, moved, chosen = [], [], []
        blocked: set[str] = set()  # FIFO groups with a message in flight or ahead of us
        for message in queue.messages.values():
            if len(chosen) == count:
                break
            if queue.expired(message, now):
                expired.append(message.message_id)
                continue
            if queue.fifo and message.group_id in blocked:
                continue
            if message.visible_at > now:
                if queue.fifo:
                    blocked.add(message.group_id)
                continue
            if redrive and redrive[0] in self.queues and message.receive_count >= redrive[1]:
                moved.append(message.message_id)
                continue
            chosen.append(message)
        if not (chosen or expired or moved):
            return [], []
        deliveries = [{"id": m.message_id, "handle": _receipt_handle(queue.name, m.message_id)} for m in chosen]
        records = self._commit({"op": "receive", "name": queue.name, "at": now, "visible_at": now + timeout,
                                "deliveries": deliveries, "expired": expired, "moved": moved,
                                "dead_letter_queue": redrive[0] if moved and redrive else ""})
        received = [self._received(queue, m, attribute_names or [], message_attribute_names or []) for m in chosen]
        return received, records

    def _received(self, queue: Queue, m: Message, attribute_names: list[str], message_attribute_names: list[str]
                  ) -> Received:
        system = {
            "SenderId": SENDER_ID, "SentTimestamp": str(int(m.sent_at * 1000)),
            "ApproximateReceiveCount": str(m.receive_count),
            "ApproximateFirstReceiveTimestamp": str(int((m.first_received_at or m.sent_at) * 1000)),
        }
        if queue.fifo:
            system |= {"MessageDeduplicationId": m.dedup_id, "MessageGroupId": m.group_id,
                       "SequenceNumber": m.sequence_number}
        elif m.group_id:
            system["MessageGroupId"] = m.group_id
        wanted = system if "All" in attribute_names else {k: v for k, v in system.items() if k in attribute_names}
        attributes = {k: v for k, v in m.message_attributes.items() if _wanted(k, message_attribute_names)}
        return Received(m.message_id, m.receipt_handle, m.md5_of_body, m.body, wanted,
                        md5_of_message_attributes(attributes) if attributes else "", attributes)

    def delete_message(self, queue_url: str, receipt_handle: str) -> list[Record]:
        queue = self.queue(queue_url)
        message = self._by_handle(queue, receipt_handle)
        # A deleted message, or a handle since superseded: AWS answers success and deletes nothing.
        if message is None or message.receipt_handle != receipt_handle:
            return []
        return self._commit({"op": "delete", "name": queue.name, "ids": [message.message_id]})

    def delete_message_batch(self, queue_url: str, entries: list[dict[str, str]]
                             ) -> tuple[list[str], list[BatchFailure], list[Record]]:
        queue = self.queue(queue_url)
        _check_batch([e.get("Id", "") for e in entries])
        done, failed, ids = [], [], []
        for entry in entries:
            try:
                message = self._by_handle(queue, entry.get("ReceiptHandle", ""))
            except AzlabError as e:
                failed.append(BatchFailure(entry["Id"], e.code, e.message))
                continue
            if message is not None and message.receipt_handle == entry["ReceiptHandle"]:
                ids.append(message.message_id)
            done.append(entry["Id"])
        records = self._commit({"op": "delete", "name": queue.name, "ids": ids}) if ids else []
        return done, failed, records

    def change_message_visibility(self, queue_url: str, receipt_handle: str, visibility_timeout: int, now: float
                                  ) -> list[Record]:
        queue = self.queue(queue_url)
        message = self._visibility_target(queue, receipt_handle, visibility_timeout, now)
        return self._commit({"op": "visibility", "name": queue.name,
                             "changes": [[message.message_id, now + visibility_timeout]]})

    def change_message_visibility_batch(self, queue_url: str, entries: list[dict[str, Any]], now: float
                                        ) -> tuple[list[str], list[BatchFailure], list[Record]]:
        queue = self.queue(queue_url)
        _check_batch([e.get("Id", "") for e in entries])
        done, failed, changes = [], [], []
        for entry in entries:
            try:
                timeout = int(entry.get("VisibilityTimeout", 0))
                message = self._visibility_target(queue, entry.get("ReceiptHandle", ""), timeout, now)
            except AzlabError as e:
                failed.append(BatchFailure(entry["Id"], e.code, e.message))
                continue
            changes.append([message.message_id, now + timeout])
            done.append(entry["Id"])
        records = self._commit({"op": "visibility", "name": queue.name, "changes": changes}) if changes else []
        return done, failed, records

    def _visibility_target(self, queue: Queue, receipt_handle: str, visibility_timeout: int, now: float) -> Message:
        check_range("VisibilityTimeout", visibility_timeout, 0, MAX_VISIBILITY_S)
        message = self._by_handle(queue, receipt_handle)
        if message is None or message.receipt_handle != receipt_handle or not message.in_flight(now):
            raise MessageNotInflight("The message referred to isn't in flight.")
        return message

    def _by_handle(self, queue: Queue, receipt_handle: str) -> Message | None:
        """The message a handle names, None if gone; ReceiptHandleIsInvalid for a handle we never gave out."""
        if not receipt_handle:
            raise MissingParameter("The request must contain the parameter ReceiptHandle.")
        try:
            queue_name, message_id, _ = base64.urlsafe_b64decode(receipt_handle.encode()).decode().split("\n")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise ReceiptHandleIsInvalid(f'The input receipt handle "{receipt_handle}" is not a valid receipt handle.') \
                from None
        if queue_name != queue.name:
            raise ReceiptHandleIsInvalid(f'The input receipt handle "{receipt_handle}" is not a valid receipt handle '
                                         f"for queue {queue.name}.")
        return queue.messages.get(message_id)

    def _counts(self, queue: Queue, now: float) -> dict[str, str]:
        visible = in_flight = delayed = 0
        for m in queue.messages.values():
            if queue.expired(m, now):
                continue
            if m.in_flight(now):
                in_flight += 1
            elif m.delayed(now):
                delayed += 1
            else:
                visible += 1
        return {"ApproximateNumberOfMessages": str(visible), "ApproximateNumberOfMessagesNotVisible": str(in_flight),
                "ApproximateNumberOfMessagesDelayed": str(delayed)}

    # ---- attribute rules
    def _valid_attributes(self, attributes: dict[str, str], fifo: bool, creating: bool) -> dict[str, str]:
        valid: dict[str, str] = {}
        for name, value in attributes.items():
            if name not in SETTABLE:
                raise InvalidAttributeName(f"Unknown Attribute {name}.")
            if name in _FIFO_ONLY and not fifo:
                raise InvalidAttributeName(f"Unknown Attribute {name}.")
            if name in _INT_ATTRIBUTES:
                _, low, high = _INT_ATTRIBUTES[name]
                if not re.fullmatch(r"-?\d+", value) or not low <= int(value) <= high:
                    raise InvalidAttributeValue(f"Invalid value for the parameter {name}. Reason: must be an integer "
                                                f"between {low} and {high}.")
                valid[name] = str(int(value))
            elif name in _BOOL_ATTRIBUTES:
                if value.lower() not in ("true", "false"):
                    raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
                valid[name] = value.lower()
            elif name in _CHOICE_ATTRIBUTES:
                if value not in _CHOICE_ATTRIBUTES[name]:
                    raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
                valid[name] = value
            elif name == "RedrivePolicy" and value:
                valid[name] = self._valid_redrive_policy(value, fifo)
            else:
                valid[name] = value
        return valid

    def _valid_redrive_policy(self, value: str, fifo: bool) -> str:
        try:
            policy = json.loads(value)
            target = str(policy["deadLetterTargetArn"])
            max_receives = int(policy["maxReceiveCount"])
        except (ValueError, TypeError, KeyError):
            raise InvalidAttributeValue("Value for parameter RedrivePolicy is invalid. Reason: Redrive policy is not "
                                        "a JSON object with deadLetterTargetArn and maxReceiveCount.") from None
        if not 1 <= max_receives <= 1000:
            raise InvalidAttributeValue("Value for parameter RedrivePolicy is invalid. Reason: Invalid value for "
                                        "maxReceiveCount: must be between 1 and 1000.")
        name = target.rsplit(":", 1)[-1]
        if target != self.queue_arn(name) or name not in self.queues:
            raise InvalidAttributeValue("Value for parameter RedrivePolicy is invalid. Reason: Dead-letter target "
                                        "does not exist.")
        if name.endswith(".fifo") != fifo:
            raise InvalidAttributeValue("Value for parameter RedrivePolicy is invalid. Reason: Dead-letter target "
                                        "must be of the same type as the source queue.")
        return json.dumps({"deadLetterTargetArn": target, "maxReceiveCount": max_receives}, separators=(",", ":"))

    # ---- records: the only way state changes
    def _commit(self, record: Record) -> list[Record]:
        self.apply(record)
        return [record]

    def apply(self, record: Record) -> None:
        """Apply one record decided by a leader; deterministic, and never raises on a record it made."""
        op, name = record["op"], record["name"]
        if op == "create_queue":
            if name not in self.queues:
                self.queues[name] = Queue(name, dict(record["attributes"]), dict(record["tags"]), record["at"],
                                          record["at"])
            return
        queue = self.queues.get(name)
        if queue is None:
            return  # deleted since; its records are moot
        if op == "delete_queue":
            del self.queues[name]
        elif op == "set_attributes":
            queue.attributes.update(record["attributes"])
            queue.attributes = {k: v for k, v in queue.attributes.items() if v != "" or k not in _FREE_ATTRIBUTES}
            queue.last_modified_at = record["at"]
        elif op == "tag":
            queue.tags.update(record["tags"])
        elif op == "untag":
            for key in record["keys"]:
                queue.tags.pop(key, None)
        elif op == "purge":
            queue.messages.clear()
            queue.purged_at = record["at"]
        elif op == "send":
            now = record["at"]
            if queue.fifo:
                queue.dedup = {k: v for k, v in queue.dedup.items() if v[0] > now}
            for fields in record["messages"]:
                message = Message(**fields)
                queue.messages[message.message_id] = message
                if queue.fifo:
                    queue.dedup[self._dedup_key(queue, message)] = [now + DEDUP_WINDOW_S, message.message_id,
                                                                    message.sequence_number]
                    queue.next_sequence = int(message.sequence_number) + 1
        elif op == "receive":
            now = record["at"]
            for message_id in record["expired"]:
                queue.messages.pop(message_id, None)
            if record["moved"]:
                dead_letters = self.queues.get(record["dead_letter_queue"])
                for message_id in record["moved"]:
                    message = queue.messages.pop(message_id, None)
                    if message is not None and dead_letters is not None:
                        message.receive_count, message.visible_at, message.receipt_handle = 0, now, ""
                        dead_letters.messages[message_id] = message
            for delivery in record["deliveries"]:
                if message := queue.messages.get(delivery["id"]):
                    message.receive_count += 1
                    message.first_received_at = message.first_received_at or now
                    message.visible_at = record["visible_at"]
                    message.receipt_handle = delivery["handle"]
        elif op == "delete":
            for message_id in record["ids"]:
                queue.messages.pop(message_id, None)
        elif op == "visibility":
            for message_id, visible_at in record["changes"]:
                if message := queue.messages.get(message_id):
                    message.visible_at = visible_at
        else:
            raise ValueError(f"unknown record op {op!r}")


def _effective(queue: Queue, name: str) -> str:
    if name in queue.attributes:
        return queue.attributes[name]
    if name in _INT_ATTRIBUTES:
        return str(_INT_ATTRIBUTES[name][0])
    return "false" if name in _BOOL_ATTRIBUTES else ""


def _receipt_handle(queue_name: str, message_id: str) -> str:
    return base64.urlsafe_b64encode(f"{queue_name}\n{message_id}\n{uuid.uuid4().hex}".encode()).decode()


def check_range(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise InvalidParameterValue(f"Value {value} for parameter {name} is invalid. Reason: Must be between "
                                    f"{low} and {high}, if provided.")


def _check_batch(ids: list[str]) -> None:
    if not ids:
        raise EmptyBatchRequest("There should be at least one entry in the request.")
    if len(ids) > MAX_BATCH_ENTRIES:
        raise TooManyEntriesInBatchRequest(f"Maximum number of entries per request are {MAX_BATCH_ENTRIES}. "
                                           f"You have sent {len(ids)}.")
    for entry_id in ids:
        if not _BATCH_ID.match(entry_id):
            raise InvalidBatchEntryId("A batch entry id can only contain alphanumeric characters, hyphens and "
                                      "underscores. It can be at most 80 letters long.")
    if len(set(ids)) != len(ids):
        raise BatchEntryIdsNotDistinct("Two or more batch entries in the request have the same Id.")


def _check_message_attributes(attributes: dict[str, dict[str, str]]) -> None:
    if len(attributes) > 10:
        raise InvalidParameterValue("Number of message attributes cannot exceed 10.")
    for name, value in attributes.items():
        data_type = value.get("DataType", "")
        if not data_type:
            raise InvalidParameterValue(f"The message attribute '{name}' must contain non-empty message attribute type.")
        kind = data_type.split(".", 1)[0]
        if kind not in ("String", "Number", "Binary"):
            raise InvalidParameterValue(f"The type of message attribute '{name}' is invalid. You must use only the "
                                        "following supported type prefixes: Binary, Number, String.")
        if kind == "Binary" and not value.get("BinaryValue"):
            raise InvalidParameterValue(f"The message attribute '{name}' with type 'Binary' must use field 'Binary'.")
        if kind != "Binary" and not value.get("StringValue"):
            raise InvalidParameterValue(f"The message attribute '{name}' with type '{kind}' must use field 'String'.")


def _message_size(body: str, attributes: dict[str, dict[str, str]]) -> int:
    size = len(body.encode())
    for name, value in attributes.items():
        size += len(name.encode()) + len(value.get("DataType", "").encode())
        size += len(value.get("StringValue", "").encode()) + len(base64.b64decode(value.get("BinaryValue", "")))
    return size


def _wanted(name: str, patterns: list[str]) -> bool:
    return any(p in ("All", ".*") or p == name or (p.endswith(".*") and name.startswith(p[:-1])) for p in patterns)


def md5_of_message_attributes(attributes: dict[str, dict[str, str]]) -> str:
    """AWS's digest of message attributes: each, sorted by name, as length-prefixed name, type, transport, value."""
    digest = hashlib.md5()
    for name in sorted(attributes):
        value = attributes[name]
        data_type = value["DataType"]
        digest.update(_length_prefixed(name.encode()) + _length_prefixed(data_type.encode()))
        if data_type.startswith("Binary"):
            digest.update(b"\x02" + _length_prefixed(base64.b64decode(value["BinaryValue"])))
        else:
            digest.update(b"\x01" + _length_prefixed(value["StringValue"].encode()))
    return digest.hexdigest()


def _length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data

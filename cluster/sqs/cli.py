"""`azlab sqs <operation>`: aws-cli's `aws sqs` operations and options, over the region's gRPC API.

Options are AWS's member names in kebab case. Maps (`--attributes`, `--tags`)
take aws-cli's shorthand `Key=Value,Key=Value` (a value holding a comma or a
brace quoted: `RedrivePolicy='{"maxReceiveCount":"3",...}'`) or JSON; batch entries and
message attributes take JSON, as aws-cli does.
"""

from __future__ import annotations

import json
import re
from typing import Any

from google.protobuf import json_format

from azlab.cluster.cli import rpc
from azlab.common.errors import InvalidParameterValue
from azlab.cluster.shorthand import ShorthandError, parse_flat
from azlab.sqs.v1 import sqs_pb2

STR, INT, MAP, JSON, LIST = "str", "int", "map", "json", "list"
QUEUE_URL = ("QueueUrl", STR, True)
# operation -> (RPC, [(AWS member, kind, required)])
OPERATIONS: dict[str, tuple[str, list[tuple[str, str, bool]]]] = {
    "create-queue": ("CreateQueue", [("QueueName", STR, True), ("Attributes", MAP, False), ("tags", MAP, False)]),
    "get-queue-url": ("GetQueueUrl", [("QueueName", STR, True), ("QueueOwnerAWSAccountId", STR, False)]),
    "list-queues": ("ListQueues", [("QueueNamePrefix", STR, False), ("MaxResults", INT, False),
                                   ("NextToken", STR, False)]),
    "delete-queue": ("DeleteQueue", [QUEUE_URL]),
    "get-queue-attributes": ("GetQueueAttributes", [QUEUE_URL, ("AttributeNames", LIST, False)]),
    "set-queue-attributes": ("SetQueueAttributes", [QUEUE_URL, ("Attributes", MAP, True)]),
    "send-message": ("SendMessage", [QUEUE_URL, ("MessageBody", STR, True), ("DelaySeconds", INT, False),
                                     ("MessageAttributes", JSON, False), ("MessageDeduplicationId", STR, False),
                                     ("MessageGroupId", STR, False)]),
    "send-message-batch": ("SendMessageBatch", [QUEUE_URL, ("Entries", JSON, True)]),
    "receive-message": ("ReceiveMessage", [QUEUE_URL, ("AttributeNames", LIST, False),
                                           ("MessageSystemAttributeNames", LIST, False),
                                           ("MessageAttributeNames", LIST, False), ("MaxNumberOfMessages", INT, False),
                                           ("VisibilityTimeout", INT, False), ("WaitTimeSeconds", INT, False),
                                           ("ReceiveRequestAttemptId", STR, False)]),
    "delete-message": ("DeleteMessage", [QUEUE_URL, ("ReceiptHandle", STR, True)]),
    "delete-message-batch": ("DeleteMessageBatch", [QUEUE_URL, ("Entries", JSON, True)]),
    "change-message-visibility": ("ChangeMessageVisibility", [QUEUE_URL, ("ReceiptHandle", STR, True),
                                                              ("VisibilityTimeout", INT, True)]),
    "change-message-visibility-batch": ("ChangeMessageVisibilityBatch", [QUEUE_URL, ("Entries", JSON, True)]),
    "purge-queue": ("PurgeQueue", [QUEUE_URL]),
    "tag-queue": ("TagQueue", [QUEUE_URL, ("Tags", MAP, True)]),
    "untag-queue": ("UntagQueue", [QUEUE_URL, ("TagKeys", LIST, True)]),
    "list-queue-tags": ("ListQueueTags", [QUEUE_URL]),
    "describe-queue-replicas": ("DescribeQueueReplicas", []),
}


def _kebab(member: str) -> str:
    if member == "QueueOwnerAWSAccountId":
        return "queue-owner-aws-account-id"
    return re.sub(r"(?<!^)(?=[A-Z])", "-", member).lower()


def parse_map(text: str) -> dict[str, str]:
    """aws-cli's shorthand `K=V,K=V` (a value with a comma or a brace, e.g. JSON, quoted), or a JSON object."""
    if text.lstrip().startswith("{"):
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in _json(text).items()}
    try:
        return parse_flat(text)
    except ShorthandError as e:
        raise InvalidParameterValue(f"{e} (a map reads Key=Value,Key=Value or JSON)") from None


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as e:
        raise InvalidParameterValue(f"invalid JSON {text!r}: {e}") from None


def request_factory(method: str, members: list[tuple[str, str, bool]]):
    def build(args) -> Any:
        params: dict[str, Any] = {}
        for member, kind, _ in members:
            value = getattr(args, _kebab(member).replace("-", "_"))
            if value is None:
                continue
            params[member] = parse_map(value) if kind == MAP else _json(value) if kind == JSON else value
        try:
            return json_format.ParseDict(params, getattr(sqs_pb2, f"{method}Request")())
        except json_format.ParseError as e:
            raise InvalidParameterValue(str(e).splitlines()[0]) from None

    return build


def add_commands(verbs) -> None:
    sqs = verbs.add_parser("sqs", help="azlab.sqs.v1").add_subparsers(dest="op", required=True, metavar="OPERATION")
    for operation, (method, members) in OPERATIONS.items():
        parser = sqs.add_parser(operation)
        for member, kind, required in members:
            option = f"--{_kebab(member)}"
            if kind == LIST:
                parser.add_argument(option, nargs="+", required=required)
            else:
                parser.add_argument(option, type=int if kind == INT else str, required=required)
        parser.set_defaults(run=rpc("sqs", method, request_factory(method, members)))

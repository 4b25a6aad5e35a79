"""Every operation of the services azlab serves or will serve, both ways through the protocol layer, with
botocore on the other side: params made for the operation's input shape, serialized by botocore
(`create_serializer`), come back from the layer's route and parse as they were; a result made for its output
shape, rendered by the layer, comes back from botocore's parser (`create_parser`) as it was.

The values are made from the shapes: every member set (but recursion and event streams), two
entries in each list and map. What cannot round-trip is in ROUTED_ELSEWHERE and UNREADABLE, each with its reason.
"""

from __future__ import annotations

import datetime

import botocore.session
import pytest
from botocore.awsrequest import HeadersDict
from botocore.model import Shape
from botocore.parsers import create_parser

from azlab.cluster.awswire import protocol_for

from .test_awswire import sent
from .test_awswire_vectors import plain

SESSION = botocore.session.get_session()
UTC = datetime.timezone.utc
WHEN = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SERVICES = ["sqs", "ec2", "elb", "rds", "elasticache", "route53", "iam", "sts", "s3", "cloudwatch", "sns",
            "autoscaling", "lambda", "dynamodb"]
# Operations that share their whole HTTP binding with another: the request reaches that one.
ROUTED_ELSEWHERE = {
    ("s3", "GetBucketLifecycle"): "deprecated, same binding as GetBucketLifecycleConfiguration, which wins",
    ("s3", "PutBucketLifecycle"): "deprecated, same binding as PutBucketLifecycleConfiguration, which wins",
    ("s3", "GetBucketNotification"): "deprecated, same binding as GetBucketNotificationConfiguration, which wins",
    ("s3", "PutBucketNotification"): "deprecated, same binding as PutBucketNotificationConfiguration, which wins",
    ("s3", "ListDirectoryBuckets"): "GET / as ListBuckets: S3 Express tells them apart by its own endpoint",
}
# Results botocore itself cannot read back.
UNREADABLE = {
    ("s3", "GetBucketNotification"): "its configurations hold both Event and Events, whose items are <Event> too",
}


def make(shape: Shape, seen: tuple[str, ...] = ()):
    """A value for `shape` with every member set; None where recursion or an event stream stops it."""
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return {"a": 1}
        if shape.name in seen:
            return None
        members = list(shape.members.items())[:1] if shape.is_tagged_union else shape.members.items()
        value = {}
        for name, member in members:
            if member.serialization.get("eventstream"):
                continue
            made = make(member, seen + (shape.name,))
            if made not in (None, {}, [{}]):  # an empty structure is nothing on the query protocols' wire
                value[name] = made
        return value
    if kind == "list":
        item = make(shape.member, seen)
        return None if item is None else [item, item]
    if kind == "map":
        item = make(shape.value, seen)
        return None if item is None else {"k1": item, "k2": item}
    if kind == "string":
        return {"a": 1} if shape.serialization.get("jsonvalue") else shape.enum[0] if shape.enum else "v-1"
    return {"integer": 3, "long": 5, "boolean": True, "float": 1.5, "double": 2.5, "timestamp": WHEN,
            "blob": b"\x01b"}[kind]


def operations(service: str):
    model = SESSION.get_service_model(service)
    return [model.operation_model(name) for name in model.operation_names
            if not (model.operation_model(name).has_event_stream_input or
                    model.operation_model(name).has_event_stream_output)]


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_s_params_come_back_as_botocore_sent_them(service):
    layer = protocol_for(SESSION.get_service_model(service))
    wrong = {}
    for operation in operations(service):
        params = make(operation.input_shape) if operation.input_shape is not None else {}
        request = sent(service, operation.name, params)
        routed = layer.route(request)
        if routed.name != operation.name:
            wrong[operation.name] = f"routed to {routed.name}"
        elif plain(layer.parse(request, routed)) != plain(params):
            wrong[operation.name] = "params differ"
    assert set(wrong) == {op for (s, op) in ROUTED_ELSEWHERE if s == service}, wrong


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_s_result_reads_back_in_botocore_as_rendered(service):
    model = SESSION.get_service_model(service)
    layer, parser = protocol_for(model), create_parser(model.resolved_protocol)
    wrong = set()
    for operation in operations(service):
        result = make(operation.output_shape) if operation.output_shape is not None else {}
        response = layer.render(operation, result, "request-1")
        parsed = parser.parse({"status_code": response.status, "headers": HeadersDict(response.headers),
                               "body": response.body, "context": {"operation_name": operation.name}},
                              operation.output_shape)
        parsed.pop("ResponseMetadata", None)
        if plain(parsed) != plain(result):
            wrong.add(operation.name)
    assert wrong == {op for (s, op) in UNREADABLE if s == service}

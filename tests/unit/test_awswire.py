"""The AWS protocol layer with real services' models: what botocore sends reaches the right operation with the
same params, what the layer renders is what botocore reads, and bad input gets the protocol's own error.

Requests are made by botocore's own serializer (`botocore.serialize.create_serializer`), responses read by its own
parser (`botocore.parsers.create_parser`), so each check is what boto3 would see.
"""

from __future__ import annotations

import datetime
import json

import botocore.session
import pytest
from botocore.awsrequest import HeadersDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from botocore.utils import percent_encode_sequence
from multidict import CIMultiDict

from azlab.cluster.awswire import HttpRequest, WireError, protocol_for

SESSION = botocore.session.get_session()
UTC = datetime.timezone.utc


def sent(service: str, operation: str, params: dict) -> HttpRequest:
    """The request botocore sends for `params`, as the server receives it."""
    model = SESSION.get_service_model(service)
    request = create_serializer(model.resolved_protocol, include_validation=False).serialize_to_request(
        params, model.operation_model(operation))
    path, _, literal_query = request["url_path"].partition("?")
    query = "&".join(filter(None, (literal_query, percent_encode_sequence(request["query_string"]))))
    body = request["body"]
    if isinstance(body, dict):  # the query protocols' form
        body = percent_encode_sequence(body).encode()
    return HttpRequest(request["method"], path, query, CIMultiDict(request["headers"]), body or b"")


def answer(service: str, operation: str, result: dict) -> dict:
    """What boto3 reads from the layer's response to `operation`."""
    model = SESSION.get_service_model(service)
    response = protocol_for(model).render(model.operation_model(operation), result, "request-7")
    parsed = read(model, operation, response)
    assert parsed["ResponseMetadata"]["RequestId"] == "request-7"
    return parsed | {"ResponseMetadata": {"HTTPStatusCode": response.status}}


def read(model, operation, response) -> dict:
    wire = {"status_code": response.status, "headers": HeadersDict(response.headers), "body": response.body,
            "context": {"operation_name": operation}}
    parsed = create_parser(model.resolved_protocol).parse(wire, model.operation_model(operation).output_shape)
    return parsed


ROUND_TRIPS = [
    ("s3", "PutObject", {"Bucket": "photos", "Key": "2026/a b+c.jpg", "Body": b"\x00\xffjpeg",
                         "Metadata": {"owner": "ci"}, "ContentType": "image/jpeg"}),
    ("s3", "UploadPart", {"Bucket": "photos", "Key": "big/part", "PartNumber": 3, "UploadId": "u-1",
                          "Body": b"part"}),
    ("s3", "CopyObject", {"Bucket": "photos", "Key": "copy", "CopySource": "photos/original"}),
    ("s3", "GetObject", {"Bucket": "photos", "Key": "deep/er/key.txt", "Range": "bytes=0-9"}),
    ("s3", "ListObjectsV2", {"Bucket": "photos", "Prefix": "2026/", "MaxKeys": 10}),
    ("s3", "ListObjects", {"Bucket": "photos", "Marker": "m"}),
    ("s3", "GetBucketAcl", {"Bucket": "photos"}),
    ("s3", "CreateBucket", {"Bucket": "photos",
                            "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}}),
    ("s3", "DeleteObjects", {"Bucket": "photos", "Delete": {"Objects": [{"Key": "a"}, {"Key": "b"}],
                                                             "Quiet": True}}),
    ("s3", "CreateMultipartUpload", {"Bucket": "photos", "Key": "big/part"}),
    ("s3", "ListBuckets", {}),
    ("route53", "ChangeResourceRecordSets", {
        "HostedZoneId": "Z123", "ChangeBatch": {"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": "www.lab.", "Type": "A", "TTL": 60, "SetIdentifier": "a", "Failover": "PRIMARY",
            "ResourceRecords": [{"Value": "10.10.0.5"}]}}]}}),
    ("route53", "ListResourceRecordSets", {"HostedZoneId": "Z123", "StartRecordName": "www.lab."}),
    ("route53", "GetHostedZone", {"Id": "Z123"}),
    ("route53", "ListHostedZones", {"MaxItems": "5"}),
    ("lambda", "Invoke", {"FunctionName": "resize", "Payload": b'{"size": 3}', "InvocationType": "Event"}),
    ("lambda", "GetFunction", {"FunctionName": "resize", "Qualifier": "3"}),
    ("ec2", "RunInstances", {"ImageId": "ami-lab-minimal", "MinCount": 1, "MaxCount": 2,
                             "InstanceType": "m3.medium", "Placement": {"AvailabilityZone": "lab-1b"},
                             "SecurityGroupIds": ["sg-1", "sg-2"], "TagSpecifications": [
                                 {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}],
                             "UserData": "IyEvYmluL3NoCg=="}),
    ("ec2", "DescribeInstances", {"Filters": [{"Name": "availability-zone", "Values": ["lab-1a", "lab-1b"]}],
                                  "MaxResults": 5}),
    ("elb", "CreateLoadBalancer", {"LoadBalancerName": "web", "AvailabilityZones": ["lab-1a", "lab-1b"],
                                   "Listeners": [{"Protocol": "HTTP", "LoadBalancerPort": 80,
                                                  "InstancePort": 8080}]}),
    ("iam", "PutUserPolicy", {"UserName": "ci", "PolicyName": "ro", "PolicyDocument": '{"Version": "2012"}'}),
    ("rds", "CreateDBInstance", {"DBInstanceIdentifier": "orders", "Engine": "postgres", "MultiAZ": True,
                                 "DBInstanceClass": "db.m5.large", "AllocatedStorage": 20}),
    ("sqs", "SendMessage", {"QueueUrl": "http://127.0.0.1/1/q", "MessageBody": "hi",
                            "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "1"}}}),
    ("dynamodb", "PutItem", {"TableName": "t", "Item": {"id": {"S": "1"}, "blob": {"B": b"\x01"}}}),
    ("cloudwatch", "PutMetricData", {"Namespace": "lab", "MetricData": [
        {"MetricName": "latency", "Value": 1.5, "Unit": "Seconds",
         "Timestamp": datetime.datetime(2026, 12, 7, 12, 0, 0, 250000, tzinfo=UTC),
         "Dimensions": [{"Name": "az", "Value": "lab-1a"}]}]}),
    ("sts", "AssumeRole", {"RoleArn": "arn:aws:iam::000000000000:role/r", "RoleSessionName": "nightly",
                           "DurationSeconds": 900}),
]


@pytest.mark.parametrize("service, operation, params", ROUND_TRIPS, ids=[f"{s}.{o}" for s, o, _ in ROUND_TRIPS])
def test_what_botocore_sends_reaches_its_operation_with_its_params(service, operation, params):
    layer = protocol_for(SESSION.get_service_model(service))
    request = sent(service, operation, params)
    routed = layer.route(request)
    assert routed.name == operation
    assert layer.parse(request, routed) == params


def test_the_most_specific_route_wins_whatever_the_models_order():
    layer = protocol_for(SESSION.get_service_model("s3"))
    assert layer.route(HttpRequest("PUT", "/photos", "acl")).name == "PutBucketAcl"
    assert layer.route(HttpRequest("PUT", "/photos")).name == "CreateBucket"
    assert layer.route(HttpRequest("GET", "/photos", "list-type=2&prefix=a")).name == "ListObjectsV2"
    assert layer.route(HttpRequest("GET", "/photos", "prefix=a")).name == "ListObjects"
    assert layer.route(HttpRequest("PUT", "/photos/a/b", "partNumber=1&uploadId=u")).name == "UploadPart"
    assert layer.route(HttpRequest("PUT", "/photos/a/b", headers=CIMultiDict(
        {"x-amz-copy-source": "x/y"}))).name == "CopyObject"
    assert layer.route(HttpRequest("PUT", "/photos/a/b")).name == "PutObject"
    assert layer.route(HttpRequest("HEAD", "/photos/a/b")).name == "HeadObject"


def test_a_request_lacking_what_its_operation_requires_still_reaches_it():
    layer = protocol_for(SESSION.get_service_model("s3"))
    request = HttpRequest("POST", "/photos/a", "uploadId=u")  # CompleteMultipartUpload, its part list left out
    assert layer.route(request).name == "CompleteMultipartUpload"


def test_results_read_back_as_boto3_returns_them():
    launched = datetime.datetime(2026, 12, 7, 12, 0, 1, tzinfo=UTC)
    reservations = {"Reservations": [{"ReservationId": "r-1", "OwnerId": "000000000000", "Instances": [
        {"InstanceId": "i-1", "LaunchTime": launched, "Placement": {"AvailabilityZone": "lab-1b"},
         "State": {"Code": 16, "Name": "running"}, "EbsOptimized": False,
         "Tags": [{"Key": "Name", "Value": "web"}]}]}], "NextToken": "t"}
    parsed = answer("ec2", "DescribeInstances", reservations)
    assert parsed.pop("ResponseMetadata") == {"HTTPStatusCode": 200}
    assert parsed == reservations

    user = {"User": {"UserName": "ci", "UserId": "AIDA1", "Arn": "arn:aws:iam::000000000000:user/ci", "Path": "/",
                     "CreateDate": launched}}
    parsed = answer("iam", "CreateUser", user)
    parsed.pop("ResponseMetadata")
    assert parsed == user

    got = answer("s3", "GetObject", {"Body": b"\x00data", "ContentLength": 5, "ETag": '"e"',
                                      "Metadata": {"owner": "ci"}, "LastModified": launched})
    assert (got["Body"], got["Metadata"], got["LastModified"]) == ("\x00data", {"owner": "ci"}, launched)

    zone = {"HostedZone": {"Id": "/hostedzone/Z1", "Name": "lab.", "CallerReference": "c"},
            "ChangeInfo": {"Id": "/change/C1", "Status": "INSYNC", "SubmittedAt": launched},
            "DelegationSet": {"NameServers": ["ns1.lab."]}, "Location": "https://route53/2013-04-01/hostedzone/Z1"}
    parsed = answer("route53", "CreateHostedZone", zone)
    assert parsed.pop("ResponseMetadata") == {"HTTPStatusCode": 201}  # the model's responseCode
    assert parsed == zone

    item = {"Item": {"id": {"S": "1"}, "n": {"N": "3"}}, "ConsumedCapacity": {"TableName": "t",
                                                                            "CapacityUnits": 0.5}}
    parsed = answer("dynamodb", "GetItem", item)
    parsed.pop("ResponseMetadata")
    assert parsed == item


@pytest.mark.parametrize("service, request_, code, status", [
    ("sqs", HttpRequest("POST", "/", headers=CIMultiDict({"X-Amz-Target": "AmazonSQS.Nope"})),
     "UnknownOperationException", 400),
    ("ec2", HttpRequest("POST", "/", "Action=RunNothing&Version=2016-11-15"), "InvalidAction", 400),
    ("iam", HttpRequest("POST", "/", body=b"Action=Nope", headers=CIMultiDict(
        {"Content-Type": "application/x-www-form-urlencoded"})), "InvalidAction", 400),
    ("route53", HttpRequest("DELETE", "/2013-04-01/nothing/here"), "UnknownOperationException", 404),
    ("lambda", HttpRequest("PATCH", "/2015-03-31/functions/f"), "UnknownOperationException", 404),
], ids=["json", "ec2", "query", "rest-xml", "rest-json"])
def test_an_unknown_operation_gets_the_protocols_own_error(service, request_, code, status):
    model = SESSION.get_service_model(service)
    layer = protocol_for(model)
    with pytest.raises(WireError) as raised:
        layer.route(request_)
    response = layer.render_error(raised.value, "request-9")
    parsed = create_parser(model.resolved_protocol).parse(
        {"status_code": response.status, "headers": HeadersDict(response.headers), "body": response.body}, None)
    assert (response.status, parsed["Error"]["Code"]) == (status, code)
    assert parsed["ResponseMetadata"]["RequestId"] == "request-9"


@pytest.mark.parametrize("service, operation, params, body, code", [
    ("sqs", "SendMessage", {}, b"{not json", "SerializationException"),
    ("sqs", "SendMessage", {}, b'{"QueueUrl": "q", "MessageBody": 5}', "SerializationException"),
    ("dynamodb", "PutItem", {}, b'{"TableName": "t", "Item": {"b": {"B": 468}}}', "SerializationException"),
    ("route53", "ChangeResourceRecordSets", {"HostedZoneId": "Z1"}, b"<ChangeResourceRecordSetsRequest>",
     "MalformedXML"),
    ("route53", "ChangeResourceRecordSets", {"HostedZoneId": "Z1"},
     b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><ChangeResourceRecordSetsRequest/>', "MalformedXML"),
    ("ec2", "RunInstances", {}, b"Action=RunInstances&MinCount=one", "InvalidParameterValue"),
], ids=["json-not-json", "json-mistyped", "json-number-for-blob", "rest-xml-unclosed", "rest-xml-dtd", "ec2-mistyped"])
def test_a_malformed_request_is_refused_with_the_protocols_code(service, operation, params, body, code):
    layer = protocol_for(SESSION.get_service_model(service))
    request = sent(service, operation, params)
    request = HttpRequest(request.method, request.path, request.query, request.headers, body)
    with pytest.raises(WireError) as raised:
        layer.parse(request, layer.route(request))
    assert raised.value.code == code


def test_a_query_compatible_json_error_carries_the_query_code_botocore_reports():
    model = SESSION.get_service_model("sqs")
    layer = protocol_for(model, query_error_codes={"QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue"})
    response = layer.render_error(WireError("QueueDoesNotExist", "no queue q"), "request-3")
    parsed = read(model, "GetQueueUrl", response)
    assert parsed["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert parsed["Error"]["QueryErrorCode"] == "QueueDoesNotExist"
    assert parsed["Error"]["Message"] == "no queue q"
    assert json.loads(response.body)["__type"].endswith("#QueueDoesNotExist")


FUZZED = [("sqs", "SendMessage"), ("ec2", "RunInstances"), ("route53", "ChangeResourceRecordSets"),
          ("lambda", "Invoke"), ("s3", "DeleteObjects"), ("cloudwatch", "PutMetricData")]


@pytest.mark.parametrize("service, operation", FUZZED, ids=[f"{s}.{o}" for s, o in FUZZED])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_garbled_requests_get_a_wire_error_never_a_crash(service, operation, data):
    """Bytes flipped, cut or added anywhere in a real request: the layer either reads params from what is left or
    answers the protocol's error; it never raises anything else (which the endpoint would answer with a 500)."""
    params = next(p for s, o, p in ROUND_TRIPS if (s, o) == (service, operation))
    request = sent(service, operation, params)
    body = bytearray(request.body)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(body)))
        garble = data.draw(st.binary(min_size=0, max_size=8))
        body[at:at + data.draw(st.integers(0, 8))] = garble
    query = data.draw(st.sampled_from([request.query, request.query + "&%ZZ=", request.query[::-1]]))
    garbled = HttpRequest(request.method, request.path, query, request.headers, bytes(body))
    layer = protocol_for(SESSION.get_service_model(service))
    try:
        assert isinstance(layer.parse(garbled, layer.route(garbled)), dict)
    except WireError as e:
        assert e.code and 400 <= e.status < 500


@pytest.mark.parametrize("service, operation, code, status, body_starts", [
    ("s3", "GetObject", "NoSuchKey", 404, b"<Error>"),  # S3's own form: one <Error>, unwrapped
    ("route53", "GetHostedZone", "NoSuchHostedZone", 404, b"<ErrorResponse"),
    ("iam", "GetUser", "NoSuchEntity", 404, b"<ErrorResponse"),
    ("ec2", "DescribeInstances", "InvalidInstanceID.NotFound", 400, b"<Response>"),
    ("lambda", "GetFunction", "ResourceNotFoundException", 404, b"{"),
    ("dynamodb", "GetItem", "ResourceNotFoundException", 400, b"{"),
    ("cloudwatch", "DescribeAlarms", "InvalidNextToken", 400, b"{"),  # boto3 speaks CloudWatch's json
])
def test_errors_read_back_as_the_services_own(service, operation, code, status, body_starts):
    model = SESSION.get_service_model(service)
    response = protocol_for(model).render_error(WireError(code, "it is not there", status), "request-5")
    parsed = read(model, operation, response)
    assert (response.status, parsed["Error"]["Code"], parsed["Error"]["Message"]) == (
        status, code, "it is not there")
    assert parsed["ResponseMetadata"]["RequestId"] == "request-5"
    assert response.body.startswith(body_starts)

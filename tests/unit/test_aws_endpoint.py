"""The region's AWS endpoint as boto3 meets it: SQS on the protocol layer, in front of three real queue replicas
(the LeaderRouter and replicas of test_sqs_calls, on loopback); what it answers for what it does not serve; and a
service whose model lists three protocols (CloudWatch) served in each."""

from __future__ import annotations

import asyncio
import datetime
import json
import urllib.error
import urllib.request

import boto3
import botocore.session
import pytest
from botocore.awsrequest import HeadersDict
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from botocore.utils import percent_encode_sequence

from azlab.cluster.aws import MAX_REQUEST_BYTES, AwsEndpoint
from azlab.cluster.awswire import WireError
from azlab.cluster.sqs.aws import SqsJsonProtocol

from .test_sqs_calls import run

IDENTITY = {"region_id": "r-test", "pid": 1}
UTC = datetime.timezone.utc


def client(service: str, url: str):
    return boto3.client(service, endpoint_url=url, region_name="lab-1", aws_access_key_id="AKIDLAB",
                        aws_secret_access_key="secret", config=Config(retries={"max_attempts": 1}))


def with_endpoint(tmp_path, story, authenticate=None) -> None:
    """`story(url)` (blocking, in a thread: boto3 is) against an endpoint serving SQS led by replica a."""
    async def main(region):
        endpoint = AwsEndpoint([SqsJsonProtocol(region.router)], IDENTITY, authenticate)
        port = await endpoint.start("127.0.0.1", 0)
        try:
            await asyncio.to_thread(story, f"http://127.0.0.1:{port}")
        finally:
            await endpoint.stop()
    run(tmp_path, "a", main)


def code_of(call) -> tuple[str, str | None, int]:
    with pytest.raises(ClientError) as raised:
        call()
    error = raised.value.response["Error"]
    return error["Code"], error.get("QueryErrorCode"), raised.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_boto3_sqs_round_trips_bodies_and_binary_attributes(tmp_path):
    def story(url):
        sqs = client("sqs", url)
        queue = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        sent = sqs.send_message(QueueUrl=queue, MessageBody="hello", MessageAttributes={
            "raw": {"DataType": "Binary", "BinaryValue": b"\x00\xff\x10"},
            "n": {"DataType": "Number", "StringValue": "7"}})
        [got] = sqs.receive_message(QueueUrl=queue, MessageAttributeNames=["All"], WaitTimeSeconds=1)["Messages"]
        assert (got["MessageId"], got["Body"]) == (sent["MessageId"], "hello")
        assert got["MessageAttributes"]["raw"]["BinaryValue"] == b"\x00\xff\x10"
        assert got["MessageAttributes"]["n"]["StringValue"] == "7"
        assert got["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
        assert sqs.list_queues()["QueueUrls"] == [queue]
    with_endpoint(tmp_path, story)


def test_sqs_errors_carry_the_query_code_boto3_reports(tmp_path):
    def story(url):
        sqs = client("sqs", url)
        assert code_of(lambda: sqs.get_queue_url(QueueName="missing")) == (
            "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", 400)
        with pytest.raises(sqs.exceptions.QueueDoesNotExist):
            sqs.get_queue_url(QueueName="missing")
        queue = sqs.create_queue(QueueName="q")["QueueUrl"]
        assert code_of(lambda: sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=11))[:1] == (
            "InvalidParameterValue",)
        assert code_of(lambda: sqs.add_permission(QueueUrl=queue, Label="l", AWSAccountIds=["1"],
                                                  Actions=["SendMessage"]))[:2] == (
            "AWS.SimpleQueueService.UnsupportedOperation", "UnsupportedOperation")
    with_endpoint(tmp_path, story)


def test_a_service_not_served_is_refused_in_its_own_protocol(tmp_path):
    def story(url):
        assert code_of(lambda: client("ec2", url).describe_instances())[::2] == ("InvalidAction", 400)
        assert code_of(lambda: client("iam", url).list_users())[::2] == ("InvalidAction", 400)
        assert code_of(lambda: client("dynamodb", url).list_tables())[::2] == ("UnknownOperationException", 400)
        assert code_of(lambda: client("route53", url).list_hosted_zones())[::2] == ("UnknownOperationException",
                                                                                    400)
        # an operation of a service served that is not in its model
        request = urllib.request.Request(url, data=b"{}", method="POST", headers={
            "X-Amz-Target": "AmazonSQS.Teleport", "Content-Type": "application/x-amz-json-1.0"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 400
        assert json.loads(refused.value.read())["__type"].endswith("#UnknownOperationException")
    with_endpoint(tmp_path, story)


def test_health_and_the_size_limit(tmp_path):
    def story(url):
        with urllib.request.urlopen(f"{url}/health", timeout=10) as answer:
            assert json.loads(answer.read()) == IDENTITY
        sqs = client("sqs", url)
        queue = sqs.create_queue(QueueName="big")["QueueUrl"]
        code, _, status = code_of(lambda: sqs.send_message(QueueUrl=queue, MessageBody="x" * (MAX_REQUEST_BYTES + 1)))
        assert (code, status) == ("RequestEntityTooLarge", 413)
        assert "Messages" not in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0)  # nothing was sent
        assert sqs.list_queues()["QueueUrls"] == [queue]  # and the endpoint still serves
    with_endpoint(tmp_path, story)


def test_the_signature_check_runs_before_anything_is_dispatched(tmp_path):
    async def refuse_creates(request, model):
        assert model.service_name == "sqs"
        if request.headers["X-Amz-Target"].endswith(".CreateQueue"):
            raise WireError("InvalidClientTokenId", "The security token included in the request is invalid.", 403)

    def story(url):
        sqs = client("sqs", url)
        assert code_of(lambda: sqs.create_queue(QueueName="never"))[::2] == ("InvalidClientTokenId", 403)
        assert sqs.list_queues().get("QueueUrls", []) == []  # refused before it reached the queues

    with_endpoint(tmp_path, story, refuse_creates)


class Metrics:
    """A CloudWatch that keeps the metrics it is given (PutMetricData) and lists them (ListMetrics)."""

    service_model = botocore.session.get_session().get_service_model("cloudwatch")

    def __init__(self):
        self.metrics: list[dict] = []

    async def call(self, operation: str, params: dict) -> dict:
        if operation == "PutMetricData":
            self.metrics += [{"Namespace": params["Namespace"], "MetricName": d["MetricName"],
                              "Dimensions": d.get("Dimensions", [])} for d in params["MetricData"]]
            return {}
        if operation == "ListMetrics":
            return {"Metrics": [m for m in self.metrics if m["Namespace"] == params.get("Namespace", m["Namespace"])]}
        raise NotImplementedError(operation)


def serve(service, story) -> None:
    async def main():
        endpoint = AwsEndpoint([service], IDENTITY)
        port = await endpoint.start("127.0.0.1", 0)
        try:
            await asyncio.to_thread(story, f"http://127.0.0.1:{port}")
        finally:
            await endpoint.stop()
    asyncio.run(main())


def send_in(protocol: str, url: str, operation: str, params: dict) -> dict:
    """One CloudWatch call in `protocol` (as boto3 and older aws-cli send them), read as botocore reads it."""
    model = Metrics.service_model
    request = create_serializer(protocol).serialize_to_request(params, model.operation_model(operation))
    body = request["body"] if isinstance(request["body"], bytes) else percent_encode_sequence(request["body"]).encode()
    sent = urllib.request.Request(url + request["url_path"], data=body, method="POST", headers=request["headers"])
    try:
        with urllib.request.urlopen(sent, timeout=10) as answer:
            status, headers, data = answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as refused:
        status, headers, data = refused.code, dict(refused.headers), refused.read()
    parser = create_parser(protocol)
    return parser.parse({"status_code": status, "headers": HeadersDict(headers), "body": data},
                        model.operation_model(operation).output_shape)


def test_cloudwatch_is_served_in_each_of_its_three_protocols():
    metrics = Metrics()

    def story(url):
        send_in("smithy-rpc-v2-cbor", url, "PutMetricData", {"Namespace": "lab", "MetricData": [
            {"MetricName": "cbor", "Value": 1.0, "Timestamp": datetime.datetime(2026, 12, 7, tzinfo=UTC)}]})
        client("cloudwatch", url).put_metric_data(Namespace="lab", MetricData=[  # boto3 1.44: json
            {"MetricName": "json", "Value": 2.0}])
        send_in("query", url, "PutMetricData", {"Namespace": "lab", "MetricData": [
            {"MetricName": "query", "Value": 3.0, "Dimensions": [{"Name": "az", "Value": "lab-1a"}]}]})
        for protocol in ("smithy-rpc-v2-cbor", "json", "query"):
            listed = send_in(protocol, url, "ListMetrics", {"Namespace": "lab"})["Metrics"]
            assert [m["MetricName"] for m in listed] == ["cbor", "json", "query"], protocol
            assert listed[2]["Dimensions"] == [{"Name": "az", "Value": "lab-1a"}]
        for protocol in ("smithy-rpc-v2-cbor", "json", "query"):
            refused = send_in(protocol, url, "DeleteAlarms", {"AlarmNames": ["a"]})
            assert refused["Error"]["Code"] == "UnsupportedOperation", protocol

    serve(metrics, story)

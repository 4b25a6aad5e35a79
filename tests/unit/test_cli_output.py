"""What `azlab ... --output json` prints: aws-cli's shapes, 64-bit integers as JSON numbers (proto3's JSON
mapping makes them strings), timestamps as ISO 8601, map and message fields intact."""

from google.protobuf.timestamp_pb2 import Timestamp

from azlab.cluster.cli import to_output
from azlab.elb.v1 import elb_pb2
from azlab.rds.v1 import rds_pb2
from azlab.route53.v1 import route53_pb2
from azlab.sqs.v1 import sqs_pb2


def test_int64_fields_are_numbers_at_any_depth():
    counters = to_output(elb_pb2.DescribeLoadBalancerCountersResponse(
        load_balancer_name="web", request_count=12, http_code_backend_2xx=10,
        host_counts=[elb_pb2.AzHostCount(availability_zone="lab-1a", healthy_host_count=2)]))
    assert counters["RequestCount"] == 12 and counters["HttpCodeBackend5xx"] == 0
    assert counters["HostCounts"] == [{"AvailabilityZone": "lab-1a", "HealthyHostCount": 2, "UnhealthyHostCount": 0}]
    records = to_output(route53_pb2.ListResourceRecordSetsResponse(resource_record_sets=[
        route53_pb2.ResourceRecordSet(name="www.example.lab.", type="A", ttl=300, weight=2**40, has_weight=True)]))
    [record] = records["ResourceRecordSets"]
    assert (record["TTL"], record["Weight"]) == (300, 2**40)
    rows = to_output(rds_pb2.ExecuteStatementResponse(
        records=[rds_pb2.Record(values=[rds_pb2.Field(long_value=-7), rds_pb2.Field(string_value="x")])]))
    assert rows["Records"] == [{"Values": [{"LongValue": -7}, {"StringValue": "x"}]}] and rows["Lsn"] == 0


def test_well_known_types_and_maps_keep_their_json_forms():
    change = to_output(route53_pb2.GetChangeResponse(change_info=route53_pb2.ChangeInfo(
        id="/change/C1", status="INSYNC", submitted_at=Timestamp(seconds=1_700_000_000))))
    assert change["ChangeInfo"]["SubmittedAt"] == "2023-11-14T22:13:20Z"
    received = to_output(sqs_pb2.ReceiveMessageResponse(messages=[sqs_pb2.Message(
        body="hi", attributes={"ApproximateReceiveCount": "1"},
        message_attributes={"n": sqs_pb2.MessageAttributeValue(string_value="5", data_type="Number")})]))
    [message] = received["Messages"]
    assert message["Attributes"] == {"ApproximateReceiveCount": "1"}  # SQS's attributes are strings on AWS too
    value = message["MessageAttributes"]["n"]  # the user's name, not PascalCased
    assert (value["StringValue"], value["DataType"]) == ("5", "Number")

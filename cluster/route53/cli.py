"""`azlab route53 <operation>`, with aws-cli's operation and option names.

Structured options (--change-batch, --health-check-config, --hosted-zone-config)
take aws-cli's JSON, inline or as file://path.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from google.protobuf import json_format

from azlab.cluster.cli import rpc
from azlab.cluster.route53.model import InvalidInput
from azlab.route53.v1 import route53_pb2 as pb


def snake_case(name: str) -> str:
    """aws-cli's keys to the proto's fields: TTL -> ttl, DNSName -> dns_name, HealthCheckId -> health_check_id."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _snake_keys(value):
    if isinstance(value, dict):
        converted = {snake_case(k): _snake_keys(v) for k, v in value.items()}
        if "weight" in converted and "type" in converted:  # a record set: Weight given, even 0
            converted["has_weight"] = True
        return converted
    if isinstance(value, list):
        return [_snake_keys(v) for v in value]
    return value


def parse_json_option(text: str, message, option: str):
    """aws-cli JSON (inline or file://) into `message`; InvalidInput when it is not."""
    try:
        if text.startswith("file://"):
            text = Path(text.removeprefix("file://")).read_text()
        json_format.ParseDict(_snake_keys(json.loads(text)), message)
    except (OSError, ValueError, json_format.ParseError) as e:
        raise InvalidInput(f"--{option}: {' '.join(str(e).split())[:300]}") from None
    return message


def add_commands(verbs) -> None:
    ops = verbs.add_parser("route53", help="azlab.route53.v1").add_subparsers(dest="op", required=True, metavar="OPERATION")

    create = ops.add_parser("create-hosted-zone")
    create.add_argument("--name", required=True)
    create.add_argument("--caller-reference", default="", help="default: a fresh UUID")
    create.add_argument("--hosted-zone-config", default="{}", help='JSON, e.g. {"Comment": "...", "PrivateZone": true}')
    create.set_defaults(run=rpc("route53", "CreateHostedZone", lambda a: pb.CreateHostedZoneRequest(
        name=a.name, caller_reference=a.caller_reference or str(uuid.uuid4()),
        hosted_zone_config=parse_json_option(a.hosted_zone_config, pb.HostedZoneConfig(), "hosted-zone-config"))))

    get = ops.add_parser("get-hosted-zone")
    get.add_argument("--id", required=True)
    get.set_defaults(run=rpc("route53", "GetHostedZone", lambda a: pb.GetHostedZoneRequest(id=a.id)))

    ops.add_parser("list-hosted-zones").set_defaults(
        run=rpc("route53", "ListHostedZones", lambda a: pb.ListHostedZonesRequest()))

    delete = ops.add_parser("delete-hosted-zone")
    delete.add_argument("--id", required=True)
    delete.set_defaults(run=rpc("route53", "DeleteHostedZone", lambda a: pb.DeleteHostedZoneRequest(id=a.id)))

    change = ops.add_parser("change-resource-record-sets")
    change.add_argument("--hosted-zone-id", required=True)
    change.add_argument("--change-batch", required=True, help="JSON or file://path, as aws-cli takes it")
    change.set_defaults(run=rpc("route53", "ChangeResourceRecordSets", lambda a: pb.ChangeResourceRecordSetsRequest(
        hosted_zone_id=a.hosted_zone_id, change_batch=parse_json_option(a.change_batch, pb.ChangeBatch(), "change-batch"))))

    records = ops.add_parser("list-resource-record-sets")
    records.add_argument("--hosted-zone-id", required=True)
    records.set_defaults(run=rpc("route53", "ListResourceRecordSets", lambda a: pb.ListResourceRecordSetsRequest(
        hosted_zone_id=a.hosted_zone_id)))

    get_change = ops.add_parser("get-change")
    get_change.add_argument("--id", required=True)
    get_change.set_defaults(run=rpc("route53", "GetChange", lambda a: pb.GetChangeRequest(id=a.id)))

    check = ops.add_parser("create-health-check")
    check.add_argument("--caller-reference", default="", help="default: a fresh UUID")
    check.add_argument("--health-check-config", required=True, help="JSON or file://path, as aws-cli takes it")
    check.set_defaults(run=rpc("route53", "CreateHealthCheck", lambda a: pb.CreateHealthCheckRequest(
        caller_reference=a.caller_reference or str(uuid.uuid4()),
        health_check_config=parse_json_option(a.health_check_config, pb.HealthCheckConfig(), "health-check-config"))))

    for op, method, request in (
        ("get-health-check", "GetHealthCheck", pb.GetHealthCheckRequest),
        ("delete-health-check", "DeleteHealthCheck", pb.DeleteHealthCheckRequest),
        ("get-health-check-status", "GetHealthCheckStatus", pb.GetHealthCheckStatusRequest),
    ):
        sub = ops.add_parser(op)
        sub.add_argument("--health-check-id", required=True)
        sub.set_defaults(run=rpc("route53", method, lambda a, request=request: request(health_check_id=a.health_check_id)))
    ops.add_parser("list-health-checks").set_defaults(
        run=rpc("route53", "ListHealthChecks", lambda a: pb.ListHealthChecksRequest()))
    ops.add_parser("describe-name-servers", help="the lab's own: each AZ's DNS server").set_defaults(
        run=rpc("route53", "DescribeNameServers", lambda a: pb.DescribeNameServersRequest()))

    put = ops.add_parser("put-client-location", help="the lab's own: where clients of a CIDR are, for geolocation")
    put.add_argument("--cidr", required=True)
    put.add_argument("--location", required=True, help='JSON, e.g. {"ContinentCode": "EU", "CountryCode": "FR"}')
    put.set_defaults(run=rpc("route53", "PutClientLocation", lambda a: pb.PutClientLocationRequest(
        cidr=a.cidr, location=parse_json_option(a.location, pb.GeoLocation(), "location"))))
    forget = ops.add_parser("delete-client-location")
    forget.add_argument("--cidr", required=True)
    forget.set_defaults(run=rpc("route53", "DeleteClientLocation", lambda a: pb.DeleteClientLocationRequest(cidr=a.cidr)))
    ops.add_parser("list-client-locations", help="the lab's location table: each AZ's network and the entries put").set_defaults(
        run=rpc("route53", "ListClientLocations", lambda a: pb.ListClientLocationsRequest()))

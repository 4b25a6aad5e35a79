"""The `azlab` command, in aws-cli's shape: `azlab <service> <operation> --options`.

Lab verbs (`up`, `down`, `status`, `events`) stand beside the services.
Exit 0 on success; on error one line on stderr and exit 254 (the service said
no) or 255 (the region could not be reached), as aws-cli does.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from typing import Any, Callable

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from azlab.chaos.v1 import chaos_pb2
from azlab.cluster import services
from azlab.cluster.config import BACKENDS, ISOLATIONS, MAX_AZS, MIN_AZS, Paths, RegionConfig, zone_names
from azlab.common.errors import AzlabError
from azlab.region.v1 import region_pb2

EXIT_API_ERROR, EXIT_UNREACHABLE = 254, 255


def to_output(message: Message) -> dict[str, Any]:
    """Protobuf -> aws-cli style dict: PascalCase field names, timestamps as ISO 8601, 64-bit integers as
    numbers (proto3's JSON mapping makes them strings; aws-cli prints numbers), map keys as given (they are
    the user's: tag keys, message attribute names)."""
    return _aws_shape(message.DESCRIPTOR, MessageToDict(message, always_print_fields_with_no_presence=True))


_INT64_TYPES = {FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_SINT64,
                FieldDescriptor.TYPE_FIXED64, FieldDescriptor.TYPE_SFIXED64}


def _aws_shape(descriptor: Descriptor, data: dict[str, Any]) -> dict[str, Any]:
    shaped = {}
    for field in descriptor.fields:
        if field.json_name not in data:
            continue
        value = data[field.json_name]
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value_field = field.message_type.fields_by_name["value"]
            value = {k: _aws_value(value_field, v) for k, v in value.items()}
        elif field.is_repeated:
            value = [_aws_value(field, v) for v in value]
        else:
            value = _aws_value(field, value)
        shaped[field.json_name[:1].upper() + field.json_name[1:]] = value
    return shaped


def _aws_value(field: FieldDescriptor, value: Any) -> Any:
    if field.type in _INT64_TYPES:
        return int(value)
    if field.message_type is not None and not field.message_type.full_name.startswith("google.protobuf."):
        return _aws_shape(field.message_type, value)  # well-known types have JSON forms of their own
    return value


def render(data: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2)
    rows = _rows(data)
    if fmt == "text":
        return "\n".join("\t".join(str(v) for v in row.values()) for row in rows)
    return _table(rows)


def _rows(data: Any) -> list[dict[str, Any]]:
    """What a response is about, flattened to scalar columns: its list of
    resources, or its one resource (e.g. `Fault`), or the response itself."""
    if isinstance(data, list):
        items = data
    elif resources := [v for v in data.values() if isinstance(v, list) and v and isinstance(v[0], dict)]:
        items = resources[0]
    elif len(data) == 1 and isinstance(only := next(iter(data.values())), (dict, list)):
        items = only if isinstance(only, list) else [only]
    else:
        items = [data]
    return [{k: _cell(v) for k, v in item.items()} if isinstance(item, dict) else {"Value": item} for item in items]


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ",".join(str(_cell(v)) for v in value) if all(not isinstance(v, dict) for v in value) else f"[{len(value)}]"
    if isinstance(value, dict):
        return ",".join(f"{k}={_cell(v)}" for k, v in value.items())
    return value


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(none)"
    columns = list(dict.fromkeys(k for row in rows for k in row))
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns)]
    lines += ["  ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(lines)


def _client():
    from azlab.cluster.sdk import Client

    return Client()


# lab verbs
def cmd_up(args: argparse.Namespace) -> Any:
    from azlab.cluster import lab

    if args.ray_address:
        endpoint = lab.join(args.ray_address, Paths.from_env(), args.region or "lab-1", expect_azs=args.azs or 0)
        return {"Region": args.region or "lab-1", "Isolation": "host", "Endpoint": endpoint}
    config = RegionConfig.load(
        args.config, region=args.region,
        azs=zone_names(args.region or "lab-1", args.azs) if args.azs else None,
        isolation=args.isolation, nodes_per_az=args.nodes_per_az, backend=args.backend,
    )
    endpoint = lab.up(config, Paths.from_env())
    return {"Region": config.region, "Isolation": config.isolation, "AvailabilityZones": list(config.azs), "Endpoint": endpoint}


def cmd_down(args: argparse.Namespace) -> Any:
    from azlab.cluster import lab

    return {"ProcessesKilled": lab.down(Paths.from_env())}


def cmd_status(args: argparse.Namespace) -> Any:
    with _client() as client:
        region = to_output(client.region.DescribeRegion(region_pb2.DescribeRegionRequest()))["Region"]
        zones = to_output(client.region.DescribeAvailabilityZones(region_pb2.DescribeAvailabilityZonesRequest()))
    status = {"Region": region, "AvailabilityZones": zones["AvailabilityZones"]}
    if args.output == "table":
        return _status_table(status)
    return status


def _status_table(status: dict[str, Any]) -> str:
    region = status["Region"]
    lines = [
        f"region {region['RegionName']} ({region['Isolation']})  grpc {region['Endpoints']['Grpc']}  ray {region['RayAddress']}",
        "",
    ]
    rows = []
    now = datetime.now(timezone.utc)
    for zone in status["AvailabilityZones"]:
        for node in zone["Nodes"]:
            beat = node.get("LastHeartbeat")
            age = f"{(now - datetime.fromisoformat(beat.replace('Z', '+00:00'))).total_seconds():.1f}s ago" if beat else "never"
            rows.append({
                "Zone": zone["ZoneName"], "ZoneState": zone["State"], "Faults": ",".join(zone["Faults"]) or "-",
                "Node": node["NodeName"], "Address": node["Address"], "NodeState": node["State"], "LastHeartbeat": age,
            })
    return "\n".join(lines) + _table(rows)


def cmd_events(args: argparse.Namespace) -> Any:
    request = region_pb2.DescribeEventsRequest(
        event_types=args.event_types or [], source=args.source or "", max_results=args.max_results or 0,
    )
    if args.start_time:
        request.start_time.FromDatetime(_parse_time(args.start_time))
    events = []
    with _client() as client:
        while True:
            page = client.region.DescribeEvents(request)
            events += [to_output(e) for e in page.events]
            if not page.next_token or args.max_results:
                break
            request.next_token = page.next_token
    return {"Events": events}


def _parse_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise AzlabError(f"invalid time {text!r}: use ISO 8601, e.g. 2026-11-27T10:00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def rpc(stub: str, method: str, request_factory: Callable[[argparse.Namespace], Message]):
    def run(args: argparse.Namespace) -> Any:
        with _client() as client:
            return to_output(getattr(getattr(client, stub), method)(request_factory(args)))

    run.operation = method  # type: ignore[attr-defined]
    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="azlab", description="A multi-AZ cloud region you can kill a zone of.")
    parser.add_argument("-o", "--output", choices=("json", "table", "text"), default="json")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="COMMAND")

    up = verbs.add_parser("up", help="bring a region up on this machine; returns when healthy")
    up.add_argument("--region", help="region name (default lab-1)")
    up.add_argument("--azs", type=int, choices=range(MIN_AZS, MAX_AZS + 1), metavar=f"{MIN_AZS}..{MAX_AZS}",
                    help="number of AZs (default 3); with --ray-address, wait until this many have joined")
    up.add_argument("--isolation", choices=ISOLATIONS, help="default: netns when root, else loopback")
    up.add_argument("--nodes-per-az", type=int)
    up.add_argument("--backend", choices=BACKENDS, help="EC2's compute backend on every host (default process); "
                    "per AZ or host in the config file's [backends]")
    up.add_argument("--config", help="a TOML region config file")
    up.add_argument("--ray-address", help="join an existing Ray cluster whose AZ raylets carry az:<name> resources")
    up.set_defaults(run=cmd_up)
    verbs.add_parser("down", help="stop everything; no azlab process is left").set_defaults(run=cmd_down)
    # listed here for --help; main() hands its arguments to the agent's own parser
    verbs.add_parser("machine-agent", help="run a machine's agent (multi-machine labs; see deploy/lab.sh)")
    verbs.add_parser("status", help="region, AZs, nodes, endpoints").set_defaults(run=cmd_status)
    events = verbs.add_parser("events", help="the region's timeline")
    _event_options(events)
    events.set_defaults(run=cmd_events)

    region = verbs.add_parser("region", help="azlab.region.v1").add_subparsers(dest="op", required=True, metavar="OPERATION")
    region.add_parser("describe-region").set_defaults(
        run=rpc("region", "DescribeRegion", lambda a: region_pb2.DescribeRegionRequest()))
    zones = region.add_parser("describe-availability-zones")
    zones.add_argument("--zone-names", nargs="+", default=[])
    zones.set_defaults(run=rpc("region", "DescribeAvailabilityZones",
                                lambda a: region_pb2.DescribeAvailabilityZonesRequest(zone_names=a.zone_names)))
    _event_options(region.add_parser("describe-events")).set_defaults(run=cmd_events)

    chaos = verbs.add_parser("chaos", help="azlab.chaos.v1").add_subparsers(dest="op", required=True, metavar="OPERATION")
    for op, method, request in (
        ("kill-az", "KillAz", chaos_pb2.KillAzRequest),
        ("partition-az", "PartitionAz", chaos_pb2.PartitionAzRequest),
        ("restore-az", "RestoreAz", chaos_pb2.RestoreAzRequest),
    ):
        sub = chaos.add_parser(op)
        sub.add_argument("availability_zone", metavar="AZ")
        sub.set_defaults(run=rpc("chaos", method, lambda a, request=request: request(availability_zone=a.availability_zone)))
    slow = chaos.add_parser("slow-az")
    slow.add_argument("availability_zone", metavar="AZ")
    slow.add_argument("--latency-ms", type=int, default=0)
    slow.add_argument("--loss-pct", type=float, default=0.0)
    slow.set_defaults(run=rpc("chaos", "SlowAz", lambda a: chaos_pb2.SlowAzRequest(
        availability_zone=a.availability_zone, latency_ms=a.latency_ms, loss_pct=a.loss_pct)))
    kill_node = chaos.add_parser("kill-node")
    kill_node.add_argument("node_name", metavar="NODE")
    kill_node.set_defaults(run=rpc("chaos", "KillNode", lambda a: chaos_pb2.KillNodeRequest(node_name=a.node_name)))
    faults = chaos.add_parser("describe-faults")
    faults.add_argument("--zone-names", nargs="+", default=[])
    faults.set_defaults(run=rpc("chaos", "DescribeFaults", lambda a: chaos_pb2.DescribeFaultsRequest(zone_names=a.zone_names)))
    services.add_commands(verbs)
    return parser


def _event_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--source", help="an AZ (with its nodes) or a node")
    parser.add_argument("--event-types", nargs="+")
    parser.add_argument("--start-time", help="ISO 8601")
    parser.add_argument("--max-results", type=int, help="one page of at most this many")
    return parser


def main(argv: list[str] | None = None) -> int:
    from azlab.cluster.sdk import ApiError, RegionNotFound

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["machine-agent"]:
        from azlab.nodes import machine

        machine.main(argv[1:])
        return 0
    args = build_parser().parse_args(argv)
    operation = getattr(args.run, "operation", args.verb)
    try:
        result = args.run(args)
    except ApiError as e:
        print(f"An error occurred ({e.code}) when calling the {operation} operation: {e.message}", file=sys.stderr)
        return EXIT_UNREACHABLE if e.code == "ServiceUnavailable" else EXIT_API_ERROR
    except AzlabError as e:
        print(f"An error occurred ({e.code}) when calling the {operation} operation: {e.message}", file=sys.stderr)
        return EXIT_API_ERROR
    except RegionNotFound as e:
        print(f"azlab: {e}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except Exception as e:  # bringing a region up or down failed; the logs say more
        if args.verb not in ("up", "down"):
            raise
        reason = " ".join(str(e).split()) or type(e).__name__
        print(f"azlab: {args.verb} failed: {reason[:400]} (logs: {Paths.from_env().logs})", file=sys.stderr)
        return 1
    print(result if isinstance(result, str) else render(result, args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())

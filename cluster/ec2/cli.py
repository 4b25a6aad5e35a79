"""`azlab ec2 <operation>` in aws-cli's shape, and `azlab billing`.

Options take aws-cli's names and shorthand: `--placement AvailabilityZone=lab-1b,Tenancy=dedicated`,
`--filters Name=instance-state-name,Values=running`, `--tag-specifications
'ResourceType=instance,Tags=[{Key=Name,Value=web}]'` (or plainly `Name=web`),
`--instance-market-options 'MarketType=spot,SpotOptions={MaxPrice=0.05}'`,
`--user-data file://boot.sh`, `--count 3` or `--count 2:5`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from azlab.cluster.cli import _client, rpc, to_output
from azlab.common.errors import InvalidParameterValue
from azlab.cluster.shorthand import ShorthandError, parse, parse_flat, parse_option
from azlab.ec2.v1 import ec2_pb2


def _file_or_text(value: str) -> bytes:
    for prefix in ("fileb://", "file://"):
        if value.startswith(prefix):
            try:
                return Path(value.removeprefix(prefix)).expanduser().read_bytes()
            except OSError as e:
                raise InvalidParameterValue(f"cannot read {value}: {e.strerror}") from None
    return value.encode()


def _shorthand(option: str, text: str, parser=parse) -> dict:
    """`--option`'s value in aws-cli's shorthand; a parse error as InvalidParameterValue."""
    try:
        return parser(text)
    except ShorthandError as e:
        raise InvalidParameterValue(f"--{option}: {e}") from None


def _count(text: str) -> tuple[int, int]:
    low, _, high = text.partition(":")
    try:
        return int(low), int(high or low)
    except ValueError:
        raise InvalidParameterValue(f"--count takes N or MIN:MAX, not {text!r}") from None


def _filters(items: list[str] | None) -> list[ec2_pb2.Filter]:
    filters = []
    for item in items or []:
        fields = _shorthand("filters", item)
        values = fields.get("Values")
        values = [values] if isinstance(values, str) else values  # `Values=a` is a list of one
        if (set(fields) != {"Name", "Values"} or not isinstance(fields["Name"], str) or not isinstance(values, list)
                or not all(isinstance(v, str) for v in values)):
            raise InvalidParameterValue(f"a filter reads Name=<name>,Values=<v1>,<v2>; not {item!r}")
        filters.append(ec2_pb2.Filter(name=fields["Name"], values=values))
    return filters


def _tags(items: list[str] | None, resource_type: str = "instance") -> list[ec2_pb2.TagSpecification]:
    """aws-cli's `ResourceType=instance,Tags=[{Key=k,Value=v},...]`, or the lab's plain `k=v,k2=v2`."""
    tags = []
    for item in items or []:
        fields = _shorthand("tag-specifications", item)
        if "Tags" in fields or "ResourceType" in fields:
            given = fields.get("Tags", [])
            given = [given] if isinstance(given, dict) else given  # one tag written without its list, as aws-cli takes it
            if not isinstance(given, list) or not all(
                    isinstance(t, dict) and isinstance(t.get("Key"), str) and isinstance(t.get("Value", ""), str)
                    for t in given):
                raise InvalidParameterValue(f"--tag-specifications: Tags reads [{{Key=k,Value=v}},...]; not {item!r}")
            pairs = [(t["Key"], t.get("Value", "")) for t in given]
        else:
            pairs = list(fields.items())
            if not all(isinstance(v, str) for _, v in pairs):
                raise InvalidParameterValue(f"--tag-specifications: a tag's value is one string (quote one that "
                                            f"holds a comma); not {item!r}")
        tags += [ec2_pb2.Tag(key=k, value=v) for k, v in pairs]
    return [ec2_pb2.TagSpecification(resource_type=resource_type, tags=tags)] if tags else []


def _market(text: str | None) -> ec2_pb2.InstanceMarketOptions | None:
    if not text:
        return None
    data = _shorthand("instance-market-options", text, parse_option)
    market, spot = (data.get("MarketType", ""), data.get("SpotOptions", {})) if isinstance(data, dict) else (None, None)
    max_price = spot.get("MaxPrice", "") if isinstance(spot, dict) else None
    if not isinstance(market, str) or not isinstance(max_price, (str, int, float)):
        raise InvalidParameterValue(f"--instance-market-options reads MarketType=spot,SpotOptions={{MaxPrice=0.05}}; "
                                    f"not {text!r}")
    return ec2_pb2.InstanceMarketOptions(market_type=market, spot_options=ec2_pb2.SpotOptions(max_price=str(max_price)))


def _run_instances(a: argparse.Namespace) -> ec2_pb2.RunInstancesRequest:
    low, high = _count(a.count)
    placement = _shorthand("placement", a.placement, parse_flat) if a.placement else {}
    return ec2_pb2.RunInstancesRequest(
        image_id=a.image_id, instance_type=a.instance_type, min_count=low, max_count=high,
        placement=ec2_pb2.Placement(availability_zone=placement.get("AvailabilityZone", ""),
                                    tenancy=placement.get("Tenancy", "")),
        subnet_id=a.subnet_id or "", key_name=a.key_name or "", security_group_ids=a.security_group_ids or [],
        user_data=_file_or_text(a.user_data) if a.user_data else b"", tag_specifications=_tags(a.tag_specifications),
        instance_market_options=_market(a.instance_market_options), client_token=a.client_token or "",
    )


def _permissions(a: argparse.Namespace) -> list[ec2_pb2.IpPermission]:
    if a.ip_permissions:
        data = _shorthand("ip-permissions", a.ip_permissions, parse_option)
        try:
            return [ec2_pb2.IpPermission(
                ip_protocol=str(p.get("IpProtocol", "")), from_port=int(p.get("FromPort", -1)),
                to_port=int(p.get("ToPort", -1)),
                ip_ranges=[ec2_pb2.IpRange(cidr_ip=r["CidrIp"]) for r in p.get("IpRanges", [])],
                user_id_group_pairs=[ec2_pb2.UserIdGroupPair(group_id=g["GroupId"]) for g in p.get("UserIdGroupPairs", [])],
            ) for p in (data if isinstance(data, list) else [data])]
        except (AttributeError, KeyError, TypeError, ValueError):
            raise InvalidParameterValue("--ip-permissions reads IpProtocol=tcp,FromPort=80,ToPort=80,"
                                        f"IpRanges=[{{CidrIp=0.0.0.0/0}}] or the same in JSON; not {a.ip_permissions!r}") from None
    if not a.protocol:
        raise InvalidParameterValue("give --protocol (with --port and --cidr or --source-group) or --ip-permissions")
    low, high = -1, -1
    if a.port:
        first, _, last = a.port.partition("-")
        try:
            low, high = int(first), int(last or first)
        except ValueError:
            raise InvalidParameterValue(f"--port takes N or FROM-TO, not {a.port!r}") from None
    return [ec2_pb2.IpPermission(
        ip_protocol=a.protocol, from_port=low, to_port=high,
        ip_ranges=[ec2_pb2.IpRange(cidr_ip=a.cidr)] if a.cidr else [],
        user_id_group_pairs=[ec2_pb2.UserIdGroupPair(group_id=a.source_group)] if a.source_group else [],
    )]


def _describe_instances(a: argparse.Namespace) -> Any:
    request = ec2_pb2.DescribeInstancesRequest(instance_ids=a.instance_ids or [], filters=_filters(a.filters),
                                               max_results=a.max_results or 0, next_token=a.next_token or "")
    reservations = []
    with _client() as client:
        while True:
            page = client.ec2.DescribeInstances(request)
            reservations += to_output(page)["Reservations"]
            if not page.next_token or a.max_results:
                return {"Reservations": reservations, **({"NextToken": page.next_token} if page.next_token else {})}
            request.next_token = page.next_token


def add_commands(verbs) -> None:
    ec2 = verbs.add_parser("ec2", help="azlab.ec2.v1").add_subparsers(dest="op", required=True, metavar="OPERATION")

    def op(name: str, method: str, request, *options: tuple[str, dict]) -> argparse.ArgumentParser:
        parser = ec2.add_parser(name)
        for flag, kwargs in options:
            parser.add_argument(flag, **kwargs)
        parser.set_defaults(run=rpc("ec2", method, request))
        return parser

    ids = ("--instance-ids", {"nargs": "+", "required": True})
    one_id = ("--instance-id", {"required": True})
    many = {"nargs": "+", "default": []}

    op("run-instances", "RunInstances", _run_instances,
       ("--image-id", {"required": True}), ("--instance-type", {"default": "m1.small"}), ("--count", {"default": "1"}),
       ("--placement", {"help": "AvailabilityZone=<az>[,Tenancy=default|dedicated]"}), ("--subnet-id", {}),
       ("--key-name", {}), ("--security-group-ids", {"nargs": "+"}), ("--user-data", {"help": "text or file://path"}),
       ("--tag-specifications", {"nargs": "+"}), ("--instance-market-options", {}), ("--client-token", {}))
    described = ec2.add_parser("describe-instances")
    described.add_argument("--instance-ids", **many)
    described.add_argument("--filters", nargs="+")
    described.add_argument("--max-results", type=int)
    described.add_argument("--next-token")
    described.set_defaults(run=_operation(_describe_instances, "DescribeInstances"))
    op("describe-instance-status", "DescribeInstanceStatus",
       lambda a: ec2_pb2.DescribeInstanceStatusRequest(instance_ids=a.instance_ids, include_all_instances=a.include_all_instances),
       ("--instance-ids", many), ("--include-all-instances", {"action": "store_true"}))
    for name, method in (("start-instances", "StartInstances"), ("stop-instances", "StopInstances"),
                         ("reboot-instances", "RebootInstances"), ("terminate-instances", "TerminateInstances")):
        op(name, method, lambda a: ec2_pb2.InstanceIdsRequest(instance_ids=a.instance_ids), ids)
    op("get-console-output", "GetConsoleOutput", lambda a: ec2_pb2.GetConsoleOutputRequest(instance_id=a.instance_id), one_id)
    op("describe-instance-types", "DescribeInstanceTypes",
       lambda a: ec2_pb2.DescribeInstanceTypesRequest(instance_types=a.instance_types), ("--instance-types", many))

    op("register-image", "RegisterImage", lambda a: ec2_pb2.RegisterImageRequest(
        name=a.name, description=a.description or "", architecture=a.architecture or "",
        virtualization_type=a.virtualization_type or "", kernel_id=a.kernel_id or "", ramdisk_id=a.ramdisk_id or "",
        root_device_name=a.root_device_name or "", image_location=a.image_location or ""),
       ("--name", {"required": True}), ("--description", {}), ("--architecture", {}), ("--virtualization-type", {}),
       ("--kernel-id", {}), ("--ramdisk-id", {}), ("--root-device-name", {}), ("--image-location", {}))
    op("create-image", "CreateImage", lambda a: ec2_pb2.CreateImageRequest(
        instance_id=a.instance_id, name=a.name, description=a.description or ""),
       one_id, ("--name", {"required": True}), ("--description", {}))
    op("describe-images", "DescribeImages", lambda a: ec2_pb2.DescribeImagesRequest(
        image_ids=a.image_ids, filters=_filters(a.filters)), ("--image-ids", many), ("--filters", {"nargs": "+"}))
    op("deregister-image", "DeregisterImage", lambda a: ec2_pb2.DeregisterImageRequest(image_id=a.image_id),
       ("--image-id", {"required": True}))

    volume_id = ("--volume-id", {"required": True})
    op("create-volume", "CreateVolume", lambda a: ec2_pb2.CreateVolumeRequest(
        availability_zone=a.availability_zone, size=a.size or 0, snapshot_id=a.snapshot_id or "",
        volume_type=a.volume_type or "", iops=a.iops or 0, tag_specifications=_tags(a.tag_specifications, "volume")),
       ("--availability-zone", {"required": True}), ("--size", {"type": int, "help": "GiB"}), ("--snapshot-id", {}),
       ("--volume-type", {"help": "standard (default), gp2 or io1"}), ("--iops", {"type": int, "help": "io1 only"}),
       ("--tag-specifications", {"nargs": "+"}))
    op("delete-volume", "DeleteVolume", lambda a: ec2_pb2.DeleteVolumeRequest(volume_id=a.volume_id), volume_id)
    op("attach-volume", "AttachVolume", lambda a: ec2_pb2.AttachVolumeRequest(
        volume_id=a.volume_id, instance_id=a.instance_id, device=a.device),
       volume_id, one_id, ("--device", {"required": True, "help": "/dev/xvdf; a docker instance sees /mnt/xvdf"}))
    op("detach-volume", "DetachVolume", lambda a: ec2_pb2.DetachVolumeRequest(
        volume_id=a.volume_id, instance_id=a.instance_id or "", device=a.device or "", force=a.force),
       volume_id, ("--instance-id", {}), ("--device", {}), ("--force", {"action": "store_true"}))
    op("describe-volumes", "DescribeVolumes", lambda a: ec2_pb2.DescribeVolumesRequest(
        volume_ids=a.volume_ids, filters=_filters(a.filters)), ("--volume-ids", many), ("--filters", {"nargs": "+"}))
    op("create-snapshot", "CreateSnapshot", lambda a: ec2_pb2.CreateSnapshotRequest(
        volume_id=a.volume_id, description=a.description or "", tag_specifications=_tags(a.tag_specifications, "snapshot")),
       volume_id, ("--description", {}), ("--tag-specifications", {"nargs": "+"}))
    op("delete-snapshot", "DeleteSnapshot", lambda a: ec2_pb2.DeleteSnapshotRequest(snapshot_id=a.snapshot_id),
       ("--snapshot-id", {"required": True}))
    op("describe-snapshots", "DescribeSnapshots", lambda a: ec2_pb2.DescribeSnapshotsRequest(
        snapshot_ids=a.snapshot_ids, filters=_filters(a.filters)), ("--snapshot-ids", many), ("--filters", {"nargs": "+"}))

    op("create-key-pair", "CreateKeyPair", lambda a: ec2_pb2.CreateKeyPairRequest(key_name=a.key_name, key_type=a.key_type or ""),
       ("--key-name", {"required": True}), ("--key-type", {"choices": ("rsa", "ed25519")}))
    op("import-key-pair", "ImportKeyPair", lambda a: ec2_pb2.ImportKeyPairRequest(
        key_name=a.key_name, public_key_material=_file_or_text(a.public_key_material)),
       ("--key-name", {"required": True}), ("--public-key-material", {"required": True, "help": "fileb://key.pub"}))
    op("describe-key-pairs", "DescribeKeyPairs", lambda a: ec2_pb2.DescribeKeyPairsRequest(key_names=a.key_names),
       ("--key-names", many))
    op("delete-key-pair", "DeleteKeyPair", lambda a: ec2_pb2.DeleteKeyPairRequest(key_name=a.key_name),
       ("--key-name", {"required": True}))

    op("create-security-group", "CreateSecurityGroup", lambda a: ec2_pb2.CreateSecurityGroupRequest(
        group_name=a.group_name, description=a.description), ("--group-name", {"required": True}),
       ("--description", {"required": True}))
    op("describe-security-groups", "DescribeSecurityGroups", lambda a: ec2_pb2.DescribeSecurityGroupsRequest(
        group_ids=a.group_ids, group_names=a.group_names), ("--group-ids", many), ("--group-names", many))
    op("delete-security-group", "DeleteSecurityGroup", lambda a: ec2_pb2.DeleteSecurityGroupRequest(group_id=a.group_id),
       ("--group-id", {"required": True}))
    for name, method in (("authorize-security-group-ingress", "AuthorizeSecurityGroupIngress"),
                         ("authorize-security-group-egress", "AuthorizeSecurityGroupEgress"),
                         ("revoke-security-group-ingress", "RevokeSecurityGroupIngress"),
                         ("revoke-security-group-egress", "RevokeSecurityGroupEgress")):
        op(name, method, lambda a: ec2_pb2.SecurityGroupRulesRequest(group_id=a.group_id, ip_permissions=_permissions(a)),
           ("--group-id", {"required": True}), ("--protocol", {"help": "tcp, udp, icmp or -1"}),
           ("--port", {"help": "N or FROM-TO"}), ("--cidr", {}), ("--source-group", {}),
           ("--ip-permissions", {"help": "JSON, as aws-cli takes it"}))

    op("allocate-address", "AllocateAddress", lambda a: ec2_pb2.AllocateAddressRequest(domain=a.domain or ""), ("--domain", {}))
    op("associate-address", "AssociateAddress", lambda a: ec2_pb2.AssociateAddressRequest(
        allocation_id=a.allocation_id, instance_id=a.instance_id, allow_reassociation=a.allow_reassociation),
       ("--allocation-id", {"required": True}), one_id, ("--allow-reassociation", {"action": "store_true"}))
    op("disassociate-address", "DisassociateAddress", lambda a: ec2_pb2.DisassociateAddressRequest(
        association_id=a.association_id), ("--association-id", {"required": True}))
    op("release-address", "ReleaseAddress", lambda a: ec2_pb2.ReleaseAddressRequest(allocation_id=a.allocation_id),
       ("--allocation-id", {"required": True}))
    op("describe-addresses", "DescribeAddresses", lambda a: ec2_pb2.DescribeAddressesRequest(allocation_ids=a.allocation_ids),
       ("--allocation-ids", many))

    op("describe-spot-price-history", "DescribeSpotPriceHistory", lambda a: ec2_pb2.DescribeSpotPriceHistoryRequest(
        instance_types=a.instance_types, availability_zone=a.availability_zone or ""),
       ("--instance-types", many), ("--availability-zone", {}))
    op("set-spot-price", "SetSpotPrice", lambda a: ec2_pb2.SetSpotPriceRequest(
        availability_zone=a.availability_zone, instance_type=a.instance_type, spot_price=a.spot_price,
        interruption_notice_seconds=a.interruption_notice_seconds or 0),
       ("--availability-zone", {"required": True}), ("--instance-type", {"required": True}),
       ("--spot-price", {"required": True, "help": "USD per hour; 0 lets the market move again"}),
       ("--interruption-notice-seconds", {"type": int})).description = "lab-only: fix a spot market price"
    op("describe-reserved-instances-offerings", "DescribeReservedInstancesOfferings",
       lambda a: ec2_pb2.DescribeReservedInstancesOfferingsRequest(
           instance_type=a.instance_type or "", availability_zone=a.availability_zone or "", offering_type=a.offering_type or ""),
       ("--instance-type", {}), ("--availability-zone", {}), ("--offering-type", {}))
    op("purchase-reserved-instances-offering", "PurchaseReservedInstancesOffering",
       lambda a: ec2_pb2.PurchaseReservedInstancesOfferingRequest(
           reserved_instances_offering_id=a.reserved_instances_offering_id, instance_count=a.instance_count),
       ("--reserved-instances-offering-id", {"required": True}), ("--instance-count", {"type": int, "default": 1}))
    op("describe-reserved-instances", "DescribeReservedInstances", lambda a: ec2_pb2.DescribeReservedInstancesRequest())

    verbs.add_parser("billing", help="hours and cost per instance and purchase option").set_defaults(
        run=rpc("ec2", "GetBilling", lambda a: ec2_pb2.GetBillingRequest()))


def _operation(run, name: str):
    run.operation = name
    return run

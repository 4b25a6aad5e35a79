"""`azlab ec2` options in aws-cli's shorthand become the requests EC2 takes."""

from __future__ import annotations

import pytest

from azlab.cluster.cli import build_parser
from azlab.common.errors import AzlabError


def run_instances(*argv: str):
    from azlab.cluster.ec2 import cli

    args = build_parser().parse_args(["ec2", "run-instances", "--image-id", "ami-lab-minimal", *argv])
    return cli._run_instances(args)


def test_run_instances_takes_aws_cli_shorthand(tmp_path):
    boot = tmp_path / "boot.sh"
    boot.write_bytes(b"#!/bin/sh\necho hi\n")
    req = run_instances(
        "--count", "2:5", "--placement", "AvailabilityZone=lab-1b,Tenancy=dedicated", "--user-data", f"file://{boot}",
        "--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value=web},{Key=team,Value=lab}]",
        "--instance-market-options", "MarketType=spot,SpotOptions={MaxPrice=0.05}", "--security-group-ids", "sg-1", "sg-2")
    assert (req.min_count, req.max_count) == (2, 5)
    assert (req.placement.availability_zone, req.placement.tenancy) == ("lab-1b", "dedicated")
    assert req.user_data == b"#!/bin/sh\necho hi\n"
    assert [(t.key, t.value) for t in req.tag_specifications[0].tags] == [("Name", "web"), ("team", "lab")]
    assert (req.instance_market_options.market_type, req.instance_market_options.spot_options.max_price) == ("spot", "0.05")
    assert list(req.security_group_ids) == ["sg-1", "sg-2"]
    assert [(t.key, t.value) for t in run_instances("--tag-specifications", "Name=web").tag_specifications[0].tags] == [
        ("Name", "web")]


def test_tags_and_spot_options_read_as_aws_cli_reads_them():
    [spec] = run_instances("--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value='web, front'},{Key=empty}]",
                           "Team=lab,Owner=me").tag_specifications
    assert [(t.key, t.value) for t in spec.tags] == [("Name", "web, front"), ("empty", ""), ("Team", "lab"), ("Owner", "me")]
    spot = run_instances("--instance-market-options", "SpotOptions={ MaxPrice = 0.5 }, MarketType=spot").instance_market_options
    assert (spot.market_type, spot.spot_options.max_price) == ("spot", "0.5")
    spot = run_instances("--instance-market-options", '{"MarketType": "spot", "SpotOptions": {"MaxPrice": 0.5}}')
    assert spot.instance_market_options.spot_options.max_price == "0.5"


@pytest.mark.parametrize("argv", [("--count", "many"), ("--user-data", "file:///nonexistent/boot.sh"), ("--placement", "lab-1b"),
                                  ("--placement", "AvailabilityZone=lab-1a,lab-1b"),
                                  ("--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value=web}"),
                                  ("--tag-specifications", "Name=web,front"),
                                  ("--instance-market-options", "MarketType=spot,SpotOptions=0.05")])
def test_bad_options_are_refused_before_any_call(argv):
    with pytest.raises(AzlabError):
        run_instances(*argv)


def test_filters_and_rules():
    from azlab.cluster.ec2 import cli

    [state, tag] = cli._filters(["Name=instance-state-name,Values=running,pending", "Name=tag:Name,Values=web"])
    assert (state.name, list(state.values), tag.name) == ("instance-state-name", ["running", "pending"], "tag:Name")
    with pytest.raises(AzlabError):
        cli._filters(["instance-state-name=running"])
    [several] = cli._filters(["Name=availability-zone, Values=[lab-1a, lab-1b, 'lab-1c']"])  # aws-cli's other forms
    assert (several.name, list(several.values)) == ("availability-zone", ["lab-1a", "lab-1b", "lab-1c"])
    args = build_parser().parse_args(["ec2", "authorize-security-group-ingress", "--group-id", "sg-1", "--protocol", "tcp",
                                      "--port", "8000-8080", "--cidr", "10.0.0.0/8"])
    [permission] = cli._permissions(args)
    assert (permission.ip_protocol, permission.from_port, permission.to_port) == ("tcp", 8000, 8080)
    assert permission.ip_ranges[0].cidr_ip == "10.0.0.0/8"


@pytest.mark.parametrize("option, value", [
    ("--instance-market-options", '{"MarketType": "spot",'),  # JSON cut short
    ("--instance-market-options", "[1, 2]"),
])
def test_structured_options_in_bad_json_are_refused_with_the_ec2_code(option, value):
    with pytest.raises(AzlabError) as refused:
        run_instances(option, value)
    assert refused.value.code == "InvalidParameterValue" and "\n" not in str(refused.value)


def test_ip_permissions_take_json_or_shorthand_and_refuse_a_bad_shape():
    from azlab.cluster.ec2 import cli

    def permissions(value: str):
        return cli._permissions(build_parser().parse_args(
            ["ec2", "authorize-security-group-ingress", "--group-id", "sg-1", "--ip-permissions", value]))

    [json_form] = permissions('[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]')
    [shorthand] = permissions("IpProtocol=tcp,FromPort=80,ToPort=80,IpRanges=[{CidrIp=10.0.0.0/8}]")
    assert json_form == shorthand and shorthand.ip_ranges[0].cidr_ip == "10.0.0.0/8"
    for bad in ('[{"IpProtocol": "tcp", "FromPort": "eighty"}]', '[{"IpRanges": [{"Cidr": "x"}]}]', "[1]"):
        with pytest.raises(AzlabError) as refused:
            permissions(bad)
        assert refused.value.code == "InvalidParameterValue"

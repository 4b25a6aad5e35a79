"""The EC2 model's rules, without Ray or sockets: a real store, an injected clock and hosts."""

from __future__ import annotations

import base64

import pytest

from azlab.cluster.ec2 import catalog
from azlab.cluster.ec2 import model as m
from azlab.cluster.ec2.model import Ec2Model, Host
from azlab.common.errors import AzlabError
from azlab.cluster.state import Store

AZS = ("lab-1a", "lab-1b", "lab-1c")


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def world(tmp_path):
    store = Store(tmp_path / "state.db")
    clock = Clock()
    hosts = [Host(f"{az}/node-{n}", az, True) for az in AZS for n in range(2)]

    def make(**kwargs) -> Ec2Model:
        return Ec2Model(store, AZS, lambda: hosts, lambda az: f"10.{11 + AZS.index(az)}", "10.200.0",
                        clock=clock, **kwargs)

    return make(), make, clock, hosts, store


def snapshot(store: Store) -> list:
    return [(kind, store.resources("ec2", kind)) for kind in
            ("instance", "image", "key-pair", "security-group", "address", "spot-price", "reserved")]


def run(model: Ec2Model, **kwargs) -> list[m.Instance]:
    args = {"image_id": "ami-lab-minimal", "instance_type": "m3.medium", "az": "lab-1b"} | kwargs
    return model.run_instances(m.RunInstancesSpec(**args))


def test_run_instances_places_pending_instances_with_addresses_in_their_az(world):
    model, *_ = world
    launched = run(model, min_count=3, max_count=3, tags={"Name": "web"}, user_data=b"#!/bin/sh\necho hi\n")
    assert [i.state for i in launched] == ["pending"] * 3
    assert len({i.reservation_id for i in launched}) == 1
    assert [i.ami_launch_index for i in launched] == [0, 1, 2]
    assert all(i.az == "lab-1b" and i.host.startswith("lab-1b/") for i in launched)
    assert sorted(i.private_ip for i in launched) == ["10.12.1.1", "10.12.1.2", "10.12.1.3"]
    assert {i.host for i in launched} == {"lab-1b/node-0", "lab-1b/node-1"}  # spread by free vCPUs
    assert base64.b64decode(launched[0].user_data) == b"#!/bin/sh\necho hi\n"
    found, _ = model.describe_instances(filters={"tag:Name": ["web"], "instance-state-name": ["pending"]})
    assert {i.instance_id for i in found} == {i.instance_id for i in launched}


def test_a_restarted_model_reads_back_what_it_acknowledged(world):
    model, make, *_ = world
    [instance] = run(model)
    group = model.create_security_group("web", "web servers")
    again = make()
    assert again.instance(instance.instance_id).private_ip == instance.private_ip
    assert again.group(group.group_id).group_name == "web"
    assert [g.group_name for g in again.groups.values()].count("default") == 1


@pytest.mark.parametrize("kwargs, code", [
    ({"image_id": "ami-0000000000000dead"}, "InvalidAMIID.NotFound"),
    ({"image_id": "nope"}, "InvalidAMIID.Malformed"),
    ({"image_id": ""}, "MissingParameter"),
    ({"instance_type": "m9.huge"}, "InvalidParameterValue"),
    ({"az": "lab-1z"}, "InvalidParameterValue"),
    ({"min_count": 3, "max_count": 2}, "InvalidParameterValue"),
    ({"min_count": 1, "max_count": 1001}, "InvalidParameterValue"),
    ({"key_name": "nobody"}, "InvalidKeyPair.NotFound"),
    ({"security_group_ids": ["sg-missing"]}, "InvalidGroup.NotFound"),
    ({"subnet_id": "subnet-nowhere"}, "InvalidSubnetID.NotFound"),
    ({"tenancy": "host"}, "InvalidParameterValue"),
    ({"user_data": b"x" * (16 * 1024 + 1)}, "InvalidParameterValue"),
    ({"tags": {"aws:secret": "x"}}, "InvalidParameterValue"),
    ({"market": "spot", "spot_max_price": "0.0001"}, "SpotMaxPriceTooLow"),
    ({"market": "spot", "spot_max_price": "cheap"}, "InvalidParameterValue"),
    ({"min_count": 70, "max_count": 70, "instance_type": "cc2.8xlarge"}, "InsufficientInstanceCapacity"),
])
def test_bad_run_instances_raise_the_ec2_code_and_change_nothing(world, kwargs, code):
    model, _, _, _, store = world
    before = snapshot(store)
    with pytest.raises(AzlabError) as error:
        run(model, **kwargs)
    assert error.value.code == code
    assert snapshot(store) == before and model.instances == {}


def test_placement_fills_hosts_then_refuses_with_insufficient_capacity(world):
    model, *_ = world
    # two hosts of 64 vCPUs each: four cc2.8xlarge (32 vCPUs) fit, the fifth does not
    assert len(run(model, instance_type="cc2.8xlarge", min_count=4, max_count=4)) == 4
    with pytest.raises(AzlabError, match="capacity") as error:
        run(model, instance_type="cc2.8xlarge")
    assert error.value.code == "InsufficientInstanceCapacity"
    # max_count takes what fits when min_count is met
    assert len(run(model, az="lab-1c", instance_type="cc2.8xlarge", min_count=1, max_count=9)) == 4


def test_dedicated_tenancy_gets_a_host_to_itself(world):
    model, *_ = world
    [dedicated] = run(model, tenancy="dedicated", instance_type="t1.micro")
    shared = run(model, instance_type="t1.micro", min_count=5, max_count=5)
    assert all(i.host != dedicated.host for i in shared)
    with pytest.raises(AzlabError) as error:
        run(model, tenancy="dedicated")  # the other host is taken by shared instances
    assert error.value.code == "InsufficientInstanceCapacity"


def test_hosts_that_are_down_take_no_instances(world):
    model, _, _, hosts, _ = world
    hosts[:] = [Host(h.name, h.az, h.az != "lab-1b") for h in hosts]
    with pytest.raises(AzlabError) as error:
        run(model)
    assert error.value.code == "InsufficientInstanceCapacity"


def test_the_state_machine_follows_ec2(world):
    model, _, clock, _, _ = world
    [i] = run(model)
    iid = i.instance_id
    with pytest.raises(AzlabError) as early:
        model.start_instances(["i-doesnotexist"])
    assert early.value.code == "InvalidInstanceID.NotFound"
    model.mark_running(iid)
    assert i.state == "running"
    assert [(x.instance_id, before) for x, before in model.stop_instances([iid])] == [(iid, "running")]
    assert i.state == "stopping"
    with pytest.raises(AzlabError) as error:
        model.start_instances([iid])
    assert error.value.code == "IncorrectInstanceState"
    model.mark_stopped(iid)
    model.start_instances([iid])
    assert i.state == "pending" and i.host
    model.terminate_instances([iid])
    assert i.state == "shutting-down"
    model.mark_terminated(iid)
    assert model.describe_instances([iid])[0][0].state == "terminated"  # still described for a while
    with pytest.raises(AzlabError):
        model.start_instances([iid])
    clock.now += m.TERMINATED_VISIBLE_S + 1
    assert model.describe_instances()[0] == []


def test_status_is_impaired_when_the_host_is_down(world):
    model, _, _, hosts, _ = world
    [i] = run(model)
    model.mark_running(i.instance_id)
    assert model.status(i) == ("ok", "initializing")
    model.mark_booted(i.instance_id, {"enforced": True, "detail": "cgroup v1"})
    assert model.status(i) == ("ok", "ok")
    hosts[:] = [Host(h.name, h.az, h.name != i.host) for h in hosts]
    assert model.status(i) == ("impaired", "impaired")


def test_describe_pages_through_every_instance_once(world):
    model, *_ = world
    launched = {i.instance_id for i in run(model, min_count=23, max_count=23, instance_type="t1.micro")}
    seen, token = [], ""
    while True:
        page, token = model.describe_instances(max_results=5, next_token=token)
        seen += [i.instance_id for i in page]
        if not token:
            break
    assert sorted(seen) == sorted(launched)
    for bad in ({"max_results": 4}, {"filters": {"colour": ["red"]}}):
        with pytest.raises(AzlabError) as error:
            model.describe_instances(**bad)
        assert error.value.code == "InvalidParameterValue"


def test_client_token_makes_run_instances_idempotent(world):
    model, *_ = world
    first = run(model, client_token="abc", min_count=2, max_count=2)
    again = run(model, client_token="abc", min_count=2, max_count=2)
    assert [i.instance_id for i in first] == [i.instance_id for i in again] and len(model.instances) == 2


def test_images_register_describe_deregister_and_create_from_a_stopped_instance(world):
    model, *_ = world
    pv = model.register_image("old-kernel", virtualization_type="paravirtual", kernel_id="aki-1234", ramdisk_id="ari-5678")
    assert model.describe_images([pv["image_id"]])[0]["kernel_id"] == "aki-1234"
    for kwargs, code in [({"name": "old-kernel"}, "InvalidAMIName.Duplicate"),
                         ({"name": "hvm-with-kernel", "kernel_id": "aki-1"}, "InvalidParameterValue"),
                         ({"name": "x", "virtualization_type": "hvm"}, "InvalidParameterValue"),
                         ({"name": "weird", "architecture": "sparc"}, "InvalidParameterValue")]:
        with pytest.raises(AzlabError) as error:
            model.register_image(**kwargs)
        assert error.value.code == code
    with pytest.raises(AzlabError) as unbootable:
        run(model, image_id=pv["image_id"])
    assert unbootable.value.code == "UnsupportedOperation"  # docker/libvirt boot it, not the process backend
    [i] = run(model)
    with pytest.raises(AzlabError) as running:
        model.create_image(i.instance_id, "snapshot")
    assert running.value.code == "IncorrectInstanceState"
    model.stop_instances([i.instance_id])
    model.mark_stopped(i.instance_id)
    image = model.create_image(i.instance_id, "snapshot")
    assert image["source_instance_id"] == i.instance_id and image["backends"] == ["process", "fake"]
    with pytest.raises(AzlabError, match="pending"):
        run(model, image_id=image["image_id"])
    model.image_snapshotted(image["image_id"], "/snapshots/root")
    assert run(model, image_id=image["image_id"])[0].image_id == image["image_id"]
    model.deregister_image(pv["image_id"])
    with pytest.raises(AzlabError) as gone:
        model.describe_images([pv["image_id"]])
    assert gone.value.code == "InvalidAMIID.NotFound"


def test_key_pairs_are_created_once_and_imported_with_their_fingerprint(world):
    model, *_ = world
    pair, private = model.create_key_pair("me")
    assert private.startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert private not in str(model.store.resources("ec2", "key-pair"))  # never stored
    assert len(pair["key_fingerprint"].split(":")) == 20  # SHA-1, as EC2 computes for keys it made
    imported = model.import_key_pair("other", pair["public_key"].encode())
    assert imported["key_type"] == "rsa" and len(imported["key_fingerprint"].split(":")) == 16  # MD5 for imported
    with pytest.raises(AzlabError) as duplicate:
        model.create_key_pair("me")
    assert duplicate.value.code == "InvalidKeyPair.Duplicate"
    with pytest.raises(AzlabError) as garbage:
        model.import_key_pair("bad", b"ssh-rsa not-a-key")
    assert garbage.value.code == "InvalidKey.Format"
    model.delete_key_pair("me")
    model.delete_key_pair("me")  # idempotent
    assert [k["key_name"] for k in model.describe_key_pairs()] == ["other"]


def test_security_group_rules_validate_and_resolve_group_sources(world):
    model, *_ = world
    web = model.create_security_group("web", "web servers")
    assert web.ingress == [] and web.egress[0].cidr == "0.0.0.0/0"
    model.change_rules(web.group_id, [{"ip_protocol": "tcp", "from_port": 80, "to_port": 80, "cidrs": ["10.10.0.0/16"]},
                                      {"ip_protocol": "-1", "group_ids": [web.group_id]}], egress=False, authorize=True)
    launched = run(model, security_group_ids=[web.group_id], min_count=2, max_count=2)
    rules = model.firewall(launched[0])["ingress"]
    assert {"protocol": "tcp", "from_port": 80, "to_port": 80, "sources": ["10.10.0.0/16"]} in rules
    assert {"protocol": "-1", "from_port": -1, "to_port": -1, "sources": sorted(i.private_ip for i in launched)} in rules
    for permission, code in [
        ({"ip_protocol": "tcp", "from_port": 80, "to_port": 80, "cidrs": ["10.10.0.0/16"]}, "InvalidPermission.Duplicate"),
        ({"ip_protocol": "tcp", "from_port": 90, "to_port": 70000, "cidrs": ["0.0.0.0/0"]}, "InvalidParameterValue"),
        ({"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "cidrs": ["10.0.0.300/8"]}, "InvalidParameterValue"),
        ({"ip_protocol": "gre", "from_port": 0, "to_port": 0, "cidrs": ["0.0.0.0/0"]}, "InvalidParameterValue"),
        ({"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "group_ids": ["sg-nope"]}, "InvalidGroup.NotFound"),
    ]:
        before = [r.key() for r in web.ingress]
        with pytest.raises(AzlabError) as error:
            model.change_rules(web.group_id, [permission], egress=False, authorize=True)
        assert error.value.code == code and [r.key() for r in web.ingress] == before
    with pytest.raises(AzlabError) as missing:
        model.change_rules(web.group_id, [{"ip_protocol": "udp", "from_port": 53, "to_port": 53, "cidrs": ["0.0.0.0/0"]}],
                           egress=False, authorize=False)
    assert missing.value.code == "InvalidPermission.NotFound"
    model.change_rules(web.group_id, [{"ip_protocol": "tcp", "from_port": 80, "to_port": 80, "cidrs": ["10.10.0.0/16"]}],
                       egress=False, authorize=False)
    assert all(r["protocol"] != "tcp" for r in model.firewall(launched[0])["ingress"])
    for name, code in [("web", "InvalidGroup.Duplicate"), ("sg-x", "InvalidGroup.Reserved")]:
        with pytest.raises(AzlabError) as error:
            model.create_security_group(name, "d")
        assert error.value.code == code
    with pytest.raises(AzlabError) as in_use:
        model.delete_security_group(web.group_id)
    assert in_use.value.code == "DependencyViolation"
    with pytest.raises(AzlabError) as default:
        model.delete_security_group(model.security_groups.default().group_id)
    assert default.value.code == "CannotDelete"


def test_elastic_ips_move_between_instances_and_leave_with_termination(world):
    model, *_ = world
    a, b = run(model, min_count=2, max_count=2)
    eip = model.allocate_address()
    model.associate_address(eip["allocation_id"], a.instance_id)
    assert model.eip_targets() == {eip["public_ip"]: a} and model.public_ip(a) == eip["public_ip"]
    with pytest.raises(AzlabError) as taken:
        model.associate_address(eip["allocation_id"], b.instance_id)
    assert taken.value.code == "Resource.AlreadyAssociated"
    model.associate_address(eip["allocation_id"], b.instance_id, allow_reassociation=True)
    assert model.eip_targets() == {eip["public_ip"]: b} and model.public_ip(a) == ""
    with pytest.raises(AzlabError) as in_use:
        model.release_address(eip["allocation_id"])
    assert in_use.value.code == "InvalidIPAddress.InUse"
    model.terminate_instances([b.instance_id])
    assert model.eip_targets() == {}
    model.release_address(eip["allocation_id"])
    assert model.addresses == {}


def test_spot_instances_get_notice_when_priced_out_then_are_terminated(world):
    model, _, clock, _, _ = world
    [spot] = run(model, market="spot", spot_max_price="0.05")
    [on_demand] = run(model)
    model.mark_running(spot.instance_id)
    assert model.interrupt_spot() == [] and spot.interruption_at is None
    model.set_spot_price("lab-1b", "m3.medium", "0.06", notice_s=30)
    assert [i.instance_id for i in model.interrupt_spot()] == [spot.instance_id]
    assert spot.interruption_at == clock.now + 30 and spot.state == "running"
    clock.now += 31
    model.interrupt_spot()
    assert spot.state == "shutting-down" and "Spot" in spot.state_reason
    assert on_demand.state == "pending"
    with pytest.raises(AzlabError) as stop:
        model.stop_instances([spot.instance_id])
    assert stop.value.code in ("IncorrectInstanceState", "UnsupportedOperation")


def test_spot_market_moves_per_az_and_type_unless_fixed(world):
    model, _, clock, _, _ = world
    a, b = model.spot_price("lab-1a", "m1.small"), model.spot_price("lab-1b", "m1.small")
    clock.now += 900
    assert model.spot_price("lab-1a", "m1.small") != a and a != b
    model.set_spot_price("lab-1a", "m1.small", "0.5")
    assert model.spot_price("lab-1a", "m1.small") == 0.5
    model.set_spot_price("lab-1a", "m1.small", "0")
    assert model.spot_price("lab-1a", "m1.small") != 0.5


def test_billing_counts_every_started_hour_per_purchase_option(world):
    model, _, clock, _, _ = world
    [on_demand] = run(model, instance_type="m1.small")
    [reserved] = run(model, instance_type="m3.large")
    model.set_spot_price("lab-1b", "c1.medium", "0.02")
    [spot] = run(model, instance_type="c1.medium", market="spot")
    offering = model.offerings("m3.large", "lab-1b", "Heavy Utilization")[0]
    model.purchase_reserved(offering["reserved_instances_offering_id"], 1)
    for i in (on_demand, reserved, spot):
        model.mark_running(i.instance_id)
    clock.now += 60  # one minute costs an hour
    model.stop_instances([on_demand.instance_id])
    model.mark_stopped(on_demand.instance_id)
    model.start_instances([on_demand.instance_id])
    model.mark_running(on_demand.instance_id)  # a restart begins a new hour
    clock.now += 3600 + 60
    lines, upfront, total = model.billing()
    by_id = {line["instance_id"]: line for line in lines}
    assert by_id[on_demand.instance_id]["billed_hours"] == 3 and by_id[on_demand.instance_id]["purchase_option"] == "on-demand"
    assert by_id[on_demand.instance_id]["cost"] == pytest.approx(3 * 0.044)
    assert by_id[reserved.instance_id]["purchase_option"] == "reserved"
    assert by_id[reserved.instance_id]["hourly_price"] == pytest.approx(float(offering["usage_price"]))
    assert by_id[spot.instance_id]["purchase_option"] == "spot" and by_id[spot.instance_id]["hourly_price"] == 0.02
    assert upfront == pytest.approx(float(offering["fixed_price"]))
    assert total == pytest.approx(upfront + sum(line["cost"] for line in lines))
    assert float(offering["usage_price"]) < catalog.INSTANCE_TYPES["m3.large"].price

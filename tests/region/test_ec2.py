"""EC2 in a real region, under each isolation: instances whose user data serves HTTP, reached as a
user would reach them; an AZ killed under load; the controller killed; spot priced out;
security groups and Elastic IPs tried with real packets (netns)."""

from __future__ import annotations

import json
import time

import pytest

from .conftest import (
    bring_up,
    gone,
    isolations,
    tear_down,
    wait_until,
    with_descendants,
)
from .instances import WEB_PORT, HttpLoad, describe, fetch, get, init_pid, serving

pytestmark = pytest.mark.region
BOOT_TIMEOUT_S = 30  # generous bounds for polling; launch times are a benchmark figure

# Records what the instance sees from inside (metadata, its cgroup limits), counts its boots,
# then serves its home over HTTP on its own address.
USER_DATA = r"""#!/bin/sh
cd "$HOME"
echo "$AZLAB_INSTANCE_ID" > instance-id
echo "boot" >> boots
python3 - <<'PY'
import json, os, urllib.request
base = os.environ["AWS_EC2_METADATA_SERVICE_ENDPOINT"].rstrip("/")
def get(path):
    return urllib.request.urlopen(f"{base}/latest/{path}", timeout=5).read().decode()
keys = ("instance-id", "instance-type", "local-ipv4", "placement/availability-zone", "public-keys/0/openssh-key")
metadata = {key: get("meta-data/" + key) for key in keys}
metadata["user-data"] = get("user-data").splitlines()[0]
limits = {}
for line in open("/proc/self/cgroup"):
    hierarchy, controllers, path = line.strip().split(":", 2)
    if hierarchy == "0" and os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        group = "/sys/fs/cgroup" + path
        if os.path.exists(group + "/cpu.max"):
            quota, period = open(group + "/cpu.max").read().split()
            limits = {"vcpus": int(quota) / int(period), "memory": int(open(group + "/memory.max").read())}
    elif "cpu" in controllers.split(","):
        group = f"/sys/fs/cgroup/{controllers}{path}"
        quota, period = (int(open(f"{group}/cpu.cfs_{f}_us").read()) for f in ("quota", "period"))
        limits["vcpus"] = quota / period
    elif "memory" in controllers.split(","):
        limits["memory"] = int(open(f"/sys/fs/cgroup/{controllers}{path}/memory.limit_in_bytes").read())
json.dump({"metadata": metadata, "limits": limits}, open("inside.json", "w"))
PY
echo "user data done"
exec python3 -m http.server 8080 --bind "$AZLAB_PRIVATE_IP"
"""


@pytest.fixture(scope="module", params=isolations())
def lab(request, tmp_path_factory):
    lab = bring_up(tmp_path_factory, request.param)
    assert lab.json("ec2", "create-key-pair", "--key-name", "me")["KeyMaterial"].startswith("-----BEGIN")
    lab.web = lab.json("ec2", "create-security-group", "--group-name", "web", "--description", "HTTP from anywhere")["GroupId"]
    lab.json("ec2", "authorize-security-group-ingress", "--group-id", lab.web, "--protocol", "tcp",
             "--port", str(WEB_PORT), "--cidr", "0.0.0.0/0")
    user_data = tmp_path_factory.mktemp("user-data") / "boot.sh"
    user_data.write_text(USER_DATA)
    lab.user_data = f"file://{user_data}"
    yield lab
    tear_down(lab)


def launch(lab, az: str, count: int = 1, *extra: str, groups: tuple[str, ...] = ()) -> list[dict]:
    done = lab.json("ec2", "run-instances", "--image-id", "ami-lab-minimal", "--instance-type", "t1.micro",
                    "--count", str(count), "--placement", f"AvailabilityZone={az}", "--key-name", "me",
                    "--security-group-ids", *(groups or (lab.web,)), "--user-data", lab.user_data,
                    "--tag-specifications", "Name=web", *extra)
    assert [i["State"]["Name"] for i in done["Instances"]] == ["pending"] * count
    return done["Instances"]


def from_inside(lab, instance_id: str, path: str) -> str | None:
    """GET a metadata path from within the instance's network (its namespace under netns)."""
    endpoint = describe(lab, instance_id)[instance_id]["MetadataEndpoint"].rstrip("/")
    inside = ["nsenter", "-t", str(init_pid(lab, instance_id)), "-n"] if lab.isolation == "netns" else []
    return fetch(f"{endpoint}/latest/{path}", inside=inside)


def terminate(lab, *instance_ids: str) -> None:
    lab.json("ec2", "terminate-instances", "--instance-ids", *instance_ids)
    wait_until(lambda: all(i["State"]["Name"] == "terminated" for i in describe(lab, *instance_ids).values()),
               BOOT_TIMEOUT_S, "terminated")


def test_user_data_starts_a_web_server_that_answers_on_the_instance_address(lab):
    [instance] = serving(lab, launch(lab, "lab-1b"), BOOT_TIMEOUT_S).values()
    address = instance["PrivateIpAddress"]
    assert address.startswith("127.12.1." if lab.isolation == "loopback" else "10.12.1.")
    assert get(address, "instance-id").strip() == instance["InstanceId"]
    assert instance["Placement"]["AvailabilityZone"] == "lab-1b" and instance["Placement"]["HostId"] == "lab-1b/node-0"
    assert instance["Tags"] == [{"Key": "Name", "Value": "web"}] and instance["Backend"] == "process"
    authorized = get(address, ".ssh/authorized_keys")
    [pair] = lab.json("ec2", "describe-key-pairs", "--key-names", "me")["KeyPairs"]
    assert authorized == f"{pair['PublicKey']} me\n"
    console = lab.json("ec2", "get-console-output", "--instance-id", instance["InstanceId"])["Output"]
    assert "user data started" in console and "user data done" in console
    running = lab.json("ec2", "describe-instances", "--filters", "Name=instance-state-name,Values=running",
                       "Name=availability-zone,Values=lab-1b")["Reservations"]
    assert instance["InstanceId"] in {i["InstanceId"] for r in running for i in r["Instances"]}
    terminate(lab, instance["InstanceId"])


def test_metadata_and_cgroup_limits_are_seen_from_inside_the_instance(lab):
    [instance] = serving(lab, launch(lab, "lab-1a"), BOOT_TIMEOUT_S).values()
    inside = json.loads(get(instance["PrivateIpAddress"], "inside.json"))
    [pair] = lab.json("ec2", "describe-key-pairs", "--key-names", "me")["KeyPairs"]
    assert inside["metadata"] == {
        "instance-id": instance["InstanceId"], "instance-type": "t1.micro", "local-ipv4": instance["PrivateIpAddress"],
        "placement/availability-zone": "lab-1a", "public-keys/0/openssh-key": pair["PublicKey"], "user-data": "#!/bin/sh",
    }
    limits = instance["ResourceLimits"]
    assert limits["Vcpus"] == 1 and limits["MemoryMib"] == 628
    if limits["Enforced"]:
        assert inside["limits"] == {"vcpus": 1.0, "memory": 628 * 1024 * 1024}
    else:
        assert limits["Detail"]  # says why not
    assert from_inside(lab, instance["InstanceId"], "meta-data/instance-id") == instance["InstanceId"]
    assert from_inside(lab, instance["InstanceId"], "meta-data/spot/instance-action") is None  # on-demand: 404
    terminate(lab, instance["InstanceId"])


def test_stop_start_reboot_create_image_and_terminate_follow_the_lifecycle(lab):
    [instance] = serving(lab, launch(lab, "lab-1c"), BOOT_TIMEOUT_S).values()
    iid, address = instance["InstanceId"], instance["PrivateIpAddress"]
    pid = init_pid(lab, iid)
    lab.json("ec2", "reboot-instances", "--instance-ids", iid)
    wait_until(lambda: init_pid(lab, iid) not in (None, pid), BOOT_TIMEOUT_S, "a new boot")
    wait_until(lambda: (get(address, "boots") or "").count("boot") == 2, BOOT_TIMEOUT_S, "the second boot to serve")

    stopped = lab.json("ec2", "stop-instances", "--instance-ids", iid)["Instances"][0]
    assert stopped["PreviousState"]["Name"] == "running" and stopped["CurrentState"]["Name"] == "stopping"
    wait_until(lambda: describe(lab, iid)[iid]["State"]["Name"] == "stopped", BOOT_TIMEOUT_S, "stopped")
    assert init_pid(lab, iid) is None and get(address, "boots") is None
    image = lab.json("ec2", "create-image", "--instance-id", iid, "--name", "web-snapshot")["ImageId"]
    [described] = lab.json("ec2", "describe-images", "--image-ids", image)["Images"]
    assert described["SourceInstanceId"] == iid and described["State"] == "available"

    lab.json("ec2", "start-instances", "--instance-ids", iid)
    serving(lab, [instance], BOOT_TIMEOUT_S)
    assert get(address, "boots").count("boot") == 3  # its files survived the stop
    [copy] = serving(lab, launch(lab, "lab-1a", 1, "--image-id", image), BOOT_TIMEOUT_S).values()
    assert copy["ImageId"] == image
    assert get(copy["PrivateIpAddress"], "boots").count("boot") == 3  # two boots of the source, one of its own

    pids = with_descendants([init_pid(lab, iid)])
    terminate(lab, iid, copy["InstanceId"])
    assert all(gone(p) for p in pids) and not (lab.home / "ec2" / "instances" / iid).exists()
    assert describe(lab, iid)[iid]["State"]["Name"] == "terminated"  # still described for a while
    done = lab.azlab("ec2", "start-instances", "--instance-ids", iid)
    assert done.returncode == 254 and "(IncorrectInstanceState)" in done.stderr


@pytest.mark.parametrize("args, code", [
    (("ec2", "run-instances", "--image-id", "ami-0000000000000dead"), "InvalidAMIID.NotFound"),
    (("ec2", "run-instances", "--image-id", "ami-lab-minimal", "--instance-type", "m9.huge"), "InvalidParameterValue"),
    (("ec2", "run-instances", "--image-id", "ami-lab-minimal", "--placement", "AvailabilityZone=lab-1z"), "InvalidParameterValue"),
    (("ec2", "run-instances", "--image-id", "ami-lab-minimal", "--count", "3:2"), "InvalidParameterValue"),
    (("ec2", "run-instances", "--image-id", "ami-lab-minimal", "--count", "200", "--instance-type", "cr1.8xlarge"),
     "InsufficientInstanceCapacity"),
    (("ec2", "describe-instances", "--instance-ids", "i-0000000000000dead"), "InvalidInstanceID.NotFound"),
    (("ec2", "terminate-instances", "--instance-ids", "i-0000000000000dead"), "InvalidInstanceID.NotFound"),
    (("ec2", "create-security-group", "--group-name", "web", "--description", "again"), "InvalidGroup.Duplicate"),
    (("ec2", "authorize-security-group-ingress", "--group-id", "sg-nope", "--protocol", "tcp", "--port", "22",
      "--cidr", "0.0.0.0/0"), "InvalidGroup.NotFound"),
    (("ec2", "create-key-pair", "--key-name", "me"), "InvalidKeyPair.Duplicate"),
])
def test_bad_input_is_one_line_with_the_ec2_code_and_changes_nothing(lab, args, code):
    before = (describe(lab), lab.json("ec2", "describe-security-groups"), lab.json("ec2", "describe-key-pairs"))
    done = lab.azlab(*args)
    assert done.returncode == 254, done.stderr
    assert done.stderr.count("\n") == 1 and f"({code})" in done.stderr
    assert (describe(lab), lab.json("ec2", "describe-security-groups"), lab.json("ec2", "describe-key-pairs")) == before


def test_bad_rules_are_refused_with_the_ec2_code(lab):
    for port, cidr in (("70000", "0.0.0.0/0"), ("22", "10.0.0.300/8")):
        done = lab.azlab("ec2", "authorize-security-group-ingress", "--group-id", lab.web, "--protocol", "tcp",
                         "--port", port, "--cidr", cidr)
        assert done.returncode == 254 and "(InvalidParameterValue)" in done.stderr


def test_security_groups_open_and_close_a_port_for_real(lab):
    gate = lab.json("ec2", "create-security-group", "--group-name", "gate", "--description", "closed until opened")["GroupId"]
    [instance] = launch(lab, "lab-1b", groups=(gate,))
    iid = instance["InstanceId"]
    wait_until(lambda: describe(lab, iid)[iid]["State"]["Name"] == "running", BOOT_TIMEOUT_S, "running")
    [group] = lab.json("ec2", "describe-security-groups", "--group-ids", gate)["SecurityGroups"]
    if lab.isolation != "netns":
        assert group["Enforced"] is False and describe(lab, iid)[iid]["SecurityGroupsEnforced"] is False
        terminate(lab, iid)
        pytest.skip("loopback isolation: the API works, packets are not filtered (asserted above)")
    address = describe(lab, iid)[iid]["PrivateIpAddress"]
    wait_until(lambda: "user data done" in lab.json("ec2", "get-console-output", "--instance-id", iid)["Output"],
               BOOT_TIMEOUT_S, "the web server to start")
    time.sleep(0.5)
    assert get(address, "instance-id", timeout=1) is None  # default deny inbound
    rule = ("--group-id", gate, "--protocol", "tcp", "--port", str(WEB_PORT), "--cidr", "10.10.0.0/16")
    lab.json("ec2", "authorize-security-group-ingress", *rule)
    wait_until(lambda: get(address, "instance-id"), 5, "the port to open")
    lab.json("ec2", "revoke-security-group-ingress", *rule)
    wait_until(lambda: get(address, "instance-id", timeout=0.5) is None, 5, "the port to close")
    terminate(lab, iid)


def test_an_elastic_ip_moves_between_instances_and_the_client_follows(lab):
    first, second = (serving(lab, launch(lab, az), BOOT_TIMEOUT_S) for az in ("lab-1a", "lab-1c"))
    [(a, _)], [(b, _)] = first.items(), second.items()
    eip = lab.json("ec2", "allocate-address", "--domain", "vpc")
    lab.json("ec2", "associate-address", "--allocation-id", eip["AllocationId"], "--instance-id", a)
    assert describe(lab, a)[a]["PublicIpAddress"] == eip["PublicIp"]
    [address] = lab.json("ec2", "describe-addresses", "--allocation-ids", eip["AllocationId"])["Addresses"]
    if lab.isolation != "netns":
        assert address["Enforced"] is False
    else:
        assert address["Enforced"] is True
        wait_until(lambda: (get(eip["PublicIp"], "instance-id") or "").strip() == a, 5, "the EIP to reach the first")
        lab.json("ec2", "associate-address", "--allocation-id", eip["AllocationId"], "--instance-id", b,
                 "--allow-reassociation")
        wait_until(lambda: (get(eip["PublicIp"], "instance-id") or "").strip() == b, 5, "the EIP to move")
        assert from_inside(lab, b, "meta-data/public-ipv4") == eip["PublicIp"]
    assert describe(lab, a)[a]["PublicIpAddress"] == ("" if lab.isolation == "netns" else eip["PublicIp"])
    terminate(lab, a, b)
    lab.json("ec2", "release-address", "--allocation-id", eip["AllocationId"])


def test_a_spot_instance_gets_notice_then_is_terminated_when_the_price_rises(lab):
    [instance] = serving(lab, launch(lab, "lab-1a", 1, "--instance-market-options",
                                     "MarketType=spot,SpotOptions={MaxPrice=0.015}"), BOOT_TIMEOUT_S).values()
    iid = instance["InstanceId"]
    assert instance["InstanceLifecycle"] == "spot"
    pids = with_descendants([init_pid(lab, iid)])
    lab.json("ec2", "set-spot-price", "--availability-zone", "lab-1a", "--instance-type", "t1.micro",
             "--spot-price", "0.05", "--interruption-notice-seconds", "3")
    notice = wait_until(lambda: from_inside(lab, iid, "meta-data/spot/instance-action"), 5, "the interruption notice")
    assert json.loads(notice)["action"] == "terminate"
    wait_until(lambda: describe(lab, iid)[iid]["State"]["Name"] == "terminated", 20, "the spot instance to be terminated")
    assert "Spot" in describe(lab, iid)[iid]["StateTransitionReason"]
    assert all(gone(p) for p in pids)
    lab.json("ec2", "set-spot-price", "--availability-zone", "lab-1a", "--instance-type", "t1.micro", "--spot-price", "0")
    bill = {line["InstanceId"]: line for line in lab.json("billing")["Lines"]}
    assert bill[iid]["PurchaseOption"] == "spot" and bill[iid]["BilledHours"] == 1


def test_kill_az_removes_every_instance_process_and_restore_boots_them_again(lab):
    before = describe(lab)
    doomed = serving(lab, launch(lab, "lab-1b", 2), BOOT_TIMEOUT_S)
    [(survivor, survivor_instance)] = serving(lab, launch(lab, "lab-1c"), BOOT_TIMEOUT_S).items()
    processes = with_descendants([init_pid(lab, i) for i in doomed])
    assert len(processes) >= 4  # an init and its web server each
    targets = {i: d["PrivateIpAddress"] for i, d in {**doomed, survivor: survivor_instance}.items()}
    with HttpLoad(targets) as load:
        time.sleep(0.5)
        lab.json("chaos", "kill-az", "lab-1b")
        assert all(gone(p) for p in processes), "an instance process of the killed AZ survived"
        assert all(init_pid(lab, i) is None for i in doomed)
        statuses = lambda: {s["InstanceId"]: s["SystemStatus"]["Status"]  # noqa: E731
                            for s in lab.json("ec2", "describe-instance-status")["InstanceStatuses"]}
        wait_until(lambda: all(statuses().get(i) == "impaired" for i in doomed), 20, "the killed AZ's instances impaired")
        assert statuses()[survivor] == "ok"
        assert all(get(a, "instance-id", timeout=0.5) is None for i, a in targets.items() if i in doomed)
        refused = lab.azlab("ec2", "run-instances", "--image-id", "ami-lab-minimal", "--placement", "AvailabilityZone=lab-1b")
        assert refused.returncode == 254 and "(InsufficientInstanceCapacity)" in refused.stderr  # no live host there
        [acknowledged] = launch(lab, "lab-1c")  # the region still launches elsewhere meanwhile
        lab.json("chaos", "restore-az", "lab-1b")
        for i, address in targets.items():
            wait_until(lambda address=address: get(address, "instance-id"), BOOT_TIMEOUT_S, f"{i} to boot again")
        wait_until(lambda: set(statuses().values()) == {"ok"}, 20, "every instance ok")
    assert load.failures(survivor) == 0, "an instance in another AZ noticed"
    assert all(load.failures(i) > 0 for i in doomed)
    assert all("boot\nboot" in get(a, "boots") for i, a in targets.items() if i in doomed)  # booted again
    serving(lab, [acknowledged], BOOT_TIMEOUT_S)  # what the region acknowledged during the fault runs
    assert len(describe(lab)) == len(before) + 4  # and nothing else was recorded
    terminate(lab, *targets, acknowledged["InstanceId"])


def test_instances_keep_serving_while_the_controller_is_down_and_are_re_adopted(lab):
    instances = serving(lab, launch(lab, "lab-1a"), BOOT_TIMEOUT_S)
    [(iid, instance)] = instances.items()
    pid = init_pid(lab, iid)
    with HttpLoad({iid: instance["PrivateIpAddress"]}) as load:
        controller = lab.kill_controller()
        lab.controller_restarted(controller)
        time.sleep(1.0)  # a few reconcile passes of the new controller
    assert load.failures(iid) == 0
    assert init_pid(lab, iid) == pid  # re-adopted, never restarted
    assert describe(lab, iid)[iid]["State"]["Name"] == "running"
    terminate(lab, iid)
    assert init_pid(lab, iid) is None

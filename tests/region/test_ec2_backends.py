"""EC2's compute backends side by side in one region: lab-1a runs docker, lab-1b libvirt, lab-1c process
(the region config's [backends]). A docker instance runs its user data and answers on its AZ address from
other AZs; an EBS volume keeps its data across detach, attach and a snapshot; a killed AZ leaves no container
behind and its instances boot again on restore, while the other AZs' instances never notice.
The libvirt backend's VMs are tested in test_ec2_libvirt.py; here lab-1b only shows an image refused where
its hosts' backend cannot boot it."""

from __future__ import annotations

import time

import docker
import pytest

from azlab.common.network import NetnsNetwork
from azlab.nodes.ec2 import docker as docker_backend

from .conftest import best_isolation, bring_up, tear_down, wait_until
from .instances import DOCKER_USER_DATA, PROCESS_USER_DATA, WEB_PORT, HttpLoad, containers, describe, get, serving

pytestmark = pytest.mark.region
BOOT_TIMEOUT_S = 60  # generous bounds for polling; launch times are a benchmark figure
CONFIG = """
[backends]
"lab-1a" = "docker"
"lab-1b" = "libvirt"
"lab-1c" = "process"
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if why := docker_backend.dockerd_missing():
        pytest.skip(f"docker backend: {why}")
    isolation = best_isolation()
    config = tmp_path_factory.mktemp("config") / "region.toml"
    config.write_text(CONFIG)
    lab = bring_up(tmp_path_factory, isolation, "--config", str(config))
    lab.docker = docker.from_env()
    # process instances have their security groups enforced under netns (docker ones do not: described so)
    lab.web_group = lab.json("ec2", "create-security-group", "--group-name", "web", "--description", "HTTP")["GroupId"]
    lab.json("ec2", "authorize-security-group-ingress", "--group-id", lab.web_group, "--protocol", "tcp",
             "--port", str(WEB_PORT), "--cidr", "0.0.0.0/0")
    scripts = tmp_path_factory.mktemp("user-data")
    (scripts / "docker.sh").write_text(DOCKER_USER_DATA)
    (scripts / "process.sh").write_text(PROCESS_USER_DATA)
    lab.scripts = scripts
    yield lab
    tear_down(lab)
    assert containers(lab) == [], "containers of the region survived `azlab down`"


def launch(lab, az: str, image: str, script: str, count: int = 1) -> list[dict]:
    done = lab.json("ec2", "run-instances", "--image-id", image, "--instance-type", "t1.micro", "--count", str(count),
                    "--placement", f"AvailabilityZone={az}", "--user-data", f"file://{lab.scripts / script}",
                    "--security-group-ids", lab.web_group)
    return done["Instances"]


def volume_state(lab, volume_id: str) -> dict:
    [volume] = lab.json("ec2", "describe-volumes", "--volume-ids", volume_id)["Volumes"]
    return volume


def attached(lab, volume_id: str, instance_id: str, device: str) -> None:
    lab.json("ec2", "attach-volume", "--volume-id", volume_id, "--instance-id", instance_id, "--device", device)
    wait_until(lambda: [a["State"] for a in volume_state(lab, volume_id)["Attachments"]] == ["attached"], 30, "attached")


def inside(lab, instance_id: str, command: str) -> str:
    """What a user logged into the instance would run (docker exec stands in for ssh: busybox has no sshd)."""
    [container] = [c for c in containers(lab) if c.labels["azlab.instance"] == instance_id]
    code, output = container.exec_run(["sh", "-c", command])
    assert code == 0, output
    return output.decode()


def test_a_docker_instance_runs_its_user_data_and_answers_on_its_az_address(lab):
    [instance] = serving(lab, launch(lab, "lab-1a", "ami-lab-docker", "docker.sh"), BOOT_TIMEOUT_S).values()
    iid, address = instance["InstanceId"], instance["PrivateIpAddress"]
    assert instance["Backend"] == "docker" and instance["Placement"]["AvailabilityZone"] == "lab-1a"
    assert instance["SecurityGroupsEnforced"] is False  # said, not pretended
    assert address.startswith("10.11.1." if lab.isolation == "netns" else "127.11.1.")
    assert get(address, "instance-id").strip() == iid
    if lab.isolation == "netns":  # from a host of another AZ, through the region's router
        other_az = ("ip", "netns", "exec", NetnsNetwork(lab.paths.region_id, 3, 1).host_ns(3, 0))
        assert get(address, "instance-id", inside=other_az).strip() == iid
    console = lab.json("ec2", "get-console-output", "--instance-id", iid)["Output"]
    assert "user data started" in console and f"user data ran on {address}" in console
    [container] = containers(lab, "lab-1a")
    assert container.labels["azlab.instance"] == iid and container.attrs["HostConfig"]["Memory"] == 628 << 20
    refused = lab.azlab("ec2", "run-instances", "--image-id", "ami-lab-docker", "--placement", "AvailabilityZone=lab-1c")
    assert refused.returncode == 254 and "(UnsupportedOperation)" in refused.stderr  # lab-1c runs process instances
    lab.web = instance


def test_a_volume_keeps_its_data_across_detach_attach_and_a_snapshot(lab):
    iid = lab.web["InstanceId"]
    volume = lab.json("ec2", "create-volume", "--availability-zone", "lab-1a", "--size", "1", "--volume-type", "gp2")
    vid = volume["VolumeId"]
    assert (volume["State"], volume["Iops"], volume["BurstIops"]) == ("creating", 100, 3000)
    wait_until(lambda: volume_state(lab, vid)["State"] == "available", 30, "the volume to be made")
    attached(lab, vid, iid, "/dev/xvdf")
    assert "/mnt/xvdf ext4" in inside(lab, iid, "cat /proc/mounts")
    inside(lab, iid, "echo kept > /mnt/xvdf/note && sync")
    assert get(lab.web["PrivateIpAddress"], "mnt/xvdf/note") == "kept\n"
    [mapping] = describe(lab, iid)[iid]["BlockDeviceMappings"]
    assert (mapping["VolumeId"], mapping["DeviceName"], mapping["Status"]) == (vid, "/dev/xvdf", "attached")

    for args, code in ((("delete-volume", "--volume-id", vid), "VolumeInUse"),
                       (("attach-volume", "--volume-id", "vol-0000000000000dead", "--instance-id", iid, "--device", "/dev/xvdg"),
                        "InvalidVolume.NotFound")):
        done = lab.azlab("ec2", *args)
        assert done.returncode == 254 and f"({code})" in done.stderr and done.stderr.count("\n") == 1
    elsewhere = lab.json("ec2", "create-volume", "--availability-zone", "lab-1c", "--size", "1")["VolumeId"]
    done = lab.azlab("ec2", "attach-volume", "--volume-id", elsewhere, "--instance-id", iid, "--device", "/dev/xvdg")
    assert done.returncode == 254 and "(InvalidVolume.ZoneMismatch)" in done.stderr
    lab.json("ec2", "delete-volume", "--volume-id", elsewhere)

    lab.json("ec2", "detach-volume", "--volume-id", vid)
    wait_until(lambda: volume_state(lab, vid)["State"] == "available", 30, "detached")
    assert "/mnt/xvdf" not in inside(lab, iid, "cat /proc/mounts")
    attached(lab, vid, iid, "/dev/xvdf")
    assert inside(lab, iid, "cat /mnt/xvdf/note") == "kept\n"

    snapshot = lab.json("ec2", "create-snapshot", "--volume-id", vid, "--description", "while mounted")["SnapshotId"]
    wait_until(lambda: lab.json("ec2", "describe-snapshots", "--snapshot-ids", snapshot)["Snapshots"][0]["State"] == "completed",
               30, "the snapshot")
    copy = lab.json("ec2", "create-volume", "--availability-zone", "lab-1a", "--snapshot-id", snapshot)["VolumeId"]
    wait_until(lambda: volume_state(lab, copy)["State"] == "available", 30, "the copy")
    attached(lab, copy, iid, "/dev/xvdg")
    assert inside(lab, iid, "cat /mnt/xvdg/note") == "kept\n"
    lab.json("ec2", "detach-volume", "--volume-id", copy)
    wait_until(lambda: volume_state(lab, copy)["State"] == "available", 30, "the copy detached")
    lab.json("ec2", "delete-volume", "--volume-id", copy)
    lab.json("ec2", "delete-snapshot", "--snapshot-id", snapshot)
    wait_until(lambda: lab.azlab("ec2", "describe-volumes", "--volume-ids", copy).returncode == 254, 30, "the copy deleted")
    lab.volume = vid


def test_kill_az_leaves_no_container_of_it_and_restore_boots_them_again_with_their_volume(lab):
    web = lab.web["InstanceId"]
    [(other, _)] = serving(lab, launch(lab, "lab-1a", "ami-lab-docker", "docker.sh"), BOOT_TIMEOUT_S).items()
    [(survivor, _)] = serving(lab, launch(lab, "lab-1c", "ami-lab-minimal", "process.sh"), BOOT_TIMEOUT_S).items()
    doomed = {web, other}
    targets = {i: d["PrivateIpAddress"] for i, d in describe(lab, web, other, survivor).items()}
    assert len(containers(lab, "lab-1a")) == 2
    with HttpLoad(targets) as load:
        time.sleep(0.5)
        lab.json("chaos", "kill-az", "lab-1a")
        assert containers(lab, "lab-1a") == [], "a container of the killed AZ survived"
        assert all(get(targets[i], "instance-id") is None for i in doomed)
        statuses = lambda: {s["InstanceId"]: s["SystemStatus"]["Status"]  # noqa: E731
                            for s in lab.json("ec2", "describe-instance-status")["InstanceStatuses"]}
        wait_until(lambda: all(statuses().get(i) == "impaired" for i in doomed), 20, "the killed AZ's instances impaired")
        assert volume_state(lab, lab.volume)["Status"] == "impaired"
        lab.json("chaos", "restore-az", "lab-1a")
        for i in doomed:
            wait_until(lambda i=i: get(targets[i], "instance-id"), BOOT_TIMEOUT_S, f"{i} to boot again")
    assert load.failures(survivor) == 0, "an instance of another AZ noticed"
    assert all(load.failures(i) > 0 for i in doomed)
    assert len(containers(lab, "lab-1a")) == 2
    assert inside(lab, web, "cat /mnt/xvdf/note") == "kept\n"  # its volume is attached again at boot
    assert volume_state(lab, lab.volume)["Status"] == "ok"
    lab.json("ec2", "terminate-instances", "--instance-ids", web, other, survivor)
    wait_until(lambda: containers(lab, "lab-1a") == [], 30, "terminated containers removed")
    wait_until(lambda: volume_state(lab, lab.volume)["State"] == "available", 30, "the volume freed by terminate")


def test_a_restarted_controller_adopts_the_running_containers_and_restarts_none(lab):
    [(iid, instance)] = serving(lab, launch(lab, "lab-1a", "ami-lab-docker", "docker.sh"), BOOT_TIMEOUT_S).items()
    [before] = [c for c in containers(lab, "lab-1a") if c.labels["azlab.instance"] == iid]
    with HttpLoad({iid: instance["PrivateIpAddress"]}) as load:
        controller = lab.kill_controller()
        lab.controller_restarted(controller)
        time.sleep(1.0)  # a few reconcile passes of the new controller
    assert load.failures(iid) == 0, "the instance noticed the controller's restart"
    [after] = [c for c in containers(lab, "lab-1a") if c.labels["azlab.instance"] == iid]
    assert after.attrs["State"]["StartedAt"] == before.attrs["State"]["StartedAt"]  # adopted, never restarted
    lab.json("ec2", "terminate-instances", "--instance-ids", iid)
    wait_until(lambda: containers(lab, "lab-1a") == [], 30, "its container removed")


def test_an_image_is_refused_in_an_az_whose_backend_cannot_boot_it(lab):
    done = lab.azlab("ec2", "run-instances", "--image-id", "ami-lab-minimal", "--placement", "AvailabilityZone=lab-1b")
    assert done.returncode == 254 and "(UnsupportedOperation)" in done.stderr  # lab-1b's hosts run libvirt

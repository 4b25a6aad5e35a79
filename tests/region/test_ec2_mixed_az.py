"""One AZ whose hosts run every compute backend (the region config's per-host [backends]): lab-1a's
node-0 runs processes, node-1 docker, node-2 libvirt. Killing lab-1a under client load leaves no
instance process, container or QEMU of it, while lab-1b's instance never notices; restore boots all
three again. Skips, saying why, without dockerd or libvirt."""

from __future__ import annotations

import pytest

from azlab.nodes.ec2 import docker as docker_backend

from .conftest import best_isolation, bring_up, tear_down, wait_until
from .instances import DOCKER_USER_DATA, PROCESS_USER_DATA, HttpLoad, containers, get, init_pid, qemus, serves

pytestmark = pytest.mark.region
BOOT_TIMEOUT_S = 180  # a TCG boot on two cores beside a region; launch times are a benchmark figure
CONFIG = """
azs = 2
nodes_per_az = 3
[backends]
"lab-1a/node-1" = "docker"
"lab-1a/node-2" = "libvirt"
"""
VM_USER_DATA = """#!/bin/sh
mkdir -p /www
wget -q -O /www/instance-id http://169.254.169.254/latest/meta-data/instance-id
httpd -p 8080 -h /www
"""
IMAGES = {"process": ("ami-lab-minimal", PROCESS_USER_DATA), "docker": ("ami-lab-docker", DOCKER_USER_DATA),
          "libvirt": ("ami-lab-pv", VM_USER_DATA)}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    import docker

    from azlab.nodes.ec2 import libvirt as vm

    if why := docker_backend.dockerd_missing():
        pytest.skip(f"docker backend: {why}")
    if why := vm.unavailable():
        pytest.skip(f"libvirt backend: {why}")
    config = tmp_path_factory.mktemp("config") / "region.toml"
    config.write_text(CONFIG)
    lab = bring_up(tmp_path_factory, best_isolation(), "--config", str(config))
    lab.docker = docker.from_env()
    lab.group = lab.json("ec2", "create-security-group", "--group-name", "web", "--description", "HTTP")["GroupId"]
    lab.json("ec2", "authorize-security-group-ingress", "--group-id", lab.group, "--protocol", "tcp",
             "--port", "8080", "--cidr", "0.0.0.0/0")
    lab.scripts = tmp_path_factory.mktemp("user-data")
    yield lab
    tear_down(lab)
    assert not containers(lab) and not qemus(lab), "an instance of the region survived `azlab down`"


def launch(lab, az: str, backend: str) -> tuple[str, str]:
    image, user_data = IMAGES[backend]
    script = lab.scripts / f"{backend}.sh"
    script.write_text(user_data)
    [instance] = lab.json("ec2", "run-instances", "--image-id", image, "--instance-type", "t1.micro",
                          "--placement", f"AvailabilityZone={az}", "--user-data", f"file://{script}",
                          "--security-group-ids", lab.group)["Instances"]
    return instance["InstanceId"], instance["PrivateIpAddress"]


def test_kill_az_takes_an_instance_of_every_backend_and_restore_boots_them_again(lab):
    doomed = {backend: launch(lab, "lab-1a", backend) for backend in IMAGES}
    survivor, survivor_address = launch(lab, "lab-1b", "process")
    targets = {iid: address for iid, address in [*doomed.values(), (survivor, survivor_address)]}
    for iid, address in targets.items():
        wait_until(lambda iid=iid, address=address: serves(address, iid), BOOT_TIMEOUT_S, f"{iid} to serve")
    process_instance, vm_instance = doomed["process"][0], doomed["libvirt"][0]
    hosts = {i["InstanceId"]: i["Backend"] for r in lab.json("ec2", "describe-instances")["Reservations"]
             for i in r["Instances"]}
    assert {hosts[doomed[b][0]] for b in IMAGES} == set(IMAGES)  # one instance on each backend, all in lab-1a

    with HttpLoad({survivor: survivor_address}) as load:
        lab.json("chaos", "kill-az", "lab-1a")
        assert init_pid(lab, process_instance) is None, "a process instance of the killed AZ survived"
        assert containers(lab, "lab-1a") == [], "a container of the killed AZ survived"
        assert not qemus(lab, vm_instance), "a QEMU of the killed AZ survived"
        assert all(get(address, "instance-id") is None for iid, address in doomed.values())
    assert load.failures(survivor) == 0, "the other AZ's instance noticed"

    lab.json("chaos", "restore-az", "lab-1a")
    for iid, address in doomed.values():
        wait_until(lambda iid=iid, address=address: serves(address, iid), BOOT_TIMEOUT_S, f"{iid} to boot again")
    assert init_pid(lab, process_instance) and containers(lab, "lab-1a") and qemus(lab, vm_instance)
    lab.json("ec2", "terminate-instances", "--instance-ids", *targets)
    wait_until(lambda: not containers(lab, "lab-1a") and not qemus(lab), 60, "the terminated instances to go")


def test_kill_node_takes_only_that_hosts_instances(lab):
    """A killed host's VMs die with it (they are libvirtd's children, not the host's), while the same AZ's
    other hosts serve on; restore boots them again."""
    doomed, doomed_address = launch(lab, "lab-1a", "libvirt")
    kept = dict([launch(lab, "lab-1a", "docker"), launch(lab, "lab-1a", "process")])
    for iid, address in {doomed: doomed_address, **kept}.items():
        wait_until(lambda iid=iid, address=address: serves(address, iid), BOOT_TIMEOUT_S, f"{iid} to serve")

    with HttpLoad(kept) as load:
        lab.json("chaos", "kill-node", "lab-1a/node-2")
        assert not qemus(lab, doomed), "a QEMU of the killed host survived"
        assert get(doomed_address, "instance-id") is None
    assert all(load.failures(iid) == 0 for iid in kept), "an instance on another host of the AZ noticed"

    lab.json("chaos", "restore-az", "lab-1a")
    wait_until(lambda: serves(doomed_address, doomed), BOOT_TIMEOUT_S, f"{doomed} to boot again")
    lab.json("ec2", "terminate-instances", "--instance-ids", doomed, *kept)
    wait_until(lambda: not containers(lab, "lab-1a") and not qemus(lab), 60, "the terminated instances to go")

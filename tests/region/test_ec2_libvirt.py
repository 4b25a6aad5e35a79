"""EC2's libvirt backend in a region whose lab-1a and lab-1b run VMs (the region config's [backends]): a
paravirtual and an hvm instance run their user data and answer on their AZ address; an EBS volume reaches
the guest, keeps its data across detach/attach and holds its provisioned IOPS; killing lab-1a under
client load leaves no QEMU of it, lab-1b's VM never notices, and every counter the guest acknowledged
(written to its volume and fsync'd) is on the volume when the instance boots again.

The guest has no shell for the test to log into: its user data publishes what it sees on its own HTTP
server (busybox httpd), which is what a user would read. Skips, saying why, without libvirt."""

from __future__ import annotations

import time

import pytest

from azlab.common.network import NetnsNetwork

from .conftest import best_isolation, bring_up, tear_down, wait_until
from .instances import WEB_PORT, HttpLoad, describe, get, qemus, serves

pytestmark = pytest.mark.region
BOOT_TIMEOUT_S = 180  # TCG on two cores beside a region; launch times are a benchmark figure
IOPS = 100
CONFIG = """
[backends]
"lab-1a" = "libvirt"
"lab-1b" = "libvirt"
"""
# Serves /instance-id; each volume (found by its serial, the volume id) on first sight: its IOPS under
# 300 direct 4 KiB reads in /volumes/<id>.iops, what it held in /volumes/<id>, then a counter written
# and fsync'd to it, each acknowledged value in /volumes/<id>.acked.
USER_DATA = r"""#!/bin/sh
mkdir -p /www/volumes
wget -q -O /www/instance-id http://169.254.169.254/latest/meta-data/instance-id
httpd -p 8080 -h /www
echo "user data ran"
while :; do
  for s in /sys/block/vd*/serial; do
    [ -e "$s" ] || continue
    dev=/dev/$(basename $(dirname $s)); vol=$(cat $s); vol=${vol:+vol-${vol#vol}}  # vol0abc: vol-0abc
    [ -n "$vol" ] && [ ! -e /tmp/seen-$vol ] || continue
    touch /tmp/seen-$vol
    t0=$(cut -d' ' -f1 /proc/uptime)
    dd if=$dev of=/dev/null bs=4096 count=300 iflag=direct 2>/dev/null
    t1=$(cut -d' ' -f1 /proc/uptime)
    awk "BEGIN{printf \"%d\n\", 300/($t1-$t0)}" > /www/volumes/$vol.iops
    held=$(dd if=$dev bs=64 count=1 2>/dev/null | tr -d '\000' | head -n 1)
    echo "$held" > /www/volumes/$vol
    echo "volume $vol: $(cat /www/volumes/$vol.iops) IOPS, holding '$held'"
    (i=${held#count }; case "$i" in ''|*[!0-9]*) i=0 ;; esac
     # dd creates a plain file where the device node went (detached): never write to one, remove any made
     while [ -e /tmp/seen-$vol ] && [ -b $dev ]; do
       i=$((i + 1))
       echo "count $i" | dd of=$dev conv=fsync,notrunc 2>/dev/null && [ -b $dev ] && echo $i > /www/volumes/$vol.acked
       sleep 0.1
     done
     [ -b $dev ] || rm -f $dev) &
  done
  for f in /tmp/seen-*; do
    [ -e "$f" ] || continue
    v=${f#/tmp/seen-}; grep -qs "vol${v#vol-}" /sys/block/vd*/serial || rm -f "$f" /www/volumes/"${f#/tmp/seen-}"*
  done
  sleep 0.2
done
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    from azlab.cluster import config as region_config
    from azlab.nodes.ec2 import libvirt as vm

    if "libvirt" not in getattr(region_config, "BACKENDS", ()):
        pytest.skip("this region cannot run EC2 backends per AZ yet (the region config's [backends])")
    if why := vm.unavailable():
        pytest.skip(f"libvirt backend: {why}")
    config = tmp_path_factory.mktemp("config") / "region.toml"
    config.write_text(CONFIG)
    lab = bring_up(tmp_path_factory, best_isolation(), "--config", str(config))
    group = lab.json("ec2", "create-security-group", "--group-name", "web", "--description", "HTTP")["GroupId"]
    lab.json("ec2", "authorize-security-group-ingress", "--group-id", group, "--protocol", "tcp",
             "--port", str(WEB_PORT), "--cidr", "0.0.0.0/0")
    lab.group = group
    lab.script = tmp_path_factory.mktemp("user-data") / "vm.sh"
    lab.script.write_text(USER_DATA)
    yield lab
    tear_down(lab)
    assert not qemus(lab), "VMs of the region survived `azlab down`"


def launch(lab, az: str, image: str) -> str:
    [instance] = lab.json("ec2", "run-instances", "--image-id", image, "--instance-type", "t1.micro",
                          "--placement", f"AvailabilityZone={az}", "--user-data", f"file://{lab.script}",
                          "--security-group-ids", lab.group)["Instances"]
    return instance["InstanceId"]


def serving_address(lab, instance_id: str) -> str:
    address = describe(lab, instance_id)[instance_id]["PrivateIpAddress"]
    wait_until(lambda: serves(address, instance_id), BOOT_TIMEOUT_S, f"{instance_id} to serve on {address}",
               interval_s=0.5)
    return address


def in_guest(lab, instance_id: str, predicate, timeout_s: float, what: str):
    """wait_until, saying on a timeout what the guest's console showed."""
    try:
        return wait_until(predicate, timeout_s, what)
    except AssertionError as e:
        console = lab.json("ec2", "get-console-output", "--instance-id", instance_id)["Output"]
        raise AssertionError(f"{e}; its console ends:\n{console[-1500:]}") from None


def volume_state(lab, volume_id: str) -> dict:
    [volume] = lab.json("ec2", "describe-volumes", "--volume-ids", volume_id)["Volumes"]
    return volume


def test_paravirtual_and_hvm_vms_run_user_data_and_answer_on_their_az_address(lab):
    pv, hvm = launch(lab, "lab-1a", "ami-lab-pv"), launch(lab, "lab-1a", "ami-lab-hvm")
    for iid, kind in ((pv, "paravirtual"), (hvm, "hvm")):
        address = serving_address(lab, iid)
        instance = describe(lab, iid)[iid]
        assert instance["VirtualizationType"] == kind and instance["Placement"]["AvailabilityZone"] == "lab-1a"
        if lab.isolation == "netns":  # on its AZ's subnet, reached from a host of another AZ through the router
            assert address.startswith("10.11.1.")
            other_az = ("ip", "netns", "exec", NetnsNetwork(lab.paths.region_id, 3, 1).host_ns(3, 0))
            assert (get(address, "instance-id", inside=other_az) or "").strip() == iid
        console = lab.json("ec2", "get-console-output", "--instance-id", iid)["Output"]
        assert "azlab: user data started" in console and "user data ran" in console
        assert ("virtio_blk" if kind == "paravirtual" else "e1000") in console  # its devices: virtio, emulated
    assert len(qemus(lab, pv, hvm)) == 2
    lab.json("ec2", "terminate-instances", "--instance-ids", hvm)
    wait_until(lambda: not qemus(lab, hvm), 60, "the terminated VM's QEMU to go")
    lab.pv = pv


def test_a_volume_reaches_the_guest_keeps_its_data_and_holds_its_iops(lab):
    pv = lab.pv
    address = describe(lab, pv)[pv]["PrivateIpAddress"]
    vid = lab.json("ec2", "create-volume", "--availability-zone", "lab-1a", "--size", "4", "--volume-type", "io1",
                   "--iops", str(IOPS))["VolumeId"]
    wait_until(lambda: volume_state(lab, vid)["State"] == "available", 60, "the volume to be made")
    lab.json("ec2", "attach-volume", "--volume-id", vid, "--instance-id", pv, "--device", "/dev/xvdf")
    in_guest(lab, pv, lambda: get(address, f"volumes/{vid}.acked"), 60, "the guest to write to its volume")
    rate = int(get(address, f"volumes/{vid}.iops"))
    print(f"io1 volume of {IOPS} IOPS, measured in the guest: {rate} ops/s")
    assert 0.5 * IOPS <= rate <= 1.3 * IOPS
    assert get(address, f"volumes/{vid}").strip() == ""  # blank when it first arrived

    lab.json("ec2", "detach-volume", "--volume-id", vid)
    wait_until(lambda: volume_state(lab, vid)["State"] == "available", 60, "detached")
    in_guest(lab, pv, lambda: get(address, f"volumes/{vid}") is None, 30, "the guest to see it gone")
    lab.json("ec2", "attach-volume", "--volume-id", vid, "--instance-id", pv, "--device", "/dev/xvdf")
    held = in_guest(lab, pv, lambda: get(address, f"volumes/{vid}"), 60, "the volume back in the guest")
    assert held.startswith("count ") and int(held.split()[1]) > 0
    lab.volume = vid


def test_kill_az_leaves_no_qemu_of_it_and_no_acknowledged_write_is_lost(lab):
    writer, vid = lab.pv, lab.volume
    survivor = launch(lab, "lab-1b", "ami-lab-pv")
    targets = {writer: describe(lab, writer)[writer]["PrivateIpAddress"], survivor: serving_address(lab, survivor)}
    with HttpLoad(targets) as load:
        # What the guest acknowledged (fsync'd to its volume), read by a client right up to the kill.
        acknowledged = []
        for _ in range(30):
            if (count := get(targets[writer], f"volumes/{vid}.acked")) and count.strip().isdigit():
                acknowledged.append(int(count))
            time.sleep(0.1)
        lab.json("chaos", "kill-az", "lab-1a")
        assert not qemus(lab, writer), "a VM of the killed AZ survived"
        assert qemus(lab, survivor)
        time.sleep(1)
    assert len(acknowledged) > 5 and get(targets[writer], "instance-id") is None
    assert load.failures(survivor) == 0, "the other AZ's VM noticed"
    lab.json("chaos", "restore-az", "lab-1a")
    # It boots again with its volume attached; what the volume holds is at least every acknowledged count.
    address = serving_address(lab, writer)
    held = in_guest(lab, writer, lambda: get(address, f"volumes/{vid}"), 60, "the volume in the rebooted guest")
    print(f"acknowledged before the kill: up to {max(acknowledged)}; on the volume after: {held.strip()}")
    assert int(held.split()[1]) >= max(acknowledged)
    lab.json("ec2", "terminate-instances", "--instance-ids", writer, survivor)
    wait_until(lambda: not qemus(lab), 60, "the terminated VMs' QEMUs to go")

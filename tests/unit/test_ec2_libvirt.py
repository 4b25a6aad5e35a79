"""The libvirt backend against the real libvirtd and QEMU, with no region: paravirtual and hvm VMs boot
the images of deploy/images/vm.sh and answer on their AZ address; EBS volumes reach the guest, keep
their data and hold their IOPS; evicting an AZ leaves no QEMU of it. What every backend promises
(idempotent start, user data and metadata, a loopback VM's forwarded ports, stop and destroy) is
tests/unit/test_ec2_backend.py's contract.

Under netns the AZs are a small copy of the region's network (switch namespaces with a bridge each, a
router namespace between them, a client host in the second AZ) with no route in this namespace, so a
running region's routes are never touched. Skips, saying why, without root, libvirt or the images (conftest.py).
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

from azlab.common.network import NetnsNetwork
from azlab.nodes.ec2 import libvirt as vm
from azlab.common.ec2.compute import InstanceConfig, InstanceSpec, VolumeSpec

from .backends import HereAgents

pytestmark = pytest.mark.libvirt

AZS = ("lab-1a", "lab-1b")
BOOT_S = 120.0  # TCG on two busy cores; a boot takes a few seconds when idle

# The guest's user data: serve a page, then watch the virtio disks by serial (the volume id): a volume
# seen for the first time has its first bytes printed, or a line written to it when it is blank; a
# `vol-iops*` one is read with direct I/O (IOPS_READS 4 KiB reads) and its rate printed.
IOPS, IOPS_READS = 100, 400
USER_DATA = r"""#!/bin/sh
echo "user data says hello from $(cat /sys/class/net/eth0/address)"
mkdir -p /www && echo "served by $(hostname)" > /www/index.html && httpd -p 8080 -h /www
while :; do
  for s in /sys/block/vd*/serial; do
    [ -e "$s" ] || continue
    dev=/dev/$(basename $(dirname $s)); vol=$(cat $s); vol=${vol:+vol-${vol#vol}}  # vol0abc: vol-0abc
    [ -n "$vol" ] || continue  # the config drive
    [ -e /tmp/seen-$vol ] && continue
    touch /tmp/seen-$vol
    case $vol in
      vol-iops*)
        t0=$(cut -d' ' -f1 /proc/uptime)
        dd if=$dev of=/dev/null bs=4096 count=%(reads)d iflag=direct 2>/dev/null
        t1=$(cut -d' ' -f1 /proc/uptime)
        echo "iops $vol: $(awk "BEGIN{printf \"%%d\", %(reads)d/($t1-$t0)}") ops/s" ;;
      *)
        held=$(dd if=$dev bs=64 count=1 2>/dev/null | tr -d '\000')
        if [ -n "$held" ]; then echo "volume $vol holds: $held"
        else echo "written on $vol by the guest" | dd of=$dev conv=fsync 2>/dev/null; echo "volume $vol written"; fi ;;
    esac
  done
  for f in /tmp/seen-*; do
    [ -e "$f" ] || continue
    v=${f#/tmp/seen-}; grep -qs "vol${v#vol-}" /sys/block/vd*/serial || { rm -f "$f"; echo "volume ${f#/tmp/seen-} gone"; }
  done
  sleep 0.2
done
""" % {"reads": IOPS_READS}


class MiniAzs:
    """Two AZ switches (bridge br0 each, as the region's), a router namespace between them on each AZ's
    gateway address, and a client host in the second AZ; no route in this namespace."""

    def __init__(self, region_id: str):
        self.network = NetnsNetwork(region_id, len(AZS), 1)
        self.router = self.network.router
        self.client = self.network.host_ns(2, 0)

    def ip(self, *args: str, ns: str | None = None) -> None:
        subprocess.run((["ip", "netns", "exec", ns] if ns else []) + list(args), check=True, capture_output=True)

    def setup(self) -> None:
        for ns in (self.router, self.client, *(self.network.switch(i) for i in (1, 2))):
            self.ip("ip", "netns", "add", ns)
            self.ip("ip", "link", "set", "lo", "up", ns=ns)
        self.ip("sysctl", "-qw", "net.ipv4.ip_forward=1", ns=self.router)
        for i in (1, 2):
            switch = self.network.switch(i)
            self.ip("ip", "link", "add", "br0", "type", "bridge", ns=switch)
            self.ip("ip", "link", "set", "br0", "up", ns=switch)
            self.ip("ip", "link", "add", f"az{i}", "netns", self.router, "type", "veth", "peer", "name", "rt", ns=switch)
            self.ip("ip", "link", "set", "rt", "master", "br0", "up", ns=switch)
            self.ip("ip", "addr", "add", f"{self.network.gateway(i)}/16", "dev", f"az{i}", ns=self.router)
            self.ip("ip", "link", "set", f"az{i}", "up", ns=self.router)
        switch = self.network.switch(2)
        self.ip("ip", "link", "add", "h0", "type", "veth", "peer", "name", "eth0", "netns", self.client, ns=switch)
        self.ip("ip", "link", "set", "h0", "master", "br0", "up", ns=switch)
        self.ip("ip", "addr", "add", f"{self.network.host_address(2, 0)}/16", "dev", "eth0", ns=self.client)
        self.ip("ip", "link", "set", "eth0", "up", ns=self.client)
        self.ip("ip", "route", "add", "default", "via", self.network.gateway(2), ns=self.client)

    def teardown(self) -> None:
        for ns in (self.client, self.router, *(self.network.switch(i) for i in (1, 2))):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)

    def fetch_from_client(self, address: str, port: int = 8080) -> str:
        """The page the guest's user data serves, fetched from the client host in the other AZ; "" on failure."""
        fetch = f"import urllib.request; print(urllib.request.urlopen('http://{address}:{port}/', timeout=3).read().decode())"
        done = subprocess.run(["ip", "netns", "exec", self.client, sys.executable, "-c", fetch], capture_output=True, text=True)
        return done.stdout if done.returncode == 0 else ""


@pytest.fixture(scope="module")
def netns_backend(vm_images, tmp_path_factory):
    if reason := NetnsNetwork.available():
        pytest.skip(reason)
    region_id = f"v{os.getpid() % 100000}"
    azs = MiniAzs(region_id)
    azs.setup()
    home = tmp_path_factory.mktemp("libvirt-home")
    (home / "images").symlink_to(vm_images)
    backend = vm.LibvirtBackend(HereAgents(), home, azs.network, AZS, region_id)
    try:
        yield backend, azs
    finally:
        for az in AZS:
            asyncio.run(backend.evict(az))
        azs.teardown()


def new_spec(backend: vm.LibvirtBackend, kind: str, az: str, private_ip: str, user_data: str = USER_DATA,
             root: VolumeSpec | None = None) -> InstanceSpec:
    instance_id = "i-0" + uuid.uuid4().hex[:16]
    paravirtual = kind == "pv"
    return InstanceSpec(
        instance_id=instance_id, image_id=f"ami-lab-{kind}", instance_type="m3.medium", host=f"{az}/node-0", az=az,
        private_ip=private_ip, vcpus=1, memory_mib=3840, user_data=base64.b64encode(user_data.encode()).decode(),
        metadata={"local-hostname": f"ip-{private_ip.replace('.', '-')}", "region": "lab-1"},
        virtualization_type="paravirtual" if paravirtual else "hvm",
        image_location="lab-pv" if paravirtual else "lab-hvm/disk.img",
        kernel_location="lab-pv/vmlinuz" if paravirtual else "", ramdisk_location="lab-pv/initrd.img" if paravirtual else "",
        root_volume=root)


def volume(home: Path, volume_id: str, iops: int = 100, burst_iops: int = 100, size_mib: int = 64) -> VolumeSpec:
    path = home / "volumes" / f"{volume_id}.img"
    path.parent.mkdir(exist_ok=True)
    with path.open("wb") as f:
        f.truncate(size_mib * 1024 * 1024)
    return VolumeSpec(volume_id, str(path), 1, "/dev/xvdf", "io1", iops, burst_iops)


def wait_console(backend, spec, pattern: str, timeout_s: float = BOOT_S) -> re.Match:
    deadline = time.monotonic() + timeout_s
    while True:
        console = asyncio.run(backend.console_output(spec))
        if match := re.search(pattern, console):
            return match
        if time.monotonic() > deadline:
            raise AssertionError(f"no {pattern!r} on {spec.instance_id}'s console within {timeout_s:.0f} s:\n{console[-3000:]}")
        time.sleep(0.2)


def qemu_of(backend: vm.LibvirtBackend, spec: InstanceSpec) -> list[psutil.Process]:
    name = f"guest={backend.domain_name(spec.instance_id)}"
    return [p for p in psutil.process_iter(["cmdline"]) if any(name in arg for arg in p.info["cmdline"] or ())]


def test_paravirtual_vm_answers_on_its_az_address_and_takes_volumes(netns_backend):
    backend, azs = netns_backend
    spec = new_spec(backend, "pv", "lab-1a", "10.11.1.5")
    asyncio.run(backend.start(spec, InstanceConfig()))
    wait_console(backend, spec, "user data says hello")
    seen = asyncio.run(backend.describe(spec.host))[spec.instance_id]
    print("limits:", seen.limits["detail"])
    assert "512 MiB" in seen.limits["detail"]
    # from another AZ's host, through the router
    deadline = time.monotonic() + 30
    while "served by ip-10-11-1-5" not in azs.fetch_from_client(spec.private_ip):
        assert time.monotonic() < deadline, "the paravirtual VM never answered on its AZ address"
    assert "virtio" in asyncio.run(backend.console_output(spec))  # its disks and NIC

    # An EBS volume: written by the guest, detached, attached again and still holding it.
    data = volume(backend.home, "vol-0data")
    asyncio.run(backend.attach_volume(spec, data))
    asyncio.run(backend.attach_volume(spec, data))  # idempotent
    wait_console(backend, spec, "volume vol-0data written", 30)
    asyncio.run(backend.detach_volume(spec, data))
    wait_console(backend, spec, "volume vol-0data gone", 30)
    assert Path(data.path).read_bytes()[:29] == b"written on vol-0data by the g"
    asyncio.run(backend.attach_volume(spec, data))
    wait_console(backend, spec, "volume vol-0data holds: written on vol-0data by the guest", 30)
    asyncio.run(backend.detach_volume(spec, data))
    asyncio.run(backend.detach_volume(spec, data))  # succeeds when not attached

    # A provisioned-IOPS volume, measured from inside with direct reads of 4 KiB.
    fast = volume(backend.home, "vol-iops1", iops=IOPS, burst_iops=IOPS)
    asyncio.run(backend.attach_volume(spec, fast))
    rate = int(wait_console(backend, spec, r"iops vol-iops1: (\d+) ops/s", 60).group(1))
    print(f"provisioned {IOPS} IOPS, measured in the guest: {rate} ops/s")
    assert 0.5 * IOPS <= rate <= 1.3 * IOPS

    asyncio.run(backend.destroy(spec))


def test_hvm_vm_boots_its_own_disk_and_evict_leaves_no_qemu_of_its_az(netns_backend):
    backend, azs = netns_backend
    root = backend.home / "volumes" / "vol-0root.img"
    root.parent.mkdir(exist_ok=True)
    shutil.copyfile(backend.images / "lab-hvm" / "disk.img", root)
    hvm = new_spec(backend, "hvm", "lab-1a", "10.11.1.6",
                   root=VolumeSpec("vol-0root", str(root), 1, "/dev/xvda", "gp2", 100, 3000))
    other = new_spec(backend, "pv", "lab-1b", "10.12.1.7", user_data="#!/bin/sh\necho other AZ up\n")
    asyncio.run(backend.start(hvm, InstanceConfig()))
    asyncio.run(backend.start(other, InstanceConfig()))
    wait_console(backend, hvm, "user data says hello")
    console = asyncio.run(backend.console_output(hvm))
    assert "SYSLINUX" in console or "syslinux" in console.lower() or "e1000" in console, console[-2000:]
    assert "e1000" in console  # emulated NIC
    deadline = time.monotonic() + 30
    while "served by ip-10-11-1-6" not in azs.fetch_from_client(hvm.private_ip):
        assert time.monotonic() < deadline, "the hvm VM never answered on its AZ address"
    wait_console(backend, other, "other AZ up")
    assert qemu_of(backend, hvm) and qemu_of(backend, other)

    asyncio.run(backend.evict("lab-1a"))
    assert not qemu_of(backend, hvm)
    assert not asyncio.run(backend.describe(hvm.host))
    assert qemu_of(backend, other)  # another AZ's VM runs on
    asyncio.run(backend.evict("lab-1a"))  # succeeds when there are none
    asyncio.run(backend.destroy(other))
    assert not qemu_of(backend, other)

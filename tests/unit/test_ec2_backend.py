"""The compute-backend contract (common/ec2/compute.py), run against every backend: fake, process, docker
and libvirt, without Ray; their node agents are stood in for by `HereAgents` (tests/unit/backends.py).

One instance per backend lives through the module, in the order of its tests (a VM's boot under TCG
takes a minute, so libvirt boots once for the whole contract): a start that cannot boot fails with the
reason; a second start is a no-op and it boots once; its user data runs, its output on the console; it
reads its metadata from inside; a port its security groups open answers on its address; a new config
reaches it while it runs; stop keeps its files and console, destroy removes them and succeeds when it
is already gone. Docker and libvirt skip, saying why, where their daemon or images are missing (the
fixtures in conftest.py), and are marked `docker` and `libvirt`: they take the machine, so run them
under /tmp/azlab-machine.lock, or leave them out with -m 'not docker and not libvirt'. A backend that
keeps fewer promises says so in its own docstring, and its case skips with that reason.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from azlab.common.network import LoopbackNetwork
from azlab.common.ec2.compute import ComputeBackend, InstanceConfig, InstanceSpec, LaunchFailed
from azlab.nodes.ec2.fake import FakeBackend
from azlab.nodes.ec2.process import ProcessBackend

from .backends import HereAgents

AZS = ("lab-1a", "lab-1b")
INSTANCE = "i-0c0117ac7000000001"
UNBOOTABLE = "i-0c0117ac7000000002"
KEY = "ssh-ed25519 AAAAC3Nz me"
# The same boot script on every backend: it says hello, serves a page on port 8080 of its own address
# (AZLAB_PRIVATE_IP where the instance shares the host's network; a VM's guest holds its own), then reads
# its metadata as an instance does, through AWS_EC2_METADATA_SERVICE_ENDPOINT (set by every backend that
# serves metadata), and prints it. (wget without -T: busybox 1.35's answers nothing with it, or crashes.)
USER_DATA = """#!/bin/sh
echo "user data says hello"
mkdir -p www && echo "served" > www/index.html && busybox httpd -p "${AZLAB_PRIVATE_IP:-0.0.0.0}:8080" -h www
if [ -n "$AWS_EC2_METADATA_SERVICE_ENDPOINT" ]; then
  for path in instance-id public-keys/0/openssh-key; do
    echo "metadata $path: $(wget -q -O - "${AWS_EC2_METADATA_SERVICE_ENDPOINT}latest/meta-data/$path")"
  done
fi
"""
WEB = InstanceConfig(firewall={"ingress": [{"protocol": "tcp", "from_port": 8080, "to_port": 8080,
                                             "sources": ["0.0.0.0/0"]}]})
NEW_CONFIG = InstanceConfig(public_ip="10.200.0.9", spot_action={"action": "terminate", "time": "2026-01-01T00:00:00Z"})


@dataclass
class Harness:
    """A backend under the contract, and what differs in how a test sees it (each says why)."""

    backend: ComputeBackend
    spec: InstanceSpec
    boot_s: float                   # how long its first boot may take
    boot_line: str                  # what its console shows once per boot
    files: Path | None              # where its files live on the host, when they are files
    live_metadata: Callable[[str], str | None] | None  # the instance's metadata service, read from outside while it runs
    not_live: str = ""              # why there is none
    runs_user_data: str = ""        # "" when it does; else why not
    unbootable: Callable[[InstanceSpec], InstanceSpec] | None = None  # a spec it cannot boot: its image missing
    always_boots: str = ""          # why there is none
    closes_ports: bool = False      # a port its security groups do not open refuses connections


def instance_spec(image_id: str, private_ip: str, **boot) -> InstanceSpec:
    return InstanceSpec(
        instance_id=INSTANCE, image_id=image_id, instance_type="t1.micro", host="lab-1a/node-0", az="lab-1a",
        private_ip=private_ip, vcpus=1, memory_mib=628, user_data=base64.b64encode(USER_DATA.encode()).decode(),
        public_keys={"me": KEY},
        metadata={"instance-id": INSTANCE, "ami-id": image_id, "instance-type": "t1.micro", "ami-launch-index": 0,
                  "reservation-id": "r-1", "availability-zone": "lab-1a", "region": "lab-1",
                  "security-groups": ["default"], "local-hostname": f"ip-{private_ip.replace('.', '-')}"},
        **boot)


def http_metadata(backend: ComputeBackend, spec: InstanceSpec) -> Callable[[str], str | None]:
    """The process backend's metadata service answers on the instance's own loopback address, so the test
    reads from outside what the instance reads from inside."""
    def read(path: str) -> str | None:
        try:
            with urllib.request.urlopen(f"{backend.metadata_endpoint(spec)}latest/meta-data/{path}", timeout=2) as answer:
                return answer.read().decode()
        except OSError:
            return None
    return read


@pytest.fixture(scope="module", params=["fake", "process", pytest.param("docker", marks=pytest.mark.docker),
                                        pytest.param("libvirt", marks=pytest.mark.libvirt)])
def harness(request, tmp_path_factory):
    home = tmp_path_factory.mktemp(f"contract-{request.param}")
    region_id = f"c{request.param[:3]}{home.name[-3:]}"
    agents = HereAgents(home)
    if request.param == "fake":
        backend = FakeBackend(agents)
        spec = instance_spec("ami-lab-minimal", "127.11.1.76")
        # The fake runs nothing: its instances boot at once, and `metadata` is the tree it would serve.
        def unbootable(spec: InstanceSpec) -> InstanceSpec:
            backend.unbootable[UNBOOTABLE] = LaunchFailed("Server.InternalError", f"{spec.image_id}: its files are missing")
            return dataclasses.replace(spec, instance_id=UNBOOTABLE)

        yield Harness(backend, spec, 0.0, "azlab-fake: booting", None,
                      lambda path: backend.metadata(INSTANCE).get(path),
                      runs_user_data="the fake backend runs no user data (nodes/ec2/fake.py)", unbootable=unbootable)
    elif request.param == "process":
        backend = ProcessBackend(agents, home, LoopbackNetwork(), AZS, region_id)
        spec = instance_spec("ami-lab-minimal", "127.11.1.77")
        yield Harness(backend, spec, 20.0, "user data started", backend.instance_dir(INSTANCE),
                      http_metadata(backend, spec),
                      always_boots="the process backend boots the host's own userland: no image files to miss")
        run(agents.stop_all())
    elif request.param == "docker":
        from azlab.nodes.ec2 import docker

        docker_home = request.getfixturevalue("docker_home")
        backend = docker.DockerBackend(agents, docker_home, LoopbackNetwork(), AZS, region_id)
        spec = instance_spec("ami-lab-docker", "127.11.1.78", image_location=docker.IMAGE)
        # A container's files are its own (docker keeps a stopped one's root), not files of the host.
        yield Harness(backend, spec, 20.0, "user data started", None, None,
                      not_live="the docker backend serves no metadata (nodes/ec2/docker.py's limitations)",
                      unbootable=lambda spec: dataclasses.replace(spec, instance_id=UNBOOTABLE,
                                                                  image_location="azlab/nothing:0"))
        docker.remove_region(region_id, docker_home)
    else:
        from azlab.nodes.ec2 import libvirt as vm

        (home / "images").symlink_to(request.getfixturevalue("vm_images"))
        backend = vm.LibvirtBackend(agents, home, LoopbackNetwork(), AZS, region_id)
        spec = instance_spec("ami-lab-pv", "127.11.1.79", virtualization_type="paravirtual", image_location="lab-pv",
                             kernel_location="lab-pv/vmlinuz", ramdisk_location="lab-pv/initrd.img")
        # TCG on two busy cores: a boot takes a minute. The guest serves its metadata only to itself, from
        # its config drive, written at boot.
        # Under loopback QEMU's user-mode network forwards to the guest only the ports its groups open.
        yield Harness(backend, spec, 180.0, "user data started", backend.instance_dir(INSTANCE), None,
                      not_live="the libvirt backend's metadata is static per boot (nodes/ec2/libvirt.py's limitations)",
                      closes_ports=True,
                      unbootable=lambda spec: dataclasses.replace(spec, instance_id=UNBOOTABLE,
                                                                  kernel_location="lab-pv/no-such-vmlinuz"))
        run(backend.evict("lab-1a"))


# One event loop for the module: the process backend's supervisor keeps its children's transports on it.
LOOP = asyncio.new_event_loop()


@pytest.fixture(scope="module", autouse=True)
def _close_loop():
    yield
    LOOP.close()


def run(coroutine):
    return LOOP.run_until_complete(coroutine)


def console(harness: Harness) -> str:
    return run(harness.backend.console_output(harness.spec))


def wait(predicate, what: str, timeout_s: float, harness: Harness | None = None):
    deadline = time.monotonic() + timeout_s
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}" + (f"; console:\n{console(harness)[-2000:]}" if harness else ""))
        time.sleep(0.1)
    return value


@pytest.fixture(scope="module")
def booted(harness: Harness) -> Harness:
    """The module's one instance, started twice (the second start a no-op) and booted."""
    run(harness.backend.start(harness.spec, InstanceConfig()))
    run(harness.backend.start(harness.spec, InstanceConfig()))
    wait(lambda: harness.boot_line in console(harness), "its boot", harness.boot_s + 1, harness)
    return harness


def described(harness: Harness):
    return run(harness.backend.describe(harness.spec.host)).get(harness.spec.instance_id)


def test_a_start_that_cannot_boot_raises_launch_failed_with_the_reason_and_leaves_nothing(harness):
    if harness.unbootable is None:
        pytest.skip(harness.always_boots)
    spec = harness.unbootable(harness.spec)
    with pytest.raises(LaunchFailed) as failed:
        run(harness.backend.start(spec, InstanceConfig()))
    assert failed.value.code == "Server.InternalError" and spec.image_id in failed.value.message
    assert spec.instance_id not in run(harness.backend.describe(spec.host))


def test_a_second_start_is_a_no_op_and_the_instance_boots_once(booted):
    seen = wait(lambda: (s := described(booted)) and s.booted and s, "describe to say it booted", 20, booted)
    assert seen.running and set(seen.limits) == {"enforced", "detail"}
    run(booted.backend.start(booted.spec, InstanceConfig()))  # while it runs
    assert console(booted).count(booted.boot_line) == 1
    assert list(run(booted.backend.describe(booted.spec.host))) == [booted.spec.instance_id]


def test_its_user_data_runs_with_its_output_on_the_console(booted):
    if booted.runs_user_data:
        pytest.skip(booted.runs_user_data)
    wait(lambda: "user data says hello" in console(booted), "the user data's output", 30, booted)


def test_it_reads_its_metadata_from_inside(booted):
    if booted.runs_user_data:
        pytest.skip(booted.runs_user_data)
    if not booted.backend.metadata_endpoint(booted.spec):
        pytest.skip(booted.not_live)
    wait(lambda: "metadata public-keys" in console(booted), "the user data to read its metadata", 30, booted)
    lines = console(booted).splitlines()  # a serial console ends its lines with \r\n
    assert f"metadata instance-id: {INSTANCE}" in lines and f"metadata public-keys/0/openssh-key: {KEY}" in lines


def page(address: str) -> str | None:
    try:
        with urllib.request.urlopen(f"http://{address}:8080/", timeout=2) as answer:
            return answer.read().decode()
    except OSError:
        return None


def test_a_port_its_security_groups_open_answers_on_its_private_address(booted):
    """Opened while it runs; closed again where the backend stands between the port and its clients (process
    and docker instances under loopback bind the host's network themselves: nothing closes a port there)."""
    if booted.runs_user_data:
        pytest.skip(booted.runs_user_data)
    run(booted.backend.configure(booted.spec, WEB))
    assert wait(lambda: page(booted.spec.private_ip), "the page on the opened port", 30, booted) == "served\n"
    run(booted.backend.configure(booted.spec, InstanceConfig()))
    if booted.closes_ports:
        assert page(booted.spec.private_ip) is None


def test_a_new_config_reaches_it_while_it_runs(booted):
    run(booted.backend.configure(booted.spec, NEW_CONFIG))
    assert described(booted).running
    if booted.live_metadata is None:
        pytest.skip(booted.not_live)
    wait(lambda: booted.live_metadata("public-ipv4") == NEW_CONFIG.public_ip, "the new public address", 5, booted)
    assert json.loads(booted.live_metadata("spot/instance-action"))["action"] == "terminate"


def test_stop_keeps_its_files_and_destroy_removes_them_and_succeeds_when_it_is_gone(booted):
    backend, spec = booted.backend, booted.spec
    run(backend.stop(spec))
    run(backend.stop(spec))  # succeeds when it is not running
    # Not running: described so (process, docker, fake) or not at all (libvirt: a stopped VM is no domain).
    assert not getattr(described(booted), "running", False)
    assert booted.boot_line in console(booted)  # its console is kept with its files
    assert booted.files is None or booted.files.exists()
    run(backend.destroy(spec))
    run(backend.destroy(spec))  # already gone: still fine
    # Gone, or (process) its agent's record of an exited child, which the service reads as not running.
    assert not getattr(described(booted), "running", False) and console(booted) == ""
    assert booted.files is None or not booted.files.exists()


def test_a_process_instance_holds_its_key_pair_and_stop_reaches_processes_that_left_its_group(tmp_path):
    """The process backend's own promises: an instance is a process tree on the host, so these are its to keep
    (a container or a VM stops as a whole)."""
    agents = HereAgents(tmp_path)
    backend = ProcessBackend(agents, tmp_path, LoopbackNetwork(), AZS, f"p{tmp_path.name[-6:]}")
    spec = dataclasses.replace(instance_spec("ami-lab-minimal", "127.11.1.80"), user_data=base64.b64encode(
        b"#!/bin/sh\nsetsid sleep 300 &\necho $! > daemon.pid\nexec sleep 300\n").decode())
    root = backend.instance_dir(spec.instance_id) / "root"
    try:
        run(backend.start(spec, InstanceConfig()))
        daemon = int(wait(lambda: (root / "daemon.pid").exists() and (root / "daemon.pid").read_text().strip(),
                          "the daemon's pid", 20))
        assert (root / ".ssh" / "authorized_keys").read_text() == f"{KEY} me\n"
        run(backend.stop(spec))
        assert not Path(f"/proc/{daemon}").exists() or "Z" in Path(f"/proc/{daemon}/stat").read_text().split(")")[1][:3]
    finally:
        run(agents.stop_all())

"""The multi-machine lab, deployed by deploy/ alone onto four network-namespace
hosts (a region and three AZs on one bridge), with chaos acting on machines."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from azlab.common.network import NetnsNetwork

from .conftest import Lab, Prober, can_echo, wait_until

pytestmark = [
    pytest.mark.region,
    pytest.mark.skipif(NetnsNetwork.available() is not None, reason=f"machine hosts: {NetnsNetwork.available()}"),
]
ROOT = Path(__file__).resolve().parents[2]
AZS = ["lab-1a", "lab-1b", "lab-1c"]
HOST_NUMBERS = {"region": 10, "lab-1a": 11, "lab-1b": 12, "lab-1c": 13}


def sh(*cmd: str, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{' '.join(cmd)}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done


class Machines:
    """Four hosts with their own addresses on a shared bridge: the shape of `vagrant up`."""

    def __init__(self, tmp: Path):
        self.id = str(os.getpid() % 10000)
        self.tmp = tmp
        self.bridge = f"azvl{self.id}"
        self.shared = tmp / "shared"
        self.prefix = tmp / "opt-azlab"
        sh("ip", "link", "add", self.bridge, "type", "bridge")
        sh("ip", "addr", "add", "10.99.0.1/24", "dev", self.bridge)
        sh("ip", "link", "set", self.bridge, "up")
        for name, number in HOST_NUMBERS.items():
            ns, veth = self.ns(name), f"vl{self.id}h{number}"
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
            sh("ip", "link", "set", veth, "master", self.bridge, "up")
            sh("ip", "netns", "exec", ns, "ip", "addr", "add", f"{self.address(name)}/24", "dev", "eth0")
            sh("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up")
            sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
            sh("ip", "netns", "exec", ns, "ip", "route", "add", "default", "via", "10.99.0.1")

    def ns(self, name: str) -> str:
        return f"azlab-vl{self.id}-{name}"

    def address(self, name: str) -> str:
        return f"10.99.0.{HOST_NUMBERS[name]}"

    def on(self, name: str) -> list[str]:
        return ["ip", "netns", "exec", self.ns(name)]

    def state(self, name: str) -> Path:
        return self.tmp / f"state-{name}"

    def provision(self, name: str) -> None:
        """What the Vagrantfile runs on each VM, here on each host."""
        env = {
            **os.environ, "AZLAB_ADDRESS": self.address(name), "AZLAB_REGION_ADDRESS": self.address("region"),
            "AZLAB_SHARED": str(self.shared), "AZLAB_PREFIX": str(self.prefix), "AZLAB_STATE": str(self.state(name)),
            "AZLAB_SYSTEMD": "0", "AZLAB_AZ_COUNT": str(len(AZS)),
        }
        role = ["region"] if name == "region" else ["az"]
        if name != "region":
            env["AZLAB_AZ"] = name
        sh(*self.on(name), "bash", str(ROOT / "deploy" / "lab.sh"), *role, env=env, timeout=600)

    def pids(self, name: str) -> set[int]:
        out = subprocess.run(["ip", "netns", "pids", self.ns(name)], capture_output=True, text=True).stdout
        return {int(p) for p in out.split()}

    def raylets(self, name: str) -> set[int]:
        return {pid for pid in self.pids(name) if describe(pid).split(" ")[0].endswith("/raylet")}

    def agent_pid(self, name: str) -> int:
        return int((self.state(name) / "machine-agent.pid").read_text())

    def tear_down(self) -> None:
        for _ in range(3):  # a killed parent's children may land a moment later
            for name in HOST_NUMBERS:
                for pid in self.pids(name):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            time.sleep(0.5)
        for name in HOST_NUMBERS:
            subprocess.run(["ip", "netns", "del", self.ns(name)], capture_output=True)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)


PROBE = """
import socket, sys
try:
    socket.create_connection((sys.argv[1], 9), timeout=1)
    print("open")
except ConnectionRefusedError:
    print("refused")
except OSError:
    print("dropped")
"""


def describe(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")[:200]
    except OSError:
        return "(gone)"


def probe_port(machines: Machines, source: str, address: str) -> str:
    """How a closed port of `address` answers from host `source`: refused (reachable) or dropped (cut off)."""
    return sh(*machines.on(source), sys.executable, "-c", PROBE, address).stdout.strip()


@pytest.fixture(scope="module")
def machines(tmp_path_factory):
    lab = Machines(tmp_path_factory.mktemp("machines"))
    try:
        sh("bash", str(ROOT / "deploy" / "install.sh"), env={**os.environ, "AZLAB_PREFIX": str(lab.prefix),
                                                             "AZLAB_LINK_BIN": "0"}, timeout=900)
        for name in HOST_NUMBERS:  # the region first, as `vagrant up` provisions it
            lab.provision(name)
        yield lab
    finally:
        lab.tear_down()


@pytest.fixture(scope="module")
def region(machines):
    home = machines.state("region") / "home"
    wait_until(lambda: (home / "state.db").exists() and "Endpoint" in (machines.state("region") / "region.log").read_text(),
               300, "the region controller to adopt the lab's Ray cluster")
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(machines.shared / "ray-auth-token")}
    return Lab(home, "host", extra_env=auth, driver_prefix=machines.on("region"))


def test_provisioning_again_changes_nothing_that_runs(machines):
    def running():
        return {name: (machines.agent_pid(name), machines.raylets(name)) for name in HOST_NUMBERS}

    before = running()
    assert all(len(raylets) == 1 for _, raylets in before.values())
    for name in HOST_NUMBERS:
        machines.provision(name)
    assert running() == before


def test_status_from_the_host_sees_three_azs_on_three_addresses(machines, region):
    status = region.json("status")
    assert status["Region"]["Isolation"] == "host"
    assert status["Region"]["Endpoints"]["Grpc"].startswith(machines.address("region") + ":")
    zones = {z["ZoneName"]: z for z in status["AvailabilityZones"]}
    assert sorted(zones) == AZS
    for az in AZS:
        assert zones[az]["State"] == "available"
        assert [n["Address"] for n in zones[az]["Nodes"]] == [machines.address(az)]


def test_kill_az_kills_the_machine_and_restore_brings_it_back(machines, region):
    echoes = {az: region.start_echo(f"{az}/node-0")["address"] for az in AZS}
    agent = machines.agent_pid("lab-1b")
    assert len(machines.pids("lab-1b")) > 3

    with Prober(echoes) as load:
        time.sleep(1.0)
        killed_at = time.time()
        region.json("chaos", "kill-az", "lab-1b")
        wait_until(lambda: region.zones()["lab-1b"]["State"] == "unavailable", 30, "lab-1b reported down")
        time.sleep(1.0)

    left = {pid: describe(pid) for pid in machines.pids("lab-1b") - {agent}}
    assert left == {}  # only the out-of-band machine agent is left
    for az in ("lab-1a", "lab-1c"):
        assert load.failures(az) == 0 and load.successes(az, after=killed_at) > 0
    assert not can_echo(echoes["lab-1b"])
    assert probe_port(machines, "lab-1a", machines.address("lab-1b")) == "dropped"  # its network is cut too
    assert probe_port(machines, "lab-1a", machines.address("lab-1c")) == "refused"  # where it is not, a closed port answers

    region.json("chaos", "restore-az", "lab-1b")
    assert region.zones()["lab-1b"]["State"] == "available"
    assert can_echo(region.start_echo("lab-1b/node-0")["address"])


def test_partition_cuts_the_machine_off_and_keeps_its_processes(machines, region):
    address = region.start_echo("lab-1c/node-0")["address"]
    before = machines.pids("lab-1c")
    region.json("chaos", "partition-az", "lab-1c")
    wait_until(lambda: region.zones()["lab-1c"]["State"] == "unavailable", 30, "lab-1c reported down")
    assert machines.pids("lab-1c") == before
    assert not can_echo(address)
    region.json("chaos", "restore-az", "lab-1c")
    assert region.zones()["lab-1c"]["State"] == "available" and can_echo(address)


def test_down_removes_the_region_and_leaves_the_machines_running(machines, region):
    sh(*machines.on("region"), str(Path(sys.executable).with_name("azlab")), "down", env=region.env, timeout=300)
    for name in HOST_NUMBERS:
        assert machines.pids(name)  # Ray and the machine agents stay: they are the machines' own

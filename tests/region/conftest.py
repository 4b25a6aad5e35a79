"""A real region per test module, brought up and down with the `azlab` CLI as a user would."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
from azlab.common import processes
from azlab.cluster.config import Paths
from azlab.common.network import NetnsNetwork
from azlab.cluster.sdk import ApiError, Client
from azlab.nodes.ec2 import process as process_backend
from azlab.region.v1 import region_pb2

HERE = Path(__file__).resolve().parent
AZLAB = str(Path(sys.executable).with_name("azlab"))
ECHO_PORT = 7000


def wait_until(predicate, timeout_s: float, what: str, interval_s: float = 0.1):
    """Poll until `predicate()` is truthy; bounded, and says what it waited for."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}")
        time.sleep(interval_s)


@dataclass
class Lab:
    home: Path
    isolation: str
    client: Client | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    driver_prefix: list[str] = field(default_factory=list)  # where a Ray driver must run, e.g. on the region host

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "AZLAB_ENDPOINT"}
        return {**env, **self.extra_env, "AZLAB_HOME": str(self.home)}

    @property
    def paths(self) -> Paths:
        return Paths(self.home)

    def azlab(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([AZLAB, *args], env=self.env, capture_output=True, text=True, timeout=timeout)

    def json(self, *args: str) -> dict:
        done = self.azlab("-o", "json", *args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def agent(self, node: str, method: str, **kwargs):
        done = subprocess.run(
            [*self.driver_prefix, sys.executable, str(HERE / "driver.py"), node, method, json.dumps(kwargs)],
            env=self.env, capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        [result] = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        return json.loads(result.removeprefix("RESULT "))

    def zones(self) -> dict[str, dict]:
        return {z["ZoneName"]: z for z in self.json("status")["AvailabilityZones"]}

    def tagged(self, az: str | None = None) -> list[int]:
        prefix = processes.az_prefix(self.paths.region_id, az) if az else processes.region_prefix(self.paths.region_id)
        return processes.tagged(prefix)

    def start_echo(self, node: str, orphan: Path | None = None) -> dict:
        address = self.zone_of(node)["Address"]
        argv = [sys.executable, str(HERE / "echo_server.py"), address, str(ECHO_PORT)]
        if orphan:
            argv += ["--orphan", str(orphan)]
        info = self.agent(node, "start_process", name="echo", argv=argv)
        wait_until(lambda: can_echo(address), 20, f"echo server on {node}")
        return {**info, "address": address}

    def controller_pid(self, missing_ok: bool = False) -> int | None:
        for pid in self.tagged():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if f.read().startswith(b"ray::RegionController"):
                        return pid
            except OSError:
                continue
        assert missing_ok, "no controller process"
        return None

    def kill_controller(self) -> int:
        """SIGKILL the region controller, as a crash would; its pid, for `controller_restarted`."""
        pid = self.controller_pid()
        os.kill(pid, signal.SIGKILL)
        return pid

    def controller_restarted(self, killed: int) -> None:
        """Wait until Ray has restarted the killed controller and it serves again."""
        wait_until(lambda: self.controller_pid(missing_ok=True) not in (None, killed), 60, "Ray to restart the controller")
        wait_until(self.serving, 60, "the restarted controller to serve")

    def serving(self) -> bool:
        """Whether the region's controller answers (it may be restarting)."""
        try:
            self.client.region.DescribeRegion(region_pb2.DescribeRegionRequest(), timeout=2)
            return True
        except ApiError:
            return False

    def zone_of(self, node: str) -> dict:
        zone = self.zones()[node.split("/")[0]]
        return next(n for n in zone["Nodes"] if n["NodeName"] == node)


def with_descendants(pids) -> set[int]:
    """The live processes and every live descendant, by psutil: independent of azlab's own tag scan."""
    found = set(pids)
    for pid in pids:
        try:
            found |= {child.pid for child in psutil.Process(pid).children(recursive=True)}
        except psutil.NoSuchProcess:
            pass
    return {pid for pid in found if not gone(pid)}


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def can_echo(address: str, port: int = ECHO_PORT, timeout: float = 0.5, prefix: list[str] | None = None) -> bool:
    """One round trip to an echo server, from this process or from a host namespace."""
    if prefix:
        code = (
            "import socket, sys; s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1); "
            "s.sendall(b'ping'); sys.exit(0 if s.recv(4) == b'ping' else 1)"
        )
        return subprocess.run([*prefix, sys.executable, "-c", code, address, str(port)], capture_output=True).returncode == 0
    try:
        with socket.create_connection((address, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"ping")
            return s.recv(4) == b"ping"
    except OSError:
        return False


@dataclass
class Prober:
    """Client load: round trips to every AZ's echo server, bounded in count and time."""

    targets: dict[str, str]  # AZ -> address
    interval_s: float = 0.05
    max_rounds: int = 2000
    results: dict[str, list[tuple[float, bool]]] = field(default_factory=dict)

    def __post_init__(self):
        self._stop = threading.Event()
        self.results = {az: [] for az in self.targets}
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        for _ in range(self.max_rounds):
            if self._stop.is_set():
                return
            for az, address in self.targets.items():
                self.results[az].append((time.time(), can_echo(address, timeout=0.3)))
            time.sleep(self.interval_s)

    def __enter__(self) -> Prober:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def failures(self, az: str, after: float = 0.0) -> int:
        return sum(1 for at, ok in self.results[az] if at >= after and not ok)

    def successes(self, az: str, after: float = 0.0) -> int:
        return sum(1 for at, ok in self.results[az] if at >= after and ok)


def isolations() -> list:
    """Both isolations as test parameters; netns skipped, with the reason, where this host cannot make namespaces."""
    why = NetnsNetwork.available()
    return ["loopback", pytest.param("netns", marks=pytest.mark.skipif(why is not None, reason=f"netns isolation: {why}"))]


def best_isolation() -> str:
    """netns where this host can make namespaces (so a partition can be tested), loopback otherwise."""
    return "netns" if NetnsNetwork.available() is None else "loopback"


def bring_up(tmp_path_factory, isolation: str, *up_args: str):
    home = tmp_path_factory.mktemp(f"azlab-{isolation}")
    lab = Lab(home, isolation)
    done = lab.azlab("up", "--isolation", isolation, *up_args)
    assert done.returncode == 0, done.stderr[-3000:]
    lab.client = Client(json.loads(done.stdout)["Endpoint"])
    return lab


@contextlib.contextmanager
def region(tmp_path_factory, isolation: str):
    """A region for the `with` block, down afterwards whatever happened."""
    lab = bring_up(tmp_path_factory, isolation)
    try:
        yield lab
    finally:
        tear_down(lab)


def tear_down(lab: Lab) -> None:
    if lab.client:
        lab.client.close()
    everything = with_descendants(lab.tagged())
    done = lab.azlab("down")
    assert done.returncode == 0, done.stderr
    assert lab.tagged() == [] and all(gone(pid) for pid in everything), "processes of the region survived `azlab down`"
    group = process_backend.region_cgroup(lab.paths.region_id)
    cgroups = [*Path("/sys/fs/cgroup").glob(group), *Path("/sys/fs/cgroup").glob(f"*/{group}")]
    assert cgroups == [], "cgroups of the region's instances survived `azlab down`"
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout if lab.isolation == "netns" else ""
    assert f"azlab-{lab.paths.region_id}-" not in namespaces

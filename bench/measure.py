"""One run of each side: bring it up, let it idle, weigh it, kill an AZ, time the detection, take it down.

Each run gets its own temporary home (so its own region id, process tag, Ray
temp dir) and always ends with `lab.down(paths)`, which kills every process
tagged with that home's region id; for the peer it is the same call, since the
peer's processes carry the peer home's tag. Whatever `lab.down` leaves of the
processes the bench saw is killed after it and counted (`left_by_down`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
from google.protobuf.timestamp_pb2 import Timestamp

from azlab.chaos.v1 import chaos_pb2
from azlab.cluster import lab
from azlab.common import processes
from azlab.cluster.config import Paths, RegionConfig
from azlab.cluster.sdk import Client
from azlab.region.v1 import region_pb2

IDLE_S = 5.0
DETECT_BOUND_S = 90.0
EVENT_WAIT_S = 30.0
PROBE_TIMEOUT_S = 300.0
POLL_S = 0.1

REPO = Path(__file__).resolve().parent.parent
Run = dict[str, Any]


def probe(step: str, timeout_s: float = PROBE_TIMEOUT_S, *, module: str = "bench.probe",
          env: dict[str, str] | None = None, **args: Any) -> dict[str, Any]:
    """Run one step of `module` (`python -m <module> <step> <json args>`) in a fresh interpreter, with `env`
    (default: this one's); its RESULT line, or an error with its output's tail."""
    done = subprocess.run(
        [sys.executable, "-m", module, step, json.dumps(args)],
        capture_output=True, text=True, timeout=timeout_s, stdin=subprocess.DEVNULL, cwd=REPO, env=env,
    )
    results = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not results:
        raise RuntimeError(f"probe {step} failed (exit {done.returncode}):\n{(done.stdout + done.stderr)[-3000:]}")
    return json.loads(results[-1].removeprefix("RESULT "))


def tree(prefix: str) -> dict[int, psutil.Process]:
    """Every process tagged with `prefix`, and their descendants.

    Descendants matter: Ray's dashboard and runtime-env agents set their
    process title, which can zero the memory /proc/<pid>/environ shows (seen
    on the head's agents), so `processes.tagged` misses them.
    """
    found: dict[int, psutil.Process] = {}
    for pid in processes.tagged(prefix):
        try:
            parent = psutil.Process(pid)
            found.update({p.pid: p for p in (parent, *parent.children(recursive=True))})
        except psutil.NoSuchProcess:
            continue
    return found


def running(procs: dict[int, psutil.Process]) -> list[psutil.Process]:
    """Those still running (not zombies); psutil checks each pid still names the same process."""
    def up(proc: psutil.Process) -> bool:
        try:
            return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    return [p for p in procs.values() if up(p)]


def memory(found: dict[int, psutil.Process], tagged: set[int]) -> dict[str, Any]:
    """RSS (and PSS, which splits shared pages) summed over `found`; how many of them carry no visible tag."""
    rss = pss = count = 0
    for proc in found.values():
        try:
            info = proc.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss, pss, count = rss + info.rss, pss + getattr(info, "pss", 0), count + 1
    return {"rss_bytes": rss, "pss_bytes": pss, "processes": count, "untagged": len(set(found) - tagged)}


def weigh(paths: Paths, seen: dict[int, psutil.Process]) -> dict[str, Any]:
    """Idle for IDLE_S, then weigh the region; remember what was found for `teardown`."""
    time.sleep(IDLE_S)
    found = tree(processes.region_prefix(paths.region_id))
    seen.update(found)
    return memory(found, set(processes.tagged(processes.region_prefix(paths.region_id))))


def teardown(paths: Paths, seen: dict[int, psutil.Process]) -> list[str]:
    """`lab.down`, then SIGKILL what it left running of the processes seen; returns their names."""
    seen.update(tree(processes.region_prefix(paths.region_id)))
    lab.down(paths)
    shutil.rmtree(paths.home, ignore_errors=True)
    left = []
    for proc in running(seen):
        try:
            left.append(proc.name())
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    return left


def azlab_run(isolation: str, az: str) -> Run:
    """`lab.up` (timed in a probe), idle, weigh, KillAz via the SDK, read NodeDown, RestoreAz, `lab.down`."""
    paths = Paths(Path(tempfile.mkdtemp(prefix="azlab-bench-")))
    seen: dict[int, psutil.Process] = {}
    result: Run = {}
    try:
        up = probe("up-azlab", home=str(paths.home), isolation=isolation)
        result = {"up_s": up["seconds"], **weigh(paths, seen), **_azlab_detection(up["endpoint"], paths, az)}
    finally:
        result["left_by_down"] = len(left := teardown(paths, seen))
        result["left_names"] = left
    return result


def _azlab_detection(endpoint: str, paths: Paths, az: str) -> Run:
    """NodeDown time minus the fault's started_at; also minus the moment the KillAz call was sent.

    The controller stamps started_at once the kill is done, so the second figure
    also counts the kill itself. `az_survivors`: the AZ's processes still
    running when NodeDown is seen.
    """
    nodes = RegionConfig().nodes_per_az
    in_az = tree(processes.az_prefix(paths.region_id, az))
    with Client(endpoint) as client:
        called = time.time()
        fault = client.chaos.KillAz(chaos_pb2.KillAzRequest(availability_zone=az)).fault
        since = Timestamp()
        since.FromNanoseconds(int(called * 1e9))
        request = region_pb2.DescribeEventsRequest(start_time=since, event_types=["NodeDown"], source=az)
        deadline = time.monotonic() + EVENT_WAIT_S
        while len(events := client.region.DescribeEvents(request).events) < nodes:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no NodeDown for {az} within {EVENT_WAIT_S:.0f}s of KillAz")
            time.sleep(POLL_S)
        down_at = max(e.time.ToNanoseconds() for e in events) / 1e9
        survivors = len(running(in_az))
        restoring = time.monotonic()
        client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone=az))
        return {
            "detect_s": down_at - fault.started_at.ToNanoseconds() / 1e9,
            "detect_from_call_s": down_at - called,
            "restore_s": time.monotonic() - restoring,
            "processes_killed": fault.processes_killed,
            "az_survivors": survivors,
        }


def ray_run(isolation: str, az: str) -> Run:
    """The plain Ray peer: `ray start`s (timed in a probe), idle, weigh, kill the AZ's raylet, time the GCS.

    `az_survivors`: the AZ's processes still running once the GCS has declared it dead.
    """
    paths = Paths(Path(tempfile.mkdtemp(prefix="azlab-bench-ray-")))
    seen: dict[int, psutil.Process] = {}
    result: Run = {}
    try:
        up = probe("up-ray", home=str(paths.home), isolation=isolation)
        weight = weigh(paths, seen)
        in_az = tree(processes.az_prefix(paths.region_id, az))
        detect = probe(
            "detect-ray", timeout_s=PROBE_TIMEOUT_S + DETECT_BOUND_S, home=str(paths.home), isolation=isolation,
            gcs_port=up["gcs_port"], az=az, bound_s=DETECT_BOUND_S,
        )
        result = {"up_s": up["seconds"], **weight, "detect_s": detect["seconds"],
                  "processes_killed": detect["processes_killed"], "az_survivors": len(running(in_az))}
    finally:
        result["left_by_down"] = len(left := teardown(paths, seen))
        result["left_names"] = left
    return result

"""What the EC2 region modules share: a GET of an instance's web server (every module's user data serves
the instance's own id at /instance-id on WEB_PORT), client load on instances, and what a region runs
found from outside it (its instances' init processes, containers and QEMUs)."""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Sequence

import psutil

from .conftest import gone, wait_until

WEB_PORT = 8080
# busybox's httpd serves the instance's whole root, so /mnt/<device> is seen from outside too.
DOCKER_USER_DATA = """#!/bin/sh
echo "$AZLAB_INSTANCE_ID" > /instance-id
echo boot >> /boots
echo "user data ran on $AZLAB_PRIVATE_IP"
exec httpd -f -p "$AZLAB_PRIVATE_IP:8080" -h /
"""
PROCESS_USER_DATA = """#!/bin/sh
cd "$HOME" && echo "$AZLAB_INSTANCE_ID" > instance-id
exec python3 -m http.server 8080 --bind "$AZLAB_PRIVATE_IP"
"""
_FETCH = ("import sys, urllib.request\n"
          "try: print(urllib.request.urlopen(sys.argv[1], timeout=float(sys.argv[2])).read().decode(), end='')\n"
          "except Exception: sys.exit(1)")


def fetch(url: str, timeout: float = 2.0, inside: Sequence[str] = ()) -> str | None:
    """The body at `url`, or None when it does not come whole in time. From this process, or from inside a
    network namespace (`inside`: `ip netns exec <namespace>` or `nsenter -t <pid> -n`)."""
    if inside:
        done = subprocess.run([*inside, sys.executable, "-c", _FETCH, url, str(timeout)],
                              capture_output=True, text=True, timeout=timeout + 10)
        return done.stdout if done.returncode == 0 else None
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.read().decode()
    except (OSError, http.client.HTTPException):  # an instance killed mid-answer cuts its body short
        return None


def get(address: str, path: str, timeout: float = 2.0, inside: Sequence[str] = ()) -> str | None:
    """GET http://<address>:WEB_PORT/<path> (see `fetch`)."""
    return fetch(f"http://{address}:{WEB_PORT}/{path}", timeout, inside)


def serves(address: str, instance_id: str) -> bool:
    return (get(address, "instance-id") or "").strip() == instance_id


def describe(lab, *instance_ids: str) -> dict[str, dict]:
    ids = ("--instance-ids", *instance_ids) if instance_ids else ()
    reservations = lab.json("ec2", "describe-instances", *ids)["Reservations"]
    return {i["InstanceId"]: i for r in reservations for i in r["Instances"]}


def serving(lab, instances: list[dict], timeout_s: float) -> dict[str, dict]:
    """Wait until every instance is running and its web server answers; their descriptions."""
    ids = [i["InstanceId"] for i in instances]
    wait_until(lambda: all(i["State"]["Name"] == "running" for i in describe(lab, *ids).values()), timeout_s, "running")
    found = describe(lab, *ids)
    for i in found.values():
        wait_until(lambda i=i: serves(i["PrivateIpAddress"], i["InstanceId"]), timeout_s, f"{i['InstanceId']} to serve")
    return found


def init_pid(lab, instance_id: str) -> int | None:
    """A process instance's init process, found by its command line."""
    needle = f"ec2/instances/{instance_id}"
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if "azlab.nodes.ec2.instance" in cmdline and any(needle in part for part in cmdline) and not gone(process.pid):
            return process.pid
    return None


def containers(lab, az: str | None = None) -> list:
    """The region's docker containers (of `az`), found by their labels; needs `lab.docker`."""
    labels = [f"azlab.region={lab.paths.region_id}"] + ([f"azlab.az={az}"] if az else [])
    return lab.docker.containers.list(all=True, ignore_removed=True, filters={"label": labels})


def qemus(lab, *instance_ids: str) -> list[int]:
    """QEMU processes of this region (of these instances), found by their libvirt domain name."""
    names = [f"guest=azlab-{lab.paths.region_id}-{i}" for i in instance_ids] or [f"guest=azlab-{lab.paths.region_id}-i-"]
    return [p.pid for p in psutil.process_iter(["cmdline"])
            if any(n in arg for arg in p.info["cmdline"] or () for n in names)]


class HttpLoad:
    """Client load: GETs of every instance's /instance-id, bounded in count and time, each result (right only
    when it answers that instance's own id) kept with its time."""

    def __init__(self, targets: dict[str, str], interval_s: float = 0.05, max_rounds: int = 2000, timeout_s: float = 2.0):
        # a generous timeout: a busy machine (a raylet starting) must not pass for an instance that noticed
        self.targets, self.interval_s, self.max_rounds, self.timeout_s = targets, interval_s, max_rounds, timeout_s
        self.results: dict[str, list[tuple[float, bool]]] = {t: [] for t in targets}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            self._load()
        except BaseException as e:  # a load that died would leave "no failures" true of nothing
            self._error = e

    def _load(self) -> None:
        for _ in range(self.max_rounds):
            if self._stop.is_set():
                return
            for instance_id, address in self.targets.items():
                ok = (get(address, "instance-id", timeout=self.timeout_s) or "").strip() == instance_id
                self.results[instance_id].append((time.time(), ok))
            time.sleep(self.interval_s)

    def __enter__(self) -> HttpLoad:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=60)
        if self._error is not None:
            raise AssertionError(f"the client load died: {self._error!r}") from self._error

    def failures(self, instance_id: str) -> int:
        return sum(not ok for _, ok in self.results[instance_id])

"""Finding and killing a failure domain's processes, whoever their parent is now.

Every process azlab starts carries `AZLAB_TAG=<region_id>:<node>` in its
environment (`region` for the region node, `<az>/node-<n>` for an AZ node),
and everything it forks inherits it: raylets, the Ray workers they spawn, the
children a node agent starts. Parentage is no guide (`ray start` daemonizes,
killed raylets leave orphaned workers), but the environment stays, and it
works for any user, without cgroups.
"""

from __future__ import annotations

import os
import signal
import time

TAG_ENV = "AZLAB_TAG"


def tag(region_id: str, node: str) -> str:
    return f"{region_id}:{node}"


def az_prefix(region_id: str, az: str) -> str:
    return f"{region_id}:{az}/"


def region_prefix(region_id: str) -> str:
    return f"{region_id}:"


def tagged(prefix: str, exact: bool = False) -> list[int]:
    """Pids whose AZLAB_TAG starts with `prefix`, or equals it when `exact`."""
    needle = f"\0{TAG_ENV}={prefix}{chr(0) if exact else ''}".encode()
    me = os.getpid()
    pids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            with open(f"/proc/{entry.name}/environ", "rb") as f:
                environ = b"\0" + f.read() + b"\0"
        except OSError:
            continue  # gone, or not ours to read
        if needle in environ:
            pids.append(int(entry.name))
    return pids


def kill_tagged(prefix: str, exact: bool = False, timeout_s: float = 15.0) -> int:
    """SIGKILL every process tagged with `prefix`; returns how many were killed.

    Stops each newly found process first so that none can fork a child the
    next scan misses, then kills them, and rescans until no tagged process is
    left alive: a killed process with a large address space can take a while
    to exit, and until it has, it still shows its environment.
    """
    killed: set[int] = set()
    deadline = time.monotonic() + timeout_s
    while pids := [pid for pid in tagged(prefix, exact) if _alive(pid)]:
        fresh = [pid for pid in pids if pid not in killed]
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in fresh:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
        killed.update(fresh)
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes tagged {prefix!r} still alive after {timeout_s:.0f}s: {pids}")
        if not fresh:
            time.sleep(0.02)  # only dying processes left
    return len(killed)


def _alive(pid: int) -> bool:
    """A zombie has released everything; only its parent's wait is missing."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False

"""Finding and killing a failure domain's processes, whoever their parent is now.

Every process azlab starts carries `AZLAB_TAG=<region_id>:<node>` in its
environment (`region` for the region node, `<az>/node-<n>` for an AZ node),
and everything it forks inherits it: raylets, the Ray workers they spawn, the
children a node agent starts. Parentage alone is no guide (`ray start`
daemonizes, killed raylets leave orphaned workers), but the environment
stays, and it works for any user, without cgroups. Where a process rewrote
its environment (see `kill_tagged`), its parent's tag and the tree find it.
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


def environments(key: str = TAG_ENV) -> dict[int, dict[str, str]]:
    """For every readable process (but this one) whose environment has `key`: its azlab variables."""
    needle = f"\0{key}=".encode()
    me = os.getpid()
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            with open(f"/proc/{entry.name}/environ", "rb") as f:
                environ = b"\0" + f.read()
        except OSError:
            continue  # gone, or not ours to read
        if needle in environ:
            variables = (item.decode(errors="replace").split("=", 1) for item in environ.split(b"\0") if b"=" in item)
            found[int(entry.name)] = {k: v for k, v in variables if k.startswith("AZLAB_")}
    return found


def tagged(prefix: str, exact: bool = False) -> list[int]:
    """Pids whose AZLAB_TAG starts with `prefix`, or equals it when `exact`."""
    return [
        pid for pid, env in environments().items()
        if (env.get(TAG_ENV) == prefix if exact else env.get(TAG_ENV, "").startswith(prefix))
    ]


def kill_tagged(prefix: str, exact: bool = False, timeout_s: float = 15.0) -> int:
    """SIGKILL every process tagged with `prefix`, and all their descendants;
    returns how many were killed. Never the caller, nor whoever spawned it.

    Descendants count because a process may overwrite its environment: Ray's
    Python workers set their title with setproctitle, which clobbers the
    environment block `/proc/<pid>/environ` shows. Their parents (raylets,
    user processes) keep the tag, so the process tree completes the set.
    """
    return _kill(lambda: set(tagged(prefix, exact)), _ancestors(os.getpid()), timeout_s, f"tagged {prefix!r}")


def kill_trees(roots: set[int], timeout_s: float = 15.0) -> int:
    """SIGKILL these processes and all their descendants but the caller; returns how many were killed.

    For a process killing its own parent's tree (a node agent, its raylet's).
    """
    return _kill(lambda: set(roots), {os.getpid()}, timeout_s, f"in the trees of {sorted(roots)}")


def _kill(find, spare: set[int], timeout_s: float, what: str) -> int:
    """First everything found (and its descendants) is SIGSTOPped, round after
    round, until a round finds nothing new: stopped processes can neither fork
    nor lose their children, so the set is then closed. Then all get SIGKILL,
    and the call waits (bounded) until they have exited."""
    deadline = time.monotonic() + timeout_s
    stopped: set[int] = set()
    while True:
        found = find() | stopped
        found |= _descendants(found, _children())
        fresh = {pid for pid in found - stopped - spare if _alive(pid)}
        if not fresh:
            break
        _signal(fresh, signal.SIGSTOP)
        stopped |= fresh
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes {what} keep appearing after {timeout_s:.0f}s")
    _signal(stopped, signal.SIGKILL)
    while any(_alive(pid) for pid in stopped):
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes {what} still alive after SIGKILL: {sorted(stopped)}")
        time.sleep(0.02)  # a process with a large address space takes a moment to exit
    return len(stopped)


def _signal(pids: set[int], sig: signal.Signals) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (ppid := _parent(int(entry.name))) is not None:
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _ancestors(pid: int) -> set[int]:
    found = {pid}
    while (pid := _parent(pid)) and pid not in found:
        found.add(pid)
    return found


def _descendants(roots: set[int], tree: dict[int, list[int]]) -> set[int]:
    found: set[int] = set()
    todo = list(roots)
    while todo:
        for child in tree.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    """A zombie has released everything; only its parent's wait is missing."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False

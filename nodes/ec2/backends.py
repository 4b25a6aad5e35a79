"""A host's EC2 compute backends, on the host: what its node agent runs for the EC2 service (`NodeAgent.compute`).

The service on the controller asks a host for one ComputeBackend call (common/ec2/compute.py) by the
backend's name; the host builds that backend on first use, from the call's `BackendSetup` and its own home,
and keeps it as long as its agent lives. So a host's dockerd, libvirtd and processes are that host's own,
whichever controller asks, and a backend's memory (a process's boot status, a VM's forwarded ports) outlives a
restarted controller. A backend the host cannot build answers BackendUnavailable, saying why, every time.

Calls about one instance run one at a time here: a call the controller stopped waiting for (its timeout)
still finishes before the next one about that instance starts, so a slow boot and its retry never race.

`python -m azlab.nodes.ec2.backends remove-region ...` is what `azlab down` runs: each backend removes what
outlives the region's processes (containers, VMs, cgroups).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

from azlab.common.agents import AgentCalls
from azlab.common.ec2.compute import BackendSetup, BackendUnavailable, ComputeBackend, InstanceSpec

# The compute backends by name, each imported only when a host runs it.
BACKENDS = {
    "process": "azlab.nodes.ec2.process:ProcessBackend",
    "docker": "azlab.nodes.ec2.docker:DockerBackend",
    "libvirt": "azlab.nodes.ec2.libvirt:LibvirtBackend",
    "fake": "azlab.nodes.ec2.fake:FakeBackend",  # in memory, runs nothing: for tests of the service
}
# The ComputeBackend calls a host answers (its data part, `Traits`, the controller knows without asking).
CALLS = frozenset({"start", "stop", "reboot", "destroy", "describe", "snapshot", "console_output", "configure",
                   "attach_address", "detach_address", "attach_volume", "detach_volume", "evict"})


# Where the daemons that hold instances outside a host's processes say who they are.
PID_FILES = {"dockerd": "/var/run/docker.pid", "libvirtd": "/run/libvirtd.pid"}


def on_machine(argv: list[str], daemon: str) -> list[str]:
    """`argv` run in the network and mount namespaces of `daemon` (dockerd, libvirtd), which are the machine's:
    where the daemon makes its links, and the internet is. A backend runs in its host's agent, under netns
    isolation in the host's namespaces. Unchanged where the daemon does not run, or this is its namespace."""
    try:
        pid = Path(PID_FILES[daemon]).read_text().strip()
        if os.readlink(f"/proc/{pid}/ns/net") == os.readlink("/proc/self/ns/net"):
            return argv
    except OSError:  # no daemon (its backend says so when used), or not ours to enter
        return argv
    return ["nsenter", "--target", pid, "--net", "--mount", "--", *argv]


def load(setup: BackendSetup, agents, home: Path) -> ComputeBackend:
    """Construct backend `setup.name` on this host; an ImportError says what is missing."""
    module, _, cls = BACKENDS[setup.name].partition(":")
    return getattr(importlib.import_module(module), cls)(agents, home, setup.network, setup.azs, setup.region_id)


class LocalAgents(AgentCalls):
    """The node-agent calls a backend makes (cluster/services.py's NodeAgents), answered by this host's own agent:
    a backend runs on its host and asks about that host alone."""

    def __init__(self, agent, host: str):
        self.agent = agent
        self.host = host

    async def call(self, host: str, method: str, *args, timeout_s: float | None = None, **kwargs) -> Any:
        if host != self.host:
            raise RuntimeError(f"{self.host}'s backend was asked about {host}")
        # the agent's own methods, each bounded as it is (run_command by its own timeout); no hop to time out
        return await getattr(self.agent, method)(*args, **kwargs)


class HostBackends:
    """The backends one host has built, by name, and the one way to call them."""

    def __init__(self, agents, home: Path):
        self.agents = agents
        self.home = home
        self.backends: dict[str, ComputeBackend] = {}
        self._instances: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)  # one call at a time each

    def backend(self, setup: BackendSetup) -> ComputeBackend:
        if setup.name not in self.backends:
            try:
                self.backends[setup.name] = load(setup, self.agents, self.home)
            except Exception as e:  # a missing library disables this backend only
                raise BackendUnavailable(setup.name, f"{type(e).__name__}: {e}") from e
        return self.backends[setup.name]

    async def call(self, setup: BackendSetup, method: str, *args) -> Any:
        if method not in CALLS:  # RuntimeError, not ValueError: NodeAgents takes that for a missing agent
            raise RuntimeError(f"{method!r} is no compute backend call")
        run = getattr(self.backend(setup), method)
        spec = next((a for a in args if isinstance(a, InstanceSpec)), None)
        if spec is None:
            return await run(*args)
        async with self._instances[spec.instance_id]:
            return await run(*args)


def remove_region(names: list[str], region_id: str, home: Path) -> int:
    """Each backend in `names` removes the region's instances that outlive its processes; how many went."""
    return sum(importlib.import_module(BACKENDS[name].partition(":")[0]).remove_region(region_id, home)
               for name in sorted(set(names)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m azlab.nodes.ec2.backends")
    verbs = parser.add_subparsers(dest="verb", required=True)
    remove = verbs.add_parser("remove-region", help="remove what outlives the region's processes; prints how many")
    remove.add_argument("--region-id", required=True)
    remove.add_argument("--home", required=True, type=Path)
    remove.add_argument("backends", nargs="+", choices=sorted(BACKENDS))
    args = parser.parse_args(argv)
    print(remove_region(args.backends, args.region_id, args.home))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The node agent: one actor per AZ node, pinned to that node's raylet.

It heartbeats to the region controller, supervises the node's child
processes and runs the node's EC2 compute backend. It is a thin shell:
heartbeats in `Heartbeater`, children in `ProcessSupervisor`, backends in
`HostBackends` (nodes/ec2/backends.py). `ping` has its own concurrency group so a busy agent
still answers it. Created with max_restarts=0: a dead node's agent must not
come back somewhere else; the controller starts a new one with the node.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from dataclasses import asdict
from pathlib import Path

import ray

from azlab.common import processes
from azlab.nodes import files
from azlab.nodes.supervisor import ProcessSpec, ProcessSupervisor

log = logging.getLogger(__name__)


class Heartbeater:
    """Calls `send()` every `interval_s`; a failed or slow beat is skipped, never fatal."""

    def __init__(self, send, interval_s: float):
        self.send = send
        self.interval_s = interval_s
        self.sent = 0
        self.failed = 0

    async def run_forever(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self.send(), timeout=self.interval_s * 2)
                self.sent += 1
            except Exception as e:  # controller restarting or unreachable: keep beating
                self.failed += 1
                log.debug("heartbeat failed: %r", e)
            await asyncio.sleep(self.interval_s)


@ray.remote(concurrency_groups={"health": 1})
class NodeAgent:
    def __init__(self, node_name: str, address: str, controller: str, namespace: str, interval_s: float, home: str):
        self.node_name = node_name
        self.address = address
        self.ray_node_id = ray.get_runtime_context().get_node_id()
        self.home = Path(home)
        self._controller_name = controller
        self._namespace = namespace
        self._controller = None
        self.supervisor = ProcessSupervisor(Path(home) / "logs" / node_name.replace("/", "-"))
        self.heartbeater = Heartbeater(self._beat, interval_s)
        self._beating: asyncio.Task | None = None
        self._compute = None  # this node's EC2 backends, once EC2 asks for one

    async def _beat(self) -> None:
        if self._controller is None:
            self._controller = await asyncio.to_thread(ray.get_actor, self._controller_name, self._namespace)
        await self._controller.heartbeat.remote(self.node_name, self.ray_node_id)

    async def start(self) -> dict:
        """Start heartbeating (idempotent) and say who and where this agent is."""
        if self._beating is None:
            self._beating = asyncio.get_running_loop().create_task(self.heartbeater.run_forever())
        return await self.ping()

    @ray.method(concurrency_group="health")
    async def ping(self) -> dict:
        return {
            "node_name": self.node_name,
            "address": self.address,
            "ray_node_id": self.ray_node_id,
            "pid": os.getpid(),
            "heartbeats_sent": self.heartbeater.sent,
            "heartbeats_failed": self.heartbeater.failed,
        }

    async def start_process(self, name: str, argv: list[str], env: dict[str, str] | None = None,
                            cwd: str | None = None) -> dict:
        """Start a child on this node's network; idempotent on `name`. Returns its ProcessInfo."""
        info = await self.supervisor.start(ProcessSpec(name, tuple(argv), env or {}, cwd))
        return asdict(info)

    async def stop_process(self, name: str) -> dict | None:
        info = await self.supervisor.stop(name)
        return asdict(info) if info else None

    async def processes(self) -> list[dict]:
        return [asdict(p) for p in self.supervisor.describe()]

    async def write_file(self, path: str, data: bytes) -> None:
        """Replace `path` on this node's disk atomically (a data-plane server's configuration)."""
        await asyncio.to_thread(files.write_atomically, self.home, Path(path), data)

    async def read_file(self, path: str, max_bytes: int = 65536) -> bytes | None:
        """The last `max_bytes` of `path` on this node's disk; None when it does not exist."""
        return await asyncio.to_thread(files.read_tail, self.home, Path(path), max_bytes)

    async def remove_path(self, path: str) -> None:
        """Remove a file or directory tree under this node's home; succeeds when it is already gone."""
        await asyncio.to_thread(files.remove, self.home, Path(path))

    async def run_command(self, argv: list[str], timeout_s: float = 60.0) -> dict:
        """Run a short command on this node to its end (bounded: killed after `timeout_s`);
        {"returncode": int, "output": its last 4 KiB of stdout and stderr}. For host chores
        (a volume's file, a mount), not for servers: those are `start_process`'s."""
        child = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            output, _ = await asyncio.wait_for(child.communicate(), timeout_s)
        except asyncio.TimeoutError:
            child.kill()
            output, _ = await child.communicate()
            return {"returncode": -9, "output": f"killed after {timeout_s:.0f}s: " + output[-4096:].decode(errors="replace")}
        return {"returncode": child.returncode, "output": output[-4096:].decode(errors="replace")}

    async def compute(self, setup, method: str, *args):
        """One ComputeBackend call (common/ec2/compute.py) on this node's backend `setup.name`, built here on first
        use; BackendUnavailable, saying why, when this node cannot build it."""
        if self._compute is None:
            from azlab.nodes.ec2.backends import HostBackends, LocalAgents  # here: a node without EC2 loads none

            self._compute = HostBackends(LocalAgents(self, self.node_name), self.home)
        return await self._compute.call(setup, method, *args)

    async def stop_all_processes(self) -> None:
        """Stop every child this agent started (before the agent itself is removed)."""
        await self.supervisor.stop_all()

    async def kill_node(self) -> None:
        """SIGKILL this whole node: its raylet, every process the raylet spawned
        (this agent among them) and this agent's children. Never returns.

        For nodes azlab did not start (a joined cluster without machine agents),
        where the region cannot find the node's processes itself.
        """
        raylet = os.getppid()  # a Ray worker is its raylet's child
        with open(f"/proc/{raylet}/comm") as f:
            if (name := f.read().strip()) != "raylet":
                raise RuntimeError(f"this agent's parent is {name!r}, not a raylet; not killing it")
        processes.kill_trees({raylet, *(child.pid for child in self.supervisor.describe())})
        os.kill(os.getpid(), signal.SIGKILL)

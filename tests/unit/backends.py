"""What the compute backends' tests share: the node agents, stood in for on this machine.

A backend reaches its hosts only through the node agents (`NodeAgents`): processes for the process
backend, files, commands and a ping for every backend. `HereAgents` offers those calls done here with
the node agent's own parts (its process supervisor and file helpers, real processes and real files),
so a backend runs without Ray; a host in `unreachable` does not answer, as a killed or cut-off one.
Its `compute` is the node agent's too (nodes/ec2/backends.py's HostBackends, here one for every host):
what the EC2 service asks of a host's backend, its arguments, answers and errors pickled on the way as
Ray pickles them.
"""

from __future__ import annotations

import asyncio
import pickle
import subprocess
from dataclasses import asdict
from pathlib import Path

from azlab.cluster.services import NodeUnreachable
from azlab.nodes import files
from azlab.nodes.ec2.backends import HostBackends
from azlab.nodes.supervisor import ProcessSpec, ProcessSupervisor

FILE_CALLS = {"write_file": files.write_atomically, "read_file": files.read_tail, "remove_path": files.remove}


class HereAgents:
    def __init__(self, home: Path | None = None):
        self.home = home
        self.unreachable: set[str] = set()  # hosts that do not answer: dead, or cut off
        self.supervisor = ProcessSupervisor(home / "logs") if home else None
        self.compute = HostBackends(self, home)  # type: ignore[arg-type]

    def _answer(self, host: str) -> None:
        if host in self.unreachable:
            raise NodeUnreachable(host)

    async def call(self, host: str, method: str, *args, timeout_s: float | None = None):
        self._answer(host)
        if method == "ping":
            return {"node_name": host}
        if method == "compute":
            try:
                answer = await self.compute.call(*pickle.loads(pickle.dumps(args)))
            except Exception as e:
                raise pickle.loads(pickle.dumps(e)) from None
            return pickle.loads(pickle.dumps(answer))
        if method == "run_command":
            argv, timeout = args
            done = await asyncio.to_thread(subprocess.run, argv, capture_output=True, text=True, timeout=timeout)
            return {"returncode": done.returncode, "output": done.stdout + done.stderr}
        assert self.home is not None, f"{method} needs the agent's home"
        return FILE_CALLS[method](self.home, Path(args[0]), *args[1:])

    async def start_process(self, host, name, argv, env=None, cwd=None) -> dict:
        self._answer(host)
        return asdict(await self.supervisor.start(ProcessSpec(name, tuple(argv), env or {}, cwd)))

    async def stop_process(self, host, name) -> dict | None:
        self._answer(host)
        info = await self.supervisor.stop(name)
        return asdict(info) if info else None

    async def processes(self, host) -> dict[str, dict]:
        self._answer(host)
        return {p.name: asdict(p) for p in self.supervisor.describe()}

    async def stop_all(self) -> None:
        if self.supervisor is not None:
            await self.supervisor.stop_all()

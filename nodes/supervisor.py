"""Child processes of a node, started on the node's network and killed on request.

Children inherit the agent's environment, so they carry its AZLAB_TAG: a
kill-az finds them even if this supervisor died first. Each child leads its
own process group, so `stop` reaches grandchildren too.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None


@dataclass(frozen=True)
class ProcessInfo:
    name: str
    pid: int
    running: bool
    returncode: int | None
    log: str


class ProcessSupervisor:
    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self._children: dict[str, tuple[asyncio.subprocess.Process, Path]] = {}

    async def start(self, spec: ProcessSpec) -> ProcessInfo:
        """Start `spec` unless a child of that name runs; idempotent on the name."""
        if spec.name in self._children and self._children[spec.name][0].returncode is None:
            return self._info(spec.name)
        if not spec.argv:
            raise ValueError("a process needs a command")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / f"{spec.name}.log"
        with log.open("ab") as out:
            child = await asyncio.create_subprocess_exec(
                *spec.argv, env={**os.environ, **spec.env}, cwd=spec.cwd,
                stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        self._children[spec.name] = (child, log)
        return self._info(spec.name)

    async def stop(self, name: str, grace_s: float = 5.0) -> ProcessInfo | None:
        """SIGTERM the child's group, SIGKILL after `grace_s`. None when no such child."""
        if name not in self._children:
            return None
        child, _ = self._children[name]
        if child.returncode is None:
            self._signal_group(child.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(child.wait(), grace_s)
            except asyncio.TimeoutError:
                self._signal_group(child.pid, signal.SIGKILL)
                await child.wait()
        return self._info(name)

    async def stop_all(self) -> None:
        await asyncio.gather(*(self.stop(name) for name in list(self._children)))

    def describe(self) -> list[ProcessInfo]:
        return [self._info(name) for name in self._children]

    def _info(self, name: str) -> ProcessInfo:
        child, log = self._children[name]
        return ProcessInfo(name, child.pid, child.returncode is None, child.returncode, str(log))

    @staticmethod
    def _signal_group(pid: int, sig: signal.Signals) -> None:
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            pass

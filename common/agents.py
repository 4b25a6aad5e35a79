"""The node-agent calls every caller of an agent shares, written once over its one `call`.

The controller reaches an agent through Ray (cluster/services.py `NodeAgents`); a backend running on its host
reaches its own agent directly (nodes/ec2/backends.py `LocalAgents`). Both answer `call`; these are the same
three shorthands over it.
"""

from __future__ import annotations

from typing import Any


class AgentCalls:
    async def call(self, node_name: str, method: str, *args, timeout_s: float | None = None, **kwargs) -> Any:
        raise NotImplementedError

    async def start_process(self, node_name: str, name: str, argv: list[str], env: dict[str, str] | None = None,
                            cwd: str | None = None) -> dict:
        return await self.call(node_name, "start_process", name, argv, env, cwd)

    async def stop_process(self, node_name: str, name: str) -> dict | None:
        return await self.call(node_name, "stop_process", name)

    async def processes(self, node_name: str, timeout_s: float | None = None) -> dict[str, dict]:
        """The node's children by name."""
        return {p["name"]: p for p in await self.call(node_name, "processes", timeout_s=timeout_s)}

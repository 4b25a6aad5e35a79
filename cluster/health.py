"""Liveness from heartbeats: a node silent for `threshold_s` is down.

Pure and clock-injected: the controller feeds it heartbeats and calls
`sweep(now)` on a short tick, and records the transitions it returns. Ray's own
node-death detection takes tens of seconds; this is what makes an AZ's death
visible within the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

NodeState = Literal["pending", "alive", "down"]


@dataclass(frozen=True)
class Transition:
    node: str
    old: NodeState
    new: NodeState
    at: float
    silent_for: float = 0.0


class HealthMonitor:
    def __init__(self, threshold_s: float):
        self.threshold_s = threshold_s
        self._last_seen: dict[str, float] = {}
        self._state: dict[str, NodeState] = {}

    def track(self, node: str, state: NodeState, last_seen: float) -> None:
        """Start watching a node, e.g. one re-read from the store after a restart."""
        self._state[node] = state
        self._last_seen[node] = last_seen

    def forget(self, node: str) -> None:
        self._state.pop(node, None)
        self._last_seen.pop(node, None)

    def beat(self, node: str, now: float) -> Transition | None:
        """A heartbeat arrived. Unknown nodes are ignored: only the controller adds nodes."""
        if node not in self._state:
            return None
        self._last_seen[node] = now
        old = self._state[node]
        if old == "alive":
            return None
        self._state[node] = "alive"
        return Transition(node, old, "alive", now)

    def sweep(self, now: float) -> list[Transition]:
        """Declare down every alive node whose last heartbeat is older than the threshold."""
        down = []
        for node, state in self._state.items():
            silent = now - self._last_seen[node]
            if state == "alive" and silent > self.threshold_s:
                self._state[node] = "down"
                down.append(Transition(node, "alive", "down", now, silent))
        return down

    def state(self, node: str) -> NodeState:
        return self._state[node]

    def last_seen(self, node: str) -> float | None:
        return self._last_seen.get(node)

"""The region's front end: the data paths that must not pass through the controller.

One process of its own on the region node (outside every AZ, so it survives
the loss of any one AZ; on the region address, which every AZ reaches),
started detached in its own session and tagged with the region's AZLAB_TAG,
so it outlives a killed controller and `azlab down` removes it. It serves:
- the AWS-compatible HTTP endpoint (`azlab.cluster.aws`) on the address kept
  under the store key `aws_http_endpoint` (the same before and after a
  controller restart), its SQS calls routed to the leader replica by
  `LeaderRouter` with `ReplicaLeadership`: who leads is asked of the replicas;
- every Memcached cluster's configuration endpoint (`config get cluster`).

It reads the static facts (replica placements, Memcached clusters and their
members) from the controller's SQLite store, read-only (WAL: readers never
block the controller), so it keeps serving while the controller is down. The
one call it makes to the controller is the region's first SQS call, which
makes the controller start the queue replicas.

This module is the controller's side (`FrontendSupervisor`): probe the front
end, adopt one that answers, start one only when none does. The process
itself is `python -m azlab.cluster.frontend` (`__main__.py`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import time

from azlab.cluster.aws import HEALTH_PATH
from azlab.cluster.config import Paths
from azlab.cluster.replicated import Backoff, Processes
from azlab.cluster.state import Store
from azlab.common import processes

log = logging.getLogger(__name__)
AWS_ENDPOINT_KEY = "aws_http_endpoint"
PORT_OWNER = "aws-endpoint"
CHECK_INTERVAL_S = 1.0
PROBE_TIMEOUT_S = 1.0
# A front end just started is given 5 s to bind (its imports take seconds) before another is tried: a second
# one started while the first still binds would only lose the race for the port.
START_BACKOFF = Backoff(first_s=5.0, max_s=30.0)


async def identity(address: str, timeout_s: float = PROBE_TIMEOUT_S) -> dict | None:
    """What the front end at host:port says it is (`region_id`, `pid`), or None when nothing answers so."""
    host, port = address.rsplit(":", 1)
    try:
        async with asyncio.timeout(timeout_s):
            reader, writer = await asyncio.open_connection(host, int(port))
            try:
                writer.write(f"GET {HEALTH_PATH} HTTP/1.0\r\nHost: {address}\r\n\r\n".encode())
                answer = await reader.read()
            finally:
                writer.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        return json.loads(body) if head.split(b" ")[1:2] == [b"200"] else None
    except (OSError, TimeoutError, ValueError, IndexError):
        return None


class FrontendSupervisor:
    """Keep one front end running for the region; never replace one that answers."""

    def __init__(self, paths: Paths, store: Store, region_address: str):
        self.paths = paths
        self.store = store
        self.region_address = region_address
        self._checked_at = float("-inf")
        self.processes = Processes(restart=START_BACKOFF)

    def address(self) -> str:
        """The AWS endpoint's host:port, chosen once and kept in the store."""
        if not (address := self.store.get(AWS_ENDPOINT_KEY)):
            address = f"{self.region_address}:{self.store.allocate_port(self.region_address, PORT_OWNER)}"
            self.store.put(AWS_ENDPOINT_KEY, address)
        return address

    async def ensure(self) -> None:
        """Cheap to call every tick: probes at most once per CHECK_INTERVAL_S."""
        now = time.monotonic()
        if now - self._checked_at < CHECK_INTERVAL_S:
            return
        self._checked_at = now
        address = self.address()
        answer = await identity(address)
        if answer and answer.get("region_id") == self.paths.region_id:
            self.processes.reset(PORT_OWNER)
            return  # running (perhaps since before this controller started): adopted as it is
        if self.processes.due(PORT_OWNER):
            self._start(address)

    def _start(self, address: str) -> None:
        log.info("starting the region's front end on %s", address)
        self.paths.logs.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, processes.TAG_ENV: processes.tag(self.paths.region_id, "region"),
               "AZLAB_HOME": str(self.paths.home)}
        with (self.paths.logs / "frontend.log").open("ab") as out:
            # `setsid -f` forks: the front end is nobody's child and leads its own session, so neither Ray
            # (which kills a dead worker's children and process group) nor the controller's death reaches it.
            subprocess.run(["setsid", "-f", sys.executable, "-m", "azlab.cluster.frontend", "--home",
                            str(self.paths.home)], env=env, stdin=subprocess.DEVNULL, stdout=out,
                           stderr=subprocess.STDOUT, check=True, timeout=10)

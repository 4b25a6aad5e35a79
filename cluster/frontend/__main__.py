"""The region's front end process: `python -m azlab.cluster.frontend --home <region home>`.

See the package docstring for what it serves and why it runs apart from the
controller. It exits when the AWS endpoint's address is taken (another front
end serves it); a configuration endpoint that cannot bind yet is tried again
at the next look at the store.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from pathlib import Path

import grpc

from azlab.cluster.aws import AwsEndpoint
from azlab.cluster.config import Paths, RegionConfig
from azlab.cluster.elasticache.config_endpoint import ConfigEndpoint
from azlab.cluster.elasticache.model import SERVICE as ELASTICACHE, CacheCluster
from azlab.cluster.frontend import AWS_ENDPOINT_KEY
from azlab.cluster.runtime import make_network
from azlab.cluster.sqs.aws import SqsJsonProtocol
from azlab.cluster.sqs.router import LeaderRouter, ReplicaChannels, ReplicaLeadership
from azlab.cluster.sqs.service import ACTIVE_KEY, SERVICE as SQS, Placement
from azlab.cluster.state import Store
from azlab.sqs.v1 import sqs_pb2, sqs_pb2_grpc

log = logging.getLogger("azlab.cluster.frontend")
REFRESH_INTERVAL_S = 0.5  # how soon a new replica placement or Memcached node shows
ACTIVATE_INTERVAL_S = 1.0
ACTIVATE_TIMEOUT_S = 2.0


class Frontend:
    def __init__(self, paths: Paths):
        self.paths = paths
        self.store = Store(paths.state_db, readonly=True)
        self.region_address = make_network(RegionConfig.from_dict(self.store.get("config")), paths).region_address()
        self.placements: dict[str, Placement] = {}
        self.clusters: dict[str, CacheCluster] = {}
        self.active = False
        self.channels = ReplicaChannels()
        self.leadership = ReplicaLeadership(lambda: self.placements, self.channels, self._activate)
        self.router = LeaderRouter(self.leadership, self.channels)
        self.aws = AwsEndpoint([SqsJsonProtocol(self.router)],
                               identity={"region_id": paths.region_id, "pid": os.getpid()})
        self.config_endpoints: dict[str, ConfigEndpoint] = {}
        self._activating_since = float("-inf")
        self._tasks: list[asyncio.Task] = []

    async def serve(self) -> None:
        self.refresh()
        host, port = self.store.get(AWS_ENDPOINT_KEY).rsplit(":", 1)
        await self.aws.start(host, int(port))  # raises when taken: that front end serves, this one exits
        log.info("serving the AWS endpoint on %s:%s", host, port)
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self.leadership.run())]
        while True:
            self.refresh()
            await self._open_config_endpoints()
            await asyncio.sleep(REFRESH_INTERVAL_S)

    def refresh(self) -> None:
        """Re-read the static facts the controller persisted."""
        self.placements = {p["replica_id"]: Placement(**p) for p in self.store.resources(SQS, "member")}
        self.active = bool(self.store.get(ACTIVE_KEY, False))
        self.clusters = {c.cache_cluster_id: c for c in map(CacheCluster.from_doc, self.store.resources(ELASTICACHE,
                                                                                                "cache-cluster"))}

    async def _open_config_endpoints(self) -> None:
        for cluster_id in [c for c, e in self.config_endpoints.items()
                           if c not in self.clusters or self.clusters[c].config_port != e.port]:
            await self.config_endpoints.pop(cluster_id).close()
        for cluster_id, cluster in self.clusters.items():
            if cluster_id in self.config_endpoints or cluster.status == "deleting":
                continue
            endpoint = ConfigEndpoint(self.region_address, cluster.config_port,
                                      lambda c=cluster_id: self.clusters[c])
            try:
                await endpoint.start()
            except OSError as e:
                log.warning("configuration endpoint of %s not open yet: %s", cluster_id, e)
                continue
            self.config_endpoints[cluster_id] = endpoint

    def _activate(self) -> None:
        """A call came before the region's replicas run: have the controller start them (its gRPC API activates
        SQS on any call), at most once a second; the router meanwhile waits for a leader, as it would anyway."""
        loop = asyncio.get_running_loop()
        if self.active or loop.time() - self._activating_since < ACTIVATE_INTERVAL_S:
            return
        self._activating_since = loop.time()
        self._tasks.append(loop.create_task(self._ask_controller()))

    async def _ask_controller(self) -> None:
        self._tasks = [t for t in self._tasks if not t.done()]
        try:
            async with grpc.aio.insecure_channel(self.store.get("endpoint", "")) as channel:
                await sqs_pb2_grpc.SqsStub(channel).ListQueues(sqs_pb2.ListQueuesRequest(), timeout=ACTIVATE_TIMEOUT_S)
        except grpc.aio.AioRpcError:
            pass  # the call itself waits for a leader: cut short on purpose, the replicas start regardless


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m azlab.cluster.frontend")
    parser.add_argument("--home", required=True, help="the region home (AZLAB_HOME) whose store is read")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(Frontend(Paths(Path(args.home))).serve())


if __name__ == "__main__":
    main()

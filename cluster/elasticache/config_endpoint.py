"""A Memcached cluster's configuration endpoint: ElastiCache Auto Discovery's `config get cluster`.

Served by the region's front end (`azlab.cluster.frontend`), on the region
node (outside every AZ, so it answers while any AZ is down) and apart from the
controller (so it answers while the controller restarts), from the cluster as
the controller persisted it. The reply is the one ElastiCache's cluster
clients parse:

    CONFIG cluster 0 <bytes>\\r\\n<version>\\n<host>|<ip>|<port> ...\\n\\r\\nEND\\r\\n
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from azlab.cluster.elasticache.model import CacheCluster


def config_reply(cluster: CacheCluster) -> bytes:
    nodes = " ".join(f"{m.address}|{m.address}|{m.port}" for m in cluster.members)
    body = f"{cluster.config_version}\n{nodes}\n".encode()
    return b"CONFIG cluster 0 %d\r\n%s\r\nEND\r\n" % (len(body), body)


async def serves(address: str, cluster: CacheCluster, timeout_s: float = 1.0) -> bool:
    """Whether the configuration endpoint at `address` answers `config get cluster` with `cluster` as it is."""
    try:
        async with asyncio.timeout(timeout_s):
            reader, writer = await asyncio.open_connection(address, cluster.config_port)
            try:
                writer.write(b"config get cluster\r\n")
                await writer.drain()
                return await reader.readuntil(b"END\r\n") == config_reply(cluster)
            finally:
                writer.close()
    except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return False


class ConfigEndpoint:
    def __init__(self, address: str, port: int, cluster: Callable[[], CacheCluster]):
        self.address = address
        self.port = port
        self.cluster = cluster  # read at every request: nodes added or removed show as soon as they are read
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.address, self.port, reuse_address=True)

    async def close(self) -> None:
        if self._server:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                words = line.decode(errors="replace").split()
                if words == ["config", "get", "cluster"]:
                    writer.write(config_reply(self.cluster()))
                elif words == ["version"]:
                    writer.write(b"VERSION 1.6.18\r\n")
                elif words == ["quit"]:
                    break
                else:
                    writer.write(b"ERROR\r\n")
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

"""The sidecar next to one Redis engine: that engine's member of the replicated runtime.

The region tells the sidecar (azlab.member.v1.Member, Configure) the engine's
role under its node group's epoch; the sidecar makes the engine play it over
Redis's own commands and says what the engine reports (Status). Its
`EpochGuard` refuses an older epoch, and makes a newer one durable (the state
file) before anything acts on it.

Fencing: a primary told a newer epoch that names another leader stops taking
writes before the Configure is answered. Without cluster mode that is
`REPLICAOF <new primary>`: from that command on the engine is a read-only
replica (a write is refused with READONLY), and it stays one if this sidecar
dies, since the engine itself holds it; a pause would end with the process
renewing it. In cluster mode Redis refuses REPLICAOF, and CLUSTER REPLICATE
on a primary that owns slots, so the engine is held with `CLIENT PAUSE WRITE`
(writes wait, reads go on), renewed until the cluster's gossip has made it a
replica of the new primary, then lifted: the waiting writes are then answered
by a replica (MOVED), never acknowledged by a stale primary.

The sidecar answers Status while its engine is down (role "down", no
position): the region tells a dead engine from a dead node.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from pathlib import Path

import redis.asyncio as aioredis
from google.protobuf.message import DecodeError

from azlab.common.errors import AzlabError, InvalidParameterValue
from azlab.common.members import EpochGuard, serve_member
from azlab.elasticache.v1.member_pb2 import RedisMemberDetail, RedisMemberSettings
from azlab.member.v1 import member_pb2, member_pb2_grpc

log = logging.getLogger(__name__)

PRIMARY, REPLICA = "primary", "replica"
# Below the region's probe timeout, so that a hung engine is reported "down" rather than the sidecar silent.
ENGINE_TIMEOUT_S = 0.5
FENCE_PAUSE_MS = 2000  # one CLIENT PAUSE of a fenced cluster-mode primary; renewed well before it ends
FENCE_RENEW_S = 0.1


class EngineUnavailable(AzlabError):
    code = "EngineUnavailable"
    status = "UNAVAILABLE"


class Sidecar:
    """One engine's role and epoch: the last configuration admitted is kept in `state_file`."""

    def __init__(self, member_id: str, engine: tuple[str, int], state_file: Path):
        self.member_id = member_id
        self.state_file = state_file
        self.engine = aioredis.Redis(host=engine[0], port=engine[1], socket_timeout=ENGINE_TIMEOUT_S,
                                     socket_connect_timeout=ENGINE_TIMEOUT_S, decode_responses=True)
        self.told = member_pb2.ConfigureRequest()  # the configuration held: epoch, leader, settings
        if state_file.exists():
            try:
                self.told = member_pb2.ConfigureRequest.FromString(state_file.read_bytes())
            except DecodeError as e:  # not ours: hold nothing until told
                log.warning("ignoring state file %s: %r", state_file, e)
        self._incoming = self.told
        self.guard = EpochGuard(self.told.epoch, lambda epoch: self._persist())
        self._fence: asyncio.Task | None = None

    def _persist(self) -> None:
        """The configuration being admitted, made durable (whole or not at all) before it is acted on."""
        scratch = self.state_file.with_suffix(".tmp")
        scratch.write_bytes(self._incoming.SerializeToString())
        os.replace(scratch, self.state_file)

    async def configure(self, request: member_pb2.ConfigureRequest) -> None:
        """Hold `request` unless its epoch is older than the one held (StaleEpoch), then make the engine play its
        role; the same configuration again is applied again (an engine restarted since may have lost it)."""
        settings = _settings(request)
        self._incoming = request
        if not self.guard.admit(request.epoch) and request != self.told:
            self._persist()  # told more under the epoch it holds (the first leader of epoch 0)
        self.told = request
        try:
            await self._apply(settings)
        except (OSError, aioredis.RedisError) as e:
            raise EngineUnavailable(f"the engine of {self.member_id} was not told its role: {e}") from e

    async def _apply(self, settings: RedisMemberSettings) -> None:
        if not settings.cluster_enabled:
            if settings.role == PRIMARY:
                await self.engine.execute_command("REPLICAOF", "NO", "ONE")  # a primary already: nothing happens
            else:  # the fence too: from here the engine refuses writes (READONLY)
                await self.engine.execute_command("REPLICAOF", settings.primary_address, settings.primary_port)
            return
        role = (await self.engine.info("replication"))["role"]
        if settings.role == PRIMARY:
            self._unfence()
            if role != "master":  # the region has decided: no vote among the primaries is needed
                await self.engine.execute_command("CLUSTER", "FAILOVER", "TAKEOVER")
        elif role == "master" and await self._owns_slots() and not self._fenced():
            await self.engine.execute_command("CLIENT", "PAUSE", FENCE_PAUSE_MS, "WRITE")
            self._fence = asyncio.get_running_loop().create_task(self._hold_fence())

    async def _owns_slots(self) -> bool:
        """A cluster primary serving slots (one not joined yet owns none, and takes no writes to fence)."""
        nodes = await self.engine.execute_command("CLUSTER", "NODES")
        mine = next(line.split() for line in str(nodes).splitlines() if "myself" in line.split()[2])
        return len(mine) > 8

    def _fenced(self) -> bool:
        return self._fence is not None and not self._fence.done()

    def _unfence(self) -> None:
        if self._fenced():
            self._fence.cancel()

    async def _hold_fence(self) -> None:
        """Renew the pause until the engine is a replica, then lift it (its paused writes are then redirected)."""
        while True:
            try:
                if (await self.engine.info("replication"))["role"] != "master":
                    await self.engine.execute_command("CLIENT", "UNPAUSE")
                    return
                await self.engine.execute_command("CLIENT", "PAUSE", FENCE_PAUSE_MS, "WRITE")
            except (OSError, aioredis.RedisError) as e:  # a dead engine takes no writes; a live one is tried again
                log.info("renewing the fence of %s: %s", self.member_id, e)
            await asyncio.sleep(FENCE_RENEW_S)

    async def status(self) -> member_pb2.MemberStatus:
        status = member_pb2.MemberStatus(member_id=self.member_id, epoch=self.guard.epoch, leader=self.told.leader)
        try:
            info = await self.engine.info("replication")
        except (OSError, aioredis.RedisError):
            status.role = "down"
            return status
        detail = RedisMemberDetail(writes_paused=self._fenced())
        if info["role"] == "master":
            status.role, detail.link_up, detail.offset = "master", True, int(info["master_repl_offset"])
        else:
            status.role = "replica"
            detail.master_address, detail.master_port = info["master_host"], int(info["master_port"])
            detail.link_up = info.get("master_link_status") == "up"
            detail.offset = int(info.get("slave_repl_offset", 0))
        status.position.append(detail.offset)
        status.detail.Pack(detail)
        return status

    async def close(self) -> None:
        self._unfence()
        await self.engine.aclose()


def _settings(request: member_pb2.ConfigureRequest) -> RedisMemberSettings:
    settings = RedisMemberSettings()
    if not request.settings.Unpack(settings):
        raise InvalidParameterValue(f"settings must be {RedisMemberSettings.DESCRIPTOR.full_name}, "
                                    f"not {request.settings.type_url or 'empty'}")
    if settings.role not in (PRIMARY, REPLICA):
        raise InvalidParameterValue(f"role must be {PRIMARY!r} or {REPLICA!r}, not {settings.role!r}")
    if settings.role == REPLICA and not settings.cluster_enabled and not (settings.primary_address and settings.primary_port):
        raise InvalidParameterValue("a replica needs the primary's address and port to follow")
    return settings


class SidecarMember(member_pb2_grpc.MemberServicer):
    """azlab.member.v1.Member over one engine's sidecar."""

    def __init__(self, sidecar: Sidecar):
        self.sidecar = sidecar

    async def Configure(self, request, context):
        await self.sidecar.configure(request)
        return await self.sidecar.status()

    async def Status(self, request, context):
        return await self.sidecar.status()


async def serve(member_id: str, listen: str, engine: tuple[str, int], state_file: Path) -> None:
    sidecar = Sidecar(member_id, engine, state_file)
    server, _ = await serve_member(SidecarMember(sidecar), listen)
    log.info("sidecar of %s on %s, engine %s:%d, epoch %d", member_id, listen, *engine, sidecar.guard.epoch)
    try:
        await server.wait_for_termination()
    finally:
        await sidecar.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m azlab.nodes.elasticache.sidecar",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--member-id", required=True)
    parser.add_argument("--listen", required=True, help="host:port of azlab.member.v1.Member and grpc.health.v1")
    parser.add_argument("--engine", required=True, help="host:port of the Redis engine")
    parser.add_argument("--state-file", type=Path, required=True)
    parser.add_argument("--az", default="")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {args.az} %(levelname)s %(message)s")
    host, _, port = args.engine.rpartition(":")
    args.state_file.parent.mkdir(parents=True, exist_ok=True)
    asyncio.run(serve(args.member_id, args.listen, (host, int(port)), args.state_file))


if __name__ == "__main__":
    main()

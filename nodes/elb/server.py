"""One LB node: one load balancer's proxy in one AZ, on its own address, with its health checkers.

    python -m azlab.nodes.elb.server --member-id M --address A --member-port Q --state-file F --az AZ

A member of the replicated runtime (azlab.cluster.replicated), none leading:
it serves azlab.member.v1.Member and grpc.health.v1 on its address's member
port. The region tells it what to serve (Configure: an `LbNodeSettings` under
an epoch, a new epoch whenever what the LB's nodes serve changes) and asks it
what it sees (Status: its epoch, role "serving", and an `LbNodeDetail`: each
target's health as its checks see it, how many it can route to, its
counters). The `EpochGuard` refuses settings under an older epoch than it
holds; a newer epoch is written to the state file with its settings before
they are applied or answered. The state file is read at start, so a
restarted node serves at once, and the data plane keeps serving while the
controller is away (static stability).

Health checks (ELB's rules): every `interval` each registered target is
probed (TCP: a connection; HTTP: GET path, healthy only on 200), a probe
failing after `timeout`; `unhealthy_threshold` failures in a row take it out
of service, `healthy_threshold` successes bring it in. A new target starts out
of service. The node routes only to targets in service (in its own AZ unless
cross-zone balancing is on), and says how many it can route to: the region
takes a node that can route to none out of the LB's DNS name.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from azlab.common.errors import InvalidParameterValue
from azlab.common.members import EpochGuard, serve_member
from azlab.elb.v1.lbnode_pb2 import (Certificate, LbNodeCounters, LbNodeDetail, LbNodeHealthCheck, LbNodeListener,
                                     LbNodeSettings, LbNodeState, TargetHealth)
from azlab.member.v1 import member_pb2, member_pb2_grpc
from azlab.nodes.elb.proxy import Balancer, HttpFrontend, Target, TcpFrontend

log = logging.getLogger("elb-node")
SWEEP_INTERVAL_S = 1.0
HEALTH_READ_LIMIT = 65536
ROLE = "serving"  # LB nodes lead nothing: each serves what it is told


def _bound_by(listener: LbNodeListener) -> tuple:
    """What a listener's socket is made with; any other setting changes without closing it."""
    return listener.protocol, listener.certificate


class LbNode:
    def __init__(self, address: str, az: str, state_file: Path | None = None):
        self.address = address
        self.balancer = Balancer(az)
        self.state_file = state_file
        saved = LbNodeState()
        if state_file is not None and state_file.exists():
            saved.ParseFromString(state_file.read_bytes())
        self.saved = saved
        self.guard = EpochGuard(saved.epoch, self._persist)
        self.settings = LbNodeSettings()
        self._told = LbNodeSettings()  # what the epoch being admitted brings: persisted with it
        self.listeners: dict[int, tuple[LbNodeListener, asyncio.AbstractServer | None]] = {}
        self.errors: dict[int, str] = {}
        self.checkers: dict[str, asyncio.Task] = {}
        self.sweeper: asyncio.Task | None = None

    async def start(self) -> None:
        if self.saved.HasField("settings"):
            await self.apply(self.saved.settings)
        self.sweeper = asyncio.get_running_loop().create_task(self._sweep_forever())

    async def close(self) -> None:
        for task in [*self.checkers.values(), self.sweeper]:
            if task:
                task.cancel()
        for _, server in self.listeners.values():
            if server is not None:  # None: still being bound
                server.close()
        for frontend in list(self.balancer.frontends):
            frontend.transport.abort()

    async def configure(self, epoch: int, settings: LbNodeSettings) -> None:
        """Serve `settings`, told under `epoch`: StaleEpoch when older than the epoch held; the held epoch told
        again keeps what it first brought (a repeated push); a newer one is persisted with them, then applied."""
        self._told = settings
        if self.guard.admit(epoch):
            await self.apply(settings)

    def _persist(self, epoch: int) -> None:
        if self.state_file is None:
            return
        scratch = self.state_file.with_suffix(".tmp")
        scratch.write_bytes(LbNodeState(epoch=epoch, settings=self._told).SerializeToString())
        os.replace(scratch, self.state_file)  # whole or not at all

    async def apply(self, settings: LbNodeSettings) -> None:
        balancer = self.balancer
        old_check = self.settings.health_check
        self.settings = settings
        balancer.cross_zone = settings.cross_zone
        balancer.draining = (settings.draining, settings.draining_timeout)
        balancer.idle_timeout = float(settings.idle_timeout)
        # targets: new ones start out of service; gone ones drain
        wanted = {t.id: t for t in settings.targets}
        dropped = [t for t in balancer.targets if t not in wanted or balancer.targets[t].address != wanted[t].address]
        if dropped or wanted.keys() - balancer.targets.keys():
            # a target dropped or added starts out of service: worth a line when an LB node answers 503
            log.info("told targets %s; dropping %s", sorted(f"{t.id}@{t.address}" for t in wanted.values()), dropped)
        for target_id in dropped:
            target = balancer.targets.pop(target_id)
            self._stop_checker(target_id)
            target.in_service = False
            balancer.rebuild()
            balancer.take_out(target)
        for target_id, spec in wanted.items():
            if target_id not in balancer.targets:
                balancer.targets[target_id] = Target(target_id, spec.address, spec.az)
            balancer.targets[target_id].az = spec.az
        if old_check != settings.health_check:
            for target_id in list(self.checkers):
                self._stop_checker(target_id)
        for target_id, target in balancer.targets.items():
            if target_id not in self.checkers:
                self.checkers[target_id] = asyncio.get_running_loop().create_task(self._check_forever(target))
        balancer.rebuild()
        await self._listen(settings)

    def _stop_checker(self, target_id: str) -> None:
        task = self.checkers.pop(target_id, None)
        if task:
            task.cancel()

    async def _listen(self, settings: LbNodeSettings) -> None:
        """Listen as `settings` say. A listener keeps its socket while its protocol and certificate stay
        (closing it would reset the connections waiting in its backlog); new connections take its settings."""
        wanted = {x.port: x for x in settings.listeners}
        for port in list(self.listeners):
            if port not in wanted or _bound_by(self.listeners[port][0]) != _bound_by(wanted[port]):
                self.listeners.pop(port)[1].close()
            else:
                self.listeners[port] = (wanted[port], self.listeners[port][1])
        loop = asyncio.get_running_loop()
        for port, listener in wanted.items():
            if port in self.listeners:
                continue
            if listener.protocol in ("HTTP", "HTTPS"):
                factory = lambda port=port: HttpFrontend(self.balancer, self.listeners[port][0], port)  # noqa: E731
            else:
                factory = lambda port=port: TcpFrontend(self.balancer, self.listeners[port][0])  # noqa: E731
            try:
                tls = self._tls(port, listener.certificate) if listener.HasField("certificate") else None
                # registered before it serves: the first connection may come in while create_server yields
                self.listeners[port] = (listener, None)
                server = await loop.create_server(factory, self.address, port, reuse_address=True, backlog=1024, ssl=tls)
            except (OSError, ssl.SSLError) as e:
                self.listeners.pop(port, None)
                self.errors[port] = f"cannot listen on {self.address}:{port}: {getattr(e, 'strerror', None) or e}"
                log.warning("%s", self.errors[port])
                continue
            self.errors.pop(port, None)
            self.listeners[port] = (self.listeners[port][0], server)

    def _tls(self, port: int, certificate: Certificate) -> ssl.SSLContext:
        """A server context from the told PEMs (ssl loads a chain from files only: a private one, 0600)."""
        folder = self.state_file.parent if self.state_file else Path(tempfile.mkdtemp(prefix="elb-node-"))
        pem = folder / f"{self.address}-{port}.pem"
        pem.touch(mode=0o600)
        pem.write_text(certificate.private_key + certificate.body + certificate.chain)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(pem)
        return context

    # health checks
    async def _check_forever(self, target: Target) -> None:
        check = self.settings.health_check
        while True:
            started = time.monotonic()
            ok, detail = await probe(check, target.address, self.address)
            if ok == target.in_service:
                target.streak = 0
            else:
                target.streak += 1
                if target.streak >= (check.healthy_threshold if ok else check.unhealthy_threshold):
                    target.in_service, target.streak = ok, 0
                    log.info("%s is %s: %s", target.id, "in service" if ok else "out of service", detail)
                    self.balancer.rebuild()
                    if not ok:
                        self.balancer.take_out(target)
            if target.in_service:
                target.description = "N/A"
            elif not ok:
                target.description = detail
            await asyncio.sleep(max(0.0, check.interval - (time.monotonic() - started)))

    async def _sweep_forever(self) -> None:
        """Close connections idle past the idle timeout (one coarse sweep, no timer per request)."""
        while True:
            await asyncio.sleep(SWEEP_INTERVAL_S)
            now = time.monotonic()
            for frontend in [f for f in self.balancer.frontends if f.idle(now)]:
                frontend.transport.close()

    def detail(self) -> LbNodeDetail:
        balancer = self.balancer
        return LbNodeDetail(
            routable=len(balancer.routable),
            listening=sorted(p for p, (_, server) in self.listeners.items() if server),
            errors=self.errors,
            targets={t.id: TargetHealth(state="InService" if t.in_service else "OutOfService", description=t.description)
                     for t in balancer.targets.values()},
            counters=LbNodeCounters(**balancer.counters))


async def probe(check: LbNodeHealthCheck, address: str, source: str) -> tuple[bool, str]:
    timeout = float(check.timeout)
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(address, check.port, local_addr=(source, 0)), timeout)
    except asyncio.TimeoutError:
        return False, "Instance has failed at least the UnhealthyThreshold number of health checks consecutively: connection timed out."
    except OSError as e:
        return False, f"Instance has failed at least the UnhealthyThreshold number of health checks consecutively: {e.strerror or e}."
    try:
        if check.protocol == "TCP":
            return True, "TCP connection established"
        writer.write(f"GET {check.path} HTTP/1.0\r\nHost: {address}:{check.port}\r\n"
                     f"User-Agent: ELB-HealthChecker/1.0\r\n\r\n".encode())
        line = await asyncio.wait_for(reader.readline(), timeout)
        parts = line.split()
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        if status != 200:  # ELB: only 200 passes
            return False, f"Health check failed with code: {status}" if status else "Health check failed: no HTTP response"
        return True, "HTTP 200"
    except (OSError, asyncio.TimeoutError, ValueError):
        return False, "Request timed out"
    finally:
        writer.close()


class LbNodeMember(member_pb2_grpc.MemberServicer):
    """azlab.member.v1.Member for one LB node: its settings in, its epoch and detail out."""

    def __init__(self, member_id: str, node: LbNode):
        self.member_id = member_id
        self.node = node

    async def Configure(self, request: member_pb2.ConfigureRequest, context) -> member_pb2.MemberStatus:
        settings = LbNodeSettings()
        if not request.settings.Unpack(settings):
            raise InvalidParameterValue(f"an LB node is told an {LbNodeSettings.DESCRIPTOR.full_name}, "
                                        f"not {request.settings.type_url or 'nothing'}")
        await self.node.configure(request.epoch, settings)
        return await self.Status(member_pb2.StatusRequest(), context)

    async def Status(self, request: member_pb2.StatusRequest, context) -> member_pb2.MemberStatus:
        status = member_pb2.MemberStatus(member_id=self.member_id, epoch=self.node.guard.epoch, role=ROLE)
        status.detail.Pack(self.node.detail())
        return status


async def serve(member_id: str, address: str, member_port: int, state_file: Path, az: str) -> None:
    node = LbNode(address, az, state_file)
    await node.start()
    server, health = await serve_member(LbNodeMember(member_id, node), f"{address}:{member_port}")
    log.info("LB node %s on %s (member port %d), epoch %d, config version %d", member_id, address, member_port,
             node.guard.epoch, node.settings.version)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await health.enter_graceful_shutdown()
    await server.stop(1.0)
    await node.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m azlab.nodes.elb.server", description=__doc__.splitlines()[0])
    parser.add_argument("--member-id", required=True)
    parser.add_argument("--address", required=True, help="the node's own: its listeners and its member port bind it")
    parser.add_argument("--member-port", type=int, required=True, help="azlab.member.v1.Member and grpc.health.v1")
    parser.add_argument("--state-file", type=Path, required=True)
    parser.add_argument("--az", default="")
    parser.add_argument("--add-address", metavar="DEVICE/PREFIXLEN",
                        help="give this host the node's address first (netns: the host's namespace has only its own)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {args.az} %(levelname)s %(message)s")
    args.state_file.parent.mkdir(parents=True, exist_ok=True)
    if args.add_address:
        device, _, length = args.add_address.partition("/")
        subprocess.run(["ip", "addr", "replace", f"{args.address}/{length}", "dev", device], check=True)
    import uvloop

    uvloop.run(serve(args.member_id, args.address, args.member_port, args.state_file, args.az))


if __name__ == "__main__":
    main()

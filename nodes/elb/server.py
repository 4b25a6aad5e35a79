"""One LB node: one load balancer's proxy in one AZ, on its own address, with its health checkers.

    python -m azlab.nodes.elb.server --address A --admin-port Q --state-file F --az AZ

Configured as the Route53 servers are (nodes/route53/server.py): the controller
pushes the node's whole config on the admin port (one JSON line per request:
{"op": "push", "config": {...}} or {"op": "status"}); the node answers with
the config's digest, so the controller pushes again only what differs. Each
config is written to the state file before it is acknowledged and read at
start, so a restarted node serves at once, and the data plane keeps serving
while the controller is away.

Health checks (ELB's rules): every `interval` each registered target is
probed (TCP: a connection; HTTP: GET path, healthy only on 200), a probe
failing after `timeout`; `unhealthy_threshold` failures in a row take it out
of service, `healthy_threshold` successes bring it in. A new target starts out
of service. The node routes only to targets in service (in its own AZ unless
cross-zone balancing is on), and says how many it can route to: the controller
takes a node that can route to none out of the LB's DNS name.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import os
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from azlab.nodes.elb.proxy import Balancer, HttpFrontend, Target, TcpFrontend

log = logging.getLogger("elb-node")
SWEEP_INTERVAL_S = 1.0
HEALTH_READ_LIMIT = 65536


def _bound_by(listener: dict) -> tuple:
    """What a listener's socket is made with; any other setting changes without closing it."""
    return listener["protocol"], listener.get("certificate")


def digest(config: dict) -> str:
    return hashlib.sha1(json.dumps(config, sort_keys=True).encode()).hexdigest()


class LbNode:
    def __init__(self, address: str, az: str, state_file: Path | None = None):
        self.address = address
        self.balancer = Balancer(az)
        self.state_file = state_file
        self.config: dict = {}
        self.digest = ""
        self.listeners: dict[int, tuple[dict, asyncio.AbstractServer | None]] = {}
        self.errors: dict[int, str] = {}
        self.checkers: dict[str, asyncio.Task] = {}
        self.sweeper: asyncio.Task | None = None

    async def start(self) -> None:
        if self.state_file is not None and self.state_file.exists():
            await self.apply(json.loads(self.state_file.read_text()))
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

    async def push(self, config: dict) -> str:
        if digest(config) != self.digest:
            if self.state_file is not None:
                scratch = self.state_file.with_suffix(".tmp")
                scratch.write_text(json.dumps(config))
                os.replace(scratch, self.state_file)  # whole or not at all
            await self.apply(config)
        return self.digest

    async def apply(self, config: dict) -> None:
        balancer = self.balancer
        old_check = self.config.get("health_check")
        self.config, self.digest = config, digest(config)
        balancer.cross_zone = config["cross_zone"]
        balancer.draining = (config["draining"]["enabled"], config["draining"]["timeout"])
        balancer.idle_timeout = float(config["idle_timeout"])
        # targets: new ones start out of service; gone ones drain
        wanted = {t["id"]: t for t in config["targets"]}
        for target_id in [t for t in balancer.targets if t not in wanted or
                          balancer.targets[t].address != wanted[t]["address"]]:
            target = balancer.targets.pop(target_id)
            self._stop_checker(target_id)
            target.in_service = False
            balancer.rebuild()
            balancer.take_out(target)
        for target_id, spec in wanted.items():
            if target_id not in balancer.targets:
                balancer.targets[target_id] = Target(target_id, spec["address"], spec["az"])
            balancer.targets[target_id].az = spec["az"]
        if old_check != config["health_check"]:
            for target_id in list(self.checkers):
                self._stop_checker(target_id)
        for target_id, target in balancer.targets.items():
            if target_id not in self.checkers:
                self.checkers[target_id] = asyncio.get_running_loop().create_task(self._check_forever(target))
        balancer.rebuild()
        await self._listen(config)

    def _stop_checker(self, target_id: str) -> None:
        task = self.checkers.pop(target_id, None)
        if task:
            task.cancel()

    async def _listen(self, config: dict) -> None:
        """Listen as `config` says. A listener keeps its socket while its protocol and certificate stay
        (closing it would reset the connections waiting in its backlog); new connections take its settings."""
        wanted = {x["port"]: x for x in config["listeners"]}
        for port in list(self.listeners):
            if port not in wanted or _bound_by(self.listeners[port][0]) != _bound_by(wanted[port]):
                self.listeners.pop(port)[1].close()
            else:
                self.listeners[port] = (wanted[port], self.listeners[port][1])
        loop = asyncio.get_running_loop()
        for port, listener in wanted.items():
            if port in self.listeners:
                continue
            if listener["protocol"] in ("HTTP", "HTTPS"):
                factory = lambda port=port: HttpFrontend(self.balancer, self.listeners[port][0], port)  # noqa: E731
            else:
                factory = lambda port=port: TcpFrontend(self.balancer, self.listeners[port][0])  # noqa: E731
            try:
                tls = self._tls(port, listener["certificate"]) if "certificate" in listener else None
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

    def _tls(self, port: int, certificate: dict) -> ssl.SSLContext:
        """A server context from the pushed PEMs (ssl loads a chain from files only: a private one, 0600)."""
        folder = self.state_file.parent if self.state_file else Path(tempfile.mkdtemp(prefix="elb-node-"))
        pem = folder / f"{self.address}-{port}.pem"
        pem.touch(mode=0o600)
        pem.write_text(certificate["private_key"] + certificate["body"] + certificate["chain"])
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(pem)
        return context

    # health checks
    async def _check_forever(self, target: Target) -> None:
        check = self.config["health_check"]
        while True:
            started = time.monotonic()
            ok, detail = await probe(check, target.address, self.address)
            if ok == target.in_service:
                target.streak = 0
            else:
                target.streak += 1
                if target.streak >= check["healthy_threshold" if ok else "unhealthy_threshold"]:
                    target.in_service, target.streak = ok, 0
                    log.info("%s is %s: %s", target.id, "in service" if ok else "out of service", detail)
                    self.balancer.rebuild()
                    if not ok:
                        self.balancer.take_out(target)
            if target.in_service:
                target.description = "N/A"
            elif not ok:
                target.description = detail
            await asyncio.sleep(max(0.0, check["interval"] - (time.monotonic() - started)))

    async def _sweep_forever(self) -> None:
        """Close connections idle past the idle timeout (one coarse sweep, no timer per request)."""
        while True:
            await asyncio.sleep(SWEEP_INTERVAL_S)
            now = time.monotonic()
            for frontend in [f for f in self.balancer.frontends if f.idle(now)]:
                frontend.transport.close()

    def status(self) -> dict:
        balancer = self.balancer
        return {
            "digest": self.digest, "version": self.config.get("version", 0),
            "routable": len(balancer.routable),
            "listening": sorted(p for p, (_, server) in self.listeners.items() if server),
            "errors": {str(p): e for p, e in self.errors.items()},
            "targets": {t.id: {"state": "InService" if t.in_service else "OutOfService", "description": t.description}
                        for t in balancer.targets.values()},
            "counters": dict(balancer.counters),
        }


async def probe(check: dict, address: str, source: str) -> tuple[bool, str]:
    timeout = float(check["timeout"])
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(address, check["port"], local_addr=(source, 0)), timeout)
    except asyncio.TimeoutError:
        return False, "Instance has failed at least the UnhealthyThreshold number of health checks consecutively: connection timed out."
    except OSError as e:
        return False, f"Instance has failed at least the UnhealthyThreshold number of health checks consecutively: {e.strerror or e}."
    try:
        if check["protocol"] == "TCP":
            return True, "TCP connection established"
        writer.write(f"GET {check['path']} HTTP/1.0\r\nHost: {address}:{check['port']}\r\n"
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


async def _serve_admin(node: LbNode, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while line := await reader.readline():
            request = json.loads(line)
            if request["op"] == "push":
                await node.push(request["config"])
            writer.write(json.dumps(node.status()).encode() + b"\n")
            await writer.drain()
    except (ConnectionError, json.JSONDecodeError, KeyError) as e:
        log.info("admin connection ended: %r", e)
    finally:
        writer.close()


async def serve(address: str, admin_port: int, state_file: Path, az: str) -> None:
    node = LbNode(address, az, state_file)
    await node.start()
    admin = await asyncio.start_server(lambda r, w: _serve_admin(node, r, w), address, admin_port)
    log.info("LB node on %s (admin %d), config version %s", address, admin_port, node.config.get("version", 0))
    async with admin:
        await admin.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", required=True)
    parser.add_argument("--admin-port", type=int, required=True)
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

    uvloop.run(serve(args.address, args.admin_port, args.state_file, args.az))


if __name__ == "__main__":
    main()

"""One AZ's Route53 name server: authoritative DNS over UDP and TCP, and that AZ's health checkers.

    python -m azlab.nodes.route53.server --member-id M --address A --port P --member-port Q --state-file F --az AZ

It is a member of the replicated runtime, none leading (azlab.member.v1.Member
and grpc.health.v1 on the member port): the region tells it, in Configure, the
azlab.route53.v1.NameServerSettings to serve under an epoch, a new one
whenever the zone data or its health changes. The `EpochGuard` refuses an
older epoch (StaleEpoch), so pushes may repeat and cross; a newer one is
written to the state file with its settings (the ConfigureRequest itself,
whole or not at all) before they are served and acknowledged. Why push and
not pull: the region knows the moment a change is committed and learns from
the answer that this server serves it, which is exactly PENDING -> INSYNC;
the server needs to know nothing of where the controller is. The state file
is read at start, so the server answers from what it was last told, before
any Configure, while the controller is down or after this process restarted
(static stability).

The checkers run every health check of the settings from this AZ and report
their verdicts in Status (NameServerDetail.votes); the region counts the votes
of the living checkers and tells every server the outcome. HTTPS checks speak
TLS without verifying the certificate (as Route53), with the
FullyQualifiedDomainName as SNI when set. CALCULATED checks probe nothing: the
region derives them from their children's health.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import ssl
import struct
import time
from pathlib import Path

from google.protobuf.message import DecodeError

from azlab.common.errors import InvalidParameterValue
from azlab.common.members import EpochGuard, serve_member
from azlab.member.v1 import member_pb2, member_pb2_grpc
from azlab.nodes.route53.answer import Answerer, Draws
from azlab.route53.v1.nameserver_pb2 import NameServerDetail, NameServerSettings

HealthCheck = NameServerSettings.HealthCheck

log = logging.getLogger("route53-server")
CACHE_LIMIT = 50_000  # fixed answers kept per snapshot; cleared on every push
HTTP_READ_LIMIT = 5120  # Route53 searches the first 5,120 bytes of the body
TCP_IDLE_TIMEOUT_S = 10.0


class Checker:
    """One health check run from this AZ: healthy until `failure_threshold` failures in a row, and back after as many successes."""

    def __init__(self, spec: HealthCheck, source: str):
        self.spec = spec
        self.source = source
        self.healthy = True
        self.detail = "Success: not checked yet"
        self.checked_at = 0.0
        self.streak = 0  # consecutive results that disagree with `healthy`
        self.task: asyncio.Task | None = None

    async def run_forever(self) -> None:
        while True:
            started = time.monotonic()
            ok, detail = await self.probe()
            self.checked_at, self.detail = time.time(), detail
            self.streak = 0 if ok == self.healthy else self.streak + 1
            if self.streak >= self.spec.failure_threshold:
                self.healthy, self.streak = ok, 0
            await asyncio.sleep(max(0.0, self.spec.request_interval - (time.monotonic() - started)))

    async def probe(self) -> tuple[bool, str]:
        spec = self.spec
        timeout = min(4.0, float(spec.request_interval))
        secure = spec.type.startswith("HTTPS")
        tls = {"ssl": _insecure_tls(), "server_hostname": spec.fully_qualified_domain_name or ""} if secure else {}
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(spec.ip_address, spec.port, local_addr=(self.source, 0), **tls), timeout)
        except ssl.SSLError as e:
            return False, f"Failure: TLS handshake failed: {e.reason or type(e).__name__}"
        except (OSError, asyncio.TimeoutError) as e:
            return False, f"Failure: could not connect: {type(e).__name__}"
        try:
            if spec.type == "TCP":
                return True, "Success: TCP connection established"
            host = spec.fully_qualified_domain_name or spec.ip_address
            writer.write(f"GET {spec.resource_path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: azlab-route53-health-check\r\n"
                         f"Connection: close\r\n\r\n".encode())
            body = await asyncio.wait_for(_read_response(reader), timeout)
            status_line, _, rest = body.partition(b"\r\n")
            parts = status_line.split()
            status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
            if not 200 <= status < 400:
                return False, f"Failure: HTTP status code {status}"
            if spec.type.endswith("_STR_MATCH"):
                payload = rest.partition(b"\r\n\r\n")[2][:HTTP_READ_LIMIT]
                if spec.search_string.encode() not in payload:
                    return False, "Failure: the response body did not contain the search string"
            return True, f"Success: HTTP status code {status}"
        except (OSError, asyncio.TimeoutError, ValueError) as e:
            return False, f"Failure: {type(e).__name__}"
        finally:
            writer.close()


def _insecure_tls() -> ssl.SSLContext:
    """Route53's checkers do not validate the target's certificate: any certificate, any name."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def _read_response(reader: asyncio.StreamReader) -> bytes:
    data = b""
    while len(data) < HTTP_READ_LIMIT + 4096:
        chunk = await reader.read(4096)
        if not chunk:
            break
        data += chunk
    return data


class NameServer:
    """What this AZ serves: the settings it was last told (kept in `state_file`), answered and checked from here."""

    def __init__(self, address: str, state_file: Path):
        self.address = address
        self.state_file = state_file
        self.answerer = Answerer(NameServerSettings())
        self.cache: dict[tuple[bytes, str, bool], bytes] = {}
        # answers with weighted choices: the choices each needs, and the response for each outcome seen
        self.variants: dict[tuple[bytes, str, bool], tuple[list, dict[tuple[int, ...], bytes]]] = {}
        self.checkers: dict[str, Checker] = {}
        self._incoming = member_pb2.ConfigureRequest()  # a Configure's request while the guard admits it
        epoch = 0
        if state_file.exists():  # the last configuration admitted: its epoch and settings
            try:
                told = member_pb2.ConfigureRequest.FromString(state_file.read_bytes())
                self.load(_settings(told))
                epoch = told.epoch
            except (DecodeError, InvalidParameterValue) as e:  # not ours (an older format): serve nothing until told
                log.warning("ignoring state file %s: %r", state_file, e)
        self.guard = EpochGuard(epoch, self._persist)

    @property
    def version(self) -> int:
        return self.answerer.version

    def configure(self, request: member_pb2.ConfigureRequest) -> None:
        """Serve `request`'s settings if its epoch is newer than the one held (durably first); the same epoch
        again changes nothing; an older one is refused with StaleEpoch."""
        settings = _settings(request)
        self._incoming = request
        if self.guard.admit(request.epoch):
            self.load(settings)

    def _persist(self, epoch: int) -> None:
        """The request being admitted, epoch and settings, made durable before they are served."""
        scratch = self.state_file.with_suffix(".tmp")
        scratch.write_bytes(self._incoming.SerializeToString())
        os.replace(scratch, self.state_file)  # whole or not at all

    def load(self, settings: NameServerSettings) -> None:
        self.answerer = Answerer(settings)
        self.cache, self.variants = {}, {}
        wanted = {h.id: h for h in settings.health_checks if h.type != "CALCULATED"}
        for hc_id in list(self.checkers):
            if hc_id not in wanted or self.checkers[hc_id].spec != wanted[hc_id]:
                checker = self.checkers.pop(hc_id)
                if checker.task:
                    checker.task.cancel()
        for hc_id, spec in wanted.items():
            if hc_id not in self.checkers:
                self.checkers[hc_id] = Checker(spec, self.address)
        self.start_checkers()

    def start_checkers(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # before the loop runs: started by serve()
        for checker in self.checkers.values():
            if checker.task is None:
                checker.task = loop.create_task(checker.run_forever())

    def detail(self) -> NameServerDetail:
        return NameServerDetail(version=self.version, votes={
            hc_id: NameServerDetail.Vote(healthy=c.healthy, detail=c.detail, checked_at=c.checked_at)
            for hc_id, c in self.checkers.items() if c.checked_at})

    def respond(self, wire: bytes, client: str, tcp: bool = False) -> bytes | None:
        key = (wire[2:], client, tcp)
        if (cached := self.cache.get(key)) is not None:
            return wire[:2] + cached  # the same answer under the query's own ID
        known = self.variants.get(key)
        replay: tuple[int, ...] = ()
        if known is not None:
            decisions, outcomes = known
            replay = tuple(random.choices(range(n), weights=w)[0] for n, w in decisions)
            if (cached := outcomes.get(replay)) is not None:
                return wire[:2] + cached
        draws = Draws(replay)
        response, fixed = self.answerer.respond(wire, client, tcp, draws)
        if response is None or len(self.cache) + len(self.variants) >= CACHE_LIMIT:
            return response
        if fixed:
            self.cache[key] = response[2:]
        elif not draws.sampled:
            decisions, outcomes = self.variants.setdefault(key, (draws.decisions, {}))
            if draws.decisions == decisions:  # the same choices to make: the outcome is cacheable
                outcomes[tuple(draws.made)] = response[2:]
        return response


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, server: NameServer):
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        try:
            response = self.server.respond(data, addr[0])
        except Exception:  # a query must never take the server down
            log.exception("answering %s failed", addr)
            return
        if response is not None:
            self.transport.sendto(response, addr)


async def _serve_tcp(server: NameServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    client = writer.get_extra_info("peername")[0]
    try:
        while True:
            # an idle or trickling client does not hold a connection for ever (RFC 7766's idle timeout)
            (length,) = struct.unpack("!H", await asyncio.wait_for(reader.readexactly(2), TCP_IDLE_TIMEOUT_S))
            query = await asyncio.wait_for(reader.readexactly(length), TCP_IDLE_TIMEOUT_S)
            response = server.respond(query, client, tcp=True)
            if response is None:
                break
            writer.write(struct.pack("!H", len(response)) + response)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.TimeoutError):
        pass
    except Exception:
        log.exception("answering %s over TCP failed", client)
    finally:
        writer.close()


def _settings(request: member_pb2.ConfigureRequest) -> NameServerSettings:
    settings = NameServerSettings()
    if not request.settings.Unpack(settings):
        raise InvalidParameterValue(f"settings must be {NameServerSettings.DESCRIPTOR.full_name}, "
                                    f"not {request.settings.type_url or 'empty'}")
    return settings


class NameServerMember(member_pb2_grpc.MemberServicer):
    """azlab.member.v1.Member over this AZ's name server."""

    def __init__(self, member_id: str, server: NameServer):
        self.member_id = member_id
        self.server = server

    async def Configure(self, request, context):
        self.server.configure(request)
        return await self.Status(request, context)

    async def Status(self, request, context):
        status = member_pb2.MemberStatus(member_id=self.member_id, epoch=self.server.guard.epoch, role="serving")
        status.detail.Pack(self.server.detail())
        return status


async def serve(member_id: str, address: str, port: int, member_port: int, state_file: Path) -> None:
    server = NameServer(address, state_file)
    loop = asyncio.get_running_loop()
    await loop.create_datagram_endpoint(lambda: _Udp(server), local_addr=(address, port))
    tcp = await asyncio.start_server(lambda r, w: _serve_tcp(server, r, w), address, port)
    member, _ = await serve_member(NameServerMember(member_id, server), f"{address}:{member_port}")
    server.start_checkers()
    log.info("serving DNS on %s:%d (member %d), epoch %d, zone data version %d",
             address, port, member_port, server.guard.epoch, server.version)
    async with tcp:
        await asyncio.gather(tcp.serve_forever(), member.wait_for_termination())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--member-id", required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--port", type=int, required=True, help="DNS, UDP and TCP")
    parser.add_argument("--member-port", type=int, required=True, help="gRPC: azlab.member.v1.Member, grpc.health.v1")
    parser.add_argument("--state-file", type=Path, required=True)
    parser.add_argument("--az", default="")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {args.az} %(levelname)s %(message)s")
    args.state_file.parent.mkdir(parents=True, exist_ok=True)
    asyncio.run(serve(args.member_id, args.address, args.port, args.member_port, args.state_file))


if __name__ == "__main__":
    main()

"""The LB node's data plane: an L7 (HTTP/1.1) and L4 (TCP) proxy on asyncio Protocols.

The hot path is lean on purpose (bench/elb.py measures it beside HAProxy):
Protocols, not streams; httptools parses; a backend connection is kept alive
and pooled per target; a request head is built once into one bytearray; a
response is forwarded as the bytes arrive, only its head rewritten when a
stickiness cookie must go in.

HTTP: keep-alive and chunked bodies both ways (a chunked request body is
re-framed as it streams); pipelined requests are answered in order, one at a
time; X-Forwarded-For (appended to), -Proto and -Port set; hop-by-hop headers
not passed on. The node answers 503 when no target is healthy, 502 when the
backend fails before answering, 504 when it is silent past the idle timeout.
TCP: bytes both ways, half-close passed on (a client's FIN reaches the
backend as a FIN, and the backend may still answer). HTTPS and SSL listeners
are the same over TLS, ended here (a TLS client cannot half-close: the
backend's FIN closes it).

A target taken out (deregistered, or failing its health check) gets no new
request or connection; with connection draining its in-flight ones may finish
until the draining timeout, without it they are cut at once.
Not done: 100-continue is passed through as any response (no interim
handling), Upgrade (WebSocket) requests are refused with 400.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque

import httptools

from azlab.elb.v1.lbnode_pb2 import LbNodeListener

log = logging.getLogger("elb-node")
HIGH_WATER = 256 * 1024
POOL_MAX = 64  # idle keep-alive connections kept per target and port
ATTEMPTS = 3  # targets tried for a request whose connection failed before any of it was sent
HOP_BY_HOP = frozenset((b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"upgrade",
                        b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-port"))
COUNTERS = ("request_count", "http_code_backend_2xx", "http_code_backend_3xx", "http_code_backend_4xx",
            "http_code_backend_5xx", "http_code_elb_4xx", "http_code_elb_5xx", "backend_connection_errors",
            "tcp_connections")
STATUS_KEY = {2: "http_code_backend_2xx", 3: "http_code_backend_3xx", 4: "http_code_backend_4xx", 5: "http_code_backend_5xx"}
REASONS = {400: b"Bad Request", 502: b"Bad Gateway", 503: b"Service Unavailable", 504: b"Gateway Timeout"}


def error_response(status: int) -> bytes:
    body = b"%d %s\n" % (status, REASONS[status])
    return b"HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (
        status, REASONS[status], len(body), body)


class Target:
    """One registered instance as this node sees it."""

    __slots__ = ("id", "address", "az", "in_service", "streak", "description", "pools", "active", "cookie")

    def __init__(self, id: str, address: str, az: str):
        self.id = id
        self.address = address
        self.az = az
        self.in_service = False  # out of service until it passes HealthyThreshold checks, as ELB
        self.streak = 0
        self.description = "Instance registration is still in progress."
        self.pools: dict[int, list[BackendHttp]] = {}
        self.active: set = set()  # backend connections carrying a request or a TCP stream
        self.cookie = id.encode()


class Balancer:
    """Round robin over the targets this node may route to; shared by every listener of the LB."""

    def __init__(self, az: str):
        self.az = az
        self.targets: dict[str, Target] = {}
        self.routable: list[Target] = []
        self.cross_zone = False
        self.next = 0
        self.counters = dict.fromkeys(COUNTERS, 0)
        self.draining = (False, 300)
        self.idle_timeout = 60.0
        self.frontends: set = set()

    def rebuild(self) -> None:
        self.routable = [t for t in self.targets.values()
                         if t.in_service and (self.cross_zone or t.az == self.az)]

    def pick(self, tried: tuple = ()) -> Target | None:
        routable = self.routable
        for _ in range(len(routable)):
            self.next = (self.next + 1) % len(routable)
            if routable[self.next] not in tried:
                return routable[self.next]
        return None

    def sticky(self, cookie: bytes) -> Target | None:
        for target in self.routable:
            if target.cookie == cookie:
                return target
        return None

    def take_out(self, target: Target) -> None:
        """No new work for `target`; its in-flight work drains (or is cut) and its idle connections close."""
        for pool in target.pools.values():
            for backend in pool:
                backend.transport.close()
            pool.clear()
        enabled, timeout = self.draining
        active = list(target.active)
        if not active:
            return
        if not enabled:
            for backend in active:
                backend.abort()
            return
        loop = asyncio.get_running_loop()
        loop.call_later(timeout, lambda: [b.abort() for b in active if b in target.active])


# L7
class Request:
    __slots__ = ("head", "body", "complete", "chunked", "head_method", "sticky_cookie", "body_sent", "tried")

    def __init__(self):
        self.head = bytearray()
        self.body: list[bytes] = []
        self.complete = False
        self.chunked = False
        self.head_method = False
        self.sticky_cookie = b""
        self.body_sent = False  # some of its body left: it cannot be sent again elsewhere
        self.tried: tuple[Target, ...] = ()


class HttpFrontend(asyncio.Protocol):
    """A client's connection to an HTTP listener."""

    def __init__(self, balancer: Balancer, listener: LbNodeListener, port: int):
        self.balancer = balancer
        self.port = port
        self.instance_port = listener.instance_port
        stickiness = listener.stickiness  # unset: type ""
        self.sticky_type = stickiness.type
        self.app_cookie = (stickiness.cookie_name + "=").encode() if self.sticky_type == "app" else b""
        expiration = stickiness.expiration
        self.cookie_suffix = (b"; Path=/" + (b"; Max-Age=%d" % expiration if expiration else b""))
        scheme = b"https" if listener.protocol == "HTTPS" else b"http"
        self.forwarded = b"X-Forwarded-Proto: %s\r\nX-Forwarded-Port: %d\r\n\r\n" % (scheme, port)
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.queue: deque[Request] = deque()
        self.current: Request | None = None  # being parsed
        self.backend: BackendHttp | None = None  # serving queue[0]
        self.url = bytearray()
        self.client = b""
        self.last = time.monotonic()
        self.closing = False
        self.xff_given = False
        self.close_after = False  # the client asked for no keep-alive

    # asyncio
    def connection_made(self, transport) -> None:
        self.transport = transport
        self.client = transport.get_extra_info("peername")[0].encode()
        transport.set_write_buffer_limits(HIGH_WATER)
        self.balancer.frontends.add(self)

    def data_received(self, data: bytes) -> None:
        self.last = time.monotonic()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self.fail(400)
        except httptools.HttpParserError:
            self.fail(400)

    def connection_lost(self, exc) -> None:
        self.closing = True
        self.balancer.frontends.discard(self)
        if self.backend is not None:
            self.backend.abort()  # a half-sent response cannot be reused
            self.backend = None

    def pause_writing(self) -> None:
        if self.backend is not None:
            self.backend.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.backend is not None:
            self.backend.transport.resume_reading()

    def idle(self, now: float) -> bool:
        return not self.queue and now - self.last > self.balancer.idle_timeout

    # httptools callbacks
    def on_message_begin(self) -> None:
        self.current = Request()
        self.url.clear()

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        request = self.current
        lower = name.lower()
        if lower in HOP_BY_HOP:
            if lower == b"x-forwarded-for":
                request.head += b"X-Forwarded-For: " + value + b", " + self.client + b"\r\n"
                self.xff_given = True
            return
        if lower == b"transfer-encoding":
            request.chunked = b"chunked" in value.lower()
        elif lower == b"cookie" and self.sticky_type:
            at = value.find(b"AWSELB=")
            if at >= 0:
                end = value.find(b";", at)
                request.sticky_cookie = value[at + 7:end if end >= 0 else None].strip()
        request.head += name + b": " + value + b"\r\n"

    def on_headers_complete(self) -> None:
        request = self.current
        parser = self.parser
        method = parser.get_method()
        request.head_method = method == b"HEAD"
        xff = b"" if self.xff_given else b"X-Forwarded-For: " + self.client + b"\r\n"
        self.xff_given = False
        request.head = b"".join((method, b" ", self.url, b" HTTP/1.1\r\n", request.head, xff, self.forwarded))
        if not parser.should_keep_alive():
            self.close_after = True
        self.balancer.counters["request_count"] += 1
        self.queue.append(request)
        if len(self.queue) == 1:
            self.dispatch()

    def on_body(self, body: bytes) -> None:
        request = self.current
        if request.chunked:
            body = b"%x\r\n%s\r\n" % (len(body), body)
        if self.backend is not None and self.queue and self.queue[0] is request and self.backend.ready:
            request.body_sent = True
            self.backend.transport.write(body)
        else:
            request.body.append(body)

    def on_message_complete(self) -> None:
        request = self.current
        request.complete = True
        if request.chunked:
            self.on_body_end(request)
        if len(self.queue) > 1 or not self.parser.should_keep_alive():
            self.transport.pause_reading()  # one request at a time; the rest waits in the socket

    def on_body_end(self, request: Request) -> None:
        if self.backend is not None and self.queue and self.queue[0] is request and self.backend.ready:
            self.backend.transport.write(b"0\r\n\r\n")
        else:
            request.body.append(b"0\r\n\r\n")

    # proxying
    def dispatch(self) -> None:
        request = self.queue[0]
        balancer = self.balancer
        target = balancer.sticky(request.sticky_cookie) if request.sticky_cookie else None
        if target is None or target in request.tried:
            target = balancer.pick(request.tried)
        if target is None:
            self.fail(503)
            return
        pool = target.pools.get(self.instance_port)
        backend = pool.pop() if pool else None
        if backend is None:
            backend = BackendHttp(target, self.instance_port)
            backend.attach(self, request)
            asyncio.get_running_loop().create_task(backend.connect())
        else:
            backend.reused = True
            backend.attach(self, request)
            backend.send(request)
        self.backend = backend

    def response_started(self, backend: BackendHttp) -> bytes:
        """The Set-Cookie to add to this response's head, if stickiness wants one."""
        if self.sticky_type == "lb":
            request = self.queue[0]
            if request.sticky_cookie != backend.target.cookie:
                return b"Set-Cookie: AWSELB=" + backend.target.cookie + self.cookie_suffix + b"\r\n"
        return b""

    def response_done(self, backend: BackendHttp, reusable: bool) -> None:
        self.backend = None
        self.queue.popleft()
        self.last = time.monotonic()
        if reusable:
            backend.release()
        else:
            backend.transport.close()
        if self.close_after and not self.queue:
            self.transport.close()
            return
        if self.queue:
            self.dispatch()
        else:
            self.transport.resume_reading()

    def backend_failed(self, backend: BackendHttp, status: int, connect_error: bool) -> None:
        """The backend failed before its response began: another target if none of the request
        was sent (a refused connection, or a kept-alive one the backend had closed), else answer for it."""
        self.backend = None
        if connect_error:
            self.balancer.counters["backend_connection_errors"] += 1
        request = self.queue[0] if self.queue else None
        again = connect_error or backend.reused  # never a request a fresh connection may have begun to serve
        if again and request is not None and not request.body_sent and len(request.tried) + 1 < ATTEMPTS:
            request.tried += (backend.target,)
            self.dispatch()
            return
        self.fail(status)

    def fail(self, status: int) -> None:
        key = "http_code_elb_4xx" if status < 500 else "http_code_elb_5xx"
        self.balancer.counters[key] += 1
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(error_response(status))
            self.transport.close()
        self.queue.clear()


class BackendHttp(asyncio.Protocol):
    """One keep-alive connection to a target; carries one request at a time."""

    def __init__(self, target: Target, port: int):
        self.target = target
        self.port = port
        self.transport: asyncio.Transport | None = None
        self.frontend: HttpFrontend | None = None
        self.request: Request | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.ready = False
        self.reused = False  # taken from the pool: the backend may have closed it meanwhile
        self.started = False  # some of the response went to the client
        self.in_head = False
        self.head = bytearray()
        self.headers_done = False
        self.message_done = False
        self.keep_alive = True
        self.set_cookie = b""
        self.app_cookie_seen = False

    def attach(self, frontend: HttpFrontend, request: Request) -> None:
        self.frontend = frontend
        self.request = request
        self.target.active.add(self)

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.create_connection(lambda: self, self.target.address, self.port)
        except OSError:
            self.target.active.discard(self)
            if self.frontend is not None and not self.frontend.closing:
                self.frontend.backend_failed(self, 503, connect_error=True)
            return
        if self.frontend is None or self.frontend.closing:
            self.abort()
            return
        self.send(self.request)

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.set_write_buffer_limits(HIGH_WATER)

    def send(self, request: Request) -> None:
        self.ready = True
        self.started = self.headers_done = self.message_done = False
        self.in_head = bool(self.frontend.sticky_type)  # only a cookie to add needs the head held back
        self.head = bytearray()  # a new one: the transport may still hold the last
        self.set_cookie = b""
        self.app_cookie_seen = False
        self.parser = self.parser if not request.head_method else httptools.HttpResponseParser(self)
        write = self.transport.write
        write(request.head)
        if request.body:
            request.body_sent = True
            for piece in request.body:
                write(piece)
            request.body.clear()

    def release(self) -> None:
        """Back into its target's pool, unless the target is out or the pool full."""
        target = self.target
        target.active.discard(self)
        self.frontend = self.request = None
        self.ready = False
        pool = target.pools.setdefault(self.port, [])
        if target.in_service and len(pool) < POOL_MAX and not self.transport.is_closing():
            pool.append(self)
        else:
            self.transport.close()

    def abort(self) -> None:
        self.target.active.discard(self)
        if self.transport is not None:
            self.transport.abort()

    # asyncio
    def data_received(self, data: bytes) -> None:
        frontend = self.frontend
        if frontend is None:
            self.transport.close()  # an idle pooled connection that speaks: not trusted again
            return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.keep_alive = False
            self.message_done = True
            self.headers_done = True
        if self.in_head:
            self.head += data
            if not self.headers_done:
                return
            self.in_head = False
            extra = frontend.response_started(self) + self.set_cookie
            if extra:
                end = self.head.find(b"\r\n\r\n")
                self.head[end + 2:end + 2] = extra
            data = bytes(self.head)
        self.started = True
        frontend.transport.write(data)
        if self.message_done:
            frontend.response_done(self, self.keep_alive)

    def eof_received(self):
        return False

    def connection_lost(self, exc) -> None:
        self.target.active.discard(self)
        for pool in self.target.pools.values():
            if self in pool:
                pool.remove(self)
        frontend = self.frontend
        if frontend is None or frontend.closing or self.message_done:
            return
        self.frontend = None
        if self.ready and not self.started:
            frontend.backend_failed(self, 502, connect_error=False)
        else:
            # the response ran until close (no length), or broke off: the client's connection ends with it
            frontend.backend = None
            frontend.transport.close()

    def pause_writing(self) -> None:
        if self.frontend is not None:
            self.frontend.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.frontend is not None:
            self.frontend.transport.resume_reading()

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        frontend = self.frontend
        if frontend.app_cookie and name.lower() == b"set-cookie" and value.startswith(frontend.app_cookie):
            self.set_cookie = b"Set-Cookie: AWSELB=" + self.target.cookie + b"; Path=/\r\n"

    def on_headers_complete(self) -> None:
        self.headers_done = True
        counters = self.frontend.balancer.counters
        status = self.parser.get_status_code()
        counters[STATUS_KEY.get(status // 100, "http_code_backend_2xx")] += 1 if status >= 200 else 0
        self.keep_alive = self.parser.should_keep_alive()
        if self.request.head_method or status in (204, 304):
            self.message_done = True
            self.parser = httptools.HttpResponseParser(self)

    def on_message_complete(self) -> None:
        self.message_done = True


# L4
class TcpFrontend(asyncio.Protocol):
    """A client's connection to a TCP listener: one backend connection, bytes both ways."""

    def __init__(self, balancer: Balancer, listener: LbNodeListener):
        self.balancer = balancer
        self.instance_port = listener.instance_port
        self.transport = None
        self.backend: TcpBackend | None = None
        self.pending: list[bytes] = []
        self.eof = False
        self.last = time.monotonic()
        self.closing = False

    def connection_made(self, transport) -> None:
        self.transport = transport
        balancer = self.balancer
        balancer.counters["tcp_connections"] += 1
        target = balancer.pick()
        if target is None:
            transport.close()
            return
        balancer.frontends.add(self)
        self.backend = TcpBackend(self, target)
        target.active.add(self.backend)
        asyncio.get_running_loop().create_task(self._connect(target))

    async def _connect(self, target: Target) -> None:
        try:
            await asyncio.get_running_loop().create_connection(lambda: self.backend, target.address, self.instance_port)
        except OSError:
            target.active.discard(self.backend)
            self.balancer.counters["backend_connection_errors"] += 1
            self.transport.close()
            return
        if self.closing:
            self.backend.abort()
            return
        for piece in self.pending:
            self.backend.transport.write(piece)
        self.pending.clear()
        if self.eof:
            self.backend.transport.write_eof()

    def data_received(self, data: bytes) -> None:
        self.last = time.monotonic()
        backend = self.backend
        if backend is not None and backend.transport is not None:
            backend.transport.write(data)
        else:
            self.pending.append(data)

    def eof_received(self):
        self.eof = True
        backend = self.backend
        if backend is not None and backend.transport is not None:
            backend.transport.write_eof()
            if backend.eof:
                self.transport.close()
        return True  # keep our sending side open: the backend may still answer

    def connection_lost(self, exc) -> None:
        self.closing = True
        self.balancer.frontends.discard(self)
        if self.backend is not None and self.backend.transport is not None:
            self.backend.transport.close()

    def pause_writing(self) -> None:
        if self.backend is not None and self.backend.transport is not None:
            self.backend.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.backend is not None and self.backend.transport is not None:
            self.backend.transport.resume_reading()

    def idle(self, now: float) -> bool:
        return now - self.last > self.balancer.idle_timeout


class TcpBackend(asyncio.Protocol):
    def __init__(self, frontend: TcpFrontend, target: Target):
        self.frontend = frontend
        self.target = target
        self.transport = None
        self.eof = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.frontend.last = time.monotonic()
        self.frontend.transport.write(data)

    def eof_received(self):
        self.eof = True
        front = self.frontend.transport
        if not front.can_write_eof():  # TLS: no half-close to pass on, the connection ends
            front.close()
            return False
        front.write_eof()
        if self.frontend.eof:
            self.transport.close()
        return True

    def connection_lost(self, exc) -> None:
        self.target.active.discard(self)
        self.frontend.transport.close()

    def abort(self) -> None:
        self.target.active.discard(self)
        if self.transport is not None:
            self.transport.abort()

    def pause_writing(self) -> None:
        self.frontend.transport.pause_reading()

    def resume_writing(self) -> None:
        self.frontend.transport.resume_reading()

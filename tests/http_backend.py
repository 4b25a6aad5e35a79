"""A small HTTP/1.1 server behind the LB in tests and the bench: stdlib only (it runs as an
instance's user data, under the system's python3), keep-alive, Content-Length and chunked
request bodies.

    python3 http_backend.py ADDRESS PORT NAME [--tcp-echo PORT]

GET /health        200 "ok", or 503 after GET /fail (and 200 again after GET /recover)
GET /slow?s=N      answers after N seconds
GET /login         sets the application cookie SESSION
GET /chunked       "hello world" in a chunked response
any other          200 with a JSON body: this server's name, the method, path, headers and body length
--tcp-echo PORT    also echoes TCP on PORT, and on the client's FIN answers "bye" and closes (half-close)
"""

import asyncio
import json
import sys


class Http(asyncio.Protocol):
    healthy = True

    def __init__(self, name: str):
        self.name = name
        self.buffer = b""
        self.transport = None
        self.busy = False

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buffer += data
        if not self.busy:
            self.process()

    def process(self):
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            method, path, version = head[0].split(" ", 2)
            headers = {}
            for line in head[1:]:
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
            rest = self.buffer[end + 4:]
            if headers.get("transfer-encoding", "").lower() == "chunked":
                body = b""
                while True:
                    line_end = rest.find(b"\r\n")
                    if line_end < 0:
                        return
                    size = int(rest[:line_end].split(b";")[0], 16)
                    if len(rest) < line_end + 2 + size + 2:
                        return
                    body += rest[line_end + 2:line_end + 2 + size]
                    rest = rest[line_end + 2 + size + 2:]
                    if size == 0:
                        break
            else:
                length = int(headers.get("content-length", "0"))
                if len(rest) < length:
                    return
                body, rest = rest[:length], rest[length:]
            self.buffer = rest
            keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
            if path.startswith("/slow"):
                self.busy = True
                seconds = float(path.partition("s=")[2] or 1)
                asyncio.get_running_loop().call_later(seconds, self.answer_later, keep)
                return
            self.answer(method, path, headers, body, keep)
            if not keep:
                return

    def answer_later(self, keep):
        self.busy = False
        self.respond(200, b"slow done\n", keep)
        if keep:
            self.process()

    def answer(self, method, path, headers, body, keep):
        extra = b""
        if path == "/health":
            status, payload = (200, b"ok\n") if Http.healthy else (503, b"failing\n")
        elif path == "/fail":
            Http.healthy = False
            status, payload = 200, b"failing now\n"
        elif path == "/recover":
            Http.healthy = True
            status, payload = 200, b"recovered\n"
        elif path == "/chunked":
            self.transport.write(b"HTTP/1.1 200 X\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 b"5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n")
            if not keep:
                self.transport.close()
            return
        elif path == "/login":
            status, payload = 200, b"logged in\n"
            extra = b"Set-Cookie: SESSION=s-" + self.name.encode() + b"; Path=/\r\n"
        else:
            status = 200
            payload = json.dumps({"server": self.name, "method": method, "path": path, "headers": headers,
                                  "body_length": len(body)}).encode()
        self.respond(status, payload, keep, extra)

    def respond(self, status, payload, keep, extra=b""):
        self.transport.write(b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n%s%s\r\n%s" % (
            status, len(payload), extra, b"" if keep else b"Connection: close\r\n", payload))
        if not keep:
            self.transport.close()


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)

    def eof_received(self):
        self.transport.write(b"bye")
        self.transport.close()
        return True


async def main():
    address, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    loop = asyncio.get_running_loop()
    servers = [await loop.create_server(lambda: Http(name), address, port, reuse_address=True, backlog=1024)]
    if "--tcp-echo" in sys.argv:
        echo_port = int(sys.argv[sys.argv.index("--tcp-echo") + 1])
        servers.append(await loop.create_server(Echo, address, echo_port, reuse_address=True))
    print(f"serving {name} on {address}:{port}", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    try:
        import uvloop  # where it is installed (the bench), so that the backends are not what is measured
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())

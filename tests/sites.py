"""Real web servers for health checks to probe: plain HTTP or HTTPS with a self-signed certificate, on loopback."""

from __future__ import annotations

import contextlib
import datetime
import http.server
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class Page(http.server.BaseHTTPRequestHandler):
    """200 with `body` (a class attribute: tests change what every site says)."""

    body = b"status: ok"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def self_signed(folder: Path, name: str = "other.example") -> tuple[str, str]:
    """A certificate no checker could verify: self-signed, for a name the check does not ask for."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


@dataclass
class Site:
    port: int
    server_names: list[str | None] = field(default_factory=list)  # the SNI name of each TLS handshake


@contextlib.contextmanager
def serve(tls_folder: Path | None = None, handler: type = Page, address: str = "127.0.0.1") -> Iterator[Site]:
    """An HTTP server on `address`, HTTPS when given a folder for its certificate."""
    server = http.server.ThreadingHTTPServer((address, 0), handler)
    site = Site(server.server_address[1])
    if tls_folder is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*self_signed(tls_folder))
        context.sni_callback = lambda sock, name, ctx: site.server_names.append(name)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()

"""Real HTTP(S) servers on loopback addresses, started by the tests of `outbound`."""

from __future__ import annotations

import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    server_address: str


@dataclass
class Server:
    host: str
    port: int
    scheme: str = "http"
    requests: list[Seen] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)  # TLS SNI, per handshake

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


# A handler answers one request: (status, headers, body), or writes to the socket itself
# (`handler.wfile`) and returns None.
Answer = Callable[[BaseHTTPRequestHandler, Seen], tuple[int, dict[str, str], bytes] | None]


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    """`serve(answer, host="127.0.0.1", tls=None)`: a threaded HTTP server answering with
    `answer`; every request is recorded. Stopped at the end of the test."""
    running: list[ThreadingHTTPServer] = []

    def start(answer: Answer, *, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None):
        state = Server(host=host, port=0, scheme="https" if tls else "http")

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(
                    self.command, self.path, dict(self.headers.items()),
                    self.rfile.read(length) if length else b"", self.server.server_address[0],
                )  # fmt: skip
                state.requests.append(seen)
                answered = answer(self, seen)
                if answered is None:
                    self.close_connection = True
                    return
                status, headers, body = answered
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers and "Transfer-Encoding" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            do_GET = do_POST = do_HEAD = handle_one

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer((host, 0), Handler)
        server.daemon_threads = True
        if tls is not None:
            tls.sni_callback = lambda sock, name, ctx: state.server_names.append(name)
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        state.port = server.server_address[1]
        running.append(server)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        return state

    yield start
    for server in running:
        server.shutdown()
        server.server_close()


def ok(body: bytes = b"ok") -> Answer:
    return lambda handler, seen: (200, {"Content-Type": "text/plain"}, body)


@dataclass(frozen=True)
class Certificates:
    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """A CA of the test and a server certificate it signed for `hooks.test` only (openssl)."""
    where = tmp_path_factory.mktemp("tls")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=where, check=True, capture_output=True, timeout=60)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test CA",
            "-keyout", "ca.key", "-out", "ca.pem")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=hooks.test",
            "-keyout", "server.key", "-out", "server.csr")  # fmt: skip
    (where / "san.cnf").write_text("subjectAltName=DNS:hooks.test\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "san.cnf",
            "-out", "server.pem")  # fmt: skip
    return Certificates(where / "ca.pem", where / "server.pem", where / "server.key")

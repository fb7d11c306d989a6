"""A real web site on 127.0.0.1 for the evidence archive's tests: `pages` is a threaded HTTP
server whose answers a test sets per path (`pages.route("/report", html(...))`); every request
is recorded. No mock of any HTTP client: the archive fetches from it through `outbound`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

# (status, headers, body), or a callable that writes the answer itself (a slow page).
Answer = tuple[int, dict[str, str], bytes] | Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Pages:
    host: str
    port: int
    routes: dict[str, Answer] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def url(self, path: str, *, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def route(self, path: str, answer: Answer) -> str:
        self.routes[path] = answer
        return self.url(path)

    def hits(self, path: str) -> int:
        return self.requests.count(path)


def html(title: str, *paragraphs: str, extra: str = "") -> Answer:
    """A news-like page: navigation, the article, a footer, in UTF-8."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        "<nav><a href='/'>Home</a> · <a href='/about'>About us</a> · <a href='/jobs'>Jobs</a></nav>"
        f"<main><article><h1>{title}</h1>{body}</article></main>{extra}"
        "<footer>Copyright the statistics office. Cookie settings. Accessibility.</footer>"
        "</body></html>"
    )
    return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()


def redirect(location: str, status: int = 302) -> Answer:
    return status, {"Location": location}, b""


def status(code: int, text: str = "") -> Answer:
    return code, {"Content-Type": "text/plain"}, text.encode()


def slow(seconds: float, answer: Answer) -> Answer:
    """Headers at once, then the body a byte at a time over `seconds` (a drip)."""
    code, headers, body = answer  # type: ignore[misc]

    def write(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(code)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        pause = seconds / max(1, len(body))
        for byte in body:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(pause)

    return write


def huge(size: int) -> Answer:
    """`size` bytes of HTML, chunked (no Content-Length to refuse it by)."""

    def write(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>"
        sent = 0
        try:
            while sent < size:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            handler.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client hung up at its cap

    return write


@pytest.fixture
def pages() -> Iterator[Pages]:
    """A web site on 127.0.0.1 (a free port) for this test; unknown paths are 404."""
    site = Pages(host="127.0.0.1", port=0)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            site.requests.append(self.path)
            answer = site.routes.get(self.path, status(404, "Not here."))
            if callable(answer):
                answer(self)
                self.close_connection = True
                return
            code, headers, body = answer
            self.send_response(code)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


def pdf_bytes(title: str, *lines: str) -> bytes:
    """A one-page PDF written by hand (Helvetica text lines, a title in its Info dictionary),
    with a correct cross-reference table: what a statistics office's release looks like to
    pypdf, without any PDF library on our side."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    shown = " ".join(f"({escape(line)}) Tj 0 -16 Td" for line in lines)
    content = f"BT /F1 12 Tf 72 720 Td {shown} ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({escape(title)}) >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return out


def pdf(title: str, *lines: str) -> Answer:
    return 200, {"Content-Type": "application/pdf"}, pdf_bytes(title, *lines)

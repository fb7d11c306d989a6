"""One HTTP client for every request the app makes to an address someone else chose (webhook
receivers now, evidence pages later), built so that the address it checks is the address it
connects to.

- The URL is parsed once (`httpx.URL`); the same object is checked and sent. Only http and https,
  a port in 1-65535, a host that is a plain host name or an IP address in canonical form. A URL
  with user info (`user@host`) or a backslash is refused: parsers disagree about where such a
  host starts (`http://127.0.0.1:9911\\@1.1.1.1/` is 1.1.1.1 to one and 127.0.0.1 to another).
- The host name is resolved here, once per hop. Every address it resolves to is judged
  (`outbound.addresses.refusal`); one bad address refuses the URL. The connection then goes to
  one of the checked addresses (a network backend that ignores the host name it is handed),
  while the Host header, TLS SNI and the certificate check use the host name. A DNS answer that
  changes between the check and the connection (rebinding) changes nothing.
- No proxies from the environment, no cookies, no automatic redirects: with
  `follow_redirects=True` each hop (at most `max_redirects`) is parsed, resolved and checked like
  the first, and credentials are not carried to another origin.
- Time: a connect timeout, a read timeout per socket operation, and a total deadline over the
  whole fetch (resolution, every hop, the body) that every socket operation is bounded by.
- Size: the body is streamed and cut at `max_bytes` (raising `TooLarge`, or returning what fits
  with `truncate=True`). The body is the bytes as sent: we ask for `identity` encoding, and a
  server that compresses anyway says so in `Content-Encoding`; whoever decodes it must bound
  the output too.

Errors are `FetchError` and its kinds (`Refused`, `TooLarge`, `Timeout`), each with a sentence
fit to show a user or to store as a delivery's last error. Django-free: settings are arguments.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import certifi
import httpcore
import httpx

from outbound.addresses import LOCAL, IPAddress, Refusal, parse_address, refusal

Resolver = Callable[[str, int], list[str]]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
REDIRECT_CODES = (301, 302, 303, 307, 308)
USER_AGENT = "newsroom/1 (+outbound)"


class FetchError(Exception):
    """A fetch that did not produce a response; `str()` says why, in a sentence."""


class Refused(FetchError):
    """The URL or an address it leads to is not allowed (the SSRF guard)."""


class TooLarge(FetchError):
    """The body is larger than the caller's `max_bytes`."""


class Timeout(FetchError):
    """A connect or read timeout, or the total deadline."""


@dataclass(frozen=True)
class Target:
    """A checked URL: the parsed URL and the addresses its host resolved to, all allowed."""

    url: httpx.URL
    host: str
    port: int
    addresses: tuple[IPAddress, ...]


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    url: str  # the URL that answered (after any redirects followed)
    headers: httpx.Headers
    content: bytes
    truncated: bool = False  # cut at max_bytes (truncate=True only)
    address: str = ""  # the IP address connected to
    redirects: tuple[str, ...] = field(default=())  # the URLs that redirected, in order

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


# --- The URL and its host -----------------------------------------------------------------------

_LABEL = r"(?!-)[a-z0-9_-]{1,63}(?<!-)"
_HOST_NAME = re.compile(rf"^(?=.{{1,253}}\.?$){_LABEL}(\.{_LABEL})*\.?$")
# Labels a resolver may read as a number: 127.1, 2130706433, 0x7f.0.0.1, 0177.0.0.1.
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")


def parse_url(url: str | httpx.URL) -> httpx.URL:
    """The URL, parsed once, if its form is acceptable; `Refused` saying what is wrong if not."""
    if isinstance(url, str):
        if "\\" in url:
            raise Refused("The URL contains a backslash, which programs read differently; refused.")
        if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
            raise Refused("The URL contains spaces or control characters; refused.")
        try:
            url = httpx.URL(url)
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            raise Refused(f"The URL is not valid: {exc}.") from None
    if url.scheme not in ("http", "https"):
        raise Refused("Only http:// and https:// URLs can be fetched.")
    if url.userinfo:
        raise Refused("A URL with a user name or password (user@host) is refused.")
    if not url.raw_host:
        raise Refused("The URL has no host.")
    port = url.port
    if port is not None and not 0 < port < 65536:
        raise Refused(f"The port {port} is not valid.")
    return url


def _host_and_port(url: httpx.URL) -> tuple[str, int]:
    host = url.raw_host.decode("ascii").lower()
    return host, url.port or (443 if url.scheme == "https" else 80)


def _refused(host: str, found: Refusal) -> Refused:
    shown = host if found.address == host else f"{host} ({found.address})"
    if found.kind == LOCAL:
        return Refused(f"{shown} is a private or local address: {found.what}; refused.")
    return Refused(f"{shown} is {found.what}; refused.")


Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def _networks(allowed: Iterable[str] | None) -> Networks:
    try:
        return tuple(ipaddress.ip_network(net) for net in allowed or ())
    except ValueError as exc:
        raise ValueError(f"allowed_networks: {exc}") from None


def _judge(host: str, address: IPAddress | str, *, allow_private: bool, allowed: Networks) -> None:
    """Raise `Refused` if `address` (what `host` is or resolves to) may not be connected to.
    `allowed` lifts local refusals for those networks only (an operator's allow-list)."""
    found = refusal(address, allow_private=allow_private)
    if found is None:
        return
    if (
        found.kind == LOCAL
        and not isinstance(address, str)
        and any(address.version == net.version and address in net for net in allowed)
    ):
        return
    raise _refused(host, found)


def _literal_or_name(host: str, *, allow_private: bool, allowed: Networks) -> IPAddress | None:
    """The host's IP address if it is one; None for a host name that may be resolved."""
    address = parse_address(host)
    if address is not None:
        _judge(host, address, allow_private=allow_private, allowed=allowed)
        return address
    if not _HOST_NAME.match(host):
        raise Refused(f"{host} is not a valid host name; refused.")
    labels = host.rstrip(".").split(".")
    if all(_NUMERIC_LABEL.match(label) for label in labels):
        raise Refused(f"{host} is an address in a non-standard notation; refused.")
    # RFC 6761: these names are loopback whatever a resolver says.
    if labels[-1] == "localhost" and not allow_private:
        raise Refused(f"{host} is a private or local address: a loopback name; refused.")
    return None


def system_resolver(timeout: float) -> Resolver:
    """getaddrinfo, bounded by `timeout`: the C resolver has no timeout of its own we control, so
    it runs in a daemon thread and a slow answer is abandoned (the thread ends by itself)."""

    def resolve(host: str, port: int) -> list[str]:
        answer: list[Any] = []

        def run() -> None:
            try:
                answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
            except (OSError, UnicodeError) as exc:
                answer.append(exc)

        worker = threading.Thread(target=run, daemon=True, name=f"resolve {host}")
        worker.start()
        worker.join(timeout)
        if not answer:
            raise Timeout(f"Resolving {host} took longer than {timeout:.1f} s.")
        if isinstance(answer[0], Exception):
            raise FetchError(f"{host} does not resolve: {answer[0]}.")
        return [info[4][0] for info in answer[0]]

    return resolve


def check_url(
    url: str | httpx.URL,
    *,
    allow_private: bool = False,
    allowed_networks: Iterable[str] | None = None,
    resolve: bool = True,
    resolver: Resolver | None = None,
    timeout: float = 5.0,
) -> Target:
    """Parse `url` and judge where it leads: the host itself if it is an address, else (with
    `resolve`) every address it resolves to. Returns the checked target; raises `Refused` (or
    `FetchError`/`Timeout` when the name does not resolve). With `resolve=False` a host name is
    judged by its form only (a form that validates an address typed now: DNS may change before
    it is used, and every fetch checks again).

    `allow_private` lifts the local refusals (loopback, private, link-local, shared);
    `allowed_networks` ("10.1.2.0/24", ...) lifts them for those networks only."""
    allowed = _networks(allowed_networks)
    parsed = parse_url(url)
    host, port = _host_and_port(parsed)
    literal = _literal_or_name(host, allow_private=allow_private, allowed=allowed)
    if literal is not None:
        return Target(parsed, host, port, (literal,))
    if not resolve:
        return Target(parsed, host, port, ())
    answers = (resolver or system_resolver(timeout))(host, port)
    addresses: list[IPAddress] = []
    for text in answers:
        address = parse_address(text.split("%", 1)[0])  # a link-local answer carries its zone
        _judge(host, address or text, allow_private=allow_private, allowed=allowed)
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchError(f"{host} does not resolve to any address.")
    return Target(parsed, host, port, tuple(addresses))


# --- Connecting to the checked address ----------------------------------------------------------


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def bound(self, timeout: float | None) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("deadline")
        return left if timeout is None else min(timeout, left)

    def error(self) -> Timeout:
        return Timeout(f"The request took longer than {self.seconds:g} s in total.")


class _BoundedStream(httpcore.NetworkStream):
    """A socket stream whose every operation is bounded by the fetch's deadline too."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.bound(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.bound(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        # server_hostname is the URL's host name: SNI and the certificate check use it.
        inner = self._inner.start_tls(ssl_context, server_hostname, self._deadline.bound(timeout))
        return _BoundedStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    """Connects to the one address it was given, whatever host name httpcore asks for."""

    def __init__(self, address: IPAddress, deadline: _Deadline) -> None:
        self.address = address
        self._deadline = deadline
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            str(self.address), port, self._deadline.bound(timeout), local_address, socket_options
        )
        return _BoundedStream(stream, self._deadline)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("outbound requests do not use unix sockets")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _PinnedTransport(httpx.BaseTransport):
    """httpx's transport, on a connection pool that can only reach the checked address."""

    def __init__(self, address: IPAddress, *, ssl_context: ssl.SSLContext, deadline: _Deadline):
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            network_backend=_PinnedBackend(address, deadline),
            max_connections=1,
            max_keepalive_connections=0,
            retries=0,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        response = self._pool.handle_request(core)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_CoreStream(response),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


class _CoreStream(httpx.SyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        yield from self._response.iter_stream()

    def close(self) -> None:
        self._response.close()


def _ssl_context(verify: str | ssl.SSLContext | None) -> ssl.SSLContext:
    if isinstance(verify, ssl.SSLContext):
        return verify
    return ssl.create_default_context(cafile=verify or certifi.where())


def _read_body(response: httpx.Response, *, max_bytes: int, truncate: bool) -> tuple[bytes, bool]:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes and not truncate:
        raise TooLarge(f"The response is {int(declared):,} bytes; the limit is {max_bytes:,}.")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_raw():
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            if not truncate:
                raise TooLarge(f"The response is larger than {max_bytes:,} bytes.")
            return b"".join(chunks)[:max_bytes], True
    return b"".join(chunks), False


def _send_once(
    target: Target,
    *,
    method: str,
    body: bytes | None,
    headers: Mapping[str, str],
    deadline: _Deadline,
    connect_timeout: float,
    read_timeout: float,
    ssl_context: ssl.SSLContext,
    max_bytes: int,
    truncate: bool,
) -> tuple[httpx.Response, bytes, bool, IPAddress]:
    """One request to one checked target: each of its addresses in turn until one connects."""
    timeout = httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout, pool=1)
    failure: FetchError | None = None
    for address in target.addresses:
        transport = _PinnedTransport(address, ssl_context=ssl_context, deadline=deadline)
        with httpx.Client(transport=transport, trust_env=False, timeout=timeout) as client:
            request = client.build_request(method, target.url, content=body, headers=headers)
            try:
                response = client.send(request, stream=True, follow_redirects=False)
                try:
                    content, truncated = _read_body(
                        response, max_bytes=max_bytes, truncate=truncate
                    )
                finally:
                    response.close()
            except (httpcore.TimeoutException, httpx.TimeoutException) as exc:
                if deadline.at <= time.monotonic():
                    raise deadline.error() from None
                raise Timeout(f"{target.host} did not answer in time ({_describe(exc)}).") from None
            except (httpcore.ConnectError, httpx.ConnectError) as exc:
                failure = FetchError(f"Could not connect to {target.host}: {_describe(exc)}.")
                continue  # the next address, if there is one
            except (httpcore.NetworkError, httpcore.ProtocolError, httpx.HTTPError) as exc:
                raise FetchError(
                    f"{target.host}: {type(exc).__name__}: {_describe(exc)}."
                ) from None
            return response, content, truncated, address
    raise failure or FetchError(f"{target.host} has no address to connect to.")


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:500]


def fetch(
    url: str | httpx.URL,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    follow_redirects: bool = False,
    max_redirects: int = 5,
    max_bytes: int = DEFAULT_MAX_BYTES,
    truncate: bool = False,
    connect_timeout: float = 5.0,
    read_timeout: float = 10.0,
    timeout: float = 30.0,
    allow_private: bool = False,
    allowed_networks: Iterable[str] | None = None,
    resolver: Resolver | None = None,
    verify: str | ssl.SSLContext | None = None,
) -> Response:
    """Request `url` from the address it was checked at (see the module docstring).

    `timeout` is the total deadline; `verify` a CA bundle path or an SSL context (default:
    certifi's bundle); `allow_private` and `allowed_networks` as in `check_url`, for every hop.
    A redirect is returned as the response unless `follow_redirects`; then each hop is checked
    again, 303 (and 301/302 after a POST) continue as GET without the body, and
    Authorization/Cookie headers are dropped when the origin changes. Raises `Refused`,
    `TooLarge`, `Timeout` or `FetchError`.
    """
    deadline = _Deadline(timeout)
    ssl_context = _ssl_context(verify)
    sent = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **(headers or {})}
    current = parse_url(url)
    redirects: list[str] = []
    while True:
        left = deadline.at - time.monotonic()
        if left <= 0:
            raise deadline.error()
        target = check_url(
            current,
            allow_private=allow_private,
            allowed_networks=allowed_networks,
            resolver=resolver,
            timeout=min(connect_timeout, left),
        )
        response, content, truncated, address = _send_once(
            target, method=method, body=body, headers=sent, deadline=deadline,
            connect_timeout=connect_timeout, read_timeout=read_timeout, ssl_context=ssl_context,
            max_bytes=max_bytes, truncate=truncate,
        )  # fmt: skip
        location = response.headers.get("location")
        if not (follow_redirects and response.status_code in REDIRECT_CODES and location):
            return Response(
                status=response.status_code,
                reason=response.reason_phrase,
                url=str(current),
                headers=response.headers,
                content=content,
                truncated=truncated,
                address=str(address),
                redirects=tuple(redirects),
            )
        if len(redirects) >= max_redirects:
            raise FetchError(f"More than {max_redirects} redirects; stopped at {current}.")
        redirects.append(str(current))
        if "\\" in location:
            raise Refused("The redirect's Location contains a backslash; refused.")
        try:
            following = parse_url(current.join(location))
        except httpx.InvalidURL as exc:
            raise Refused(f"The redirect to {location!r} is not a valid URL: {exc}.") from None
        if _origin(following) != _origin(current):
            sent = {k: v for k, v in sent.items() if k.lower() not in ("authorization", "cookie")}
        status = response.status_code
        if status == 303 or (status in (301, 302) and method == "POST"):
            method = "GET" if method != "HEAD" else method
            body = None
            sent = {k: v for k, v in sent.items() if k.lower() != "content-type"}
        current = following


def _origin(url: httpx.URL) -> tuple[str, bytes, int | None]:
    return url.scheme, url.raw_host, url.port

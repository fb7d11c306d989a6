"""`outbound.fetch` against real HTTP(S) servers on loopback addresses started by the tests: the
URL is parsed once, every resolved address is checked, the connection goes to a checked address,
redirects are checked hop by hop, the body and the time are capped, proxies in the environment
are ignored, TLS checks the host name while connecting to the pinned address."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

import outbound
from tests.outbound.conftest import Seen, ok

Resolver = Callable[[str, int], list[str]]


def resolver(table: dict[str, list[str]], calls: list[str] | None = None) -> Resolver:
    """A resolver of the test's own: host name → addresses, each call recorded."""

    def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        if host not in table:
            raise outbound.FetchError(f"{host} does not resolve.")
        return table[host]

    return resolve


def redirect_to(location: str, status: int = 302):
    return lambda handler, seen: (status, {"Location": location}, b"")


# --- One parse, one check ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:{port}\\@1.1.1.1/", "backslash"),
        ("http://user:secret@127.0.0.1:{port}/", "user name or password"),
        ("http://127.0.0.1:{port}@1.1.1.1/", "user name or password"),
        ("ftp://127.0.0.1:{port}/", "Only http:// and https://"),
        ("file:///etc/passwd", "Only http:// and https://"),
        ("http://127.0.0.1:99999/", "port 99999"),
        ("http://2130706433:{port}/", "non-standard notation"),
        ("http://127.1:{port}/", "non-standard notation"),
        ("http://0x7f.0.0.1:{port}/", "non-standard notation"),
        ("http://[fe80::1%25lo]:{port}/", "not a valid host name"),
        ("http://127.0.0.1:{port}/ x", "spaces or control characters"),
    ],
)
def test_urls_that_parsers_read_differently_are_refused_before_any_connection(serve, url, reason):
    server = serve(ok())

    with pytest.raises(outbound.Refused, match=reason):
        outbound.fetch(url.format(port=server.port), allow_private=True)

    assert server.requests == []


def test_the_backslash_url_of_the_issue_passes_a_naive_parse_but_not_the_guard(serve):
    from urllib.parse import urlsplit

    server = serve(ok())
    url = f"http://127.0.0.1:{server.port}\\@1.1.1.1/"
    assert urlsplit(url).hostname == "1.1.1.1"  # what the old check judged: a public address

    with pytest.raises(outbound.Refused, match="backslash"):
        outbound.check_url(url, resolve=False)
    assert server.requests == []


def test_a_name_that_resolves_to_loopback_is_refused_unless_private_targets_are_allowed(serve):
    server = serve(ok(b"hello"))
    hosts = resolver({"hooks.test": ["127.0.0.1"]})
    url = f"http://hooks.test:{server.port}/receive?x=1"

    with pytest.raises(outbound.Refused, match=r"hooks.test \(127.0.0.1\) is a private or local"):
        outbound.fetch(url, resolver=hosts)
    assert server.requests == []

    response = outbound.fetch(url, resolver=hosts, allow_private=True)

    assert (response.status, response.content, response.address) == (200, b"hello", "127.0.0.1")
    assert response.url == url
    [seen] = server.requests
    assert seen.path == "/receive?x=1"
    assert seen.headers["Host"] == f"hooks.test:{server.port}"  # the name, not the address
    assert seen.headers["Accept-Encoding"] == "identity"


def test_localhost_through_the_system_resolver_is_refused_then_allowed(serve):
    server = serve(ok())
    url = f"http://localhost:{server.port}/"

    with pytest.raises(outbound.Refused, match="loopback"):
        outbound.fetch(url)
    assert server.requests == []

    # /etc/hosts may list ::1 first, where nothing listens: the next checked address is tried.
    response = outbound.fetch(url, allow_private=True)
    assert response.status == 200 and response.address == "127.0.0.1"
    assert len(server.requests) == 1


def test_every_address_a_name_resolves_to_is_checked():
    hosts = resolver({"mixed.test": ["93.184.215.14", "10.0.0.8"]})

    with pytest.raises(outbound.Refused, match=r"mixed.test \(10.0.0.8\) is a private"):
        outbound.fetch("http://mixed.test/", resolver=hosts)


def test_the_connection_goes_to_the_address_that_was_checked(serve):
    """DNS rebinding: the name answers 127.0.0.1 to the check and 127.0.0.2 (where nothing
    listens) to anyone who asks again. A client that resolved again to connect would fail."""
    server = serve(ok(b"pinned"))
    calls: list[str] = []
    answers = iter([["127.0.0.1"], ["127.0.0.2"], ["127.0.0.2"]])

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    response = outbound.fetch(
        f"http://rebind.test:{server.port}/", resolver=rebinding, allow_private=True
    )

    assert (response.status, response.content, response.address) == (200, b"pinned", "127.0.0.1")
    assert calls == ["rebind.test"]
    assert [seen.server_address for seen in server.requests] == ["127.0.0.1"]


def test_checked_addresses_are_tried_in_turn_when_one_does_not_connect(serve):
    server = serve(ok())
    hosts = resolver({"two.test": ["127.0.0.2", "127.0.0.1"]})

    response = outbound.fetch(f"http://two.test:{server.port}/", resolver=hosts, allow_private=True)

    assert response.address == "127.0.0.1" and len(server.requests) == 1


def test_proxies_from_the_environment_are_ignored(serve, monkeypatch):
    server = serve(ok())
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    response = outbound.fetch(f"{server.url}/", allow_private=True)

    assert response.status == 200 and len(server.requests) == 1


# --- Redirects ------------------------------------------------------------------------------------


def test_a_redirect_is_an_answer_unless_the_caller_follows_it(serve):
    target = serve(ok())
    start = serve(redirect_to(f"{target.url}/next"))

    response = outbound.fetch(f"{start.url}/", allow_private=True)

    assert response.status == 302 and response.headers["location"] == f"{target.url}/next"
    assert target.requests == []


def test_a_redirect_to_a_private_address_is_refused_at_that_hop(serve):
    inside = serve(ok(b"secret"), host="127.0.0.2")
    start = serve(redirect_to(f"{inside.url}/admin"))

    # The first address is allowed by the operator's list; the hop's address is not.
    with pytest.raises(outbound.Refused, match=r"127.0.0.2 is a private or local address"):
        outbound.fetch(f"{start.url}/", follow_redirects=True, allowed_networks=["127.0.0.1/32"])
    assert len(start.requests) == 1 and inside.requests == []

    # Allowed at both hops, the redirect is followed.
    response = outbound.fetch(
        f"{start.url}/", follow_redirects=True, allowed_networks=["127.0.0.1/32", "127.0.0.2/32"]
    )
    assert (response.status, response.content) == (200, b"secret")
    assert response.url == f"{inside.url}/admin"
    assert response.redirects == (f"{start.url}/",) and response.address == "127.0.0.2"


def test_a_redirect_to_cloud_metadata_is_refused_even_with_private_targets_allowed(serve):
    start = serve(redirect_to("http://169.254.169.254/latest/meta-data/"))

    with pytest.raises(outbound.Refused, match="169.254.169.254 is a cloud metadata service"):
        outbound.fetch(f"{start.url}/", follow_redirects=True, allow_private=True)


def test_a_redirect_with_a_backslash_is_refused(serve):
    start = serve(redirect_to("http://127.0.0.1:9\\@1.1.1.1/"))

    with pytest.raises(outbound.Refused, match="backslash"):
        outbound.fetch(f"{start.url}/", follow_redirects=True, allow_private=True)


def test_at_most_five_redirects_are_followed(serve):
    loop = serve(lambda handler, seen: (302, {"Location": f"/hop{len(seen.path)}"}, b""))

    with pytest.raises(outbound.FetchError, match="More than 5 redirects"):
        outbound.fetch(f"{loop.url}/", follow_redirects=True, allow_private=True)

    assert len(loop.requests) == 6


def test_a_303_after_a_post_continues_as_a_get_without_body_or_credentials_elsewhere(serve):
    other = serve(ok(b"done"))
    start = serve(redirect_to(f"{other.url}/result", status=303))

    response = outbound.fetch(
        f"{start.url}/form",
        method="POST",
        body=b'{"a": 1}',
        headers={"Content-Type": "application/json", "Authorization": "Bearer secret"},
        follow_redirects=True,
        allow_private=True,
    )

    assert response.content == b"done"
    [posted] = start.requests
    assert (posted.method, posted.body, posted.headers["Authorization"]) == (
        "POST",
        b'{"a": 1}',
        "Bearer secret",
    )
    [followed] = other.requests
    assert (followed.method, followed.body) == ("GET", b"")
    assert "Authorization" not in followed.headers and "Content-Type" not in followed.headers


# --- Size and time --------------------------------------------------------------------------------


def test_a_body_over_the_cap_is_refused_or_cut(serve):
    big = b"x" * 200_000
    declared = serve(ok(big))

    def chunked(handler, seen: Seen) -> None:
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for _ in range(50):
            handler.wfile.write(b"1000\r\n" + b"y" * 4096 + b"\r\n")
        handler.wfile.write(b"0\r\n\r\n")

    undeclared = serve(chunked)

    with pytest.raises(outbound.TooLarge, match="200,000 bytes; the limit is 10,000"):
        outbound.fetch(f"{declared.url}/", max_bytes=10_000, allow_private=True)
    with pytest.raises(outbound.TooLarge, match="larger than 10,000 bytes"):
        outbound.fetch(f"{undeclared.url}/", max_bytes=10_000, allow_private=True)

    cut = outbound.fetch(f"{undeclared.url}/", max_bytes=10_000, truncate=True, allow_private=True)
    assert (len(cut.content), cut.truncated, set(cut.content)) == (10_000, True, {ord("y")})
    whole = outbound.fetch(f"{declared.url}/", max_bytes=200_000, allow_private=True)
    assert (whole.content, whole.truncated) == (big, False)


def test_a_server_that_drips_its_body_is_cut_at_the_total_deadline(serve):
    def drip(handler, seen: Seen) -> None:
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for _ in range(100):  # a byte every 0.2 s: each read is well within the read timeout
            handler.wfile.write(b"1\r\nx\r\n")
            handler.wfile.flush()
            time.sleep(0.2)

    server = serve(drip)
    started = time.monotonic()

    with pytest.raises(outbound.Timeout, match="longer than 1.5 s in total"):
        outbound.fetch(f"{server.url}/", read_timeout=5, timeout=1.5, allow_private=True)

    assert 1.4 < time.monotonic() - started < 4.0


def test_a_server_that_never_answers_meets_the_read_timeout(serve):
    server = serve(lambda handler, seen: time.sleep(5))
    started = time.monotonic()

    with pytest.raises(outbound.Timeout, match="did not answer in time"):
        outbound.fetch(f"{server.url}/", read_timeout=0.5, timeout=10, allow_private=True)

    assert 0.4 < time.monotonic() - started < 3.0


# --- TLS ------------------------------------------------------------------------------------------


def test_tls_checks_the_host_name_while_connecting_to_the_pinned_address(serve, certificates):
    server = serve(ok(b"secure"), tls=certificates.server_context())
    hosts = resolver({"hooks.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})

    response = outbound.fetch(
        f"https://hooks.test:{server.port}/", resolver=hosts, allow_private=True,
        verify=str(certificates.ca_file),
    )  # fmt: skip

    assert (response.status, response.content, response.address) == (200, b"secure", "127.0.0.1")
    assert server.server_names == ["hooks.test"]
    for url in (f"https://other.test:{server.port}/", f"https://127.0.0.1:{server.port}/"):
        with pytest.raises(outbound.FetchError, match="CERTIFICATE_VERIFY_FAILED"):
            outbound.fetch(
                url, resolver=hosts, allow_private=True, verify=str(certificates.ca_file)
            )
    assert len(server.requests) == 1

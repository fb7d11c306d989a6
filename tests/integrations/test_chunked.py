"""Chunked request bodies (`Transfer-Encoding: chunked`, no Content-Length) through a real gunicorn:
read whole when within the limit, refused with 413 once past it without waiting for the rest.

The Django test client cannot send a chunked body, and the bug lived between the server and
Django (a body without Content-Length read as empty), so these tests start gunicorn on 127.0.0.1
on the test database and speak HTTP to it."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from articles.models import Article
from tests.support.api import token_for
from tests.support.web import Gunicorn

pytestmark = [pytest.mark.usefixtures("api_settings"), pytest.mark.django_db(transaction=True)]

# Small limits so that "over the limit" is cheap to send; they satisfy the settings' own check
# (the byte limit holds the largest request the field limits allow).
LIMIT = 100_000
SERVER_ENV = {
    "API_MAX_HTML_CHARS": "1000",
    "API_MAX_REQUEST_BYTES": str(LIMIT),
    "DATA_UPLOAD_MAX_BYTES": str(LIMIT),
    "API_WRITE_RATE": "100000/min",
}


@pytest.fixture
def server(worker_env, tmp_path) -> Iterator[Gunicorn]:
    gunicorn = Gunicorn(env={**worker_env, **SERVER_ENV}, log_path=tmp_path / "gunicorn.log")
    gunicorn.start()
    yield gunicorn
    gunicorn.stop()


def in_pieces(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_a_chunked_json_body_creates_the_article(server, editor):
    token = token_for(editor)
    body = "Harbor City approved a €12.5 million budget on Monday. The vote was 7 to 2.\n"
    # 7-byte chunks split the euro sign's three bytes across chunks.
    payload = json.dumps({"title": "Ferry budget — chunked", "body": body}, ensure_ascii=False)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)

    connection.request(
        "POST",
        "/api/v1/articles",
        body=in_pieces(payload.encode(), 7),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Transfer-Encoding": "chunked",
        },
        encode_chunked=True,
    )
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()

    assert response.status == 201, answer
    article = Article.objects.get()
    assert (article.title, article.body, article.author) == ("Ferry budget — chunked", body, editor)
    assert answer["id"] == article.pk
    assert urlsplit(response.getheader("Location")).path == f"/api/v1/articles/{article.pk}"


def test_a_chunked_body_over_the_limit_is_413_without_waiting_for_the_rest(server, editor):
    """The client sends more than the limit and then stalls, the final chunk never sent: an
    answer proves the server stopped reading at the limit instead of reading on."""
    token = token_for(editor)
    head = (
        "POST /api/v1/articles HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\n"
        f"Authorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n"
        "\r\n"
    ).encode()
    piece = b'{"title": "' + b"a" * 8_000
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head)
        for _ in range(LIMIT // len(piece) + 2):  # past the limit, and no terminating chunk
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        response = http.client.HTTPResponse(sock)
        response.begin()
        answer = json.loads(response.read())

    assert response.status == 413, answer
    assert answer == {"detail": f"The request body is larger than {LIMIT:,} bytes."}
    assert not Article.objects.exists()

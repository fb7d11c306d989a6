"""Write rate limits per user (Redis-backed, failing open), and error JSON for client mistakes."""

from __future__ import annotations

import logging
import socket

import pytest

from articles.models import Article
from tests.conftest import make_article

pytestmark = [pytest.mark.usefixtures("api_settings"), pytest.mark.django_db]

LIST = "/api/v1/articles"


def test_writes_over_the_rate_are_429_with_retry_after_and_reads_are_not_counted(
    api, editor, other_editor, settings
):
    settings.API_WRITE_RATE = "3/min"
    client = api(editor)

    statuses = [
        client.post(LIST, {"title": f"T{i}", "body": "B."}, format="json").status_code
        for i in range(4)
    ]
    throttled = client.post(LIST, {"title": "T", "body": "B."}, format="json")

    assert statuses == [201, 201, 201, 429]
    assert throttled.status_code == 429
    assert 1 <= int(throttled["Retry-After"]) <= 60
    assert throttled.json()["detail"].startswith("Request was throttled.")
    assert client.get(LIST).status_code == 200
    assert (
        api(other_editor).post(LIST, {"title": "Other", "body": "B."}, format="json").status_code
        == 201
    )
    assert Article.objects.count() == 4


def test_the_limit_counts_per_user_across_that_users_tokens(api, editor, settings):
    settings.API_WRITE_RATE = "2/min"

    first, second, third = api(editor), api(editor), api(editor)

    assert first.post(LIST, {"title": "A", "body": "B."}, format="json").status_code == 201
    assert second.post(LIST, {"title": "B", "body": "B."}, format="json").status_code == 201
    assert third.post(LIST, {"title": "C", "body": "B."}, format="json").status_code == 429


def test_the_throttle_lets_writes_through_when_redis_is_down(api, editor, settings, caplog):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {**settings.CACHES["throttle"], "LOCATION": f"redis://127.0.0.1:{port}/0"},
    }
    settings.API_WRITE_RATE = "1/min"
    client = api(editor)

    with caplog.at_level(logging.WARNING, logger="articles.rest"):
        codes = [
            client.post(LIST, {"title": f"T{i}", "body": "B."}, format="json").status_code
            for i in range(3)
        ]

    assert codes == [201, 201, 201]
    assert "did not answer" in caplog.text and "API throttle" in caplog.text


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/articles/99999999999999999999999", None),
        ("get", "/api/v1/articles/abc", None),
        ("get", "/api/v1/articles/", None),
        ("get", "/api/v2/anything", None),
        ("get", "/api/v1/claims?article=99999999999999999999999", None),
        ("get", "/api/v1/articles?dateline_after=2025-13-45", None),
        ("get", "/api/v1/articles?page_size=-1&page=0", None),
        ("post", "/api/v1/claims/99999999999999999999/verdict", {"verdict": "verified"}),
        ("patch", "/api/v1/articles/{pk}", {"dateline": {"nested": [1, 2]}}),
        ("patch", "/api/v1/articles/{pk}", {"title": 12345678901234567890123456789}),
        ("patch", "/api/v1/articles/{pk}", ["not", "an", "object"]),
        ("post", "/api/v1/articles/{pk}/return-to-draft", {"note": None}),
        ("post", "/api/v1/articles/{pk}/override", {"reason": {"a": 1}}),
        ("delete", "/api/v1/articles/{pk}", None),
        ("put", "/api/v1/articles/{pk}", {"title": "x"}),
    ],
)
def test_client_mistakes_are_4xx_json_never_500(api, chief, method, path, body):
    article = make_article(chief)
    client = api(chief)

    response = getattr(client, method)(path.format(pk=article.pk), body, format="json")

    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()

"""What the remembered API responses read is covered by the data version's triggers
(articles/cache.py `WATCHED`): a serializer that starts reading another table fails here
instead of serving stale answers."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import cache
from tests.conftest import make_article

pytestmark = [pytest.mark.usefixtures("api_settings"), pytest.mark.django_db]

# Read on every request before the cache is consulted, not part of what is remembered.
NOT_REMEMBERED = {cache.TABLE}

_TABLE = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)


def tables_read(sql: list[str]) -> set[str]:
    return {table for statement in sql for table in _TABLE.findall(statement)}


def read_by(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"fresh": "n"} if "?" not in url else None)
        assert response.status_code == 200, response.content
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("path", ["/api/v1/articles", "/api/v1/articles/{pk}"])
def test_every_table_a_remembered_response_reads_is_watched(api, editor, reviewer, path):
    article = make_article(editor, status="in_review")
    sql = read_by(api(reviewer), path.format(pk=article.pk))

    tables = tables_read(sql)

    assert tables - NOT_REMEMBERED, "the request read nothing: the test would prove nothing"
    unwatched = sorted(tables - NOT_REMEMBERED - set(cache.WATCHED))
    assert not unwatched, f"add these tables to articles.cache.WATCHED: {unwatched}"


def test_the_check_sees_a_table_read_by_a_join():
    sql = [
        'SELECT "a"."id" FROM "articles_article" INNER JOIN "review_claimhold" ON (1=1)',
        "SELECT x FROM integrations_dataversion",
    ]
    assert tables_read(sql) == {"articles_article", "review_claimhold", cache.TABLE}

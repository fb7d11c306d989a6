"""Logs: one JSON object per line with LOG_FORMAT=json, carrying the request id, user id,
article id and job id of the work in progress; plain text otherwise."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

import pytest

from articles.logcontext import log_context
from integrations.logs import ContextFilter, JsonFormatter
from tests.support.processes import REPO_ROOT


@pytest.fixture
def json_lines():
    """Log records of the test, as the JSON lines LOG_FORMAT=json prints."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


@pytest.mark.django_db
def test_a_request_logs_its_request_id_and_user_and_answers_with_the_id(client, editor, json_lines):
    client.force_login(editor)

    response = client.get("/no-such-page", HTTP_X_REQUEST_ID="feed-42.7")

    assert response.status_code == 404
    assert response["X-Request-ID"] == "feed-42.7"
    [line] = [line for line in json_lines() if line["logger"] == "django.request"]
    assert line["level"] == "WARNING"
    assert line["message"] == "Not Found: /no-such-page"
    assert line["request_id"] == "feed-42.7"
    assert line["user_id"] == editor.pk


@pytest.mark.django_db
def test_an_unusable_request_id_is_replaced_by_a_fresh_one(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>" + "x" * 100)

    assert len(response["X-Request-ID"]) == 32
    assert "<" not in response["X-Request-ID"]


def test_work_on_an_article_and_a_job_carries_both_ids_and_only_within_it(json_lines):
    log = logging.getLogger("articles.tasks")

    with log_context(article=7, job=12):
        log.warning("extracting")
    log.warning("done")

    inside, outside = json_lines()
    assert (inside["article_id"], inside["job_id"], inside["message"]) == (7, 12, "extracting")
    assert "article_id" not in outside and "job_id" not in outside


def test_an_exception_is_one_json_line_with_its_traceback(json_lines):
    try:
        raise ValueError("bad feed")
    except ValueError:
        logging.getLogger("x").exception("failed")

    [line] = json_lines()
    assert line["message"] == "failed"
    assert "ValueError: bad feed" in line["exception"]


def run_logging(log_format: str) -> str:
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('newsroom.test').warning('hello %s', 'world')"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings", "LOG_FORMAT": log_format}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return [line for line in result.stderr.splitlines() if "hello" in line][0]


def test_log_format_json_prints_json_lines_and_plain_prints_text():
    as_json = json.loads(run_logging("json"))
    plain = run_logging("plain")

    assert as_json["message"] == "hello world"
    assert as_json["logger"] == "newsroom.test"
    assert as_json["level"] == "WARNING"
    assert plain.endswith("WARNING newsroom.test hello world")

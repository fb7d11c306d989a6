"""/metrics: Prometheus text for allowed callers only, with the app's own figures."""

from __future__ import annotations

import re

import pytest

from articles.models import ExtractionJob
from review.models import EmailMessageLog
from tests.conftest import make_article

pytestmark = pytest.mark.django_db


def sample(text: str, name: str, labels: str = "") -> float:
    pattern = rf"^{re.escape(name)}{re.escape(labels)} (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    assert found, f"{name}{labels} not in the metrics"
    return float(found.group(1))


def test_metrics_are_refused_to_anyone_when_nothing_is_configured(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = []

    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer ")

    assert response.status_code == 403
    assert b"newsroom_" not in response.content


def test_metrics_need_the_token_or_an_allowed_address(client, metrics_token, settings):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}").status_code == 200

    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.1").status_code == 403


def test_metrics_report_requests_jobs_claims_verdicts_and_heartbeats(
    client, metrics_token, editor, heartbeat, messages_reach_no_worker
):
    in_review = make_article(editor, title="Reviewed", status="in_review")
    make_article(editor, title="Waiting", status="submitted")
    for status in ("sent", "sent", "failed"):
        EmailMessageLog.objects.create(
            user=editor, recipients="e@example.org", subject="s", body_text="t", body_html="h",
            kind="immediate", status=status,
        )  # fmt: skip
    heartbeat("worker", "w1@host", age=2)
    heartbeat("worker", "w2@host", age=500)
    heartbeat("scheduler", "beat@host", age=1, state="active")
    client.get("/healthz")

    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert sample(text, "newsroom_extraction_jobs", '{state="done"}') == 1
    assert sample(text, "newsroom_extraction_jobs", '{state="pending"}') == 1
    assert sample(text, "newsroom_extraction_oldest_pending_seconds") >= 0
    assert sample(text, "newsroom_claims_pending") == in_review.claims.count()
    assert sample(text, "newsroom_verdicts_recorded_total") == 0
    assert sample(text, "newsroom_webhook_deliveries", '{status="failed"}') == 0
    assert sample(text, "newsroom_emails", '{status="sent"}') == 2
    assert sample(text, "newsroom_emails", '{status="failed"}') == 1
    assert sample(text, "newsroom_emails", '{status="pending"}') == 0
    assert sample(text, "newsroom_workers", '{state="alive"}') == 1
    assert sample(text, "newsroom_workers", '{state="missing"}') == 1
    assert sample(text, "newsroom_schedulers", '{state="active"}') == 1
    assert 1 <= sample(text, "newsroom_heartbeat_age_seconds", '{name="w1@host",role="worker"}')
    assert sample(text, "newsroom_queue_depth", '{queue="extraction"}') >= 0
    assert (
        sample(
            text,
            "newsroom_http_requests_total",
            '{method="GET",route="healthz",status="200"}',
        )
        >= 1
    )
    assert "newsroom_http_request_duration_seconds_bucket" in text


def test_the_oldest_pending_job_age_grows_with_the_job(
    client, metrics_token, editor, messages_reach_no_worker, time_machine
):
    import datetime as dt

    time_machine.move_to(dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC), tick=False)
    make_article(editor, status="submitted")
    time_machine.move_to(dt.datetime(2026, 1, 1, 12, 5, tzinfo=dt.UTC), tick=False)

    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}").content.decode()

    assert ExtractionJob.objects.get().state == "pending"
    assert sample(text, "newsroom_extraction_oldest_pending_seconds") == 300

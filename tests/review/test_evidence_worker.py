"""The evidence archive as it runs in production: a verdict with an evidence URL commits, and a
real Celery worker process on a real Redis fetches the page from a real site and archives it,
with nobody calling anything by hand."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.files.storage import default_storage

from review.evidence.models import EvidenceSnapshot
from review.services import record_verdict
from tests.conftest import make_article
from tests.support.fixtures import UNHEARD_DATABASE
from tests.support.pages import html
from tests.support.verdicts import judge
from tests.test_golden_path import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("messages_reach_no_worker")  # only this test's worker hears them
def test_a_worker_archives_the_evidence_of_a_recorded_verdict(
    start_worker, redis_server, pages, editor, reviewer, settings, tmp_path
):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    unheard = urlunsplit(urlsplit(redis_server.url)._replace(path=f"/{UNHEARD_DATABASE}"))
    start_worker(
        queues="default",
        env={
            "REDIS_URL": unheard,
            "MEDIA_ROOT": str(media),
            "EVIDENCE_ALLOWED_NETWORKS": "127.0.0.1/32",
        },
    )
    url = pages.route(
        "/labour",
        html("Monthly labour market report", "Unemployment fell to 3.8 per cent in November."),
    )
    article = make_article(editor, status="in_review")
    claim = article.claims.first()
    record_verdict(claim, judged=judge(claim), by=reviewer, verdict="verified", evidence_url=url)

    wait_for(
        lambda: EvidenceSnapshot.objects.filter(requested_url=url, state="archived").exists(),
        timeout=30,
        what="the evidence page to be archived",
    )
    snapshot = EvidenceSnapshot.objects.get(requested_url=url)
    assert snapshot.title == "Monthly labour market report"
    assert "3.8 per cent" in snapshot.text
    assert default_storage.exists(snapshot.file.name)
    assert pages.hits("/labour") == 1

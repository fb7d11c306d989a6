"""The evidence archive against a real web site on 127.0.0.1 (tests/support/pages.py): what a
verdict's evidence URL leaves behind once the task has run, and every guard of the fetch."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage

from review.evidence import services
from review.evidence.models import EvidenceSnapshot
from review.services import record_verdict
from tests.support.pages import html, huge, pdf, pdf_bytes, redirect, slow, status
from tests.support.verdicts import judge

REPORT = html(
    "Monthly labour market report",
    "Unemployment fell to 3.8 per cent in November 2026, the statistics office said.",
    "Employers added 150,000 jobs over the month.",
)


@pytest.fixture(autouse=True)
def evidence_settings(settings, tmp_path):
    """Files in a directory of this test; the site on 127.0.0.1 is allowed (only it: the
    production default refuses every private address, see the tests below); short timings."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EVIDENCE_ALLOW_PRIVATE_ADDRESSES = False
    settings.EVIDENCE_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.EVIDENCE_TIMEOUT_SECONDS = 2.0
    settings.EVIDENCE_READ_TIMEOUT_SECONDS = 1.0
    settings.EVIDENCE_BACKOFF_SECONDS = 5.0
    settings.EVIDENCE_MAX_ATTEMPTS = 2
    return settings


def archive(url: str) -> tuple[str, EvidenceSnapshot]:
    (snapshot_id,) = services.request_snapshots([url])
    outcome = services.archive_snapshot(snapshot_id)
    return outcome, EvidenceSnapshot.objects.filter(requested_url=url).first()


@pytest.mark.django_db
def test_a_verdicts_evidence_url_is_archived_after_commit_with_text_title_hash_and_file(
    pages, article_factory, editor, reviewer, django_capture_on_commit_callbacks
):
    url = pages.route("/labour/november", REPORT)
    article = article_factory(editor, status="in_review")
    claim = article.claims.first()
    with django_capture_on_commit_callbacks() as callbacks:
        record_verdict(
            claim, judged=judge(claim), by=reviewer, verdict="verified", evidence_url=url
        )
    pending = EvidenceSnapshot.objects.get(requested_url=url)
    assert pending.state == "pending"
    # The doorbell is rung once the verdict committed (beside the webhooks' own).
    assert [c for c in callbacks if "request_snapshots" in c.__qualname__]
    assert pages.hits("/labour/november") == 0  # nothing fetched in the request

    assert services.archive_snapshot(pending.pk) == "archived"
    snapshot = EvidenceSnapshot.objects.get(pk=pending.pk)
    body = REPORT[2]
    assert snapshot.state == "archived"
    assert snapshot.final_url == url
    assert snapshot.http_status == 200
    assert snapshot.content_type == "text/html; charset=utf-8"
    assert snapshot.sha256 == hashlib.sha256(body).hexdigest()
    assert snapshot.size == len(body)
    assert snapshot.title == "Monthly labour market report"
    assert "Unemployment fell to 3.8 per cent in November 2026" in snapshot.text
    assert "Employers added 150,000 jobs" in snapshot.text
    assert "Cookie settings" not in snapshot.text  # boilerplate left out
    assert snapshot.fetched_at is not None and snapshot.recheck_at > snapshot.fetched_at
    with default_storage.open(snapshot.file.name) as stored:
        assert stored.read() == body  # the bytes as served, in the storage, not the database
    # Running the task again changes nothing and fetches nothing.
    assert services.archive_snapshot(pending.pk) == "skipped"
    assert pages.hits("/labour/november") == 1


@pytest.mark.django_db
def test_the_same_url_and_content_is_archived_once(pages):
    url = pages.route("/report", REPORT)
    assert archive(url)[0] == "archived"
    # Asked for again: an archived URL needs no new fetch.
    assert services.request_snapshots([url]) == []
    # A pending row made anyway (a race) that finds the same bytes leaves one row.
    EvidenceSnapshot.objects.create(requested_url=url)
    again = EvidenceSnapshot.objects.get(requested_url=url, state="pending")
    assert services.archive_snapshot(again.pk) == "duplicate"
    assert EvidenceSnapshot.objects.filter(requested_url=url).count() == 1


@pytest.mark.django_db
def test_a_pdf_is_archived_with_its_text_and_title(pages):
    url = pages.route(
        "/release.pdf",
        pdf(
            "Labour market statistics, November 2026",
            "Unemployment was 3.8 per cent (seasonally adjusted).",
            "Employers added 150,000 jobs.",
        ),
    )
    outcome, snapshot = archive(url)
    assert outcome == "archived"
    assert snapshot.content_type == "application/pdf"
    assert snapshot.title == "Labour market statistics, November 2026"
    assert "Unemployment was 3.8 per cent" in snapshot.text
    assert "Employers added 150,000 jobs." in snapshot.text
    with default_storage.open(snapshot.file.name) as stored:
        assert stored.read().startswith(b"%PDF-1.4")


@pytest.mark.django_db
def test_a_redirect_chain_is_followed_and_the_final_url_kept(pages):
    final = pages.route("/final", REPORT)
    pages.route("/two", redirect("/final", 301))
    start = pages.route("/one", redirect(pages.url("/two"), 302))
    outcome, snapshot = archive(start)
    assert outcome == "archived"
    assert snapshot.requested_url == start
    assert snapshot.final_url == final


@pytest.mark.django_db
def test_more_than_five_redirects_fail_the_snapshot(pages):
    for hop in range(7):
        pages.route(f"/hop{hop}", redirect(f"/hop{hop + 1}"))
    pages.route("/hop7", REPORT)
    outcome, snapshot = archive(pages.url("/hop0"))
    assert outcome == "failed"
    assert snapshot.error_kind == "network"
    assert "More than 5 redirects" in snapshot.error
    assert pages.hits("/hop6") == 0 and pages.hits("/hop7") == 0


@pytest.mark.django_db
def test_in_the_production_setting_a_private_address_is_refused_before_any_request(pages, settings):
    settings.EVIDENCE_ALLOWED_NETWORKS = []
    url = pages.route("/report", REPORT)
    outcome, snapshot = archive(url)
    assert outcome == "failed"
    assert snapshot.error_kind == "blocked"
    assert "loopback" in snapshot.error
    assert pages.requests == []


@pytest.mark.django_db
def test_a_redirect_to_a_private_address_is_refused_at_that_hop(pages):
    # The site itself is allowed (127.0.0.1/32); the hop to another loopback address and the
    # hop to a cloud metadata address are not, whatever is allowed.
    pages.route("/inside", REPORT)
    start = pages.route("/jump", redirect(pages.url("/inside", host="127.0.0.2")))
    outcome, snapshot = archive(start)
    assert outcome == "failed"
    assert snapshot.error_kind == "blocked"
    assert "127.0.0.2" in snapshot.error
    assert pages.hits("/inside") == 0

    metadata = pages.route("/meta", redirect("http://169.254.169.254/latest/meta-data/"))
    outcome, snapshot = archive(metadata)
    assert (outcome, snapshot.error_kind) == ("failed", "blocked")
    assert "metadata" in snapshot.error


@pytest.mark.django_db
def test_only_http_and_https_are_fetched(pages):
    assert services.request_snapshots(["file:///etc/passwd", "ftp://example.org/x"]) == []
    assert not EvidenceSnapshot.objects.exists()


@pytest.mark.django_db
def test_a_slow_page_meets_the_total_deadline_is_retried_with_backoff_then_fails(pages):
    url = pages.route("/slow", slow(6.0, REPORT))
    outcome, snapshot = archive(url)
    assert outcome == "retry"
    assert snapshot.state == "pending"
    assert snapshot.attempts == 1
    assert snapshot.error_kind == "timeout"
    assert "2 s in total" in snapshot.error or "did not answer in time" in snapshot.error
    # The retry waits for its backoff: until then the row is leased and a message does nothing.
    assert services.archive_snapshot(snapshot.pk) == "skipped"
    EvidenceSnapshot.objects.filter(pk=snapshot.pk).update(lease_until=None)
    assert services.archive_snapshot(snapshot.pk) == "failed"  # the last of 2 attempts
    snapshot.refresh_from_db()
    assert (snapshot.state, snapshot.error_kind, snapshot.attempts) == ("failed", "timeout", 2)


@pytest.mark.django_db
def test_a_page_over_the_size_cap_fails_and_nothing_is_stored(pages):
    url = pages.route("/huge", huge(20 * 1024 * 1024))
    outcome, snapshot = archive(url)
    assert outcome == "failed"
    assert snapshot.error_kind == "too_large"
    assert "10,485,760" in snapshot.error
    assert not snapshot.file
    assert not default_storage.exists("evidence")


@pytest.mark.django_db
def test_a_404_fails_at_once_and_a_503_is_retried(pages):
    outcome, snapshot = archive(pages.url("/missing"))
    assert (outcome, snapshot.state, snapshot.http_status) == ("failed", "failed", 404)
    assert snapshot.failure() == "HTTP 404"
    assert snapshot.attempts == 1

    url = pages.route("/busy", status(503, "Try later."))
    outcome, snapshot = archive(url)
    assert (outcome, snapshot.state) == ("retry", "pending")


@pytest.mark.django_db
def test_a_page_that_changes_between_fetches_gets_a_new_snapshot_and_the_old_is_flagged(pages):
    url = pages.route("/report", REPORT)
    _, first = archive(url)
    assert services.recheck_snapshot(first.pk) == "unchanged"
    pages.route(
        "/report",
        html("Monthly labour market report", "Unemployment fell to 3.9 per cent, revised."),
    )
    assert services.recheck_snapshot(first.pk) == "changed"
    first.refresh_from_db()
    newer = EvidenceSnapshot.objects.exclude(pk=first.pk).get(requested_url=url)
    assert first.rot == "changed"
    assert f"snapshot {newer.pk}" in first.rot_note
    assert "3.9 per cent" in newer.text and newer.rot == ""
    # The archived copy stays, with its file.
    assert "3.8 per cent" in first.text
    assert default_storage.exists(first.file.name) and default_storage.exists(newer.file.name)
    assert first.file.name != newer.file.name


@pytest.mark.django_db
def test_a_page_that_is_gone_is_flagged_and_its_archived_copy_stays(pages):
    url = pages.route("/report", REPORT)
    _, snapshot = archive(url)
    del pages.routes["/report"]
    assert services.recheck_snapshot(snapshot.pk) == "gone"
    snapshot.refresh_from_db()
    assert snapshot.rot == "gone"
    assert "404" in snapshot.rot_note
    assert snapshot.state == "archived" and default_storage.exists(snapshot.file.name)


@pytest.mark.django_db
def test_the_sweep_rings_again_for_a_pending_snapshot_whose_doorbell_was_lost(pages, settings):
    settings.EVIDENCE_SWEEP_GRACE_SECONDS = 0
    url = pages.route("/report", REPORT)
    EvidenceSnapshot.objects.create(requested_url=url)  # its message never sent
    assert services.sweep_pending() == 1
    archived = EvidenceSnapshot.objects.create(requested_url=pages.url("/other"))
    archived.state = "failed"
    archived.error_kind = "http"
    archived.save()
    assert services.sweep_pending() == 1  # only the pending one


def test_page_server_pdf_is_well_formed():
    data = pdf_bytes("T", "line")
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")


@pytest.mark.django_db
def test_link_rot_checks_published_evidence_that_is_due_one_page_per_host_per_sweep(
    pages, article_factory, editor, other_editor, settings
):
    from django.utils import timezone

    from articles.models import Claim

    published = article_factory(editor, status="published")
    in_review = article_factory(other_editor, title="Still in review", status="in_review")
    first, second, third = published.claims.active()[:3]
    same_host_a, same_host_b = pages.url("/a"), pages.url("/b")
    other_host = pages.url("/c", host="localhost")
    unpublished = pages.url("/d")
    for claim, url in [(first, same_host_a), (second, same_host_b), (third, other_host)]:
        Claim.objects.filter(pk=claim.pk).update(evidence_url=url)
    Claim.objects.filter(pk=in_review.claims.first().pk).update(evidence_url=unpublished)
    for path in ("/a", "/b", "/c", "/d"):
        pages.route(path, REPORT)
    settings.EVIDENCE_ALLOWED_NETWORKS = ["127.0.0.1/32", "::1/128"]
    settings.EVIDENCE_ALLOW_PRIVATE_ADDRESSES = True  # "localhost" is a second host here
    for url in (same_host_a, same_host_b, other_host, unpublished):
        archive(url)
    assert services.sweep_link_rot() == 0  # nothing is due for a week
    EvidenceSnapshot.objects.update(recheck_at=timezone.now())

    assert services.sweep_link_rot() == 2  # one page of 127.0.0.1, one of localhost
    leased = set(
        EvidenceSnapshot.objects.filter(recheck_at__gt=timezone.now()).values_list(
            "requested_url", flat=True
        )
    )
    assert other_host in leased and len(leased & {same_host_a, same_host_b}) == 1
    assert unpublished not in leased  # not the evidence of a published article
    assert services.sweep_link_rot() == 1  # the other page of 127.0.0.1, at the next sweep
    assert services.sweep_link_rot() == 0


@pytest.mark.django_db
def test_a_compressed_page_is_read_and_a_compression_bomb_is_refused(pages):
    import gzip

    page = REPORT[2]
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
    url = pages.route("/gz", (200, headers, gzip.compress(page)))
    outcome, snapshot = archive(url)
    assert outcome == "archived"
    assert "Unemployment fell to 3.8 per cent" in snapshot.text
    assert snapshot.sha256 == hashlib.sha256(page).hexdigest()  # the page, not its compression

    bomb = gzip.compress(b"<p>" + b"a" * (11 * 1024 * 1024) + b"</p>")  # ~11 KB on the wire
    url = pages.route("/bomb", (200, headers, bomb))
    outcome, snapshot = archive(url)
    assert (outcome, snapshot.error_kind) == ("failed", "unreadable")
    assert "larger than 10,485,760 bytes once decompressed" in snapshot.error

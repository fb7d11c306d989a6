"""What the reviewer sees of the archive: the snapshot and facts found in the claim panel and on
the claim page, the extracted text (escaped) and the raw file (a download), each visible exactly
to those who may see the claim (IDOR), and the API's view of the same."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from review.evidence.models import EvidenceSnapshot
from review.services import record_verdict
from tests.support.verdicts import judge

URL = "https://stats.example.org/ferry-budget"
RAW = b"<html><title>Council budget</title><script>alert(1)</script><p>...</p></html>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def archived(url: str = URL, text: str = "") -> EvidenceSnapshot:
    sha = hashlib.sha256(RAW).hexdigest()
    name = default_storage.save(f"evidence/{sha[:2]}/{sha}.bin", ContentFile(RAW))
    return EvidenceSnapshot.objects.create(
        requested_url=url,
        state="archived",
        final_url=url,
        http_status=200,
        content_type="text/html; charset=utf-8",
        fetched_at=timezone.now(),
        sha256=sha,
        size=len(RAW),
        title="Council budget <2025>",
        text=text
        or (
            "Harbor City approved a $12.5 million budget for its ferry service on 3 February "
            "2025. <script>alert('x')</script> The vote was 7 to 2."
        ),
        file=name,
    )


@pytest.fixture
def judged(article_factory, editor, reviewer):
    article = article_factory(editor, status="in_review")
    claim = article.claims.get(text__startswith="Harbor City approved")
    record_verdict(claim, judged=judge(claim), by=reviewer, verdict="verified", evidence_url=URL)
    claim.refresh_from_db()
    # The verdict asked for a snapshot; the worker's part is stood in for by an archived row.
    assert EvidenceSnapshot.objects.filter(requested_url=URL, state="pending").delete()[0] == 1
    return claim, archived()


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_claim_page_shows_the_snapshot_and_the_facts_found(client, judged, reviewer):
    claim, snapshot = judged
    page = signed_in(client, reviewer).get(f"/review/claims/{claim.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Archived" in html and "· 200 · ‘Council budget &lt;2025&gt;’" in html
    assert f"/review/claims/{claim.pk}/evidence/{snapshot.pk}/text/" in html
    assert f"/review/claims/{claim.pk}/evidence/{snapshot.pk}/raw/" in html
    # "Harbor City", "$12.5 million" are in the source; "Monday" is a day, not a fact.
    assert "2 of 2 facts found in the source" in html
    assert "<mark>$12.5 million</mark>" in html


@pytest.mark.django_db
def test_the_text_is_escaped_and_the_raw_file_is_a_download_no_browser_renders(
    client, judged, reviewer
):
    claim, snapshot = judged
    signed_in(client, reviewer)
    text = client.get(f"/review/claims/{claim.pk}/evidence/{snapshot.pk}/text/")
    assert text.status_code == 200
    body = text.content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    assert "<script>alert(" not in body
    raw = client.get(f"/review/claims/{claim.pk}/evidence/{snapshot.pk}/raw/")
    assert raw.status_code == 200
    assert raw["Content-Type"] == "application/octet-stream"
    assert raw["Content-Disposition"].startswith("attachment;")
    assert raw["X-Content-Type-Options"] == "nosniff"
    assert b"".join(raw.streaming_content) == RAW


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["text", "raw"])
def test_snapshots_are_visible_exactly_to_those_who_may_see_the_claim(
    client, judged, what, editor, reviewer, other_editor, outsider, article_factory
):
    claim, snapshot = judged
    url = f"/review/claims/{claim.pk}/evidence/{snapshot.pk}/{what}/"
    for user, expected in [(reviewer, 200), (editor, 200), (other_editor, 404), (outsider, 404)]:
        client.logout()
        assert signed_in(client, user).get(url).status_code == expected, user.username
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page
    # A snapshot reached through a claim that does not cite it: 404, even for a reviewer.
    other = article_factory(other_editor, title="Another", status="in_review").claims.first()
    signed_in(client, reviewer)
    assert (
        client.get(f"/review/claims/{other.pk}/evidence/{snapshot.pk}/{what}/").status_code == 404
    )
    elsewhere = archived(url="https://elsewhere.example.org/")
    assert (
        client.get(f"/review/claims/{claim.pk}/evidence/{elsewhere.pk}/{what}/").status_code == 404
    )


@pytest.mark.django_db
def test_a_failed_snapshot_says_why(client, article_factory, editor, reviewer):
    article = article_factory(editor, status="in_review")
    claim = article.claims.first()
    record_verdict(claim, judged=judge(claim), by=reviewer, verdict="verified", evidence_url=URL)
    EvidenceSnapshot.objects.filter(requested_url=URL).update(
        state="failed", error_kind="http", http_status=404, fetched_at=timezone.now(),
        error="The page answered HTTP 404 Not Found.",
    )  # fmt: skip
    html = signed_in(client, reviewer).get(f"/review/claims/{claim.pk}/").content.decode()
    assert "Could not be archived" in html and "HTTP 404" in html


@pytest.mark.django_db
def test_the_api_returns_the_claims_cited_links_and_snapshots(
    client, judged, reviewer, other_editor
):
    claim, snapshot = judged
    signed_in(client, reviewer)
    answer = client.get(f"/api/v1/claims/{claim.pk}/evidence")
    assert answer.status_code == 200
    data = answer.json()
    assert data["evidence_url"] == URL
    assert data["cited_links"] == []
    (source,) = data["sources"]
    assert source["url"] == URL
    (shown,) = source["snapshots"]
    assert shown["id"] == snapshot.pk and shown["state"] == "archived"
    assert shown["http_status"] == 200 and shown["sha256"] == snapshot.sha256
    assert shown["text_url"].endswith(f"/review/claims/{claim.pk}/evidence/{snapshot.pk}/text/")
    assert source["facts_found"] == {"found": 2, "total": 2}
    client.logout()
    signed_in(client, other_editor)
    assert client.get(f"/api/v1/claims/{claim.pk}/evidence").status_code == 404


@pytest.mark.django_db
def test_the_article_page_panel_flags_gone_evidence_for_those_who_may_see_it(
    client, judged, editor, other_editor, staff
):
    claim, snapshot = judged
    EvidenceSnapshot.objects.filter(pk=snapshot.pk).update(rot="gone", rot_note="HTTP 404")
    url = f"/review/articles/{claim.article_id}/evidence/"
    html = signed_in(client, editor).get(url).content.decode()
    assert "1 evidence page changed or gone since it was archived." in html
    assert "gone" in html and URL in html
    client.logout()
    assert signed_in(client, other_editor).get(url).status_code == 404
    client.logout()
    admin = signed_in(client, staff).get("/admin/review/evidencesnapshot/?rot__exact=gone")
    assert admin.status_code == 200 and URL in admin.content.decode()


def test_links_in_text_are_found_without_the_punctuation_around_them():
    from review.evidence.services import urls_in

    text = (
        "See https://stats.example.org/ferry-budget. Also (https://council.example.org/minutes?id=4), "
        "https://en.example.org/wiki/Ferry_(boat) and http://stats.example.org/ferry-budget. "
        "Not ftp://files.example.org/x nor javascript:alert(1) nor https://localhost-only, but "
        "<https://archive.example.org/p>"
    )
    assert urls_in(text) == [
        "https://stats.example.org/ferry-budget",
        "https://council.example.org/minutes?id=4",
        "https://en.example.org/wiki/Ferry_(boat)",
        "http://stats.example.org/ferry-budget",
        "https://archive.example.org/p",
    ]


@pytest.mark.django_db
def test_a_link_written_in_the_conversation_is_archived_and_shown_beside_the_claim(
    client, article_factory, editor, reviewer, other_editor
):
    from review.conversations import services as conversations

    claim = article_factory(editor, status="in_review").claims.get(
        text__startswith="Harbor City approved"
    )
    conversations.ask_author(claim, by=reviewer, body=f"Is this the source: {URL}?")
    # The question asked for a snapshot, as a verdict's evidence URL does.
    assert EvidenceSnapshot.objects.filter(requested_url=URL, state="pending").delete()[0] == 1
    snapshot = archived()
    edited = conversations.add_comment(claim, by=editor, body="Yes.")
    conversations.edit_comment(
        edited, by=editor, body="Yes, and https://council.example.org/minutes-4 (page 3)."
    )
    assert EvidenceSnapshot.objects.filter(
        requested_url="https://council.example.org/minutes-4", state="pending"
    ).exists()

    html = signed_in(client, reviewer).get(f"/review/claims/{claim.pk}/").content.decode()
    assert "Linked in the conversation:" in html
    assert "Council budget &lt;2025&gt;" in html  # the snapshot's title, escaped
    text_url = f"/review/claims/{claim.pk}/evidence/{snapshot.pk}/text/"
    assert client.get(text_url).status_code == 200
    sources = client.get(f"/api/v1/claims/{claim.pk}/evidence").json()["sources"]
    assert [(s["url"], s["in_conversation"], len(s["snapshots"])) for s in sources] == [
        (URL, True, 1),
        ("https://council.example.org/minutes-4", True, 1),
    ]
    # Nobody reaches it through a claim they may not see.
    client.logout()
    assert signed_in(client, other_editor).get(text_url).status_code == 404

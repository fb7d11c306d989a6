"""Evidence in a real browser: a reviewer opens a claim in the queue, sees the source the article
cites in that sentence (archived in the background, with the claim's facts found in it), uses it
as the evidence URL in one click and records the verdict; the claim page at 390 px and the text
page are axe-clean."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from articles import services as article_services
from articles.models import Article, Claim
from review.evidence import services
from review.evidence.models import EvidenceSnapshot
from tests.conftest import run_extraction_now
from tests.support.pages import html

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def assert_clean(violations: list[dict], where: str) -> None:
    assert violations == [], f"axe violations on {where}: {violations}"


@pytest.mark.usefixtures("messages_reach_no_worker")  # the archiving is run below, in-process
def test_a_reviewer_uses_a_cited_source_sees_facts_found_and_records_the_verdict(
    new_page, sign_in, axe, pages, editor, reviewer, settings, tmp_path
):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EVIDENCE_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    source = pages.route(
        "/council/budget-vote",
        html(
            "Council approves ferry budget",
            "Harbor City council approved a $12.5 million ferry budget on 1 December 2026.",
            "The vote was 7 to 2. Mayor Lena Ortiz welcomed it.",
        ),
    )
    feed = (
        f"<p>The council approved a $12.5 million ferry budget, <a href='{source}'>the minutes "
        "show</a>.</p><p>Mayor Lena Ortiz said the first ferry is due in 2027.</p>"
    )
    api = APIClient()
    api.force_authenticate(editor)
    created = api.post("/api/v1/articles", {"title": "Ferry vote", "html": feed}, format="json")
    article = Article.objects.get(pk=created.json()["id"])
    run_extraction_now(article_services.submit_article(article, by=editor).pk)
    # Extraction rang for the cited source (claims_stored); the worker's part, in-process:
    pending = EvidenceSnapshot.objects.get(requested_url=source, state="pending")
    assert services.archive_snapshot(pending.pk) == "archived"
    claim = Claim.objects.get(article=article, text__startswith="The council approved")

    page = new_page()
    sign_in(page, "reviewer")
    page.goto("/review/")
    page.locator(f"#claim-row-{claim.pk} .open-claim").click()
    panel = page.locator("#claim-panel")
    expect(panel).to_contain_text("Cited in the article: ‘the minutes show’")
    expect(panel).to_contain_text("Archived")
    expect(panel).to_contain_text("‘Council approves ferry budget’")
    expect(panel.locator(".facts-summary")).to_contain_text("1 of 1 fact found in the source")
    expect(panel.locator(".fact-passage mark")).to_have_text("$12.5 million")

    panel.get_by_role("button", name="Use as evidence").click()
    evidence = page.locator(f"#panel-{claim.pk}-evidence")
    expect(evidence).to_have_value(source)
    expect(evidence).to_be_focused()
    panel.get_by_role("radio", name="Verified", exact=True).check()
    panel.get_by_role("button", name="Save verdict").click()
    expect(page.locator(f"#claim-row-{claim.pk}")).to_contain_text("Verified")
    claim.refresh_from_db()
    assert (claim.verdict, claim.evidence_url, claim.reviewed_by) == ("verified", source, reviewer)
    assert EvidenceSnapshot.objects.filter(requested_url=source).count() == 1  # archived once

    narrow = new_page()
    narrow.set_viewport_size({"width": 390, "height": 844})
    sign_in(narrow, "reviewer")
    narrow.goto(f"/review/claims/{claim.pk}/")
    expect(narrow.locator(".evidence-source").first).to_contain_text("Evidence:")
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 390
    assert_clean(axe(narrow, "claim-evidence-390"), "the claim page at 390 px")
    narrow.get_by_role("link", name="view text").first.click()
    expect(narrow.locator(".evidence-text")).to_contain_text("$12.5 million ferry budget")
    assert_clean(axe(narrow, "evidence-text-390"), "the archived text page at 390 px")

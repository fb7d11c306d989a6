"""A verdict on a sentence that changed while the reviewer had it open, in a real browser: the
queue's panel answers 409 with the new sentence and a form for it, nothing is written, and the
verdict typed again for the new sentence is saved (issue 20, item 3)."""

from __future__ import annotations

import pytest

from articles import services
from articles.models import ArticleEvent
from tests.conftest import make_article, run_extraction_now

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

BODY = (
    "The harbour board approved a budget of 5 million euros for the new quay on Tuesday. "
    "Work on the quay starts in May, the board said.\n"
)
AFTER = "The harbour board approved a budget of 50 million euros for the new quay on Tuesday."


@pytest.mark.parametrize("width", [1400, 390])
def test_the_panel_shows_the_changed_sentence_after_a_409(
    new_page, sign_in, axe, editor, reviewer, width
):
    from playwright.sync_api import expect

    article = make_article(editor, title="Quay budget", body=BODY, status="in_review")
    claim = article.claims.get(ordinal=0)
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "reviewer")
    page.goto("/review/")
    page.locator(f"#claim-row-{claim.pk} .open-claim").click()
    panel = page.locator("#claim-panel")
    expect(panel).to_contain_text("5 million euros")

    # The author edits while the reviewer has the claim open (edits do not wait for holds).
    services.update_article(
        article, by=editor, title=article.title, body=BODY.replace("5 million", "50 million")
    )
    run_extraction_now(article.extraction_jobs.order_by("-pk").first().pk)

    panel.get_by_role("radio", name="Verified", exact=True).check()
    panel.locator("textarea[name=note]").fill("Checked: 5 million in the board minutes.")
    panel.get_by_role("button", name="Save verdict").click()

    expect(panel.get_by_role("alert")).to_contain_text(
        f"This sentence changed since you opened it: {AFTER}"
    )
    expect(panel.locator("mark")).to_have_text(AFTER)
    claim.refresh_from_db()
    assert (claim.text, claim.verdict) == (AFTER, "pending")
    assert not ArticleEvent.objects.filter(kind="verdict").exists()
    assert axe(page, f"claim-changed-{width}") == []

    panel.get_by_role("radio", name="Unverified", exact=True).check()
    panel.locator("textarea[name=note]").fill("The minutes say 5 million, not 50.")
    panel.get_by_role("button", name="Save verdict").click()
    expect(page.locator(f"#claim-row-{claim.pk}")).to_contain_text("Unverified")
    claim.refresh_from_db()
    assert (claim.text, claim.verdict) == (AFTER, "unverified")
    assert ArticleEvent.objects.get(kind="verdict").claim_text == AFTER

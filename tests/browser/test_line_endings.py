"""Issue 13, line endings, in a real browser: Chromium submits a text area with `\\r\\n` line
breaks. Editing one number of an article in the edit form must show exactly one changed sentence
in "Changes since the last review round" once the real worker has re-extracted it (before the fix
it showed "10 sentences added, 10 removed": every line differed by its `\\r`)."""

from __future__ import annotations

import pytest

from articles.models import Article, ReviewRound
from tests.browser.conftest import artifact
from tests.conftest import STORY, make_article

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def test_editing_one_number_in_the_browser_shows_exactly_one_changed_sentence(
    celery_worker, new_page, sign_in, editor
):
    from playwright.sync_api import expect

    # Written by a feed (`\n` line breaks) and extracted once, as the seeded articles are.
    article = make_article(editor, status="in_review")
    assert "\r" not in article.body

    page = new_page()
    sign_in(page, "editor")
    page.goto(f"/articles/{article.pk}/edit/")
    body = page.get_by_label("Body")
    # Select the 7 of "7 to 2" and type a 6 over it, as a person would.
    body.evaluate(
        """el => { const at = el.value.indexOf("7 to 2"); el.focus();
                   el.setSelectionRange(at, at + 1); }"""
    )
    page.keyboard.type("6")
    assert "The council vote was 6 to 2." in body.input_value()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible()

    # The real worker re-extracts; the extraction block then reloads the page (HX-Refresh).
    expect(page.locator("#extraction-status")).to_contain_text(
        "Claims extracted from revision 2", timeout=30_000
    )
    round_block = page.locator("section.review-round")
    heading = round_block.get_by_role("heading", name="Changes since the last review round")
    expect(heading).to_be_visible()
    expect(round_block).to_contain_text("1 sentence added, 1 removed.")
    changes = round_block.locator(".diff")
    expect(changes.locator("ins")).to_have_count(1)
    expect(changes.locator("del")).to_have_count(1)
    expect(changes.locator("del")).to_contain_text("The council vote was 7 to 2.")
    expect(changes.locator("ins")).to_contain_text("The council vote was 6 to 2.")
    expect(round_block.locator(".round-claims").first).to_contain_text(
        "now reads “The council vote was 6 to 2.”"
    )
    page.screenshot(path=artifact("review-round-one-number.png"), full_page=True)

    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert article.body == STORY.replace("7 to 2", "6 to 2")  # `\n` only, as the browser sent it
    stored = ReviewRound.objects.get(article=article)
    assert (stored.inserted, stored.deleted, stored.too_large) == (1, 1, False)

"""A correction round in a real Chromium against the live server, with a real Celery worker: the
author edits a published article, the worker re-extracts it, a reader still gets the published
text, the changed claim is verified, the author publishes the correction with a public note (on a
390 px phone) and the note is shown to readers with the corrected text. axe-core stays clean."""

from __future__ import annotations

import pytest

from articles.models import Article, ArticleEvent
from review import services as review_services
from tests.browser.conftest import artifact
from tests.browser.test_mobile import PHONE, assert_no_sideways_scroll
from tests.conftest import make_article
from tests.support.verdicts import judge

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

OLD = "The council vote was 7 to 2."
NEW = "The council vote was 6 to 3."


def test_a_correction_round_keeps_the_published_text_live_until_the_note_is_published(
    celery_worker, new_page, sign_in, axe, editor, other_editor, reviewer
):
    from playwright.sync_api import expect

    article = make_article(editor, status="published")

    page = new_page(**PHONE)
    sign_in(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    page.get_by_role("link", name="Edit", exact=True).click()
    body = page.get_by_label("Body")
    body.fill(body.input_value().replace(OLD, NEW))
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible()
    # The worker re-extracts; the extraction block reloads the page once it is done.
    expect(page.locator("#extraction-status")).to_contain_text("Claims extracted", timeout=30_000)
    expect(page.locator("#gate")).to_contain_text("1 of 5 claims pending")
    expect(page.get_by_text("A correction is in progress")).to_be_visible()

    reader = new_page()
    sign_in(reader, "other_editor")
    reader.goto(f"/articles/{article.pk}/")
    expect(reader.locator(".article-body")).to_contain_text(OLD)
    expect(reader.locator(".article-body")).not_to_contain_text(NEW)
    assert axe(reader, "article-published-version") == []

    changed = Article.objects.get(pk=article.pk).claims.get(text=NEW)
    review_services.record_verdict(
        changed, judged=judge(changed), by=reviewer, verdict="verified", note="Minutes, item 4."
    )
    # The gate block polls while the article is in review: the form's button comes alive.
    gate = page.locator("#gate")
    expect(gate.get_by_role("button", name="Publish correction")).to_be_enabled(timeout=15_000)
    gate.get_by_label("Correction note (public)").fill(
        "An earlier version gave the vote as 7 to 2; it was 6 to 3."
    )
    assert_no_sideways_scroll(page)
    assert axe(page, "article-correction-phone") == []
    gate.get_by_role("button", name="Publish correction").click()
    expect(page.get_by_text("Correction published.")).to_be_visible()
    expect(page.locator(".corrections")).to_contain_text(
        "An earlier version gave the vote as 7 to 2; it was 6 to 3."
    )
    page.screenshot(path=artifact("article-corrected-phone.png"), full_page=True)

    reader.reload()
    expect(reader.locator(".article-body")).to_contain_text(NEW)
    expect(reader.locator(".corrections")).to_contain_text("it was 6 to 3.")
    assert axe(reader, "article-corrected-reader") == []
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and not article.correction_open
    assert article.events.get(kind=ArticleEvent.Kind.CORRECTED).actor == editor

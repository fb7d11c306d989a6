"""Scheduled publication and unpublishing in a real Chromium against the live server, with a real
Celery worker and beat on a real Redis: the editor schedules publication a few seconds ahead in
the gate block, the page says when, beat publishes it and the gate shows it published without a
reload; then a chief editor, on a 390 px phone, unpublishes it with a reason and the page shows it
withdrawn with that reason. axe-core stays clean."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.utils import timezone

from articles.models import Article, ArticleEvent
from tests.browser.conftest import artifact
from tests.browser.test_mobile import PHONE, assert_no_sideways_scroll
from tests.conftest import ready_article

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def test_the_editor_schedules_beat_publishes_and_a_chief_unpublishes_with_a_reason(
    celery_worker, start_beat, new_page, sign_in, axe, editor, reviewer, chief
):
    from playwright.sync_api import expect

    article = ready_article(editor, reviewer)
    start_beat(env={"PUBLISH_SCHEDULED_SECONDS": "1"})

    page = new_page()
    sign_in(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    gate = page.locator("#gate")
    at = (timezone.now() + dt.timedelta(seconds=8)).astimezone(
        zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )
    gate.get_by_label(f"Publish at ({settings.TIME_ZONE} time)").fill(
        at.strftime("%Y-%m-%dT%H:%M:%S")
    )
    gate.get_by_role("button", name="Schedule publication").click()
    expect(page.get_by_text("Publication scheduled.")).to_be_visible()
    expect(gate).to_contain_text("Scheduled for")
    expect(gate.get_by_role("button", name="Cancel the scheduled publication")).to_be_visible()
    assert axe(page, "article-scheduled") == []
    page.screenshot(path=artifact("article-scheduled.png"), full_page=True)

    # Beat publishes it; the gate block polls while the article is in review and shows it.
    expect(gate).to_contain_text("Published", timeout=30_000)
    published = Article.objects.get(pk=article.pk)
    assert published.status == Article.Status.PUBLISHED
    assert published.published_at >= at.replace(microsecond=0)
    assert article.events.get(kind="status", to_state="published").actor == editor

    phone = new_page(**PHONE)
    sign_in(phone, "chief")
    phone.goto(f"/articles/{article.pk}/")
    phone_gate = phone.locator("#gate")
    phone_gate.get_by_label("Reason for unpublishing (kept in the history)").fill(
        "The council withdrew the budget vote."
    )
    assert_no_sideways_scroll(phone)
    assert axe(phone, "article-unpublish-phone") == []
    phone_gate.get_by_role("button", name="Unpublish").click()
    expect(phone.get_by_text("Unpublished: the article is withdrawn.")).to_be_visible()
    expect(phone_gate).to_contain_text("Withdrawn")
    expect(phone_gate).to_contain_text("The council withdrew the budget vote.")
    assert_no_sideways_scroll(phone)
    phone.screenshot(path=artifact("article-withdrawn-phone.png"), full_page=True)
    assert axe(phone, "article-withdrawn-phone") == []
    assert Article.objects.get(pk=article.pk).status == Article.Status.WITHDRAWN
    assert article.events.get(kind=ArticleEvent.Kind.UNPUBLISHED).note == (
        "The council withdrew the budget vote."
    )

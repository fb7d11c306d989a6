"""Publishing that does not end the story, through the services: scheduling a publication and
cancelling it, beat's run over due articles (published through the gate, or refused with the
reason), two runs at once, and unpublishing. Each test asserts the rows left behind."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from articles import services
from articles.models import Article, ArticleEvent
from review import services as review_services
from tests.conftest import make_article, ready_article, run_extraction_now
from tests.support.verdicts import judge

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)


def kinds(article: Article) -> list[tuple[str, str]]:
    return list(
        article.events.filter(
            kind__in=[
                "scheduled",
                "schedule_cancelled",
                "schedule_failed",
                "unpublished",
                "status",
            ]
        )
        .order_by("pk")
        .values_list("kind", "note")
    )


# --- Scheduling ---------------------------------------------------------------------------------


def test_the_author_schedules_an_open_article_and_the_row_says_when(editor, reviewer):
    article = ready_article(editor, reviewer)
    at = timezone.now() + dt.timedelta(hours=3)

    services.schedule_publication(article, by=editor, at=at)

    article.refresh_from_db()
    assert article.publish_at == at
    assert article.publish_scheduled_by == editor
    assert article.status == Article.Status.IN_REVIEW
    event = article.events.get(kind=ArticleEvent.Kind.SCHEDULED)
    assert event.actor == editor
    assert event.note == at.astimezone(dt.UTC).isoformat()


def test_a_closed_gate_cannot_be_scheduled_and_nothing_changes(editor, reviewer):
    article = make_article(editor, status="in_review")

    with pytest.raises(services.GateClosed) as refused:
        services.schedule_publication(article, by=editor, at=timezone.now() + dt.timedelta(hours=1))

    assert "Cannot schedule yet" in str(refused.value)
    article.refresh_from_db()
    assert article.publish_at is None
    assert not article.events.filter(kind=ArticleEvent.Kind.SCHEDULED).exists()


@pytest.mark.parametrize("delta", [dt.timedelta(0), dt.timedelta(minutes=-5)])
def test_a_time_not_in_the_future_is_refused(editor, reviewer, delta):
    article = ready_article(editor, reviewer)

    with pytest.raises(ValidationError) as refused:
        services.schedule_publication(article, by=editor, at=timezone.now() + delta)

    assert refused.value.message_dict == {"publish_at": ["The time must be in the future."]}
    assert Article.objects.get(pk=article.pk).publish_at is None


def test_only_who_may_publish_may_schedule(editor, other_editor, reviewer, chief):
    article = ready_article(editor, reviewer)
    at = timezone.now() + dt.timedelta(hours=1)

    for refused in (other_editor, reviewer):
        with pytest.raises(PermissionDenied):
            services.schedule_publication(article, by=refused, at=at)
    services.schedule_publication(article, by=chief, at=at)

    assert Article.objects.get(pk=article.pk).publish_scheduled_by == chief


def test_cancelling_clears_the_schedule_and_a_second_cancel_is_refused(editor, reviewer):
    article = ready_article(editor, reviewer)
    at = timezone.now() + dt.timedelta(hours=1)
    services.schedule_publication(article, by=editor, at=at)

    services.cancel_schedule(article, by=editor)
    with pytest.raises(services.InvalidTransition):
        services.cancel_schedule(article, by=editor)

    article.refresh_from_db()
    assert (article.publish_at, article.publish_scheduled_by) == (None, None)
    iso = at.astimezone(dt.UTC).isoformat()
    assert kinds(article)[-2:] == [("scheduled", iso), ("schedule_cancelled", iso)]


def test_publishing_by_hand_clears_the_schedule(editor, reviewer):
    article = ready_article(editor, reviewer)
    services.schedule_publication(article, by=editor, at=timezone.now() + dt.timedelta(hours=1))

    services.publish_article(article, by=editor)

    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.publish_at is None
    assert services.publish_due_articles(now=timezone.now() + dt.timedelta(hours=2)).published == []


# --- Beat's run ---------------------------------------------------------------------------------


def test_a_due_article_is_published_as_the_user_who_scheduled_it(editor, reviewer):
    article = ready_article(editor, reviewer)
    with time_machine.travel(NOON, tick=False):
        services.schedule_publication(article, by=editor, at=NOON + dt.timedelta(minutes=10))

    early = services.publish_due_articles(now=NOON + dt.timedelta(minutes=9))
    due = services.publish_due_articles(now=NOON + dt.timedelta(minutes=10))
    again = services.publish_due_articles(now=NOON + dt.timedelta(minutes=11))

    assert (early.published, due.published, again.published) == ([], [article.pk], [])
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert (article.publish_at, article.publish_scheduled_by) == (None, None)
    published = article.events.get(kind=ArticleEvent.Kind.STATUS, to_state="published")
    assert published.actor == editor


def test_an_edit_after_scheduling_closes_the_gate_and_beat_records_why(editor, reviewer):
    article = ready_article(editor, reviewer)
    services.schedule_publication(article, by=editor, at=timezone.now() + dt.timedelta(minutes=5))
    # The edit changes one sentence: re-extraction sends it back to pending.
    body = article.body.replace("approved", "narrowly approved", 1)
    assert body != article.body
    services.update_article(article, by=editor, title=article.title, body=body)
    run_extraction_now(article.extraction_jobs.order_by("-pk").first().pk)
    article.refresh_from_db()
    pending = article.gate().pending
    assert article.status == Article.Status.IN_REVIEW and pending >= 1

    run = services.publish_due_articles(now=timezone.now() + dt.timedelta(minutes=6))

    assert (run.published, run.failed) == ([], [article.pk])
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert (article.publish_at, article.publish_scheduled_by) == (None, None)
    failed = article.events.get(kind=ArticleEvent.Kind.SCHEDULE_FAILED)
    assert failed.actor is None
    total = article.gate().total
    assert failed.note == f"The gate closed: {pending} of {total} claims pending."
    assert not article.events.filter(kind="status", to_state="published").exists()


def test_an_article_still_re_extracting_when_due_is_not_published(editor, reviewer):
    article = ready_article(editor, reviewer)
    services.schedule_publication(article, by=editor, at=timezone.now() + dt.timedelta(minutes=5))
    body = article.body + "\n\nThe council meets again on Friday at noon in the harbour hall."
    services.update_article(article, by=editor, title=article.title, body=body)

    run = services.publish_due_articles(now=timezone.now() + dt.timedelta(minutes=6))

    assert run.failed == [article.pk]
    assert Article.objects.get(pk=article.pk).status == Article.Status.SUBMITTED
    assert article.events.get(kind="schedule_failed").note == (
        "Only an article in review can be published (it is submitted)."
    )


def test_a_verdict_changed_after_scheduling_fails_the_schedule(editor, reviewer, second_reviewer):
    article = ready_article(editor, reviewer)
    services.schedule_publication(article, by=editor, at=timezone.now() + dt.timedelta(minutes=5))
    claim = article.claims.active().first()
    review_services.record_verdict(
        claim, judged=judge(claim), by=second_reviewer, verdict="unverified", note="Retracted."
    )

    run = services.publish_due_articles(now=timezone.now() + dt.timedelta(minutes=6))

    assert run.failed == [article.pk]
    assert article.events.get(kind="schedule_failed").note == (
        f"The gate closed: {article.gate().unverified} unverified."
    )
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_publish_the_article_once(editor, reviewer):
    articles = [ready_article(editor, reviewer) for _ in range(3)]
    for article in articles:
        services.schedule_publication(
            article, by=editor, at=timezone.now() + dt.timedelta(minutes=1)
        )
    later = timezone.now() + dt.timedelta(minutes=2)
    runs: list[services.ScheduleRun] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            runs.append(services.publish_due_articles(now=later))
        except BaseException as e:  # reported below, not lost in the thread
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    # Both runs read the due list, then wait for the lock this test holds: released, they race
    # for each article.
    with transaction.atomic():
        services.lock_article(articles[0])
        for t in threads:
            t.start()
        time.sleep(1)
    for t in threads:
        t.join(30)

    assert errors == []
    published = sorted(pk for r in runs for pk in r.published)
    assert published == sorted(a.pk for a in articles)
    for article in articles:
        assert article.events.filter(kind="status", to_state="published").count() == 1
        assert not article.events.filter(kind="schedule_failed").exists()


# --- Unpublishing -------------------------------------------------------------------------------


def test_a_chief_unpublishes_with_a_reason_and_the_article_is_withdrawn(
    editor, other_editor, chief
):
    article = make_article(editor, status="published")

    services.unpublish_article(article, by=chief, reason="  The source retracted the report. ")

    article.refresh_from_db()
    assert article.status == Article.Status.WITHDRAWN
    event = article.events.get(kind=ArticleEvent.Kind.UNPUBLISHED)
    assert (event.actor, event.from_state, event.to_state, event.note) == (
        chief,
        "published",
        "withdrawn",
        "The source retracted the report.",
    )
    # Out of the public: other editors no longer see it; its author and chiefs do.
    assert not Article.objects.visible_to(other_editor).filter(pk=article.pk).exists()
    assert Article.objects.visible_to(editor).filter(pk=article.pk).exists()


@pytest.mark.parametrize("reason", ["", "   ", "\u200b\u200b"])
def test_unpublishing_needs_a_visible_reason(editor, chief, reason):
    article = make_article(editor, status="published")

    with pytest.raises(ValidationError) as refused:
        services.unpublish_article(article, by=chief, reason=reason)

    assert "reason" in refused.value.message_dict
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED
    assert not article.events.filter(kind="unpublished").exists()


def test_only_a_chief_unpublishes_and_only_a_published_article(editor, reviewer, chief):
    article = make_article(editor, status="published")
    draft = make_article(editor)

    with pytest.raises(PermissionDenied):
        services.unpublish_article(article, by=editor, reason="I changed my mind.")
    with pytest.raises(services.InvalidTransition):
        services.unpublish_article(draft, by=chief, reason="Wrong button.")

    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED
    assert not ArticleEvent.objects.filter(kind="unpublished").exists()


def test_a_withdrawn_article_goes_back_to_publication_through_draft_and_review(
    editor, reviewer, chief
):
    article = make_article(editor, status="published")
    services.unpublish_article(article, by=chief, reason="A court order.")

    with pytest.raises(services.InvalidTransition):
        services.update_article(article, by=editor, title="New", body=article.body)
    services.return_to_draft(article, by=editor)
    job = services.submit_article(article, by=editor)
    run_extraction_now(job.pk)
    article.refresh_from_db()

    # Unchanged sentences keep their verdicts: the gate is open again, and it publishes.
    assert article.status == Article.Status.IN_REVIEW and article.gate().is_open
    services.publish_article(article, by=editor)
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED

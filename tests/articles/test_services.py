"""Article services: creation, editing, submission and the extraction job lifecycle."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from articles import services
from articles.models import Article, ArticleEvent, Claim, ExtractionJob, Revision
from review.services import record_verdict
from tests.conftest import STORY, STORY_CLAIMS, make_article, run_extraction_now
from tests.support.verdicts import judge

pytestmark = pytest.mark.django_db


def test_editor_creates_a_draft_with_a_history_row(editor):
    article = services.create_article(by=editor, title="Ferry budget", body=STORY)

    assert article.status == Article.Status.DRAFT
    assert article.author == editor
    assert list(article.events.values_list("kind", flat=True)) == [ArticleEvent.Kind.CREATED]


@pytest.mark.parametrize("persona", ["reviewer", "outsider"])
def test_only_editors_create_articles(request, persona):
    user = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        services.create_article(by=user, title="Ferry budget", body=STORY)

    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("", STORY, "title"),
        ("   ", STORY, "title"),
        ("T" * 301, STORY, "title"),
        ("Ferry budget", "", "body"),
        ("Ferry budget", " \n\t ", "body"),
        ("Ferry budget", "x" * 200_001, "body"),
        ("Ferry budget", "The vote was 7 to 2.\x00", "body"),
        ("Ferry\x07 budget", STORY, "title"),
    ],
)
def test_bad_article_input_is_refused_and_nothing_is_saved(editor, title, body, field):
    with pytest.raises(ValidationError) as excinfo:
        services.create_article(by=editor, title=title, body=body)

    assert field in excinfo.value.message_dict
    assert not Article.objects.exists()


def test_submitting_stores_a_revision_and_queues_extraction_after_commit(
    editor, django_capture_on_commit_callbacks
):
    article = services.create_article(by=editor, title="Ferry budget", body=STORY)

    with django_capture_on_commit_callbacks() as callbacks:
        job = services.submit_article(article, by=editor)
    # Nothing reached the broker inside the transaction...
    assert ExtractionJob.objects.get(pk=job.pk).enqueued_at is None
    for callback in callbacks:
        callback()
    # ...and the job was sent once it committed.
    assert ExtractionJob.objects.get(pk=job.pk).enqueued_at is not None

    article.refresh_from_db()
    assert article.status == Article.Status.SUBMITTED
    revision = Revision.objects.get(article=article)
    assert (revision.number, revision.body) == (1, STORY)
    assert (job.state, job.revision, job.body_hash) == ("pending", revision, revision.body_hash)
    assert (
        article.events.filter(kind="status", from_state="draft", to_state="submitted").count() == 1
    )


def test_only_the_author_or_a_chief_submits(editor, other_editor, chief):
    article = services.create_article(by=editor, title="Ferry budget", body=STORY)

    with pytest.raises(PermissionDenied):
        services.submit_article(article, by=other_editor)
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT

    services.submit_article(article, by=chief)
    assert Article.objects.get(pk=article.pk).status == Article.Status.SUBMITTED


def test_submitting_twice_is_an_invalid_transition(editor):
    article = make_article(editor, status="submitted")

    with pytest.raises(services.InvalidTransition):
        services.submit_article(article, by=editor)

    assert ExtractionJob.objects.filter(article=article).count() == 1


def test_finished_extraction_stores_claims_links_credit_sections_and_enters_review(editor):
    article = make_article(editor, status="submitted")
    job = article.extraction_jobs.get()

    run_extraction_now(job.pk)

    article.refresh_from_db()
    job.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert job.state == ExtractionJob.State.DONE
    assert article.extracted_revision == job.revision
    claims = list(article.claims.order_by("ordinal"))
    assert len(claims) == STORY_CLAIMS
    for claim in claims:
        assert job.revision.body[claim.start : claim.end] == claim.text
        assert claim.extractor_version == job.extractor_version
        assert claim.verdict == Claim.Verdict.PENDING
    assert claims[2].section == "What Happened"
    assert [(link.label, link.title) for link in article.related_links.all()] == [
        ("See Also", "Harbor City Ferry Fares To Rise In April")
    ]
    assert article.image_credit.source == "Harbor City Council"
    assert list(article.sections.values_list("label", flat=True)) == ["What Happened"]
    assert article.dateline == dt.date(2025, 2, 3)
    assert article.events.filter(to_state="in_review").count() == 1


def test_a_job_is_taken_by_one_attempt_only(editor):
    job = make_article(editor, status="submitted").extraction_jobs.get()

    first = services.start_extraction_job(job.pk)
    second = services.start_extraction_job(job.pk)

    assert first is not None
    assert second is None
    assert ExtractionJob.objects.get(pk=job.pk).attempts == 1


@override_settings(EXTRACTION_LEASE_SECONDS=30)
def test_a_zombie_attempt_cannot_finish_a_job_taken_over_after_its_lease(editor):
    from extraction import extract

    article = make_article(editor, status="submitted")
    job = article.extraction_jobs.get()
    with time_machine.travel(dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        _, zombie_token = services.start_extraction_job(job.pk)
    with time_machine.travel(dt.datetime(2030, 1, 1, 12, 1, tzinfo=dt.UTC), tick=False):
        _, token = services.start_extraction_job(job.pk)
        result = extract(STORY)
        assert services.complete_extraction_job(job.pk, token=token, result=result)
        assert not services.complete_extraction_job(job.pk, token=zombie_token, result=result)

    assert Claim.objects.filter(article=article).count() == STORY_CLAIMS
    assert article.events.filter(to_state="in_review").count() == 1
    assert ExtractionJob.objects.get(pk=job.pk).attempts == 2


@override_settings(EXTRACTION_MAX_ATTEMPTS=2)
def test_a_failing_job_waits_for_a_retry_then_fails_with_its_reason(editor):
    article = make_article(editor, status="submitted")
    job = article.extraction_jobs.get()

    _, token = services.start_extraction_job(job.pk)
    services.fail_extraction_job(job.pk, token=token, error="boom")
    job.refresh_from_db()
    assert (job.state, job.last_error) == ("pending", "boom")

    _, token = services.start_extraction_job(job.pk)
    services.fail_extraction_job(job.pk, token=token, error="boom again")
    job.refresh_from_db()
    assert (job.state, job.last_error, job.attempts) == ("failed", "boom again", 2)
    assert article.events.filter(kind="extraction", to_state="failed").count() == 1
    assert services.start_extraction_job(job.pk) is None


def test_a_failed_job_can_be_retried_by_its_editor_but_not_by_another(editor, other_editor):
    article = make_article(editor, status="submitted")
    job = article.extraction_jobs.get()
    ExtractionJob.objects.filter(pk=job.pk).update(state="failed", attempts=3, last_error="x")

    with pytest.raises(PermissionDenied):
        services.retry_extraction_job(job, by=other_editor)
    services.retry_extraction_job(job, by=editor)

    job.refresh_from_db()
    assert (job.state, job.attempts) == ("pending", 0)
    with pytest.raises(services.InvalidTransition):
        services.retry_extraction_job(job, by=editor)


def test_sweeper_requeues_jobs_left_pending_and_jobs_whose_lease_expired(editor, settings):
    settings.EXTRACTION_PENDING_GRACE_SECONDS = 0
    settings.EXTRACTION_LEASE_SECONDS = 0
    pending = make_article(editor, status="submitted").extraction_jobs.get()
    lost = make_article(editor, title="Second", status="submitted").extraction_jobs.get()
    services.start_extraction_job(lost.pk)  # lease of 0 s: expired at once, as if the worker died

    with time_machine.travel(dt.timedelta(seconds=5)):
        counts = services.sweep_extraction_jobs()

    assert counts == {"requeued": 2, "failed": 0}
    assert ExtractionJob.objects.get(pk=pending.pk).enqueued_at is not None
    assert ExtractionJob.objects.get(pk=lost.pk).enqueued_at is not None


def test_sweeper_fails_a_job_whose_worker_died_on_every_attempt(editor, settings):
    settings.EXTRACTION_LEASE_SECONDS = 0
    settings.EXTRACTION_MAX_ATTEMPTS = 1
    job = make_article(editor, status="submitted").extraction_jobs.get()
    services.start_extraction_job(job.pk)

    with time_machine.travel(dt.timedelta(seconds=5)):
        counts = services.sweep_extraction_jobs()

    job.refresh_from_db()
    assert counts == {"requeued": 0, "failed": 1}
    assert job.state == ExtractionJob.State.FAILED
    assert "lost" in job.last_error


def test_editing_an_article_in_review_keeps_verdicts_of_unchanged_sentences(editor, reviewer):
    article = make_article(editor, status="in_review")
    claims = {c.text: c for c in article.claims.all()}
    kept = claims["The council vote was 7 to 2."]
    changed = claims["The first ferry is due to enter service in 2027."]
    for claim in (kept, changed):
        record_verdict(
            claim,
            judged=judge(claim),
            by=reviewer,
            verdict="verified",
            note="Minutes of the meeting.",
        )

    new_body = STORY.replace("in 2027", "in 2028").replace(
        "Harbor City approved a $12.5 million budget for its ferry service on Monday. ", ""
    )
    services.update_article(article, by=editor, title=article.title, body=new_body)
    article.refresh_from_db()
    assert article.status == Article.Status.SUBMITTED
    run_extraction_now(article.extraction_jobs.filter(state="pending").get().pk)

    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    kept.refresh_from_db()
    assert (kept.verdict, kept.note, kept.retired_at) == (
        "verified",
        "Minutes of the meeting.",
        None,
    )
    assert new_body[kept.start : kept.end] == kept.text
    changed.refresh_from_db()
    assert changed.text == "The first ferry is due to enter service in 2028."
    assert (changed.verdict, changed.previous_verdict) == ("pending", "verified")
    assert changed.previous_text == "The first ferry is due to enter service in 2027."
    removed = Claim.objects.get(text__startswith="Harbor City approved")
    assert removed.retired_at is not None
    assert article.claims.active().count() == STORY_CLAIMS - 1
    assert article.events.filter(kind="claim_retired", claim=removed).count() == 1
    assert article.events.filter(kind="claim_changed", claim=changed).count() == 1


def test_editing_only_the_title_of_an_article_in_review_does_not_reextract(editor):
    article = make_article(editor, status="in_review")

    services.update_article(article, by=editor, title="A better headline", body=article.body)

    article.refresh_from_db()
    assert (article.status, article.title) == ("in_review", "A better headline")
    assert article.extraction_jobs.count() == 1
    assert article.revisions.count() == 2


def test_a_withdrawn_article_cannot_be_edited_a_published_one_opens_a_correction(editor, chief):
    article = make_article(editor, status="published")
    withdrawn = make_article(editor, title="Withdrawn", status="published")
    services.unpublish_article(withdrawn, by=chief, reason="A court order.")

    with pytest.raises(services.InvalidTransition):
        services.update_article(withdrawn, by=editor, title="New", body=withdrawn.body)
    services.update_article(article, by=editor, title="New", body=article.body)

    assert Article.objects.get(pk=withdrawn.pk).title == "Withdrawn"
    article.refresh_from_db()
    assert (article.title, article.status, article.correction_open) == ("New", "in_review", True)


def test_another_editor_cannot_edit_a_draft(editor, other_editor):
    article = make_article(editor)

    with pytest.raises(PermissionDenied):
        services.update_article(article, by=other_editor, title="Mine now", body=STORY)

    assert Article.objects.get(pk=article.pk).title == "Ferry budget approved"


def test_returning_to_draft_supersedes_unfinished_extraction(editor):
    article = make_article(editor, status="submitted")

    services.return_to_draft(article, by=editor, note="Wrong numbers.")

    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.extraction_jobs.get().state == ExtractionJob.State.SUPERSEDED
    with pytest.raises(services.InvalidTransition):
        services.return_to_draft(article, by=editor)


def test_a_result_for_a_superseded_revision_is_not_applied(editor):
    from extraction import extract

    article = make_article(editor, status="submitted")
    old_job = article.extraction_jobs.get()
    _, token = services.start_extraction_job(old_job.pk)
    services.return_to_draft(article, by=editor)
    services.update_article(
        article, by=editor, title=article.title, body=STORY + "\nOne more fact."
    )
    services.submit_article(article, by=editor)

    assert not services.complete_extraction_job(old_job.pk, token=token, result=extract(STORY))

    assert not Claim.objects.filter(article=article).exists()
    assert Article.objects.get(pk=article.pk).status == Article.Status.SUBMITTED

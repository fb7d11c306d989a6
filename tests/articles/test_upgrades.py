"""A new extractor version re-extracts the articles still being worked on (in review, or back in
draft) through the ordinary job machinery, keeping the verdicts of unchanged sentences; published
articles keep what they were published with; the admin shows each article's extractor version.

The fixture article is extracted "as by the old extractor": its job and claims carry the version
"1.0.0" and its claims are what 1.0.0 made of the text, where a company suffix before a name did
not end the sentence ("...Group Inc. Tallis shares have fallen..." was one claim)."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse

from articles import services
from articles.models import Article, ArticleEvent, ExtractionJob
from articles.services import jobs as extraction_jobs
from articles.tasks import extract_article, reextract_outdated_articles
from extraction import EXTRACTOR_VERSION, extract
from review import services as review_services
from tests.conftest import make_user
from tests.support.verdicts import judge

OLD = "1.0.0"
BODY = (
    " date 2025-05-02 Tallis Mining cut its copper forecast on Friday. "
    "The estimate came from Orrin Partners Group Inc. Tallis shares have fallen 20% this year.\n\n"
    "What Happened: The company will close two mines in Chile. "
    "Velmora Foods Inc. CEO Ana Ruiz said the closures would not affect supplies.\n"
)
UNCHANGED = "The company will close two mines in Chile."
MERGED = "The estimate came from Orrin Partners Group Inc. Tallis shares have fallen 20% this year."
NEW_CLAIMS = [
    "Tallis Mining cut its copper forecast on Friday.",
    "The estimate came from Orrin Partners Group Inc.",
    "Tallis shares have fallen 20% this year.",
    UNCHANGED,
    "Velmora Foods Inc. CEO Ana Ruiz said the closures would not affect supplies.",
]


def old_extraction(body: str):
    """What extractor 1.0.0 made of BODY: the current result with the two claims the new
    company-suffix rule splits joined again (as the old engine left them)."""
    result = extract(body)
    claims = list(result.claims)
    i = next(k for k, c in enumerate(claims) if c.text.endswith("Group Inc."))
    a, b = claims[i], claims[i + 1]
    claims[i : i + 2] = [dataclasses.replace(a, text=body[a.start : b.end], end=b.end)]
    claims = [dataclasses.replace(c, ordinal=k) for k, c in enumerate(claims)]
    return dataclasses.replace(result, claims=tuple(claims))


def make_old_article(author, monkeypatch, *, title: str = "Tallis cuts forecast") -> Article:
    """An article in review whose claims extractor 1.0.0 stored."""
    article = services.create_article(by=author, title=title, body=BODY)
    with monkeypatch.context() as m:
        m.setattr(extraction_jobs, "extractor_version", lambda: OLD)
        job = services.submit_article(article, by=author)
    assert job.extractor_version == OLD
    _, token = services.start_extraction_job(job.pk)
    assert services.complete_extraction_job(job.pk, token=token, result=old_extraction(BODY))
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert [c.text for c in article.claims.active()] == [
        NEW_CLAIMS[0],
        MERGED,
        UNCHANGED,
        NEW_CLAIMS[4],
    ]
    return article


def verify(article: Article, reviewer, *texts: str) -> None:
    for text in texts:
        claim = article.claims.active().get(text=text)
        review_services.record_verdict(
            claim, judged=judge(claim), by=reviewer, verdict="verified", note=f"ok {text[:9]}"
        )


def publish(article: Article, author, reviewer) -> Article:
    verify(article, reviewer, *[c.text for c in article.claims.active()])
    services.publish_article(article, by=author)
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    return article


def run_queued_jobs() -> None:
    """What the worker does with the queued messages: the task itself, in this process."""
    for job_id in ExtractionJob.objects.unfinished().values_list("pk", flat=True):
        extract_article.run(job_id)


@pytest.fixture
def sent(monkeypatch, redis_client) -> list[int]:
    """Job ids of the extraction messages published (none reaches a broker)."""
    published: list[int] = []
    monkeypatch.setattr(
        extract_article, "apply_async", lambda args, **kwargs: published.append(args[0])
    )
    return published


def test_the_fixture_is_what_the_old_extractor_made_and_the_new_one_splits():
    assert EXTRACTOR_VERSION != OLD
    assert [c.text for c in extract(BODY).claims] == NEW_CLAIMS
    assert [c.text for c in old_extraction(BODY).claims] == [
        NEW_CLAIMS[0],
        MERGED,
        UNCHANGED,
        NEW_CLAIMS[4],
    ]


@pytest.mark.django_db
def test_article_in_review_is_re_extracted_in_place_keeping_unchanged_verdicts(
    editor, reviewer, monkeypatch, sent, django_capture_on_commit_callbacks
):
    article = make_old_article(editor, monkeypatch)
    verify(article, reviewer, UNCHANGED, MERGED)
    kept = article.claims.get(text=UNCHANGED)
    merged = article.claims.get(text=MERGED)
    events_before = article.events.count()

    with django_capture_on_commit_callbacks(execute=True):
        run = services.reextract_outdated(limit=10)

    assert [(pk, status) for pk, status, _ in run.queued] == [(article.pk, "in_review")]
    assert run.queued[0][2] == OLD
    job = ExtractionJob.objects.get(article=article, extractor_version=EXTRACTOR_VERSION)
    assert (job.state, job.revision_id) == ("pending", article.extracted_revision_id)
    assert sent == [job.pk]  # the doorbell rang after commit

    assert extract_article.run(job.pk) == "done"

    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW  # never left review
    claims = list(article.claims.active())
    assert [c.text for c in claims] == NEW_CLAIMS
    assert {c.extractor_version for c in claims} == {EXTRACTOR_VERSION}
    # the unchanged sentence kept its row and its verdict
    unchanged = article.claims.get(text=UNCHANGED)
    assert unchanged.pk == kept.pk
    assert (unchanged.verdict, unchanged.note, unchanged.reviewed_by) == (
        "verified",
        kept.note,
        reviewer,
    )
    # the merged sentence's row is now its first half, back to pending, remembering what it was
    first_half = article.claims.get(pk=merged.pk)
    assert first_half.text == "The estimate came from Orrin Partners Group Inc."
    assert (first_half.verdict, first_half.previous_text, first_half.previous_verdict) == (
        "pending",
        MERGED,
        "verified",
    )
    second_half = article.claims.get(text="Tallis shares have fallen 20% this year.")
    assert second_half.verdict == "pending" and second_half.previous_text == ""
    assert article.gate().pending == 4
    # history: one extraction row naming both versions, the changed claim, no status change
    new_events = list(article.events.order_by("pk")[events_before:])
    assert [e.kind for e in new_events] == [
        ArticleEvent.Kind.CLAIM_CHANGED,
        ArticleEvent.Kind.EXTRACTION,
    ]
    note = new_events[1].note
    assert f"Re-extracted with extractor {EXTRACTOR_VERSION}" in note
    assert f"claims were from {OLD}" in note
    assert "(3 unchanged, 1 changed, 1 new, 0 removed)" in note
    assert new_events[1].actor is None and new_events[1].to_state == "done"


@pytest.mark.django_db
def test_running_again_queues_nothing_new_while_pending_or_once_done(editor, monkeypatch, sent):
    article = make_old_article(editor, monkeypatch)
    assert len(services.reextract_outdated(limit=10).queued) == 1
    assert services.reextract_outdated(limit=10).queued == []  # its job is pending
    run_queued_jobs()
    assert services.reextract_outdated(limit=10).queued == []  # done
    assert ExtractionJob.objects.filter(article=article).count() == 2
    assert not services.outdated_articles().exists()


@pytest.mark.django_db
def test_published_articles_are_left_as_published(editor, reviewer, monkeypatch, sent):
    published = publish(make_old_article(editor, monkeypatch), editor, reviewer)
    columns = ("pk", "text", "verdict", "extractor_version")
    before = list(published.claims.values_list(*columns))

    run = services.reextract_outdated(limit=10)
    run_queued_jobs()

    assert run.queued == []
    published.refresh_from_db()
    assert published.status == Article.Status.PUBLISHED
    assert list(published.claims.values_list(*columns)) == before
    assert not ExtractionJob.objects.filter(extractor_version=EXTRACTOR_VERSION).exists()


@pytest.mark.django_db
def test_an_article_published_while_its_upgrade_waits_keeps_its_claims(
    editor, reviewer, monkeypatch, sent
):
    article = make_old_article(editor, monkeypatch)
    services.reextract_outdated(limit=10)
    publish(article, editor, reviewer)

    run_queued_jobs()

    job = ExtractionJob.objects.get(article=article, extractor_version=EXTRACTOR_VERSION)
    assert job.state == "superseded"
    assert set(article.claims.values_list("extractor_version", flat=True)) == {OLD}
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED


@pytest.mark.django_db
def test_a_draft_with_claims_is_re_extracted_and_stays_a_draft(editor, reviewer, monkeypatch, sent):
    article = make_old_article(editor, monkeypatch)
    verify(article, reviewer, UNCHANGED)
    services.return_to_draft(article, by=editor)
    never_submitted = services.create_article(by=editor, title="Fresh draft", body=BODY)

    run = services.reextract_outdated(limit=10)
    run_queued_jobs()

    assert [(pk, status) for pk, status, _ in run.queued] == [(article.pk, "draft")]
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert [c.text for c in article.claims.active()] == NEW_CLAIMS
    assert article.claims.get(text=UNCHANGED).verdict == "verified"
    assert not never_submitted.extraction_jobs.exists()
    # resubmitting the same text reuses the upgrade's job key and matches again
    job = services.submit_article(article, by=editor)
    assert job.extractor_version == EXTRACTOR_VERSION
    run_queued_jobs()
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert article.claims.get(text=UNCHANGED).verdict == "verified"


@pytest.mark.django_db
def test_in_review_first_and_at_most_limit_upgrade_jobs_in_flight(editor, monkeypatch, sent):
    draft = make_old_article(editor, monkeypatch, title="First, back in draft")
    services.return_to_draft(draft, by=editor)
    first = make_old_article(editor, monkeypatch, title="Second")
    second = make_old_article(editor, monkeypatch, title="Third")

    run = services.reextract_outdated(limit=2)
    assert [pk for pk, _, _ in run.queued] == [first.pk, second.pk]
    assert (run.left, run.in_flight) == (1, 0)

    run = services.reextract_outdated(limit=2)  # both still unfinished: no room
    assert (run.queued, run.in_flight, run.left) == ([], 2, 1)

    run_queued_jobs()
    run = services.reextract_outdated(limit=2)
    assert [pk for pk, _, _ in run.queued] == [draft.pk]
    assert run.left == 0


@pytest.mark.django_db
def test_a_submitted_article_is_left_to_its_own_extraction(editor, monkeypatch, sent):
    article = make_old_article(editor, monkeypatch)
    services.update_article(article, by=editor, title=article.title, body=BODY + "\nMore text.\n")
    assert Article.objects.get(pk=article.pk).status == Article.Status.SUBMITTED

    assert services.reextract_outdated(limit=10).queued == []


@pytest.mark.django_db
def test_the_command_lists_in_a_dry_run_then_queues(editor, monkeypatch, sent):
    article = make_old_article(editor, monkeypatch)

    out = io.StringIO()
    call_command("reextract_outdated", "--dry-run", stdout=out)
    assert f"article {article.pk} (in_review, claims from {OLD}): would queue" in out.getvalue()
    assert f"extractor {EXTRACTOR_VERSION}: would queue 1 article(s)" in out.getvalue()
    assert not ExtractionJob.objects.filter(extractor_version=EXTRACTOR_VERSION).exists()

    out = io.StringIO()
    call_command("reextract_outdated", "--limit", "5", stdout=out)
    assert f"article {article.pk} (in_review, claims from {OLD}): queued" in out.getvalue()
    assert ExtractionJob.objects.filter(
        article=article, extractor_version=EXTRACTOR_VERSION, state="pending"
    ).exists()


@pytest.mark.django_db
def test_the_command_refuses_a_limit_below_one(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--limit must be at least 1"):
        call_command("reextract_outdated", "--limit", "0")


@pytest.mark.django_db
def test_the_beat_task_queues_within_its_batch_and_is_scheduled(
    editor, monkeypatch, sent, settings
):
    schedule = django_settings.CELERY_BEAT_SCHEDULE["reextract-outdated-articles"]
    assert schedule["task"] == reextract_outdated_articles.name
    make_old_article(editor, monkeypatch, title="One")
    make_old_article(editor, monkeypatch, title="Two")

    settings.EXTRACTION_UPGRADE_BATCH = 0
    assert reextract_outdated_articles.run() == 0  # switched off
    settings.EXTRACTION_UPGRADE_BATCH = 1
    assert reextract_outdated_articles.run() == 1
    assert reextract_outdated_articles.run() == 0  # one in flight already
    run_queued_jobs()
    assert reextract_outdated_articles.run() == 1


# -- admin ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_lists_each_articles_extractor_version_without_a_query_per_row(
    client, editor, reviewer, monkeypatch, sent, django_assert_max_num_queries
):
    staff = make_user("admin", is_staff=True, is_superuser=True)
    client.force_login(staff)
    old = make_old_article(editor, monkeypatch, title="Old claims")
    services.reextract_outdated(limit=10)
    current = make_old_article(editor, monkeypatch, title="Upgraded claims")
    services.create_article(by=editor, title="No claims yet", body=BODY)
    run_queued_jobs()  # "Old claims" upgraded; "Upgraded claims" next
    services.reextract_outdated(limit=10)
    run_queued_jobs()
    assert set(current.claims.values_list("extractor_version", flat=True)) == {EXTRACTOR_VERSION}
    stale = make_old_article(editor, monkeypatch, title="Still old")

    url = reverse("admin:articles_article_changelist")
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{OLD} (outdated)" in html and EXTRACTOR_VERSION in html

    # the column comes from the list's own query: more articles, same number of queries
    with django_assert_max_num_queries(30) as counted:
        client.get(url)
    queries = len(counted.captured_queries)
    for i in range(5):
        make_old_article(editor, monkeypatch, title=f"More {i}")
    with django_assert_max_num_queries(queries):
        client.get(url)

    response = client.get(url, {"extractor": "outdated"})
    listed = [a.pk for a in response.context["cl"].result_list]
    assert stale.pk in listed and old.pk not in listed and current.pk not in listed
    response = client.get(url, {"extractor": EXTRACTOR_VERSION})
    listed = {a.pk for a in response.context["cl"].result_list}
    assert listed == {old.pk, current.pk}
    response = client.get(url, {"extractor": "none"})
    assert [a.title for a in response.context["cl"].result_list] == ["No claims yet"]

    detail = client.get(reverse("admin:articles_article_change", args=[stale.pk]))
    assert f"{OLD} (outdated)" in detail.content.decode()

"""One message takes several pending extraction jobs when the queue is deep, and finishes them in
one transaction. Batches keep every rule of a single job: a lease per attempt, results stored only
by the holder of the lease, one set of claims and one history row per article, failures recorded
per job."""

from __future__ import annotations

import time

import pytest

from articles import services
from articles.models import Article, ArticleEvent, Claim, ExtractionJob
from articles.services import jobs as extraction_jobs
from articles.signals import history_appended
from articles.tasks import extract_article
from extraction import extract
from tests.conftest import FOLLOW_UP, STORY, STORY_CLAIMS, make_article
from tests.support.fixtures import point_app_at_redis


def submitted_jobs(editor, n: int) -> list[ExtractionJob]:
    articles = [make_article(editor, title=f"Story {i}", status="submitted") for i in range(n)]
    return [article.extraction_jobs.get() for article in articles]


def assert_in_review_once(job: ExtractionJob) -> None:
    article = Article.objects.get(pk=job.article_id)
    assert article.status == Article.Status.IN_REVIEW
    assert article.extracted_revision_id == job.revision_id
    assert Claim.objects.filter(article=article).count() == STORY_CLAIMS
    assert article.events.filter(kind="status", to_state="in_review").count() == 1


@pytest.mark.django_db
def test_one_message_takes_the_pending_jobs_and_the_others_find_theirs_done(
    editor, settings, django_assert_num_queries
):
    settings.EXTRACTION_BATCH_SIZE = 10
    jobs = submitted_jobs(editor, 4)

    assert extract_article.run(jobs[1].pk) == "done"

    for job in jobs:
        job.refresh_from_db()
        assert (job.state, job.attempts) == ("done", 1)
        assert_in_review_once(job)
    # The message of a job already done: one query, no write.
    with django_assert_num_queries(1):
        assert extract_article.run(jobs[0].pk) == "skipped"


@pytest.mark.django_db
def test_a_batch_takes_its_own_job_first_then_the_oldest_untried_ones(editor):
    jobs = submitted_jobs(editor, 5)
    retried = jobs[0]
    _, token = services.start_extraction_job(retried.pk)
    services.fail_extraction_job(retried.pk, token=token, error="boom")  # pending, 1 attempt used

    taken = services.start_extraction_jobs(jobs[4].pk, more=2)

    # A job that failed once waits for its own message (or the sweeper); it is not swept along.
    assert [job.pk for job in taken.jobs] == [jobs[1].pk, jobs[2].pk, jobs[4].pk]
    assert {job.lease_token for job in taken.jobs} == {taken.token}
    assert all(job.revision.body == STORY for job in taken.jobs)
    assert ExtractionJob.objects.get(pk=jobs[3].pk).state == "pending"


@pytest.mark.django_db
def test_attempts_racing_for_overlapping_batches_share_them_and_store_one_set_each(
    editor, monkeypatch
):
    jobs = submitted_jobs(editor, 6)
    ids = [job.pk for job in jobs]
    # Both attempts read the same pending jobs before either takes any: the second one's read is
    # replayed after the first has taken its batch.
    stale = extraction_jobs._job_candidates(ids[0], more=3, now=extraction_jobs.timezone.now())
    first = services.start_extraction_jobs(ids[0], more=3)
    replayed = [*stale, (ids[4], "pending", 0, None)]
    monkeypatch.setattr(extraction_jobs, "_job_candidates", lambda *args, **kwargs: replayed)
    second = services.start_extraction_jobs(ids[1], more=4)
    monkeypatch.undo()

    assert [job.pk for job in first.jobs] == ids[:4]
    assert [job.pk for job in second.jobs] == [ids[4]]
    for taken in (second, first):
        results = {job.pk: extract(job.revision.body) for job in taken.jobs}
        services.complete_extraction_jobs(results, token=taken.token)
    # The one left over, and everything again: nothing more to do.
    third = services.start_extraction_jobs(ids[5], more=10)
    services.complete_extraction_jobs(
        {job.pk: extract(job.revision.body) for job in third.jobs}, token=third.token
    )
    assert not services.start_extraction_jobs(ids[0], more=10).jobs

    for job in ExtractionJob.objects.filter(pk__in=ids):
        assert (job.state, job.attempts) == ("done", 1)
        assert_in_review_once(job)


@pytest.mark.django_db
def test_a_zombie_batch_stores_only_the_jobs_it_still_holds(editor, settings):
    jobs = submitted_jobs(editor, 3)
    settings.EXTRACTION_LEASE_SECONDS = 0
    zombie = services.start_extraction_jobs(jobs[0].pk, more=2)
    settings.EXTRACTION_LEASE_SECONDS = 120
    _, token = services.start_extraction_job(jobs[1].pk)  # taken over after the lease ran out

    finished = services.complete_extraction_jobs(
        {job.pk: extract(job.revision.body) for job in zombie.jobs}, token=zombie.token
    )

    assert sorted(job.pk for job in finished) == [jobs[0].pk, jobs[2].pk]
    taken_over = ExtractionJob.objects.get(pk=jobs[1].pk)
    assert (taken_over.state, taken_over.lease_token) == ("running", token)
    assert not Claim.objects.filter(article_id=jobs[1].article_id).exists()
    assert services.complete_extraction_job(jobs[1].pk, token=token, result=extract(STORY))
    assert_in_review_once(ExtractionJob.objects.get(pk=jobs[1].pk))


@pytest.mark.django_db
def test_storing_a_batch_writes_one_insert_per_table_however_many_jobs(
    editor, django_assert_num_queries
):
    def complete(n: int) -> None:
        jobs = submitted_jobs(editor, n)
        taken = services.start_extraction_jobs(jobs[0].pk, more=n - 1)
        results = {job.pk: extract(job.revision.body) for job in taken.jobs}
        # savepoint, lock articles, lock jobs, insert claims, links, credits, sections, history,
        # the reviewers for the notifications' fan-out (one query per batch; none here), update
        # articles, update jobs, release savepoint (the test's transaction stays open)
        with django_assert_num_queries(12):
            assert len(services.complete_extraction_jobs(results, token=taken.token)) == n

    complete(2)
    complete(12)


@pytest.mark.django_db
def test_each_article_of_a_batch_gets_its_history_row_and_rings_the_webhooks(editor):
    jobs = submitted_jobs(editor, 3)
    seen: list[ArticleEvent] = []

    def receiver(sender, events, **kwargs):
        seen.extend(event for event in events if event.kind == ArticleEvent.Kind.STATUS)

    history_appended.connect(receiver)
    try:
        extract_article.run(jobs[0].pk)
    finally:
        history_appended.disconnect(receiver)

    assert sorted(event.article_id for event in seen) == sorted(job.article_id for job in jobs)
    for event in seen:
        assert event.pk and (event.kind, event.from_state, event.to_state) == (
            "status",
            "submitted",
            "in_review",
        )
        assert event.note == f"{STORY_CLAIMS} claims extracted."


@pytest.mark.django_db
def test_an_article_whose_extraction_raises_does_not_cost_the_others_theirs(editor, monkeypatch):
    jobs = submitted_jobs(editor, 3)
    bad = make_article(editor, title="Bad", body=FOLLOW_UP, status="submitted")
    bad = bad.extraction_jobs.get()

    def flaky_extract(text: str):
        if text == FOLLOW_UP:
            raise ValueError("the engine choked")
        return extract(text)

    monkeypatch.setattr("extraction.extract", flaky_extract)

    assert extract_article.run(bad.pk) == "failed"

    bad.refresh_from_db()
    assert (bad.state, bad.attempts) == ("pending", 1)
    assert bad.last_error == "ValueError: the engine choked"
    for job in jobs:
        assert_in_review_once(job)


@pytest.mark.django_db
def test_an_article_the_database_refuses_does_not_cost_the_others_theirs(editor, monkeypatch):
    jobs = submitted_jobs(editor, 3)
    refused = jobs[1]
    apply = services.apply_extraction

    def apply_or_refuse(article, *args, **kwargs):
        if article.pk == refused.article_id:
            raise services.InvalidTransition("refused")
        return apply(article, *args, **kwargs)

    monkeypatch.setattr(extraction_jobs, "apply_extraction", apply_or_refuse)

    assert extract_article.run(jobs[0].pk) == "done"

    refused.refresh_from_db()
    assert (refused.state, refused.last_error) == ("pending", "InvalidTransition: refused")
    assert not Claim.objects.filter(article_id=refused.article_id).exists()
    assert Article.objects.get(pk=refused.article_id).status == Article.Status.SUBMITTED
    for job in (jobs[0], jobs[2]):
        assert_in_review_once(job)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_racing_itself_over_a_deep_queue_extracts_each_article_once(
    start_redis, redis_server, start_worker, editor
):
    server = start_redis(aof=False)
    point_app_at_redis(server.url)
    try:
        jobs = submitted_jobs(editor, 16)  # each message is sent after its commit
        for job in jobs:
            extract_article.apply_async(args=[job.pk])  # and a duplicate of each
        worker = start_worker(
            concurrency=2, env={"REDIS_URL": server.url, "EXTRACTION_BATCH_SIZE": "5"}
        )

        deadline = time.monotonic() + 30
        while ExtractionJob.objects.exclude(state="done").exists():
            assert time.monotonic() < deadline, "the jobs did not finish"
            time.sleep(0.05)
    finally:
        point_app_at_redis(redis_server.url)

    for job in ExtractionJob.objects.all():
        assert job.attempts == 1
        assert_in_review_once(job)
    assert "taken together" in worker.log()


@pytest.fixture
def sent(monkeypatch, redis_client) -> list[int]:
    """Job ids of the extraction messages published (none reaches a broker); doorbell cleared."""
    published: list[int] = []
    monkeypatch.setattr(
        extract_article, "apply_async", lambda args, **kwargs: published.append(args[0])
    )
    return published


@pytest.mark.django_db
def test_submits_while_a_doorbell_waits_do_not_ring_again(
    editor, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        jobs = submitted_jobs(editor, 3)

    assert sent == [jobs[0].pk]
    assert all(job.enqueued_at for job in ExtractionJob.objects.all())  # the sweeper waits too

    # The task answers the doorbell before it reads: the next submit rings again.
    extract_article.run(jobs[0].pk)
    with django_capture_on_commit_callbacks(execute=True):
        later = submitted_jobs(editor, 1)[0]
    assert sent == [jobs[0].pk, later.pk]
    for job in jobs:
        assert_in_review_once(job)


@pytest.mark.django_db
@pytest.mark.parametrize("batch", [1, 2])
def test_a_task_that_leaves_jobs_behind_rings_for_them(editor, sent, settings, batch):
    settings.EXTRACTION_BATCH_SIZE = batch
    jobs = submitted_jobs(editor, 5)  # nothing rang: the commits are not run in this test

    next_id = jobs[0].pk
    while next_id is not None:
        extract_article.run(next_id)
        next_id = sent[-1] if sent and sent[-1] != next_id else None

    assert sent == [job.pk for job in jobs[batch::batch]]

    for job in jobs:
        assert_in_review_once(job)


@pytest.mark.django_db
def test_the_sweeper_rings_even_while_a_doorbell_waits(editor, sent, settings):
    settings.EXTRACTION_PENDING_GRACE_SECONDS = 0
    jobs = submitted_jobs(editor, 2)
    services.enqueue_extraction(jobs[0].pk)  # the doorbell rings, its message waits

    assert services.sweep_extraction_jobs()["requeued"] == 2
    assert sent[0] == jobs[0].pk and sorted(sent[1:]) == [jobs[0].pk, jobs[1].pk]

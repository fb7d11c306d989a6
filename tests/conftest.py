"""Shared fixtures: named personas, article factories, and the real services the integration tests
need (Redis, Celery workers: see tests/support/fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from articles import permissions

pytest_plugins = [
    "tests.support.fixtures",
    "tests.support.api",
    "tests.support.pages",
    "tests.support.desk",
    "tests.support.smtp",
]

PASSWORD = "correct-horse-battery-staple"

# A short wire story of our own, in the feed's shape: 5 claims, a section, a link, a credit.
STORY = (
    " date 2025-02-03 Harbor City approved a $12.5 million budget for its ferry service on Monday. "
    "The council vote was 7 to 2.\n\n"
    "What Happened: Mayor Lena Ortiz said the money would buy two electric ferries. "
    '"We waited ten years for this. It is finally here," she said.\n\n'
    "See Also: Harbor City Ferry Fares To Rise In April\n\n"
    "The first ferry is due to enter service in 2027.\n\n"
    "Image via Harbor City Council\n"
)
STORY_CLAIMS = 5
# A follow-up of our own that repeats facts of STORY: one sentence word for word (other spacing),
# one with its clauses reordered, and one with a changed number (which must never match).
FOLLOW_UP = (
    " date 2025-03-10 Harbor City  approved a $12.5 million budget for its ferry service on Monday. "
    "Two electric ferries would be bought with the money, Mayor Lena Ortiz said.\n\n"
    "What Happened: The council vote was 6 to 2.\n\n"
    "Residents will be able to comment on the ferry timetable until the end of March.\n"
)


def pytest_configure(config: pytest.Config) -> None:
    # The SQLite test databases live in var/ (settings.VAR_DIR), which bin/setup makes; a fresh
    # clone's plain `python -m pytest` must not depend on it.
    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    # Tests render templates without running collectstatic; production uses the manifest storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def make_user(username: str, *roles: str, **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    for role in roles:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    return user


@pytest.fixture
def editor(db) -> User:
    return make_user("editor", permissions.EDITOR, first_name="Eda", last_name="Editor")


@pytest.fixture
def other_editor(db) -> User:
    return make_user("other_editor", permissions.EDITOR)


@pytest.fixture
def reviewer(db) -> User:
    return make_user("reviewer", permissions.REVIEWER, first_name="Rui", last_name="Reviewer")


@pytest.fixture
def second_reviewer(db) -> User:
    return make_user("second_reviewer", permissions.REVIEWER)


@pytest.fixture
def editor_reviewer(db) -> User:
    """Holds both roles: may review other people's articles, never their own."""
    return make_user("editor_reviewer", permissions.EDITOR, permissions.REVIEWER)


@pytest.fixture
def chief(db) -> User:
    return make_user("chief", permissions.CHIEF)


@pytest.fixture
def outsider(db) -> User:
    """Signed in, in no group."""
    return make_user("outsider")


@pytest.fixture
def staff(db) -> User:
    return make_user("staff", is_staff=True, is_superuser=True)


def run_extraction_now(job_id: int, *, timeout: float = 10.0) -> None:
    """What the Celery task does, in this process: take the job, extract, finish it. In tests that
    commit, a running worker may have taken the job first (or taken it over); then wait for it to
    finish."""
    import time

    from articles import services
    from articles.models import ExtractionJob
    from extraction import extract

    taken = services.start_extraction_job(job_id)
    if taken is not None:
        job, token = taken
        if services.complete_extraction_job(job_id, token=token, result=extract(job.revision.body)):
            return
        # Refused: our lease was taken over meanwhile. A test that travels in time leases the job
        # until a moment long past for the sweeper of a live worker running in real time, which
        # hands it to that worker; then the worker's run is the one that counts: wait for it.
    deadline = time.monotonic() + timeout
    while ExtractionJob.objects.get(pk=job_id).state != ExtractionJob.State.DONE:
        assert time.monotonic() < deadline, "the extraction job did not finish"
        time.sleep(0.05)


def make_article(
    author: User, *, title: str = "Ferry budget approved", body: str = STORY, status: str = "draft"
):
    """An article in `status`, taken there through the real services (extraction run inline)."""
    from articles import services
    from articles.models import Article
    from review import services as review_services
    from tests.support.verdicts import judge

    article = services.create_article(by=author, title=title, body=body)
    if status == Article.Status.DRAFT:
        return article
    job = services.submit_article(article, by=author)
    if status == Article.Status.SUBMITTED:
        return Article.objects.get(pk=article.pk)
    run_extraction_now(job.pk)
    article.refresh_from_db()
    if status == Article.Status.IN_REVIEW:
        return article
    verifier = make_user(f"verifier-{article.pk}", permissions.REVIEWER)
    for claim in article.claims.active():
        review_services.record_verdict(
            claim, by=verifier, judged=judge(claim), verdict="verified", note="Checked."
        )
    services.publish_article(article, by=author)
    article.refresh_from_db()
    return article


def ready_article(author: User, reviewer: User):
    """An article in review with every claim verified by `reviewer`: its gate is open."""
    from articles.models import Article
    from review import services as review_services
    from tests.support.verdicts import judge

    article = make_article(author, status="in_review")
    for claim in article.claims.active():
        review_services.record_verdict(
            claim, judged=judge(claim), by=reviewer, verdict="verified", note="Checked."
        )
    return Article.objects.get(pk=article.pk)


@pytest.fixture
def article_factory(db):
    return make_article


# Two articles that share facts, analysed as the background task would
# (`review.intelligence.analyse_article`).


@pytest.fixture
def analysed_pair(editor, other_editor):
    """STORY by `editor` and FOLLOW_UP by `other_editor`, both in review and analysed."""
    from review import intelligence

    first = make_article(editor, status="in_review")
    intelligence.analyse_article(first.pk)
    second = make_article(other_editor, title="Ferry follow-up", body=FOLLOW_UP, status="in_review")
    intelligence.analyse_article(second.pk)
    return first, second


@pytest.fixture
def judged_pair(analysed_pair, reviewer):
    """(source, target): STORY's budget sentence verified by `reviewer` with a note and evidence,
    and the same sentence in FOLLOW_UP, pending."""
    from review.services import record_verdict
    from tests.support.verdicts import judge

    first, second = analysed_pair
    source = first.claims.get(text__startswith="Harbor City approved")
    record_verdict(
        source,
        by=reviewer,
        judged=judge(source),
        verdict="verified",
        note="Council minutes, item 4.",
        evidence_url="https://example.org/minutes",
    )
    source.refresh_from_db()
    return source, second.claims.get(text__startswith="Harbor City  approved")

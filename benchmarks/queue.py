"""Server time and query count of the review queue for a reviewer with 1,000 pending claims over
100 articles.

    .venv/bin/python -m benchmarks.queue [--articles 100] [--claims 10] [--runs 50]

It builds a throw-away environment (NEWSROOM_VAR_DIR in a temp dir: a fresh SQLite database,
migrated) and fills it by bulk inserts: `--articles` articles in review, each with `--claims`
pending claims spread over three sections, a revision, sections, a related link and an image
credit; a tenth of the articles assigned to the reviewer, a third with a publish-by time, and a few
claims held by other reviewers. Then it renders the queue page (and its partial, which the page
re-fetches when the queue changes) through Django's test client, in this process, `--runs` times
after a warm-up, and prints the median and p95 server time (wall clock and this process's CPU
time: on a busy machine the wall clock includes waiting for a CPU), the query count and the
page size.

The queue shows 10 articles per page (review.views.QUEUE_PAGE_SIZE) with all their pending
claims; the counts, the filters and the order still cover all 1,000 claims. Production settings
apart from static files: DEBUG off, the cached template loader, but plain StaticFilesStorage (no collectstatic).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SENTENCES = [
    "The council approved item {n} of the ferry budget on Monday.",
    "Officials said the cost of item {n} rose by {p} percent this year.",
    "The mayor's office expects item {n} to be finished by {y}.",
    "Residents filed {p} complaints about item {n} last month.",
]
SECTIONS = ["What Happened", "Why It Matters", "What's Next"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def build_body(claims: int) -> tuple[str, list[tuple[int, int, str, str]], list[tuple[str, int]]]:
    """A body of `claims` sentences in three sections: the text, the claims' (start, end, text,
    section) and the sections' (label, start)."""
    parts: list[str] = []
    spans: list[tuple[int, int, str, str]] = []
    sections: list[tuple[str, int]] = []
    offset = 0
    per_section = max(1, -(-claims // len(SECTIONS)))
    for i in range(claims):
        section = SECTIONS[min(i // per_section, len(SECTIONS) - 1)]
        if i % per_section == 0:
            label = f"{section}: "
            sections.append((section, offset))
            parts.append(label)
            offset += len(label)
        text = SENTENCES[i % len(SENTENCES)].format(n=i + 1, p=10 + i, y=2026 + i % 4)
        spans.append((offset, offset + len(text), text, section))
        parts.append(text + "\n\n")
        offset += len(text) + 2
    parts.append("See Also: Ferry fares to rise in April\n\nImage via Harbor City Council\n")
    return "".join(parts), spans, sections


def populate(article_count: int, claims_per_article: int) -> int:
    """Fill the database; return the reviewer's id."""
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from articles import permissions
    from articles.models import (
        Article,
        ArticleEvent,
        Claim,
        ImageCredit,
        RelatedLink,
        Revision,
        Section,
        content_hash,
    )
    from review.models import Assignment, ClaimHold

    def user(name: str, role: str) -> User:
        created = User.objects.create_user(name, first_name=name.title(), last_name="Bench")
        created.groups.add(Group.objects.get(name=role))
        return created

    editors = [user(f"editor{i}", permissions.EDITOR) for i in range(5)]
    reviewer = user("reviewer", permissions.REVIEWER)
    others = [user(f"other{i}", permissions.REVIEWER) for i in range(3)]
    chief = user("chief", permissions.CHIEF)
    body, spans, section_starts = build_body(claims_per_article)
    now = timezone.now()

    articles = Article.objects.bulk_create(
        Article(
            title=f"Ferry budget story {i}",
            body=body,
            author=editors[i % len(editors)],
            status=Article.Status.IN_REVIEW,
            created_at=now - dt.timedelta(hours=article_count - i + 1),
            submitted_at=now - dt.timedelta(hours=article_count - i),
            publish_by=now + dt.timedelta(hours=(i * 7) % 48) if i % 3 == 0 else None,
        )
        for i in range(article_count)
    )
    revisions = Revision.objects.bulk_create(
        Revision(
            article=a,
            number=1,
            title=a.title,
            body=body,
            body_hash=content_hash(body),
            created_by=a.author,
        )
        for a in articles
    )
    for article, revision in zip(articles, revisions):
        article.extracted_revision = revision
    Article.objects.bulk_update(articles, ["extracted_revision"])
    claims = Claim.objects.bulk_create(
        [
            Claim(
                article=a,
                revision=r,
                ordinal=j,
                text=text,
                start=start,
                end=end,
                section=section,
                extractor_version="bench",
            )
            for a, r in zip(articles, revisions)
            for j, (start, end, text, section) in enumerate(spans)
        ],
        batch_size=2000,
    )
    Section.objects.bulk_create(
        Section(article=a, ordinal=k, label=label, start=start)
        for a in articles
        for k, (label, start) in enumerate(section_starts)
    )
    link_at = body.index("See Also")
    RelatedLink.objects.bulk_create(
        RelatedLink(
            article=a,
            ordinal=0,
            label="See Also",
            title="Ferry fares to rise in April",
            url="https://example.org/fares",
            start=link_at,
            end=link_at + 38,
        )
        for a in articles
    )
    ImageCredit.objects.bulk_create(
        ImageCredit(article=a, text="Image via Harbor City Council", source="Harbor City Council")
        for a in articles
    )
    ArticleEvent.objects.bulk_create(
        ArticleEvent(
            article=a, actor=None, kind="status", from_state="submitted", to_state="in_review"
        )
        for a in articles
    )
    Assignment.objects.bulk_create(
        Assignment(article=a, reviewer=reviewer, assigned_by=chief)
        for a in articles[:: max(1, article_count // 10)]
    )
    ClaimHold.objects.bulk_create(
        ClaimHold(
            claim=claims[i * claims_per_article * 7],
            holder=other,
            taken_at=now,
            expires_at=now + dt.timedelta(minutes=5),
        )
        for i, other in enumerate(others)
        if i * claims_per_article * 7 < len(claims)
    )
    return reviewer.pk


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--claims", type=int, default=10, help="pending claims per article")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="newsroom-queue-bench-"))
    os.environ["NEWSROOM_VAR_DIR"] = str(workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(REPO))
    try:
        import django
        from django.conf import settings

        django.setup()
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from articles.models import Claim

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        reviewer_id = populate(args.articles, args.claims)
        reviewer = User.objects.get(pk=reviewer_id)
        pending = Claim.objects.awaiting(reviewer).count()
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"machine: {os.cpu_count()} CPUs, load average {load:.2f} (wall time includes waiting "
            f"for a CPU; CPU time is this process's, SQLite included, as it runs in-process)"
        )
        print(
            f"data: {args.articles} articles, {pending} pending claims awaiting the reviewer "
            f"(built in {time.perf_counter() - started:.1f} s, "
            f"SQLite {connection.settings_dict['NAME']})"
        )
        client = Client()
        client.force_login(reviewer)

        htmx = {"HTTP_HX_REQUEST": "true"}
        for name, url, headers in (
            ("queue page", reverse("review:queue"), {}),
            ("queue partial (htmx refresh)", reverse("review:queue_partial"), htmx),
            ("queue version (poll)", reverse("review:queue_version") + "?v=x", htmx),
        ):
            for _ in range(3):  # warm-up: template cache, connection, SQLite page cache
                client.get(url, **headers)
            timings, cpu = [], []
            for _ in range(args.runs):
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(url, **headers)
                timings.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                assert response.status_code == 200, response.status_code
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, **headers)
            body = response.content.decode()
            rows = body.count('class="claim-row queue-row')
            print(
                f"{name}: wall median {statistics.median(timings):.1f} ms, "
                f"p95 {percentile(timings, 95):.1f} ms, min {min(timings):.1f} ms; "
                f"CPU median {statistics.median(cpu):.1f} ms, p95 {percentile(cpu, 95):.1f} ms; "
                f"{len(queries)} queries; {len(response.content) / 1024:.0f} KiB"
                + (f"; {rows} claim rows" if rows else "")
            )
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Server time and query count of the Desk page with 100,000 claims and 1,000,000 history rows.

    .venv/bin/python -m benchmarks.desk [--claims 100000] [--events 1000000] [--runs 20]
                                        [--database sqlite|postgres|both] [--postgres-url URL]

It builds a throw-away database (SQLite in a temp dir; on PostgreSQL a database
`newsroom_bench_desk` created on the server of `--postgres-url`, else of DATABASE_URL) and fills it
by bulk inserts (`articles.bulk.insert_rows`): articles of 10 claims spread over the last 365 days
(older ones published, the last few days' in review with pending claims), every claim judged
(9 in 10 verified) by one of 8 reviewers a few hours after submission, scored for
check-worthiness, 1 verdict in 20 reused; the history has each article's status changes and
verdicts, and as many other rows (edits, extraction outcomes, assignments) as it takes to reach
`--events` rows. The time zone is Europe/Berlin, so every day and hour is converted.

Then it renders the Desk through Django's test client, in this process, `--runs` times after a
warm-up, for the chief editor (everything) with the default range (the last 14 days) and with
the longest range (92 days), and for one reviewer, and prints the median and p95 server time
(wall clock and CPU), the query count and the page size. DEBUG off, cached template loader.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLAIMS_PER_ARTICLE = 10
DAYS = 365
SECTIONS = ["What Happened", "Why It Matters", "What's Next", ""]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def populate(claims_total: int, events_total: int) -> dict:
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction
    from django.utils import timezone

    from articles import permissions
    from articles.bulk import insert_rows
    from articles.models import Article, ArticleEvent, Claim, Revision, content_hash
    from review.models import Assignment

    rng = random.Random(16)
    adapt = connection.ops.adapt_datetimefield_value
    # --profile: time each chart's query once the data is in.

    def user(name: str, role: str) -> User:
        created = User.objects.create_user(name, first_name=name.title(), last_name="Bench")
        created.groups.add(Group.objects.get(name=role))
        return created

    editors = [user(f"editor{i}", permissions.EDITOR) for i in range(20)]
    reviewers = [user(f"reviewer{i}", permissions.REVIEWER) for i in range(8)]
    chief = user("chief", permissions.CHIEF)
    now = timezone.now()
    n_articles = claims_total // CLAIMS_PER_ARTICLE
    body = " ".join(f"The council approved item {i} of the budget." for i in range(10))
    plans = []
    for i in range(n_articles):
        submitted = now - dt.timedelta(days=DAYS * (n_articles - i) / n_articles)
        age_days = (now - submitted).total_seconds() / 86400
        plans.append((submitted, age_days > 3 or rng.random() < 0.3))
    with transaction.atomic():
        articles = Article.objects.bulk_create(
            [
                Article(
                    title=f"Desk story {i}",
                    body=body,
                    author=editors[i % len(editors)],
                    status=Article.Status.PUBLISHED if done else Article.Status.IN_REVIEW,
                    created_at=submitted - dt.timedelta(hours=2),
                    submitted_at=submitted,
                    published_at=submitted + dt.timedelta(hours=rng.uniform(3, 30))
                    if done
                    else None,
                )
                for i, (submitted, done) in enumerate(plans)
            ],
            batch_size=2000,
        )
        revisions = Revision.objects.bulk_create(
            [
                Revision(
                    article=a,
                    number=1,
                    title=a.title,
                    body=body,
                    body_hash=content_hash(body),
                    created_by=a.author,
                )
                for a in articles
            ],
            batch_size=2000,
        )
        claim_rows, verdicts = [], []
        for a, r in zip(articles, revisions, strict=True):
            done = a.status == Article.Status.PUBLISHED
            for j in range(CLAIMS_PER_ARTICLE):
                judged = done or rng.random() < 0.6
                verdict = (
                    ("verified" if rng.random() < 0.9 else "unverified") if judged else "pending"
                )
                if done and verdict == "unverified":
                    verdict = "verified"
                reviewer = reviewers[rng.randrange(len(reviewers))]
                when = a.submitted_at + dt.timedelta(minutes=rng.uniform(20, 180))
                if a.published_at and when > a.published_at:
                    when = a.published_at - dt.timedelta(minutes=1)
                claim_rows.append(
                    (
                        a.pk,
                        r.pk,
                        j,
                        f"The council approved item {j} of the budget.",
                        j * 40,
                        j * 40 + 39,
                        SECTIONS[j % len(SECTIONS)],
                        "bench",
                        verdict,
                        "Checked." if judged else "",
                        "",
                        reviewer.pk if judged else None,
                        when if judged else None,
                        rng.random(),
                        a.submitted_at,
                    )
                )
                if judged:
                    verdicts.append((a.pk, j, reviewer.pk, verdict, when))
        insert_rows(
            Claim,
            [
                "article",
                "revision",
                "ordinal",
                "text",
                "start",
                "end",
                "section",
                "extractor_version",
                "verdict",
                "note",
                "evidence_url",
                "reviewed_by",
                "reviewed_at",
                "checkworthiness",
                "created_at",
            ],
            claim_rows,
        )
        claim_ids = dict(
            ((article_id, ordinal), pk)
            for pk, article_id, ordinal in Claim.objects.values_list("pk", "article_id", "ordinal")
        )
        fields = [
            "article",
            "claim",
            "actor",
            "kind",
            "from_state",
            "to_state",
            "note",
            "evidence_url",
            "source_claim",
            "created_at",
        ]
        events = []
        for a in articles:
            events.append((a.pk, None, a.author_id, "created", "", "", "", "", None, a.created_at))
            events.append(
                (
                    a.pk,
                    None,
                    a.author_id,
                    "status",
                    "draft",
                    "submitted",
                    "",
                    "",
                    None,
                    a.submitted_at,
                )
            )
            events.append(
                (a.pk, None, None, "status", "submitted", "in_review", "", "", None, a.submitted_at)
            )
            if a.published_at:
                events.append(
                    (
                        a.pk,
                        None,
                        a.author_id,
                        "status",
                        "in_review",
                        "published",
                        "",
                        "",
                        None,
                        a.published_at,
                    )
                )
        for article_id, ordinal, reviewer_id, verdict, when in verdicts:
            source = None
            if rng.random() < 0.05:
                source = claim_ids[(rng.choice(articles).pk, ordinal)]
            events.append(
                (
                    article_id,
                    claim_ids[(article_id, ordinal)],
                    reviewer_id,
                    "verdict",
                    "pending",
                    verdict,
                    "Checked.",
                    "",
                    source,
                    when,
                )
            )
        filler_kinds = ["edited", "extraction", "assigned", "claim_changed"]
        while len(events) < events_total:
            a = articles[rng.randrange(len(articles))]
            end = a.published_at or now
            when = a.created_at + (end - a.created_at) * rng.random()
            events.append(
                (a.pk, None, a.author_id, rng.choice(filler_kinds), "", "", "", "", None, when)
            )
        rows = [(*e[:-1], adapt(e[-1])) for e in events]
        for start in range(0, len(rows), 50_000):
            insert_rows(ArticleEvent, fields, rows[start : start + 50_000], prepared=True)
        Assignment.objects.bulk_create(
            Assignment(article=a, reviewer=reviewers[i % len(reviewers)], assigned_by=chief)
            for i, a in enumerate(articles)
            if a.status == Article.Status.IN_REVIEW
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"chief": chief.pk, "reviewer": reviewers[0].pk, "articles": len(articles)}


def run(database: str, args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-desk-bench-"))
    os.environ["NEWSROOM_VAR_DIR"] = str(workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["TIME_ZONE"] = "Europe/Berlin"
    if database == "postgres":
        os.environ["DATABASE_URL"] = _postgres_database(args.postgres_url)
    else:
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
        from django.utils import timezone

        from articles.models import ArticleEvent, Claim

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        ids = populate(args.claims, args.events)
        load = os.getloadavg()[0]
        print(
            f"[{connection.vendor}] machine: {os.cpu_count()} CPUs, load average {load:.2f}; "
            f"data: {ids['articles']:,} articles, {Claim.objects.count():,} claims, "
            f"{ArticleEvent.objects.count():,} history rows over {DAYS} days "
            f"(built in {time.perf_counter() - started:.0f} s); time zone Europe/Berlin"
        )
        today = timezone.localdate()
        cases = [
            ("chief, last 14 days", ids["chief"], {}),
            (
                "chief, 92 days",
                ids["chief"],
                {
                    "since": (today - dt.timedelta(days=91)).isoformat(),
                    "until": today.isoformat(),
                },
            ),
            ("reviewer, last 14 days", ids["reviewer"], {}),
        ]
        if args.profile:
            _profile(ids["chief"])
        for name, user_id, params in cases:
            client = Client()
            client.force_login(User.objects.get(pk=user_id))
            url = reverse("desk:page")
            for _ in range(2):
                client.get(url, params)
            timings, cpu = [], []
            for _ in range(args.runs):
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(url, params)
                timings.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                assert response.status_code == 200, response.status_code
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, params)
            print(
                f"[{connection.vendor}] {name}: wall median {statistics.median(timings):.0f} ms, "
                f"p95 {percentile(timings, 95):.0f} ms; CPU median {statistics.median(cpu):.0f} ms;"
                f" {len(queries)} queries; {len(response.content) / 1024:.0f} KiB"
            )
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _profile(chief_id: int) -> None:
    from django.contrib.auth.models import User

    from review import desk

    scope = desk.DeskScope.of(User.objects.get(pk=chief_id))
    since, until = desk.default_range()
    filters = desk.DeskFilters(since=since, until=until)
    for slug in desk.CHARTS:
        t0 = time.perf_counter()
        desk.desk_charts(scope, filters, only=slug)
        print(f"  {slug}: {(time.perf_counter() - t0) * 1000:.0f} ms")


def _postgres_database(url: str | None) -> str:
    """A fresh database `newsroom_bench_desk` on the server of `url` (or DATABASE_URL)."""
    import psycopg

    base = url or os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        raise SystemExit("PostgreSQL: pass --postgres-url postgres://user:pass@host:port/db")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS newsroom_bench_desk")
        conn.execute("CREATE DATABASE newsroom_bench_desk")
    return base.rsplit("/", 1)[0] + "/newsroom_bench_desk"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--postgres-url")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite temp dir")
    parser.add_argument("--profile", action="store_true", help="time each chart's queries")
    args = parser.parse_args()
    if args.database != "both":
        return run(args.database, args)
    # One process per database: Django is set up once per process.
    for database in ("sqlite", "postgres"):
        command = [sys.executable, "-m", "benchmarks.desk", "--database", database]
        command += ["--claims", str(args.claims), "--events", str(args.events)]
        command += ["--runs", str(args.runs)] + (["--profile"] if args.profile else [])
        if args.postgres_url:
            command += ["--postgres-url", args.postgres_url]
        if subprocess.run(command, cwd=REPO).returncode:
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

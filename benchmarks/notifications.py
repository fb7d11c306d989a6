"""What notifications cost: the fan-out inside the transaction that appends history rows, the
bell and the notifications page with many rows, and making a large digest.

    .venv/bin/python -m benchmarks.notifications [--reviewers 50] [--articles 50] [--rows 10000]
                                                 [--digest 500] [--runs 30]

It builds a throw-away environment (NEWSROOM_VAR_DIR in a temp dir: a fresh SQLite database,
migrated; REDIS_URL pointed at a closed port, so doorbells fail at once and nothing is sent) and
measures, in this process, with production settings apart from static files:

1. An extraction batch: `--articles` submitted articles stored by one
   `articles.services.complete_extraction_jobs` call, each entering review, so every one of
   `--reviewers` reviewers is told of every article (articles × reviewers notification rows).
   Timed with the fan-out connected and, on a second identical batch, disconnected: the
   difference is what notifications add to the transaction. Query counts of both.
2. One verdict that opens an article's gate (`record_verdict` on its last pending claim): time
   and queries with and without the fan-out.
3. The bell (`/notifications/bell/`) and the page (`/notifications/`) for a user with `--rows`
   notifications: median and p95 server time, query count.
4. `make_digest` for a user with `--digest` notifications waiting, over 25 articles.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def timed(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    return result, elapsed * 1000, len(queries)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--digest", type=int, default=500)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="newsroom-notifications-bench-"))
    os.environ["NEWSROOM_VAR_DIR"] = str(workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["REDIS_URL"] = "redis://127.0.0.1:9/0"  # closed: doorbells fail at once
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
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        from django.contrib.auth.models import Group, User
        from django.core.management import call_command
        from django.db import connection, transaction
        from django.test import Client
        from django.urls import reverse

        from articles import permissions
        from articles import services as article_services
        from articles.models import ArticleEvent
        from articles.signals import history_appended
        from extraction import extract
        from review import services as review_services
        from review.notifications import services
        from review.notifications.models import Notification

        call_command("migrate", verbosity=0)
        load = os.getloadavg()[0]
        print(f"machine: {os.cpu_count()} CPUs, load average {load:.2f}; SQLite in {workdir}")

        reviewer_group, _ = Group.objects.get_or_create(name=permissions.REVIEWER)
        editor_group, _ = Group.objects.get_or_create(name=permissions.EDITOR)
        editor = User.objects.create_user("editor", email="editor@example.test")
        editor.groups.add(editor_group)
        reviewers = [
            User.objects.create_user(f"reviewer{i}", email=f"r{i}@example.test")
            for i in range(args.reviewers)
        ]
        reviewer_group.user_set.add(*reviewers)
        body = (
            "Harbor City approved a $12.5 million budget for its ferry service on Monday. "
            "The council vote was 7 to 2. The first ferry is due to enter service in 2027.\n"
        )

        def batch(tag: str):
            jobs = []
            for i in range(args.articles):
                article = article_services.create_article(by=editor, title=f"{tag} {i}", body=body)
                jobs.append(article_services.submit_article(article, by=editor))
            taken = article_services.start_extraction_jobs(jobs[0].pk, more=args.articles - 1)
            results = {job.pk: extract(job.revision.body) for job in taken.jobs}
            return lambda: article_services.complete_extraction_jobs(results, token=taken.token)

        # 1. The extraction batch, with and without the fan-out.
        store = batch("With")
        _, with_ms, with_q = timed(lambda: transaction.atomic()(store)())
        written = Notification.objects.count()
        history_appended.disconnect(dispatch_uid="review.notifications_fan_out")
        store = batch("Without")
        _, without_ms, without_q = timed(lambda: transaction.atomic()(store)())
        history_appended.connect(services.fan_out, dispatch_uid="review.notifications_fan_out")
        print(
            f"1. extraction batch of {args.articles} articles entering review, "
            f"{args.reviewers} reviewers: {with_ms:.0f} ms / {with_q} queries with the fan-out "
            f"({written} notifications written), {without_ms:.0f} ms / {without_q} queries "
            f"without: +{with_ms - without_ms:.0f} ms, "
            f"{(with_ms - without_ms) * 1000 / max(1, written):.0f} µs per notification"
        )

        # 2. The verdict that opens the gate.
        from articles.models import Article

        figures = []
        for connected in (True, False):
            if not connected:
                history_appended.disconnect(dispatch_uid="review.notifications_fan_out")
            article = Article.objects.filter(status="in_review").order_by("pk")[
                0 if connected else 1
            ]
            claims = list(article.claims.active())
            for claim in claims[:-1]:
                review_services.record_verdict(
                    claim, by=reviewers[0], judged=claim.text_sha, verdict="verified", note="ok"
                )
            last = claims[-1]
            _, ms, queries = timed(
                lambda last=last: review_services.record_verdict(
                    last, by=reviewers[0], judged=last.text_sha, verdict="verified", note="ok"
                )
            )
            figures.append((ms, queries))
        history_appended.connect(services.fan_out, dispatch_uid="review.notifications_fan_out")
        opened = Notification.objects.filter(kind="gate_opened").count()
        print(
            f"2. the verdict that opens the gate: {figures[0][0]:.1f} ms / {figures[0][1]} queries "
            f"with the fan-out ({opened} gate_opened notification), {figures[1][0]:.1f} ms / "
            f"{figures[1][1]} queries without"
        )

        # 3. Bell and page with many rows.
        reader = reviewers[1]
        event = ArticleEvent.objects.filter(kind="status").first()
        events = ArticleEvent.objects.bulk_create(
            [ArticleEvent(article_id=event.article_id, kind="assigned") for _ in range(args.rows)]
        )
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=reader,
                    event=e,
                    article_id=e.article_id,
                    kind="assigned",
                    reason=f"Row {n}",
                )
                for n, e in enumerate(events)
            ],
            batch_size=2000,
        )
        total = Notification.objects.filter(recipient=reader).count()
        client = Client()
        client.force_login(reader)
        for name, url in (
            ("bell", reverse("notifications:bell")),
            ("page", reverse("notifications:list")),
            ("page 40", reverse("notifications:list") + "?page=40"),
        ):
            for _ in range(3):
                client.get(url)
            times, queries = [], 0
            for _ in range(args.runs):
                response, ms, queries = timed(lambda url=url: client.get(url))
                assert response.status_code == 200, response.status_code
                times.append(ms)
            print(
                f"3. {name} with {total} notifications: median {statistics.median(times):.1f} ms, "
                f"p95 {percentile(times, 95):.1f} ms, {queries} queries"
            )

        # 4. A large digest.
        digest_user = reviewers[2]
        articles = list(Article.objects.order_by("pk")[:25])
        rows = ArticleEvent.objects.bulk_create(
            [ArticleEvent(article=articles[n % 25], kind="assigned") for n in range(args.digest)]
        )
        Notification.objects.filter(recipient=digest_user).delete()
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=digest_user,
                    event=e,
                    article_id=e.article_id,
                    kind="unverified",
                    reason=f"Claim {n} unverified.",
                    email="digest",
                )
                for n, e in enumerate(rows)
            ]
        )
        log, ms, queries = timed(lambda: services.make_digest(digest_user))
        print(
            f"4. a digest of {args.digest} notifications over 25 articles: {ms:.0f} ms, "
            f"{queries} queries, {len(log.body_text) // 1024} KiB text + "
            f"{len(log.body_html) // 1024} KiB HTML"
        )
        connection.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

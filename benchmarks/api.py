"""Requests per second and latency of the API under gunicorn, on 10,000 articles.

    .venv/bin/python -m benchmarks.api [--articles 10000] [--duration 10] [--connections 16]
                                       [--worker-class gthread] [--threads 4] [--no-persistent]

It builds a throw-away environment (NEWSROOM_VAR_DIR in a temp dir: a fresh SQLite database,
migrated, filled with `--articles` articles by bulk inserts, a fifth of them with claims, links,
credit, sections and history), starts gunicorn with 2 workers and production settings
(DJANGO_DEBUG=false, a generated secret key) on a free 127.0.0.1 port, and drives load from this
machine with `wrk` (Debian's, `apt-get install wrk`) or, without it, a small Python load
generator (threads, keep-alive connections). Both are bounded in time.

Measured, authenticated as a chief editor with an API token (so the list counts all articles):

- the article list, page 1 (`GET /api/v1/articles`, 50 rows with their gates);
- an article detail with its claims, links, credit, sections and history.

Each along two paths (articles/cache.py), printed as the `path` column:

- `remembered`: the same URL again and again, nothing written meanwhile, so after the first
  request each worker answers from its memory (keyed by the data version, which any write
  changes); a read-mostly API under steady polling looks like this;
- `database`: every request carries a parameter the API ignores (`?fresh=<n>`) but the cache key
  includes, so none is remembered: every request reads the database, as the first request after
  a write does.

By default the database is given as DATABASE_URL (`sqlite:///...`), which keeps connections open
between requests (conn_max_age 60), as production on PostgreSQL does; `--no-persistent` uses the
settings' default SQLite path instead (a new connection per request), for comparison.
`--postgres-url postgres://USER:PASSWORD@HOST/DB` runs on PostgreSQL instead: a database
`newsroom_bench_api` is made on that server (the user needs CREATEDB) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORKERS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


POSTGRES_DATABASE = "newsroom_bench_api"


def populate(count: int) -> tuple[str, int]:
    """Fill the database; return a chief editor's token and the id of a detail-worthy article."""
    import datetime as dt
    import random

    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
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
    from integrations import services

    call_command("migrate", verbosity=0)
    rng = random.Random(20251125)
    editors = []
    for n in range(20):
        user = User.objects.create_user(f"editor{n}", first_name="Ed", last_name=f"Itor {n}")
        user.groups.add(Group.objects.get(name=permissions.EDITOR))
        editors.append(user)
    chief = User.objects.create_user("bench-chief")
    chief.groups.add(Group.objects.get(name=permissions.CHIEF))
    reviewer = User.objects.create_user("bench-reviewer")
    reviewer.groups.add(Group.objects.get(name=permissions.REVIEWER))

    body = (
        " date 2025-02-03 Harbor City approved a $12.5 million budget for its ferry service on "
        "Monday. The council vote was 7 to 2.\n\nWhat Happened: Mayor Lena Ortiz said the money "
        'would buy two electric ferries. "We waited ten years for this. It is finally here," she '
        "said.\n\nSee Also: Harbor City Ferry Fares To Rise In April\n\nThe first ferry is due to "
        "enter service in 2027.\n\nImage via Harbor City Council\n"
    )
    sentences = [
        "Harbor City approved a $12.5 million budget for its ferry service on Monday.",
        "The council vote was 7 to 2.",
        "Mayor Lena Ortiz said the money would buy two electric ferries.",
        '"We waited ten years for this. It is finally here," she said.',
        "The first ferry is due to enter service in 2027.",
    ]
    now = timezone.now()
    statuses = ["published"] * 6 + ["in_review"] * 2 + ["submitted", "draft"]
    articles = []
    for n in range(count):
        status = rng.choice(statuses)
        created = now - dt.timedelta(minutes=count - n)
        articles.append(
            Article(
                title=f"Story {n}: Harbor City ferry budget",
                body=body,
                author=rng.choice(editors),
                status=status,
                dateline=dt.date(2025, 1, 1) + dt.timedelta(days=n % 365),
                created_at=created,
                submitted_at=created if status != "draft" else None,
                published_at=created if status == "published" else None,
            )
        )
    Article.objects.bulk_create(articles, batch_size=1000)
    extracted = [a for a in Article.objects.exclude(status__in=["draft", "submitted"])][
        : count // 5
    ]
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
            for a in extracted
        ],
        batch_size=1000,
    )
    claims, links, credits, sections, events = [], [], [], [], []
    for article, revision in zip(extracted, revisions):
        published = article.status == "published"
        for i, text in enumerate(sentences):
            start = body.index(text)
            claims.append(
                Claim(
                    article=article,
                    revision=revision,
                    ordinal=i,
                    text=text,
                    start=start,
                    end=start + len(text),
                    extractor_version="bench",
                    verdict="verified" if published or i < 2 else "pending",
                    note="Checked." if published or i < 2 else "",
                    reviewed_by=reviewer if published or i < 2 else None,
                    reviewed_at=now if published or i < 2 else None,
                )
            )
        links.append(
            RelatedLink(
                article=article,
                ordinal=0,
                label="See Also",
                title="Harbor City Ferry Fares To Rise In April",
                start=0,
                end=10,
            )
        )
        credits.append(
            ImageCredit(
                article=article, text="Image via Harbor City Council", source="Harbor City Council"
            )
        )
        sections.append(Section(article=article, ordinal=0, label="What Happened", start=100))
        events += [
            ArticleEvent(article=article, actor=article.author, kind="created", to_state="draft"),
            ArticleEvent(
                article=article,
                actor=article.author,
                kind="status",
                from_state="draft",
                to_state="submitted",
            ),
            ArticleEvent(
                article=article, kind="status", from_state="submitted", to_state="in_review"
            ),
        ]
    Claim.objects.bulk_create(claims, batch_size=1000)
    RelatedLink.objects.bulk_create(links, batch_size=1000)
    ImageCredit.objects.bulk_create(credits, batch_size=1000)
    Section.objects.bulk_create(sections, batch_size=1000)
    ArticleEvent.objects.bulk_create(events, batch_size=1000)
    _, key = services.create_api_token(user=chief, name="benchmark")
    detail = next(a for a in extracted if a.status == "in_review")
    return key, detail.pk


def service_time(token: str, path: str, *, fresh: bool) -> float:
    """Median time of one request handled in this process (Django's test client, no network, no
    concurrency): what a worker spends per request. `fresh`: a new `?fresh=` value each time."""
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    samples = []
    for n in range(100):
        start = time.perf_counter()
        assert client.get(path, {"fresh": f"s{n}"} if fresh else {}).status_code == 200
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples[10:])


# --- Load ---------------------------------------------------------------------------------------


# Each wrk thread numbers its requests: `?fresh=<thread>-<n>`, a URL never asked before.
FRESH_LUA = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  n = 0
end
function request()
  n = n + 1
  return wrk.format(nil, wrk.path .. "?fresh=" .. id .. "-" .. n)
end
"""


def run_wrk(
    url: str, token: str, *, duration: int, connections: int, fresh: bool
) -> dict[str, float]:
    command = [
        "wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s",
        "-H", f"Authorization: Bearer {token}", url,
    ]  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(FRESH_LUA)
        script.flush()
        if fresh:
            command += ["-s", script.name]
        out = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=duration + 60
        ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise SystemExit(f"{non_2xx.group(1)} error responses from {url}:\n{out}")

    def latency(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50%"),
        "p99": latency("99%"),
        "requests": float(re.search(r"(\d+) requests in", out).group(1)),
    }


def run_python(
    url: str, token: str, *, duration: int, connections: int, fresh: bool
) -> dict[str, float]:
    """Fallback: `connections` threads, each on one keep-alive connection, for `duration` s."""
    match = re.match(r"http://([^/:]+):(\d+)(/.*)", url)
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client(number: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        mine: list[float] = []
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            target = f"{path}?fresh={number}-{len(mine)}" if fresh else path
            conn.request("GET", target, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - start) * 1000)
            if response.status != 200:
                errors.append(str(response.status))
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=10)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 30)
    if errors:
        raise SystemExit(f"{len(errors)} error responses from {url}: {errors[:5]}")
    ordered = sorted(latencies)
    return {
        "rps": len(ordered) / duration,
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
        "requests": float(len(ordered)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument(
        "--no-persistent", action="store_true", help="a new DB connection per request"
    )
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator")
    parser.add_argument(
        "--postgres-url",
        default="",
        help="a PostgreSQL server where the benchmark may create its database",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="newsroom-api-bench-"))
    env = {
        **os.environ,
        "NEWSROOM_VAR_DIR": str(workdir),
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }
    if args.postgres_url:
        from benchmarks.reuse import admin_sql, with_database

        admin_sql(args.postgres_url, f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}"')
        admin_sql(args.postgres_url, f'CREATE DATABASE "{POSTGRES_DATABASE}"')
        env["DATABASE_URL"] = with_database(args.postgres_url, POSTGRES_DATABASE)
    elif not args.no_persistent:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'newsroom.sqlite3'}"
    else:
        env.pop("DATABASE_URL", None)
    os.environ.update({k: v for k, v in env.items() if k != "DATABASE_URL"})
    if "DATABASE_URL" in env:
        os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    sys.path.insert(0, str(REPO))

    import django

    django.setup()
    started = time.monotonic()
    token, detail_id = populate(args.articles)
    print(f"{args.articles} articles in {workdir} ({time.monotonic() - started:.1f} s to build)")

    endpoints = (
        ("article list, page 1 (50 rows)", "/api/v1/articles"),
        ("article detail (5 claims, history)", f"/api/v1/articles/{detail_id}"),
    )
    paths = (("remembered", False), ("database", True))
    service = {
        (path, fresh): service_time(token, path, fresh=fresh)
        for _, path in endpoints
        for _, fresh in paths
    }
    port = free_port()
    log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 (closed in finally)
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "newsroom.wsgi:application",
        "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "--worker-class", args.worker_class,
        "--log-level", "warning",
    ]  # fmt: skip
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads), "--keep-alive", "5"]
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request(
                    "GET", "/api/v1/articles", headers={"Authorization": f"Bearer {token}"}
                )
                status = conn.getresponse().status
                if status != 200:
                    raise SystemExit(f"the list answered {status}; see {workdir / 'gunicorn.log'}")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit((workdir / "gunicorn.log").read_text()[-3000:]) from None
                time.sleep(0.2)

        load = run_python if args.python_load or shutil.which("wrk") is None else run_wrk
        tool = "python threads" if load is run_python else "wrk -t2"
        workers = f"{args.worker_class}" + (
            f", {args.threads} threads" if args.worker_class == "gthread" else ""
        )
        database = "PostgreSQL" if args.postgres_url else "SQLite"
        connection = (
            f"new {database} connection per request"
            if args.no_persistent
            else f"persistent {database} connections"
        )
        print(
            f"gunicorn: {WORKERS} workers ({workers}), DEBUG off, {connection}; load: {tool}, "
            f"{args.connections} keep-alive connections, {args.duration} s per endpoint, same machine "
            f"({os.cpu_count()} CPUs)"
        )
        print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        print(f"{'endpoint':38s} {'path':10s} {'req/s':>8s}   {'p50':>8s}   {'p99':>8s}")
        for name, path in endpoints:
            for label, fresh in paths:
                options = {"connections": args.connections, "fresh": fresh}
                load(base + path, token, duration=2, **options)  # warm-up
                result = load(base + path, token, duration=args.duration, **options)
                print(
                    f"{name:38s} {label:10s} {result['rps']:8.1f}   {result['p50']:5.2f} ms   "
                    f"{result['p99']:5.2f} ms   ({int(result['requests'])} requests; in-process "
                    f"service time {service[path, fresh]:.2f} ms)"
                )
        print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)
        if args.postgres_url:
            from django.db import connections

            connections.close_all()
            admin_sql(args.postgres_url, f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}"')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

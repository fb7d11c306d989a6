"""How long 1,000 articles take to be accepted (created and submitted for review) through the
API of a real gunicorn, as a wire-feed integration sends them.

    .venv/bin/python -m benchmarks.intake [--articles 1000] [--batch 100] [--single]
                                          [--postgres-url postgres://USER@HOST:PORT/DB]

It builds a throw-away deployment: NEWSROOM_VAR_DIR in a temp dir, a fresh SQLite database (or,
with --postgres-url, a database `newsroom_bench_intake` made on that server and dropped after),
migrated with `bin/run migrate`; an editor with an API token whose own write limit is
10000/min (integrations: per-token limits); `bin/run web` (gunicorn, 2 workers × 4 threads,
NEWSROOM_ENV=production). No Celery worker runs: what is measured is acceptance (the articles
are stored as submitted and their extraction jobs queued), not extraction.

Prints the time for all articles through POST /api/v1/articles/bulk (`--batch` per request,
`"submit": true`), and with --single also one create and one submit request per article
(2 requests each, on 4 connections), which the per-token limit makes possible at all: at the
default per-user limit (120 writes/min) 1,000 articles took 17 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BODY = (
    "Harbor City approved a $12.5 million budget for its ferry service on Monday. "
    "The council vote was 7 to 2.\n\nMayor Lena Ortiz said the money would buy two electric "
    "ferries.\n\nThe first ferry is due to enter service in 2027.\n"
)
SETUP = """
import django; django.setup()
from django.contrib.auth.models import Group, User
from articles import permissions
from integrations import services
user = User.objects.create_user("wire", password=None)
user.groups.add(Group.objects.get_or_create(name=permissions.EDITOR)[0])
token, raw = services.create_api_token(user=user, name="wire feed")
token.write_rate = "10000/min"
token.save(update_fields=["write_rate"])
print(raw)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(url: str, body: dict | None, token: str) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else b"",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)


def psql(url: str, sql: str) -> None:
    base = url.rsplit("/", 1)[0] + "/postgres"
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--single", action="store_true")
    parser.add_argument("--postgres-url", default="")
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="newsroom-bench-intake-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NEWSROOM_"))}
    port = free_port()
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        NEWSROOM_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        NEWSROOM_VAR_DIR=str(var),
        NEWSROOM_COLLECTSTATIC="0",
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        WEB_THREADS="4",
        WEB_ACCESS_LOG="/dev/null",
        REDIS_URL=env.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
    database = "SQLite"
    if args.postgres_url:
        psql(args.postgres_url, "DROP DATABASE IF EXISTS newsroom_bench_intake")
        psql(args.postgres_url, "CREATE DATABASE newsroom_bench_intake")
        env["DATABASE_URL"] = args.postgres_url.rsplit("/", 1)[0] + "/newsroom_bench_intake"
        database = "PostgreSQL"
    else:
        env["DATABASE_URL"] = f"sqlite:///{var}/newsroom.sqlite3"
    web = None
    try:
        subprocess.run([REPO / "bin" / "run", "migrate"], env=env, check=True, capture_output=True)
        token = (
            subprocess.run(
                [sys.executable, "-c", SETUP],
                env=env,
                cwd=REPO,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        web = subprocess.Popen(
            [REPO / "bin" / "run", "web"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        call(f"{base}/api/v1/articles/bulk", {"articles": [{"title": "w", "body": BODY}]}, token)

        started = time.perf_counter()
        accepted = 0
        for first in range(0, args.articles, args.batch):
            items = [
                {"title": f"Wire {n}", "body": BODY}
                for n in range(first, min(args.articles, first + args.batch))
            ]
            body = call(f"{base}/api/v1/articles/bulk", {"articles": items, "submit": True}, token)
            accepted += sum(row["status"] == "submitted" for row in body["articles"])
        bulk = time.perf_counter() - started
        print(
            f"{database}: {accepted:,} articles created and submitted through the bulk endpoint "
            f"({args.batch} per request) in {bulk:.1f} s ({accepted / bulk:,.0f}/s)"
        )

        if args.single:

            def one(n: int) -> str:
                created = call(
                    f"{base}/api/v1/articles", {"title": f"Single {n}", "body": BODY}, token
                )
                return call(f"{base}/api/v1/articles/{created['id']}/submit", None, token)["status"]

            started = time.perf_counter()
            with ThreadPoolExecutor(4) as pool:
                states = list(pool.map(one, range(args.articles)))
            single = time.perf_counter() - started
            print(
                f"{database}: {states.count('submitted'):,} articles created and submitted one "
                f"request each (4 connections, token limit 10000/min) in {single:.1f} s"
            )
    finally:
        if web is not None:
            os.killpg(web.pid, 15)
            web.wait(timeout=30)
        if args.postgres_url:
            psql(args.postgres_url, "DROP DATABASE IF EXISTS newsroom_bench_intake")
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()

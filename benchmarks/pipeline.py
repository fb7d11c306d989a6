"""Submit-to-claims-stored latency and throughput, with one real worker process on a real Redis.

    .venv/bin/python -m benchmarks.pipeline [--articles 1000] [--latency-articles 200] [--rate 50]

It builds a throw-away environment (a fresh SQLite database in a temp dir, migrated; a private
redis-server; one Celery worker process), then measures two things through the service layer:

- latency: articles submitted one by one at a steady `--rate` per second (below saturation), each
  from `submit_article` returning to its claims being stored (the job's `finished_at`); p50/p99;
- throughput: `--articles` submitted while the worker does not consume, then released: articles
  per second from the first job taken until every message was consumed, and the CPU time the worker's processes (its main process and its pool
  process) spent per article meanwhile, which depends much less on what else the machine runs.

The worker consumes only the `extraction` queue unless `--queues` says otherwise: what follows
extraction (claim analysis, on `default`) is not part of "claims stored".
The load average is printed before and after: on a shared machine, compare runs only at similar
load. `--batch-size` sets the worker's `EXTRACTION_BATCH_SIZE` (1: one job per message).

Every article is unique (generated from templates of our own, names and numbers varied). Set
`DATABASE_URL` to measure on PostgreSQL instead of SQLite (the database must exist and be empty).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

TOWNS = ["Harbor City", "Eastgate", "Riverton", "Millbrook", "Northfield", "Clearwater", "Oakdale"]
PEOPLE = [
    "Lena Ortiz",
    "Dev Alcott",
    "Priya Nair",
    "Martin Oyelaran",
    "Harriet Vance",
    "Tomas Berg",
]
COMPANIES = [
    "Brightfield Energy Corp.",
    "Kessler & Sons Inc.",
    "Northwind Logistics Co.",
    "Tessa Foods Ltd.",
]


def make_story(rng: random.Random, n: int) -> str:
    town, person, company = rng.choice(TOWNS), rng.choice(PEOPLE), rng.choice(COMPANIES)
    amount = rng.randint(2, 900) + rng.randint(0, 9) / 10
    pct = rng.randint(2, 60)
    return (
        f" date 2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {town} approved a ${amount} "
        f"million contract with {company} on Monday, story {n}. The vote was {rng.randint(5, 9)} to "
        f"{rng.randint(0, 4)}.\n\n"
        f"What Happened: Mayor {person} said the work would start in {rng.randint(2026, 2030)}. "
        f'"We waited {rng.randint(3, 15)} years for this. It is finally here," {person.split()[0]} said. '
        f"The U.S. Department of Transportation will pay {pct}% of the cost.\n\n"
        f"- Traffic rose {rng.randint(2, 40)}% since {rng.randint(2010, 2020)}.\n"
        f"- The old plan cost ${rng.randint(1, 50)} million more.\n\n"
        f"See Also: {town} Budget Vote Set For {rng.choice(['April', 'May', 'June'])}\n\n"
        f"Why It Matters: {company} shares rose {rng.randint(1, 9)}.{rng.randint(0, 9)}% on the news. "
        f"Residents will be asked to comment by Oct. {rng.randint(1, 28)}.\n\n"
        "Image via Shutterstock\n"
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=1000, help="burst size for throughput")
    parser.add_argument("--latency-articles", type=int, default=200)
    parser.add_argument("--rate", type=float, default=50.0, help="submits per second for latency")
    parser.add_argument("--pool", default="prefork", choices=["prefork", "solo"])
    parser.add_argument(
        "--batch-size", type=int, default=None, help="the worker's EXTRACTION_BATCH_SIZE"
    )
    parser.add_argument(
        "--queues",
        default="extraction",
        help="queues the worker consumes; extraction,default adds the work that follows extraction "
        "(claim analysis) to the same process, as bin/run's worker does",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    os.environ["NEWSROOM_VAR_DIR"] = str(workdir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(REPO))
    from tests.support.processes import CeleryWorker, RedisServer

    redis = RedisServer(data_dir=workdir / "redis", aof=True, appendfsync="everysec").start()
    os.environ["REDIS_URL"] = redis.url

    import django
    import redis as redis_client

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection

    from articles import permissions, services
    from articles.models import ExtractionJob

    call_command("migrate", verbosity=0)
    editor = User.objects.create_user("bench-editor")
    editor.groups.add(Group.objects.get(name=permissions.EDITOR))
    db = settings.DATABASES["default"]
    print(
        f"database: {connection.vendor} {db['NAME']}; redis {redis.url}; pool {args.pool}, 1 process"
    )

    env = {**os.environ, "REDIS_URL": redis.url, "LOG_LEVEL": "WARNING"}
    if args.batch_size is not None:
        env["EXTRACTION_BATCH_SIZE"] = str(args.batch_size)
    print(
        f"load average {load_average()}; worker queues {args.queues}, EXTRACTION_BATCH_SIZE "
        f"{env.get('EXTRACTION_BATCH_SIZE', settings.EXTRACTION_BATCH_SIZE)}"
    )
    extra = ("--pool", "solo") if args.pool == "solo" else ()
    worker = CeleryWorker(
        env=env,
        log_path=workdir / "worker.log",
        concurrency=1,
        loglevel="warning",
        queues=args.queues,
        extra_args=extra,
    )
    if args.pool == "solo":
        worker.command = lambda: [  # type: ignore[method-assign]
            sys.executable, "-m", "celery", "-A", "newsroom", "worker", "-Q", args.queues,
            "--pool", "solo", "-l", "warning", "--without-gossip", "--without-mingle",
            "-n", worker.hostname,
        ]  # fmt: skip
    worker.start()
    from newsroom.celery import app

    # The worker logs at WARNING (per-task INFO lines would cost time), so readiness is a ping.
    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[worker.hostname], timeout=0.5):
        if time.monotonic() > deadline or not worker.running():
            raise SystemExit(f"the worker did not start:\n{worker.log()[-3000:]}")
    rng = random.Random(20251125)
    counter = iter(range(10**9))

    def submit_one() -> tuple[int, float]:
        n = next(counter)
        article = services.create_article(by=editor, title=f"Story {n}", body=make_story(rng, n))
        job = services.submit_article(article, by=editor)
        return job.pk, time.time()

    def wait_all(job_ids: list[int], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            left = ExtractionJob.objects.filter(pk__in=job_ids).exclude(state="done").count()
            if not left:
                return
            time.sleep(0.02)
        raise SystemExit(f"timed out: jobs not done after {timeout}s\n{worker.log()[-3000:]}")

    try:
        # Warm up the worker (imports, first connections).
        warm = [submit_one()[0] for _ in range(20)]
        wait_all(warm, 60)

        # Latency at a steady rate.
        submitted: dict[int, float] = {}
        interval = 1.0 / args.rate
        next_at = time.monotonic()
        for _ in range(args.latency_articles):
            job_id, at = submit_one()
            submitted[job_id] = at
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))
        wait_all(list(submitted), 120)
        finished = dict(
            ExtractionJob.objects.filter(pk__in=submitted).values_list("pk", "finished_at")
        )
        latencies = [(finished[j].timestamp() - submitted[j]) * 1000 for j in submitted]
        print(
            f"latency at {args.rate:g} submits/s, {len(latencies)} articles: "
            f"p50 {statistics.median(latencies):.1f} ms, p99 {percentile(latencies, 99):.1f} ms, "
            f"max {max(latencies):.1f} ms"
        )

        # Sustained throughput: queue a burst while the worker does not consume, then let it go,
        # so the figure is the worker's pace and not the pace of this process's submits.
        app.control.cancel_consumer("extraction", destination=[worker.hostname], reply=True)
        submit_started = time.monotonic()
        burst = [submit_one()[0] for _ in range(args.articles)]
        submit_seconds = time.monotonic() - submit_started
        pids = [worker.process.pid, *worker.pool_pids()]
        cpu_before = {pid: cpu_seconds(pid) for pid in pids}
        app.control.add_consumer("extraction", destination=[worker.hostname], reply=True)
        wait_all(burst, 600)
        # A message may store other jobs than its own (a batch): the jobs can all be done while
        # messages wait. Sustained work includes those messages, so wait until the queue is empty.
        broker = redis_client.Redis.from_url(redis.url)
        deadline = time.monotonic() + 600
        while broker.llen("extraction") or broker.hlen("unacked"):
            if time.monotonic() > deadline:
                raise SystemExit("timed out: the extraction queue did not drain")
            time.sleep(0.01)
        drained = time.time()
        cpu = {pid: cpu_seconds(pid) - cpu_before[pid] for pid in pids}
        times = ExtractionJob.objects.filter(pk__in=burst).values_list("started_at", "finished_at")
        first = min(t[0] for t in times)
        last = max(t[1] for t in times)
        seconds = (last - first).total_seconds()
        drain_seconds = drained - first.timestamp()
        print(
            f"throughput: {args.articles} articles in {drain_seconds:.2f} s = "
            f"{args.articles / drain_seconds:.0f} articles/s for one worker process, from the first "
            f"job taken until every message was consumed (all claims were stored after "
            f"{seconds:.2f} s)"
        )
        per_article = {pid: used / args.articles * 1000 for pid, used in cpu.items()}
        print(
            f"worker CPU per article: {sum(per_article.values()):.2f} ms ("
            + ", ".join(
                f"{'main' if pid == worker.process.pid else 'pool'} {ms:.2f}"
                for pid, ms in per_article.items()
            )
            + f"); the burst was submitted at {args.articles / submit_seconds:.0f} articles/s"
        )
        print(f"load average {load_average()}")
    finally:
        worker.stop()
        redis.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

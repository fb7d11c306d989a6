"""The acceptance test of a deployment (issue 18), on one machine standing for several: two web
servers, two workers and two schedulers, each started as the systemd units start them
(`bin/run web|worker|scheduler`, NEWSROOM_ENV=production, one shared secret key) with a var
directory of its own, on one PostgreSQL and one Redis.

300 articles go in through both web servers (the bulk endpoint). Worker A is slowed so that it
still holds jobs when it is SIGKILLed with its pool; the active scheduler is SIGKILLed at the
same moment. Then: every article has its claims exactly once, the standby scheduler took over and
swept, A's jobs were finished by worker B within 30 s of the kill (extraction lease and sweep at
their production defaults: 15 s, 5 s), and /readyz reported the missing worker, then recovered
when A came back."""

from __future__ import annotations

import json
import secrets
import signal
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection
from django.db.models import Count

from articles import permissions
from articles.models import Article, ArticleEvent, Claim, ExtractionJob
from integrations import services
from integrations.models import Heartbeat, SchedulerLease
from tests.conftest import STORY, STORY_CLAIMS, make_user
from tests.support.processes import free_port, wait_until

# `alone`: six app processes with deadlines of their own; bin/test runs it after the parallel
# passes, when no other test process shares the machine.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.integration,
    pytest.mark.alone,
    pytest.mark.django_db(transaction=True),
]

ARTICLES = 300
BATCH = 50
KEY = secrets.token_urlsafe(50)
DEPLOYMENT = {
    "NEWSROOM_ENV": "production",
    "DJANGO_SECRET_KEY": KEY,
    "DJANGO_DEBUG": "false",
    "NEWSROOM_COLLECTSTATIC": "0",
    "WEB_CONCURRENCY": "1",
    "WEB_THREADS": "4",
    "WORKER_CONCURRENCY": "1",
    # Production's extraction timings (settings.py), so that the recovery figure is production's.
    "EXTRACTION_LEASE_SECONDS": "15",
    "EXTRACTION_SWEEP_SECONDS": "5",
    "EXTRACTION_PENDING_GRACE_SECONDS": "60",
    # Shorter heartbeats and scheduler lease, for the test's patience.
    "HEARTBEAT_SECONDS": "1",
    "HEARTBEAT_MAX_AGE_SECONDS": "6",
    "SCHEDULER_LEASE_SECONDS": "6",
}


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def post_json(url: str, body: dict, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, json.load(response)


def answers(url: str) -> bool:
    try:
        return get_json(f"{url}/healthz")[0] == 200
    except OSError:
        return False


OURS = {"worker-a@node-a", "worker-b@node-b"}


def our_workers(answer: dict) -> dict:
    """/readyz's worker check counting this test's two workers only: in bin/test's PostgreSQL pass
    a worker started by an earlier test for the whole session writes its heartbeat into the same
    database (it is alive, and not ours)."""
    from integrations import heartbeats

    live = heartbeats.liveness()
    workers = answer["checks"]["workers"]
    return {
        "status": workers["status"],
        "alive": workers["alive"] - len([n for n in live.workers if n not in OURS]),
        "missing": workers["missing"] - len([n for n in live.missing_workers if n not in OURS]),
    }


def test_two_web_servers_two_workers_and_two_schedulers_survive_sigkills(start_role):
    if connection.vendor != "postgresql":
        pytest.skip("the multi-node test runs on PostgreSQL (bin/test's second pass)")
    editor = make_user("wire", permissions.EDITOR)
    _, token = services.create_api_token(user=editor, name="wire feed")

    webs = []
    for machine in ("a", "b"):
        port = free_port()
        start_role("web", machine=machine, env={**DEPLOYMENT, "BIND": f"127.0.0.1:{port}"})
        webs.append(f"http://127.0.0.1:{port}")
    slow = {**DEPLOYMENT, "WORKER_NAME": "worker-a@node-a", "EXTRACTION_DEBUG_DELAY_MS": "120000"}
    worker_a = start_role("worker", machine="a", env=slow)
    worker_b = start_role(
        "worker", machine="b", env={**DEPLOYMENT, "WORKER_NAME": "worker-b@node-b"}
    )
    beat_a = start_role("scheduler", machine="a", env=DEPLOYMENT)
    wait_until(lambda: SchedulerLease.objects.exists(), timeout=60, what="a scheduler to lead")
    start_role("scheduler", machine="b", env=DEPLOYMENT)
    for web in webs:
        wait_until(lambda web=web: answers(web), timeout=60, what=f"{web} to answer")
    worker_a.wait_for_log(r"worker-a@node-a ready\.")
    worker_b.wait_for_log(r"worker-b@node-b ready\.")
    wait_until(
        lambda: Heartbeat.objects.filter(role="scheduler", state="standby").exists(),
        timeout=60,
        what="the second scheduler to stand by",
    )
    wait_until(
        lambda: get_json(f"{webs[0]}/readyz")[1]["status"] == "ok",
        timeout=30,
        what="/readyz to say ok",
    )
    status, ready = get_json(f"{webs[1]}/readyz")
    assert status == 200
    assert our_workers(ready) == {"status": "ok", "alive": 2, "missing": 0}
    assert ready["checks"]["scheduler"] == {"status": "ok", "active": 1, "standby": 1}
    first_leader = SchedulerLease.objects.get().holder

    # 300 articles, created and submitted through both web servers in turn.
    for n in range(ARTICLES // BATCH):
        items = [{"title": f"Wire {n * BATCH + i}", "body": STORY} for i in range(BATCH)]
        status, body = post_json(
            f"{webs[n % 2]}/api/v1/articles/bulk", {"articles": items, "submit": True}, token
        )
        assert status == 201 and len(body["articles"]) == BATCH

    # Worker A holds its jobs (slowed); B does the rest. Then A is lost mid-job.
    def only_a_left() -> bool:
        states = dict(ExtractionJob.objects.values_list("state").annotate(n=Count("id")).order_by())
        return states.get("running", 0) > 0 and states.get("pending", 0) == 0

    wait_until(only_a_left, timeout=60, what="worker B to finish all but worker A's jobs")
    held_by_a = list(ExtractionJob.objects.filter(state="running").values_list("pk", flat=True))
    # Scheduler A leads: it took the lease before B started.
    assert Heartbeat.objects.get(name=first_leader).state == "active"
    worker_a._killpg(signal.SIGKILL)
    beat_a._killpg(signal.SIGKILL)
    worker_a.wait_exit()
    beat_a.wait_exit()
    killed_at = time.time()

    wait_until(
        lambda: our_workers(get_json(f"{webs[0]}/readyz")[1])["missing"] == 1,
        timeout=20,
        what="/readyz to report the missing worker",
    )

    # Until the standby has taken the lease, the scheduler check may fail too; then the answer
    # is "degraded": everything works, one worker is missing.
    # The killed worker makes the answer "degraded" at once; the scheduler's part follows the
    # heartbeats (the killed leader's is still fresh for a moment, and the new leader's says
    # "active" from its next beat), so both are waited for.
    def degraded_answer() -> tuple[int, dict] | None:
        answer = get_json(f"{webs[0]}/readyz")
        leading = answer[1]["checks"]["scheduler"] == {"status": "ok", "active": 1, "standby": 0}
        return answer if answer[1]["status"] == "degraded" and leading else None

    status, degraded = wait_until(
        degraded_answer, timeout=30, what="/readyz to say degraded once the standby leads"
    )
    assert status == 200
    assert our_workers(degraded) == {"status": "ok", "alive": 1, "missing": 1}
    assert degraded["checks"]["scheduler"] == {"status": "ok", "active": 1, "standby": 0}

    wait_until(
        lambda: not ExtractionJob.objects.exclude(state="done").exists(),
        timeout=45,
        what="worker B to finish worker A's jobs",
    )
    # The jobs running at the kill were A's (taken a second time) and perhaps the end of B's last
    # batch (finished on its first attempt). No job ran more than twice.
    taken_over = list(ExtractionJob.objects.filter(pk__in=held_by_a, attempts=2))
    assert taken_over
    assert not ExtractionJob.objects.filter(attempts__gt=2).exists()
    recovery = max(job.finished_at.timestamp() for job in taken_over) - killed_at
    print(f"\n{len(taken_over)} jobs of the killed worker finished {recovery:.1f} s after the kill")
    assert recovery < 30

    # The standby scheduler took over (and it is its sweeps that re-enqueued A's jobs).
    new_leader = SchedulerLease.objects.get().holder
    assert new_leader != first_leader
    assert Heartbeat.objects.get(name=new_leader).state == "active"

    # Every article has its claims exactly once.
    assert Article.objects.filter(status="in_review").count() == ARTICLES
    per_article = (
        Claim.objects.values("article").annotate(n=Count("id")).values_list("n", flat=True)
    )
    assert sorted(set(per_article)) == [STORY_CLAIMS]
    assert len(per_article) == ARTICLES
    assert ArticleEvent.objects.filter(kind="status", to_state="in_review").count() == ARTICLES
    assert ExtractionJob.objects.count() == ARTICLES

    # Worker A comes back: /readyz recovers.
    restarted = start_role(
        "worker", machine="a", env={**DEPLOYMENT, "WORKER_NAME": "worker-a@node-a"}
    )
    restarted.wait_for_log(r"worker-a@node-a ready\.")
    wait_until(
        lambda: get_json(f"{webs[1]}/readyz")[1]["status"] == "ok",
        timeout=20,
        what="/readyz to recover",
    )
    status, ready = get_json(f"{webs[1]}/readyz")
    assert status == 200
    assert our_workers(ready) == {"status": "ok", "alive": 2, "missing": 0}
    assert ready["checks"]["scheduler"]["active"] == 1

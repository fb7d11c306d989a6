"""The process fixtures themselves: a real Redis, real Celery workers and beat, started and stopped."""

from __future__ import annotations

import signal

import pytest
from django.conf import settings

from newsroom.celery import app
from tests.support.fixtures import point_app_at_redis
from tests.support.processes import pid_alive, wait_gone, wait_until


def test_the_private_redis_answers_ping_and_the_app_points_at_it(redis_server, redis_client):
    assert redis_server.ping()
    assert redis_client.ping()
    assert settings.REDIS_URL == redis_server.url
    assert settings.CELERY_BROKER_URL == redis_server.url
    assert app.conf.broker_url == redis_server.url
    with app.connection_for_write() as connection:
        assert connection.as_uri().endswith(redis_server.url.split("://", 1)[1])


def test_django_caches_on_redis_use_the_test_redis(redis_client):
    from django.core.cache import caches

    on_redis = [a for a, c in settings.CACHES.items() if c["BACKEND"].endswith("RedisCache")]
    if not on_redis:
        pytest.skip("no Django cache on Redis is configured")
    for alias in on_redis:
        caches[alias].set(f"probe-{alias}", "1", 30)

    assert redis_client.dbsize() == len(on_redis)


def test_redis_client_starts_each_test_with_an_empty_redis(redis_client):
    assert redis_client.dbsize() == 0
    redis_client.set("left-behind", "1")


def test_redis_client_flushed_what_the_previous_test_left_behind(redis_client):
    assert redis_client.get("left-behind") is None


@pytest.mark.parametrize("graceful", [True, False], ids=["shutdown", "sigkill"])
def test_redis_with_aof_keeps_a_key_across_a_restart(start_redis, graceful):
    server = start_redis(aof=True)
    port = server.port
    assert server.command_reply("SET", "article:1", "pending") == "+OK"

    server.restart(graceful=graceful)

    assert server.port == port
    assert server.command_reply("GET", "article:1") == "$7"  # a 7-byte bulk string follows


def test_redis_without_aof_loses_its_keys_when_killed(start_redis):
    server = start_redis(aof=False)
    server.command_reply("SET", "article:1", "pending")

    server.restart(graceful=False)

    assert server.command_reply("GET", "article:1") == "$-1"  # nil


def test_the_app_can_be_pointed_at_another_redis_and_back(start_redis, redis_server, redis_client):
    # A queue that no worker of the other tests consumes, so the messages stay where they landed.
    other = start_redis()
    try:
        point_app_at_redis(other.url)
        app.send_task("tests.nothing", queue="tests-probe")
        assert other.command_reply("LLEN", "tests-probe") == ":1"
    finally:
        point_app_at_redis(redis_server.url)

    app.send_task("tests.nothing", queue="tests-probe")
    assert redis_client.llen("tests-probe") == 1


@pytest.mark.integration
def test_the_session_worker_answers_a_control_ping(celery_worker):
    replies = app.control.ping(destination=[celery_worker.hostname], timeout=5)

    assert replies == [{celery_worker.hostname: {"ok": "pong"}}]


@pytest.mark.integration
def test_a_worker_sees_the_test_database_and_the_test_redis(
    celery_worker, worker_env, redis_server
):
    from django.db import connection

    assert worker_env["REDIS_URL"] == redis_server.url
    assert worker_env["EXTRACTION_LEASE_SECONDS"] == "5"
    if connection.vendor == "sqlite":
        assert worker_env["DATABASE_URL"].endswith(str(connection.settings_dict["NAME"]))
    assert "Connected to redis://" in celery_worker.log()


@pytest.mark.integration
def test_a_killed_pool_process_is_replaced_by_the_worker(start_worker):
    worker = start_worker(concurrency=2)
    before = worker.pool_pids()
    assert len(before) == 2

    killed = worker.kill_pool(signal.SIGKILL)

    assert killed == before
    wait_gone(killed, timeout=10)

    def replaced() -> list[int] | None:
        pids = worker.pool_pids()
        return pids if len(pids) == 2 and set(pids).isdisjoint(before) else None

    after = wait_until(replaced, timeout=20, what="two new pool processes")
    assert len(after) == 2
    assert worker.running()


@pytest.mark.integration
def test_a_sigkilled_worker_is_gone_with_its_pool(start_worker):
    worker = start_worker(concurrency=2)
    pids = [worker.pid, *worker.pool_pids()]
    assert len(pids) == 3 and all(pid_alive(pid) for pid in pids)

    worker.kill(signal.SIGKILL)
    worker.wait_exit()

    # Celery's pool processes die with their parent (PR_SET_PDEATHSIG).
    wait_gone(pids, timeout=10)
    assert not worker.running()
    assert app.control.ping(destination=[worker.hostname], timeout=1) == []


@pytest.mark.integration
def test_a_stopped_worker_shuts_down_warmly(start_worker):
    worker = start_worker(concurrency=1)
    pids = [worker.pid, *worker.pool_pids()]

    worker.stop()

    wait_gone(pids, timeout=5)
    assert worker.process.returncode == 0
    assert "worker: Warm shutdown" in worker.log()


@pytest.mark.integration
def test_beat_starts_and_sends_the_extraction_sweep(start_beat, start_redis):
    # Its own Redis, so the sweeps it sends reach no worker of the other tests.
    broker = start_redis()
    beat = start_beat(env={"REDIS_URL": broker.url})

    beat.wait_for_log(r"Sending due task sweep-extraction-jobs", timeout=15)

    # The log line comes just before the message is published.
    wait_until(
        lambda: int(broker.command_reply("LLEN", "default").lstrip(":")) >= 1,
        timeout=10,
        what="the sweep message in the default queue",
    )

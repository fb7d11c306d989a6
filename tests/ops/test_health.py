"""/healthz and /readyz: what they report from the database, Redis and the heartbeats."""

from __future__ import annotations

import socket

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_authentication_or_any_check(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_503_naming_the_checks_that_fail_when_no_worker_or_scheduler_beats(client):
    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["workers", "scheduler"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"] == "ok"
    assert body["checks"]["redis"] == "ok"


def test_readyz_is_ok_with_a_live_worker_and_an_active_scheduler(client, heartbeat):
    heartbeat("worker", "worker-a@host-1", age=2)
    heartbeat("scheduler", "beat@host-1:10", age=1, state="active")
    heartbeat("scheduler", "beat@host-2:20", age=1, state="standby")

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "failing": [],
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "redis": "ok",
            "workers": {"status": "ok", "alive": 1, "missing": 0},
            "scheduler": {"status": "ok", "active": 1, "standby": 1},
        },
    }
    # Names, hosts and pids stay out of an unauthenticated answer.
    assert b"host" not in response.content


def test_readyz_reports_a_silent_worker_as_missing_and_a_stopped_one_not(
    client, heartbeat, settings
):
    settings.HEARTBEAT_MAX_AGE_SECONDS = 30
    heartbeat("worker", "alive@host", age=2)
    heartbeat("worker", "killed@host", age=45)
    heartbeat("worker", "stopped@host", age=45, stopped=True)
    heartbeat("worker", "long-gone@host", age=3 * 86400)
    heartbeat("scheduler", "beat@host", age=1, state="active")

    body = client.get("/readyz").json()

    assert body["status"] == "degraded"
    assert body["checks"]["workers"] == {"status": "ok", "alive": 1, "missing": 1}


def test_readyz_fails_when_the_only_scheduler_is_on_standby_or_silent(client, heartbeat):
    heartbeat("worker", "w@host", age=1)
    heartbeat("scheduler", "standby@host", age=1, state="standby")
    heartbeat("scheduler", "dead@host", age=120, state="active")

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["scheduler"]


def test_readyz_fails_when_redis_does_not_answer(client, heartbeat, settings):
    from tests.support.fixtures import point_celery_at

    heartbeat("worker", "w@host", age=1)
    heartbeat("scheduler", "beat@host", age=1, state="active")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    original = settings.CELERY_BROKER_URL
    point_celery_at(f"redis://127.0.0.1:{port}/0", settings)
    try:
        response = client.get("/readyz")
    finally:
        point_celery_at(original, settings)

    assert response.status_code == 503
    assert response.json()["failing"] == ["redis"]

"""Fixtures of the operations tests: the API fixtures, heartbeat rows, the metrics token."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from django.utils import timezone

from integrations.models import Heartbeat
from tests.support.processes import REPO_ROOT, _ManagedProcess

METRICS_TOKEN = "metrics-token-of-the-tests"


@pytest.fixture(autouse=True)
def _api_settings(api_settings) -> None:
    """Every test of this folder runs with the API's test settings (tests/support/api.py)."""


@pytest.fixture
def metrics_token(settings) -> str:
    settings.METRICS_TOKEN = METRICS_TOKEN
    settings.METRICS_ALLOWED_IPS = []
    return METRICS_TOKEN


@pytest.fixture
def heartbeat(db) -> Callable[..., Heartbeat]:
    """`heartbeat("worker", "w1", age=3)`: a row last seen `age` seconds ago."""

    def make(role: str, name: str, *, age: float = 0, state: str = "", stopped: bool = False):
        seen = timezone.now() - dt.timedelta(seconds=age)
        return Heartbeat.objects.create(
            role=role,
            name=name,
            hostname="host",
            pid=1,
            seen_at=seen,
            state=state,
            stopped_at=seen if stopped else None,
        )

    return make


# --- roles started as a deployment starts them (bin/run ROLE) -----------------------------------


class Role(_ManagedProcess):
    """`bin/run ROLE` as a child process (it execs gunicorn, celery or manage.py)."""

    def __init__(self, role: str, *, env: Mapping[str, str], log_path: Path) -> None:
        super().__init__(log_path=log_path, env=env, cwd=REPO_ROOT)
        self.role = role
        self.label = f"bin/run {role} ({log_path.stem})"

    def command(self) -> list[str]:
        return [str(REPO_ROOT / "bin" / "run"), self.role]

    def start(self) -> Role:
        self._spawn()
        return self


@pytest.fixture
def start_role(worker_env, tmp_path) -> Iterator[Callable[..., Role]]:
    """`start_role("worker", machine="a", env={...})`: a role on a "machine" of its own (its own
    NEWSROOM_VAR_DIR), on the test database and Redis; all stopped when the test ends."""
    started: list[Role] = []

    def start(role: str, *, machine: str, env: Mapping[str, str] | None = None) -> Role:
        var = tmp_path / f"machine-{machine}"
        var.mkdir(exist_ok=True)
        process = Role(
            role,
            env={**worker_env, "NEWSROOM_VAR_DIR": str(var), **(env or {})},
            log_path=tmp_path / f"{role}-{machine}-{len(started) + 1}.log",
        )
        started.append(process)
        return process.start()

    yield start
    for process in reversed(started):
        process.stop()

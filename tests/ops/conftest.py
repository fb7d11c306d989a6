"""Fixtures of the operations tests: the API fixtures, heartbeat rows, the metrics token."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from integrations.models import Heartbeat
from tests.integrations.helpers import api, api_settings  # noqa: F401 - fixtures of this folder

METRICS_TOKEN = "metrics-token-of-the-tests"


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

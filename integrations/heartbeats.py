"""Heartbeats of the Celery workers and schedulers (`Heartbeat` rows, shown in the admin), and
what /readyz and /metrics read from them.

A worker's main process writes its row every HEARTBEAT_SECONDS from a thread started when the
worker is ready, and marks it stopped when the worker shuts down cleanly. A worker killed (or its
machine lost) simply stops writing: its row ages, and /readyz reports it missing until it comes
back under the same name or the row is forgotten (HEARTBEAT_FORGET_SECONDS) or deleted in the
admin. Schedulers write theirs from their tick (integrations/scheduler.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from dataclasses import dataclass
from typing import Any

from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from integrations.models import Heartbeat

logger = logging.getLogger(__name__)


def beat(*, role: str, name: str, state: str = "", started: bool = False) -> None:
    """Write the row of process `name`: seen now, running (and, when `started`, started now)."""
    now = timezone.now()
    fields: dict[str, Any] = {
        "role": role,
        "hostname": socket.gethostname()[:255],
        "pid": os.getpid(),
        "seen_at": now,
        "stopped_at": None,
        "state": state,
    }
    if started:
        fields["started_at"] = now
    updated = Heartbeat.objects.filter(name=name).update(**fields)
    if not updated:
        Heartbeat.objects.update_or_create(name=name, defaults=fields)


def stopped(*, name: str) -> None:
    """Process `name` stops cleanly: it is not missing, and not alive."""
    Heartbeat.objects.filter(name=name).update(stopped_at=timezone.now(), state="")


@dataclass(frozen=True)
class Liveness:
    """What the heartbeats say right now: live and missing names per role."""

    workers: list[str]
    missing_workers: list[str]
    active_schedulers: list[str]
    standby_schedulers: list[str]


def liveness(now: dt.datetime | None = None) -> Liveness:
    """Live: seen within HEARTBEAT_MAX_AGE_SECONDS and not stopped. Missing: not stopped, seen
    since HEARTBEAT_FORGET_SECONDS but not within the max age (it died without a word)."""
    now = now or timezone.now()
    fresh = now - dt.timedelta(seconds=settings.HEARTBEAT_MAX_AGE_SECONDS)
    forget = now - dt.timedelta(seconds=settings.HEARTBEAT_FORGET_SECONDS)
    rows = Heartbeat.objects.filter(stopped_at__isnull=True, seen_at__gte=forget).values_list(
        "role", "name", "seen_at", "state"
    )
    result = Liveness([], [], [], [])
    for role, name, seen_at, state in rows:
        alive = seen_at >= fresh
        if role == Heartbeat.Role.WORKER:
            (result.workers if alive else result.missing_workers).append(name)
        elif alive and state == "active":
            result.active_schedulers.append(name)
        elif alive:
            result.standby_schedulers.append(name)
    return result


# --- the worker's heartbeat thread --------------------------------------------------------------


class _WorkerHeartbeat(threading.Thread):
    def __init__(self, name: str) -> None:
        super().__init__(name="newsroom-heartbeat", daemon=True)
        self.worker_name = name
        self.stopping = threading.Event()

    def run(self) -> None:
        first = True
        while not self.stopping.is_set():
            try:
                close_old_connections()
                beat(role=Heartbeat.Role.WORKER, name=self.worker_name, started=first)
                first = False
            except Exception:  # the database may be away for a while; keep trying
                logger.warning("worker heartbeat could not be written", exc_info=True)
            self.stopping.wait(settings.HEARTBEAT_SECONDS)


_thread: _WorkerHeartbeat | None = None


@worker_ready.connect
def start_worker_heartbeat(sender: Any = None, **kwargs: Any) -> None:
    """In the worker's main process, once it is ready: start writing its heartbeat."""
    global _thread
    name = getattr(sender, "hostname", None) or f"worker@{socket.gethostname()}:{os.getpid()}"
    _thread = _WorkerHeartbeat(name)
    _thread.start()


@worker_shutdown.connect
def stop_worker_heartbeat(**kwargs: Any) -> None:
    """A clean stop: the row says so, and /readyz does not count the worker as missing."""
    global _thread
    if _thread is None:
        return
    _thread.stopping.set()
    _thread.join(timeout=5)
    try:
        close_old_connections()
        stopped(name=_thread.worker_name)
    except Exception:
        logger.warning("worker heartbeat: could not record the stop", exc_info=True)
    _thread = None


def recent(now: dt.datetime) -> list[tuple[str, str, dt.datetime]]:
    """(role, name, seen_at) of every process that has not stopped and is not forgotten."""
    forget = now - dt.timedelta(seconds=settings.HEARTBEAT_FORGET_SECONDS)
    return list(
        Heartbeat.objects.filter(stopped_at__isnull=True, seen_at__gte=forget)
        .order_by("role", "name")
        .values_list("role", "name", "seen_at")
    )

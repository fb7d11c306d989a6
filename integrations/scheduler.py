"""One scheduler per deployment, however many are started (settings.CELERY_BEAT_SCHEDULER).

`LeaderScheduler` is Celery beat's file-backed scheduler with a lease: on every tick (at least
every CELERY_BEAT_MAX_LOOP_INTERVAL seconds) it renews, or tries to take, the one
`SchedulerLease` row. Only the holder sends periodic tasks; the others stand by. The lease is
renewed long before it expires; a holder that dies (SIGKILL, a lost machine) stops renewing, and a
standby takes over once the lease has run out, at most SCHEDULER_LEASE_SECONDS plus one tick
after the death. A holder that stops cleanly lets go at once. Each scheduler's heartbeat row says
whether it is active or on standby.

The lease is taken by compare-and-set (`UPDATE ... WHERE holder = me OR expires_at < now`), so two
schedulers never both believe they hold it; clocks are assumed in step (NTP), as for job leases.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import uuid
from typing import Any

from celery.beat import PersistentScheduler

logger = logging.getLogger(__name__)


def _ensure_django() -> None:
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()


def take_lease(holder: str, *, seconds: int) -> bool:
    """Renew the lease if `holder` has it, take it if it expired; True if `holder` holds it."""
    from django.db import IntegrityError, transaction
    from django.db.models import Q
    from django.utils import timezone

    from integrations.models import SchedulerLease

    now = timezone.now()
    expires = now + dt.timedelta(seconds=seconds)
    mine = SchedulerLease.objects.filter(pk=1, holder=holder).update(expires_at=expires)
    if mine:
        return True
    taken = (
        SchedulerLease.objects.filter(pk=1)
        .filter(Q(expires_at__lt=now))
        .update(holder=holder, acquired_at=now, expires_at=expires)
    )
    if taken:
        return True
    if SchedulerLease.objects.filter(pk=1).exists():
        return False
    try:
        with transaction.atomic():
            SchedulerLease.objects.create(pk=1, holder=holder, acquired_at=now, expires_at=expires)
    except IntegrityError:
        return False  # another scheduler created it first
    return True


def release_lease(holder: str) -> None:
    """Let go of the lease (a clean stop), so that a standby takes over at its next tick."""
    from django.utils import timezone

    from integrations.models import SchedulerLease

    SchedulerLease.objects.filter(pk=1, holder=holder).update(expires_at=timezone.now())


class LeaderScheduler(PersistentScheduler):
    """Celery beat's scheduler, sending only while it holds the scheduler lease."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.identity = f"beat@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.is_leader = False
        self._last_beat = 0.0
        super().__init__(*args, **kwargs)

    def setup_schedule(self) -> None:
        _ensure_django()
        super().setup_schedule()

    def _lease_seconds(self) -> int:
        from django.conf import settings

        return settings.SCHEDULER_LEASE_SECONDS

    def _hold(self) -> bool:
        from django.db import close_old_connections

        from integrations import heartbeats
        from integrations.models import Heartbeat

        close_old_connections()
        try:
            held = take_lease(self.identity, seconds=self._lease_seconds())
        except Exception:
            # No database, no lease: stop sending (a standby cannot take it either meanwhile).
            logger.warning("scheduler %s: could not renew its lease", self.identity, exc_info=True)
            held = False
        if held and not self.is_leader:
            logger.warning("scheduler %s holds the lease: sending periodic tasks", self.identity)
        elif self.is_leader and not held:
            logger.warning("scheduler %s lost the lease: standing by", self.identity)
        elif not held and not self._last_beat:
            logger.warning("scheduler %s: another scheduler is active; standing by", self.identity)
        started = not self._last_beat
        changed = held != self.is_leader
        self.is_leader = held
        now = time.monotonic()
        if started or changed or now - self._last_beat >= self._heartbeat_seconds():
            try:
                heartbeats.beat(
                    role=Heartbeat.Role.SCHEDULER,
                    name=self.identity,
                    state="active" if held else "standby",
                    started=started,
                )
            except Exception:
                logger.warning("scheduler heartbeat could not be written", exc_info=True)
            self._last_beat = now
        return held

    @staticmethod
    def _heartbeat_seconds() -> int:
        from django.conf import settings

        return settings.HEARTBEAT_SECONDS

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if not self._hold():
            return self.max_interval
        return min(super().tick(*args, **kwargs), self.max_interval)

    def close(self) -> None:
        try:
            from integrations import heartbeats

            if self.is_leader:
                release_lease(self.identity)
            heartbeats.stopped(name=self.identity)
        except Exception:
            logger.warning("scheduler %s: could not release its lease", self.identity)
        super().close()

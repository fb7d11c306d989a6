"""Exactly one scheduler sends the periodic tasks; a standby takes over when it dies.

Real `celery beat` processes (integrations.scheduler.LeaderScheduler) on the test database, with
a 3 s lease so that a takeover fits a test's patience."""

from __future__ import annotations

import re
import signal
import time

import pytest

from integrations.models import Heartbeat, SchedulerLease
from tests.support.processes import wait_until

# `alone`: these tests bound wall-clock time (a submit, a takeover), so bin/test runs them after
# the parallel passes, one at a time, on a machine no other test process shares.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.alone,
    pytest.mark.django_db(transaction=True),
]

LEASE = {"SCHEDULER_LEASE_SECONDS": "3", "HEARTBEAT_SECONDS": "1"}
SENT = r"Scheduler: Sending due task sweep-extraction-jobs"


def holder() -> str | None:
    lease = SchedulerLease.objects.filter(pk=1).first()
    return lease.holder if lease else None


def sends(beat) -> int:
    return len(re.findall(SENT, beat.log()))


def test_a_second_scheduler_stands_by_and_takes_over_when_the_first_is_killed(start_beat):
    first = start_beat(env=LEASE)
    wait_until(holder, timeout=20, what="the first scheduler to take the lease")
    active = holder()
    second = start_beat(env=LEASE)
    wait_until(
        lambda: Heartbeat.objects.filter(role="scheduler", state="standby").exists(),
        timeout=20,
        what="the second scheduler to stand by",
    )
    time.sleep(3)  # several sweeps are due meanwhile (every 1 s)

    assert holder() == active
    assert sends(first) >= 2
    assert sends(second) == 0
    assert "another scheduler is active; standing by" in second.log()

    first.kill(signal.SIGKILL)
    first.wait_exit()
    killed_at = time.monotonic()
    wait_until(lambda: holder() not in (None, active), timeout=15, what="the takeover")
    took = time.monotonic() - killed_at
    wait_until(lambda: sends(second) >= 1, timeout=10, what="the new scheduler to send")

    assert took <= 3 + 2 + 1  # the lease, one tick (max interval 1 s), and polling
    assert Heartbeat.objects.get(name=holder()).state == "active"
    assert "holds the lease: sending periodic tasks" in second.log()


def test_a_scheduler_that_stops_cleanly_hands_over_before_its_lease_would_end(start_beat):
    slow = {**LEASE, "SCHEDULER_LEASE_SECONDS": "12"}  # standbys try every 4 s
    first = start_beat(env=slow)
    wait_until(holder, timeout=20, what="the first scheduler to take the lease")
    active = holder()
    start_beat(env=slow)
    wait_until(
        lambda: Heartbeat.objects.filter(role="scheduler", state="standby").exists(),
        timeout=20,
        what="the second scheduler to stand by",
    )

    first.stop()
    stopped_at = time.monotonic()
    wait_until(lambda: holder() not in (None, active), timeout=30, what="the handover")

    assert time.monotonic() - stopped_at < 12
    assert Heartbeat.objects.get(name=active).stopped_at is not None

"""The circuit breaker in front of Redis (newsroom/celery.py), alone: a clock of our own, real
threads. How it behaves against a real stopped or paused Redis: tests/test_redis_outage.py."""

from __future__ import annotations

import logging
import threading

from newsroom.celery import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: Clock, cooldown: float = 5.0) -> CircuitBreaker:
    return CircuitBreaker("Redis at test:1", cooldown=lambda: cooldown, clock=clock)


def test_a_failure_opens_it_for_the_cooldown_then_one_probe_closes_it(caplog):
    clock = Clock()
    b = breaker(clock)
    assert b.allow() and b.allow()  # closed: everything goes through

    with caplog.at_level(logging.DEBUG, logger="newsroom.celery"):
        b.failed(ConnectionError("refused"), what="ringing")
        refused = [b.allow() for _ in range(10)]
        clock.now += 4.9
        still = b.allow()
        clock.now += 0.1
        probe, beside_probe = b.allow(), b.allow()
        b.succeeded()
        after = b.allow()

    assert refused == [False] * 10 and still is False
    assert (probe, beside_probe, after) == (True, False, True)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "did not answer (ConnectionError: refused) while ringing" in warnings[0]
    assert "answers again after 5.0 s; 12 calls were skipped" in warnings[1]


def test_a_failed_probe_opens_it_again_without_logging_the_outage_twice(caplog):
    clock = Clock()
    b = breaker(clock, cooldown=1.0)

    with caplog.at_level(logging.WARNING, logger="newsroom.celery"):
        b.failed(TimeoutError("read"), what="ringing")
        for _ in range(5):  # five failed probes: still one warning
            clock.now += 1.0
            assert b.allow() is True
            b.failed(TimeoutError("read"), what="ringing")
            assert b.allow() is False

    assert len(caplog.records) == 1
    assert b.is_open


def test_successes_while_closed_log_nothing(caplog):
    b = breaker(Clock())
    with caplog.at_level(logging.DEBUG, logger="newsroom.celery"):
        for _ in range(3):
            assert b.allow()
            b.succeeded()
    assert caplog.records == []


def test_only_one_of_many_threads_probes_while_the_probe_is_running():
    clock = Clock()
    b = breaker(clock, cooldown=1.0)
    b.failed(ConnectionError("refused"), what="ringing")
    clock.now += 1.0
    start = threading.Barrier(16)
    answers: list[bool] = []
    lock = threading.Lock()

    def call() -> None:
        start.wait()
        allowed = b.allow()
        with lock:
            answers.append(allowed)

    threads = [threading.Thread(target=call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(answers) == [False] * 15 + [True]
    b.succeeded()  # the probe answered: everyone goes through again
    assert b.allow() is True

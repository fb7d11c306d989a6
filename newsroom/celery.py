"""The Celery application, and how the rest of the code rings it.

Its settings live in settings.py under the CELERY_ prefix. Services never call `apply_async` or
Redis directly: they ring through `ring()` / `call_broker()` below, which

- publish on connections of their own with short timeouts (`REDIS_CONNECT_TIMEOUT`,
  `REDIS_SOCKET_TIMEOUT`, 0.2 s by default) and no retries, so a stalled Redis costs a web request
  a fraction of a second, never the whole stall (Celery's own connections, which the worker
  consumes on, keep their defaults);
- share one circuit breaker per Redis server per process: after a failure, calls to that server
  are skipped for `REDIS_BREAKER_SECONDS` and the outage is logged once; then one call probes;
- never raise: a doorbell that could not ring returns False. The database row it was about is
  committed already, and the sweepers (Celery beat) ring again once Redis answers.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

import kombu
import redis
from celery import Celery
from celery.signals import beat_init, task_postrun, worker_init
from redis.backoff import NoBackoff
from redis.retry import Retry

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@task_postrun.connect
def close_broken_connections(**kwargs) -> None:
    """Workers keep their database connections between tasks (`CELERY_DB_REUSE_MAX`); one that an
    error left unusable (the database restarted, the network dropped) is closed after the task
    that met the error, so the next task opens a fresh one instead of failing too."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and conn.errors_occurred and not conn.is_usable():
            conn.close()


# --- The circuit breaker --------------------------------------------------------------------------


class CircuitBreaker:
    """Skip calls to a server that just failed, instead of paying a timeout on every request.

    Closed: every call goes through. A failure opens it: calls are refused (`allow()` is False,
    which costs a lock and a clock read) until `cooldown()` seconds have passed. Then the next
    caller is let through alone as a probe, the others still refused while it runs; its success
    closes the breaker, its failure opens it for another period. The first failure of an outage
    and the recovery are logged (WARNING), nothing in between: one line per outage, not one per
    request. Thread-safe; Django-free (`cooldown` is a callable so that settings can change).
    """

    def __init__(
        self,
        name: str,
        *,
        cooldown: Callable[[], float],
        clock: Callable[[], float] = time.monotonic,
        log: logging.Logger = logger,
    ) -> None:
        self.name = name
        self._cooldown = cooldown
        self._clock = clock
        self._log = log
        self._lock = threading.Lock()
        self._opened_at: float | None = None  # None: closed
        self._down_since: float | None = None
        self._probing = False
        self.skipped = 0

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    def allow(self) -> bool:
        """May this call go to the server? True for every call while closed, for one probe when
        the open period is over."""
        with self._lock:
            if self._opened_at is None:
                return True
            if not self._probing and self._clock() - self._opened_at >= self._cooldown():
                self._probing = True
                return True
            self.skipped += 1
            return False

    def succeeded(self) -> None:
        with self._lock:
            if self._opened_at is None:
                return
            down_for = self._clock() - (self._down_since or self._opened_at)
            skipped, self.skipped = self.skipped, 0
            self._opened_at = self._down_since = None
            self._probing = False
        self._log.warning(
            "%s answers again after %.1f s; %d calls were skipped meanwhile (the sweepers "
            "enqueue what they would have)",
            self.name,
            down_for,
            skipped,
        )

    def failed(self, error: BaseException, *, what: str) -> None:
        with self._lock:
            now = self._clock()
            first = self._opened_at is None
            self._opened_at = now
            self._probing = False
            if first:
                self._down_since = now
        if first:
            self._log.warning(
                "%s did not answer (%s: %s) while %s; calls to it are skipped for %.1f s at a "
                "time until it answers, and the sweepers catch up",
                self.name,
                type(error).__name__,
                error,
                what,
                self._cooldown(),
                exc_info=error,
            )
        else:
            self._log.debug("%s still down (%s)", self.name, what)

    def reset(self) -> None:
        with self._lock:
            self._opened_at = self._down_since = None
            self._probing = False
            self.skipped = 0


def _settings() -> Any:
    from django.conf import settings

    return settings


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def redis_breaker(url: str) -> CircuitBreaker:
    """The breaker of the Redis server at `url` (one per host and port, shared by its databases:
    a server that is down is down for all of them)."""
    parts = urlsplit(url)
    key = f"{parts.hostname}:{parts.port or 6379}"
    with _breakers_lock:
        breaker = _breakers.get(key)
        if breaker is None:
            breaker = _breakers[key] = CircuitBreaker(
                f"Redis at {key}", cooldown=lambda: float(_settings().REDIS_BREAKER_SECONDS)
            )
        return breaker


def reset_breakers() -> None:
    """Close every breaker of this process (the test suite, between tests)."""
    with _breakers_lock:
        for breaker in _breakers.values():
            breaker.reset()


# --- Short-timeout clients of the broker ----------------------------------------------------------

# Web processes wait REDIS_CONNECT_TIMEOUT / REDIS_SOCKET_TIMEOUT; Celery workers and beat
# (`worker_init`, `beat_init` below) REDIS_WORKER_TIMEOUT: they ring from sweepers and tasks,
# where nobody waits on the answer and a busy Redis (an fsync) should not drop a doorbell.
_in_worker = False


@worker_init.connect
@beat_init.connect
def _use_worker_timeouts(**kwargs: Any) -> None:
    global _in_worker
    _in_worker = True


def _timeouts() -> tuple[float, float]:
    settings = _settings()
    if _in_worker:
        return settings.REDIS_WORKER_TIMEOUT, settings.REDIS_WORKER_TIMEOUT
    return settings.REDIS_CONNECT_TIMEOUT, settings.REDIS_SOCKET_TIMEOUT


class Broker:
    """What `call_broker` hands its function: a redis-py client and a kombu connection to the
    broker, both with the short timeouts and no retries, and `send()` to publish a task."""

    def __init__(self, url: str, *, redis_client: redis.Redis, connection: kombu.Connection):
        self.url = url
        self.redis = redis_client
        self.connection = connection

    def send(self, task: Any, *, args: Sequence[Any] = (), countdown: float | None = None) -> None:
        """Publish one message for `task` (a task, or a task's name: `articles` rings `review`'s
        tasks by name). Raises what kombu raises."""
        options = {"args": list(args), "countdown": countdown, "retry": False}
        if isinstance(task, str):
            app.send_task(task, connection=self.connection, **options)
        else:
            task.apply_async(connection=self.connection, **options)


class _Clients(threading.local):
    brokers: dict[tuple[str, tuple[float, float]], Broker]

    def __init__(self) -> None:
        self.brokers = {}


# Per thread (kombu connections are not thread-safe) and per process (a forked worker child must
# not share its parent's sockets): `_state` is rebuilt when the pid changes.
_state: tuple[int, _Clients] = (os.getpid(), _Clients())


def broker() -> Broker:
    """This thread's short-timeout clients of the broker the app publishes to."""
    global _state
    if _state[0] != os.getpid():
        _state = (os.getpid(), _Clients())
    clients = _state[1]
    url = app.conf.broker_url
    connect_timeout, socket_timeout = _timeouts()
    key = (url, (connect_timeout, socket_timeout))
    found = clients.brokers.get(key)
    if found is None:
        transport_options = {
            **(app.conf.broker_transport_options or {}),
            "socket_connect_timeout": connect_timeout,
            "socket_timeout": socket_timeout,
            "retry_on_timeout": False,
            "max_retries": 0,  # kombu: one connection attempt, no sleeping between retries
        }
        found = clients.brokers[key] = Broker(
            url,
            redis_client=redis.Redis.from_url(
                url,
                socket_connect_timeout=connect_timeout,
                socket_timeout=socket_timeout,
                retry=Retry(NoBackoff(), 0),
            ),
            connection=kombu.Connection(
                url, connect_timeout=connect_timeout, transport_options=transport_options
            ),
        )
    return found


def call_broker(fn: Callable[[Broker], Any], *, what: str) -> bool:
    """Run `fn` with this thread's broker clients, behind the broker's circuit breaker.

    True if it ran without raising. False when the breaker is open (nothing is tried) or `fn`
    raised (the breaker opens; the first failure of an outage is logged). Never raises: the
    caller's row is committed, and a sweeper rings again later. `what` names the call in the log.
    """
    client = broker()
    breaker = redis_breaker(client.url)
    if not breaker.allow():
        logger.debug("%s is down; skipped %s", breaker.name, what)
        return False
    try:
        fn(client)
    except Exception as error:  # noqa: BLE001 - kombu and redis-py raise many types per outage
        breaker.failed(error, what=what)
        return False
    breaker.succeeded()
    return True


def ring(task: Any, *, args: Sequence[Any] = (), countdown: float | None = None, what: str) -> bool:
    """Publish one doorbell message for `task` (see `call_broker`): True if it was sent."""
    return call_broker(lambda b: b.send(task, args=args, countdown=countdown), what=what)

"""Fixtures that start real processes (Redis, Celery workers, Celery beat) for the integration tests.

- `fast_password_hashing` (session, autouse): MD5 password hashing, for speed.
- `messages_reach_no_worker`: Celery messages of this test go nowhere (see below).
- `redis_server` (session, autouse): a private redis-server for the whole run, and the app, Celery
  and every subprocess pointed at it. `NEWSROOM_TEST_REDIS_URL` uses an existing Redis instead.
- `closed_redis_breakers` (autouse): the Redis circuit breakers start every test closed.
- `redis_client`: a redis-py client on that server, flushed before the test.
- `start_redis`: more private Redis servers (AOF on or off) that a test may kill and restart.
- `worker_env`: the environment a worker subprocess needs to see the *test* database.
- `celery_worker` (session, started on first use): one worker for tests using `transactional_db`.
- `start_worker`, `start_beat`: more workers / a beat for one test, all stopped when it ends.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

import kombu.pools
import pytest

from tests.support.processes import CeleryBeat, CeleryWorker, RedisServer

# Short timings so that leases expire and the sweeper runs within a test's patience.
TEST_TIMINGS = {
    "EXTRACTION_LEASE_SECONDS": "5",
    "EXTRACTION_SWEEP_SECONDS": "1",
    "EXTRACTION_PENDING_GRACE_SECONDS": "1",
}
# Celery reads these from the environment in preference to the settings; an inherited value
# would send the app or a worker to some other broker.
_CELERY_ENV_OVERRIDES = ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL")


class ExternalRedis:
    """A Redis the tests did not start (NEWSROOM_TEST_REDIS_URL): it can be used, not restarted."""

    controllable = False

    def __init__(self, url: str) -> None:
        self.url = url

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=2).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        pass


def point_app_at_redis(url: str) -> None:
    """Make Django settings, the Celery app and child processes use the Redis at `url`."""
    from django.conf import settings

    old_url = settings.REDIS_URL
    settings.REDIS_URL = url
    # Django caches on Redis that were configured from REDIS_URL (the API throttle's) follow it.
    moved = False
    for cache in settings.CACHES.values():
        if cache.get("BACKEND", "").endswith("RedisCache") and cache.get("LOCATION") == old_url:
            cache["LOCATION"] = url
            moved = True
    if moved:
        from asgiref.local import Local
        from django.core.cache import caches, close_caches

        close_caches()
        caches._settings = caches.settings = caches.configure_settings(None)
        caches._connections = Local()
    for name in _CELERY_ENV_OVERRIDES:
        os.environ.pop(name, None)
    os.environ["REDIS_URL"] = url
    point_celery_at(url)


def point_celery_at(url: str, settings: Any = None) -> None:
    """Make the Celery app of this process publish to the broker at `url` (only that).

    `settings` is pytest-django's fixture when the change is for one test: it then undoes the
    setting itself, whatever other overrides the test made meanwhile (a plain assignment made
    under an override would be lost, or kept, with it)."""
    if settings is None:
        from django.conf import settings

    settings.CELERY_BROKER_URL = url
    _point_app_at_broker(url)


def _point_app_at_broker(url: str) -> None:
    from newsroom.celery import app

    # Works before and after Celery's lazy configuration is loaded: before, it is kept as a
    # pre-configuration that wins over the settings; after, it is an explicit change.
    app.conf.broker_url = url
    # A connection pool made for the old URL would keep publishing there. kombu keeps its pools in
    # a global registry keyed by URL: closing one pool but leaving it registered would hand the
    # closed pool back when a test points the app at that URL again, so the registry is emptied.
    kombu.pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> None:
    """MD5 instead of PBKDF2 for the users the tests create: ~0.3 s less per user and per login.

    Django's default hasher is slow on purpose; the suite creates users in almost every test and
    has to fit CI's time budget on two cores. Nothing here tests hashing strength. Django's own
    setting_changed handler clears the cached hashers, so `settings` overrides still work.
    """
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer | ExternalRedis]:
    """The Redis of this test run: private (started here) unless NEWSROOM_TEST_REDIS_URL is set."""
    saved = {name: os.environ.get(name) for name in ("REDIS_URL", *_CELERY_ENV_OVERRIDES)}
    external = os.environ.get("NEWSROOM_TEST_REDIS_URL")
    if external:
        server: RedisServer | ExternalRedis = ExternalRedis(external)
    else:
        if shutil.which("redis-server") is None:
            pytest.fail(
                "redis-server is not installed, and the tests need a real Redis. Run the tests "
                "with bin/test (it installs Debian's redis-server), or `apt-get install "
                "redis-server`, or set NEWSROOM_TEST_REDIS_URL to a Redis the tests may flush.",
                pytrace=False,
            )
        server = RedisServer(data_dir=tmp_path_factory.mktemp("redis")).start()
    point_app_at_redis(server.url)
    yield server
    server.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def closed_redis_breakers() -> Iterator[None]:
    """Every test starts with Redis' circuit breakers closed (newsroom/celery.py): a test that
    stopped a Redis, or made a publish fail, must not leave the next test's doorbells skipped."""
    from newsroom.celery import reset_breakers

    reset_breakers()
    yield
    reset_breakers()


@pytest.fixture
def redis_client(redis_server: RedisServer | ExternalRedis) -> Iterator[Any]:
    """A redis-py client on the test Redis, emptied (FLUSHALL) before the test."""
    import redis

    client = redis.Redis.from_url(redis_server.url, socket_timeout=5)
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def start_redis(tmp_path: Path) -> Iterator[Callable[..., RedisServer]]:
    """Factory for private Redis servers of one test: `start_redis(aof=True)`. Stopped at the end."""
    started: list[RedisServer] = []

    def start(*, aof: bool = False, appendfsync: str = "always") -> RedisServer:
        server = RedisServer(
            data_dir=tmp_path / f"redis-{len(started) + 1}", aof=aof, appendfsync=appendfsync
        )
        started.append(server)
        return server.start()

    yield start
    for server in reversed(started):
        server.stop()


def database_url(settings_dict: Mapping[str, Any]) -> str:
    """A DATABASE_URL (as dj-database-url reads it) for one of Django's connection settings."""
    engine = settings_dict["ENGINE"]
    name = str(settings_dict["NAME"])
    if engine == "django.db.backends.sqlite3":
        if name == ":memory:" or name.startswith("file:"):
            raise RuntimeError("a worker process cannot see an in-memory SQLite test database")
        return f"sqlite:///{Path(name).resolve()}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "localhost"
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"postgres://{credentials}{host}{port}/{quote(name, safe='')}"
    raise RuntimeError(f"no DATABASE_URL for database engine {engine}")


@pytest.fixture(scope="session")
def worker_env(
    django_db_setup: None, redis_server: RedisServer | ExternalRedis
) -> Mapping[str, str]:
    """Environment of a worker subprocess: the test database, the test Redis, short timings.

    Read-only; give `start_worker(env={...})` what a test needs on top.
    """
    from django.conf import settings
    from django.db import connection

    env = {k: v for k, v in os.environ.items() if k not in _CELERY_ENV_OVERRIDES}
    env.update(TEST_TIMINGS)
    env.update(
        # After django_db_setup the connection's NAME is the test database's.
        DATABASE_URL=database_url(connection.settings_dict),
        REDIS_URL=redis_server.url,
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE),
        PYTHONUNBUFFERED="1",
    )
    return MappingProxyType(env)


# A Redis database that no worker of the run consumes from.
UNHEARD_DATABASE = 15


@pytest.fixture
def messages_reach_no_worker(redis_server: RedisServer | ExternalRedis, settings) -> Iterator[None]:
    """The Celery messages this test sends reach no worker, so the session's worker, started by
    an earlier test, cannot write to this test's committed rows while it runs (a test that pins
    what a request costs, say). They are published for real, to a database of the same Redis
    that no worker reads (a dead broker would cost each publish its retries); doorbells and
    throttling stay where they were."""
    from urllib.parse import urlsplit, urlunsplit

    unheard = urlunsplit(urlsplit(redis_server.url)._replace(path=f"/{UNHEARD_DATABASE}"))
    point_celery_at(unheard, settings)
    try:
        yield
    finally:
        # The settings fixture puts CELERY_BROKER_URL back; the app and its pools follow here.
        _point_app_at_broker(redis_server.url)


@pytest.fixture(scope="session")
def celery_worker(
    worker_env: Mapping[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CeleryWorker]:
    """One worker (concurrency 2) shared by the integration tests; started on first use."""
    log = tmp_path_factory.mktemp("celery") / "session-worker.log"
    worker = CeleryWorker(env=worker_env, log_path=log, concurrency=2, name="session").start()
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def start_worker(
    worker_env: Mapping[str, str], tmp_path: Path
) -> Iterator[Callable[..., CeleryWorker]]:
    """Factory for more workers: `start_worker(concurrency=1, env={"REDIS_URL": ...})`.

    Waits until the worker is ready unless `wait=False`; every worker is stopped at test end.
    """
    started: list[CeleryWorker] = []

    def start(
        *,
        concurrency: int = 1,
        env: Mapping[str, str] | None = None,
        queues: str = "extraction,default",
        name: str = "test",
        wait: bool = True,
        extra_args: tuple[str, ...] = (),
    ) -> CeleryWorker:
        worker = CeleryWorker(
            env={**worker_env, **(env or {})},
            log_path=tmp_path / f"worker-{len(started) + 1}.log",
            concurrency=concurrency,
            queues=queues,
            name=name,
            extra_args=extra_args,
        )
        started.append(worker)
        worker.start()
        if wait:
            worker.wait_ready()
        return worker

    yield start
    for worker in reversed(started):
        worker.stop()


@pytest.fixture
def start_beat(
    worker_env: Mapping[str, str], tmp_path: Path
) -> Iterator[Callable[..., CeleryBeat]]:
    """Factory for Celery beat with its schedule file in the test's tmp dir; stopped at test end."""
    started: list[CeleryBeat] = []

    def start(*, env: Mapping[str, str] | None = None, wait: bool = True) -> CeleryBeat:
        n = len(started) + 1
        beat = CeleryBeat(
            env={**worker_env, **(env or {})},
            log_path=tmp_path / f"beat-{n}.log",
            schedule_path=tmp_path / f"beat-{n}-schedule",
        )
        started.append(beat)
        beat.start()
        if wait:
            beat.wait_ready()
        return beat

    yield start
    for beat in reversed(started):
        beat.stop()


@pytest.fixture
def migrations_restored() -> Iterator[None]:
    """For tests that migrate the test database back to an older state: afterwards every app is
    migrated forward to its latest migration again, so the tests after them find today's schema."""
    yield
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

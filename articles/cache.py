"""The data version, which the API's caching keys on: what the API may remember between requests,
and why it is never stale.

The database keeps one number, the *data version* (table `integrations_dataversion`, one row; the
name is older than this module's move to articles, and stays so that existing triggers are
replaced, not duplicated).
Triggers set it to a new random value in the same transaction as every insert, update or delete
of the rows an API read depends on (`WATCHED`): articles and everything extraction made of them,
claims, history, users, roles and API tokens. A write from anywhere (a service, the admin, a
Celery worker, a bulk update, a raw SQL statement) changes it when it commits, never before.

A request reads the version once, *before* anything else (`data_version`), and keys what it
caches by it. What it then reads is at least as new as that version, so an entry can only hold
data as new as its key or newer; the first request after a commit sees the new version and
misses. Nothing is invalidated by hand and there is no expiry to wait for: a revoked token, a
deactivated user, a changed role or a changed claim is seen by the very next request. The value is
random, not a counter, so a rolled-back transaction (the tests roll back after each test) can
never bring back a version that a later, different state will reuse.

Triggers live outside the migrations, (re)created after every `migrate` (`install_triggers`, on
`post_migrate`): SQLite rebuilds a table to alter it, which drops its triggers, and the version is
changed at the same time to cover writes made while they were missing.

- SQLite: plain row triggers. SQLite has one writer at a time, so changing the one row as each
  write happens costs nothing in concurrency.
- PostgreSQL: *deferred constraint* triggers, which run at COMMIT, and change the version once
  per transaction (a transaction-local setting remembers that it did). Changing the row as each
  write happens would hold its lock for the rest of the transaction, so every writing
  transaction would wait for the one before it, and two that had locked rows in different
  orders would deadlock; at commit the lock is the last one taken and is held for an instant.
  TRUNCATE (the test database is flushed that way) has statement triggers of its own. Until a
  transaction commits, its own reads see writes the version does not show yet, so a request
  whose transaction has written (`txid_current_if_assigned()`) caches nothing.
- Any other database: `data_version` is None and nothing is cached.

What is cached (in the "api" cache, per process, `settings.CACHES`):

- the API token behind a key, with its user and the user's roles
  (`integrations.authentication`);
- the article list's rendered pages and article details, per user, URL and media type
  (`articles.rest.remembered_response`, used by `articles.api.ArticleViewSet`).

A remembered response may show only what the `WATCHED` tables hold: a field read from another
table (say, a review table) in the list or the detail needs its table added there.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connections

logger = logging.getLogger(__name__)

TABLE = "integrations_dataversion"

# Table -> the columns whose change matters (None: any). Tokens: not `last_used_at`, which is
# written once a minute per token; users: not `last_login` or the password.
WATCHED: dict[str, tuple[str, ...] | None] = {
    "articles_article": None,
    "articles_revision": None,
    "articles_claim": None,
    "articles_relatedlink": None,
    "articles_imagecredit": None,
    "articles_section": None,
    "articles_extractionjob": None,
    "articles_articleevent": None,
    "auth_user": ("username", "first_name", "last_name", "is_active", "is_superuser", "is_staff"),
    "auth_group": None,
    "auth_user_groups": None,
    "integrations_apitoken": ("user_id", "key_hash", "revoked_at"),
}

_SQLITE_BUMP = f"UPDATE {TABLE} SET version = random() WHERE id = 1;"


def _sqlite_statements(existing: set[str]) -> list[str]:
    statements = [
        f"CREATE TABLE IF NOT EXISTS {TABLE} (id integer PRIMARY KEY, version bigint NOT NULL)",
        f"INSERT OR IGNORE INTO {TABLE} (id, version) VALUES (1, 0)",
    ]
    for table, columns in WATCHED.items():
        if table not in existing:
            continue
        of = f" OF {', '.join(columns)}" if columns else ""
        for event in ("INSERT", "UPDATE" + of, "DELETE"):
            name = f"{TABLE}_{table}_{event.split()[0].lower()}"
            # Dropped and made again, so a changed column list takes effect.
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {_SQLITE_BUMP} END"
            )
    statements.append(_SQLITE_BUMP)
    return statements


# A random signed 63-bit value, like SQLite's random() (never one that a rollback could revive).
_POSTGRES_BUMP = (
    f"UPDATE {TABLE} SET version = floor((random() - 0.5) * 9.2e18)::bigint WHERE id = 1;"
)
_POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TABLE}_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once per transaction: the setting is local to it, and so is its id.
    IF current_setting('newsroom.data_version_bumped', true) IS DISTINCT FROM
            txid_current()::text THEN
        PERFORM set_config('newsroom.data_version_bumped', txid_current()::text, true);
        {_POSTGRES_BUMP}
    END IF;
    RETURN NULL;
END
$$"""


def _postgres_statements(existing: set[str]) -> list[str]:
    statements = [
        f"CREATE TABLE IF NOT EXISTS {TABLE} (id integer PRIMARY KEY, version bigint NOT NULL)",
        f"INSERT INTO {TABLE} (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
        _POSTGRES_FUNCTION,
    ]
    for table, columns in WATCHED.items():
        if table not in existing:
            continue
        of = f" OF {', '.join(columns)}" if columns else ""
        row, truncate = f"{TABLE}_{table}_rows", f"{TABLE}_{table}_truncate"
        statements += [
            f"DROP TRIGGER IF EXISTS {row} ON {table}",
            f"CREATE CONSTRAINT TRIGGER {row} AFTER INSERT OR UPDATE{of} OR DELETE ON {table} "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {TABLE}_bump()",
            f"DROP TRIGGER IF EXISTS {truncate} ON {table}",
            f"CREATE TRIGGER {truncate} AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_bump()",
        ]
    statements.append(_POSTGRES_BUMP)
    return statements


_STATEMENTS = {"sqlite": _sqlite_statements, "postgresql": _postgres_statements}


def install_triggers(using: str = "default", **kwargs: Any) -> None:
    """Create the version row and its triggers where missing, and change the version. Idempotent;
    connected to `post_migrate`, so it runs after every `migrate` (tests included)."""
    connection = connections[using]
    statements = _STATEMENTS.get(connection.vendor)
    if statements is None:
        return
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for statement in statements(existing):
            cursor.execute(statement)


def data_version(request: Any = None, using: str = "default") -> int | None:
    """The current data version (None: not kept on this database, cache nothing), read once per
    request and remembered on it (`request` is Django's HttpRequest or DRF's Request)."""
    request = getattr(request, "_request", request)
    if request is not None:
        try:
            return request._newsroom_data_version
        except AttributeError:
            pass
    connection = connections[using]
    version = None
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT version FROM {TABLE} WHERE id = 1")
            row = cursor.fetchone()
        version = row[0] if row else None
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT version, txid_current_if_assigned() FROM {TABLE} WHERE id = 1")
            row = cursor.fetchone()
        # A transaction that has written reads what its version does not show until it commits.
        version = row[0] if row and row[1] is None else None
    if request is not None:
        request._newsroom_data_version = version
    return version

"""`/healthz` and `/readyz`, for load balancers, systemd and monitoring: JSON, unauthenticated,
cheap, and revealing no names, addresses or versions (counts and "ok"/"failing" only).

- /healthz: this process answers. Nothing else is touched.
- /readyz: the database answers and has every migration applied, Redis (the broker) answers, a
  worker's heartbeat was seen within HEARTBEAT_MAX_AGE_SECONDS, and so was the active scheduler's.
  503 when any of these fails; 200 with "status": "degraded" when every check passes but a worker
  that did not stop cleanly has gone silent (it is counted as missing until it comes back).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from integrations import heartbeats
from newsroom.celery import call_broker

logger = logging.getLogger(__name__)

# Once every migration is applied it stays so for the life of the process: checked until then.
_migrated = False


def _database() -> tuple[str, str]:
    global _migrated
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrated:
            executor = MigrationExecutor(connection)
            _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        logger.warning("readyz: the database did not answer", exc_info=True)
        return "failing", "failing"
    return "ok", "ok" if _migrated else "failing"


def _redis() -> str:
    return (
        "ok" if call_broker(lambda broker: broker.redis.ping(), what="readyz ping") else "failing"
    )


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    database, migrations = _database()
    checks: dict[str, Any] = {"database": database, "migrations": migrations, "redis": _redis()}
    if database == "ok":
        alive = heartbeats.liveness()
        checks["workers"] = {
            "status": "ok" if alive.workers else "failing",
            "alive": len(alive.workers),
            "missing": len(alive.missing_workers),
        }
        checks["scheduler"] = {
            "status": "ok" if alive.active_schedulers else "failing",
            "active": len(alive.active_schedulers),
            "standby": len(alive.standby_schedulers),
        }
    else:
        checks["workers"] = checks["scheduler"] = {"status": "unknown"}
    failing = [
        name
        for name, check in checks.items()
        if (check if isinstance(check, str) else check["status"]) != "ok"
    ]
    if failing:
        status = "unavailable"
    elif checks["workers"]["missing"]:
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "failing": failing, "checks": checks}, status=503 if failing else 200
    )

"""Webhook work in Celery. Tasks take ids, re-read the rows, and are safe to run twice: a delivery
is taken by compare-and-set, so a duplicated message sends nothing twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import transaction

from integrations import services


@shared_task(name="integrations.dispatch_webhook_events", ignore_result=True)
def dispatch_webhook_events() -> int:
    """Turn new history rows into deliveries and enqueue them (after the rows are committed)."""
    created = services.dispatch_webhook_events()
    for delivery_id in created:
        services.enqueue_delivery(delivery_id)
    return len(created)


# Not acks_late: an attempt lost with its worker is picked up by the sweeper when its lease ends.
# The hard limit bounds a receiver that trickles its answer past the socket timeout.
@shared_task(
    name="integrations.deliver_webhook",
    ignore_result=True,
    acks_late=False,
    queue="default",
    soft_time_limit=settings.WEBHOOK_TIMEOUT_SECONDS * 3 + 10,
    time_limit=settings.WEBHOOK_TIMEOUT_SECONDS * 3 + 20,
)
def deliver_webhook(delivery_id: int) -> str:
    """POST one delivery; on failure enqueue the next attempt after the backoff (bounded)."""
    status, delay = services.deliver_webhook(delivery_id)
    if delay is not None:
        transaction.on_commit(lambda: services.enqueue_delivery(delivery_id, countdown=delay))
    return status


@shared_task(name="integrations.sweep_webhooks", ignore_result=True)
def sweep_webhooks() -> dict[str, int]:
    """Beat: dispatch what a lost doorbell missed; re-enqueue overdue deliveries."""
    return services.sweep_webhooks()


@shared_task(name="integrations.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys() -> int:
    """Beat: delete idempotency keys older than IDEMPOTENCY_KEY_TTL_SECONDS."""
    return services.purge_idempotency_keys()

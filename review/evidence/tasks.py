"""The evidence archive's Celery tasks (registered through `review.tasks`). Each takes an id,
re-reads the row and returns early when there is nothing to do: running one twice is harmless."""

from __future__ import annotations

from celery import shared_task

from review.evidence import services


# Not acks_late: a fetch that a dying worker left half done is caught by the sweep (the row
# stays pending; its lease runs out), and a page is not fetched twice on a redelivery.
@shared_task(name="review.archive_evidence", time_limit=120, soft_time_limit=100)
def archive_evidence(snapshot_id: int) -> str:
    """Fetch one pending evidence snapshot and archive it (or record why it failed, or schedule
    a retry with backoff)."""
    return services.archive_snapshot(snapshot_id)


@shared_task(name="review.sweep_evidence")
def sweep_evidence() -> int:
    """Beat: ring again for pending snapshots whose message was lost or whose retry is due."""
    return services.sweep_pending()


@shared_task(name="review.recheck_evidence", time_limit=120, soft_time_limit=100)
def recheck_evidence(snapshot_id: int) -> str:
    """Link rot: fetch an archived evidence page again and flag it gone or changed."""
    return services.recheck_snapshot(snapshot_id)


@shared_task(name="review.sweep_link_rot")
def sweep_link_rot() -> int:
    """Beat: ring the re-checks that are due (one page per host per run)."""
    return services.sweep_link_rot()

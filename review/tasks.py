"""Background work of the review side. Tasks take ids, re-read the rows, and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from review import intelligence


@shared_task(name="review.analyse_claims", acks_late=True, reject_on_worker_lost=True)
def analyse_claims(article_ids: list[int]) -> dict[str, int]:
    """Check-worthiness scores and verdict-reuse suggestions for these articles' new claims (one
    message per finished extraction batch)."""
    totals = {"analysed": 0, "suggestions": 0}
    for article_id in article_ids:
        for key, value in intelligence.analyse_article(article_id).items():
            totals[key] += value
    return totals


@shared_task(name="review.sweep_claim_analysis")
def sweep_claim_analysis() -> int:
    """Beat: enqueue articles whose claims a lost message or a model upgrade left unanalysed."""
    return intelligence.sweep()


# The evidence archive's tasks, registered with the app through this module.
from review.evidence.tasks import (  # noqa: E402, F401
    archive_evidence,
    recheck_evidence,
    sweep_evidence,
    sweep_link_rot,
)

# The notifications' tasks, registered the same way.
from review.notifications.tasks import (  # noqa: E402, F401
    deliver_email,
    send_notification_digests,
    send_notification_emails,
    sweep_notification_emails,
)

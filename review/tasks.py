"""Background work of the review side. Tasks take ids, re-read the rows, and are safe to run twice."""
from __future__ import annotations

from celery import shared_task

from review import intelligence


@shared_task(name="review.analyse_claims", acks_late=True, reject_on_worker_lost=True)
def analyse_claims(article_id: int) -> dict[str, int]:
    """Check-worthiness scores and verdict-reuse suggestions for one article's new claims."""
    return intelligence.analyse_article(article_id)


@shared_task(name="review.sweep_claim_analysis")
def sweep_claim_analysis() -> int:
    """Beat: enqueue articles whose claims a lost message or a model upgrade left unanalysed."""
    return intelligence.sweep()

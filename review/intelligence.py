"""Claim intelligence: after extraction, in the background, every claim gets its check-worthiness
score (with the model's version) and its verdict-reuse candidates (claims of other articles that
state the same fact, `review.facts`). Nothing here ever sets a verdict: a score orders the queue,
a suggestion is offered to a reviewer, who decides (`review.services.reuse_verdict`).

The database says what is left to do, the broker only rings the bell: a claim needs analysis while
its `analysed_revision` differs from its `revision` (new, or moved on by a re-extraction) or its
score came from another model than the one installed. Extraction enqueues `review.analyse_claims`
for the article once its claims are stored; the beat sweep (`sweep`) catches what a lost message
or a model upgrade left behind. Running the analysis twice writes the same rows.
"""
from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from articles import checkworthiness
from articles.models import Claim
from articles.services import lock_article
from review import facts
from review.models import ClaimKey, ReuseSuggestion

logger = logging.getLogger(__name__)

# At most this many stored claims are compared with each new one (newest first), so a sentence
# repeated in thousands of articles ("The company did not respond to a request for comment.")
# costs no more than any other; and at most this many suggestions are kept per claim.
CANDIDATES_PER_CLAIM = 50
SUGGESTIONS_PER_CLAIM = 5
SWEEP_BATCH = 500
SWEEP_GRACE = dt.timedelta(seconds=30)


def needs_analysis() -> Q:
    stale = Q(analysed_revision__isnull=True) | ~Q(analysed_revision=F("revision"))
    if checkworthiness.MODEL_VERSION != checkworthiness.UNAVAILABLE:
        stale |= ~Q(checkworthiness_model=checkworthiness.MODEL_VERSION)
    return stale


ENQUEUE_BATCH = 20


def enqueue(article_ids: list[int]) -> bool:
    """Ring the bell for these articles (one message); False if the broker is unreachable (the
    sweep will ring again)."""
    from review.tasks import analyse_claims

    try:
        analyse_claims.apply_async(args=[list(article_ids)], retry=False)
    except Exception:  # kombu raises several unrelated types for an unreachable broker
        logger.warning("claim analysis of articles %s not enqueued", article_ids, exc_info=True)
        return False
    return True


def find_candidates(article_id: int, texts: dict[int, str]) -> dict[int, list[tuple[int, facts.Match]]]:
    """For each claim (id → text) of one article, the claims of other articles that state the
    same fact, best first: one indexed lookup per claim, then one query for the candidates' text."""
    keys_of = {claim_id: facts.lookup_keys(text) for claim_id, text in texts.items()}
    found: dict[int, list[int]] = {}
    for claim_id, keys in keys_of.items():
        found[claim_id] = list(
            ClaimKey.objects.filter(key__in=keys)
            .exclude(article_id=article_id)
            .order_by("-claim_id")
            .values_list("claim_id", flat=True)
            .distinct()[:CANDIDATES_PER_CLAIM]
        )
    wanted = {source for sources in found.values() for source in sources}
    source_texts = dict(
        Claim.objects.filter(pk__in=wanted, retired_at__isnull=True).values_list("pk", "text")
    ) if wanted else {}
    result: dict[int, list[tuple[int, facts.Match]]] = {}
    for claim_id, sources in found.items():
        matches = []
        for source_id in sources:
            if source_id not in source_texts:
                continue
            match = facts.compare(texts[claim_id], source_texts[source_id])
            if match is not None:
                matches.append((source_id, match))
        matches.sort(key=lambda item: (not item[1].exact, -item[1].similarity, -item[0]))
        result[claim_id] = matches[:SUGGESTIONS_PER_CLAIM]
    return result


def analyse_article(article_id: int) -> dict[str, int]:
    """Score and index the article's claims that need it, and store their reuse suggestions (both
    ways round). The slow part (scoring, lookups) runs before the write transaction; claims that a
    re-extraction changed meanwhile are left for the next run."""
    claims = list(
        Claim.objects.active()
        .filter(article_id=article_id)
        .filter(needs_analysis())
        .values_list("pk", "revision_id", "text")
    )
    if not claims:
        return {"analysed": 0, "suggestions": 0}
    texts = {pk: text for pk, _, text in claims}
    scores = checkworthiness.try_score([text for _, _, text in claims])
    model = checkworthiness.MODEL_VERSION if scores is not None else ""
    matches = find_candidates(article_id, texts)

    with transaction.atomic():
        lock_article(article_id)
        current = dict(
            Claim.objects.active()
            .filter(pk__in=texts)
            .values_list("pk", "revision_id")
        )
        fresh = [
            (index, pk, revision_id)
            for index, (pk, revision_id, _) in enumerate(claims)
            if current.get(pk) == revision_id
        ]
        ids = [pk for _, pk, _ in fresh]
        # Keys of claims an edit removed from the article go too: they offer nothing any more.
        ClaimKey.objects.filter(article_id=article_id).filter(
            Q(claim_id__in=ids) | Q(claim__retired_at__isnull=False)
        ).delete()
        ClaimKey.objects.bulk_create(
            [
                ClaimKey(claim_id=pk, article_id=article_id, key=key)
                for pk in ids
                for key in dict.fromkeys(facts.lookup_keys(texts[pk]))
            ],
            batch_size=1000,
        )
        ReuseSuggestion.objects.filter(Q(claim_id__in=ids) | Q(source_id__in=ids)).delete()
        live = set(
            Claim.objects.filter(
                pk__in={s for pk in ids for s, _ in matches[pk]}, retired_at__isnull=True
            ).values_list("pk", flat=True)
        )
        suggestions = []
        for pk in ids:
            for source_id, match in matches[pk]:
                if source_id not in live:
                    continue
                for a, b in ((pk, source_id), (source_id, pk)):
                    suggestions.append(
                        ReuseSuggestion(
                            claim_id=a, source_id=b, exact=match.exact, similarity=match.similarity
                        )
                    )
        ReuseSuggestion.objects.bulk_create(suggestions, batch_size=1000, ignore_conflicts=True)
        updates = []
        for index, pk, revision_id in fresh:
            claim = Claim(pk=pk, analysed_revision_id=revision_id)
            claim.checkworthiness = scores[index] if scores is not None else None
            claim.checkworthiness_model = model
            updates.append(claim)
        Claim.objects.bulk_update(
            updates, ["checkworthiness", "checkworthiness_model", "analysed_revision"]
        )
    logger.info(
        "article=%s analysed %s claims, %s reuse suggestions", article_id, len(ids), len(suggestions)
    )
    return {"analysed": len(ids), "suggestions": len(suggestions) // 2}


def sweep() -> int:
    """Beat: enqueue the articles with claims left unanalysed (a lost message) or scored by an
    older model. Returns how many were enqueued."""
    cutoff = timezone.now() - SWEEP_GRACE
    article_ids = list(
        Claim.objects.active()
        .filter(needs_analysis(), revision__created_at__lt=cutoff)
        .order_by()
        .values_list("article_id", flat=True)
        .distinct()[:SWEEP_BATCH]
    )
    enqueued = 0
    for start in range(0, len(article_ids), ENQUEUE_BATCH):
        batch = article_ids[start : start + ENQUEUE_BATCH]
        if enqueue(batch):
            enqueued += len(batch)
    if enqueued:
        logger.info("claim analysis sweep: %s articles enqueued", enqueued)
    return enqueued

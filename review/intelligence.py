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

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

import checkworthiness
from articles.bulk import insert_rows, update_rows
from articles.models import Claim
from articles.services import lock_article
from newsroom.celery import ring
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


def _newest_per_key(article_id: int, keys: list[int]) -> dict[int, list[int]]:
    """For each key, the newest `CANDIDATES_PER_CLAIM` claims of other articles indexed under it,
    in one query for all the keys of an article. Each key is a backward range read of the
    (key, claim) index that stops at the limit, so a key that thousands of claims share (a
    boilerplate sentence) costs no more than a rare one, however many claims are stored."""
    table = connection.ops.quote_name(ClaimKey._meta.db_table)
    found: dict[int, list[int]] = {key: [] for key in keys}
    if not keys:
        return found
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT k.key, c.claim_id FROM unnest(%s::bigint[]) AS k(key) CROSS JOIN LATERAL "
                f"(SELECT claim_id FROM {table} WHERE key = k.key AND article_id <> %s "
                f"ORDER BY claim_id DESC LIMIT %s) AS c",
                [keys, article_id, CANDIDATES_PER_CLAIM],
            )
            rows = cursor.fetchall()
        else:
            # No LATERAL join here: one limited sub-select per key, joined by UNION ALL, in
            # statements of at most 400 (SQLite's limit on compound selects is 500).
            term = (
                f"SELECT * FROM (SELECT key, claim_id FROM {table} WHERE key = %s "
                f"AND article_id <> %s ORDER BY claim_id DESC LIMIT {CANDIDATES_PER_CLAIM:d})"
            )
            rows = []
            for start in range(0, len(keys), 400):
                chunk = keys[start : start + 400]
                cursor.execute(
                    " UNION ALL ".join([term] * len(chunk)),
                    [value for key in chunk for value in (key, article_id)],
                )
                rows += cursor.fetchall()
    for key, claim_id in rows:
        found[key].append(claim_id)
    return found


def _ranked(keys: list[int], per_key: dict[int, list[int]]) -> list[int]:
    """The claims found under one claim's keys, most likely the same fact first: under its exact
    key (newest first), then by how many of its band keys they share, then newest. A key that many
    unrelated claims share (common wording) then cannot crowd out an older true duplicate."""
    exact = per_key[keys[0]]
    shared: dict[int, int] = {}
    for key in dict.fromkeys(keys[1:]):
        for source in per_key[key]:
            shared[source] = shared.get(source, 0) + 1
    seen = set(exact)
    bands = sorted((s for s in shared if s not in seen), key=lambda s: (-shared[s], -s))
    return (exact + bands)[:CANDIDATES_PER_CLAIM]


def find_candidates(
    article_id: int, texts: dict[int, str], keys_of: dict[int, list[int]] | None = None
) -> dict[int, list[tuple[int, facts.Match]]]:
    """For each claim (id → text) of one article, the claims of other articles that state the
    same fact, best first: one query for the newest claims under each of the article's index keys,
    at most `CANDIDATES_PER_CLAIM` per claim kept (`_ranked`), one query for their text, then
    `facts.compare` decides."""
    if keys_of is None:
        keys_of = {claim_id: facts.lookup_keys(text) for claim_id, text in texts.items()}
    per_key = _newest_per_key(article_id, list({k for keys in keys_of.values() for k in keys}))
    found = {claim_id: _ranked(keys, per_key) for claim_id, keys in keys_of.items()}
    wanted = {source for sources in found.values() for source in sources}
    source_texts = (
        dict(Claim.objects.filter(pk__in=wanted, retired_at__isnull=True).values_list("pk", "text"))
        if wanted
        else {}
    )
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
    keys_of = {pk: list(dict.fromkeys(facts.lookup_keys(text))) for pk, text in texts.items()}
    matches = find_candidates(article_id, texts, keys_of)

    with transaction.atomic():
        lock_article(article_id)
        current = dict(Claim.objects.active().filter(pk__in=texts).values_list("pk", "revision_id"))
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
        insert_rows(
            ClaimKey,
            ["claim", "article", "key"],
            [(pk, article_id, key) for pk in ids for key in keys_of[pk]],
            prepared=True,
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
        update_rows(
            Claim,
            ["checkworthiness", "checkworthiness_model", "analysed_revision"],
            [
                (pk, (scores[index] if scores is not None else None, model, revision_id))
                for index, pk, revision_id in fresh
            ],
            prepared=True,
        )
    logger.info(
        "article=%s analysed %s claims, %s reuse suggestions",
        article_id,
        len(ids),
        len(suggestions),
    )
    return {"analysed": len(ids), "suggestions": len(suggestions) // 2}


def ring_claim_analysis(article_ids: list[int]) -> bool:
    """Ask a worker for these articles' check-worthiness scores and verdict-reuse candidates. A
    broker that is down is logged, not raised (False): `sweep` finds the claims left unanalysed."""
    return ring(
        "review.analyse_claims",
        args=[list(article_ids)],
        what=f"enqueueing claim analysis of articles {article_ids}",
    )


def on_claims_stored(sender: object, *, article_ids: list[int], **kwargs: object) -> None:
    """`articles.signals.claims_stored` (connected in `ReviewConfig.ready`): extraction committed
    new claims, so ring for their analysis."""
    ring_claim_analysis(article_ids)


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
        if ring_claim_analysis(batch):
            enqueued += len(batch)
    if enqueued:
        logger.info("claim analysis sweep: %s articles enqueued", enqueued)
    return enqueued

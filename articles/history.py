"""What the history says about the moment of one of its rows: the article's status and its gate
right after it, and whether that row opened the gate. One definition, read by the webhooks
(`integrations.services.event_types`) and the notifications (`review.notifications.rules`)."""

from __future__ import annotations

from articles.models import (
    EXTRACTED_STATUSES,
    GATE_COUNTS,
    Article,
    ArticleEvent,
    Claim,
    Gate,
    gate_counts,
)


def gate_after(event: ArticleEvent) -> Gate:
    """The article's gate right after `event`, rebuilt from the history (the claims may have
    changed since): claims that existed then, with the verdict their last history row gave them."""
    claims = Claim.objects.filter(article_id=event.article_id, created_at__lte=event.created_at)
    verdicts = {pk: Claim.Verdict.PENDING for pk in claims.values_list("pk", flat=True)}
    retired: set[int] = set()
    history = (
        ArticleEvent.objects.filter(
            article_id=event.article_id, pk__lte=event.pk, claim__isnull=False
        )
        .filter(
            kind__in=[
                ArticleEvent.Kind.VERDICT,
                ArticleEvent.Kind.CLAIM_CHANGED,
                ArticleEvent.Kind.CLAIM_RETIRED,
            ]
        )
        .order_by("pk")
        .values_list("claim_id", "kind", "to_state")
    )
    for claim_id, kind, to_state in history:
        if kind == ArticleEvent.Kind.VERDICT:
            verdicts[claim_id] = to_state
        elif kind == ArticleEvent.Kind.CLAIM_CHANGED:
            verdicts[claim_id] = Claim.Verdict.PENDING
        else:
            retired.add(claim_id)
    status = article_status_after(event)
    return Gate.of_verdicts(
        [v for pk, v in verdicts.items() if pk not in retired],
        extracted=status in EXTRACTED_STATUSES,
    )


def gate_now(event: ArticleEvent) -> Gate:
    """The gate right after `event` while nothing has been written since: inside the transaction
    that appended it, from the article's current claims (one grouped query; `gate_after` rebuilds
    the history instead, for a row read later)."""
    counts = gate_counts([event.article_id]).get(event.article_id, (0,) * len(GATE_COUNTS))
    return Gate.of_counts(
        dict(zip([name for name, _ in GATE_COUNTS], counts, strict=True)),
        extracted=article_status_after(event) in EXTRACTED_STATUSES,
    )


def article_status_after(event: ArticleEvent) -> str:
    if event.kind in (ArticleEvent.Kind.STATUS, ArticleEvent.Kind.UNPUBLISHED):
        return event.to_state
    if event.kind in (ArticleEvent.Kind.OVERRIDE, ArticleEvent.Kind.CORRECTED):
        return Article.Status.PUBLISHED  # these rows precede the status row of the publish
    return Article.Status.IN_REVIEW


def published_with(event: ArticleEvent) -> set[str]:
    """For a status row to `published`: the kinds of the rows the publication wrote just before
    it in the same transaction, under the article's lock (`articles.services.publishing._publish`):
    `override` (over unverified claims) and/or `corrected` (the end of a correction round). One
    query; empty for any other row. The one place that tells a first publication from a
    correction's: webhooks send `article.corrected`, not a second `article.published`, and the
    author is told of the correction, not of a new publication."""
    if event.kind != ArticleEvent.Kind.STATUS or event.to_state != Article.Status.PUBLISHED:
        return set()
    with_it = set()
    for kind in (
        ArticleEvent.objects.filter(article_id=event.article_id, pk__lt=event.pk)
        .order_by("-pk")
        .values_list("kind", flat=True)[:2]
    ):
        if kind not in (ArticleEvent.Kind.OVERRIDE, ArticleEvent.Kind.CORRECTED):
            break
        with_it.add(kind)
    return with_it


def may_open_gate(event: ArticleEvent) -> bool:
    """Only a verdict that newly verifies a claim can open the gate (cheap: no query)."""
    return (
        event.kind == ArticleEvent.Kind.VERDICT
        and event.to_state == Claim.Verdict.VERIFIED
        and event.from_state != Claim.Verdict.VERIFIED
    )


def opened_gate(event: ArticleEvent, gate: Gate | None = None) -> bool:
    """The gate opens with the verdict that verifies the last open claim. `gate` is the gate
    right after `event` when the caller has it already (else rebuilt from the history)."""
    return may_open_gate(event) and (gate or gate_after(event)).is_open

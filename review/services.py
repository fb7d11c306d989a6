"""Verdicts and the publication gate, holds on claims, assignments and due times. Every caller
(views, API, admin, tasks) goes through here.

Every function that writes locks the article row before reading anything, so a verdict, a hold and
a publish of the same article never interleave: publishing counts the claims after every earlier
verdict has committed, a verdict arriving after the publish finds the article published and is
refused, and a verdict never slips past a hold taken a moment earlier by another reviewer.

Every verdict names the version of the sentence it judged (`judged`, `Claim.text_sha`), compared
under the same lock: an edit re-extracted after the reviewer opened the claim makes the verdict a
`ClaimChanged` (409 with the new text), never a silent write on a sentence they did not read.

Edits do not wait for holds. A hold protects its holder from other reviewers, not from the author:
the author must never be blocked from correcting an article (a hold lasts up to
REVIEW_HOLD_SECONDS and a reviewer may walk away from it). The holder is protected instead by the
version check: their verdict on the sentence as it was is refused, and the panel shows them the
new text to judge.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles import permissions, times
from articles.models import Article, ArticleEvent, Claim
from articles.people import short_name
from articles.services import (
    InvalidTransition,
    lock_article,
    lock_editable_article,
    log_event,
)
from articles.text import has_visible_text
from review.evidence.services import request_snapshots
from review.models import Assignment, ClaimHold

_validate_url = URLValidator(schemes=["http", "https"])


class ClaimHeld(InvalidTransition):
    """Another reviewer has the claim open (an unexpired `ClaimHold`); `hold` says who, how long."""

    def __init__(self, hold: ClaimHold) -> None:
        self.hold = hold
        super().__init__(
            f"{hold.describe()} Nobody else can judge it until they are done or the hold ends."
        )


class ClaimChanged(InvalidTransition):
    """The claim's sentence is no longer the version the reviewer judged: an edit changed it after
    they opened it. `text` and `version` are the sentence now, to show and to judge instead."""

    def __init__(self, claim: Claim, message: str = "") -> None:
        self.claim = claim
        self.text = claim.text
        self.version = claim.text_sha
        self.details = {"claim": claim.pk, "text": self.text, "version": self.version}
        super().__init__(message or f"This sentence changed since you opened it: {claim.text}")


def check_judged(claim: Claim, judged: str) -> None:
    """Refuse a verdict on `claim` unless `judged` is its current version (`Claim.text_sha`).
    Call with the claim's article locked, in the transaction that writes the verdict: an edit
    re-extracted after this check cannot land before the verdict commits."""
    if judged != claim.text_sha:
        raise ClaimChanged(claim)


def validate_verdict(*, verdict: str, note: str, evidence_url: str) -> None:
    """The verdict rules: verified needs evidence (a URL or a note), unverified needs a note."""
    errors: dict[str, list[str]] = {}
    if verdict not in (Claim.Verdict.VERIFIED, Claim.Verdict.UNVERIFIED):
        errors["verdict"] = ["Choose verified or unverified."]
    if evidence_url:
        try:
            _validate_url(evidence_url)
        except ValidationError:
            errors["evidence_url"] = ["Enter a full http:// or https:// address."]
    # A note of only invisible characters (U+200B...) says nothing: it counts as no note.
    if note and not has_visible_text(note):
        errors["note"] = ["The note has no visible text."]
    elif verdict == Claim.Verdict.VERIFIED and not note.strip() and not evidence_url:
        errors["note"] = ["A verified claim needs an evidence URL or a note."]
    elif verdict == Claim.Verdict.UNVERIFIED and not note.strip():
        errors["note"] = ["Say why the claim could not be verified."]
    if errors:
        raise ValidationError(errors)


def check_reviewable(article: Article, claim: Claim, *, by, verdict: bool) -> None:
    """The guard every reviewer action on a claim opens with (verdicts and holds alike): the role
    and four-eyes first, then the article's state, then the claim's. Call with the article locked.
    `verdict` only picks the wording of the refusal."""
    if not permissions.can_review_article(by, article):
        if article.author_id == by.pk:
            verb = "judge" if verdict else "review"
            raise PermissionDenied(f"You cannot {verb} claims of an article you wrote.")
        raise PermissionDenied(
            "Only reviewers can record verdicts."
            if verdict
            else "Only reviewers can open claims for review."
        )
    if article.status != Article.Status.IN_REVIEW:
        what = "Verdicts can only be recorded" if verdict else "Claims can only be reviewed"
        raise InvalidTransition(
            f"{what} while the article is in review (it is {article.get_status_display().lower()})."
        )
    if claim.retired_at is not None:
        raise InvalidTransition("This sentence was removed from the article by an edit.")


def record_verdict(
    claim: Claim,
    *,
    by,
    judged: str,
    verdict: str,
    note: str = "",
    evidence_url: str = "",
    source: Claim | None = None,
    bulk_id: uuid.UUID | None = None,
) -> Claim:
    """Set a claim's verdict (or change it) and append the history row. The article must be in
    review, the claim current, and the reviewer not the article's author. `judged` is the version
    of the sentence the reviewer read (`Claim.text_sha`, sent back by the form or the API client):
    if an edit changed the sentence since, `ClaimChanged` and nothing is written. `source` is the
    claim whose verdict this reuses (only `reuse_verdict` passes it): it is linked from the claim
    and its history row. An evidence URL not archived yet gets a pending `EvidenceSnapshot`, fetched
    by `review.archive_evidence` after commit. `bulk_id` groups the rows of one bulk verdict (only
    `record_verdicts` passes it)."""
    note, evidence_url = note.strip(), evidence_url.strip()
    validate_verdict(verdict=verdict, note=note, evidence_url=evidence_url)
    with transaction.atomic():
        article = lock_article(claim.article_id)
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        check_reviewable(article, claim, by=by, verdict=True)
        return _write_verdict(
            article,
            claim,
            by=by,
            verdict=verdict,
            note=note,
            evidence_url=evidence_url,
            source=source,
            reviewed_by=by,
            bulk_id=bulk_id,
            judged=judged,
        )


def _write_verdict(
    article: Article,
    claim: Claim,
    *,
    by,
    verdict: str,
    note: str,
    evidence_url: str,
    source: Claim | None,
    reviewed_by,
    reviewed_at: dt.datetime | None = None,
    bulk_id: uuid.UUID | None = None,
    undoes: ArticleEvent | None = None,
    judged: str | None = None,
) -> Claim:
    """The write every verdict shares (a new one, or the one an undo restores): refused while
    another reviewer holds the claim; the claim's fields, the history row, and the end of the
    hold. Call inside the transaction, with the article and the claim locked and checked.
    `judged` (a new verdict's: the version of the sentence the reviewer read) is checked after the
    hold: another reviewer's hold is the answer that matters to someone who could not have the
    claim open anyway. An undo passes none: it restores a verdict on this very sentence (an edit
    since would have sent the claim back to pending and ended what there was to undo)."""
    hold = ClaimHold.objects.filter(claim=claim).select_related("holder").first()
    if hold is not None and hold.holder_id != by.pk and hold.is_active():
        raise ClaimHeld(hold)
    if judged is not None:
        check_judged(claim, judged)
    from_state = claim.verdict
    claim.verdict = verdict
    claim.note = note
    claim.evidence_url = evidence_url
    claim.reviewed_by = reviewed_by
    claim.reviewed_at = reviewed_at or (timezone.now() if reviewed_by is not None else None)
    claim.reused_from = source
    claim.save(
        update_fields=[
            "verdict",
            "note",
            "evidence_url",
            "reviewed_by",
            "reviewed_at",
            "reused_from",
        ]
    )
    # The history row rides on the claim: the view's toast offers to undo exactly this row.
    claim.verdict_event = log_event(
        article,
        by=by,
        kind=ArticleEvent.Kind.VERDICT,
        claim=claim,
        from_state=from_state,
        to_state=verdict,
        note=note,
        evidence_url=evidence_url,
        source_claim=source,
        claim_text=claim.text,
        bulk_id=bulk_id,
        undoes=undoes,
    )
    if hold is not None:  # the verdict ends the reviewer's own hold (or clears an expired one)
        hold.delete()
    if evidence_url:  # archived in the background, rung once this commits
        request_snapshots([evidence_url])
    return claim


# The toast after a verdict offers Undo for UNDO_SECONDS; the server takes an undo a little longer
# (a click in the last second may still be on its way).
UNDO_SECONDS = 10
UNDO_GRACE_SECONDS = 5


def undo_verdict(event: ArticleEvent, *, by) -> Claim:
    """Put back what the claim said before the verdict `event` recorded: the previous verdict with
    its note, evidence, reviewer and time (or pending, if it had none), as a new history row that
    links to `event` (`undoes`); nothing is deleted. Only the reviewer who recorded `event`, within
    UNDO_SECONDS (+ grace), while it is still the claim's latest history row and the article still
    in review; the rules of `record_verdict` (holds, four-eyes, current claim) apply as for any
    verdict. Returns the claim as restored."""
    with transaction.atomic():
        article = lock_article(event.article_id)
        event = ArticleEvent.objects.get(pk=event.pk)
        if event.kind != ArticleEvent.Kind.VERDICT or event.claim_id is None:
            raise InvalidTransition("Only a verdict can be undone.")
        if event.actor_id != by.pk:
            raise PermissionDenied("Only the reviewer who recorded a verdict can undo it.")
        if ArticleEvent.objects.filter(undoes=event).exists():
            raise InvalidTransition("This verdict was undone already.")
        window = dt.timedelta(seconds=UNDO_SECONDS + UNDO_GRACE_SECONDS)
        if timezone.now() - event.created_at > window:
            raise InvalidTransition(
                "Too late to undo that verdict: record the verdict you want instead."
            )
        latest = (
            ArticleEvent.objects.filter(claim_id=event.claim_id)
            .order_by("-created_at", "-id")
            .values_list("pk", flat=True)
            .first()
        )
        claim = Claim.objects.select_for_update().get(pk=event.claim_id)
        if latest != event.pk or claim.verdict != event.to_state:
            raise InvalidTransition(
                "The claim changed since that verdict (a newer verdict or an edit): nothing was "
                "undone."
            )
        check_reviewable(article, claim, by=by, verdict=True)
        restored: dict = {
            "verdict": Claim.Verdict.PENDING,
            "note": "",
            "evidence_url": "",
            "source": None,
            "reviewed_by": None,
            "reviewed_at": None,
        }
        if event.from_state != Claim.Verdict.PENDING:
            previous = (
                ArticleEvent.objects.filter(
                    claim_id=claim.pk, kind=ArticleEvent.Kind.VERDICT, id__lt=event.pk
                )
                .select_related("actor", "source_claim")
                .order_by("-created_at", "-id")
                .first()
            )
            if previous is None or previous.to_state != event.from_state:
                raise InvalidTransition(
                    "The verdict before that one is not in the history: nothing was undone."
                )
            restored = {
                "verdict": previous.to_state,
                "note": previous.note,
                "evidence_url": previous.evidence_url,
                "source": previous.source_claim,
                "reviewed_by": previous.actor,
                "reviewed_at": previous.created_at,
            }
        return _write_verdict(article, claim, by=by, undoes=event, **restored)


# --- Verdict reuse ------------------------------------------------------------------------------


def describe_source(source: Claim) -> str:
    """'verified on 12 Mar 2026 in “Title” by R. Lee': where a reusable verdict comes from."""
    return (
        f"{source.get_verdict_display().lower()} on {times.day(source.reviewed_at)} in “{source.article.title}” "
        f"by {short_name(source.reviewed_by)}"
    )


def reuse_verdict(claim: Claim, *, source: Claim, by, judged: str) -> Claim:
    """Record for `claim` the verdict another article's claim carries, as `by`'s own verdict, with
    the source linked in the claim's history. Refused unless the two still state the same fact
    (`review.facts.compare`, checked again now, not trusted from the suggestion), the source still
    carries a verdict and `by` may see it; then the rules of `record_verdict` apply as for any
    verdict (reviewer, four-eyes, in review, holds, and `judged`: the version of `claim` the
    reviewer read, `ClaimChanged` if it moved on)."""
    from review.facts import compare

    with transaction.atomic():
        # The claim's article is locked first, so an edit cannot change the sentence between the
        # comparison below and the verdict.
        article = lock_article(claim.article_id)
        claim = Claim.objects.get(pk=claim.pk)
        check_reviewable(article, claim, by=by, verdict=True)
        source = Claim.objects.select_related("article", "reviewed_by").filter(pk=source.pk).first()
        if source is None or not permissions.can_view_article(by, source.article):
            raise PermissionDenied("You may not see the claim whose verdict you want to reuse.")
        if source.article_id == claim.article_id:
            raise InvalidTransition("A verdict can only be reused from another article.")
        if source.retired_at is not None or source.verdict == Claim.Verdict.PENDING:
            raise InvalidTransition("The other claim no longer carries a verdict to reuse.")
        # Before the comparison: the reviewer chose this reuse for the sentence they read; if it
        # changed, that is what they need to hear (and the new one may not match the source).
        check_judged(claim, judged)
        if compare(claim.text, source.text) is None:
            raise InvalidTransition(
                "The two sentences do not state the same fact (a number, date, name or negation "
                "differs), so the verdict cannot be reused."
            )
        note = f"Reused: {describe_source(source)}."
        if source.note:
            note += f" Their note: {source.note}"
        return record_verdict(
            claim,
            by=by,
            judged=judged,
            verdict=source.verdict,
            note=note,
            evidence_url=source.evidence_url,
            source=source,
        )


# --- Bulk verdicts ------------------------------------------------------------------------------


def record_verdicts(
    claims: Iterable[Claim],
    *,
    by,
    judged: Mapping[int, str],
    verdict: str,
    note: str = "",
    evidence_url: str = "",
) -> list[Claim]:
    """One verdict, note and evidence for several claims of one article, all or nothing.

    Each claim goes through `record_verdict` (same rules, its own history row, all rows with one
    `bulk_id`, so the activity page shows the action as one entry) inside one
    transaction that holds the article lock throughout: if any claim is refused (held by another
    reviewer, removed by an edit, changed since the version in `judged`, a claim id → version
    map with an entry per claim, ...) the error names it and nothing is recorded.
    """
    unique: dict[int, Claim] = {}
    for claim in claims:
        unique.setdefault(claim.pk, claim)
    if not unique:
        raise ValidationError({"claims": ["Select at least one claim."]})
    if len({claim.article_id for claim in unique.values()}) != 1:
        raise ValidationError({"claims": ["A bulk verdict applies to claims of one article."]})
    validate_verdict(verdict=verdict, note=note.strip(), evidence_url=evidence_url.strip())
    missing = [claim.ordinal + 1 for claim in unique.values() if not judged.get(claim.pk)]
    if missing:
        raise ValidationError(
            {"judged": [f"Say which version of claim {min(missing)} you judged (`judged`)."]}
        )
    ordered = sorted(unique.values(), key=lambda c: (c.ordinal, c.pk))
    recorded: list[Claim] = []
    bulk_id = uuid.uuid4()
    with transaction.atomic():
        lock_article(ordered[0].article_id)
        for claim in ordered:
            try:
                recorded.append(
                    record_verdict(
                        claim,
                        by=by,
                        judged=judged[claim.pk],
                        verdict=verdict,
                        note=note,
                        evidence_url=evidence_url,
                        bulk_id=bulk_id,
                    )
                )
            except ClaimChanged as e:
                raise ClaimChanged(
                    e.claim, f"Claim {claim.ordinal + 1}: {e} Nothing was recorded."
                ) from e
            except InvalidTransition as e:
                raise InvalidTransition(
                    f"Claim {claim.ordinal + 1}: {e} Nothing was recorded."
                ) from e
    return recorded


# --- Holds --------------------------------------------------------------------------------------


def hold_claim(claim: Claim, *, by) -> ClaimHold:
    """Open a claim for review: take its hold for REVIEW_HOLD_SECONDS, or renew one's own.

    Refused with `ClaimHeld` while another reviewer's hold has not expired. A reviewer holds one
    claim at a time: their hold on any other claim ends here. Race-safe twice over: the article
    lock serialises holds and verdicts of one article, and the hold row is taken over only by a
    compare-and-set (still mine, or expired) or created under the one-hold-per-claim constraint.
    """
    with transaction.atomic():
        article = lock_article(claim.article_id)
        claim = Claim.objects.get(pk=claim.pk)
        check_reviewable(article, claim, by=by, verdict=False)
        now = timezone.now()
        expires = now + dt.timedelta(seconds=settings.REVIEW_HOLD_SECONDS)
        current = ClaimHold.objects.filter(claim=claim).select_related("holder").first()
        if current is not None and current.holder_id != by.pk and current.is_active(now):
            raise ClaimHeld(current)
        ClaimHold.objects.filter(holder=by).exclude(claim=claim).delete()
        if current is None:
            try:
                with transaction.atomic():
                    return ClaimHold.objects.create(
                        claim=claim, holder=by, taken_at=now, expires_at=expires
                    )
            except IntegrityError:
                # Someone created the row between our read and our insert (possible only without
                # a real row lock, e.g. a database where select_for_update is a no-op).
                raise ClaimHeld(
                    ClaimHold.objects.select_related("holder").get(claim=claim)
                ) from None
        if current.holder_id == by.pk:
            changed = ClaimHold.objects.filter(pk=current.pk, holder=by).update(expires_at=expires)
        else:
            changed = (
                ClaimHold.objects.filter(pk=current.pk, holder_id=current.holder_id)
                .filter(expires_at__lte=now)
                .update(holder=by, taken_at=now, expires_at=expires)
            )
        if changed != 1:
            raise ClaimHeld(ClaimHold.objects.select_related("holder").get(claim=claim))
        return ClaimHold.objects.select_related("holder").get(pk=current.pk)


def release_claim(claim: Claim, *, by) -> bool:
    """End `by`'s hold on `claim` (closing it without a verdict). Another reviewer's hold is left
    alone. Returns whether a hold ended."""
    deleted, _ = ClaimHold.objects.filter(claim_id=claim.pk, holder_id=by.pk).delete()
    return deleted > 0


# --- Assignments and due times ------------------------------------------------------------------


def _check_assignment(article: Article, *, reviewer, by) -> None:
    if not permissions.is_chief(by):
        raise PermissionDenied("Only a chief editor can assign articles to reviewers.")
    if article.status == Article.Status.PUBLISHED:
        raise InvalidTransition("A published article is not reviewed any more.")


def assign_article(article: Article, *, reviewer, by) -> Assignment:
    """A chief editor gives `article` to `reviewer`: it comes first in their queue, with a badge.

    The assignee must be a reviewer and not the author (four-eyes). Assigning twice is harmless
    (the existing assignment is returned, no second history row).
    """
    with transaction.atomic():
        article = lock_article(article)
        _check_assignment(article, reviewer=reviewer, by=by)
        if not permissions.is_reviewer(reviewer):
            raise ValidationError({"reviewer": [f"{short_name(reviewer)} is not a reviewer."]})
        if reviewer.pk == article.author_id:
            raise ValidationError(
                {"reviewer": [f"{short_name(reviewer)} wrote this article (four-eyes)."]}
            )
        assignment, created = Assignment.objects.get_or_create(
            article=article, reviewer=reviewer, defaults={"assigned_by": by}
        )
        if created:
            log_event(
                article,
                by=by,
                kind=ArticleEvent.Kind.ASSIGNED,
                note=f"Assigned to {short_name(reviewer)}.",
            )
    return assignment


def unassign_article(article: Article, *, reviewer, by) -> bool:
    """Take `article` back from `reviewer`. Returns whether there was an assignment to remove."""
    with transaction.atomic():
        article = lock_article(article)
        _check_assignment(article, reviewer=reviewer, by=by)
        deleted, _ = Assignment.objects.filter(article=article, reviewer=reviewer).delete()
        if deleted:
            log_event(
                article,
                by=by,
                kind=ArticleEvent.Kind.UNASSIGNED,
                note=f"No longer assigned to {short_name(reviewer)}.",
            )
    return bool(deleted)


def set_publish_by(article: Article, *, by, publish_by: dt.datetime | None) -> Article:
    """Set (or clear) when the article is due: the review queue shows articles due sooner first.
    For whoever may edit the article, while it is unpublished; the change goes into the history."""
    with transaction.atomic():
        article = lock_editable_article(article, by=by)
        if article.publish_by == publish_by:
            return article
        article.publish_by = publish_by
        article.save(update_fields=["publish_by", "updated_at"])
        if publish_by is None:
            note = "Publish-by time removed."
        else:
            # In the zone of whoever set it, labelled, so the history row is unambiguous.
            note = f"Publish by {times.when(publish_by)}."
        log_event(article, by=by, kind=ArticleEvent.Kind.EDITED, note=note)
    return article

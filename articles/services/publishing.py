"""Publication: in review → published, through the gate (`Article.gate()`), now or at a scheduled
time (beat: `publish_due_articles`); a correction of a published article published again with its
note (`publish_correction`); and published → withdrawn (`unpublish_article`). The gate and
the article's status belong to the articles app; review supplies the verdicts the gate counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from articles import permissions
from articles.models import Article, ArticleEvent, ExtractionJob, Gate
from articles.services.common import InvalidTransition, change_status, lock_article, log_event
from articles.text import has_visible_text

REASON_INVISIBLE = "The reason has no visible text: say why the article may go out."


class GateClosed(InvalidTransition):
    """Publishing was refused by the gate; `gate` says why."""

    def __init__(self, gate: Gate, message: str | None = None) -> None:
        self.gate = gate
        super().__init__(message or f"Cannot publish yet: {gate.reason}")


def publish_article(article: Article, *, by, override_reason: str = "") -> Article:
    """in review → published, when every claim is verified.

    With `override_reason`, a chief editor may publish over unverified claims (never over pending
    ones); the reason goes into the history as an override row. A scheduled publication is
    cleared by the publish (whoever publishes). A correction of a published article is published
    with its note instead (`publish_correction`).
    """
    override_reason = _clean_override_reason(override_reason)
    with transaction.atomic():
        article = lock_article(article)
        if article.correction_open:
            _check_publishable(article, by)
            raise InvalidTransition(
                "This article was published before: publish the correction with a correction note."
            )
        _publish(article, by=by, override_reason=override_reason)
    return article


def publish_correction(article: Article, *, by, note: str, override_reason: str = "") -> Article:
    """Ends a correction round: in review → published again, through the same gate as
    `publish_article` (every claim of the corrected text verified; a chief editor's override over
    unverified ones). `note` is the public correction note (required, visible text): it goes into
    a `corrected` history row, which the API lists as the article's corrections and webhooks send
    as `article.corrected`. The corrected revision becomes the published one."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": ["Give the correction note readers will see."]})
    if not has_visible_text(note):
        raise ValidationError({"note": ["The correction note has no visible text."]})
    override_reason = _clean_override_reason(override_reason)
    with transaction.atomic():
        article = lock_article(article)
        if not article.correction_open:
            _check_publishable(article, by)
            raise InvalidTransition("This article has no correction in progress.")
        _publish(article, by=by, override_reason=override_reason, correction_note=note)
    return article


def _clean_override_reason(override_reason: str) -> str:
    override_reason = override_reason.strip()
    if override_reason and not has_visible_text(override_reason):
        # U+200B and friends: a reason nobody can read is no reason.
        raise ValidationError({"override_reason": [REASON_INVISIBLE]})
    return override_reason


def _check_publishable(article: Article, by) -> None:
    if not permissions.can_publish_article(by, article):
        raise PermissionDenied("You may not publish this article.")


def _publish(article: Article, *, by, override_reason: str, correction_note: str = "") -> None:
    """The gate and the transition, for a locked article (the callers' shared part)."""
    _check_publishable(article, by)
    if article.status == Article.Status.PUBLISHED:
        raise InvalidTransition("This article is already published.")
    if article.status != Article.Status.IN_REVIEW:
        raise InvalidTransition(
            f"Only an article in review can be published "
            f"(it is {article.get_status_display().lower()})."
        )
    gate = article.gate()
    if gate.is_open:
        note = ""
    elif override_reason and gate.overridable:
        if not permissions.can_override_gate(by, article):
            raise PermissionDenied("Only a chief editor can publish over unverified claims.")
        note = override_reason
    else:
        raise GateClosed(gate)
    if note:
        log_event(
            article,
            by=by,
            kind=ArticleEvent.Kind.OVERRIDE,
            note=f"Published over {gate.unverified} unverified claim(s): {note}",
        )
    if correction_note:
        log_event(article, by=by, kind=ArticleEvent.Kind.CORRECTED, note=correction_note)
    article.publish_at = None
    article.publish_scheduled_by = None
    article.published_revision = article.revisions.order_by("-number").first()
    change_status(
        article,
        Article.Status.PUBLISHED,
        by=by,
        note=note,
        also_save=("publish_at", "publish_scheduled_by", "published_revision"),
        # A correction keeps the time of the publication it corrects (the Desk's time to
        # publication, the ClaimReview dates); its own time is its `corrected` row's.
        keep_published_at=bool(correction_note),
    )


# --- Scheduled publication ----------------------------------------------------------------------

REASON_REQUIRED = "Give a reason: it is kept in the history and shown to the desk."


def schedule_publication(article: Article, *, by, at: dt.datetime) -> Article:
    """Ask beat to publish the article at `at` (an embargo). Only an article in review whose gate
    is open (every claim verified: no override) may be scheduled, by whoever may publish it. A new
    time replaces the old one. Appends a SCHEDULED row (note: the time, ISO 8601 in UTC).

    The scheduler publishes as `by` (`publish_due_articles`), so the rights are asked again then."""
    if timezone.is_naive(at):
        raise ValidationError({"publish_at": ["Give the time with its offset or time zone."]})
    if at <= timezone.now():
        raise ValidationError({"publish_at": ["The time must be in the future."]})
    with transaction.atomic():
        article = lock_article(article)
        if not permissions.can_schedule_publication(by, article):
            raise PermissionDenied("You may not publish this article.")
        if article.status != Article.Status.IN_REVIEW:
            raise InvalidTransition(
                f"Only an article in review can be scheduled "
                f"(it is {article.get_status_display().lower()})."
            )
        if article.correction_open:
            raise InvalidTransition(
                "A correction is published by hand, with its correction note: it cannot be "
                "scheduled."
            )
        gate = article.gate()
        if not gate.is_open:
            raise GateClosed(gate, f"Cannot schedule yet: {gate.reason}")
        article.publish_at = at
        article.publish_scheduled_by = by
        article.save(update_fields=["publish_at", "publish_scheduled_by", "updated_at"])
        log_event(
            article,
            by=by,
            kind=ArticleEvent.Kind.SCHEDULED,
            note=at.astimezone(dt.UTC).isoformat(),
        )
    return article


def cancel_schedule(article: Article, *, by) -> Article:
    """Clear the article's scheduled publication (same right as publishing). Appends a
    SCHEDULE_CANCELLED row whose note is the time that was scheduled."""
    with transaction.atomic():
        article = lock_article(article)
        if not permissions.can_schedule_publication(by, article):
            raise PermissionDenied("You may not publish this article.")
        if article.publish_at is None:
            raise InvalidTransition("This article has no scheduled publication.")
        was = article.publish_at
        _clear_schedule(article)
        log_event(
            article,
            by=by,
            kind=ArticleEvent.Kind.SCHEDULE_CANCELLED,
            note=was.astimezone(dt.UTC).isoformat(),
        )
    return article


def _clear_schedule(article: Article) -> None:
    article.publish_at = None
    article.publish_scheduled_by = None
    article.save(update_fields=["publish_at", "publish_scheduled_by", "updated_at"])


@dataclass
class ScheduleRun:
    published: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def due_articles(now: dt.datetime | None = None):
    return Article.objects.filter(publish_at__lte=now or timezone.now()).order_by(
        "publish_at", "id"
    )


def publish_due_articles(*, now: dt.datetime | None = None, limit: int = 100) -> ScheduleRun:
    """Beat's part of scheduled publication: each article whose `publish_at` has come is
    published through `publish_article`, acting as the user who scheduled it. When that is refused
    (the gate closed since: an edit re-extracted, a verdict changed; the article left review; the
    scheduler lost the right), nothing is published: the schedule is cleared and a SCHEDULE_FAILED
    row (actor: none, the system; note: the reason) is appended.

    One transaction per article, under the article lock, re-reading the schedule inside it: two
    runs at once (two workers, a redelivered message) publish each article once, the second finds
    the schedule gone."""
    run = ScheduleRun()
    now = now or timezone.now()
    for pk in list(due_articles(now).values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            article = Article.objects.select_for_update().filter(pk=pk).first()
            if article is None or article.publish_at is None or article.publish_at > now:
                continue  # another run published or failed it, or it was rescheduled
            by = article.publish_scheduled_by
            try:
                with transaction.atomic():
                    publish_article(article, by=by)
            except (InvalidTransition, PermissionDenied) as e:
                reason = _failure_reason(article, e)
                article = lock_article(pk)
                _clear_schedule(article)
                log_event(article, by=None, kind=ArticleEvent.Kind.SCHEDULE_FAILED, note=reason)
                run.failed.append(pk)
            else:
                run.published.append(pk)
    return run


def _failure_reason(article: Article, error: Exception) -> str:
    if isinstance(error, GateClosed):
        return f"The gate closed: {error.gate.reason}"
    if isinstance(error, PermissionDenied):
        return "The person who scheduled it may no longer publish it."
    return str(error)


# --- Unpublishing -------------------------------------------------------------------------------


def unpublish_article(article: Article, *, by, reason: str) -> Article:
    """published → withdrawn, by a chief editor, with a reason (required, visible text). The
    article leaves the public: readers, reviewers and the ClaimReview export no longer see it;
    its author and chief editors still do, and may return it to draft to go through review again.
    Appends an UNPUBLISHED row (from published, to withdrawn, note: the reason), which webhooks
    send as `article.unpublished`."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [REASON_REQUIRED]})
    if not has_visible_text(reason):
        raise ValidationError({"reason": ["The reason has no visible text."]})
    with transaction.atomic():
        article = lock_article(article)
        if not permissions.can_unpublish_article(by, article):
            raise PermissionDenied("Only a chief editor can unpublish an article.")
        if article.status != Article.Status.PUBLISHED and not article.correction_open:
            raise InvalidTransition(
                f"Only a published article can be unpublished "
                f"(it is {article.get_status_display().lower()})."
            )
        from_state = article.status
        # A correction in progress ends with it: its extraction is not applied any more.
        article.extraction_jobs.unfinished().update(
            state=ExtractionJob.State.SUPERSEDED, lease_token=None, finished_at=timezone.now()
        )
        article.status = Article.Status.WITHDRAWN
        article.published_revision = None
        article.save(update_fields=["status", "published_revision", "updated_at"])
        log_event(
            article,
            by=by,
            kind=ArticleEvent.Kind.UNPUBLISHED,
            from_state=from_state,
            to_state=Article.Status.WITHDRAWN,
            note=reason,
        )
    return article

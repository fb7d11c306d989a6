"""Verdicts and the publication gate. Every caller (views, API, admin, tasks) goes through here.

Both functions lock the article row before reading anything, so a verdict and a publish of the same
article never interleave: publishing counts the claims after every earlier verdict has committed,
and a verdict arriving after the publish finds the article published and is refused.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from articles import permissions
from articles.models import Article, ArticleEvent, Claim, Gate
from articles.services import InvalidTransition, change_status, lock_article, log_event

_validate_url = URLValidator(schemes=["http", "https"])


class GateClosed(InvalidTransition):
    """Publishing was refused by the gate; `gate` says why."""

    def __init__(self, gate: Gate, message: str | None = None) -> None:
        self.gate = gate
        super().__init__(message or f"Cannot publish yet: {gate.reason}")


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
    if verdict == Claim.Verdict.VERIFIED and not note.strip() and not evidence_url:
        errors["note"] = ["A verified claim needs an evidence URL or a note."]
    if verdict == Claim.Verdict.UNVERIFIED and not note.strip():
        errors["note"] = ["Say why the claim could not be verified."]
    if errors:
        raise ValidationError(errors)


def record_verdict(
    claim: Claim, *, by, verdict: str, note: str = "", evidence_url: str = ""
) -> Claim:
    """Set a claim's verdict (or change it) and append the history row. The article must be in
    review, the claim current, and the reviewer not the article's author."""
    note, evidence_url = note.strip(), evidence_url.strip()
    validate_verdict(verdict=verdict, note=note, evidence_url=evidence_url)
    with transaction.atomic():
        article = lock_article(claim.article_id)
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        if not permissions.can_review_article(by, article):
            raise PermissionDenied(
                "You cannot judge claims of an article you wrote."
                if article.author_id == by.pk
                else "Only reviewers can record verdicts."
            )
        if article.status != Article.Status.IN_REVIEW:
            raise InvalidTransition(
                f"Verdicts can only be recorded while the article is in review "
                f"(it is {article.get_status_display().lower()})."
            )
        if claim.retired_at is not None:
            raise InvalidTransition("This sentence was removed from the article by an edit.")
        from_state = claim.verdict
        claim.verdict = verdict
        claim.note = note
        claim.evidence_url = evidence_url
        claim.reviewed_by = by
        claim.reviewed_at = timezone.now()
        claim.save(update_fields=["verdict", "note", "evidence_url", "reviewed_by", "reviewed_at"])
        log_event(
            article,
            by=by,
            kind=ArticleEvent.Kind.VERDICT,
            claim=claim,
            from_state=from_state,
            to_state=verdict,
            note=note,
            evidence_url=evidence_url,
        )
    return claim


def publish_article(article: Article, *, by, override_reason: str = "") -> Article:
    """in review → published, when every claim is verified.

    With `override_reason`, a chief editor may publish over unverified claims (never over pending
    ones); the reason goes into the history as an override row.
    """
    override_reason = override_reason.strip()
    with transaction.atomic():
        article = lock_article(article)
        if not permissions.can_publish_article(by, article):
            raise PermissionDenied("You may not publish this article.")
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
        change_status(article, Article.Status.PUBLISHED, by=by, note=note)
    return article

"""Publication: in review → published, through the gate (`Article.gate()`). The gate and the
article's status belong to the articles app; review supplies the verdicts the gate counts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from articles import permissions
from articles.models import Article, ArticleEvent, Gate
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
    ones); the reason goes into the history as an override row.
    """
    override_reason = override_reason.strip()
    if override_reason and not has_visible_text(override_reason):
        # U+200B and friends: a reason nobody can read is no reason.
        raise ValidationError({"override_reason": [REASON_INVISIBLE]})
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

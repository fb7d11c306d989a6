"""What every write shares: the state error, input validation, the article lock, status changes and
the history row."""

from __future__ import annotations

import logging
import re
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from articles import permissions
from articles.models import (
    Article,
    ArticleEvent,
    Claim,
)
from articles.signals import history_appended
from articles.text import normalise_text

logger = logging.getLogger(__name__)


class InvalidTransition(Exception):
    """The article or claim is not in a state that allows this change. `details` are extra fields
    of the API's 409 body (a subclass fills them: the sentence now, for a claim that changed)."""

    details: dict[str, object] = {}


# C0 control characters other than tab, line feed and carriage return; and lone surrogates.
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _forbidden_char_error(value: str) -> str | None:
    match = _FORBIDDEN_CHARS.search(value)
    if match is None:
        return None
    line = value.count("\n", 0, match.start()) + 1
    return f"Contains a control character (U+{ord(match.group()):04X}) on line {line}; remove it."


def clean_article_text(*, title: str, body: str) -> tuple[str, str]:
    """The title and body to store: line endings normalised (`articles.text.normalise_text`),
    then checked (`validate_article_input`, which raises `ValidationError`).

    Every way text enters an article (the browser form, the API with plain text or HTML, the
    admin, the demo loader) goes through `create_article` or `update_article`, and they call this
    first: so no path can skip it, and a browser's `\r\n` never reaches a revision, its hash or
    a diff. Limits count the normalised text (a CRLF is one line break, one character)."""
    title, body = normalise_text(title), normalise_text(body)
    validate_article_input(title=title, body=body)
    return title, body


def validate_article_input(*, title: str, body: str) -> None:
    """The one check of an article's text, shared by the form, the API and the services."""
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors.setdefault("title", []).append("A title is required.")
    elif len(title) > settings.ARTICLE_MAX_TITLE_CHARS:
        errors.setdefault("title", []).append(
            f"At most {settings.ARTICLE_MAX_TITLE_CHARS} characters (it has {len(title):,})."
        )
    if not body.strip():
        errors.setdefault("body", []).append("The article body is empty.")
    elif len(body) > settings.ARTICLE_MAX_BODY_CHARS:
        errors.setdefault("body", []).append(
            f"At most {settings.ARTICLE_MAX_BODY_CHARS:,} characters (it has {len(body):,})."
        )
    for name, value in (("title", title), ("body", body)):
        message = _forbidden_char_error(value)
        if message:
            errors.setdefault(name, []).append(message)
    if errors:
        raise ValidationError(errors)


def log_event(
    article: Article,
    *,
    by,
    kind: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    claim: Claim | None = None,
    evidence_url: str = "",
    source_claim: Claim | None = None,
    claim_text: str = "",
    bulk_id: uuid.UUID | None = None,
    undoes: ArticleEvent | None = None,
) -> ArticleEvent:
    """Append one history row. Call inside the transaction that made the change."""
    event = ArticleEvent.objects.create(
        article=article,
        claim=claim,
        source_claim=source_claim,
        bulk_id=bulk_id,
        undoes=undoes,
        actor=by if by is not None and by.is_authenticated else None,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        note=note,
        evidence_url=evidence_url,
        claim_text=claim_text,
    )
    _announce([event])
    return event


def log_events(events: list[ArticleEvent]) -> None:
    """Append many history rows in one INSERT (the extraction batch's): the same as `log_event`
    for each, in one statement."""
    ArticleEvent.objects.bulk_create(events, batch_size=500)
    _announce(events)


def _announce(events: list[ArticleEvent]) -> None:
    """What follows every appended history row: its log line, and `history_appended` for the
    apps that listen (bulk_create sends no `post_save`, and nothing should rely on it)."""
    for event in events:
        logger.info(
            "article=%s claim=%s actor=%s %s %s->%s",
            event.article_id,
            event.claim_id or "-",
            event.actor_id or "system",
            event.kind,
            event.from_state,
            event.to_state,
        )
    history_appended.send(sender=ArticleEvent, events=events)


def lock_article(article: Article | int) -> Article:
    """Re-read the article row under a write lock (SQLite: the IMMEDIATE transaction is the lock)."""
    pk = article.pk if isinstance(article, Article) else article
    return Article.objects.select_for_update().select_related("author").get(pk=pk)


def lock_editable_article(article: Article | int, *, by) -> Article:
    """The article, locked, once `by` may edit it and it is still unpublished (else the error)."""
    article = lock_article(article)
    if not permissions.can_edit_article(by, article):
        raise PermissionDenied("You may not change this article.")
    if article.status == Article.Status.WITHDRAWN:
        raise InvalidTransition("A withdrawn article cannot be edited: return it to draft first.")
    if not article.is_editable:
        raise InvalidTransition("A published article can no longer be edited.")
    return article


def change_status(
    article: Article,
    to: str,
    *,
    by,
    note: str = "",
    also_save: tuple[str, ...] = (),
    keep_published_at: bool = False,
) -> None:
    """Write a new status (and the fields named in `also_save`, in the same UPDATE) and its history
    row. Only for services, inside their transaction, after their guard has passed: this function
    itself checks nothing. Publishing stamps `published_at`, unless `keep_published_at` (a
    correction keeps the time of the publication it corrects)."""
    from_state = article.status
    article.status = to
    now = timezone.now()
    if to == Article.Status.SUBMITTED and article.submitted_at is None:
        article.submitted_at = now
    if to == Article.Status.PUBLISHED and not (keep_published_at and article.published_at):
        article.published_at = now
    article.save(update_fields=["status", "submitted_at", "published_at", "updated_at", *also_save])
    log_event(
        article, by=by, kind=ArticleEvent.Kind.STATUS, from_state=from_state, to_state=to, note=note
    )

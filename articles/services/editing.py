"""Writing an article: create, edit, submit for review, return to draft."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from articles import permissions
from articles.models import (
    Article,
    ArticleEvent,
    ExtractionJob,
    Revision,
    content_hash,
)

if TYPE_CHECKING:
    pass

from articles.services.common import (
    InvalidTransition,
    change_status,
    clean_article_text,
    lock_article,
    lock_editable_article,
    log_event,
    validate_article_input,
)
from articles.services.jobs import queue_extraction
from articles.text import cited_links_in

logger = logging.getLogger(__name__)

# --- Articles -----------------------------------------------------------------------------------


def create_article(
    *,
    by,
    title: str,
    body: str,
    dateline: dt.date | None = None,
    source_html: str = "",
    source_links: dict[str, str] | None = None,
    cited_links: list[dict] | None = None,
) -> Article:
    """Create a draft owned by `by`. `source_html`/`source_links`: the HTML a feed sent, kept as
    sent (the body converted from it is normalised like any other, `clean_article_text`);
    `cited_links`: its inline links, offsets into `body` as given (moved here with the
    normalisation)."""
    if not permissions.can_create_article(by):
        raise PermissionDenied("Only editors can write articles.")
    cited = cited_links_in(body, cited_links or [])
    title, body = clean_article_text(title=title, body=body)
    with transaction.atomic():
        article = Article.objects.create(
            title=title,
            body=body,
            dateline=dateline,
            author=by,
            source_html=source_html,
            source_links=source_links or {},
            cited_links=cited,
        )
        log_event(article, by=by, kind=ArticleEvent.Kind.CREATED, to_state=article.status)
    return article


def update_article(
    article: Article, *, by, title: str, body: str, dateline: dt.date | None = None
) -> Article:
    """Change title, body or dateline. A draft is simply saved. An article already submitted or in
    review gets a new revision, and a changed body goes back to `submitted` and is re-extracted
    (claims whose sentence did not change keep their verdicts; see `apply_extraction`).

    A published article (its author-editor or a chief editor) opens a correction round: a
    `correction_opened` row, then submitted (body changed: re-extracted) or in review (title or
    dateline only); the published revision stays live until `publish_correction`.

    Title and body are compared after `clean_article_text`: a browser sends the unchanged body
    back with `\r\n` line breaks, and that is not an edit."""
    title, body = clean_article_text(title=title, body=body)
    with transaction.atomic():
        article = lock_article(article)
        correcting = article.status == Article.Status.PUBLISHED
        if not correcting:
            article = lock_editable_article(article, by=by)
        elif not permissions.can_edit_article(by, article):
            raise PermissionDenied("You may not change this article.")
        body_changed = body != article.body
        if not body_changed and title == article.title and dateline == article.dateline:
            return article
        article.title, article.body, article.dateline = title, body, dateline
        article.save(update_fields=["title", "body", "dateline", "updated_at"])
        log_event(
            article,
            by=by,
            kind=ArticleEvent.Kind.EDITED,
            note="Body changed." if body_changed else "Title or dateline changed.",
        )
        if correcting and article.published_revision_id is None:
            # Published before published revisions were kept: the newest one is what is live.
            article.published_revision = article.revisions.order_by("-number").first()
            article.save(update_fields=["published_revision"])
        if article.status != Article.Status.DRAFT:
            revision = _new_revision(article, by=by)
            extracted = article.extracted_revision
            reextract = extracted is None or extracted.body_hash != revision.body_hash
            if reextract:
                queue_extraction(article, revision)
            if correcting:
                # A correction round: the published revision stays live; the edit goes through
                # review (re-extracted when the body changed) until `publish_correction`.
                to = Article.Status.SUBMITTED if reextract else Article.Status.IN_REVIEW
                log_event(
                    article,
                    by=by,
                    kind=ArticleEvent.Kind.CORRECTION_OPENED,
                    from_state=Article.Status.PUBLISHED,
                    to_state=to,
                )
                change_status(article, to, by=by, note="Correction of the published article.")
            elif reextract and article.status == Article.Status.IN_REVIEW:
                change_status(
                    article,
                    Article.Status.SUBMITTED,
                    by=by,
                    note="Re-extracting the edited body.",
                )
    return article


def submit_article(article: Article, *, by) -> ExtractionJob:
    """draft → submitted: store a revision and queue its extraction (enqueued after commit)."""
    with transaction.atomic():
        article = lock_article(article)
        if not permissions.can_submit_article(by, article):
            raise PermissionDenied("You may not submit this article.")
        if article.status != Article.Status.DRAFT:
            raise InvalidTransition(
                f"Only a draft can be submitted; this article is {article.get_status_display().lower()}."
            )
        validate_article_input(title=article.title, body=article.body)
        revision = _new_revision(article, by=by)
        job = queue_extraction(article, revision)
        change_status(article, Article.Status.SUBMITTED, by=by)
    return job


def return_to_draft(article: Article, *, by, note: str = "") -> Article:
    """submitted/in review/withdrawn → draft: the editor takes the article back (a withdrawn one:
    the way back to publication, through review again). Claims and verdicts stay and are matched
    again when it is resubmitted; unfinished extraction is superseded."""
    with transaction.atomic():
        article = lock_article(article)
        if not permissions.can_edit_article(by, article):
            raise PermissionDenied("You may not change this article.")
        if article.status not in (
            Article.Status.SUBMITTED,
            Article.Status.IN_REVIEW,
            Article.Status.WITHDRAWN,
        ):
            raise InvalidTransition(
                "Only a submitted, in review or withdrawn article can go back to draft."
            )
        article.extraction_jobs.unfinished().update(
            state=ExtractionJob.State.SUPERSEDED, lease_token=None, finished_at=timezone.now()
        )
        change_status(article, Article.Status.DRAFT, by=by, note=note)
    return article


def _new_revision(article: Article, *, by) -> Revision:
    last = article.revisions.aggregate(n=Max("number"))["n"] or 0
    return Revision.objects.create(
        article=article,
        number=last + 1,
        title=article.title,
        body=article.body,
        body_hash=content_hash(article.body),
        created_by=by,
    )

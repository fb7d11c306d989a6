"""Writes of a conversation on a claim, one function per action, and the reads the pages share.

Every write runs in one transaction, locks the claim's article row first (as every review write
does, so a comment, a verdict and an edit of the same article never interleave), checks who may
do it (`articles.permissions`), and appends exactly one history row through
`articles.services.log_event`; the comment rows link to that row (docs/conversations.md). None of
them touches a verdict: an open question never changes the gate.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from articles import permissions
from articles.models import Article, ArticleEvent, Claim
from articles.roles import CHIEF, REVIEWER
from articles.services import InvalidTransition, lock_article, log_event
from articles.text import has_visible_text
from review.conversations.mentions import mentioned_usernames
from review.conversations.models import Comment, CommentRevision, Mention
from review.evidence.services import request_snapshots, urls_in

MAX_COMMENT_CHARS = 5000

User = get_user_model()


def clean_body(body: str) -> str:
    """The comment's text, stripped; a ValidationError (field `body`) when it says nothing or is
    too long."""
    body = (body or "").strip()
    if not has_visible_text(body):
        raise ValidationError({"body": ["Write something."]})
    if len(body) > MAX_COMMENT_CHARS:
        raise ValidationError(
            {"body": [f"At most {MAX_COMMENT_CHARS} characters (this has {len(body)})."]}
        )
    return body


def people_who_may_see(article: Article) -> QuerySet:
    """Active users who may open `article` (`permissions.can_view_article` as a query): whom a
    comment on it may mention, and whom the autocomplete offers."""
    people = User.objects.filter(is_active=True)
    if article.status == Article.Status.PUBLISHED:
        return people
    who = Q(pk=article.author_id) | Q(is_superuser=True) | Q(groups__name=CHIEF)
    if article.status in (Article.Status.SUBMITTED, Article.Status.IN_REVIEW):
        who |= Q(groups__name=REVIEWER)
    return people.filter(pk__in=User.objects.filter(who).values("pk"))


def _store_mentions(comment: Comment, article: Article, event: ArticleEvent) -> list[Mention]:
    """Mentions of the people named in `comment.body` who may see the article, added by `event`;
    other names stay plain text and store nothing. Already stored mentions are kept as they were
    (an edit only adds, and only the people it adds are told)."""
    names = mentioned_usernames(comment.body)
    if not names:
        return []
    match = Q()
    for name in names:
        match |= Q(username__iexact=name)
    users = people_who_may_see(article).filter(match).exclude(pk=comment.author_id)
    mentions = [Mention(comment=comment, user=user, event=event) for user in users]
    Mention.objects.bulk_create(mentions, ignore_conflicts=True)
    return mentions


def _archive_links(comment: Comment) -> None:
    """Queue the archiving of the links written in the comment (after commit, like a verdict's
    evidence URL): the claim's evidence list shows them with their snapshots."""
    request_snapshots(urls_in(comment.body))


def _notify(event: ArticleEvent) -> None:
    """Run the notification fan-out for `event` again, now that its comment and mentions exist:
    the run from inside `log_event` came before them (the rules for questions, mentions and
    answers read them). Same transaction; a notification already written is not written twice."""
    from review.notifications.services import fan_out

    fan_out(events=[event])


def _lock(claim: Claim) -> tuple[Article, Claim]:
    article = lock_article(claim.article_id)
    claim = Claim.objects.get(pk=claim.pk)
    claim.article = article
    return article, claim


def add_comment(claim: Claim, *, by, body: str) -> Comment:
    """Append a comment to `claim`'s thread, with its mentions, and a `comment` history row (note =
    the text). A comment by the article's author while a question on the claim is open answers the
    oldest open one (`reply_to`); the question stays open until it is resolved."""
    with transaction.atomic():
        article, claim = _lock(claim)
        if not permissions.can_comment_on_claim(by, claim):
            raise PermissionDenied("Only the author, its reviewers and chiefs can comment here.")
        body = clean_body(body)  # who may write is answered first: a refusal says why
        reply_to = None
        if article.author_id == by.pk:
            reply_to = Comment.objects.filter(claim=claim).open_questions().first()
        event = log_event(article, by=by, kind=ArticleEvent.Kind.COMMENT, claim=claim, note=body)
        comment = Comment.objects.create(
            claim=claim,
            article=article,
            author=by,
            body=body,
            reply_to=reply_to,
            event=event,
            created_at=event.created_at,
        )
        _store_mentions(comment, article, event)
        _archive_links(comment)
        _notify(event)
    return comment


def ask_author(claim: Claim, *, by, body: str) -> Comment:
    """A reviewer's question to the article's author on `claim` ("Ask the author"): an open
    question in the thread and a `question_opened` history row. Only on a current claim of an
    article in review (what the reviewer is judging)."""
    with transaction.atomic():
        article, claim = _lock(claim)
        if not permissions.can_ask_author(by, claim):
            if article.author_id == by.pk:
                raise PermissionDenied("You cannot ask yourself: comment in the thread instead.")
            raise PermissionDenied("Only a reviewer of this article can ask its author.")
        body = clean_body(body)
        if article.status != Article.Status.IN_REVIEW:
            raise InvalidTransition("Questions to the author are asked while it is in review.")
        if claim.retired_at is not None:
            raise InvalidTransition(
                "This sentence was removed by an edit: there is nothing to ask."
            )
        event = log_event(
            article,
            by=by,
            kind=ArticleEvent.Kind.QUESTION_OPENED,
            claim=claim,
            note=body,
            to_state=Comment.QuestionState.OPEN,
        )
        comment = Comment.objects.create(
            claim=claim,
            article=article,
            author=by,
            body=body,
            is_question=True,
            question_state=Comment.QuestionState.OPEN,
            addressee_id=article.author_id,
            event=event,
            created_at=event.created_at,
        )
        _store_mentions(comment, article, event)
        _archive_links(comment)
        _notify(event)
    return comment


def edit_comment(comment: Comment, *, by, body: str, now: dt.datetime | None = None) -> Comment:
    """Replace `comment`'s text, by its author within COMMENT_EDIT_SECONDS: the previous text is
    kept in a `CommentRevision`, a `comment_edited` history row is appended (note = the new text)
    and people newly mentioned are stored and told (the "mention" rule); nobody else is told."""
    with transaction.atomic():
        article = lock_article(comment.article_id)
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        if not permissions.can_view_article(by, article) or comment.author_id != by.pk:
            raise PermissionDenied("Only its author can edit a comment.")
        body = clean_body(body)
        now = now or timezone.now()
        if not comment.editable_by(by, now):
            minutes = settings.COMMENT_EDIT_SECONDS // 60
            raise InvalidTransition(
                f"A comment can be edited for {minutes} minutes after it was written."
            )
        if body == comment.body:
            return comment
        event = log_event(
            article,
            by=by,
            kind=ArticleEvent.Kind.COMMENT_EDITED,
            claim=comment.claim,
            note=body,
        )
        CommentRevision.objects.create(
            comment=comment, body=comment.body, event=event, replaced_at=event.created_at
        )
        comment.body = body
        comment.edited_at = event.created_at
        comment.save(update_fields=["body", "edited_at"])
        _store_mentions(comment, article, event)
        _archive_links(comment)
        _notify(event)
    return comment


def resolve_question(comment: Comment, *, by, note: str = "") -> Comment:
    """Close an open question: by the reviewer who asked or a chief. A `question_resolved` history
    row (note = `note`, optional) is appended and linked from the question. The claim's verdict is
    not touched."""
    note = (note or "").strip()[:MAX_COMMENT_CHARS]
    with transaction.atomic():
        article = lock_article(comment.article_id)
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        if not comment.is_question:
            raise InvalidTransition("This comment is not a question.")
        if not permissions.can_resolve_question(by, asked_by_id=comment.author_id, article=article):
            raise PermissionDenied("Only the reviewer who asked or a chief can resolve it.")
        if comment.question_state != Comment.QuestionState.OPEN:
            raise InvalidTransition("This question is already resolved.")
        event = log_event(
            article,
            by=by,
            kind=ArticleEvent.Kind.QUESTION_RESOLVED,
            claim=comment.claim,
            note=note,
            from_state=Comment.QuestionState.OPEN,
            to_state=Comment.QuestionState.RESOLVED,
        )
        comment.question_state = Comment.QuestionState.RESOLVED
        comment.resolved_by = by
        comment.resolved_at = event.created_at
        comment.resolved_event = event
        comment.save(
            update_fields=["question_state", "resolved_by", "resolved_at", "resolved_event"]
        )
    return comment


# --- Reads ---------------------------------------------------------------------------------------


def thread(claim: Claim) -> QuerySet[Comment]:
    """`claim`'s comments, oldest first, with their authors, resolvers and mentioned people (two
    queries however many comments: the comments with their people, then the mentions with
    theirs)."""
    return (
        Comment.objects.filter(claim=claim)
        .select_related("author", "resolved_by")
        .prefetch_related(Prefetch("mentions", queryset=Mention.objects.select_related("user")))
        .order_by("created_at", "id")
    )


def needs_answer(user) -> QuerySet[Comment]:
    """Open questions on articles `user` wrote (and may still see), oldest first, with their
    claim, article and asker (one query): the dashboard's "Needs your answer"."""
    return (
        Comment.objects.open_questions()
        .filter(article__author_id=user.pk)
        .visible_to(user)
        .select_related("claim", "article", "author")
        .order_by("created_at", "id")
    )

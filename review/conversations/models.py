"""The rows of a conversation on a claim. Imported by `review.models`: the tables and their
migrations are review's.

A `Comment` belongs to one claim (one flat thread per claim, oldest first) and keeps the claim's
article (copied, so that every list filters by the articles the reader may see in one join). A
question ("Ask the author") is a comment with `is_question` set: it is `open` until the reviewer
who asked (or a chief) resolves it. Comments are never deleted; an edit keeps the previous text in
a `CommentRevision`. A `Mention` is stored only for a person who may see the article.

Each write appends one history row (`articles.models.ArticleEvent`) and the rows link to it, so a
notification rule can go from the event to the people concerned (docs/conversations.md).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from articles.models import Article, ArticleEvent, Claim

# The history rows a conversation writes (its thread shows them; a claim's verdict history not).
CONVERSATION_KINDS = (
    ArticleEvent.Kind.COMMENT,
    ArticleEvent.Kind.COMMENT_EDITED,
    ArticleEvent.Kind.QUESTION_OPENED,
    ArticleEvent.Kind.QUESTION_RESOLVED,
)


class CommentQuerySet(models.QuerySet["Comment"]):
    def visible_to(self, user) -> CommentQuerySet:
        return self.filter(article__in=Article.objects.visible_to(user))

    def open_questions(self) -> CommentQuerySet:
        return self.filter(is_question=True, question_state=Comment.QuestionState.OPEN)


class Comment(models.Model):
    class QuestionState(models.TextChoices):
        NONE = "", "—"
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="comments")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claim_comments"
    )
    body = models.TextField()
    is_question = models.BooleanField(default=False)
    question_state = models.CharField(
        max_length=10, choices=QuestionState.choices, blank=True, default=""
    )
    # A question is addressed to the article's author as it was when asked.
    addressee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A comment by the article's author while a question is open answers the oldest open one.
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The history row written with the comment (kind `comment` or `question_opened`) and, for a
    # resolved question, the one written when it was resolved. History rows go only with their
    # article, and the conversation with them.
    event = models.OneToOneField(ArticleEvent, on_delete=models.CASCADE, related_name="comment")
    resolved_event = models.OneToOneField(
        ArticleEvent,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="resolved_question",
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["claim", "created_at"], name="comment_claim_time_idx"),
            models.Index(fields=["article", "question_state"], name="comment_article_question_idx"),
        ]
        constraints = [
            # A question has a state and an addressee; a plain comment has neither.
            models.CheckConstraint(
                condition=(
                    Q(is_question=True, question_state__in=["open", "resolved"])
                    & Q(addressee__isnull=False)
                )
                | Q(is_question=False, question_state="", addressee__isnull=True),
                name="comment_question_state_valid",
            ),
            # Resolved exactly when it says who resolved it, and when.
            models.CheckConstraint(
                condition=(
                    Q(question_state="resolved")
                    & Q(resolved_by__isnull=False, resolved_at__isnull=False)
                    & Q(resolved_event__isnull=False)
                )
                | (
                    ~Q(question_state="resolved")
                    & Q(resolved_by__isnull=True, resolved_at__isnull=True)
                    & Q(resolved_event__isnull=True)
                ),
                name="comment_resolved_has_who_and_when",
            ),
            models.CheckConstraint(condition=~Q(body=""), name="comment_body_not_empty"),
        ]

    def __str__(self) -> str:
        kind = "question" if self.is_question else "comment"
        return f"{kind} {self.pk} on claim {self.claim_id}"

    @property
    def is_open_question(self) -> bool:
        return self.is_question and self.question_state == self.QuestionState.OPEN

    def edit_deadline(self) -> dt.datetime:
        return self.created_at + dt.timedelta(seconds=settings.COMMENT_EDIT_SECONDS)

    def editable_by(self, user, now: dt.datetime | None = None) -> bool:
        """Its author, within COMMENT_EDIT_SECONDS of writing it."""
        return self.author_id == user.pk and (now or timezone.now()) < self.edit_deadline()


class CommentRevision(models.Model):
    """The text a comment had before an edit: edits never lose what was written."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    # The `comment_edited` history row of the edit that replaced this text.
    event = models.OneToOneField(
        ArticleEvent, on_delete=models.CASCADE, related_name="comment_revision"
    )
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["replaced_at", "id"]

    def __str__(self) -> str:
        return f"comment {self.comment_id} before {self.replaced_at:%H:%M:%S}"


class Mention(models.Model):
    """`user` is mentioned in `comment` and may see its article (others are not stored)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claim_mentions"
    )
    # The history row that added the mention: the comment's (or question's) own row, or the
    # `comment_edited` row of the edit that named the person first. The "mention" notification
    # rule goes from a row to exactly the people it newly mentioned.
    event = models.ForeignKey(
        ArticleEvent, on_delete=models.CASCADE, related_name="mentions", null=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="mention_comment_user_unique")
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} in comment {self.comment_id}"

"""API serializers of conversations: separate inputs (create, edit, resolve) and the output."""

from __future__ import annotations

import datetime as dt

from rest_framework import serializers

from articles.serializers import RefuseReadOnlyMixin, TextField, UserSerializer
from review.conversations.models import Comment
from review.conversations.services import MAX_COMMENT_CHARS

_READ_ONLY = {
    "author": "Read-only: the author is the caller.",
    "question_state": "Read-only: a question opens with `question: true` and closes with "
    "`/resolve`.",
    "mentions": "Read-only: write `@username` in the body.",
}


class CommentInputSerializer(RefuseReadOnlyMixin, serializers.Serializer):
    read_only_inputs = _READ_ONLY

    body = TextField(
        max_length=MAX_COMMENT_CHARS,
        help_text="Plain text (never rendered as HTML). `@username` mentions someone who may "
        "see the article.",
    )
    question = serializers.BooleanField(
        required=False,
        default=False,
        help_text='true: ask the article\'s author ("Ask the author"; reviewers of the '
        "article only). The question stays open until the asker or a chief resolves it.",
    )


class CommentEditSerializer(RefuseReadOnlyMixin, serializers.Serializer):
    read_only_inputs = {**_READ_ONLY, "question": "A comment cannot become a question."}

    body = TextField(max_length=MAX_COMMENT_CHARS)


class ResolveInputSerializer(serializers.Serializer):
    note = TextField(required=False, allow_blank=True, default="", max_length=MAX_COMMENT_CHARS)


class CommentSerializer(serializers.ModelSerializer):
    author = UserSerializer()
    addressee = UserSerializer(allow_null=True)
    resolved_by = UserSerializer(allow_null=True)
    mentions = serializers.SerializerMethodField()
    editable_until = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "claim",
            "author",
            "body",
            "is_question",
            "question_state",
            "addressee",
            "reply_to",
            "mentions",
            "created_at",
            "edited_at",
            "editable_until",
            "resolved_by",
            "resolved_at",
        ]

    def get_mentions(self, comment: Comment) -> list[str]:
        return sorted(mention.user.get_username() for mention in comment.mentions.all())

    def get_editable_until(self, comment: Comment) -> dt.datetime:
        return comment.edit_deadline()

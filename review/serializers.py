"""API serializers of review: verdict and reuse inputs, the review queue and reuse suggestions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.models import Article, Claim
from articles.serializers import (
    ClaimSerializer,
    GateSerializer,
    RefuseReadOnlyMixin,
    TextField,
    UserSerializer,
    gate_data,
)

# --- Inputs -------------------------------------------------------------------------------------


def judged_field() -> TextField:
    """The version of the claim's sentence the verdict is about: the claim's `version` as the
    client read it. Required: a verdict that does not say what it judged is refused (400), one on
    a sentence changed since is refused (409, with the new text and version)."""
    return TextField(
        max_length=64,
        help_text="The claim's `version` (from `GET /claims/{id}` or the review queue) as you "
        "read it. If the sentence changed since, the verdict is refused with 409 and the "
        "current text and version.",
        error_messages={
            "required": "Say which version of the sentence you judged: send the claim's "
            "`version` as `judged`.",
            "blank": "Say which version of the sentence you judged: send the claim's "
            "`version` as `judged`.",
        },
    )


class VerdictInputSerializer(RefuseReadOnlyMixin, serializers.Serializer):
    """verified needs an evidence URL or a note; unverified needs a note (checked by the service,
    which answers 400 with the field)."""

    read_only_inputs = {
        "reviewed_by": "Read-only: the reviewer is the caller.",
        "reviewed_at": "Read-only: set when the verdict is recorded.",
    }

    verdict = serializers.ChoiceField(
        choices=[Claim.Verdict.VERIFIED, Claim.Verdict.UNVERIFIED],
        help_text="verified or unverified.",
    )
    judged = judged_field()
    note = TextField(
        required=False, allow_blank=True, default="", max_length=5000, trim_whitespace=False
    )
    evidence_url = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="A full http:// or https:// address.",
    )


class ReuseInputSerializer(serializers.Serializer):
    source = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text="The id of a claim in another article whose verdict to reuse (see "
        "`/claims/{id}/suggestions`).",
    )
    judged = judged_field()


# --- Outputs ------------------------------------------------------------------------------------


class ClaimChangedErrorSerializer(serializers.Serializer):
    """409 from a verdict whose `judged` is not the claim's version: the sentence changed since
    the client read it. Nothing was recorded; `text` and `version` are the sentence now."""

    detail = serializers.CharField()
    claim = serializers.IntegerField(required=False, help_text="The claim's id.")
    text = serializers.CharField(required=False, help_text="The claim's sentence now.")
    version = serializers.CharField(
        required=False, help_text="Its version: send it as `judged` to judge it."
    )


class QueueArticleSerializer(serializers.ModelSerializer):
    author = UserSerializer(read_only=True)
    gate = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = ["id", "title", "author", "dateline", "submitted_at", "gate"]
        read_only_fields = fields

    @extend_schema_field(GateSerializer)
    def get_gate(self, article: Article) -> dict[str, Any]:
        return gate_data(article.gate())


class ReviewQueueItemSerializer(serializers.Serializer):
    """One article of the caller's queue and its claims awaiting them."""

    article = serializers.SerializerMethodField()
    claims = serializers.SerializerMethodField()

    @extend_schema_field(QueueArticleSerializer)
    def get_article(self, article: Article) -> dict[str, Any]:
        return QueueArticleSerializer(article).data

    @extend_schema_field(ClaimSerializer(many=True))
    def get_claims(self, article: Article) -> list[dict[str, Any]]:
        return ClaimSerializer(article.awaiting_claims, many=True).data


class ReuseSuggestionSerializer(serializers.Serializer):
    """A claim of another article that states the same fact and carries a verdict."""

    source = serializers.IntegerField(source="source_id", help_text="The other claim's id.")
    exact = serializers.BooleanField(
        help_text="The same sentence after normalising white space, quotes and case."
    )
    similarity = serializers.FloatField(
        help_text="Share of content words in common (1.0 for an exact match); a near-duplicate "
        "never differs in a number, date, name or negation."
    )
    article = serializers.IntegerField(source="source.article_id")
    article_title = serializers.CharField(source="source.article.title")
    text = serializers.CharField(source="source.text")
    verdict = serializers.CharField(source="source.verdict")
    note = serializers.CharField(source="source.note")
    evidence_url = serializers.CharField(source="source.evidence_url", help_text="A URL, or empty.")
    reviewed_by = serializers.CharField(source="source.reviewed_by.username")
    reviewed_at = serializers.DateTimeField(source="source.reviewed_at")

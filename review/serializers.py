"""API serializers of review: verdict and override inputs, the review queue, the gate error, and
the schema.org ClaimReview export."""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.urls import reverse
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
from articles.services import REASON_INVISIBLE
from articles.text import has_visible_text

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


class OverrideInputSerializer(serializers.Serializer):
    reason = TextField(
        max_length=2000,
        help_text="Why the article may go out over its unverified claims (kept in the history). "
        "Must contain visible text: only invisible characters (U+200B...) are refused.",
    )

    def validate_reason(self, value: str) -> str:
        if not has_visible_text(value):
            raise serializers.ValidationError(REASON_INVISIBLE)
        return value


# --- Outputs ------------------------------------------------------------------------------------


class GateCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    pending = serializers.IntegerField()
    unverified = serializers.IntegerField()


class ClaimChangedErrorSerializer(serializers.Serializer):
    """409 from a verdict whose `judged` is not the claim's version: the sentence changed since
    the client read it. Nothing was recorded; `text` and `version` are the sentence now."""

    detail = serializers.CharField()
    claim = serializers.IntegerField(required=False, help_text="The claim's id.")
    text = serializers.CharField(required=False, help_text="The claim's sentence now.")
    version = serializers.CharField(
        required=False, help_text="Its version: send it as `judged` to judge it."
    )


class GateClosedErrorSerializer(serializers.Serializer):
    """409 from publish/override: the state does not allow it, or the gate refuses (then `gate`
    says what is still open)."""

    detail = serializers.CharField()
    gate = GateCountsSerializer(required=False)


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


# --- ClaimReview (schema.org JSON-LD) -----------------------------------------------------------

# A two-step scale: the newsroom says verified or could not verify, nothing finer.
RATINGS = {
    Claim.Verdict.VERIFIED: (2, "Verified"),
    Claim.Verdict.UNVERIFIED: (1, "Unverified"),
}


def _typed(type_name: str, **fields: serializers.Field) -> type[serializers.Serializer]:
    """A serializer (for the schema) whose fields may be named `@type`, `@context`..."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {"@type": serializers.CharField(help_text=f'"{type_name}"'), **copy.deepcopy(fields)}

    return type(f"{type_name}JsonLd", (serializers.Serializer,), {"get_fields": get_fields})


RatingSchema = _typed(
    "Rating",
    ratingValue=serializers.IntegerField(help_text="2 verified, 1 unverified."),
    bestRating=serializers.IntegerField(),
    worstRating=serializers.IntegerField(),
    alternateName=serializers.CharField(help_text="Verified or Unverified."),
)
OrganizationSchema = _typed(
    "Organization", name=serializers.CharField(), url=serializers.URLField()
)
AppearanceSchema = _typed(
    "NewsArticle",
    headline=serializers.CharField(),
    url=serializers.URLField(),
    datePublished=serializers.CharField(
        required=False, help_text="When the article was published."
    ),
)
ClaimSchema = _typed(
    "Claim",
    appearance=AppearanceSchema(),
    firstAppearance=AppearanceSchema(required=False),
)
ClaimReviewSchema = _typed(
    "ClaimReview",
    claimReviewed=serializers.CharField(),
    reviewRating=RatingSchema(),
    author=OrganizationSchema(),
    datePublished=serializers.DateField(help_text="When the verdict was recorded."),
    url=serializers.URLField(help_text="The article's page."),
    itemReviewed=ClaimSchema(),
)


class ClaimReviewDocumentSerializer(serializers.Serializer):
    """`{"@context": "https://schema.org", "@graph": [ClaimReview, ...]}`."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "@context": serializers.CharField(help_text='"https://schema.org"'),
            "@graph": ClaimReviewSchema(many=True),
        }


def claim_review_document(article: Article, claims: list[Claim], *, build_url) -> dict[str, Any]:
    """The ClaimReview JSON-LD of `article`'s reviewed claims. `build_url(path)` makes a path
    absolute (the request's host)."""
    page = build_url(reverse("articles:detail", args=[article.pk]))
    appearance: dict[str, Any] = {"@type": "NewsArticle", "headline": article.title, "url": page}
    published = article.published_at.date() if article.published_at else article.dateline
    if published:
        appearance["datePublished"] = published.isoformat()
    organization = {
        "@type": "Organization",
        "name": settings.NEWSROOM_ORGANIZATION_NAME,
        "url": settings.NEWSROOM_ORGANIZATION_URL,
    }
    graph = []
    for claim in claims:
        value, name = RATINGS[claim.verdict]
        graph.append(
            {
                "@type": "ClaimReview",
                "claimReviewed": claim.text,
                "reviewRating": {
                    "@type": "Rating",
                    "ratingValue": value,
                    "bestRating": 2,
                    "worstRating": 1,
                    "alternateName": name,
                },
                "author": organization,
                "datePublished": claim.reviewed_at.date().isoformat(),
                "url": page,
                "itemReviewed": {
                    "@type": "Claim",
                    "appearance": appearance,
                    "firstAppearance": appearance,
                },
            }
        )
    return {"@context": "https://schema.org", "@graph": graph}

"""API serializers of articles, claims and extraction jobs, the publish/override inputs and gate
error, and the schema.org ClaimReview export of an article's reviewed claims.

Output serializers describe rows; input serializers are small and only carry what one service
takes. Status and verdict are read-only everywhere: they change only through the POST actions,
which call the services (an input naming them is refused with 400, so a client learns why).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.forms import article_text_field
from articles.models import (
    EXTRACTED_STATUSES,
    Article,
    ArticleEvent,
    Claim,
    ExtractionJob,
    Gate,
    ImageCredit,
    RelatedLink,
    Section,
)
from articles.people import display_name, name_of
from articles.text import has_visible_text

# --- Errors (documentation of what the exception handler in articles/rest.py returns) ----------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words.")


class ValidationErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="A summary of the field errors.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field; `non_field_errors` for the request as a whole.",
    )


# --- Inputs -------------------------------------------------------------------------------------


class GateCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    pending = serializers.IntegerField()
    unverified = serializers.IntegerField()


class GateClosedErrorSerializer(serializers.Serializer):
    """409 from publish/override: the state does not allow it, or the gate refuses (then `gate`
    says what is still open)."""

    detail = serializers.CharField()
    gate = GateCountsSerializer(required=False)


class TextField(serializers.CharField):
    """A string, and only a string: DRF's CharField would turn 12 into "12"; a client sending a
    number where text belongs has made a mistake worth a 400."""

    default_error_messages = {"not_a_string": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class ArticleTextSerializerField(TextField):
    """An article's title or body: NUL is left to the service's control-character rule, which
    names the line (`articles.forms.article_text_field`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        article_text_field(self)


# --- Read-only fields refused on input ----------------------------------------------------------


class RefuseReadOnlyMixin:
    """Refuse (400) fields that are read-only in the API instead of silently ignoring them."""

    read_only_inputs: dict[str, str] = {}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            errors = {
                name: [message] for name, message in self.read_only_inputs.items() if name in data
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


STATUS_READ_ONLY = (
    "Read-only: the status changes only through the actions "
    "(submit, return-to-draft, publish, override)."
)


# --- Parts --------------------------------------------------------------------------------------


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return display_name(user)


class GateSerializer(serializers.Serializer):
    """Why the article can or cannot be published, in numbers and in words."""

    total = serializers.IntegerField()
    pending = serializers.IntegerField()
    unverified = serializers.IntegerField()
    verified = serializers.IntegerField()
    extracted = serializers.BooleanField()
    is_open = serializers.BooleanField()
    overridable = serializers.BooleanField(
        help_text="Only unverified claims block it: a chief editor may publish with a reason."
    )
    reason = serializers.CharField()


def gate_data(gate: Gate) -> dict[str, Any]:
    return {
        "total": gate.total,
        "pending": gate.pending,
        "unverified": gate.unverified,
        "verified": gate.verified,
        "extracted": gate.extracted,
        "is_open": gate.is_open,
        "overridable": gate.overridable,
        "reason": gate.reason,
    }


class ClaimSerializer(serializers.ModelSerializer):
    article = serializers.IntegerField(source="article_id", read_only=True)
    reviewed_by = serializers.CharField(
        source="reviewed_by.username", read_only=True, allow_null=True, default=None
    )
    # Plain strings in the schema: empty when unset, which a "uri" format or the enum would refuse.
    evidence_url = serializers.CharField(read_only=True, help_text="A URL, or empty.")
    previous_verdict = serializers.CharField(
        read_only=True, help_text="The verdict before an edit changed the sentence, or empty."
    )
    checkworthiness = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="How worth checking the sentence is, 0 to 1: a model's hint for ordering, never "
        "a verdict. Null until the background analysis has scored it.",
    )
    checkworthiness_model = serializers.CharField(
        read_only=True, help_text="The model version that gave the score, or empty."
    )
    version = serializers.CharField(
        source="text_sha",
        read_only=True,
        help_text="The version of `text` (16 hex digits): a verdict names it as `judged`, and is "
        "refused (409) if the sentence changed since.",
    )
    reused_from = serializers.IntegerField(
        source="reused_from_id",
        read_only=True,
        allow_null=True,
        help_text="The claim of another article whose verdict this one reused, or null.",
    )

    class Meta:
        model = Claim
        fields = [
            "id",
            "article",
            "ordinal",
            "text",
            "version",
            "start",
            "end",
            "section",
            "verdict",
            "note",
            "evidence_url",
            "reviewed_by",
            "reviewed_at",
            "previous_text",
            "previous_verdict",
            "retired_at",
            "extractor_version",
            "checkworthiness",
            "checkworthiness_model",
            "reused_from",
        ]
        read_only_fields = fields


class RelatedLinkSerializer(serializers.ModelSerializer):
    url = serializers.CharField(
        read_only=True, help_text="A URL, or empty when the feed gave none."
    )

    class Meta:
        model = RelatedLink
        fields = ["ordinal", "label", "title", "url", "start", "end"]
        read_only_fields = fields


class ImageCreditSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImageCredit
        fields = ["text", "source"]
        read_only_fields = fields


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["ordinal", "label", "start"]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.username", read_only=True, allow_null=True, default=None
    )
    claim = serializers.IntegerField(source="claim_id", read_only=True, allow_null=True)
    evidence_url = serializers.CharField(read_only=True, help_text="A URL, or empty.")

    class Meta:
        model = ArticleEvent
        fields = [
            "id",
            "kind",
            "actor",
            "claim",
            "from_state",
            "to_state",
            "note",
            "evidence_url",
            "created_at",
        ]
        read_only_fields = fields


class ExtractionJobSerializer(serializers.ModelSerializer):
    article = serializers.IntegerField(source="article_id", read_only=True)
    revision = serializers.IntegerField(source="revision.number", read_only=True)

    class Meta:
        model = ExtractionJob
        fields = [
            "id",
            "article",
            "revision",
            "state",
            "attempts",
            "extractor_version",
            "last_error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


# --- Articles -----------------------------------------------------------------------------------


def iso_datetime(value: dt.datetime | None, tz: dt.tzinfo | None = None) -> str | None:
    """What DRF's DateTimeField writes (current time zone, ISO 8601, `Z` for UTC), done directly."""
    if value is None:
        return None
    text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class ArticleListSerializer(serializers.ModelSerializer):
    """One row of the article list: no text, with the gate."""

    # The fields below are the contract (and the schema). The list reads plain values (`COLUMNS`,
    # plus `claims_total`/`claims_pending`/`claims_unverified`) and `to_representation` writes the
    # same fields directly: the list is the API's hottest path, and model instances and DRF's
    # per-field machinery cost more than the rest of the request (benchmarks/api.py).

    COLUMNS = (
        "id",
        "title",
        "status",
        "dateline",
        "created_at",
        "updated_at",
        "submitted_at",
        "published_at",
        "author_id",
        "author__username",
        "author__first_name",
        "author__last_name",
    )

    author = UserSerializer(read_only=True)
    gate = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "status",
            "dateline",
            "author",
            "gate",
            "created_at",
            "updated_at",
            "submitted_at",
            "published_at",
        ]
        read_only_fields = fields

    @extend_schema_field(GateSerializer)
    def get_gate(self, row: dict[str, Any]) -> dict[str, Any]:
        return gate_data(self._gate(row))

    @staticmethod
    def _gate(row: dict[str, Any]) -> Gate:
        return Gate.of_counts(row, extracted=row["status"] in EXTRACTED_STATUSES)

    def to_representation(self, row: dict[str, Any]) -> dict[str, Any]:
        tz = self.context.setdefault("tz", timezone.get_current_timezone())
        return {
            "id": row["id"],
            "title": row["title"],
            "status": row["status"],
            "dateline": row["dateline"].isoformat() if row["dateline"] else None,
            "author": {
                "id": row["author_id"],
                "username": row["author__username"],
                "name": name_of(
                    row["author__first_name"], row["author__last_name"], row["author__username"]
                ),
            },
            "gate": gate_data(self._gate(row)),
            "created_at": iso_datetime(row["created_at"], tz),
            "updated_at": iso_datetime(row["updated_at"], tz),
            "submitted_at": iso_datetime(row["submitted_at"], tz),
            "published_at": iso_datetime(row["published_at"], tz),
        }


class CorrectionSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="The public correction note.")
    at = serializers.DateTimeField(help_text="When the correction was published.")


def corrections_data(article: Article) -> list[dict[str, Any]]:
    """The article's published corrections, oldest first: its `corrected` history rows."""
    events = article.events.filter(kind=ArticleEvent.Kind.CORRECTED).order_by("created_at", "id")
    return CorrectionSerializer(
        [{"note": e.note, "at": e.created_at} for e in events], many=True
    ).data


class PublishedVersionSerializer(serializers.Serializer):
    """An article under correction as readers who may not see the correction in progress get it:
    the published revision's text, its corrections, and nothing of the working copy."""

    def to_representation(self, article: Article) -> dict[str, Any]:
        revision = article.published_revision
        return {
            "id": article.pk,
            "title": revision.title,
            "status": Article.Status.PUBLISHED,
            "dateline": article.dateline.isoformat() if article.dateline else None,
            "author": UserSerializer(article.author).data,
            "body": revision.body,
            "published_at": serializers.DateTimeField().to_representation(article.published_at),
            "correction_open": True,
            "corrections": corrections_data(article),
        }


class ArticleDetailSerializer(serializers.ModelSerializer):
    """The article with everything extraction made of it, its history and its gate."""

    author = UserSerializer(read_only=True)
    gate = serializers.SerializerMethodField()
    claims = serializers.SerializerMethodField()
    related_links = RelatedLinkSerializer(many=True, read_only=True)
    image_credit = serializers.SerializerMethodField()
    sections = SectionSerializer(many=True, read_only=True)
    history = serializers.SerializerMethodField()
    extraction = serializers.SerializerMethodField()
    correction_open = serializers.BooleanField(
        read_only=True,
        help_text="Edited after publication: the published version stays live until the "
        "correction is published (docs/publishing.md).",
    )
    corrections = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "status",
            "dateline",
            "author",
            "body",
            "source_html",
            "gate",
            "claims",
            "related_links",
            "image_credit",
            "sections",
            "extraction",
            "history",
            "created_at",
            "updated_at",
            "submitted_at",
            "published_at",
            "publish_at",
            "correction_open",
            "corrections",
        ]
        read_only_fields = fields

    @extend_schema_field(CorrectionSerializer(many=True))
    def get_corrections(self, article: Article) -> list[dict[str, Any]]:
        return corrections_data(article)

    @extend_schema_field(GateSerializer)
    def get_gate(self, article: Article) -> dict[str, Any]:
        return gate_data(article.gate())

    @extend_schema_field(ClaimSerializer(many=True))
    def get_claims(self, article: Article) -> list[dict[str, Any]]:
        claims = article.claims.active().select_related("reviewed_by").order_by("ordinal", "id")
        return ClaimSerializer(claims, many=True).data

    @extend_schema_field(ImageCreditSerializer(allow_null=True))
    def get_image_credit(self, article: Article) -> dict[str, Any] | None:
        credit = ImageCredit.objects.filter(article=article).first()
        return ImageCreditSerializer(credit).data if credit else None

    @extend_schema_field(EventSerializer(many=True))
    def get_history(self, article: Article) -> list[dict[str, Any]]:
        events = article.events.select_related("actor").order_by("created_at", "id")
        return EventSerializer(events, many=True).data

    @extend_schema_field(ExtractionJobSerializer(allow_null=True))
    def get_extraction(self, article: Article) -> dict[str, Any] | None:
        # By revision, not creation time: a text extracted before re-opens its older job row.
        job = (
            article.extraction_jobs.select_related("revision")
            .order_by("-revision_id", "-id")
            .first()
        )
        return ExtractionJobSerializer(job).data if job else None


class ArticleUpdateSerializer(RefuseReadOnlyMixin, serializers.Serializer):
    """PATCH: any of title, body (plain text), dateline; the rest stays as it is."""

    read_only_inputs = {
        "status": STATUS_READ_ONLY,
        "author": "Read-only: an article keeps its author.",
        "html": "HTML is accepted only on create; send the plain-text body.",
    }

    title = ArticleTextSerializerField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=settings.ARTICLE_MAX_TITLE_CHARS,
    )
    body = ArticleTextSerializerField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=settings.ARTICLE_MAX_BODY_CHARS,
    )
    dateline = serializers.DateField(required=False, allow_null=True)


class ReturnToDraftSerializer(serializers.Serializer):
    note = TextField(required=False, allow_blank=True, default="", max_length=2000)


class OverrideInputSerializer(serializers.Serializer):
    reason = TextField(
        max_length=2000,
        help_text="Why the article may go out over its unverified claims (kept in the history). "
        "Must contain visible text: only invisible characters (U+200B...) are refused.",
    )

    def validate_reason(self, value: str) -> str:
        from articles.services import REASON_INVISIBLE

        if not has_visible_text(value):
            raise serializers.ValidationError(REASON_INVISIBLE)
        return value


class ScheduleInputSerializer(serializers.Serializer):
    publish_at = serializers.DateTimeField(
        help_text="When beat publishes the article: ISO 8601 with an offset "
        "(2026-12-06T14:00:00+01:00), in the future.",
    )

    def validate_publish_at(self, value: dt.datetime) -> dt.datetime:
        raw = str(self.initial_data.get("publish_at", ""))
        if not (raw.endswith(("Z", "z")) or re.search(r"[+-]\d\d:?\d\d$", raw)):
            raise serializers.ValidationError("Give the time with its offset, e.g. +01:00 or Z.")
        return value


class CorrectionInputSerializer(serializers.Serializer):
    note = TextField(
        max_length=2000,
        help_text="The public correction note (kept in the history, listed in `corrections`, "
        "sent with `article.corrected`). Must contain visible text.",
    )
    override_reason = TextField(
        max_length=2000,
        required=False,
        default="",
        help_text="Chief editors: publish the correction over unverified claims, with a reason.",
    )

    def validate_note(self, value: str) -> str:
        if not has_visible_text(value):
            raise serializers.ValidationError("The correction note has no visible text.")
        return value


class UnpublishInputSerializer(serializers.Serializer):
    reason = TextField(
        max_length=2000,
        help_text="Why the article is withdrawn (kept in the history, sent with the webhook). "
        "Must contain visible text.",
    )

    def validate_reason(self, value: str) -> str:
        if not has_visible_text(value):
            raise serializers.ValidationError("The reason has no visible text.")
        return value


class EmptySerializer(serializers.Serializer):
    """No input."""


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

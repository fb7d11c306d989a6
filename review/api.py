"""JSON API of review: verdicts, publishing (and the chief editor's override), the caller's review
queue, and the schema.org ClaimReview export.

Same rules as `articles.api`: the queryset decides what exists for the caller (404), the
permission classes ask the predicates of `articles.permissions` (403), the services decide on the
state and the gate (409). The ViewSets here add actions to the `articles` and `claims` routes
(`/articles/{id}/publish`, `/claims/{id}/verdict`), so review depends on articles and never the
reverse.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import permissions as drf_permissions
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from articles import permissions
from articles.api import (
    RETRY_AFTER,
    WRITE_ERRORS,
    GateCountsListMixin,
    Pagination,
    errors,
    list_errors,
    validated,
)
from articles.models import Article, Claim
from articles.serializers import ArticleDetailSerializer, ClaimSerializer
from articles.services import publish_article
from review import services
from review.evidence import services as evidence_services
from review.evidence.serializers import ClaimEvidenceSerializer, source_data
from review.evidence.views import evidence_sources
from review.models import ReuseSuggestion
from review.serializers import (
    ClaimReviewDocumentSerializer,
    GateClosedErrorSerializer,
    OverrideInputSerializer,
    ReuseInputSerializer,
    ReuseSuggestionSerializer,
    ReviewQueueItemSerializer,
    VerdictInputSerializer,
    claim_review_document,
)

GATE_CLOSED = OpenApiResponse(
    GateClosedErrorSerializer,
    "The state does not allow publishing, or the gate is closed: `gate` says what is open.",
    examples=[
        OpenApiExample(
            "Gate closed",
            value={
                "detail": "Cannot publish yet: 3 of 22 claims pending, 1 unverified.",
                "gate": {"total": 22, "pending": 3, "unverified": 1},
            },
            status_codes=["409"],
            response_only=True,
        ),
        OpenApiExample(
            "Wrong state",
            value={"detail": "This article is already published."},
            status_codes=["409"],
            response_only=True,
        ),
    ],
)


class JsonLdRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


# --- Publishing ---------------------------------------------------------------------------------


class PublishPermission(drf_permissions.BasePermission):
    """The author (an editor) or a chief editor; whether the gate needs the chief editor's override
    is the service's question, asked after the state."""

    message = "You may not publish this article."

    def has_object_permission(self, request: Request, view: Any, article: Article) -> bool:
        if view.action in ("publish", "override"):
            return permissions.can_publish_article(request.user, article)
        return True


class ArticlePublicationViewSet(viewsets.GenericViewSet):
    """Actions on `/articles/{id}/...` that belong to review."""

    permission_classes = [drf_permissions.IsAuthenticated, PublishPermission]
    lookup_value_regex = "[0-9]+"
    serializer_class = ArticleDetailSerializer

    def get_queryset(self) -> QuerySet[Article]:
        return Article.objects.visible_to(self.request.user).select_related("author")

    def _published(self, article: Article) -> Response:
        fresh = Article.objects.select_related("author").get(pk=article.pk)
        return Response(ArticleDetailSerializer(fresh).data)

    @extend_schema(
        summary="Publish an article whose claims are all verified",
        description="The gate: every current claim verified. Otherwise 409 with what is open.",
        request=None,
        responses={200: ArticleDetailSerializer, **errors(*WRITE_ERRORS), 409: GATE_CLOSED},
        parameters=[RETRY_AFTER],
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        article = publish_article(self.get_object(), by=request.user)
        return self._published(article)

    @extend_schema(
        summary="Chief editor: publish over unverified claims, with a reason",
        description=(
            "Pending claims can never be overridden. The reason is kept in the history as an "
            "override row. With every claim verified this is a plain publish."
        ),
        request=OverrideInputSerializer,
        responses={200: ArticleDetailSerializer, **errors(*WRITE_ERRORS), 409: GATE_CLOSED},
        parameters=[RETRY_AFTER],
    )
    @action(detail=True, methods=["post"])
    def override(self, request: Request, pk: str | None = None) -> Response:
        article = self.get_object()
        data = validated(OverrideInputSerializer, request)
        article = publish_article(article, by=request.user, override_reason=data["reason"])
        return self._published(article)

    @extend_schema(
        summary="schema.org ClaimReview JSON-LD of the article's reviewed claims",
        description=(
            "One ClaimReview per current claim with a verdict (verified or unverified), rated "
            "on a two-step scale (2 Verified, 1 Unverified), authored by the organisation of "
            "NEWSROOM_ORGANIZATION_NAME / NEWSROOM_ORGANIZATION_URL."
        ),
        # 400: a `format` other than jsonld or json (integrations.rest.StrictContentNegotiation).
        responses={200: ClaimReviewDocumentSerializer, **errors(400, 404)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="claimreview",
        renderer_classes=[JsonLdRenderer, JSONRenderer],
    )
    def claimreview(self, request: Request, pk: str | None = None) -> Response:
        article = self.get_object()
        claims = list(
            article.claims.active().exclude(verdict=Claim.Verdict.PENDING).order_by("ordinal", "id")
        )
        return Response(
            claim_review_document(article, claims, build_url=request.build_absolute_uri)
        )


# --- Verdicts -----------------------------------------------------------------------------------


class VerdictPermission(drf_permissions.BasePermission):
    """Reviewers, never on an article they wrote (four-eyes), whatever other roles they hold."""

    message = "Only reviewers can record verdicts."

    def has_object_permission(self, request: Request, view: Any, claim: Claim) -> bool:
        if view.action not in ("verdict", "reuse") or permissions.can_review_claim(
            request.user, claim
        ):
            return True
        if claim.article.author_id == request.user.pk:
            self.message = "You cannot judge claims of an article you wrote."
        return False


class ClaimVerdictViewSet(viewsets.GenericViewSet):
    """The verdict actions on `/claims/{id}/verdict` and `/claims/{id}/reuse`, and the claim's
    reuse suggestions."""

    permission_classes = [drf_permissions.IsAuthenticated, VerdictPermission]
    lookup_value_regex = "[0-9]+"
    serializer_class = ClaimSerializer

    def get_queryset(self) -> QuerySet[Claim]:
        visible = Article.objects.visible_to(self.request.user)
        return Claim.objects.filter(article__in=visible).select_related("article")

    @extend_schema(
        summary="Record (or change) a claim's verdict",
        description=(
            "The article must be in review and the claim current. verified needs an "
            "evidence_url or a note; unverified needs a note. Each verdict appends to the history."
        ),
        request=VerdictInputSerializer,
        responses={200: ClaimSerializer, **errors(*WRITE_ERRORS)},
        parameters=[RETRY_AFTER],
        examples=[
            OpenApiExample(
                "Verified with evidence",
                value={
                    "verdict": "verified",
                    "note": "Council minutes, item 4.",
                    "evidence_url": "https://example.org/minutes",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def verdict(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        data = validated(VerdictInputSerializer, request)
        claim = services.record_verdict(
            claim,
            by=request.user,
            verdict=data["verdict"],
            note=data["note"],
            evidence_url=data["evidence_url"],
        )
        fresh = Claim.objects.select_related("reviewed_by").get(pk=claim.pk)
        return Response(ClaimSerializer(fresh).data)

    @extend_schema(
        summary="Verdicts on the same fact in other articles, offered for reuse",
        description=(
            "Claims of other articles (that the caller may see) which state the same fact and "
            "carry a verdict, best first: exact matches, then near-duplicates by similarity. "
            "Found in the background after extraction; a changed number, date, name or "
            "negation is never offered."
        ),
        responses={200: ReuseSuggestionSerializer(many=True), **errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def suggestions(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        offered = ReuseSuggestion.objects.filter(claim=claim).offerable(request.user)[:20]
        return Response(ReuseSuggestionSerializer(offered, many=True).data)

    @extend_schema(
        summary="The claim's evidence: cited links, archived snapshots, facts found",
        description=(
            "The claim's evidence URL and the links its article cites in its sentence (HTML "
            "ingestion), each with its newest archived snapshots (state, status, title, hash, "
            "why it failed, link rot) and the claim's facts looked for in the newest archived "
            "text. Facts found are a hint, never a verdict."
        ),
        responses={200: ClaimEvidenceSerializer, **errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        context = {"request": request, "claim": claim}
        return Response(
            {
                "claim": claim.pk,
                "evidence_url": claim.evidence_url,
                "cited_links": evidence_services.cited_links(claim),
                "sources": [source_data(s, context) for s in evidence_sources(claim)],
            }
        )

    @extend_schema(
        summary="Reuse the verdict of the same fact in another article",
        description=(
            "Records the other claim's verdict, note (with where it comes from) and evidence as "
            "the caller's own verdict, linked to its source in the history. Refused (409) unless "
            "both still state the same fact and the source still carries a verdict; the rules "
            "of a verdict apply (reviewer, not the author, article in review)."
        ),
        request=ReuseInputSerializer,
        responses={200: ClaimSerializer, **errors(*WRITE_ERRORS)},
        parameters=[RETRY_AFTER],
        examples=[OpenApiExample("Reuse", value={"source": 1234}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def reuse(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        data = validated(ReuseInputSerializer, request)
        visible = Article.objects.visible_to(request.user)
        source = Claim.objects.filter(pk=data["source"], article__in=visible).first()
        if source is None:
            raise ValidationError({"source": ["No claim with this id that you may see."]})
        claim = services.reuse_verdict(claim, source=source, by=request.user)
        fresh = Claim.objects.select_related("reviewed_by").get(pk=claim.pk)
        return Response(ClaimSerializer(fresh).data)


# --- Review queue -------------------------------------------------------------------------------


class IsReviewer(drf_permissions.BasePermission):
    message = "The review queue is for reviewers."

    def has_permission(self, request: Request, view: Any) -> bool:
        return permissions.is_reviewer(request.user)


QUEUE_ORDERINGS = ("submitted_at", "-checkworthiness")


@extend_schema_view(
    list=extend_schema(
        summary="The caller's review queue: articles with claims awaiting them, oldest first",
        description=(
            "Articles in review that the caller did not write, by submission time, each with "
            "its pending claims. The same queue as the browser's. `ordering=-checkworthiness` "
            "puts the articles with the most check-worthy awaiting claim first, and each "
            "article's claims by score (unscored last); a score is a hint, never a verdict."
        ),
        parameters=[
            OpenApiParameter(
                "ordering", str, enum=QUEUE_ORDERINGS, description="Default: submitted_at."
            )
        ],
        responses={200: ReviewQueueItemSerializer(many=True), **list_errors(), **errors(403)},
    ),
)
class ReviewQueueViewSet(GateCountsListMixin, viewsets.GenericViewSet):
    permission_classes = [drf_permissions.IsAuthenticated, IsReviewer]
    serializer_class = ReviewQueueItemSerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Article]:
        # Absent is the default; present, even empty, must name an ordering (400 otherwise).
        ordering = self.request.query_params.get("ordering", "submitted_at")
        if ordering not in QUEUE_ORDERINGS:
            raise ValidationError({"ordering": [f"Choose one of: {', '.join(QUEUE_ORDERINGS)}."]})
        awaiting = Claim.objects.awaiting(self.request.user)
        claims = awaiting.select_related("reviewed_by").order_by("ordinal", "id")
        articles = Article.objects.filter(pk__in=awaiting.values("article_id"))
        if ordering == "-checkworthiness":
            claims = claims.order_by(F("checkworthiness").desc(nulls_last=True), "ordinal", "id")
            articles = articles.annotate(
                top_checkworthiness=Subquery(
                    awaiting.filter(article=OuterRef("pk"))
                    .order_by(F("checkworthiness").desc(nulls_last=True))
                    .values("checkworthiness")[:1]
                )
            ).order_by(F("top_checkworthiness").desc(nulls_last=True), "submitted_at", "id")
        else:
            articles = articles.order_by("submitted_at", "id")
        return articles.select_related("author").prefetch_related(
            Prefetch("claims", queryset=claims, to_attr="awaiting_claims")
        )

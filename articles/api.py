"""JSON API of articles and extraction jobs (DRF), under /api/v1/: one ViewSet per resource, each
transition a POST action.

Reads are ViewSets whose `get_queryset()` starts from `Article.objects.visible_to(user)`, so a
list never shows, and a detail or an action never finds (404), what the browser UI would not
show. Each transition is a POST action with a small input serializer calling one service; the
permission classes ask the predicates of `articles.permissions` first (403), and the service
then checks the state and the gate (409). The services raise domain errors; the exception handler
of `articles/rest.py` (the API's plumbing) turns them into JSON (docs/api.md).

`ArticleViewSet` is the article resource: list and detail (remembered per data version,
`articles.rest.remembered_response`), edit, submit, return to draft, publish, the chief editor's
override, and the schema.org ClaimReview export. Creating an article is integrations' feed
ingestion (HTML bodies, Idempotency-Key): `integrations.api.ArticleViewSet` adds `create` to this
class and is the one routed at /api/v1/articles, as articles never import integrations.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponseBase
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from articles import permissions, services
from articles.models import Article, Claim, ExtractionJob, attach_gate_counts
from articles.rest import (
    GATE_CLOSED,
    RETRY_AFTER,
    WRITE_ERRORS,
    CountedRows,
    FilterBackend,
    IdFilter,
    Pagination,
    StrictFilterSet,
    errors,
    list_errors,
    remembered_response,
    validated,
)
from articles.serializers import (
    ArticleDetailSerializer,
    ArticleListSerializer,
    ArticleUpdateSerializer,
    ClaimReviewDocumentSerializer,
    CorrectionInputSerializer,
    ExtractionJobSerializer,
    OverrideInputSerializer,
    PublishedVersionSerializer,
    ReturnToDraftSerializer,
    ScheduleInputSerializer,
    UnpublishInputSerializer,
    claim_review_document,
)

# --- Articles -----------------------------------------------------------------------------------


class ArticleFilter(StrictFilterSet):
    status = filters.MultipleChoiceFilter(
        choices=Article.Status.choices, help_text="One or more statuses (repeat the parameter)."
    )
    author = filters.CharFilter(field_name="author__username", help_text="The author's username.")
    dateline_after = filters.DateFilter(
        field_name="dateline", lookup_expr="gte", help_text="Dateline on or after (YYYY-MM-DD)."
    )
    dateline_before = filters.DateFilter(
        field_name="dateline", lookup_expr="lte", help_text="Dateline on or before (YYYY-MM-DD)."
    )
    q = filters.CharFilter(method="search", help_text="Words in the title or the body.")

    class Meta:
        model = Article
        fields = ["status", "author", "dateline_after", "dateline_before", "q"]

    def search(self, queryset: QuerySet[Article], name: str, value: str) -> QuerySet[Article]:
        for word in value.split()[:10]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(body__icontains=word))
        return queryset


class ArticlePermission(drf_permissions.BasePermission):
    """Who may change an article: the predicates the HTML views ask. Reads need only visibility,
    which the queryset already enforces (404)."""

    message = "You may not change this article."

    def has_object_permission(self, request: Request, view: Any, article: Article) -> bool:
        if view.action in ("partial_update", "submit", "return_to_draft"):
            return permissions.can_edit_article(request.user, article)
        return True


class PublishPermission(drf_permissions.BasePermission):
    """The author (an editor) or a chief editor; whether the gate needs the chief editor's override
    is the service's question, asked after the state."""

    message = "You may not publish this article."

    def has_object_permission(self, request: Request, view: Any, article: Article) -> bool:
        if view.action in ("publish", "override", "publish_correction"):
            return permissions.can_publish_article(request.user, article)
        if view.action in ("schedule", "cancel_schedule"):
            return permissions.can_schedule_publication(request.user, article)
        if view.action == "unpublish":
            self.message = "Only a chief editor can unpublish an article."
            return permissions.can_unpublish_article(request.user, article)
        return True


class JsonLdRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


ARTICLE_LIST_SCHEMA = extend_schema(
    summary="List the articles the caller may see",
    description=(
        "Newest first. Editors see their own articles and published ones; reviewers also "
        "those submitted or in review; chief editors everything."
    ),
    responses={200: ArticleListSerializer(many=True), **list_errors()},
)


ARTICLE_DETAIL_SCHEMA = extend_schema(
    summary="An article with its claims, links, credit, sections, history and gate",
    description=(
        "While a correction of a published article is in progress, a caller who may not see it "
        "(who sees published articles only) gets the published version instead: `id`, `title`, "
        "`status` (published), `dateline`, `author`, `body`, `published_at`, `correction_open` "
        "(true) and `corrections`; no claims, history or gate."
    ),
    responses={200: ArticleDetailSerializer, **errors(404)},
)


@extend_schema_view(
    list=ARTICLE_LIST_SCHEMA,
    retrieve=ARTICLE_DETAIL_SCHEMA,
    partial_update=extend_schema(
        summary="Change the title, body (plain text) or dateline",
        description=(
            "A draft is simply saved. A submitted article or one in review gets a new revision, "
            "and a changed body is extracted again (verdicts of unchanged sentences stay)."
        ),
        request=ArticleUpdateSerializer,
        responses={200: ArticleDetailSerializer, **errors(*WRITE_ERRORS)},
        parameters=[RETRY_AFTER],
    ),
)
class ArticleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    # No docstring: the schema would take it as the description of the operations without one.
    permission_classes = [drf_permissions.IsAuthenticated, ArticlePermission, PublishPermission]
    pagination_class = Pagination
    filter_backends = [FilterBackend]
    filterset_class = ArticleFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Article]:
        queryset = Article.objects.visible_to(self.request.user).select_related("author")
        if self.action == "list":
            queryset = queryset.order_by("-created_at", "-id")
        return queryset

    # The list and the detail answer from memory while the data version stays the same
    # (articles/cache.py); authentication, permissions and content negotiation have run by then,
    # as for any request, and what is remembered is keyed by the caller.

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return remembered_response(request, lambda: self.list_page(request))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return remembered_response(request, lambda: self.detail_or_published_version(request))

    def detail_or_published_version(self, request: Request) -> Response:
        """The article; or, under correction, for a caller who may not see the correction in
        progress, its published version (`PublishedVersionSerializer`)."""
        try:
            return super().retrieve(request)
        except Http404 as not_found:
            try:
                article = permissions.get_published_version_for_user(
                    request.user, self.kwargs["pk"]
                )
            except Http404:
                raise not_found from None
            return Response(PublishedVersionSerializer(article).data)

    def list_page(self, request: Request) -> Response:
        # Rows as plain values: no text (a body may be 200,000 characters), no model instances.
        articles = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(
            CountedRows(articles.values(*ArticleListSerializer.COLUMNS), count=articles)
        )
        attach_gate_counts(page)
        return self.get_paginated_response(ArticleListSerializer(page, many=True).data)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return ArticleListSerializer if self.action == "list" else ArticleDetailSerializer

    def detail_response(self, article: Article, *, status: int = 200) -> Response:
        """The article as the detail endpoint shows it, read again after a change."""
        fresh = Article.objects.select_related("author").get(pk=article.pk)
        return Response(
            ArticleDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=status,
        )

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        article = self.get_object()
        data = validated(ArticleUpdateSerializer, request)
        services.update_article(
            article,
            by=request.user,
            title=data.get("title", article.title),
            body=data.get("body", article.body),
            dateline=data["dateline"] if "dateline" in data else article.dateline,
        )
        return self.detail_response(article)

    @extend_schema(
        summary="Submit a draft: store a revision and queue its extraction",
        request=None,
        responses={200: ArticleDetailSerializer, **errors(*WRITE_ERRORS)},
        parameters=[RETRY_AFTER],
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        article = self.get_object()
        services.submit_article(article, by=request.user)
        return self.detail_response(article)

    @extend_schema(
        summary="Take a submitted article or one in review back to draft",
        request=ReturnToDraftSerializer,
        responses={200: ArticleDetailSerializer, **errors(*WRITE_ERRORS)},
        parameters=[RETRY_AFTER],
    )
    @action(detail=True, methods=["post"], url_path="return-to-draft")
    def return_to_draft(self, request: Request, pk: str | None = None) -> Response:
        article = self.get_object()
        data = validated(ReturnToDraftSerializer, request)
        services.return_to_draft(article, by=request.user, note=data["note"])
        return self.detail_response(article)

    # Publishing finds the article by id alone: no list filter applies to it (`filter_backends`).

    def published_response(self, article: Article) -> Response:
        fresh = Article.objects.select_related("author").get(pk=article.pk)
        return Response(ArticleDetailSerializer(fresh).data)

    @extend_schema(
        summary="Publish an article whose claims are all verified",
        description="The gate: every current claim verified. Otherwise 409 with what is open.",
        request=None,
        responses={200: ArticleDetailSerializer, **errors(*WRITE_ERRORS), 409: GATE_CLOSED},
        parameters=[RETRY_AFTER],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        article = services.publish_article(self.get_object(), by=request.user)
        return self.published_response(article)

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
    @action(detail=True, methods=["post"], filter_backends=[])
    def override(self, request: Request, pk: str | None = None) -> Response:
        article = self.get_object()
        data = validated(OverrideInputSerializer, request)
        article = services.publish_article(article, by=request.user, override_reason=data["reason"])
        return self.published_response(article)

    @extend_schema(
        summary="Publish the correction of a published article, with its public note",
        description=(
            "Editing a published article opens a correction round (it goes through review "
            "again while the published version stays live). This ends it through the same gate "
            "as publish (a chief editor's `override_reason` as for override); the note is kept "
            "in `corrections` and sent with `article.corrected`. 409 when no correction is in "
            "progress or the gate is closed."
        ),
        request=CorrectionInputSerializer,
        responses={200: ArticleDetailSerializer, **errors(*WRITE_ERRORS), 409: GATE_CLOSED},
        parameters=[RETRY_AFTER],
    )
    @action(detail=True, methods=["post"], url_path="publish-correction", filter_backends=[])
    def publish_correction(self, request: Request, pk: str | None = None) -> Response:
        article = self.get_object()
        data = validated(CorrectionInputSerializer, request)
        article = services.publish_correction(
            article, by=request.user, note=data["note"], override_reason=data["override_reason"]
        )
        return self.published_response(article)

    @extend_schema(
        summary="Schedule the publication of an article whose claims are all verified",
        description=(
            "Beat publishes it at `publish_at` through the same gate, acting as the caller; if "
            "the gate has closed by then it is not published and the history says why "
            "(schedule_failed). A new time replaces the old one. 409 when the gate is not open "
            "or the article is not in review; 400 for a time in the past or without an offset."
        ),
        request=ScheduleInputSerializer,
        responses={200: ArticleDetailSerializer, **errors(*WRITE_ERRORS), 409: GATE_CLOSED},
        parameters=[RETRY_AFTER],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def schedule(self, request: Request, pk: str | None = None) -> Response:
        article = self.get_object()
        data = validated(ScheduleInputSerializer, request)
        services.schedule_publication(article, by=request.user, at=data["publish_at"])
        return self.published_response(article)

    @extend_schema(
        summary="Cancel the scheduled publication of an article",
        description="409 when nothing is scheduled.",
        request=None,
        responses={200: ArticleDetailSerializer, **errors(*WRITE_ERRORS)},
        parameters=[RETRY_AFTER],
    )
    @action(detail=True, methods=["post"], url_path="cancel-schedule", filter_backends=[])
    def cancel_schedule(self, request: Request, pk: str | None = None) -> Response:
        article = services.cancel_schedule(self.get_object(), by=request.user)
        return self.published_response(article)

    @extend_schema(
        summary="Chief editor: unpublish (withdraw) a published article, with a reason",
        description=(
            "The article becomes `withdrawn`: only its author and chief editors see it, the "
            "ClaimReview export no longer lists it, and `article.unpublished` is sent. Back to "
            "publication: return to draft, then review and the gate again."
        ),
        request=UnpublishInputSerializer,
        responses={200: ArticleDetailSerializer, **errors(*WRITE_ERRORS)},
        parameters=[RETRY_AFTER],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def unpublish(self, request: Request, pk: str | None = None) -> Response:
        article = self.get_object()
        data = validated(UnpublishInputSerializer, request)
        article = services.unpublish_article(article, by=request.user, reason=data["reason"])
        return self.published_response(article)

    @extend_schema(
        summary="schema.org ClaimReview JSON-LD of the article's reviewed claims",
        description=(
            "One ClaimReview per current claim with a verdict (verified or unverified), rated "
            "on a two-step scale (2 Verified, 1 Unverified), authored by the organisation of "
            "NEWSROOM_ORGANIZATION_NAME / NEWSROOM_ORGANIZATION_URL. A withdrawn (unpublished) "
            "article has no export: 404."
        ),
        # 400: a `format` other than jsonld or json (articles.rest.StrictContentNegotiation).
        responses={200: ClaimReviewDocumentSerializer, **errors(400, 404)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="claimreview",
        renderer_classes=[JsonLdRenderer, JSONRenderer],
        filter_backends=[],
    )
    def claimreview(self, request: Request, pk: str | None = None) -> Response:
        article = self.get_object()
        if article.status == Article.Status.WITHDRAWN:
            # Unpublished: what the newsroom stood behind is no longer claimed anywhere.
            raise Http404("This article was withdrawn: it has no ClaimReview export.")
        claims = list(
            article.claims.active().exclude(verdict=Claim.Verdict.PENDING).order_by("ordinal", "id")
        )
        return Response(
            claim_review_document(article, claims, build_url=request.build_absolute_uri)
        )


# --- Extraction jobs ----------------------------------------------------------------------------


class ExtractionJobFilter(StrictFilterSet):
    article = IdFilter(field_name="article_id", help_text="An article id.")
    state = filters.ChoiceFilter(choices=ExtractionJob.State.choices)

    class Meta:
        model = ExtractionJob
        fields = ["article", "state"]


class ExtractionJobPermission(drf_permissions.BasePermission):
    message = "You may not retry this extraction."

    def has_object_permission(self, request: Request, view: Any, job: ExtractionJob) -> bool:
        if view.action == "retry":
            return permissions.can_edit_article(request.user, job.article) or request.user.is_staff
        return True


@extend_schema_view(
    list=extend_schema(
        summary="Extraction jobs of the articles the caller may see (filter by `article`)",
        responses={200: ExtractionJobSerializer(many=True), **list_errors()},
    ),
    retrieve=extend_schema(
        summary="One extraction job: queued, running, done, failed (with the reason) or superseded",
        responses={200: ExtractionJobSerializer, **errors(404)},
    ),
)
class ExtractionJobViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ExtractionJobSerializer
    lookup_value_regex = "[0-9]+"
    permission_classes = [drf_permissions.IsAuthenticated, ExtractionJobPermission]
    pagination_class = Pagination
    filter_backends = [FilterBackend]
    filterset_class = ExtractionJobFilter

    def get_queryset(self) -> QuerySet[ExtractionJob]:
        visible = Article.objects.visible_to(self.request.user)
        return (
            ExtractionJob.objects.filter(article__in=visible)
            .select_related("revision", "article")
            .order_by("-created_at", "-id")
        )

    @extend_schema(
        summary="Retry a failed extraction (editor of the article, or staff)",
        request=None,
        responses={200: ExtractionJobSerializer, **errors(*WRITE_ERRORS)},
        parameters=[RETRY_AFTER],
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        job = services.retry_extraction_job(self.get_object(), by=request.user)
        job = ExtractionJob.objects.select_related("revision").get(pk=job.pk)
        return Response(ExtractionJobSerializer(job).data)

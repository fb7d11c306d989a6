"""JSON API of articles, claims and extraction jobs (DRF), under /api/v1/.

Reads are ViewSets whose `get_queryset()` starts from `Article.objects.visible_to(user)`, so a
list never shows, and a detail or an action never finds (404), what the browser UI would not
show. Each transition is a POST action with a small input serializer calling one service; the
permission classes ask the predicates of `articles.permissions` first (403), and the service
then checks the state (409). The services raise domain errors; integrations' exception handler
turns them into JSON (docs/api.md).

Creating an article is integrations' feed ingestion (HTML bodies, Idempotency-Key), which
extends `ArticleViewSet` there: articles never import integrations. Publishing and verdicts are
review's (`review.api`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from articles import permissions, services
from articles.models import Article, Claim, ExtractionJob, attach_gate_counts
from articles.serializers import (
    ArticleDetailSerializer,
    ArticleListSerializer,
    ArticleUpdateSerializer,
    ClaimSerializer,
    ErrorSerializer,
    ExtractionJobSerializer,
    ReturnToDraftSerializer,
    ValidationErrorSerializer,
)

# --- Shared by every app's API --------------------------------------------------------------------


class Pagination(PageNumberPagination):
    """`?page=N` (from 1) and `?page_size=` (1–100, default 50). A page past the end is 404; a
    page that is not a whole number from 1 (empty, `x`, `0`, `last`) is 400."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    page_message = "A page number: a whole number from 1."

    def get_page_number(self, request: Request, paginator: Any) -> int:
        """DRF takes an empty `page` for page 1 and answers 404 for `page=x`: both are a client's
        mistake about the parameter, not a page that does not exist, so 400 (issue 20)."""
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if not (raw.isascii() and raw.isdigit()) or int(raw[:19]) < 1:
            raise serializers.ValidationError({self.page_query_param: [self.page_message]})
        # A number too long for any page is past the end (404), like any other such number.
        return int(raw) if len(raw) <= 18 else 10**18

    def get_page_size(self, request: Request) -> int:
        """`page_size` outside 1–100, or not a number, is a 400 rather than silently replaced."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise serializers.ValidationError(
                {self.page_size_query_param: [f"A number from 1 to {self.max_page_size}."]}
            )
        return size

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


_ERRORS: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(
        ValidationErrorSerializer,
        "Invalid input: the fields and what is wrong with each.",
        examples=[
            OpenApiExample(
                "Field errors",
                value={
                    "detail": "title: A title is required.",
                    "errors": {"title": ["A title is required."]},
                },
                status_codes=["400"],
                response_only=True,
            )
        ],
    ),
    401: OpenApiResponse(
        ErrorSerializer,
        "No credentials, or a wrong or revoked token (`WWW-Authenticate: Bearer`).",
        examples=[
            OpenApiExample(
                "Revoked token",
                value={"detail": "This token was revoked."},
                status_codes=["401"],
                response_only=True,
            )
        ],
    ),
    403: OpenApiResponse(
        ErrorSerializer,
        "Signed in, but the role or ownership does not allow this (docs/permissions.md).",
        examples=[
            OpenApiExample(
                "Four-eyes",
                value={"detail": "You cannot judge claims of an article you wrote."},
                status_codes=["403"],
                response_only=True,
            )
        ],
    ),
    404: OpenApiResponse(
        ErrorSerializer,
        "No such object, or not one the caller may see (the same answer, by design).",
        examples=[
            OpenApiExample(
                "Not visible",
                value={"detail": "No such article."},
                status_codes=["404"],
                response_only=True,
            )
        ],
    ),
    409: OpenApiResponse(
        ErrorSerializer,
        "The object's state does not allow this now.",
        examples=[
            OpenApiExample(
                "Wrong state",
                value={"detail": "Only a draft can be submitted; this article is in review."},
                status_codes=["409"],
                response_only=True,
            )
        ],
    ),
    413: OpenApiResponse(ErrorSerializer, "The request body is larger than the API accepts."),
    415: OpenApiResponse(
        ErrorSerializer, "The body is not JSON (`Content-Type: application/json`)."
    ),
    429: OpenApiResponse(
        ErrorSerializer,
        "Too many write requests for this user: wait `Retry-After` seconds.",
        examples=[
            OpenApiExample(
                "Throttled",
                value={"detail": "Request was throttled. Expected available in 12 seconds."},
                status_codes=["429"],
                response_only=True,
            )
        ],
    ),
}

RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    int,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds until another write request is accepted.",
)


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error responses of an endpoint (401 always applies)."""
    return {code: _ERRORS[code] for code in sorted({401, *codes})}


_PAGE_NOT_FOUND = OpenApiResponse(ErrorSerializer, "No such page (`?page=` past the last one).")


def list_errors() -> dict[int, OpenApiResponse]:
    """A list's errors: a filter value that does not parse (400), a page past the end (404)."""
    return {**errors(400), 404: _PAGE_NOT_FOUND}


WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 429)


def validated(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1})
class IdFilter(filters.Filter):
    """An object id: a positive 64-bit integer (400 otherwise)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


# --- Articles -----------------------------------------------------------------------------------


class CountedRows:
    """A page source for the paginator: `rows` to slice, counted by `count` instead. The list's rows
    read the author's name through a join that counting them does not need (on SQLite, counting
    10,000 articles with the join costs as much as the rest of the request)."""

    def __init__(self, rows: QuerySet, *, count: QuerySet) -> None:
        self.rows = rows
        self.counted = count.select_related(None)
        self.ordered = rows.ordered

    def count(self) -> int:
        return self.counted.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> Any:
        return self.rows[index]


class GateCountsListMixin(mixins.ListModelMixin):
    """A paginated list of articles whose rows show their gate (see `attach_gate_counts`)."""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        attach_gate_counts(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class FilterBackend(filters.DjangoFilterBackend):
    """django-filter, skipped when the request names none of the view's filters (most list calls):
    building and validating the filter form is a noticeable part of a list request."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        names = view.filterset_class.base_filters
        if not any(name in request.query_params for name in names):
            return queryset
        return super().filter_queryset(request, queryset, view)


class StrictFilterSet(filters.FilterSet):
    """A typed filter (date, id, choice) given with an empty value is a mistake (400), not a
    filter left out. An empty text filter (`q=`, `author=`) simply matches everything."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        empty = [
            name
            for name, declared in self.filters.items()
            if name in self.data
            and not self.data.get(name)
            and not isinstance(declared, filters.CharFilter)
        ]
        for name in empty:
            self.form.add_error(name, "Give a value, or leave the parameter out.")
        return valid and not empty


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


# Named, so that a subclass overriding `list` or `retrieve` (integrations.api) documents them the
# same way.
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
    permission_classes = [drf_permissions.IsAuthenticated, ArticlePermission]
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

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
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


# --- Claims -------------------------------------------------------------------------------------


class ClaimFilter(StrictFilterSet):
    verdict = filters.ChoiceFilter(choices=Claim.Verdict.choices)
    article = IdFilter(field_name="article_id", help_text="An article id.")
    awaiting_me = filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        method="filter_awaiting",
        help_text=(
            "true: only pending claims the caller may judge now (articles in review that "
            "they did not write)."
        ),
    )

    class Meta:
        model = Claim
        fields = ["verdict", "article", "awaiting_me"]

    def filter_awaiting(
        self, queryset: QuerySet[Claim], name: str, value: bool | None
    ) -> QuerySet[Claim]:
        if value is None:
            return queryset
        awaiting = Claim.objects.awaiting(self.request.user).values("pk")
        return queryset.filter(pk__in=awaiting) if value else queryset.exclude(pk__in=awaiting)


@extend_schema_view(
    list=extend_schema(
        summary="List current claims across the articles the caller may see",
        responses={200: ClaimSerializer(many=True), **list_errors()},
    ),
    retrieve=extend_schema(
        summary="One claim (also one removed by an edit: see `retired_at`)",
        responses={200: ClaimSerializer, **errors(404)},
    ),
)
class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ClaimSerializer
    lookup_value_regex = "[0-9]+"
    pagination_class = Pagination
    filter_backends = [FilterBackend]
    filterset_class = ClaimFilter

    def get_queryset(self) -> QuerySet[Claim]:
        visible = Article.objects.visible_to(self.request.user)
        queryset = Claim.objects.filter(article__in=visible).select_related("reviewed_by")
        if self.action == "list":
            queryset = queryset.filter(retired_at__isnull=True)
        # By id, not by `article` (which would sort by the article's own ordering through a join).
        return queryset.order_by("article_id", "ordinal", "id")


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

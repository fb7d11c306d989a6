"""The API's plumbing, in one module: what every app's API (`articles.api`, `review.api`,
`integrations.api`) shares, and what settings.REST_FRAMEWORK names.

- Pagination (`Pagination`, `CountedRows`), filters (`FilterBackend`, `StrictFilterSet`, `IdFilter`);
- the error shape: `exception_handler` (every error as JSON with a 4xx status; domain errors of the
  services as 400/403/404/409) and its documentation in the schema (`errors`, `list_errors`,
  `WRITE_ERRORS`, `RETRY_AFTER`, `GATE_CLOSED`), `validated` for input serializers;
- the strict JSON parser, the strict `?format=` negotiation, the write throttle;
- the cache: `remembered_response`, keyed by the data version (`articles/cache.py`).

Why here: every app that defines an API imports this module, and `articles` may import neither
`review` nor `integrations` (the import-linter contracts in pyproject.toml), so the plumbing lives in
the app at the bottom. Nothing here knows another app's tables.

One exception, by the same rule: authenticating a token reads `integrations.ApiToken`, so
`BearerTokenAuthentication` lives with the tokens (`integrations/authentication.py`); settings name
it, no app imports it.

Each resource has one routed ViewSet, in the app that owns the resource (newsroom/urls.py): articles
and extraction jobs here in `articles.api`, claims (with their verdicts) and the review queue in
`review.api`. The article list also takes `POST` (feed ingestion with Idempotency-Key), which is
integrations': `integrations.api.ArticleViewSet` is `articles.api.ArticleViewSet` plus `create`, and
it is the one routed at /api/v1/articles.

A new resource: one ViewSet in the app that owns it, every transition an `@action` on it, the
plumbing imported from here, registered once in newsroom/urls.py
(`tests/integrations/test_schema.py` checks that no prefix is registered twice).

DRF imports the classes settings name (parser, negotiation, throttle, exception handler) while
`rest_framework.views` is still loading, so this module must not import DRF's views or viewsets (or
anything that does) at the top.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseBase
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema_field,
)
from rest_framework import exceptions, mixins, serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from articles.cache import data_version
from articles.models import attach_gate_counts
from articles.serializers import (
    ErrorSerializer,
    GateClosedErrorSerializer,
    ValidationErrorSerializer,
)
from articles.services import GateClosed, InvalidTransition
from newsroom.celery import redis_breaker

# --- Pagination and filters ---------------------------------------------------------------------


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


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1})
class IdFilter(filters.Filter):
    """An object id: a positive 64-bit integer (400 otherwise)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


# --- Errors -------------------------------------------------------------------------------------


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


def _summary(errors: Any) -> str:
    """The first message of each field, in one line: `title: A title is required.`"""
    if isinstance(errors, dict):
        parts = []
        for field, messages in errors.items():
            first = messages[0] if isinstance(messages, list) and messages else messages
            if isinstance(first, dict):
                first = _summary(first)
            parts.append(f"{field}: {first}" if field != "non_field_errors" else str(first))
        return " ".join(parts) or "Invalid input."
    if isinstance(errors, list) and errors:
        return str(errors[0])
    return "Invalid input."


def _field_errors(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {str(k): v if isinstance(v, (list, dict)) else [v] for k, v in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": detail}
    return {"non_field_errors": [detail]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error of the API as JSON: `{"detail": ...}`, with `errors` per field for 400, the
    gate's numbers for a publish the gate refused, and a refused transition's own `details` (the
    claim's sentence and version now, for a verdict on a sentence that changed). Domain errors of the services map to
    400 (ValidationError), 403 (PermissionDenied), 404 (Http404), 409 (InvalidTransition)."""
    from rest_framework.views import exception_handler as drf_handler

    if isinstance(exc, ValidationError):
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return Response({"detail": _summary(errors), "errors": errors}, status=400)
    if isinstance(exc, GateClosed):
        gate = exc.gate
        body = {
            "detail": str(exc),
            "gate": {"total": gate.total, "pending": gate.pending, "unverified": gate.unverified},
        }
        return Response(body, status=409)
    if isinstance(exc, InvalidTransition):
        return Response({"detail": str(exc), **exc.details}, status=409)
    if isinstance(exc, Http404):
        message = str(exc) if exc.args else "Not found."
        return Response({"detail": message}, status=404)
    if isinstance(exc, PermissionDenied):
        message = str(exc) if exc.args else "You may not do this."
        return Response({"detail": message}, status=403)

    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        response.data = {"detail": _summary(errors), "errors": errors}
    elif not (isinstance(response.data, dict) and "detail" in response.data):
        response.data = {"detail": _summary(response.data)}
    if response.status_code == 400 and "errors" not in response.data:
        # A body that does not parse: every 400 has the same shape.
        response.data["errors"] = {"non_field_errors": [str(response.data["detail"])]}
    return response


# --- Parsing ------------------------------------------------------------------------------------


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


class StrictJSONParser(JSONParser):
    """JSON bodies, whose size `integrations.middleware.RequestBodyMiddleware` has bounded
    before any of it was read (413 over `API_MAX_REQUEST_BYTES`, chunked bodies included).
    NaN/Infinity, numbers too long to convert and nesting too deep are parse errors (400), like
    any invalid JSON."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        raw = stream.read()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(raw, encoding)
            return json.loads(text, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError, RecursionError, LookupError) as exc:
            raise exceptions.ParseError(f"JSON parse error: {exc}"[:300]) from None


# --- Content negotiation ------------------------------------------------------------------------


class StrictContentNegotiation(DefaultContentNegotiation):
    """`?format=` naming a format the endpoint does not render is a 400 that lists the formats it
    does (DRF answers 404, as if the resource did not exist); an empty `?format=` is a 400 too
    (DRF ignores it). A format suffix in the path (`/articles.xml`) is part of the path and stays
    a 404."""

    def select_renderer(
        self, request: Any, renderers: list[Any], format_suffix: str | None = None
    ) -> tuple[Any, str]:
        param = self.settings.URL_FORMAT_OVERRIDE
        if param and not format_suffix and param in request.query_params:
            wanted = request.query_params.get(param)
            if getattr(request, "_format_refused", False):
                # The 400 itself is being rendered: in JSON, as every error of the API (DRF
                # would take the first renderer, YAML on the schema endpoint).
                renderer = next((r for r in renderers if "json" in r.media_type), renderers[0])
                return renderer, renderer.media_type
            formats = ", ".join(dict.fromkeys(renderer.format for renderer in renderers))
            message = None
            if not wanted:
                message = f"Give a format ({formats}), or leave the parameter out."
            elif not any(renderer.format == wanted for renderer in renderers):
                message = f"Unknown format {wanted[:40]!r}: this endpoint answers {formats}."
            if message is not None:
                request._format_refused = True
                raise exceptions.ValidationError({param: [message]})
        return super().select_renderer(request, renderers, format_suffix)


# --- Throttling ---------------------------------------------------------------------------------


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """ "120/min" → (120, 60). None or "" disables the throttle."""
    if not rate:
        return None
    count, _, period = rate.partition("/")
    try:
        return int(count), _UNITS[period.strip()[0].lower()]
    except (ValueError, KeyError, IndexError):
        raise ValueError(f"API_WRITE_RATE must look like 120/min, got {rate!r}") from None


class WriteRateThrottle(BaseThrottle):
    """Write requests (POST, PUT, PATCH, DELETE) per user or per token (`write_limit`), counted in
    the shared "throttle" cache (Redis) so every web worker sees the same count.

    A fixed window aligned to the clock: one INCR per request (atomic across workers), the key
    expiring with its window. A burst may reach twice the rate across a window boundary, which is
    what the limit is for: a runaway client, not precise metering. If Redis does not answer, the
    request is let through and the failure logged: the limit protects the app, it must not take
    it down. Short timeouts and the circuit breaker of newsroom/celery.py keep that cheap."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def write_limit(self, request: Any) -> tuple[str, str]:
        """(rate, counter key) for this request's writes. A credential with its own `write_rate`
        (an API token of a wire feed: 10000/min, integrations.models.ApiToken) is counted per
        credential against that rate; every other write per user (per address when anonymous)
        against settings.API_WRITE_RATE. A token without its own rate shares its user's count."""
        credential = getattr(request, "auth", None)
        own_rate = getattr(credential, "write_rate", "")
        if own_rate:
            return own_rate, f"token:{credential.pk}"
        user = request.user
        if user and user.is_authenticated:
            return settings.API_WRITE_RATE, f"user:{user.pk}"
        return settings.API_WRITE_RATE, f"ip:{self.get_ident(request)}"

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        configured, who = self.write_limit(request)
        rate = parse_rate(configured)
        if rate is None:
            return True
        limit, period = rate
        now = time.time()
        window = int(now // period)
        cache = caches["throttle"]
        key = cache.make_and_validate_key(f"write:{who}:{period}:{window}")
        # The cache's own short timeouts (settings.REDIS_SOCKET_TIMEOUT) bound one call; the
        # breaker shared with the doorbells skips Redis for a while after one failed.
        breaker = redis_breaker(settings.CACHES["throttle"]["LOCATION"])
        if not breaker.allow():
            return True
        try:
            client = cache._cache.get_client(key, write=True)
            pipe = client.pipeline()
            pipe.incr(key)
            pipe.expire(key, period + 1)
            count = pipe.execute()[0]
        except Exception as error:  # noqa: BLE001 - redis-py raises many types per outage
            breaker.failed(error, what="counting a write for the API throttle (let through)")
            return True
        breaker.succeeded()
        if count > limit:
            self._wait = max(1.0, period - (now % period))
            return False
        return True

    def wait(self) -> float | None:
        return self._wait


# --- Cache -------------------------------------------------------------------------------------


def remembered_response(request: Any, compute: Callable[[], HttpResponseBase]) -> HttpResponseBase:
    """The response `compute()` gives, rendered once and remembered per data version, caller,
    full URL (host and scheme appear in next/previous links; filters, page), media type and time
    zone. Only 200s are remembered. Without a data version, simply `compute()`."""
    version = data_version(request)
    if version is None:
        return compute()
    varies = "\n".join(
        [
            request.build_absolute_uri(),
            request.accepted_media_type,
            timezone.get_current_timezone_name(),
        ]
    )
    digest = hashlib.blake2b(varies.encode("utf-8", "surrogatepass"), digest_size=16)
    key = f"response:{version}:{request.user.pk}:{digest.hexdigest()}"
    stored = caches["api"].get(key)
    if stored is not None:
        content, content_type = stored
        return HttpResponse(content, content_type=content_type)
    response = compute()

    def remember(rendered: HttpResponseBase) -> None:
        if rendered.status_code == 200:
            caches["api"].set(key, (rendered.content, rendered["Content-Type"]))

    response.add_post_render_callback(remember)
    return response

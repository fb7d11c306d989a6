"""The API parts that exist for other systems: creating articles from a feed (plain text or HTML)
with `Idempotency-Key`, and the schema's description of token authentication.

`ArticleViewSet` here is `articles.api.ArticleViewSet` (the article resource, with every other
action) plus `create`; it is the one routed at /api/v1/articles (newsroom/urls.py), so articles
never import integrations. The plumbing (errors, pagination, throttle...) is `articles/rest.py`.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import permissions as drf_permissions
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from articles import api as articles_api
from articles import permissions
from articles import services as article_services
from articles.models import Article
from articles.rest import RETRY_AFTER, errors, validated
from articles.serializers import ArticleDetailSerializer, ErrorSerializer
from integrations import services
from integrations.serializers import (
    ArticleCreateHtmlSerializer,
    ArticleCreateSerializer,
    ArticleCreateTextSerializer,
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "pattern": "^[!-~]{1,255}$", "minLength": 1, "maxLength": 255},
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (1–255 printable ASCII characters, e.g. a UUID). A retry with the same "
        "key and the same body gets the first response again (no second article); the same key "
        "with a different body is refused with 422. Keys expire after 24 hours."
    ),
)
REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    str,
    OpenApiParameter.HEADER,
    response=[201],
    description="`true` when this is the stored response of an earlier request with the same key.",
)
_KEY_SHAPE = re.compile(r"^[\x21-\x7e]{1,255}$")


class CreatePermission(drf_permissions.BasePermission):
    message = "Only editors can write articles."

    def has_permission(self, request: Request, view: Any) -> bool:
        return view.action != "create" or permissions.can_create_article(request.user)


class ArticleViewSet(articles_api.ArticleViewSet):
    permission_classes = [*articles_api.ArticleViewSet.permission_classes, CreatePermission]

    @extend_schema(
        summary="Create a draft from plain text or HTML",
        description=(
            "Exactly one of `body` (plain text) or `html`. The caller becomes the author "
            "(editors and chief editors). Send an `Idempotency-Key` to make retries safe."
        ),
        request=PolymorphicProxySerializer(
            component_name="ArticleCreate",
            serializers=[ArticleCreateTextSerializer, ArticleCreateHtmlSerializer],
            resource_type_field_name=None,
        ),
        parameters=[IDEMPOTENCY_KEY, REPLAYED, RETRY_AFTER],
        responses={
            201: ArticleDetailSerializer,
            **errors(400, 403, 413, 415, 429),
            422: OpenApiResponse(
                ErrorSerializer,
                "The Idempotency-Key was used before with a different request.",
                examples=[
                    OpenApiExample(
                        "Key reused",
                        value={
                            "detail": "This Idempotency-Key was already used for a different "
                            "request. Send a new key for a new request."
                        },
                        status_codes=["422"],
                        response_only=True,
                    )
                ],
            ),
        },
        examples=[
            OpenApiExample(
                "Plain text",
                value={
                    "title": "Ferry budget approved",
                    "body": "Harbor City approved a $12.5 million budget on Monday.\n\n"
                    "See Also: Ferry Fares To Rise In April\n",
                },
                request_only=True,
            ),
            OpenApiExample(
                "HTML",
                value={
                    "title": "Ferry budget approved",
                    "html": "<p>Harbor City approved a $12.5 million budget on Monday.</p>"
                    '<p>See Also: <a href="https://example.org/fares">Ferry Fares To Rise</a></p>',
                },
                request_only=True,
            ),
        ],
    )
    def create(self, request: Request) -> Response:
        key = request.headers.get("Idempotency-Key")
        if key is not None and not _KEY_SHAPE.match(key):
            raise DRFValidationError(
                {"Idempotency-Key": ["Use 1–255 printable ASCII characters without spaces."]}
            )
        fingerprint = ""
        if key is not None:
            fingerprint = services.request_fingerprint(
                method=request.method, path=request.path, data=request.data
            )
            replay = self._replay(request, key, fingerprint)
            if replay is not None:
                return replay
        data = validated(ArticleCreateSerializer, request)
        try:
            with transaction.atomic():
                article = article_services.create_article(by=request.user, **data)
                fresh = Article.objects.select_related("author").get(pk=article.pk)
                body = ArticleDetailSerializer(fresh, context=self.get_serializer_context()).data
                if key is not None:
                    services.store_response(
                        user=request.user, key=key, fingerprint=fingerprint, status=201, body=body
                    )
        except IntegrityError:
            # The same key committed by a concurrent request: this one's article was rolled back.
            replay = self._replay(request, key, fingerprint) if key is not None else None
            if replay is None:
                raise
            return replay
        return Response(body, status=201, headers={"Location": self._location(body["id"])})

    def _replay(self, request: Request, key: str, fingerprint: str) -> Response | None:
        try:
            stored = services.stored_response(user=request.user, key=key, fingerprint=fingerprint)
        except services.IdempotencyConflict as exc:
            return Response({"detail": str(exc)}, status=422)
        if stored is None:
            return None
        headers = {"Idempotent-Replayed": "true"}
        if isinstance(stored.response_body, dict) and "id" in stored.response_body:
            headers["Location"] = self._location(stored.response_body["id"])
        return Response(stored.response_body, status=stored.response_status, headers=headers)

    def _location(self, pk: int) -> str:
        return self.request.build_absolute_uri(reverse("api:article-detail", args=[pk]))


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documents BearerTokenAuthentication in the schema (Swagger UI's "Authorize" button)."""

    target_class = "integrations.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API token (settings page /integrations/tokens/ or the admin): "
                "`Authorization: Bearer <token>` (`Token <token>` works too)."
            ),
        }

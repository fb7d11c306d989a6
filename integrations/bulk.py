"""Bulk intake for feeds: up to API_BULK_MAX_ARTICLES articles per request, created (and, with
`"submit": true`, submitted for extraction) in one transaction, through the same services as one
create and one submit each. POST /api/v1/articles/bulk (docs/api.md, "Bulk intake").

All or nothing: an invalid item is a 400 naming its index and field, and nothing is created.
The request counts as one write for the caller's write limit; `Idempotency-Key` works as for a
single create (a retry gets the first response, no second batch).

Kept apart from the article viewsets on purpose: one view, one service function.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from articles import api as articles_api
from articles import permissions
from articles import services as article_services
from articles.models import Article
from articles.serializers import ErrorSerializer
from integrations import services
from integrations.serializers import ArticleCreateSerializer, ArticleCreateTextSerializer


class BulkArticleCreateSerializer(serializers.Serializer):
    articles = ArticleCreateSerializer(
        many=True, allow_empty=False, max_length=settings.API_BULK_MAX_ARTICLES
    )
    submit = serializers.BooleanField(
        default=False, help_text="Also submit each article for review (extraction is queued)."
    )


class BulkArticleCreateSchema(serializers.Serializer):
    """The schema's view of the request (each item may also be `{title, html}`, as for a single
    create; the schema names one shape to keep a single `ArticleCreate` component)."""

    articles = ArticleCreateTextSerializer(many=True)
    submit = serializers.BooleanField(default=False)


def create_articles(*, by: Any, items: list[dict[str, Any]], submit: bool) -> list[Article]:
    """Create a draft per item (`create_article`), and submit each (`submit_article`) when asked,
    all in one transaction: every article or none. Extraction is enqueued after commit, by the
    submit service's doorbell (one message for a deep queue)."""
    created = []
    with transaction.atomic():
        for item in items:
            article = article_services.create_article(by=by, **item)
            if submit:
                article_services.submit_article(article, by=by)
                article.status = Article.Status.SUBMITTED
            created.append(article)
    return created


class BulkArticleCreate(APIView):
    """POST a batch of articles (see the module)."""

    @extend_schema(
        summary="Create (and submit) up to API_BULK_MAX_ARTICLES articles at once",
        request=BulkArticleCreateSchema,
        parameters=[articles_api.RETRY_AFTER],
        responses={
            **articles_api.errors(400, 403, 413, 415, 429),
            422: OpenApiResponse(
                ErrorSerializer, "The Idempotency-Key was used before with a different request."
            ),
            201: inline_serializer(
                "BulkArticleCreated",
                {
                    "articles": inline_serializer(
                        "BulkArticleCreatedItem",
                        {
                            "id": serializers.IntegerField(),
                            "status": serializers.CharField(),
                            "url": serializers.CharField(),
                        },
                        many=True,
                    )
                },
            ),
        },
    )
    def post(self, request: Request) -> Response:
        if not permissions.can_create_article(request.user):
            return Response({"detail": "Only editors can write articles."}, status=403)
        key = request.headers.get("Idempotency-Key")
        fingerprint = ""
        if key is not None:
            if not (1 <= len(key) <= 255 and all(33 <= ord(c) <= 126 for c in key)):
                raise DRFValidationError(
                    {"Idempotency-Key": ["Use 1–255 printable ASCII characters without spaces."]}
                )
            fingerprint = services.request_fingerprint(
                method=request.method, path=request.path, data=request.data
            )
            replay = _replay(request, key, fingerprint)
            if replay is not None:
                return replay
        serializer = BulkArticleCreateSerializer(data=request.data)
        if not serializer.is_valid():
            raise DRFValidationError(flat_errors(serializer.errors))
        data = serializer.validated_data
        try:
            with transaction.atomic():
                articles = create_articles(
                    by=request.user, items=data["articles"], submit=data["submit"]
                )
                body = {
                    "articles": [
                        {
                            "id": article.pk,
                            "status": article.status,
                            "url": reverse("api:article-detail", args=[article.pk]),
                        }
                        for article in articles
                    ]
                }
                if key is not None:
                    services.store_response(
                        user=request.user, key=key, fingerprint=fingerprint, status=201, body=body
                    )
        except IntegrityError:
            replay = _replay(request, key, fingerprint) if key is not None else None
            if replay is None:
                raise
            return replay
        return Response(body, status=201)


def flat_errors(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """The API's error shape, {field: [messages]}, for nested input: an item's field is named by
    its path (`articles.2.body`), an error of the whole list or item by the list or the item."""
    if isinstance(errors, dict):
        flat: dict[str, list[str]] = {}
        for key, value in errors.items():
            name = prefix if key == "non_field_errors" and prefix else str(key)
            if prefix and key != "non_field_errors":
                name = f"{prefix}.{key}"
            for field, messages in flat_errors(value, name).items():
                flat.setdefault(field, []).extend(messages)
        return flat
    if isinstance(errors, list) and any(isinstance(item, (dict, list)) for item in errors):
        flat = {}
        for index, item in enumerate(errors):
            for field, messages in flat_errors(item, f"{prefix}.{index}").items():
                flat.setdefault(field, []).extend(messages)
        return flat
    messages = errors if isinstance(errors, list) else [errors]
    return {prefix or "non_field_errors": [str(message) for message in messages]}


def _replay(request: Request, key: str, fingerprint: str) -> Response | None:
    try:
        stored = services.stored_response(user=request.user, key=key, fingerprint=fingerprint)
    except services.IdempotencyConflict as exc:
        return Response({"detail": str(exc)}, status=422)
    if stored is None:
        return None
    return Response(
        stored.response_body,
        status=stored.response_status,
        headers={"Idempotent-Replayed": "true"},
    )


bulk_create_articles = BulkArticleCreate.as_view()

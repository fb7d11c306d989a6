"""API serializers of integrations: article ingestion from a feed (plain text or HTML)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from articles.serializers import (
    STATUS_READ_ONLY,
    ArticleTextSerializerField,
    RefuseReadOnlyMixin,
    TextField,
)
from articles.services import clean_article_text
from integrations.html_to_text import HtmlTooComplex, html_to_text


class ArticleCreateSerializer(RefuseReadOnlyMixin, serializers.Serializer):
    """A new draft: a title and exactly one of `body` (plain text, in the feed's paragraph shape)
    or `html` (a partner feed's HTML, turned into that shape; the original is kept). Title and body
    rules are the service's (`validate_article_input`), answered as 400 per field."""

    read_only_inputs = {
        "status": STATUS_READ_ONLY,
        "author": "Read-only: the author is the caller.",
        "source_html": "Send the HTML as `html`.",
    }

    title = ArticleTextSerializerField(
        allow_blank=True, trim_whitespace=False, max_length=settings.ARTICLE_MAX_TITLE_CHARS
    )
    body = ArticleTextSerializerField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=settings.ARTICLE_MAX_BODY_CHARS,
        help_text=(
            "Plain text: paragraphs separated by a blank line, `Label: headline` link lines, "
            "`- item` bullets; optionally starting with ` date YYYY-MM-DD `."
        ),
    )
    html = TextField(
        required=False,
        trim_whitespace=False,
        max_length=settings.API_MAX_HTML_CHARS,
        help_text=(
            "HTML instead of `body`: block elements end paragraphs, list items become `- item` "
            "lines, scripts and styles are dropped; the href of a related-link headline becomes "
            "the stored link's url."
        ),
    )
    dateline = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        has_body, has_html = "body" in attrs, "html" in attrs
        if has_body == has_html:
            raise serializers.ValidationError(
                {"non_field_errors": ["Send either `body` (plain text) or `html`, not both."]}
                if has_body
                else {"body": ["Send the article as `body` (plain text) or as `html`."]}
            )
        if has_html:
            try:
                converted = html_to_text(attrs["html"], max_elements=settings.API_MAX_HTML_ELEMENTS)
            except HtmlTooComplex as exc:
                # Counted before any conversion work: a bound on this request's CPU.
                raise serializers.ValidationError(
                    {"html": [f"Too many elements ({exc.elements:,}, limit {exc.limit:,})."]}
                ) from None
            if not converted.text.strip():
                raise serializers.ValidationError(
                    {"html": ["The HTML has no text once tags, scripts and styles are removed."]}
                )
            if len(converted.text) > settings.ARTICLE_MAX_BODY_CHARS:
                raise serializers.ValidationError(
                    {
                        "html": [
                            f"Its text is longer than {settings.ARTICLE_MAX_BODY_CHARS:,} characters."
                        ]
                    }
                )
            attrs["body"] = converted.text
            attrs["source_html"] = attrs.pop("html")
            attrs["source_links"] = converted.links
            attrs["cited_links"] = [link.as_dict() for link in converted.cited]
        # The one rule on an article's text (the service runs it again when it stores): here too,
        # so that a refused item of a bulk create is named by its place in the batch.
        try:
            clean_article_text(title=attrs.get("title", ""), body=attrs["body"])
        except DjangoValidationError as exc:
            field = "html" if "source_html" in attrs else "body"
            raise serializers.ValidationError(
                {
                    field if name == "body" else name: messages
                    for name, messages in exc.message_dict.items()
                }
            ) from None
        return attrs


# --- Schema only: the two shapes a create may take (exactly one of body or html) ---------------


class ArticleCreateTextSerializer(serializers.Serializer):
    """A draft from plain text."""

    title = TextField(max_length=settings.ARTICLE_MAX_TITLE_CHARS)
    body = TextField(
        max_length=settings.ARTICLE_MAX_BODY_CHARS,
        help_text=ArticleCreateSerializer._declared_fields["body"].help_text,
    )
    dateline = serializers.DateField(required=False, allow_null=True)


class ArticleCreateHtmlSerializer(serializers.Serializer):
    """A draft from a feed's HTML."""

    title = TextField(max_length=settings.ARTICLE_MAX_TITLE_CHARS)
    html = TextField(
        max_length=settings.API_MAX_HTML_CHARS,
        help_text=ArticleCreateSerializer._declared_fields["html"].help_text,
    )
    dateline = serializers.DateField(required=False, allow_null=True)

"""Security headers on every response (README, "Security"): the strict Content-Security-Policy on
the main pages of every role, and `Cache-Control: no-store` on whatever a signed-in caller gets
(pages, htmx partials, CSV exports, API answers), while static files and anonymous public pages
keep their caching. Plus a scan of the templates for what the policy would block, so a partial
the browser test does not reach cannot bring an inline script or style back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from review import services as review_services
from tests.conftest import make_article
from tests.support.verdicts import judge

pytestmark = [pytest.mark.usefixtures("api_settings"), pytest.mark.django_db]

POLICY = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
}
HTMX = {"HTTP_HX_REQUEST": "true"}


def directives(response) -> set[str]:
    return {part.strip() for part in response["Content-Security-Policy"].split(";")}


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.fixture
def story(editor, reviewer):
    article = make_article(editor, status="in_review")
    review_services.record_verdict(
        article.claims.get(ordinal=0),
        judged=judge(article.claims.get(ordinal=0)),
        by=reviewer,
        verdict="verified",
        note="Minutes.",
    )
    return article


def urls(article) -> dict[str, list[tuple[str, dict]]]:
    """Per role: (url, extra request headers) of its main pages and partials."""
    claim = article.claims.get(ordinal=0)
    detail = reverse("articles:detail", args=[article.pk])
    return {
        "editor": [
            (reverse("articles:dashboard"), {}),
            (reverse("articles:create"), {}),
            (detail, {}),
            (reverse("articles:gate", args=[article.pk]), HTMX),
            (reverse("articles:my_reviews"), HTMX),
            (reverse("articles:history_csv", args=[article.pk]), {}),
            (reverse("integrations:tokens"), {}),
        ],
        "reviewer": [
            (reverse("articles:dashboard"), {}),
            (reverse("review:queue"), {}),
            (reverse("review:queue_partial"), HTMX),
            (reverse("review:claim", args=[claim.pk]), {}),
            (reverse("review:claim_history_csv", args=[claim.pk]), {}),
            (detail, {}),
        ],
        "chief": [
            (reverse("articles:dashboard"), {}),
            (reverse("review:activity"), {}),
            (reverse("review:activity_csv"), {}),
            (detail, {}),
        ],
        "staff": [("/admin/", {}), ("/admin/articles/article/", {})],
    }


@pytest.mark.parametrize("role", ["editor", "reviewer", "chief", "staff"])
def test_every_main_page_of_every_role_has_the_strict_policy_and_no_store(
    client, story, request, role
):
    client.force_login(request.getfixturevalue(role))

    for url, headers in urls(story)[role]:
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        assert directives(response) == POLICY, url
        assert "unsafe" not in response["Content-Security-Policy"], url
        assert no_store(response), (url, response.get("Cache-Control"))


def test_a_page_an_api_answer_and_an_export_are_not_stored_for_a_signed_in_caller_only(
    client, api, story, editor
):
    detail = reverse("articles:detail", args=[story.pk])
    csv = reverse("articles:history_csv", args=[story.pk])
    anonymous_page = client.get(detail)  # a redirect to sign in: nothing private in it
    client.force_login(editor)
    page = client.get(detail)
    partial = client.get(reverse("articles:gate", args=[story.pk]), **HTMX)
    export = client.get(csv)
    token_read = api(editor).get(f"/api/v1/articles/{story.pk}")
    remembered = api(editor).get(f"/api/v1/articles/{story.pk}")  # the per-caller cache answers
    refused = api().get("/api/v1/articles", HTTP_AUTHORIZATION="Bearer wrong")

    assert anonymous_page.status_code == 302 and not no_store(anonymous_page)
    for response in (page, partial, export, token_read, remembered, refused):
        assert no_store(response), response
        assert "private" in response["Cache-Control"]
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert remembered.json() == token_read.json()
    assert refused.status_code == 401


def test_static_files_and_anonymous_public_pages_keep_their_caching(client, editor):
    client.force_login(editor)
    static = client.get("/static/css/app.css")
    client.logout()
    docs, schema = client.get("/api/docs/"), client.get("/api/schema/")

    assert static.status_code == 200 and "public" in static["Cache-Control"]
    assert not no_store(docs) and not no_store(schema)
    assert directives(docs) == POLICY


def test_only_the_redoc_page_allows_inline_styles_and_never_inline_scripts(client):
    redoc = directives(client.get("/api/redoc/"))

    assert "style-src 'self' 'unsafe-inline'" in redoc
    assert "script-src 'self'" in redoc
    assert redoc - {"style-src 'self' 'unsafe-inline'", "worker-src 'self' blob:"} == POLICY - {
        "style-src 'self'"
    }


# What the policy blocks, in markup: an inline <script> (one without src), a <style> element, a
# style or on* attribute, htmx's hx-on (compiled with eval), an htmx trigger filter [...] or a
# js:/javascript: value (both evaluated).
COMMENTS = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)
FORBIDDEN = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE), "inline <script>"),
    (re.compile(r"<style\b", re.IGNORECASE), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "event-handler attribute"),
    (re.compile(r"\shx-on[:-]", re.IGNORECASE), "hx-on attribute"),
    (re.compile(r"hx-trigger=\"[^\"]*\[", re.IGNORECASE), "hx-trigger filter"),
    (re.compile(r"(js|javascript):", re.IGNORECASE), "js: value"),
]


def test_no_template_holds_what_the_policy_would_block():
    found = []
    for template in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        text = COMMENTS.sub("", template.read_text())
        for pattern, what in FORBIDDEN:
            for match in pattern.finditer(text):
                found.append(f"{template.relative_to(settings.BASE_DIR)}: {what}: {match.group(0)}")

    assert found == []

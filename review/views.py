"""HTML views of review: the reviewer's queue, recording a verdict in place, publishing.

htmx and errors: a refused verdict comes back as the same claim row with the errors, status 422;
a verdict that the article's state no longer allows (published meanwhile, sentence removed by an
edit) comes back as the row with the message, status 409. htmx does not swap 4xx responses by
default, so base.html sets `htmx.config.responseHandling` to swap 409 and 422 (and nothing else of
4xx/5xx). Without JavaScript the same forms post normally: success redirects to `next`, a refused
verdict renders a small page with the form and its errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles import permissions
from articles.models import Article, Claim
from articles.services import InvalidTransition
from articles.views import ClaimRow, error_text, render_page
from review import services
from review.forms import PublishForm, VerdictForm

# --- Queue --------------------------------------------------------------------------------------


@dataclass
class QueueArticle:
    article: Article
    rows: list[ClaimRow] = field(default_factory=list)


def queue_context(user) -> dict[str, Any]:
    """Articles with claims awaiting `user`, oldest submission first, each with those claims.
    One query: the claims joined to their article and author, grouped here."""
    queue_url = reverse("review:queue")
    claims = (
        Claim.objects.awaiting(user)
        .select_related("article", "article__author")
        .order_by("article__submitted_at", "article_id", "ordinal", "id")
    )
    groups: list[QueueArticle] = []
    for claim in claims:
        if not groups or groups[-1].article.pk != claim.article_id:
            groups.append(QueueArticle(article=claim.article))
        groups[-1].rows.append(ClaimRow(claim=claim, judge=True, next_url=queue_url, in_queue=True))
    return {
        "groups": groups,
        "claim_count": sum(len(g.rows) for g in groups),
        "article_count": len(groups),
    }


def _require_reviewer(user) -> None:
    if not permissions.is_reviewer(user):
        raise PermissionDenied("The review queue is for reviewers.")


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request.user)
    return render_page(request, "review/queue.html", queue_context(request.user))


@login_required
@require_GET
def queue_partial(request: HttpRequest) -> HttpResponse:
    """The queue's list, re-fetched every few seconds so claims judged by others disappear."""
    _require_reviewer(request.user)
    return render(request, "includes/queue.html", queue_context(request.user))


# --- Verdicts -----------------------------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("review:queue")


def _row_response(
    request: HttpRequest, row: ClaimRow, *, status: int = 200, extra: dict | None = None
) -> HttpResponse:
    if request.htmx:
        return render(
            request, "includes/claim_row.html", {"row": row, **(extra or {})}, status=status
        )
    return render_page(request, "review/verdict.html", {"row": row}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def verdict(request: HttpRequest, pk: int) -> HttpResponse:
    """Record (or change) the verdict on one claim, from the queue or the article page."""
    claim = permissions.get_claim_for_user(request.user, pk)
    if not permissions.can_review_claim(request.user, claim):
        raise PermissionDenied("You may not judge this claim.")
    next_url = _next_url(request)
    in_queue = request.POST.get("source") == "queue"
    row = ClaimRow(claim=claim, judge=True, next_url=next_url, in_queue=in_queue)
    if request.method == "GET":
        return render_page(request, "review/verdict.html", {"row": row})

    form = VerdictForm(request.POST)
    if form.is_valid():
        try:
            claim = services.record_verdict(claim, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        except InvalidTransition as e:
            if not request.htmx:
                messages.error(request, str(e))
                return redirect(next_url)
            row.judge, row.message = False, str(e)
            return _row_response(request, row, status=409)
        else:
            if not request.htmx:
                messages.success(
                    request, f"Claim {row.number}: {claim.get_verdict_display().lower()}."
                )
                return redirect(next_url)
            saved = ClaimRow(
                claim=claim, judge=True, next_url=next_url, in_queue=in_queue, notice="Saved."
            )
            extra = {}
            if in_queue:
                extra["queue_summary"] = Claim.objects.awaiting(request.user).aggregate(
                    claim_count=Count("id"), article_count=Count("article", distinct=True)
                )
            response = _row_response(request, saved, extra=extra)
            # The article page re-fetches its gate block on this event.
            response["HX-Trigger"] = "claimJudged"
            return response
    errors = {name: list(messages_) for name, messages_ in form.errors.items()}
    row.values = {name: request.POST.get(name, "") for name in ("verdict", "note", "evidence_url")}
    row.message = " ".join(errors.pop("__all__", []))
    row.errors = errors
    return _row_response(request, row, status=422)


# --- Publishing ---------------------------------------------------------------------------------


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    article = permissions.get_article_for_user(request.user, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return redirect("articles:detail", pk=article.pk)
    try:
        services.publish_article(
            article, by=request.user, override_reason=form.cleaned_data["override_reason"]
        )
    except InvalidTransition as e:  # GateClosed too: its message carries the gate's reason
        messages.error(request, str(e))
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, "Published.")
    return redirect("articles:detail", pk=article.pk)

"""Publishing (now, scheduled, cancelling a schedule, unpublishing), and the article page's review
panel: due time and assignments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from articles import permissions
from articles.forms import ScheduleForm, UnpublishForm
from articles.models import Article
from articles.people import short_name
from articles.presenters import error_text
from articles.services import (
    InvalidTransition,
    cancel_schedule,
    publish_article,
    publish_correction,
    schedule_publication,
    unpublish_article,
)
from review import services
from review.forms import (
    AssignForm,
    CorrectionPublishForm,
    DueTimeForm,
    PublishForm,
)
from review.models import (
    Assignment,
)

User = get_user_model()

# --- Publishing ---------------------------------------------------------------------------------


def _form_errors(form) -> str:
    return " ".join(m for ms in form.errors.values() for m in ms)


def _transition(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type | None,
    change: Callable[[Article, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """One publishing action from the article page: the form parsed, the service called, and
    every refusal (a form error, a state the service refuses, the gate's reason, a rule on the
    input) shown as the page's message; back to the article page either way."""
    article = permissions.get_article_for_user(request.user, pk)
    data: dict[str, Any] = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return redirect("articles:detail", pk=article.pk)
        data = form.cleaned_data
    try:
        change(article, data)
    except InvalidTransition as e:  # GateClosed too: its message carries the gate's reason
        messages.error(request, str(e))
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, done)
    return redirect("articles:detail", pk=article.pk)


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        form_class=PublishForm,
        change=lambda article, data: publish_article(
            article, by=request.user, override_reason=data["override_reason"]
        ),
        done="Published.",
    )


@login_required
@require_POST
def publish_corrected(request: HttpRequest, pk: int) -> HttpResponse:
    """End a correction round: publish the corrected text with its public note (a chief editor
    may do it over unverified claims, with a reason, as for a publication)."""
    return _transition(
        request,
        pk,
        form_class=CorrectionPublishForm,
        change=lambda article, data: publish_correction(
            article,
            by=request.user,
            note=data["note"],
            override_reason=data["override_reason"],
        ),
        done="Correction published.",
    )


@login_required
@require_POST
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Schedule the publication (the gate block's form)."""
    return _transition(
        request,
        pk,
        form_class=ScheduleForm,
        change=lambda article, data: schedule_publication(
            article, by=request.user, at=data["publish_at"]
        ),
        done="Publication scheduled.",
    )


@login_required
@require_POST
def cancel_scheduled(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        form_class=None,
        change=lambda article, data: cancel_schedule(article, by=request.user),
        done="Scheduled publication cancelled.",
    )


@login_required
@require_POST
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        form_class=UnpublishForm,
        change=lambda article, data: unpublish_article(
            article, by=request.user, reason=data["reason"]
        ),
        done="Unpublished: the article is withdrawn.",
    )


# --- The article page's review panel: due time and assignments -----------------------------------


def _assignable_reviewers(article: Article, assigned_ids: list[int]) -> QuerySet:
    from articles.permissions import REVIEWER

    return (
        User.objects.filter(groups__name=REVIEWER, is_active=True)
        .exclude(pk=article.author_id)
        .exclude(pk__in=assigned_ids)
        .order_by("last_name", "first_name", "username")
        .distinct()
    )


def article_panel_context(
    user, article: Article, *, due_form: DueTimeForm | None = None, assign_form=None
) -> dict[str, Any]:
    assignments = list(
        Assignment.objects.filter(article=article)
        .select_related("reviewer", "assigned_by")
        .order_by("created_at", "id")
    )
    can_schedule = permissions.can_edit_article(user, article) and article.is_editable
    can_assign = permissions.is_chief(user) and article.is_editable
    context: dict[str, Any] = {
        "article": article,
        "assignments": [
            {"assignment": a, "name": short_name(a.reviewer), "by": short_name(a.assigned_by)}
            for a in assignments
        ],
        "can_schedule": can_schedule,
        "can_assign": can_assign,
    }
    if can_schedule:
        due = timezone.localtime(article.publish_by) if article.publish_by else None
        context["due_form"] = due_form or DueTimeForm(initial={"publish_by": due})
    if can_assign:
        reviewers = _assignable_reviewers(article, [a.reviewer_id for a in assignments])
        context["assign_form"] = assign_form or AssignForm(reviewers=reviewers)
    return context


def _panel_response(
    request: HttpRequest, article: Article, *, status: int = 200, notice: str = "", **forms: Any
) -> HttpResponse:
    """After a change in the review panel: the panel again (htmx), or back to the article page with
    a message; a refused change shows the panel's form with its errors."""
    if request.htmx or status != 200:
        article.refresh_from_db()
        context = article_panel_context(request.user, article, **forms)
        context["notice"] = notice
        template = "includes/review_panel.html" if request.htmx else "review/article_panel.html"
        return render(request, template, context, status=status)
    if notice:
        messages.success(request, notice)
    return redirect("articles:detail", pk=article.pk)


@login_required
@require_GET
def article_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Due time and assigned reviewers of an article: loaded into the article page by htmx, or a
    small page of its own without JavaScript."""
    article = permissions.get_article_for_user(request.user, pk)
    context = article_panel_context(request.user, article)
    if request.htmx:
        return render(request, "includes/review_panel.html", context)
    return render(request, "review/article_panel.html", context)


@login_required
@require_POST
def set_due(request: HttpRequest, pk: int) -> HttpResponse:
    article = permissions.get_article_for_user(request.user, pk, write=True)
    form = DueTimeForm(request.POST)
    if not form.is_valid():
        return _panel_response(request, article, status=422, due_form=form)
    try:
        article = services.set_publish_by(
            article, by=request.user, publish_by=form.cleaned_data["publish_by"]
        )
    except InvalidTransition as e:
        form.add_error(None, str(e))
        return _panel_response(request, article, status=409, due_form=form)
    return _panel_response(request, article, notice="Due time saved.")


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    article = permissions.get_article_for_user(request.user, pk)
    if not permissions.is_chief(request.user):
        raise PermissionDenied("Only a chief editor can assign articles to reviewers.")
    from articles.permissions import REVIEWER

    reviewers = User.objects.filter(groups__name=REVIEWER).distinct()
    form = AssignForm(request.POST, reviewers=reviewers)
    if not form.is_valid():
        return _panel_response(request, article, status=422, assign_form=form)
    reviewer = form.cleaned_data["reviewer"]
    try:
        services.assign_article(article, reviewer=reviewer, by=request.user)
    except ValidationError as e:
        form.add_error("reviewer", e.message_dict.get("reviewer", e.messages))
        return _panel_response(request, article, status=422, assign_form=form)
    except InvalidTransition as e:
        form.add_error(None, str(e))
        return _panel_response(request, article, status=409, assign_form=form)
    return _panel_response(request, article, notice=f"Assigned to {short_name(reviewer)}.")


@login_required
@require_POST
def unassign(request: HttpRequest, pk: int, reviewer_pk: int) -> HttpResponse:
    article = permissions.get_article_for_user(request.user, pk)
    reviewer = get_object_or_404(User, pk=reviewer_pk)
    try:
        removed = services.unassign_article(article, reviewer=reviewer, by=request.user)
    except InvalidTransition as e:
        return _panel_response(request, article, status=409, notice=str(e))
    notice = f"No longer assigned to {short_name(reviewer)}." if removed else ""
    return _panel_response(request, article, notice=notice)

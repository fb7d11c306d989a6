"""The chief editor's activity page and its CSV export."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from articles import permissions
from articles.exports import EVENT_CSV_HEADER, csv_response, event_csv_row
from articles.models import ArticleEvent
from articles.presenters import TimelineEntry, group_bulk
from review.forms import (
    ActivityFilterForm,
)

User = get_user_model()

ACTIVITY_PAGE_SIZE = 50

# --- Activity (chief editors) -------------------------------------------------------------------


def _activity(request: HttpRequest) -> tuple[ActivityFilterForm, QuerySet[ArticleEvent]]:
    if not permissions.is_chief(request.user):
        raise PermissionDenied("The activity page is for chief editors.")
    from articles.permissions import REVIEWER

    reviewers = (
        User.objects.filter(groups__name=REVIEWER)
        .order_by("last_name", "first_name", "username")
        .distinct()
    )
    form = ActivityFilterForm(request.GET, reviewers=reviewers)
    events = ArticleEvent.objects.select_related("article", "actor", "claim").order_by(
        "-created_at", "-id"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["reviewer"]:
            events = events.filter(actor=data["reviewer"])
        if data["article"]:
            events = events.filter(article_id=data["article"])
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["since"]:
            events = events.filter(created_at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(created_at__date__lte=data["until"])
    else:
        events = events.none()
    return form, events


@login_required
@require_GET
def activity(request: HttpRequest) -> HttpResponse:
    """Everything that happened, newest first, filtered by reviewer, article, kind and dates."""
    form, events = _activity(request)
    page = Paginator(events, ACTIVITY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "review/activity.html",
        {
            "form": form,
            "page_obj": page,
            # A bulk verdict is one entry (its rows are neighbours: written at once, newest first).
            "entries": group_bulk([TimelineEntry.of(e) for e in page.object_list]),
            "csv_query": urlencode([(k, v) for k, v in request.GET.items() if k != "page"]),
        },
    )


@login_required
@require_GET
def activity_csv(request: HttpRequest) -> HttpResponse:
    """The activity page's rows (all of them, with the same filters) as CSV."""
    _, events = _activity(request)
    return csv_response(
        "activity.csv",
        EVENT_CSV_HEADER,
        (event_csv_row(e) for e in events.iterator(chunk_size=1000)),
    )

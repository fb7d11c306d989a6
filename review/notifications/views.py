"""HTML views of the notifications: the bell (an htmx partial polled every 15 s), the list at
/notifications/ with mark read and mark all read, the preferences page, and the signed
unsubscribe link of the emails (no sign-in; GET asks, POST does it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from review.notifications import services
from review.notifications.forms import PreferencesForm
from review.notifications.models import Notification

PAGE_SIZE = 25


@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The header's unread count (one query), swapped into the bell link every 15 s. Signed out
    meanwhile (session expired, logged out in another tab): 204, nothing swapped, rather than the
    login page poured into the header."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(
        request, "notifications/bell.html", {"unread": services.unread_count(request.user)}
    )


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = (
        Notification.objects.for_user(request.user)
        .newest_first()
        .only("pk", "kind", "reason", "created_at", "read_at", "article_id", "claim_id")
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"notification": n, "url": services.link_of(n)} for n in page.object_list]
    return render(
        request,
        "notifications/list.html",
        {
            "page_obj": page,
            "rows": rows,
            "unread": services.unread_count(request.user),
        },
    )


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.mark_read(request.user, pk)
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None
    return _back(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(request.user)
    messages.success(request, f"Marked {count} notification{'' if count == 1 else 's'} read.")
    return _back(request)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = services.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        for kind, channel in form.cleaned_data.items():
            if current.get(kind) != channel:
                services.set_channel(request.user, kind=kind, channel=channel)
        messages.success(request, "Saved your notification preferences.")
        return redirect("notifications:settings")
    return render(
        request,
        "notifications/settings.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """From an email, without signing in: the signed token names the user and the kind."""
    found = services.read_unsubscribe_token(token)
    if found is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    user, rule = found
    if request.method == "POST":
        services.set_channel(user, kind=rule.name, channel="off")
        return render(request, "notifications/unsubscribed.html", {"rule": rule, "person": user})
    return render(request, "notifications/unsubscribe.html", {"rule": rule, "person": user})

"""Two things every response gets: `Cache-Control: no-store` for a signed-in caller, and the
caller's own time zone (`TimeZoneMiddleware`, at the end of this file).

What may be kept by a browser or a proxy: nothing said to a signed-in caller.

Every page, htmx partial, CSV export and API answer to a signed-in user (session or API token)
shows unpublished articles, verdicts, notes and names. Kept in a browser's cache it outlives the
logout (the back button, the next user of a shared newsroom machine); kept by a proxy it may be
served to someone else. So every response to an authenticated caller, or to a request carrying
credentials (an `Authorization` header, even a refused one), gets `Cache-Control: no-store`
(with `private`, for caches that do not know no-store). Static files (answered by WhiteNoise
before this runs) and anonymous public pages (the sign-in page, the API docs) keep their own
caching.

This is about HTTP caches only: the API's server-side, per-caller memory of rendered reads
(articles/cache.py) is not an HTTP cache and is unaffected.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.cache import patch_cache_control


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store, private` on every response to an authenticated caller.

    Listed after `AuthenticationMiddleware`: by the time a response comes back through here,
    `request.user` is the session's user or, for the API, the token's (DRF sets it on the
    underlying request when it authenticates)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if "HTTP_AUTHORIZATION" in request.META or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True, private=True)
        return response


# --- Each user's time zone ------------------------------------------------------------------------

# The zone kept in the session: set at sign-in and by the settings page, so that a request costs
# no query for it (the pages' query counts are pinned).
TIME_ZONE_SESSION_KEY = "newsroom_time_zone"


def remember_time_zone(request: HttpRequest, user) -> None:
    """Keep `user`'s time zone in their session (at sign-in: `user_logged_in`, connected in
    articles/apps.py; and after the settings page changed it)."""
    from articles.models import Profile

    profile = Profile.objects.filter(user=user).first()
    request.session[TIME_ZONE_SESSION_KEY] = profile.zone_name if profile else ""


class TimeZoneMiddleware:
    """Activates the signed-in user's time zone for the request (`django.utils.timezone.activate`):
    every time shown is converted to it and every time entered in a form is read in it. Anonymous
    callers, and sessions from before the preference existed until they sign in again, get the
    newsroom's default, `settings.TIME_ZONE`. Listed after `AuthenticationMiddleware`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        name = ""
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            name = session.get(TIME_ZONE_SESSION_KEY, "")
        try:
            if name:
                timezone.activate(_zone(name))
            else:
                timezone.deactivate()
            return self.get_response(request)
        finally:
            timezone.deactivate()


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)

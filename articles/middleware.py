"""What may be kept by a browser or a proxy: nothing said to a signed-in caller.

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

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
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

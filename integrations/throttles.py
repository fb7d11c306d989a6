"""Whose write limit a request counts against (the throttle itself: `integrations.rest`).

A request made with an API token that has its own `write_rate` (a wire feed: 10000/min) is
counted per token against that rate; every other write is counted per user (per address when
anonymous) against settings.API_WRITE_RATE. A token without its own rate shares its user's
count, as before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings

from integrations.models import ApiToken


def write_limit(request: Any, *, ident: Callable[[Any], str]) -> tuple[str, str]:
    """(rate, counter key) for this request's writes."""
    token = getattr(request, "auth", None)
    if isinstance(token, ApiToken) and token.write_rate:
        return token.write_rate, f"token:{token.pk}"
    user = request.user
    if user and user.is_authenticated:
        return settings.API_WRITE_RATE, f"user:{user.pk}"
    return settings.API_WRITE_RATE, f"ip:{ident(request)}"

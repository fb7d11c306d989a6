"""Template context every page gets (settings.TEMPLATES' context processors)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from articles import permissions


def _nav(user) -> dict[str, Any]:
    """What the header shows: role names and which links apply. Asks the permission predicates,
    which cache the user's groups, so the whole header costs one query per request."""
    roles = []
    if permissions.is_chief(user):
        roles.append("Chief editor")
    elif permissions.is_editor(user):
        roles.append("Editor")
    if permissions.is_reviewer(user):
        roles.append("Reviewer")
    if user.is_staff:
        roles.append("Staff")
    return {
        "roles": ", ".join(roles) or "No role",
        "can_create": permissions.can_create_article(user),
        "is_reviewer": permissions.is_reviewer(user),
        "is_chief": permissions.is_chief(user),
        # The Desk (review's page, linked by URL name in base.html): anyone with a role.
        "sees_desk": permissions.is_editor(user) or permissions.is_reviewer(user),
        "is_staff": user.is_staff,
    }


def navigation(request: HttpRequest) -> dict[str, Any]:
    """`nav` for the header of every full page. Lazy: an htmx partial that never reads it costs
    no query."""
    return {"nav": SimpleLazyObject(lambda: _nav(request.user))}

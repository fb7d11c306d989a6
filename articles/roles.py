"""The roles: Django groups (created by a data migration, assigned in the admin). A superuser
counts as a chief editor inside the app. A module of its own, importing nothing of ours, so models
(whose querysets filter by role) and the permission rules (which take models) don't import each
other."""

from __future__ import annotations

EDITOR = "Editor"
REVIEWER = "Reviewer"
CHIEF = "Chief editor"
ROLES = (EDITOR, REVIEWER, CHIEF)


def _groups(user) -> frozenset[str]:
    # Cached on the user object: a page asks several predicates, the database answers once.
    cached = getattr(user, "_newsroom_groups", None)
    if cached is None:
        if not user.is_authenticated or not user.is_active:
            cached = frozenset()
        else:
            cached = frozenset(user.groups.values_list("name", flat=True))
        user._newsroom_groups = cached
    return cached


def is_chief(user) -> bool:
    return (
        user.is_authenticated and user.is_active and (user.is_superuser or CHIEF in _groups(user))
    )


def is_editor(user) -> bool:
    return is_chief(user) or EDITOR in _groups(user)


def is_reviewer(user) -> bool:
    return REVIEWER in _groups(user)


def prime_groups(users) -> None:
    """Load the groups of many users in one query, so that the predicates then ask none (a
    notification's audience is checked user by user)."""
    users = [u for u in users if getattr(u, "_newsroom_groups", None) is None]
    if not users:
        return
    from django.contrib.auth import get_user_model

    through = get_user_model().groups.through
    names: dict[int, set[str]] = {}
    rows = through.objects.filter(user_id__in=[u.pk for u in users]).values_list(
        "user_id", "group__name"
    )
    for user_id, name in rows:
        names.setdefault(user_id, set()).add(name)
    for user in users:
        user._newsroom_groups = frozenset(names.get(user.pk, ())) if user.is_active else frozenset()

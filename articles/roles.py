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

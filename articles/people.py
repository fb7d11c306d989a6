"""How a person is named on screen, in exports and in the API: the one definition.

`display_name` is the full name ("Ravi Lee"), or the username when the account has no name;
`short_name` is the compact form for queue rows, holds and notes ("R. Lee"). A missing user (a
history row written by the system) is "System" in both.
"""

from __future__ import annotations

SYSTEM = "System"


def display_name(user) -> str:
    if user is None:
        return SYSTEM
    return name_of(user.first_name, user.last_name, user.get_username())


def name_of(first_name: str, last_name: str, username: str) -> str:
    """`display_name` from the columns (for lists that read plain values, not users)."""
    return f"{first_name or ''} {last_name or ''}".strip() or username


def short_name(user) -> str:
    if user is None:
        return SYSTEM
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if first and last:
        return f"{first[0]}. {last}"
    return first or last or user.get_username()

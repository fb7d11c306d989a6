"""Finding the people a comment mentions: `@username` (the autocomplete inserts the username of
the person picked by their display name). Django-free: the caller decides who may be mentioned.

A username is what Django's default validator allows (letters, digits and @/./+/-/_), but a
trailing "." or "," is punctuation, not part of the name ("thanks @rui."), and an "@" inside a
word is an e-mail address, not a mention.
"""

from __future__ import annotations

import re

# An @ at the start or after a character that cannot be in a username, then the name.
_MENTION = re.compile(r"(?<![\w.@+-])@([\w.+-]{1,150})")
MAX_MENTIONS = 20


def mentioned_usernames(text: str) -> list[str]:
    """The usernames `text` mentions, in order of first appearance, without duplicates (compared
    case-insensitively, as usernames are looked up), at most MAX_MENTIONS."""
    found: list[str] = []
    seen: set[str] = set()
    for match in _MENTION.finditer(text):
        name = match.group(1).rstrip(".,-")
        key = name.casefold()
        if name and key not in seen:
            seen.add(key)
            found.append(name)
            if len(found) == MAX_MENTIONS:
                break
    return found

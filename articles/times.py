"""How the newsroom writes dates and times: the one definition, used by the template filters
(`when`, `day`: articles/templatetags/newsroom.py) and by services that put a time into words.

Every time is shown in the time zone active for the request (each user's own:
`articles.middleware.TimeZoneMiddleware`, from `articles.models.Profile`) and labelled with it:
"6 Dec 2026, 14:02 CET". A date alone is "6 Dec 2026".
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.utils import dateformat, timezone

WHEN_FORMAT = "j M Y, H:i T"
DAY_FORMAT = "j M Y"


def when(value: dt.datetime | None) -> str:
    """A moment in the active time zone, with the zone's abbreviation: "6 Dec 2026, 14:02 CET"."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, WHEN_FORMAT)


def day(value: dt.date | dt.datetime | None) -> str:
    """A date: "6 Dec 2026" (a moment is first put into the active time zone)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, DAY_FORMAT)


@cache
def time_zone_names() -> tuple[str, ...]:
    """The IANA time zones a user may choose, sorted (from the system's tz database, or the
    tzdata package)."""
    return tuple(sorted(zoneinfo.available_timezones() - {"localtime", "Factory"}))


def validate_time_zone(name: str) -> None:
    if name and name not in time_zone_names():
        raise ValidationError(f"“{name}” is not a time zone name (for example Europe/Paris).")

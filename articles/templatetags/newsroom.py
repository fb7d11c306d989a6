"""The newsroom's template filters, built in to every template (settings.TEMPLATES `builtins`):
how people are named, and dates, times and durations are written. One definition each, so every page says them alike."""

from __future__ import annotations

from django import template

from articles import people, times

register = template.Library()


@register.filter
def duration(seconds: int | None) -> str:
    """ "4 min 05 s", "42 s": a countdown as static/js/app.js writes it while it ticks."""
    seconds = max(0, int(seconds or 0))
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


@register.filter
def display_name(user) -> str:
    """A person as every page names them (`articles.people.display_name`)."""
    return people.display_name(user)


@register.filter
def when(value) -> str:
    """A moment in the user's time zone, labelled: "6 Dec 2026, 14:02 CET" (`articles.times`)."""
    return times.when(value)


@register.filter
def day(value) -> str:
    """A date: "6 Dec 2026" (`articles.times`)."""
    return times.day(value)

"""A user's own settings (`articles.models.Profile`)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from articles.models import Profile
from articles.times import validate_time_zone


def update_profile(user, *, time_zone: str) -> Profile:
    """Set `user`'s time zone (an IANA name; "" for the newsroom's default), creating their
    profile on first use. Raises `ValidationError` on a name that is not a time zone. The page
    that calls this also refreshes the zone kept in the session (`articles.middleware`)."""
    time_zone = time_zone.strip()
    try:
        validate_time_zone(time_zone)
    except ValidationError as e:
        raise ValidationError({"time_zone": e.messages}) from None
    with transaction.atomic():
        profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
        profile.time_zone = time_zone
        profile.save(update_fields=["time_zone"])
    return profile

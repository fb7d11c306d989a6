"""What review keeps beside the articles: who is working on a claim right now (holds), and which
reviewers a chief editor gave an article to (assignments).

Verdicts themselves live on `articles.Claim` (the gate is one aggregate query there); the rules that
write these rows are in `review.services`.
"""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from articles.models import Article, Claim


def display_name(user) -> str:
    """'R. Lee' for a user with a full name, else the username: short enough for a queue row."""
    if user is None:
        return "System"
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if first and last:
        return f"{first[0]}. {last}"
    return first or last or user.get_username()


class ClaimHoldQuerySet(models.QuerySet["ClaimHold"]):
    def active(self, now: dt.datetime | None = None) -> ClaimHoldQuerySet:
        return self.filter(expires_at__gt=now or timezone.now())


class ClaimHold(models.Model):
    """A reviewer has a claim open. Until `expires_at` nobody else may judge it.

    One row per claim (the one-to-one is the invariant: two reviewers can never both hold it) and
    one per reviewer (opening another claim moves the hold). An expired row is simply ignored and
    is taken over or deleted by the next `hold_claim`/verdict; nothing needs to sweep it.
    """

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="hold")
    holder = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claim_hold"
    )
    taken_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    objects = ClaimHoldQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("taken_at")), name="claim_hold_expires_later"
            ),
        ]

    def __str__(self) -> str:
        return f"claim {self.claim_id} held by {self.holder_id} until {self.expires_at:%H:%M:%S}"

    def is_active(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at > (now or timezone.now())

    def minutes_left(self, now: dt.datetime | None = None) -> int:
        seconds = (self.expires_at - (now or timezone.now())).total_seconds()
        return max(1, math.ceil(seconds / 60))

    def describe(self, now: dt.datetime | None = None) -> str:
        """'Held by R. Lee for 3 more minutes.'"""
        minutes = self.minutes_left(now)
        unit = "minute" if minutes == 1 else "minutes"
        return f"Held by {display_name(self.holder)} for {minutes} more {unit}."


class Assignment(models.Model):
    """A chief editor asked this reviewer to take this article: it comes first in their queue."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["article", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "reviewer"], name="assignment_article_reviewer_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"article {self.article_id} → reviewer {self.reviewer_id}"

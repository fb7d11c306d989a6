"""The evidence archive's rows. Imported by `review.models`: the table and its migrations are
review's.

One `EvidenceSnapshot` per URL and content: fetching the same page twice and finding the same
bytes changes nothing; a page whose bytes changed gets a second row (the first, and its file,
stay). A row is `pending` until a worker has fetched it (the row is the job: the sweeper rings
again for a pending row whose message was lost), then `archived` or `failed` with the reason.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class EvidenceSnapshotQuerySet(models.QuerySet["EvidenceSnapshot"]):
    def settled(self) -> EvidenceSnapshotQuerySet:
        return self.exclude(state=EvidenceSnapshot.State.PENDING)

    def newest_first(self) -> EvidenceSnapshotQuerySet:
        return self.order_by("-created_at", "-id")


class EvidenceSnapshot(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Being archived"
        ARCHIVED = "archived", "Archived"
        FAILED = "failed", "Could not be archived"

    class ErrorKind(models.TextChoices):
        NONE = "", "—"
        BLOCKED = "blocked", "Blocked address"
        HTTP = "http", "Error status"
        TIMEOUT = "timeout", "Timed out"
        TOO_LARGE = "too_large", "Too large"
        NETWORK = "network", "Could not connect"
        UNREADABLE = "unreadable", "Unreadable"

    class Rot(models.TextChoices):
        NONE = "", "—"
        GONE = "gone", "Gone"
        CHANGED = "changed", "Changed"

    requested_url = models.URLField(max_length=2000, db_index=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    final_url = models.URLField(max_length=2000, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)  # of the bytes as received
    size = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)  # the main text (trafilatura / pypdf / as is)
    error_kind = models.CharField(max_length=20, choices=ErrorKind.choices, blank=True)
    error = models.TextField(blank=True)  # a sentence: why it failed, or why it has no text
    # The raw bytes, in Django's default storage (never in the database).
    file = models.FileField(upload_to="evidence/", max_length=300, blank=True)

    # The job: attempts so far, and until when the current attempt (or the wait before the next
    # one) owns the row; the sweeper rings for a pending row whose lease ran out.
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    # Link rot (`review.evidence.services.recheck_snapshot`): when the page is next fetched again,
    # when it last was, and what was found then. A changed page gets a new row; this one is
    # flagged `changed` and stays, with its file.
    recheck_at = models.DateTimeField(null=True, blank=True, db_index=True)
    rechecked_at = models.DateTimeField(null=True, blank=True)
    rot = models.CharField(max_length=20, choices=Rot.choices, blank=True, db_index=True)
    rot_note = models.TextField(blank=True)

    objects = EvidenceSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One job per URL at a time, and one archived row per URL and content.
            models.UniqueConstraint(
                fields=["requested_url"],
                condition=Q(state="pending"),
                name="evidence_one_pending_per_url",
            ),
            models.UniqueConstraint(
                fields=["requested_url", "sha256"],
                condition=Q(state="archived"),
                name="evidence_one_archived_per_content",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "archived", "failed"]),
                name="evidence_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state="archived") | (~Q(sha256="") & Q(fetched_at__isnull=False)),
                name="evidence_archived_has_content",
            ),
            models.CheckConstraint(
                condition=~Q(state="failed") | ~Q(error_kind=""),
                name="evidence_failed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requested_url} ({self.state})"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING

    @property
    def is_archived(self) -> bool:
        return self.state == self.State.ARCHIVED

    def failure(self) -> str:
        """Why it failed, short: 'Blocked address', '404 Not Found', 'Timed out', ..."""
        if self.error_kind == self.ErrorKind.HTTP and self.http_status:
            return f"HTTP {self.http_status}"
        return self.get_error_kind_display()

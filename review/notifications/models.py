"""The notifications' rows. Imported by `review.models`: the tables and their migrations are
review's.

- `Notification`: one per recipient, history row and rule (`rules.RULES`), written by the fan-out
  in the transaction that appended the history row (`services.fan_out`). It is the in-app entry
  and the email job at once: `email` says what is left to do for it.
- `NotificationPreference`: a user's channel for one kind; no row means the default (digest).
- `EmailMessageLog`: one row per email (an immediate one or a digest), with its bodies, so that a
  retry sends exactly what the first attempt tried; the admin shows it read-only.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Channel(models.TextChoices):
    OFF = "off", "Off"
    IN_APP = "in_app", "In the app only"
    IMMEDIATE = "immediate", "In the app, and an email at once"
    DIGEST = "digest", "In the app, and in a daily digest email"


DEFAULT_CHANNEL = Channel.DIGEST


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user) -> NotificationQuerySet:
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def newest_first(self) -> NotificationQuerySet:
        return self.order_by("-created_at", "-id")


class Notification(models.Model):
    class Email(models.TextChoices):
        NONE = "none", "No email"  # in-app channel
        PENDING = "pending", "Email to send"  # immediate channel, no message made yet
        DIGEST = "digest", "Waiting for the digest"
        QUEUED = "queued", "In an email"  # `email_message` says which, and how it went
        SKIPPED = "skipped", "Not emailed (preference changed)"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(
        "articles.ArticleEvent", on_delete=models.CASCADE, related_name="notifications"
    )
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="notifications"
    )
    claim = models.ForeignKey(
        "articles.Claim", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The rule's name (`rules.RULES`): "assigned", "entered_review", "unverified", ...
    kind = models.CharField(max_length=40)
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.CharField(max_length=10, choices=Email.choices, default=Email.NONE)
    email_message = models.ForeignKey(
        "EmailMessageLog",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A re-run of the fan-out never doubles a notification.
            models.UniqueConstraint(
                fields=["recipient", "event", "kind"], name="notification_once_per_event"
            ),
            models.CheckConstraint(
                condition=Q(email="queued") | Q(email_message__isnull=True),
                name="notification_message_only_when_queued",
            ),
        ]
        indexes = [
            # The list (newest first, a page at a time) and the bell's unread count.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(fields=["email", "created_at"], name="notification_email_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.reason}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=DEFAULT_CHANNEL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
            models.CheckConstraint(
                condition=Q(channel__in=[c.value for c in Channel]),
                name="notification_preference_channel_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.channel}"


class EmailMessageLog(models.Model):
    class Kind(models.TextChoices):
        IMMEDIATE = "immediate", "Immediate"
        DIGEST = "digest", "Digest"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending (to send or to retry)"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recipients = models.TextField()  # comma-separated addresses, as sent
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When the next attempt may start; also the lease of an attempt in progress.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="email_log_due_idx"),
            models.Index(fields=["user", "kind", "created_at"], name="email_log_user_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} email to {self.recipients}: {self.status}"

    def backoff(self) -> dt.timedelta:
        """How long after a failed attempt the next one waits: doubling, capped."""
        base = settings.NOTIFICATION_EMAIL_BACKOFF_SECONDS
        cap = settings.NOTIFICATION_EMAIL_BACKOFF_MAX_SECONDS
        return dt.timedelta(seconds=min(cap, base * 2 ** max(0, self.attempts - 1)))

"""What exists only for other systems: API tokens, webhook subscriptions and their delivery log,
and the idempotency keys of API creates.

`articles` and `review` never import this app; it reads their history table (`ArticleEvent`) as
the outbox of the webhooks (see `integrations.services`).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from articles.models import ArticleEvent


def hash_key(raw: str) -> str:
    """Tokens are stored as their SHA-256: a leaked table gives nobody a working token. The keys are
    random (240 bits), so a plain hash is enough; a slow password hash would only cost latency."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A bearer token for the API, acting as its user (with that user's roles). A user may hold
    several (one per integration); each can be revoked alone. The key is shown once, at creation."""

    KEY_PREFIX = "nwr_"
    VISIBLE_CHARS = 12

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “CMS sync”.")
    prefix = models.CharField(max_length=20, help_text="The start of the key, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Its own write limit, "<count>/<sec|min|hour|day>" (a wire feed: 10000/min), counted per
    # token; empty: the user's limit, settings.API_WRITE_RATE (articles.rest.WriteRateThrottle.write_limit).
    write_rate = models.CharField(
        max_length=30,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$",
                "Write it as a count per period, e.g. 10000/min.",
            )
        ],
        help_text="Writes this token may make, e.g. 10000/min; empty: the default per-user limit.",
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def new_key(cls) -> str:
        return cls.KEY_PREFIX + secrets.token_urlsafe(30)

    def set_key(self, raw: str) -> None:
        self.key_hash = hash_key(raw)
        self.prefix = raw[: self.VISIBLE_CHARS]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class WebhookSubscription(models.Model):
    """Deliver the chosen events to one URL, signed with this subscription's secret."""

    class Event(models.TextChoices):
        ARTICLE_EXTRACTED = "article.extracted", "Article extracted (enters review)"
        CLAIM_VERDICT_CHANGED = "claim.verdict_changed", "Claim verdict recorded or changed"
        ARTICLE_GATE_OPENED = "article.gate_opened", "Every claim verified (gate opened)"
        ARTICLE_PUBLISHED = "article.published", "Article published"
        ARTICLE_PUBLISHED_WITH_OVERRIDE = (
            "article.published_with_override",
            "Article published over unverified claims",
        )
        # Conversations on claims (review.conversations): a question is also a comment.
        COMMENT_CREATED = "comment.created", "Comment on a claim (questions included)"
        CLAIM_QUESTION_OPENED = "claim.question_opened", "Question to the author opened"
        CLAIM_QUESTION_RESOLVED = "claim.question_resolved", "Question to the author resolved"
        ARTICLE_UNPUBLISHED = "article.unpublished", "Article unpublished (withdrawn)"
        ARTICLE_CORRECTED = "article.corrected", "Correction of a published article published"

    name = models.CharField(max_length=100)
    target_url = models.URLField(max_length=2000)
    secret = models.CharField(
        max_length=100,
        default=secrets.token_hex,
        help_text="Shared secret for the X-Newsroom-Signature HMAC. Give it to the receiver.",
    )
    events = models.JSONField(default=list, help_text="Event types to deliver.")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} → {self.target_url}"

    def wants(self, event_type: str) -> bool:
        return self.is_active and event_type in (self.events or [])


class WebhookDelivery(models.Model):
    """One event for one subscription: the signed body, and how its delivery went. One row per
    (subscription, history row, event type), so nothing is ever sent twice by the dispatcher."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(ArticleEvent, on_delete=models.CASCADE, related_name="+")
    event_type = models.CharField(max_length=50, choices=WebhookSubscription.Event.choices)
    # The exact JSON sent (and signed): a redelivery sends the same body with a new timestamp.
    body = models.TextField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_response_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # When the next attempt is due; while an attempt runs, when its lease ends.
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event", "event_type"], name="webhook_delivery_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "succeeded", "failed"]),
                name="webhook_delivery_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.event_id} → {self.subscription_id} ({self.status})"


class WebhookCursor(models.Model):
    """The dispatcher's high-water mark in the history table (a single row, pk=1). The dispatcher
    also looks back a short while behind it, for events whose transaction committed late."""

    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"dispatched up to event {self.last_event_id}"


class DispatchedEvent(models.Model):
    """A history row the dispatcher has handled, whatever it produced: each row is evaluated once
    even while it is inside the dispatcher's look-back window. Purged after a while."""

    event = models.OneToOneField(
        ArticleEvent, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    dispatched_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"event {self.event_id} dispatched"


class IdempotencyKey(models.Model):
    """The stored outcome of a create sent with an `Idempotency-Key` header. A retry with the same
    key and the same request gets this response again; keys expire after
    `settings.IDEMPOTENCY_KEY_TTL_SECONDS` (24 h by default) and are then purged."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class Heartbeat(models.Model):
    """The last sign of life of one Celery worker or scheduler (integrations/heartbeats.py): its
    row is written every HEARTBEAT_SECONDS while it runs, and marked stopped when it stops cleanly.
    /readyz reads these; a row silent for too long without a stop is a process that died."""

    class Role(models.TextChoices):
        WORKER = "worker", "Worker"
        SCHEDULER = "scheduler", "Scheduler"

    role = models.CharField(max_length=20, choices=Role.choices)
    name = models.CharField(max_length=255, unique=True, help_text="Worker or scheduler name.")
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    # A scheduler: "active" (holds the lease, sends the periodic tasks) or "standby".
    state = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["role", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["worker", "scheduler"]), name="heartbeat_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class SchedulerLease(models.Model):
    """Who may run the periodic tasks (one row, pk=1): the scheduler named `holder` until
    `expires_at`. The holder renews it; another scheduler takes it only once it has expired
    (integrations/scheduler.py), so however many beats run, one sends."""

    holder = models.CharField(max_length=255)
    acquired_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.holder} until {self.expires_at:%H:%M:%S}"

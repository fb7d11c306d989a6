"""Tokens, idempotent creates and webhooks. Views, the API, the admin and tasks call these.

Webhooks work like the extraction jobs: the database is the truth, the broker a doorbell.

1. Every service of `articles`/`review` appends an `ArticleEvent` in the transaction of its change:
   that table is the outbox. A `post_save` receiver only rings the dispatcher after commit.
2. `dispatch_webhook_events()` reads new history rows (a high-water mark plus a short look-back for
   transactions that committed late), maps them to event types, and writes one `WebhookDelivery`
   per (subscription, row, type) — unique, so nothing is dispatched twice — with the signed body.
3. `deliver_webhook()` takes a pending delivery (compare-and-set, with a lease), POSTs it, and
   records the outcome: succeeded, pending again after an exponential backoff, or failed after
   `WEBHOOK_MAX_ATTEMPTS`. The sweeper re-enqueues deliveries whose message was lost.

Nothing here runs inside an article's transaction, so a receiver that is down, slow or wrong never
blocks or rolls back the workflow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

import outbound
from articles.history import article_status_after, gate_after, opened_gate, published_with
from articles.models import Article, ArticleEvent, Gate
from articles.text import claim_version
from integrations.models import (
    ApiToken,
    DispatchedEvent,
    IdempotencyKey,
    WebhookCursor,
    WebhookDelivery,
    WebhookSubscription,
    hash_key,
)
from newsroom.celery import ring
from review.conversations.models import Comment

logger = logging.getLogger(__name__)

Event = WebhookSubscription.Event

# --- API tokens ---------------------------------------------------------------------------------

# last_used_at is written at most this often per token: a busy integration costs no write per call.
TOKEN_TOUCH_SECONDS = 60


def create_api_token(*, user, name: str) -> tuple[ApiToken, str]:
    """Make a token for `user`. Returns the row and the key, which is never shown again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["Name the token after what will use it."]})
    if len(name) > 100:
        raise ValidationError({"name": ["At most 100 characters."]})
    raw = ApiToken.new_key()
    token = ApiToken(user=user, name=name)
    token.set_key(raw)
    token.save()
    logger.info("api token %s (%s) created for user %s", token.pk, token.prefix, user.pk)
    return token, raw


def revoke_api_token(token: ApiToken, *, by) -> ApiToken:
    """Revoke a token: its owner or staff. Revoking twice changes nothing."""
    if token.user_id != by.pk and not by.is_staff:
        raise PermissionDenied("You may only revoke your own tokens.")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    logger.info("api token %s revoked by user %s", token.pk, by.pk)
    return token


def find_api_token(raw: str) -> ApiToken | None:
    """The token row for a presented key (revoked ones included, so the caller can say so)."""
    if not raw or len(raw) > 200:
        return None
    try:
        return ApiToken.objects.select_related("user").get(key_hash=hash_key(raw))
    except ApiToken.DoesNotExist:
        return None


def touch_api_token(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at and (now - token.last_used_at).total_seconds() < TOKEN_TOUCH_SECONDS:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


# --- Idempotency keys ---------------------------------------------------------------------------


class IdempotencyConflict(Exception):
    """The key was used before for a different request."""


def request_fingerprint(*, method: str, path: str, data: Any) -> str:
    canonical = json.dumps(
        {"method": method, "path": path, "data": data},
        sort_keys=True,
        separators=(",", ":"),
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _key_cutoff() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS)


def stored_response(*, user, key: str, fingerprint: str) -> IdempotencyKey | None:
    """The response stored for `key`, or None when the key is new (or expired). Raises
    IdempotencyConflict when the key was used for a different request."""
    found = IdempotencyKey.objects.filter(user=user, key=key, created_at__gte=_key_cutoff()).first()
    if found is None:
        return None
    if found.request_hash != fingerprint:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used for a different request. "
            "Send a new key for a new request."
        )
    return found


def store_response(*, user, key: str, fingerprint: str, status: int, body: Any) -> IdempotencyKey:
    """Record the response of a request made with `key`. Call in the transaction of the change, so
    the stored response and the row it describes commit together. An expired row with the same
    key is replaced."""
    IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=_key_cutoff()).delete()
    return IdempotencyKey.objects.create(
        user=user,
        key=key,
        request_hash=fingerprint,
        response_status=status,
        response_body=json.loads(json.dumps(body, cls=DjangoJSONEncoder)),
    )


def purge_idempotency_keys() -> int:
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=_key_cutoff()).delete()
    return deleted


# --- Webhooks: targets and signatures -----------------------------------------------------------


def check_target_url(url: str, *, resolve: bool = True) -> None:
    """Refuse targets a webhook must not reach (the SSRF guard of `outbound`): anything but
    http(s), user info or a backslash in the URL, and (unless WEBHOOK_ALLOW_PRIVATE_TARGETS)
    hosts that are or resolve to loopback, private, link-local or shared addresses, in any IPv6
    form that carries one (NAT64, IPv4-mapped, ...). Cloud metadata, multicast, reserved and
    documentation addresses are refused even then. Forms call it with `resolve=False` (a name is
    judged by its form); every delivery checks again, resolving, and connects to the address it
    checked (`outbound.fetch`), so a DNS answer changed in between (rebinding) is caught."""
    try:
        outbound.check_url(
            url,
            allow_private=settings.WEBHOOK_ALLOW_PRIVATE_TARGETS,
            resolve=resolve,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        )
    except outbound.FetchError as exc:
        raise ValidationError({"target_url": [str(exc)]}) from None


def sign(secret: str, timestamp: int, body: str) -> str:
    """`X-Newsroom-Signature`: `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp}.{body}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, header: str, body: str, *, tolerance: int = 300) -> bool:
    """What a receiver does (docs/api.md): recompute the HMAC, compare in constant time, and
    refuse old timestamps (replays)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (ValueError, KeyError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


# --- Webhooks: from history rows to deliveries ---------------------------------------------------

# Transactions commit in a different order than their ids were handed out (PostgreSQL): a row
# with a lower id may become visible after the cursor passed it. The dispatcher looks back this long.
LOOKBACK = dt.timedelta(minutes=2)
DISPATCH_BATCH = 500
RELEVANT_KINDS = (
    ArticleEvent.Kind.STATUS,
    ArticleEvent.Kind.VERDICT,
    ArticleEvent.Kind.OVERRIDE,
    ArticleEvent.Kind.COMMENT,
    ArticleEvent.Kind.QUESTION_OPENED,
    ArticleEvent.Kind.QUESTION_RESOLVED,
    ArticleEvent.Kind.UNPUBLISHED,
    ArticleEvent.Kind.CORRECTED,
)


def ring_webhook_doorbell(sender, events: list[ArticleEvent], **kwargs: Any) -> None:
    """`articles.signals.history_appended`: after commit, ask for a dispatch when a row may be
    a webhook event. Sends and writes nothing."""
    if any(event.kind in RELEVANT_KINDS for event in events):
        transaction.on_commit(enqueue_dispatch)


def enqueue_dispatch() -> bool:
    """Ring the dispatcher, if anyone subscribes. A broker that is down or stalled costs no wait
    and raises nothing (`newsroom.celery.ring`): the webhook sweeper dispatches the history rows."""
    from integrations.tasks import dispatch_webhook_events

    if not WebhookSubscription.objects.filter(is_active=True).exists():
        return False
    return ring(dispatch_webhook_events, what="enqueueing the webhook dispatch")


def event_types(event: ArticleEvent, gate: Gate | None = None) -> list[str]:
    """The webhook event types one history row stands for."""
    kind = event.kind
    if kind == ArticleEvent.Kind.STATUS and event.to_state == Article.Status.IN_REVIEW:
        return [Event.ARTICLE_EXTRACTED]
    if kind == ArticleEvent.Kind.STATUS and event.to_state == Article.Status.PUBLISHED:
        # A correction's publication is `article.corrected` (its own row), not a new publication.
        if ArticleEvent.Kind.CORRECTED in published_with(event):
            return []
        return [Event.ARTICLE_PUBLISHED]
    if kind == ArticleEvent.Kind.OVERRIDE:
        return [Event.ARTICLE_PUBLISHED_WITH_OVERRIDE]
    if kind == ArticleEvent.Kind.UNPUBLISHED:
        return [Event.ARTICLE_UNPUBLISHED]
    if kind == ArticleEvent.Kind.CORRECTED:
        return [Event.ARTICLE_CORRECTED]
    if kind == ArticleEvent.Kind.VERDICT:
        types = [Event.CLAIM_VERDICT_CHANGED]
        # The gate opens with the verdict that verifies the last open claim (articles.history).
        if opened_gate(event, gate):
            types.append(Event.ARTICLE_GATE_OPENED)
        return types
    if kind == ArticleEvent.Kind.COMMENT:
        return [Event.COMMENT_CREATED]
    if kind == ArticleEvent.Kind.QUESTION_OPENED:
        return [Event.COMMENT_CREATED, Event.CLAIM_QUESTION_OPENED]
    if kind == ArticleEvent.Kind.QUESTION_RESOLVED:
        return [Event.CLAIM_QUESTION_RESOLVED]
    return []


def gate_json(gate: Gate) -> dict[str, Any]:
    return {
        "total": gate.total,
        "pending": gate.pending,
        "unverified": gate.unverified,
        "verified": gate.verified,
        "is_open": gate.is_open,
        "reason": gate.reason,
    }


def event_payload(event: ArticleEvent, event_type: str, gate: Gate) -> dict[str, Any]:
    article = event.article
    payload: dict[str, Any] = {
        "id": f"{event.pk}.{event_type}",
        "type": event_type,
        "occurred_at": event.created_at,
        "actor": event.actor.get_username() if event.actor else None,
        "article": {
            "id": article.pk,
            "title": article.title,
            "status": article_status_after(event),
            "url": settings.WEBHOOK_SITE_URL.rstrip("/")
            + reverse("articles:detail", args=[article.pk]),
            "gate": gate_json(gate),
        },
    }
    if event.kind in (ArticleEvent.Kind.OVERRIDE, ArticleEvent.Kind.UNPUBLISHED):
        payload["reason"] = event.note
    if event.kind == ArticleEvent.Kind.CORRECTED:
        payload["correction_note"] = event.note
    if event.claim_id is not None and event.kind == ArticleEvent.Kind.VERDICT:
        claim = event.claim
        # The sentence the verdict judged, as its history row kept it: the payload is built later
        # (the dispatcher reads the history), when an edit may have changed the claim.
        judged = event.claim_text or claim.text
        payload["claim"] = {
            "id": claim.pk,
            "ordinal": claim.ordinal,
            "text": judged,
            "version": claim_version(judged),
            "section": claim.section,
            "verdict": event.to_state,
            "previous_verdict": event.from_state,
            "note": event.note,
            "evidence_url": event.evidence_url,
        }
    if event.kind in CONVERSATION_KINDS:
        payload.update(conversation_payload(event))
    return payload


CONVERSATION_KINDS = (
    ArticleEvent.Kind.COMMENT,
    ArticleEvent.Kind.QUESTION_OPENED,
    ArticleEvent.Kind.QUESTION_RESOLVED,
)


def conversation_payload(event: ArticleEvent) -> dict[str, Any]:
    """The claim and the comment of a conversation's history row (docs/conversations.md: the
    event's comment, or for a resolution the question it resolved). The text is the event's note,
    as written then: a later edit appends its own row and changes no payload."""
    if event.kind == ArticleEvent.Kind.QUESTION_RESOLVED:
        comment = Comment.objects.select_related("author", "addressee").get(resolved_event=event)
        text = comment.event.note
    else:
        comment = Comment.objects.select_related("author", "addressee").get(event=event)
        text = event.note
    claim = event.claim
    data: dict[str, Any] = {
        "claim": {
            "id": claim.pk,
            "ordinal": claim.ordinal,
            "text": claim.text,
            "version": claim.text_sha,
            "section": claim.section,
        },
        "comment": {
            "id": comment.pk,
            "author": comment.author.get_username(),
            "body": text,
            "is_question": comment.is_question,
            "addressee": comment.addressee.get_username() if comment.addressee else None,
            "reply_to": comment.reply_to_id,
            "mentions": sorted(comment.mentions.values_list("user__username", flat=True)),
            "created_at": comment.created_at,
        },
    }
    if event.kind == ArticleEvent.Kind.QUESTION_RESOLVED:
        data["resolution"] = {"note": event.note, "resolved_at": event.created_at}
    return data


def render_body(payload: dict[str, Any]) -> str:
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def dispatch_webhook_events() -> list[int]:
    """Write the deliveries for history rows not dispatched yet; returns the ids of the deliveries
    to send (the caller enqueues them after commit).

    Runs under a lock on the cursor row, so dispatchers take turns. A row is considered when it is
    past the cursor or recent (LOOKBACK, for transactions that committed late) and has no
    `DispatchedEvent` mark; each handled row gets its mark, so it is evaluated once, and the unique
    delivery key makes a row seen twice harmless anyway."""
    created: list[int] = []
    now = timezone.now()
    with transaction.atomic():
        WebhookCursor.objects.get_or_create(pk=1)
        cursor = WebhookCursor.objects.select_for_update().get(pk=1)
        subscriptions = list(WebhookSubscription.objects.filter(is_active=True))
        newest = ArticleEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if not subscriptions:
            cursor.last_event_id = max(cursor.last_event_id, newest)
            cursor.save(update_fields=["last_event_id", "updated_at"])
            return created
        since = min(s.created_at for s in subscriptions)
        window = Q(pk__gt=cursor.last_event_id) | Q(created_at__gte=now - LOOKBACK)
        events = list(
            ArticleEvent.objects.filter(window, kind__in=RELEVANT_KINDS, created_at__gte=since)
            .exclude(pk__in=DispatchedEvent.objects.values("event_id"))
            .select_related("article", "claim", "actor")
            .order_by("pk")[:DISPATCH_BATCH]
        )
        existing = set(
            WebhookDelivery.objects.filter(event__in=[e.pk for e in events]).values_list(
                "subscription_id", "event_id", "event_type"
            )
        )
        new_rows = []
        for event in events:
            gate = gate_after(event)
            for event_type in event_types(event, gate):
                body = None
                for sub in subscriptions:
                    if not sub.wants(event_type) or event.created_at < sub.created_at:
                        continue
                    if (sub.pk, event.pk, event_type) in existing:
                        continue
                    body = body or render_body(event_payload(event, event_type, gate))
                    new_rows.append(
                        WebhookDelivery(
                            subscription=sub,
                            event=event,
                            event_type=event_type,
                            body=body,
                            next_attempt_at=now,
                        )
                    )
        for row in new_rows:
            row.save()
            created.append(row.pk)
        DispatchedEvent.objects.bulk_create(
            [DispatchedEvent(event=event, dispatched_at=now) for event in events],
            ignore_conflicts=True,
        )
        high = events[-1].pk if len(events) == DISPATCH_BATCH else newest
        cursor.last_event_id = max(cursor.last_event_id, high)
        cursor.save(update_fields=["last_event_id", "updated_at"])
    if created:
        logger.info("webhooks: %d deliveries dispatched", len(created))
    return created


def purge_dispatch_marks() -> int:
    """Marks older than the look-back are no longer read (the cursor is past their rows)."""
    deleted, _ = DispatchedEvent.objects.filter(
        dispatched_at__lt=timezone.now() - 10 * LOOKBACK
    ).delete()
    return deleted


# --- Webhooks: sending --------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post_webhook(delivery: WebhookDelivery) -> Outcome:
    """POST one delivery through the outbound guard: checked target, connection to the checked
    address, no redirects followed (a redirect is a failed attempt), the answer's body read up to
    4 KiB, a total deadline of twice WEBHOOK_TIMEOUT_SECONDS."""
    subscription = delivery.subscription
    timestamp = int(time.time())
    try:
        response = outbound.fetch(
            subscription.target_url,
            method="POST",
            body=delivery.body.encode("utf-8"),
            headers={
                "Content-Type": "application/json",
                "User-Agent": "newsroom-webhooks/1",
                "X-Newsroom-Event": delivery.event_type,
                "X-Newsroom-Delivery": str(delivery.delivery_id),
                "X-Newsroom-Signature": sign(subscription.secret, timestamp, delivery.body),
            },
            follow_redirects=False,
            max_bytes=4096,
            truncate=True,
            connect_timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            read_timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            timeout=2 * settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_private=settings.WEBHOOK_ALLOW_PRIVATE_TARGETS,
        )
    except outbound.FetchError as exc:
        return Outcome(None, str(exc)[:2000])
    if response.ok:
        return Outcome(response.status, "")
    return Outcome(response.status, f"HTTP {response.status} {response.reason}".strip())


def backoff_seconds(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failure: base × 2^(attempts-1), capped."""
    delay = settings.WEBHOOK_BACKOFF_SECONDS * (2 ** max(0, attempts - 1))
    return min(delay, settings.WEBHOOK_BACKOFF_MAX_SECONDS)


def take_delivery(delivery_id: int) -> WebhookDelivery | None:
    """Take a due pending delivery for this attempt (compare-and-set). While the attempt runs,
    `next_attempt_at` is its lease: another message for the same delivery finds it not due."""
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3 + 30)
    # A second of slack: a countdown message may arrive a little before the stored due time.
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + dt.timedelta(seconds=1))
    with transaction.atomic():
        taken = WebhookDelivery.objects.filter(
            due, pk=delivery_id, status=WebhookDelivery.Status.PENDING
        ).update(next_attempt_at=now + lease, attempts=F("attempts") + 1, updated_at=now)
    if taken != 1:
        return None
    return WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)


def deliver_webhook(delivery_id: int) -> tuple[str, float | None]:
    """Send one delivery once. Returns its new status and, when another attempt is due, the delay
    before it (the task enqueues it). A delivery that is not pending or not due is left alone."""
    delivery = take_delivery(delivery_id)
    if delivery is None:
        return "skipped", None
    if not delivery.subscription.is_active:
        outcome = Outcome(None, "The subscription is disabled.")
        final = True
    else:
        outcome = post_webhook(delivery)
        final = outcome.ok or delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    now = timezone.now()
    delay = None if final else backoff_seconds(delivery.attempts)
    if outcome.ok:
        status = WebhookDelivery.Status.SUCCEEDED
    elif final:
        status = WebhookDelivery.Status.FAILED
    else:
        status = WebhookDelivery.Status.PENDING
    # Only the attempt that took the row writes its outcome (a redelivery may have reset it).
    WebhookDelivery.objects.filter(
        pk=delivery.pk, status=WebhookDelivery.Status.PENDING, attempts=delivery.attempts
    ).update(
        status=status,
        last_response_code=outcome.status_code,
        last_error=outcome.error,
        next_attempt_at=None if delay is None else now + dt.timedelta(seconds=delay),
        delivered_at=now if outcome.ok else None,
        updated_at=now,
    )
    log = logger.info if outcome.ok else logger.warning
    log(
        "webhook delivery %s (%s) attempt %d: %s %s",
        delivery.pk,
        delivery.event_type,
        delivery.attempts,
        outcome.status_code or "-",
        outcome.error or "ok",
    )
    return status, delay


def redeliver(delivery: WebhookDelivery, *, by) -> WebhookDelivery:
    """Staff: send a delivery again, whatever happened to it, with fresh attempts."""
    if not by.is_staff:
        raise PermissionDenied("Only staff can redeliver webhooks.")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        last_error="",
        delivered_at=None,
        updated_at=timezone.now(),
    )
    transaction.on_commit(lambda: enqueue_delivery(delivery.pk))
    delivery.refresh_from_db()
    return delivery


def enqueue_delivery(delivery_id: int, *, countdown: float | None = None) -> bool:
    """Ring for one delivery (True if sent); when the broker is down the sweeper re-enqueues it."""
    from integrations.tasks import deliver_webhook as task

    return ring(
        task,
        args=[delivery_id],
        countdown=countdown,
        what=f"enqueueing webhook delivery {delivery_id}",
    )


def sweep_webhooks() -> dict[str, int]:
    """Beat: dispatch rows whose doorbell was lost, re-enqueue deliveries overdue by more than the
    grace period (their message was lost, or the worker died during the attempt)."""
    dispatched = dispatch_webhook_events()
    for delivery_id in dispatched:
        enqueue_delivery(delivery_id)
    purge_dispatch_marks()
    overdue = timezone.now() - dt.timedelta(seconds=settings.WEBHOOK_SWEEP_GRACE_SECONDS)
    requeued = 0
    for delivery_id in WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lt=overdue
    ).values_list("pk", flat=True)[:DISPATCH_BATCH]:
        requeued += enqueue_delivery(delivery_id)
    counts = {"dispatched": len(dispatched), "requeued": requeued}
    if any(counts.values()):
        logger.info("webhook sweep: %s", counts)
    return counts

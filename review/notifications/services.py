"""The notifications' writes. Every caller (the history receiver, views, the API, tasks, beat)
goes through here.

- `fan_out(events)`: the `history_appended` receiver. Inside the transaction that appended the
  rows it writes one `Notification` per recipient and rule (derived data, like an outbox: nothing
  else changes), and rings the immediate emails once that transaction commits.
- `make_immediate_email(id)` / `make_digest(user)`: turn notifications into an `EmailMessageLog`
  row (the email job, with its bodies); `deliver(log_id)` sends it through Django's email
  framework, retrying with backoff; `sweep()` rings again for emails whose message was lost;
  `send_due_digests()` is the daily digest.
- `set_channel`, `mark_read`, `mark_all_read`, and the signed unsubscribe links.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections import OrderedDict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from articles import permissions, roles
from articles.models import ArticleEvent, Profile
from newsroom.celery import ring
from review.notifications.models import (
    DEFAULT_CHANNEL,
    Channel,
    EmailMessageLog,
    Notification,
    NotificationPreference,
)
from review.notifications.rules import RULES, Batch, all_rules, rule_named

logger = logging.getLogger(__name__)

SEND_TASK = "review.send_notification_emails"
DELIVER_TASK = "review.deliver_email"
LEASE = dt.timedelta(minutes=2)  # longer than one SMTP attempt can take (EMAIL_TIMEOUT)
SWEEP_BATCH = 200
UNSUBSCRIBE_SALT = "review.notifications.unsubscribe"
EMAIL_STATE = {
    Channel.IN_APP: Notification.Email.NONE,
    Channel.IMMEDIATE: Notification.Email.PENDING,
    Channel.DIGEST: Notification.Email.DIGEST,
}


# --- Preferences --------------------------------------------------------------------------------


def channels_of(user_ids: Iterable[int], kinds: Iterable[str]) -> dict[tuple[int, str], str]:
    """Each (user, kind)'s channel, the default where the user set none (one query)."""
    user_ids, kinds = set(user_ids), set(kinds)
    found = {
        (user_id, kind): channel
        for user_id, kind, channel in NotificationPreference.objects.filter(
            user_id__in=user_ids, kind__in=kinds
        ).values_list("user_id", "kind", "channel")
    }
    return {(u, k): found.get((u, k), DEFAULT_CHANNEL) for u in user_ids for k in kinds}


def preferences_of(user) -> dict[str, str]:
    """{rule name: channel} for every rule, defaults included."""
    names = [rule.name for rule in all_rules()]
    return {kind: channel for (_, kind), channel in channels_of([user.pk], names).items()}


def set_channel(user, *, kind: str, channel: str) -> NotificationPreference:
    if rule_named(kind) is None:
        raise ValueError(f"unknown notification kind {kind!r}")
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"channel": channel}
    )
    return preference


# --- The fan-out --------------------------------------------------------------------------------


def fan_out(sender=None, *, events: list[ArticleEvent], **kwargs) -> list[Notification]:
    """Receiver of `articles.signals.history_appended`, sent by `log_event`/`log_events` inside
    their transaction: the notifications these history rows call for, written in that same
    transaction. Changes nothing but the notification rows; the emails are rung after commit."""
    candidates: list[tuple[ArticleEvent, str, object, str]] = []
    batch = Batch(events)
    for event in events:
        for rule in RULES.get(event.kind, ()):
            for user, reason in rule.audience(event, batch).items():
                if user.is_active and user.pk != event.actor_id:
                    candidates.append((event, rule.name, user, reason))
    if not candidates:
        return []
    roles.prime_groups({user.pk: user for _, _, user, _ in candidates}.values())
    visible = [c for c in candidates if permissions.can_view_article(c[2], c[0].article)]
    channels = channels_of({c[2].pk for c in visible}, {c[1] for c in visible})
    rows = [
        Notification(
            recipient=user,
            event=event,
            article_id=event.article_id,
            claim_id=event.claim_id,
            kind=kind,
            reason=reason[:500],
            created_at=event.created_at,
            email=EMAIL_STATE[channels[(user.pk, kind)]],
        )
        for event, kind, user, reason in visible
        if channels[(user.pk, kind)] != Channel.OFF
    ]
    # A second run over the same rows adds nothing (the unique constraint, conflicts ignored).
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(row.email == Notification.Email.PENDING for row in rows):
        immediate = list(
            Notification.objects.filter(
                event__in=[e.pk for e in events], email=Notification.Email.PENDING
            ).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: ring_send(immediate))
    return rows


def ring_send(notification_ids: list[int]) -> bool:
    return ring(SEND_TASK, args=[notification_ids], what="enqueueing notification emails")


def ring_deliver(log_id: int, *, countdown: float | None = None) -> bool:
    return ring(DELIVER_TASK, args=[log_id], countdown=countdown, what="enqueueing an email")


# --- In-app -------------------------------------------------------------------------------------


def unread_count(user) -> int:
    return Notification.objects.for_user(user).unread().count()


def mark_read(user, notification_id: int) -> Notification:
    """Mark one of `user`'s own notifications read (another user's: DoesNotExist)."""
    notification = Notification.objects.for_user(user).get(pk=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(user) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


# --- Emails: what they say ----------------------------------------------------------------------


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def link_of(notification: Notification) -> str:
    """Where a notification leads: its claim on the article page, or the article."""
    path = reverse("articles:detail", args=[notification.article_id])
    if notification.claim_id:
        path += f"#claim-{notification.claim_id}"
    return path


def unsubscribe_token(user, kind: str) -> str:
    return signing.dumps([user.pk, kind], salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str):
    """(user, rule) for a genuine link, else None (tampered, unknown user or kind)."""
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    rule = rule_named(kind) if isinstance(kind, str) else None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if rule is None or user is None:
        return None
    return user, rule


def unsubscribe_url(user, kind: str) -> str:
    return absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(user, kind)]))


def zone_of(user) -> zoneinfo.ZoneInfo:
    profile = Profile.objects.filter(user=user).first()
    name = profile.zone_name if profile else settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _entry(notification: Notification) -> dict[str, object]:
    rule = rule_named(notification.kind)
    return {
        "notification": notification,
        "label": rule.label if rule else notification.kind,
        "url": absolute(link_of(notification)),
    }


def _render(user, template: str, context: dict[str, object]) -> tuple[str, str]:
    """The plain-text and HTML bodies, times in the user's zone."""
    context = {
        **context,
        "user": user,
        "site_url": settings.SITE_URL.rstrip("/"),
        "preferences_url": absolute(reverse("notifications:settings")),
    }
    with timezone.override(zone_of(user)):
        text = render_to_string(f"notifications/email/{template}.txt", context)
        html = render_to_string(f"notifications/email/{template}.html", context)
    return text, html


def make_immediate_email(notification_id: int) -> EmailMessageLog | None:
    """The email of one immediate notification, made once (None: nothing to send)."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "article", "event")
            .filter(pk=notification_id, email=Notification.Email.PENDING)
            .first()
        )
        if notification is None:
            return None
        user = notification.recipient
        if not user.is_active or not user.email:
            notification.email = Notification.Email.SKIPPED
            notification.save(update_fields=["email"])
            return None
        entry = _entry(notification)
        text, html = _render(
            user,
            "immediate",
            {**entry, "unsubscribe_url": unsubscribe_url(user, notification.kind)},
        )
        log = EmailMessageLog.objects.create(
            user=user,
            recipients=user.email,
            subject=f"{entry['label']}: {notification.article.title}"[:300],
            body_text=text,
            body_html=html,
            kind=EmailMessageLog.Kind.IMMEDIATE,
        )
        notification.email = Notification.Email.QUEUED
        notification.email_message = log
        notification.save(update_fields=["email", "email_message"])
    return log


def make_digest(user, *, now: dt.datetime | None = None) -> EmailMessageLog | None:
    """One email with every notification of `user` waiting for the digest, grouped by article.
    Each notification goes into exactly one digest (locked, and moved on in the same transaction).
    Kinds the user has since set to another channel are left out (and not emailed later)."""
    with transaction.atomic():
        waiting = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(recipient=user, email=Notification.Email.DIGEST)
            .select_related("article")
            .order_by("created_at", "id")
        )
        if not waiting:
            return None
        channels = channels_of([user.pk], {n.kind for n in waiting})
        included = [n for n in waiting if channels[(user.pk, n.kind)] == Channel.DIGEST]
        left_out = [n.pk for n in waiting if channels[(user.pk, n.kind)] != Channel.DIGEST]
        if not user.email or not user.is_active:
            left_out += [n.pk for n in included]
            included = []
        Notification.objects.filter(pk__in=left_out).update(email=Notification.Email.SKIPPED)
        if not included:
            return None
        groups: OrderedDict[int, dict[str, object]] = OrderedDict()
        for notification in included:
            group = groups.setdefault(
                notification.article_id, {"article": notification.article, "entries": []}
            )
            group["entries"].append(_entry(notification))
        kinds = sorted({n.kind for n in included})
        unsubscribe = [
            {"label": rule_named(k).label if rule_named(k) else k, "url": unsubscribe_url(user, k)}
            for k in kinds
        ]
        count = len(included)
        text, html = _render(
            user,
            "digest",
            {"groups": list(groups.values()), "count": count, "unsubscribe": unsubscribe},
        )
        noun = "notification" if count == 1 else "notifications"
        log = EmailMessageLog.objects.create(
            user=user,
            recipients=user.email,
            subject=f"Newsroom digest: {count} {noun} on {len(groups)} "
            + ("article" if len(groups) == 1 else "articles"),
            body_text=text,
            body_html=html,
            kind=EmailMessageLog.Kind.DIGEST,
            created_at=now or timezone.now(),
        )
        Notification.objects.filter(pk__in=[n.pk for n in included]).update(
            email=Notification.Email.QUEUED, email_message=log
        )
    return log


def send_notification_emails(notification_ids: list[int]) -> int:
    """The task's work: make each immediate notification's email and ring its delivery."""
    made = 0
    for notification_id in notification_ids:
        log = make_immediate_email(notification_id)
        if log is not None:
            made += 1
            ring_deliver(log.pk)
    return made


def send_due_digests(*, now: dt.datetime | None = None) -> int:
    """Beat: a digest for each user with notifications waiting whose local digest hour has come
    and who has had no digest yet that local day. Returns how many digests were made."""
    now = now or timezone.now()
    user_ids = (
        Notification.objects.filter(email=Notification.Email.DIGEST)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    made = 0
    for user in get_user_model().objects.filter(pk__in=list(user_ids)):
        local = now.astimezone(zone_of(user))
        if local.hour < settings.NOTIFICATION_DIGEST_HOUR:
            continue
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        already = EmailMessageLog.objects.filter(
            user=user, kind=EmailMessageLog.Kind.DIGEST, created_at__gte=midnight
        ).exists()
        if already:
            continue
        log = make_digest(user, now=now)
        if log is not None:
            made += 1
            ring_deliver(log.pk)
    return made


# --- Emails: sending ----------------------------------------------------------------------------


def deliver(log_id: int) -> str:
    """One attempt to send an email: taken by compare-and-set (a second message for the same row
    finds it leased and does nothing), sent through Django's email backend, and settled: sent, or
    pending with the next attempt after the backoff (rung with that countdown), or failed after
    NOTIFICATION_EMAIL_MAX_ATTEMPTS. Never raises for an SMTP problem."""
    now = timezone.now()
    taken = EmailMessageLog.objects.filter(
        pk=log_id,
        status=EmailMessageLog.Status.PENDING,
        next_attempt_at__lte=now,
        attempts__lt=settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS,
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    if not taken:
        return "not due"
    log = EmailMessageLog.objects.get(pk=log_id)
    message = EmailMultiAlternatives(
        subject=log.subject,
        body=log.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address for address in log.recipients.split(",") if address],
    )
    message.attach_alternative(log.body_html, "text/html")
    try:
        message.send()
    except Exception as error:  # SMTP, socket and TLS errors alike: the row says what happened
        detail = f"{type(error).__name__}: {error}"[:2000]
        if log.attempts >= settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS:
            EmailMessageLog.objects.filter(pk=log_id).update(
                status=EmailMessageLog.Status.FAILED, last_error=detail
            )
            logger.warning(
                "email %s failed for good after %s attempts: %s", log_id, log.attempts, detail
            )
            return "failed"
        delay = log.backoff()
        EmailMessageLog.objects.filter(pk=log_id).update(
            last_error=detail, next_attempt_at=timezone.now() + delay
        )
        logger.info(
            "email %s attempt %s failed (%s); next in %ss",
            log_id,
            log.attempts,
            detail,
            delay.total_seconds(),
        )
        ring_deliver(log_id, countdown=delay.total_seconds())
        return "retrying"
    EmailMessageLog.objects.filter(pk=log_id).update(
        status=EmailMessageLog.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def sweep() -> int:
    """Beat: ring again for immediate notifications whose email was never made and for emails
    whose attempt is overdue (a lost message, a worker that died mid-attempt); fail the emails
    that used up their attempts. Returns how many doorbells rang."""
    now = timezone.now()
    grace = dt.timedelta(seconds=settings.NOTIFICATION_SWEEP_GRACE_SECONDS)
    overdue = EmailMessageLog.objects.filter(
        status=EmailMessageLog.Status.PENDING, next_attempt_at__lt=now - grace
    )
    overdue.filter(attempts__gte=settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS).update(
        status=EmailMessageLog.Status.FAILED
    )
    rung = 0
    for log_id in overdue.filter(attempts__lt=settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS).values_list(
        "pk", flat=True
    )[:SWEEP_BATCH]:
        rung += ring_deliver(log_id)
    lost = list(
        Notification.objects.filter(
            Q(email=Notification.Email.PENDING), created_at__lt=now - grace
        ).values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if lost:
        rung += ring_send(lost)
    return rung

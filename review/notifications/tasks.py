"""The notifications' tasks (registered through review/tasks.py). They take ids, re-read the rows
and are harmless when run twice: an email is made once per notification (its state moves on in
the same transaction) and each attempt takes its row by compare-and-set."""

from __future__ import annotations

from celery import shared_task

from review.notifications import services


@shared_task(name="review.send_notification_emails", acks_late=True, reject_on_worker_lost=True)
def send_notification_emails(notification_ids: list[int]) -> int:
    return services.send_notification_emails(notification_ids)


@shared_task(name="review.deliver_email", acks_late=True, reject_on_worker_lost=True)
def deliver_email(log_id: int) -> str:
    return services.deliver(log_id)


@shared_task(name="review.sweep_notification_emails")
def sweep_notification_emails() -> int:
    return services.sweep()


@shared_task(name="review.send_notification_digests")
def send_notification_digests() -> int:
    return services.send_due_digests()

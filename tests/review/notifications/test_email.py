"""Notification emails as they run in production: a workflow action commits, a real Celery
worker makes and sends the email through Django's SMTP backend to a real SMTP server (aiosmtpd
in a subprocess), and the test reads what arrived."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from articles import permissions
from articles.models import Profile
from review import services as review_services
from review.notifications import services
from review.notifications.models import EmailMessageLog, Notification
from tests.conftest import make_article, make_user
from tests.support.processes import wait_until
from tests.support.verdicts import judge

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text.replace("\r\n", "\n"), html.replace("\r\n", "\n")


def test_an_assignment_emails_the_reviewer_at_once(smtp_server, mail_worker, editor, chief):
    reviewer = make_user("rita", permissions.REVIEWER, email="rita@example.test")
    Profile.objects.create(user=reviewer, time_zone="Asia/Tokyo")
    services.set_channel(reviewer, kind="assigned", channel="immediate")
    mail_worker()
    article = make_article(editor, title="Ferry <script>budget</script>", status="in_review")

    review_services.assign_article(article, reviewer=reviewer, by=chief)

    [message] = smtp_server.wait_for(1)
    assert message.envelope_recipients == ["rita@example.test"]
    assert message["To"] == "rita@example.test"
    assert message["Subject"] == "An article is assigned to you: Ferry <script>budget</script>"
    text, html = parts(message)
    link = f"http://newsroom.test/articles/{article.pk}/"
    assert link in text and f'href="{link}"' in html
    assert "assigned you “Ferry <script>budget</script>”" in text
    assert "&lt;script&gt;budget&lt;/script&gt;" in html and "<script>" not in html
    assert "JST" in text and "JST" in html  # the reviewer's own time zone
    unsubscribe = re.search(r"Stop these notifications: (\S+)", text).group(1)
    assert unsubscribe.startswith("http://newsroom.test/notifications/unsubscribe/")
    wait_until(lambda: EmailMessageLog.objects.get().status == "sent", timeout=10)
    log = EmailMessageLog.objects.get()
    assert (log.status, log.attempts, log.kind) == ("sent", 1, "immediate")
    assert Notification.objects.get(recipient=reviewer, kind="assigned").email_message == log

    # The link in the email turns "assigned" off, without signing in.
    path = unsubscribe.removeprefix("http://newsroom.test")
    assert Client().get(path).status_code == 200
    assert Client().post(path).status_code == 200
    assert services.preferences_of(reviewer)["assigned"] == "off"


def test_each_reviewer_gets_what_their_preference_says(smtp_server, mail_worker, editor):
    off = make_user("off", permissions.REVIEWER, email="off@example.test")
    in_app = make_user("in_app", permissions.REVIEWER, email="in_app@example.test")
    immediate = make_user("immediate", permissions.REVIEWER, email="immediate@example.test")
    digest = make_user("digest", permissions.REVIEWER, email="digest@example.test")
    services.set_channel(off, kind="entered_review", channel="off")
    services.set_channel(in_app, kind="entered_review", channel="in_app")
    services.set_channel(immediate, kind="entered_review", channel="immediate")
    mail_worker()

    make_article(editor, status="in_review")  # enters review: every reviewer is told

    [message] = smtp_server.wait_for(1)
    assert message.envelope_recipients == ["immediate@example.test"]
    assert not Notification.objects.filter(recipient=off).exists()
    assert Notification.objects.get(recipient=in_app).email == "none"
    assert Notification.objects.get(recipient=digest).email == "digest"  # the default
    assert Notification.objects.get(recipient=immediate).email == "queued"
    assert EmailMessageLog.objects.count() == 1


def test_a_digest_groups_thirty_events_by_article_and_leaves_out_a_kind_turned_off(
    smtp_server, mail_worker, settings, reviewer
):
    settings.NOTIFICATION_DIGEST_HOUR = 0
    author = make_user("author", permissions.EDITOR, email="author@example.test")
    services.set_channel(author, kind="gate_opened", channel="off")
    mail_worker()
    titles = [f"Story {n}" for n in range(1, 7)]
    for title in titles:  # 6 articles × 5 claims marked unverified = 30 notifications
        article = make_article(author, title=title, status="in_review")
        for claim in article.claims.active():
            review_services.record_verdict(
                claim, by=reviewer, judged=judge(claim), verdict="unverified", note="No source."
            )
    verified = make_article(author, title="All verified", status="in_review")
    for claim in verified.claims.active():  # opens the gate: a kind the author turned off
        review_services.record_verdict(
            claim, by=reviewer, judged=judge(claim), verdict="verified", note="Checked."
        )

    assert services.send_due_digests() == 1
    assert services.send_due_digests() == 0  # one per local day; every entry is in one digest

    [message] = smtp_server.wait_for(1)
    assert message.envelope_recipients == ["author@example.test"]
    assert message["Subject"] == "Newsroom digest: 30 notifications on 6 articles"
    text, html = parts(message)
    assert re.findall(r"^== (.+) ==$", text, re.M) == titles
    assert len(re.findall(r"^- ", text, re.M)) == 30
    assert html.count('<li class="entry">') == 30
    assert [h for h in re.findall(r"<h2>(.+?)</h2>", html)] == titles
    assert "All verified" not in text and "verified" not in message["Subject"]
    log = EmailMessageLog.objects.get(kind="digest")
    wait_until(lambda: EmailMessageLog.objects.get(pk=log.pk).status == "sent", timeout=10)
    assert Notification.objects.filter(recipient=author, email_message=log).count() == 30
    assert not Notification.objects.filter(recipient=author, kind="gate_opened").exists()


def test_with_the_smtp_server_down_the_action_succeeds_and_the_email_goes_once_it_is_back(
    smtp_port, start_smtp, mail_worker, editor, chief
):
    reviewer = make_user("rita", permissions.REVIEWER, email="rita@example.test")
    services.set_channel(reviewer, kind="assigned", channel="immediate")
    mail_worker()
    article = make_article(editor, status="in_review")

    assignment = review_services.assign_article(article, reviewer=reviewer, by=chief)

    assert assignment.pk is not None  # the workflow action is done, whatever the mail server
    wait_until(
        lambda: EmailMessageLog.objects.filter(attempts__gte=2).exists(),
        timeout=30,
        what="two failed attempts",
    )
    log = EmailMessageLog.objects.get()
    assert log.status == "pending" and log.sent_at is None
    assert "Connection refused" in log.last_error or "Error" in log.last_error

    server = start_smtp(smtp_port)  # the server comes back on the same port

    [message] = server.wait_for(1)
    assert message.envelope_recipients == ["rita@example.test"]
    wait_until(lambda: EmailMessageLog.objects.get().status == "sent", timeout=10)
    log = EmailMessageLog.objects.get()
    assert log.attempts >= 3 and log.last_error == ""


def test_the_sweep_sends_what_a_lost_doorbell_left_behind(
    smtp_server, mail_worker, settings, editor, chief
):
    """An immediate notification whose email was never made, and an email whose attempt never
    came (both as a lost message leaves them): the beat sweep rings for both."""
    import datetime as dt

    from django.utils import timezone

    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 60
    reviewer = make_user("rita", permissions.REVIEWER, email="rita@example.test")
    article = make_article(editor, status="in_review")
    review_services.assign_article(article, reviewer=reviewer, by=chief)  # digest: no email
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    Notification.objects.filter(recipient=reviewer, kind="assigned").update(
        email="pending", created_at=long_ago
    )
    notice = Notification.objects.get(recipient=reviewer, kind="entered_review")
    Notification.objects.filter(pk=notice.pk).update(email="pending")  # recent: left alone
    stranded = EmailMessageLog.objects.create(
        user=reviewer,
        recipients="rita@example.test",
        subject="Stranded",
        body_text="Sent by the sweep.",
        body_html="<p>Sent by the sweep.</p>",
        kind="immediate",
        next_attempt_at=long_ago,
    )
    mail_worker()

    assert services.sweep() == 2

    messages = smtp_server.wait_for(2)
    assert sorted(m["Subject"] for m in messages) == [
        "An article is assigned to you: Ferry budget approved",
        "Stranded",
    ]
    wait_until(
        lambda: set(EmailMessageLog.objects.values_list("status", flat=True)) == {"sent"},
        timeout=10,
    )
    assert EmailMessageLog.objects.get(pk=stranded.pk).attempts == 1
    assert Notification.objects.get(pk=notice.pk).email == "pending"


def test_beat_sends_the_daily_digest_by_itself(
    smtp_server, smtp_port, mail_worker, start_beat, redis_server, reviewer
):
    """The schedule as deployed: beat runs `review.send_notification_digests`, the worker sends."""
    from urllib.parse import urlsplit, urlunsplit

    from tests.support.fixtures import UNHEARD_DATABASE
    from tests.support.smtp import email_env

    author = make_user("author", permissions.EDITOR, email="author@example.test")
    article = make_article(author, status="in_review")
    claim = article.claims.active().first()
    review_services.record_verdict(
        claim, by=reviewer, judged=judge(claim), verdict="unverified", note="No source."
    )
    timing = {"NOTIFICATION_DIGEST_HOUR": "0", "NOTIFICATION_DIGEST_SWEEP_SECONDS": "1"}
    mail_worker(**timing)
    unheard = urlunsplit(urlsplit(redis_server.url)._replace(path=f"/{UNHEARD_DATABASE}"))
    start_beat(env={"REDIS_URL": unheard, **email_env(smtp_port), **timing})

    [message] = smtp_server.wait_for(1, timeout=40)
    assert message.envelope_recipients == ["author@example.test"]
    assert message["Subject"] == "Newsroom digest: 1 notification on 1 article"
    assert "No source." in parts(message)[0]

"""Webhooks: the history table as outbox, event mapping and payloads, HMAC signatures verified as a
receiver would, delivery with bounded retries and exponential backoff against a real HTTP receiver
on 127.0.0.1, the SSRF guard, the delivery log and redelivery, and a run through a real Celery
worker. Delivery failures never touch the workflow."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.exceptions import ValidationError

from articles import services as articles_services
from articles.models import Article
from integrations import services
from integrations.models import DispatchedEvent, WebhookCursor, WebhookDelivery, WebhookSubscription
from integrations.tasks import dispatch_webhook_events
from review import services as review_services
from tests.conftest import STORY_CLAIMS, make_article, make_user
from tests.support.verdicts import judge

pytestmark = pytest.mark.usefixtures("api_settings")

Event = WebhookSubscription.Event
ALL_EVENTS = [choice for choice, _ in Event.choices]
SECRET = "s3cret-for-tests"


# --- A receiver, as a partner would run it ---------------------------------------------------


@dataclass
class Received:
    headers: dict[str, str]
    body: str
    at: float


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 answering with `codes` in turn (the last one repeats)."""

    codes: list[int]
    requests: list[Received] = field(default_factory=list)
    url: str = ""

    def verify(self, received: Received, secret: str = SECRET, tolerance: int = 300) -> bool:
        """Exactly what docs/api.md tells receivers to do."""
        fields = dict(
            part.split("=", 1) for part in received.headers["X-Newsroom-Signature"].split(",")
        )
        timestamp = int(fields["t"])
        expected = hmac.new(
            secret.encode(), f"{timestamp}.{received.body}".encode(), hashlib.sha256
        ).hexdigest()
        return (
            hmac.compare_digest(expected, fields["v1"])
            and abs(time.time() - timestamp) <= tolerance
        )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(codes=[200])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers["Content-Length"])
            body = self.rfile.read(length).decode()
            state.requests.append(Received(dict(self.headers.items()), body, time.monotonic()))
            code = state.codes[min(len(state.requests), len(state.codes)) - 1]
            self.send_response(code)
            if code in (301, 302):
                self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/newsroom"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def private_targets(settings) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_BACKOFF_SECONDS = 10
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    settings.WEBHOOK_TIMEOUT_SECONDS = 2


def subscribe(url: str, events: list[str] | None = None, **extra) -> WebhookSubscription:
    return WebhookSubscription.objects.create(
        name="partner", target_url=url, secret=SECRET, events=events or ALL_EVENTS, **extra
    )


def dispatched() -> list[tuple[str, int]]:
    services.dispatch_webhook_events()
    return list(
        WebhookDelivery.objects.order_by("event_id", "id").values_list(
            "event_type", "event__article_id"
        )
    )


# --- Signatures ---------------------------------------------------------------------------------


def test_a_signature_verifies_only_for_the_same_secret_body_and_a_recent_time():
    body = '{"type":"article.published"}'
    now = int(time.time())
    header = services.sign(SECRET, now, body)

    assert header.startswith(f"t={now},v1=")
    assert services.verify_signature(SECRET, header, body)
    assert not services.verify_signature("other", header, body)
    assert not services.verify_signature(SECRET, header, body + " ")
    assert not services.verify_signature(SECRET, services.sign(SECRET, now - 3600, body), body)
    assert not services.verify_signature(SECRET, "garbage", body)


# --- From history rows to deliveries --------------------------------------------------------------


@pytest.mark.django_db
def test_the_workflow_maps_to_events_and_each_is_dispatched_once(editor, reviewer):
    sub = subscribe("https://partner.example/hooks")
    article = make_article(editor, status="in_review")
    claims = list(article.claims.active())
    for claim in claims:
        review_services.record_verdict(
            claim, judged=judge(claim), by=reviewer, verdict="verified", note="Checked."
        )
    articles_services.publish_article(article, by=editor)

    first = dispatched()
    again = dispatched()

    expected = (
        [(Event.ARTICLE_EXTRACTED, article.pk)]
        + [(Event.CLAIM_VERDICT_CHANGED, article.pk)] * STORY_CLAIMS
        + [(Event.ARTICLE_GATE_OPENED, article.pk), (Event.ARTICLE_PUBLISHED, article.pk)]
    )
    assert first == expected
    assert again == expected  # nothing dispatched twice
    gate_opened = WebhookDelivery.objects.get(event_type=Event.ARTICLE_GATE_OPENED)
    assert gate_opened.event.claim == claims[-1]  # the verdict that verified the last claim
    assert WebhookCursor.objects.get().last_event_id == article.events.order_by("-pk").first().pk
    assert set(WebhookDelivery.objects.values_list("subscription", flat=True)) == {sub.pk}


@pytest.mark.django_db
def test_payloads_carry_the_event_the_article_with_its_gate_then_and_the_claim(editor, reviewer):
    subscribe("https://partner.example/hooks")
    article = make_article(editor, status="in_review")
    claim = article.claims.active().order_by("ordinal").first()
    review_services.record_verdict(
        claim, judged=judge(claim), by=reviewer, verdict="unverified", note="No source found."
    )
    # A later verdict must not change what the first one's payload says about the gate.
    review_services.record_verdict(
        claim, judged=judge(claim), by=reviewer, verdict="verified", note="Found it."
    )
    services.dispatch_webhook_events()

    first = (
        WebhookDelivery.objects.filter(event_type=Event.CLAIM_VERDICT_CHANGED)
        .order_by("id")
        .first()
    )
    payload = json.loads(first.body)

    assert payload["id"] == f"{first.event_id}.claim.verdict_changed"
    assert payload["type"] == "claim.verdict_changed"
    assert payload["actor"] == "reviewer"
    assert dt.datetime.fromisoformat(payload["occurred_at"].replace("Z", "+00:00"))
    assert payload["article"] == {
        "id": article.pk,
        "title": article.title,
        "status": "in_review",
        "url": f"/articles/{article.pk}/",
        "gate": {
            "total": STORY_CLAIMS,
            "pending": STORY_CLAIMS - 1,
            "unverified": 1,
            "verified": 0,
            "is_open": False,
            "reason": f"{STORY_CLAIMS - 1} of {STORY_CLAIMS} claims pending, 1 unverified.",
        },
    }
    assert payload["claim"] == {
        "id": claim.pk,
        "ordinal": claim.ordinal,
        "text": claim.text,
        "version": claim.text_sha,
        "section": claim.section,
        "verdict": "unverified",
        "previous_verdict": "pending",
        "note": "No source found.",
        "evidence_url": "",
    }


@pytest.mark.django_db
def test_an_override_sends_published_with_override_and_published(editor, reviewer, chief):
    subscribe(
        "https://partner.example/hooks",
        [Event.ARTICLE_PUBLISHED_WITH_OVERRIDE, Event.ARTICLE_PUBLISHED],
    )
    article = make_article(editor, status="in_review")
    claims = list(article.claims.active())
    for claim in claims[1:]:
        review_services.record_verdict(
            claim, judged=judge(claim), by=reviewer, verdict="verified", note="Checked."
        )
    review_services.record_verdict(
        claims[0], judged=judge(claims[0]), by=reviewer, verdict="unverified", note="Withdrawn."
    )
    articles_services.publish_article(article, by=chief, override_reason="Minor claim.")

    assert dispatched() == [
        (Event.ARTICLE_PUBLISHED_WITH_OVERRIDE, article.pk),
        (Event.ARTICLE_PUBLISHED, article.pk),
    ]
    override = json.loads(
        WebhookDelivery.objects.get(event_type=Event.ARTICLE_PUBLISHED_WITH_OVERRIDE).body
    )
    assert override["reason"] == "Published over 1 unverified claim(s): Minor claim."
    assert override["article"]["status"] == "published"
    assert override["article"]["gate"]["unverified"] == 1


@pytest.mark.django_db
def test_a_row_that_commits_behind_the_cursor_is_still_dispatched_once(editor, reviewer):
    subscribe("https://partner.example/hooks", [Event.CLAIM_VERDICT_CHANGED])
    article = make_article(editor, status="in_review")
    services.dispatch_webhook_events()
    # Another transaction took a higher id and was dispatched first (PostgreSQL commit order).
    WebhookCursor.objects.update(last_event_id=10**9)
    review_services.record_verdict(
        article.claims.first(),
        judged=judge(article.claims.first()),
        by=reviewer,
        verdict="verified",
        note="Ok.",
    )

    first = services.dispatch_webhook_events()
    again = services.dispatch_webhook_events()

    assert len(first) == 1 and again == []
    assert WebhookDelivery.objects.get().event.kind == "verdict"
    assert DispatchedEvent.objects.filter(event__kind="verdict").count() == 1


@pytest.mark.django_db
def test_subscriptions_get_only_their_events_and_nothing_from_before_they_existed(editor, reviewer):
    early = make_article(editor, title="Early", status="in_review")
    extracted_only = subscribe("https://a.example/hooks", [Event.ARTICLE_EXTRACTED])
    disabled = subscribe("https://b.example/hooks", is_active=False)
    late = make_article(editor, title="Late", status="in_review")
    review_services.record_verdict(
        late.claims.first(),
        judged=judge(late.claims.first()),
        by=reviewer,
        verdict="verified",
        note="Ok.",
    )

    assert dispatched() == [(Event.ARTICLE_EXTRACTED, late.pk)]
    assert not WebhookDelivery.objects.filter(subscription=disabled).exists()
    assert not WebhookDelivery.objects.filter(event__article=early).exists()
    assert extracted_only.deliveries.count() == 1


@pytest.mark.django_db
def test_a_new_history_row_rings_the_dispatcher_after_commit_and_a_down_broker_breaks_nothing(
    editor, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    article = make_article(editor, status="in_review")
    subscribe("https://partner.example/hooks")
    rung: list[bool] = []
    monkeypatch.setattr(dispatch_webhook_events, "apply_async", lambda **kw: rung.append(True))

    with django_capture_on_commit_callbacks(execute=True):
        review_services.record_verdict(
            article.claims.first(),
            judged=judge(article.claims.first()),
            by=reviewer,
            verdict="verified",
            note="Ok.",
        )
    assert rung == [True]

    def broker_down(**kwargs):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(dispatch_webhook_events, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        claim = review_services.record_verdict(
            article.claims.last(),
            judged=judge(article.claims.last()),
            by=reviewer,
            verdict="verified",
            note="Ok.",
        )
    claim.refresh_from_db()
    assert claim.verdict == "verified"  # the workflow went on; the sweeper dispatches later


@pytest.mark.django_db
def test_without_subscriptions_the_doorbell_stays_silent(
    editor, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    article = make_article(editor, status="in_review")
    rung: list[bool] = []
    monkeypatch.setattr(dispatch_webhook_events, "apply_async", lambda **kw: rung.append(True))

    with django_capture_on_commit_callbacks(execute=True):
        review_services.record_verdict(
            article.claims.first(),
            judged=judge(article.claims.first()),
            by=reviewer,
            verdict="verified",
            note="Ok.",
        )

    assert rung == []


# --- Delivery, retries and backoff ----------------------------------------------------------------


def one_delivery(editor) -> WebhookDelivery:
    make_article(editor, status="in_review")
    services.dispatch_webhook_events()
    return WebhookDelivery.objects.get()


@pytest.mark.django_db
def test_a_delivery_is_retried_with_exponential_backoff_until_the_receiver_accepts_it(
    editor, receiver, private_targets, api_settings
):
    receiver.codes = [500, 503, 200]
    subscribe(receiver.url, [Event.ARTICLE_EXTRACTED])
    delivery = one_delivery(editor)
    start = dt.datetime.now(tz=dt.UTC)

    with time_machine.travel(start, tick=False):
        first = services.deliver_webhook(delivery.pk)
        too_early = services.deliver_webhook(delivery.pk)
    after_first = WebhookDelivery.objects.get(pk=delivery.pk)
    with time_machine.travel(start + dt.timedelta(seconds=10), tick=False):
        second = services.deliver_webhook(delivery.pk)
    after_second = WebhookDelivery.objects.get(pk=delivery.pk)
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        third = services.deliver_webhook(delivery.pk)
    done = WebhookDelivery.objects.get(pk=delivery.pk)

    assert first == ("pending", 10) and too_early == ("skipped", None)
    assert (after_first.attempts, after_first.last_response_code) == (1, 500)
    assert after_first.next_attempt_at == start + dt.timedelta(seconds=10)
    assert after_first.last_error.startswith("HTTP 500")
    assert second == ("pending", 20)
    assert (after_second.attempts, after_second.last_response_code) == (2, 503)
    assert after_second.next_attempt_at == start + dt.timedelta(seconds=30)
    assert third == ("succeeded", None)
    assert (done.status, done.attempts, done.last_response_code, done.last_error) == (
        "succeeded",
        3,
        200,
        "",
    )
    assert done.delivered_at == start + dt.timedelta(seconds=30) and done.next_attempt_at is None
    assert len(receiver.requests) == 3
    last = receiver.requests[-1]
    assert last.headers["X-Newsroom-Event"] == "article.extracted"
    assert last.headers["X-Newsroom-Delivery"] == str(delivery.delivery_id)
    assert last.headers["Content-Type"] == "application/json"
    assert json.loads(last.body)["type"] == "article.extracted"
    # The same body every time; only the signature's timestamp changes.
    assert {r.body for r in receiver.requests} == {delivery.body}
    for received in receiver.requests:
        assert receiver.verify(received, tolerance=10**9)
        assert not receiver.verify(received, secret="wrong", tolerance=10**9)


@pytest.mark.django_db
def test_a_receiver_verifies_a_fresh_signature_within_the_tolerance(
    editor, receiver, private_targets
):
    subscribe(receiver.url)
    delivery = one_delivery(editor)

    assert services.deliver_webhook(delivery.pk) == ("succeeded", None)
    assert receiver.verify(receiver.requests[0])
    assert services.verify_signature(
        SECRET, receiver.requests[0].headers["X-Newsroom-Signature"], receiver.requests[0].body
    )


@pytest.mark.django_db
def test_attempts_are_bounded_and_the_last_failure_is_kept(
    editor, receiver, private_targets, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.codes = [500]
    subscribe(receiver.url)
    delivery = one_delivery(editor)
    start = dt.datetime.now(tz=dt.UTC)

    outcomes = []
    for offset in (0, 10, 30, 70):
        with time_machine.travel(start + dt.timedelta(seconds=offset), tick=False):
            outcomes.append(services.deliver_webhook(delivery.pk))

    assert outcomes == [("pending", 10), ("pending", 20), ("failed", None), ("skipped", None)]
    failed = WebhookDelivery.objects.get(pk=delivery.pk)
    assert (failed.status, failed.attempts, failed.last_response_code) == ("failed", 3, 500)
    assert failed.next_attempt_at is None and len(receiver.requests) == 3


@pytest.mark.django_db
def test_a_receiver_that_is_down_or_redirects_is_a_failed_attempt(
    editor, receiver, private_targets
):
    receiver.codes = [302]
    subscribe(receiver.url)
    redirected = one_delivery(editor)
    services.deliver_webhook(redirected.pk)
    WebhookSubscription.objects.update(target_url="http://127.0.0.1:9/closed")
    make_article(editor, title="Second", status="in_review")
    services.dispatch_webhook_events()
    down = WebhookDelivery.objects.exclude(pk=redirected.pk).get()
    services.deliver_webhook(down.pk)

    redirected.refresh_from_db()
    down.refresh_from_db()
    # The redirect (to a cloud metadata address) was not followed.
    assert (redirected.status, redirected.last_response_code) == ("pending", 302)
    assert len(receiver.requests) == 1
    assert down.status == "pending" and down.last_response_code is None
    assert "Connection refused" in down.last_error or "URLError" in down.last_error


@pytest.mark.django_db
def test_private_and_loopback_targets_are_refused_unless_allowed(editor, receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    subscribe(receiver.url)
    delivery = one_delivery(editor)

    services.deliver_webhook(delivery.pk)

    delivery.refresh_from_db()
    assert receiver.requests == []
    assert "private or local address" in delivery.last_error
    for url in (
        "http://10.0.0.8/x",
        "http://169.254.169.254/latest",
        "http://[::1]/x",
        "http://localhost/x",
    ):
        with pytest.raises(ValidationError):
            services.check_target_url(url)
    for url in ("file:///etc/passwd", "ftp://example.org/x", "gopher://x"):
        with pytest.raises(ValidationError):
            services.check_target_url(url)
    services.check_target_url("https://93.184.215.14/hooks")  # a public address


# Issue 20.6: forms of a local address that Python's `is_global` and `urlsplit` let through.
HIDDEN_LOCAL_TARGETS = [
    ("http://[64:ff9b::7f00:1]/hooks", "127.0.0.1, NAT64"),
    ("http://[::127.0.0.1]/hooks", "127.0.0.1, IPv4-compatible"),
    ("http://[2002:7f00:1::1]/hooks", "127.0.0.1, 6to4"),
    ("http://[64:ff9b::a9fe:a9fe]/latest", "cloud metadata"),
    # urlsplit reads host 1.1.1.1 (after the @); a WHATWG parser reads 127.0.0.1:9911.
    ("http://127.0.0.1:9911\\@1.1.1.1/", "backslash"),
    ("http://admin@127.0.0.1/", "user name"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "reason"), HIDDEN_LOCAL_TARGETS)
def test_targets_that_hide_a_local_address_are_refused(settings, url, reason):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False

    for resolve in (True, False):  # at delivery, and in the admin form
        with pytest.raises(ValidationError) as refused:
            services.check_target_url(url, resolve=resolve)
        assert reason in refused.value.message_dict["target_url"][0]


def test_the_admin_says_why_a_nat64_target_is_refused(staff, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False

    response = add_in_admin(staff, "http://[64:ff9b::7f00:1]/hooks")

    assert response.status_code == 200 and not WebhookSubscription.objects.exists()
    assert "a loopback address (127.0.0.1, NAT64)" in response.content.decode()


@pytest.mark.django_db
def test_a_delivery_reaches_the_receiver_through_the_outbound_guard(
    editor, receiver, private_targets
):
    """The signed POST arrives with the target's Host header (tests/outbound/ covers what the
    guard refuses; a redirect answer is a failed attempt: see above)."""
    subscribe(receiver.url)
    delivery = one_delivery(editor)

    status, _ = services.deliver_webhook(delivery.pk)

    assert status == "succeeded"
    [received] = receiver.requests
    assert received.headers["Host"] == receiver.url.split("/")[2]
    assert received.headers["User-Agent"] == "newsroom-webhooks/1"
    assert receiver.verify(received)


@pytest.mark.django_db
def test_staff_redeliver_from_the_admin_with_fresh_attempts(
    editor, staff, receiver, private_targets, monkeypatch, django_capture_on_commit_callbacks
):
    from django.test import Client

    from integrations.tasks import deliver_webhook

    receiver.codes = [500, 200]
    subscribe(receiver.url)
    delivery = one_delivery(editor)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(deliver_webhook, "apply_async", lambda **kw: None)
        services.deliver_webhook(delivery.pk)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", next_attempt_at=None)
    sent: list[int] = []
    monkeypatch.setattr(deliver_webhook, "apply_async", lambda args, **kw: sent.append(args[0]))
    client = Client()
    client.force_login(staff)

    page = client.get("/admin/integrations/webhookdelivery/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/integrations/webhookdelivery/",
            {"action": "redeliver_selected", "_selected_action": [delivery.pk]},
        )

    assert page.status_code == 200 and "article.extracted" in page.content.decode()
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert sent == [delivery.pk]
    assert services.deliver_webhook(delivery.pk) == ("succeeded", None)


@pytest.mark.django_db
def test_the_sweeper_dispatches_missed_rows_and_requeues_overdue_deliveries(
    editor, settings, monkeypatch
):
    from integrations.tasks import deliver_webhook

    sent: list[int] = []
    monkeypatch.setattr(deliver_webhook, "apply_async", lambda args, **kw: sent.append(args[0]))
    subscribe("https://partner.example/hooks")
    make_article(editor, status="in_review")

    first = services.sweep_webhooks()
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=dt.datetime.now(tz=dt.UTC) - dt.timedelta(minutes=5)
    )
    second = services.sweep_webhooks()

    assert first == {"dispatched": 1, "requeued": 0}
    assert second == {"dispatched": 0, "requeued": 1}
    assert sent == [delivery.pk, delivery.pk]


@pytest.mark.django_db
def add_in_admin(staff, target_url: str):
    from django.test import Client

    client = Client()
    client.force_login(staff)
    return client.post(
        "/admin/integrations/webhooksubscription/add/",
        {
            "name": "x",
            "target_url": target_url,
            "events": [Event.ARTICLE_PUBLISHED],
            "is_active": "on",
            "secret": "abc",
        },
    )


def test_the_admin_refuses_non_http_targets(staff):
    response = add_in_admin(staff, "ftp://example.org/x")

    assert response.status_code == 200 and not WebhookSubscription.objects.exists()


def test_the_admin_reads_an_address_without_a_scheme_as_https(staff):
    response = add_in_admin(staff, "example.org/hook")

    assert response.status_code == 302
    assert WebhookSubscription.objects.get().target_url == "https://example.org/hook"


# --- Through a real Celery worker -----------------------------------------------------------------


@pytest.fixture
def private_redis(start_redis, redis_server):
    """A Redis of this test only, so that no other worker of the run takes its messages."""
    from tests.support.fixtures import point_app_at_redis

    server = start_redis()
    point_app_at_redis(server.url)
    yield server
    point_app_at_redis(redis_server.url)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_verdict_through_the_api_reaches_the_receiver_after_retries_via_a_real_worker(
    api, private_redis, start_worker, receiver, editor, settings, api_settings
):
    receiver.codes = [500, 500, 200]
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    start_worker(
        concurrency=1,
        env={
            "REDIS_URL": private_redis.url,
            "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
            "WEBHOOK_BACKOFF_SECONDS": "0.5",
            "WEBHOOK_MAX_ATTEMPTS": "5",
        },
    )
    reviewer = make_user("reviewer", "Reviewer")
    article = make_article(editor, status="in_review")
    subscribe(receiver.url, [Event.CLAIM_VERDICT_CHANGED])
    claim = article.claims.active().first()

    response = api(reviewer).post(
        f"/api/v1/claims/{claim.pk}/verdict",
        {"judged": judge(claim), "verdict": "verified", "note": "Minutes."},
        format="json",
    )
    assert response.status_code == 200

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        delivery = WebhookDelivery.objects.filter(event_type=Event.CLAIM_VERDICT_CHANGED).first()
        if delivery is not None and delivery.status == "succeeded":
            break
        time.sleep(0.1)
    else:
        raise AssertionError(
            f"no successful delivery; receiver saw {len(receiver.requests)} requests"
        )

    assert (delivery.attempts, delivery.last_response_code) == (3, 200)
    assert len(receiver.requests) == 3
    gaps = [b.at - a.at for a, b in zip(receiver.requests, receiver.requests[1:])]
    assert gaps[0] >= 0.45 and gaps[1] >= 0.95  # 0.5 s, then 1 s: exponential
    assert all(receiver.verify(r) for r in receiver.requests)
    payload = json.loads(receiver.requests[-1].body)
    assert payload["claim"]["id"] == claim.pk and payload["claim"]["verdict"] == "verified"
    assert Article.objects.get(pk=article.pk).status == "in_review"

"""Webhooks of conversations on claims: `comment.created` (a question too),
`claim.question_opened`, `claim.question_resolved`, their payloads (the comment as written, even
after an edit), and one real delivery to a receiver on 127.0.0.1, signed."""

from __future__ import annotations

import json

import pytest

from integrations import services
from integrations.models import WebhookDelivery, WebhookSubscription
from review.conversations import services as talk
from tests.conftest import make_article

pytestmark = [pytest.mark.usefixtures("api_settings"), pytest.mark.django_db]

Event = WebhookSubscription.Event
CONVERSATION_EVENTS = [
    Event.COMMENT_CREATED,
    Event.CLAIM_QUESTION_OPENED,
    Event.CLAIM_QUESTION_RESOLVED,
]


def subscribe(url: str, events: list[str]) -> WebhookSubscription:
    return WebhookSubscription.objects.create(
        name="partner", target_url=url, secret="s3cret", events=events
    )


def deliveries() -> list[tuple[str, str]]:
    services.dispatch_webhook_events()
    return list(
        WebhookDelivery.objects.order_by("event_id", "id").values_list("event_type", "event__kind")
    )


def test_a_conversation_maps_to_its_events_once(editor, reviewer):
    subscribe("https://partner.example/hooks", CONVERSATION_EVENTS)
    article = make_article(editor, status="in_review")
    claim = article.claims.active().first()
    question = talk.ask_author(claim, by=reviewer, body="Which year?")
    talk.add_comment(claim, by=editor, body="2027.")
    talk.edit_comment(question, by=reviewer, body="Which budget year?")
    talk.resolve_question(question, by=reviewer)

    first = deliveries()
    again = deliveries()

    assert first == [
        ("comment.created", "question_opened"),
        ("claim.question_opened", "question_opened"),
        ("comment.created", "comment"),
        # An edit sends nothing.
        ("claim.question_resolved", "question_resolved"),
    ]
    assert again == first


def test_payloads_carry_the_claim_and_the_comment_as_written(editor, reviewer, chief):
    subscribe("https://partner.example/hooks", CONVERSATION_EVENTS)
    article = make_article(editor, status="in_review")
    claim = article.claims.active().order_by("ordinal").first()
    question = talk.ask_author(claim, by=reviewer, body="Source, @editor? <b>now</b>")
    talk.edit_comment(question, by=reviewer, body="Edited later")
    talk.resolve_question(question, by=chief, note="Found in the minutes.")
    services.dispatch_webhook_events()

    opened = json.loads(WebhookDelivery.objects.get(event_type=Event.CLAIM_QUESTION_OPENED).body)
    resolved = json.loads(
        WebhookDelivery.objects.get(event_type=Event.CLAIM_QUESTION_RESOLVED).body
    )

    assert opened["type"] == "claim.question_opened"
    assert opened["actor"] == "reviewer"
    assert opened["article"]["id"] == article.pk
    assert opened["claim"] == {
        "id": claim.pk,
        "ordinal": claim.ordinal,
        "text": claim.text,
        "version": claim.text_sha,
        "section": claim.section,
    }
    comment = opened["comment"]
    assert (comment["id"], comment["author"], comment["body"]) == (
        question.pk,
        "reviewer",
        "Source, @editor? <b>now</b>",
    )
    assert (comment["is_question"], comment["addressee"], comment["mentions"]) == (
        True,
        "editor",
        ["editor"],
    )
    assert resolved["actor"] == "chief"
    assert resolved["comment"]["id"] == question.pk
    assert resolved["comment"]["body"] == "Source, @editor? <b>now</b>"
    assert resolved["resolution"]["note"] == "Found in the minutes."


def test_a_real_receiver_gets_a_signed_comment_created(editor, reviewer, settings):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        subscribe(f"http://127.0.0.1:{server.server_address[1]}/hook", [Event.COMMENT_CREATED])
        claim = make_article(editor, status="in_review").claims.active().first()
        talk.add_comment(claim, by=reviewer, body="Looks right.")
        [delivery_id] = services.dispatch_webhook_events()
        status, _ = services.deliver_webhook(delivery_id)
    finally:
        server.shutdown()
        server.server_close()

    assert status == "succeeded"
    [body] = received
    assert json.loads(body)["comment"]["body"] == "Looks right."

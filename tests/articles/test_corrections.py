"""Corrections: editing a published article opens a correction round. Unchanged claims keep their
verdicts, the changed one goes back to pending, the gate counts the correction's claims, the
published revision stays what readers get (page and API) until `publish_correction` publishes the
corrected text with its public note (history, API `corrections`, webhook `article.corrected`)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from articles import services
from articles.models import Article, ArticleEvent
from integrations import services as integration_services
from integrations.models import WebhookDelivery, WebhookSubscription
from review import services as review_services
from tests.conftest import STORY, make_article, run_extraction_now
from tests.support.verdicts import judge

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_settings")]

OLD = "The council vote was 7 to 2."
NEW = "The council vote was 6 to 3."


def corrected(editor) -> Article:
    """A published article whose author corrected one sentence; the edit is extracted."""
    article = make_article(editor, status="published")
    services.update_article(article, by=editor, title=article.title, body=STORY.replace(OLD, NEW))
    run_extraction_now(article.extraction_jobs.order_by("-pk").first().pk)
    return Article.objects.get(pk=article.pk)


def verify_changed(
    article: Article, reviewer, verdict: str = "verified", note: str = "Minutes, item 4."
) -> None:
    """Judge the claims the correction left pending (verified unless `verdict` says otherwise)."""
    for claim in article.claims.active().filter(verdict="pending"):
        review_services.record_verdict(
            claim, judged=judge(claim), by=reviewer, verdict=verdict, note=note
        )


def test_an_edit_opens_a_correction_the_changed_claim_is_pending_and_the_rest_keep_theirs(
    editor,
):
    article = corrected(editor)

    assert article.status == Article.Status.IN_REVIEW
    assert article.correction_open
    assert OLD in article.published_revision.body and NEW not in article.published_revision.body
    assert NEW in article.body and OLD not in article.body
    verdicts = dict(article.claims.active().values_list("text", "verdict"))
    assert verdicts[NEW] == "pending"
    assert sorted(v for t, v in verdicts.items() if t != NEW) == ["verified"] * 4
    gate = article.gate()
    assert (gate.is_open, gate.pending) == (False, 1)
    opened = article.events.get(kind=ArticleEvent.Kind.CORRECTION_OPENED)
    assert (opened.actor, opened.from_state, opened.to_state) == (editor, "published", "submitted")


def test_the_correction_is_published_only_once_the_gate_opens_with_its_note(
    editor, reviewer, other_editor
):
    article = corrected(editor)
    first = article.published_revision
    published_at = article.published_at

    with pytest.raises(services.GateClosed):
        services.publish_correction(article, by=editor, note="The vote count was wrong.")
    with pytest.raises(services.InvalidTransition):
        services.publish_article(article, by=editor)
    with pytest.raises(PermissionDenied):
        services.publish_correction(article, by=other_editor, note="Not mine.")
    verify_changed(article, reviewer)
    with pytest.raises(ValidationError):
        services.publish_correction(article, by=editor, note=" \u200b ")
    services.publish_correction(article, by=editor, note="  The vote count was wrong. ")

    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert not article.correction_open
    assert article.published_revision != first and NEW in article.published_revision.body
    # The first publication's time stays; the correction's is its history row's.
    assert article.published_at == published_at
    event = article.events.get(kind=ArticleEvent.Kind.CORRECTED)
    assert (event.actor, event.note) == (editor, "The vote count was wrong.")
    with pytest.raises(services.InvalidTransition):
        services.publish_correction(article, by=editor, note="Again.")


def test_readers_keep_the_published_version_while_the_correction_is_reviewed(
    client, api, editor, other_editor, reviewer
):
    article = corrected(editor)

    client.force_login(other_editor)
    page = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    response = api(other_editor).get(f"/api/v1/articles/{article.pk}")

    assert OLD in page and NEW not in page
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "published" and body["correction_open"] is True
    assert OLD in body["body"] and NEW not in body["body"]
    assert "claims" not in body and "history" not in body
    # Nothing else of the correction in progress: its gate, claims and history stay hidden.
    assert client.get(reverse("articles:gate", args=[article.pk])).status_code == 404
    assert client.get(reverse("articles:history_csv", args=[article.pk])).status_code == 404
    claim = article.claims.get(text=NEW)
    assert api(other_editor).get(f"/api/v1/claims/{claim.pk}").status_code == 404
    # The author and the reviewers see the correction.
    assert NEW in api(editor).get(f"/api/v1/articles/{article.pk}").json()["body"]
    assert api(reviewer).get(f"/api/v1/articles/{article.pk}").json()["status"] == "in_review"


def test_through_the_api_with_the_note_in_corrections_and_the_webhook(api, editor, reviewer):
    WebhookSubscription.objects.create(
        name="partner",
        target_url="https://partner.example/hooks",
        events=[
            WebhookSubscription.Event.ARTICLE_CORRECTED,
            WebhookSubscription.Event.ARTICLE_PUBLISHED,
        ],
    )
    article = make_article(editor, status="published")
    integration_services.dispatch_webhook_events()
    first_publication = set(WebhookDelivery.objects.values_list("pk", flat=True))
    client = api(editor)
    url = f"/api/v1/articles/{article.pk}"

    edit = client.patch(url, {"body": STORY.replace(OLD, NEW)}, format="json")
    assert edit.status_code == 200 and edit.json()["status"] == "submitted"
    run_extraction_now(article.extraction_jobs.order_by("-pk").first().pk)
    closed = client.post(f"{url}/publish-correction", {"note": "Vote count."}, format="json")
    missing = client.post(f"{url}/publish-correction", {}, format="json")
    verify_changed(article, reviewer)
    done = client.post(f"{url}/publish-correction", {"note": "Vote count fixed."}, format="json")
    again = client.post(f"{url}/publish-correction", {"note": "Again."}, format="json")

    assert closed.status_code == 409 and closed.json()["gate"]["pending"] == 1
    assert missing.status_code == 400 and "note" in missing.json()["errors"]
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "published"
    assert [c["note"] for c in done.json()["corrections"]] == ["Vote count fixed."]
    assert done.json()["correction_open"] is False
    assert again.status_code == 409
    integration_services.dispatch_webhook_events()
    # One event for the correction: `article.corrected`, not a second `article.published`.
    [delivery] = WebhookDelivery.objects.exclude(pk__in=first_publication)
    payload = json.loads(delivery.body)
    assert payload["type"] == "article.corrected"
    assert payload["correction_note"] == "Vote count fixed."
    assert payload["article"]["status"] == "published"


def test_a_correction_cannot_be_scheduled_and_a_chief_may_withdraw_it(editor, reviewer, chief):
    import datetime as dt

    from django.utils import timezone

    article = corrected(editor)
    verify_changed(article, reviewer)
    with pytest.raises(services.InvalidTransition):
        services.schedule_publication(article, by=editor, at=timezone.now() + dt.timedelta(hours=1))

    services.unpublish_article(article, by=chief, reason="Legal review.")

    article.refresh_from_db()
    assert article.status == Article.Status.WITHDRAWN
    assert article.published_revision is None and not article.correction_open
    event = article.events.get(kind="unpublished")
    assert (event.from_state, event.to_state) == ("in_review", "withdrawn")


def test_an_article_published_before_revisions_were_kept_opens_a_correction_too(editor):
    article = make_article(editor, status="published")
    live = article.published_revision
    Article.objects.filter(pk=article.pk).update(published_revision=None)

    services.update_article(article, by=editor, title="A corrected headline", body=article.body)

    article.refresh_from_db()
    assert article.correction_open
    assert article.published_revision == live


def test_the_author_is_told_of_the_correction_once_and_never_of_a_new_publication(
    editor, reviewer, chief
):
    from review.notifications.models import Notification

    article = corrected(editor)
    verify_changed(article, reviewer)
    before = Notification.objects.filter(recipient=editor).count()
    services.publish_correction(article, by=chief, note="Vote count fixed.")

    new = Notification.objects.filter(recipient=editor).order_by("pk")[before:]
    assert [(n.kind, n.reason) for n in new] == [
        ("published", "A correction to “Ferry budget approved” was published by chief.")
    ]


def test_a_correction_over_unverified_claims_tells_the_author_once_as_an_override(
    editor, reviewer, chief
):
    from review.notifications.models import Notification

    article = corrected(editor)
    verify_changed(article, reviewer, verdict="unverified", note="No source.")
    before = Notification.objects.filter(recipient=editor).count()
    services.publish_correction(
        article, by=chief, note="Vote count fixed.", override_reason="Council confirmed by phone."
    )

    new = Notification.objects.filter(recipient=editor).order_by("pk")[before:]
    assert [n.kind for n in new] == ["published_override"]


def test_a_chief_publishes_a_correction_over_unverified_claims_from_the_article_page(
    client, editor, reviewer, chief
):
    article = corrected(editor)
    verify_changed(article, reviewer, verdict="unverified", note="No source.")
    client.force_login(chief)
    page = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert "Publish the correction over unverified claims" in page
    assert f'action="{reverse("review:publish_correction", args=[article.pk])}"' in page
    url = reverse("review:publish_correction", args=[article.pk])

    unconfirmed = client.post(
        url, {"note": "Vote count.", "override": "True", "override_reason": "Phoned."}, follow=True
    )
    assert "Confirm that you have read the unverified claims" in unconfirmed.content.decode()
    assert Article.objects.get(pk=article.pk).correction_open

    done = client.post(
        url,
        {
            "note": "Vote count fixed.",
            "override": "True",
            "override_reason": "Council clerk confirmed by phone.",
            "confirm": "on",
        },
        follow=True,
    )
    assert "Correction published." in done.content.decode()
    article = Article.objects.get(pk=article.pk)
    assert article.status == Article.Status.PUBLISHED and not article.correction_open
    assert list(
        article.events.filter(
            kind__in=[ArticleEvent.Kind.OVERRIDE, ArticleEvent.Kind.CORRECTED]
        ).values_list("kind", "note")
    ) == [
        ("override", "Published over 1 unverified claim(s): Council clerk confirmed by phone."),
        ("corrected", "Vote count fixed."),
    ]

    # An editor is offered no override, and one posted anyway changes nothing.
    other = corrected(editor)
    verify_changed(other, reviewer, verdict="unverified", note="No source.")
    client.force_login(editor)
    page = client.get(reverse("articles:detail", args=[other.pk])).content.decode()
    assert "over unverified claims" not in page
    client.post(
        reverse("review:publish_correction", args=[other.pk]),
        {"note": "Fix.", "override": "True", "override_reason": "Because.", "confirm": "on"},
    )
    assert Article.objects.get(pk=other.pk).correction_open

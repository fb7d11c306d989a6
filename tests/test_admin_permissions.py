"""The admin's permission rules (docs/permissions.md, "The admin"), for every registered admin of
our apps: a new admin is covered as soon as it is registered (and the `world` fixture has a row of
its model, which a test below insists on).

- Staff without permissions: 403 on every page of the model, searches and actions included.
- Staff with the view permission only: the list and the rows, read-only; no action changes
  anything, no form saves, nothing is added or deleted.
- The change permission runs the actions (retry a failed extraction job, redeliver a webhook).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client
from django.urls import reverse

from articles import services
from articles.models import Article, ArticleEvent, ExtractionJob
from integrations import heartbeats, scheduler
from integrations import services as integration_services
from integrations.models import WebhookDelivery, WebhookSubscription
from review import intelligence
from review import services as review_services
from review.notifications import services as notification_services
from review.notifications.models import Notification
from tests.conftest import make_article, make_user
from tests.support.verdicts import judge

pytestmark = pytest.mark.django_db

OUR_APPS = ("articles", "review", "integrations")
ADMINS = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in OUR_APPS
    ),
    key=lambda pair: pair[0]._meta.label,
)
MODELS = [model for model, _ in ADMINS]
IDS = [model._meta.label for model in MODELS]
SECRET = "subscription-secret-3f9a"


@pytest.fixture
def world(editor, other_editor, reviewer, chief, settings) -> dict[type[models.Model], Any]:
    """At least one row of every model with an admin, made through the services: articles with
    claims, links, credit, sections, revisions, jobs (one failed) and history; a hold, an
    assignment and reuse suggestions; a token, a subscription, a delivery, an idempotency key."""
    settings.EXTRACTION_MAX_ATTEMPTS = 1
    WebhookSubscription.objects.create(
        name="partner",
        target_url="https://partner.example/hooks",
        secret=SECRET,
        events=[choice for choice, _ in WebhookSubscription.Event.choices],
    )
    make_article(other_editor, title="Other editor's draft")
    first = make_article(editor, status="in_review")
    intelligence.analyse_article(first.pk)
    second = make_article(other_editor, title="Ferry follow-up", status="in_review")
    intelligence.analyse_article(second.pk)
    claim = first.claims.active().first()
    review_services.record_verdict(
        claim, judged=judge(claim), by=reviewer, verdict="verified", note="Minutes, item 4."
    )
    # An evidence URL leaves a pending evidence snapshot (the fetch happens in a worker).
    last = first.claims.active().last()
    review_services.record_verdict(
        last, judged=judge(last), by=reviewer, verdict="verified",
        evidence_url="https://stats.example.org/ferries",
    )  # fmt: skip
    intelligence.analyse_article(second.pk)
    review_services.hold_claim(second.claims.active().first(), by=reviewer)
    # The assignment notifies the reviewer, who wants an email at once: a notification and the
    # email the worker would make of it (review/notifications).
    reviewer.email = "reviewer@example.test"
    reviewer.save(update_fields=["email"])
    notification_services.set_channel(reviewer, kind="assigned", channel="immediate")
    review_services.assign_article(second, reviewer=reviewer, by=chief)
    assigned = Notification.objects.get(recipient=reviewer, kind="assigned")
    notification_services.make_immediate_email(assigned.pk)

    failing = make_article(editor, title="Failing extraction")
    job = services.submit_article(failing, by=editor)
    _, token = services.start_extraction_job(job.pk)
    services.fail_extraction_job(job.pk, token=token, error="The extractor crashed.")

    integration_services.create_api_token(user=editor, name="Wire feed")
    services.update_profile(reviewer, time_zone="Europe/Paris")
    integration_services.dispatch_webhook_events()
    integration_services.store_response(
        user=editor, key="feed-item-1", fingerprint="x", status=201, body={"id": first.pk}
    )
    # What a worker and the active scheduler write (integrations/heartbeats.py, scheduler.py).
    heartbeats.beat(role="worker", name="worker-1@host", started=True)
    scheduler.take_lease("beat@host:1", seconds=15)
    return {model: model.objects.order_by("pk").first() for model in MODELS}


def staff_with(*codenames: str, model: type[models.Model] | None = None) -> Client:
    """A client signed in as a staff user holding exactly these permissions on `model`."""
    user = make_user(f"staff-{'-'.join(codenames) or 'none'}", is_staff=True)
    if model is not None:
        content_type = ContentType.objects.get_for_model(model)
        for codename in codenames:
            user.user_permissions.add(
                Permission.objects.get(
                    content_type=content_type, codename=f"{codename}_{model._meta.model_name}"
                )
            )
    client = Client()
    client.force_login(user)
    return client


def url(model: type[models.Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of our apps' models, to compare before and after a refused write."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models()
    }


def action_names(model: type[models.Model]) -> list[str]:
    """The actions of the model's admin, as a superuser is offered them."""
    superuser = User(username="root", is_staff=True, is_superuser=True, is_active=True)
    request = type("Request", (), {"user": superuser, "GET": {}, "POST": {}})()
    return list(admin.site._registry[model].get_actions(request))


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_the_world_has_a_row_of_every_model_with_an_admin(world, model):
    assert world[model] is not None, f"add a row of {model._meta.label} to the world fixture"


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_staff_without_permissions_get_403_on_every_page_search_and_action(world, model):
    client = staff_with()
    pk = world[model].pk
    before = snapshot()

    pages = {
        "list": client.get(url(model, "changelist")),
        "search": client.get(url(model, "changelist"), {"q": "Harbor"}),
        "row": client.get(url(model, "change", pk)),
        "history": client.get(url(model, "history", pk)),
        "add": client.get(url(model, "add")),
        "delete": client.get(url(model, "delete", pk)),
        "save": client.post(url(model, "change", pk), {}),
        **{
            f"action {name}": client.post(
                url(model, "changelist"), {"action": name, "_selected_action": [pk]}
            )
            for name in action_names(model)
        },
    }
    index = client.get(reverse("admin:index"))

    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 403)
    assert url(model, "changelist") not in index.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_staff_with_the_view_permission_only_read_and_change_nothing(world, model):
    client = staff_with("view", model=model)
    pk = world[model].pk
    before = snapshot()

    listing = client.get(url(model, "changelist"))
    search = client.get(url(model, "changelist"), {"q": "Harbor"})
    row = client.get(url(model, "change", pk))
    refused = {
        "save": client.post(url(model, "change", pk), {}),
        "add": client.get(url(model, "add")),
        "delete": client.get(url(model, "delete", pk)),
        "delete post": client.post(url(model, "delete", pk), {"post": "yes"}),
    }
    actions = {
        name: client.post(url(model, "changelist"), {"action": name, "_selected_action": [pk]})
        for name in action_names(model)
    }

    assert (listing.status_code, search.status_code, row.status_code) == (200, 200, 200)
    assert 'name="_save"' not in row.content.decode()
    for name in action_names(model):
        assert f'value="{name}"' not in listing.content.decode()
    assert {name: page.status_code for name, page in refused.items()} == dict.fromkeys(refused, 403)
    assert all(page.status_code in (200, 302) for page in actions.values())
    assert snapshot() == before


def test_the_change_permission_runs_the_retry_action_and_the_view_permission_does_not(world):
    job = ExtractionJob.objects.get(state=ExtractionJob.State.FAILED)
    form = {"action": "retry_selected", "_selected_action": [job.pk]}

    viewer = staff_with("view", model=ExtractionJob).post(url(ExtractionJob, "changelist"), form)
    state_after_viewer = ExtractionJob.objects.get(pk=job.pk).state
    changer = staff_with("view", "change", model=ExtractionJob)
    offered = changer.get(url(ExtractionJob, "changelist"))
    retried = changer.post(url(ExtractionJob, "changelist"), form)

    # Offered no action, the viewer gets the list again and nothing runs.
    assert viewer.status_code == 200 and state_after_viewer == ExtractionJob.State.FAILED
    assert 'value="retry_selected"' in offered.content.decode()
    assert retried.status_code == 302
    job.refresh_from_db()
    assert (job.state, job.attempts) == (ExtractionJob.State.PENDING, 0)
    event = ArticleEvent.objects.filter(article=job.article).latest("pk")
    assert (event.actor.username, event.to_state, event.note) == (
        "staff-view-change",
        "pending",
        "Extraction retried.",
    )
    # The form stays read-only for them too: no field of a job is edited by hand.
    assert 'name="_save"' not in changer.get(url(ExtractionJob, "change", job.pk)).content.decode()


def test_the_change_permission_runs_the_redeliver_action_and_the_view_permission_does_not(world):
    delivery = WebhookDelivery.objects.order_by("pk").first()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=5)
    form = {"action": "redeliver_selected", "_selected_action": [delivery.pk]}

    viewer = staff_with("view", model=WebhookDelivery).post(
        url(WebhookDelivery, "changelist"), form
    )
    after_viewer = WebhookDelivery.objects.values_list("status", "attempts").get(pk=delivery.pk)
    changer = staff_with("view", "change", model=WebhookDelivery)
    redelivered = changer.post(url(WebhookDelivery, "changelist"), form)

    assert viewer.status_code == 200 and after_viewer == ("failed", 5)
    assert redelivered.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)


def test_the_delivery_search_answers_only_users_with_the_view_permission(world, reviewer):
    # A delivery's body carries claim texts and reviewer notes: searching it must not tell a staff
    # user without the view permission whether some text is in there.
    note = "Minutes, item 4."
    assert WebhookDelivery.objects.filter(body__contains=note).exists()
    search = {"q": note}

    without = staff_with().get(url(WebhookDelivery, "changelist"), search)
    viewer = staff_with("view", model=WebhookDelivery).get(
        url(WebhookDelivery, "changelist"), search
    )

    assert without.status_code == 403 and note not in without.content.decode()
    assert viewer.status_code == 200
    assert (
        viewer.context["cl"].result_count
        == WebhookDelivery.objects.filter(body__contains=note).count()
        > 0
    )


def test_a_subscriptions_secret_is_shown_only_with_the_change_permission(world):
    subscription = WebhookSubscription.objects.get()

    viewer = staff_with("view", model=WebhookSubscription)
    changer = staff_with("view", "change", model=WebhookSubscription)

    assert (
        SECRET
        not in viewer.get(url(WebhookSubscription, "change", subscription.pk)).content.decode()
    )
    assert (
        SECRET in changer.get(url(WebhookSubscription, "change", subscription.pk)).content.decode()
    )


def test_publishing_from_the_admin_needs_the_change_permission(world, editor):
    article = Article.objects.get(title="Ferry follow-up")
    form = {"action": "publish_selected", "_selected_action": [article.pk]}

    listing = staff_with("view", model=Article).get(url(Article, "changelist"))
    offered = staff_with("view", "change", model=Article).get(url(Article, "changelist"))

    assert 'value="publish_selected"' not in listing.content.decode()
    assert 'value="publish_selected"' in offered.content.decode()
    assert form["action"] in action_names(Article)

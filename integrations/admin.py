"""Staff views of tokens, webhooks and idempotency keys. Tokens are created here (the key is shown
once, on the page after saving) and revoked by an action; deliveries are a read-only log with a
"redeliver" action; idempotency keys are read-only. Changes go through `integrations.services`.

Model permissions decide, as in articles/admin.py: view to list, open and search (a delivery's
body holds claim texts and reviewer notes), change to revoke a token or redeliver a delivery."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from articles.admin import ActionOnlyChangeMixin, PeopleByName, ReadOnlyAdmin, person
from integrations import services
from integrations.forms import WebhookSubscriptionForm
from integrations.models import (
    ApiToken,
    Heartbeat,
    IdempotencyKey,
    SchedulerLease,
    WebhookDelivery,
    WebhookSubscription,
)


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "write_rate"]


@admin.register(ApiToken)
class ApiTokenAdmin(PeopleByName, admin.ModelAdmin):
    list_display = [
        "name",
        person("user"),
        "prefix",
        "write_rate",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at", "created_at"]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_selected"]

    def get_form(self, request: HttpRequest, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request: HttpRequest, obj=None):
        return ["user", "name"] if obj is None else ["name", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = services.create_api_token(user=obj.user, name=obj.name)
        obj.pk = token.pk
        obj._new_key = raw

    def response_add(self, request: HttpRequest, obj, post_url_continue=None) -> HttpResponse:
        # The key is rendered on this response only: never stored, never put in a message cookie.
        response = TemplateResponse(
            request,
            "integrations/admin_token_created.html",
            {
                **self.admin_site.each_context(request),
                "title": "Token created",
                "token": ApiToken.objects.select_related("user").get(pk=obj.pk),
                "key": obj._new_key,
                "opts": self.model._meta,
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # revoke instead: the row stays as a record of who had access

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            services.revoke_api_token(token, by=request.user)
        self.message_user(request, f"{queryset.count()} token(s) revoked.", messages.SUCCESS)


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ["name", "target_url", "event_list", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "target_url"]

    @admin.display(description="events")
    def event_list(self, subscription: WebhookSubscription) -> str:
        return ", ".join(subscription.events or [])

    def get_fields(self, request: HttpRequest, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # The secret signs the deliveries: whoever reads it can forge them. Viewing the
            # subscription is not enough to see it.
            fields = [name for name in fields if name != "secret"]
        return fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ActionOnlyChangeMixin, ReadOnlyAdmin):
    list_display = [
        "created_at",
        "event_type",
        "subscription",
        "status",
        "attempts",
        "last_response_code",
        "next_attempt_at",
        "short_error",
    ]
    list_filter = ["status", "event_type", "subscription", "created_at"]
    search_fields = ["delivery_id", "last_error", "body"]
    list_select_related = ["subscription"]
    readonly_fields = [
        "delivery_id",
        "subscription",
        "event",
        "event_type",
        "status",
        "attempts",
        "last_response_code",
        "last_error",
        "next_attempt_at",
        "created_at",
        "updated_at",
        "delivered_at",
        "body",
    ]
    actions = ["redeliver_selected"]

    @admin.display(description="last error")
    def short_error(self, delivery: WebhookDelivery) -> str:
        return delivery.last_error[:80]

    @admin.action(description="Redeliver selected deliveries", permissions=["change"])
    def redeliver_selected(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        for delivery in queryset:
            services.redeliver(delivery, by=request.user)
        self.message_user(
            request, f"{queryset.count()} delivery(ies) queued again.", messages.SUCCESS
        )


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    """Read-only, deletion too: a deleted key would let a retried create make a second article.
    The hourly purge removes expired keys."""

    list_display = ["key", "user", "response_status", "created_at"]
    search_fields = ["key", "user__username"]
    list_select_related = ["user"]
    readonly_fields = [
        "user",
        "key",
        "request_hash",
        "response_status",
        "response_body",
        "created_at",
    ]


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    """Workers and schedulers, as their heartbeats last saw them (integrations/heartbeats.py).
    A row of a machine taken out of service may be deleted, so that /readyz stops counting it as
    missing."""

    list_display = ["name", "role", "state", "seen_at", "alive", "started_at", "stopped_at"]
    list_filter = ["role", "state"]
    search_fields = ["name", "hostname"]
    fields = ["role", "name", "hostname", "pid", "state", "started_at", "seen_at", "stopped_at"]

    @admin.display(boolean=True, description="alive")
    def alive(self, obj: Heartbeat) -> bool:
        from django.conf import settings
        from django.utils import timezone

        age = (timezone.now() - obj.seen_at).total_seconds()
        return obj.stopped_at is None and age <= settings.HEARTBEAT_MAX_AGE_SECONDS

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return admin.ModelAdmin.has_delete_permission(self, request, obj)


@admin.register(SchedulerLease)
class SchedulerLeaseAdmin(ReadOnlyAdmin):
    """Which scheduler sends the periodic tasks, and until when (integrations/scheduler.py)."""

    list_display = ["holder", "acquired_at", "expires_at"]

"""Staff views of holds, assignments and reuse suggestions, read-only: holds and assignments are
written by `review.services` only (a stuck hold expires by itself; an assignment is changed on the
article page), reuse suggestions by the background analysis (`review.intelligence`)."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone

from articles.admin import PersonListFilter, ReadOnlyAdmin, person
from review.models import (
    Assignment,
    ClaimHold,
    EmailMessageLog,
    EvidenceSnapshot,
    Notification,
    ReuseSuggestion,
)


class HoldActiveFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", "Active"), ("no", "Expired")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(expires_at__gt=now)
        if self.value() == "no":
            return queryset.filter(expires_at__lte=now)
        return queryset


@admin.register(ClaimHold)
class ClaimHoldAdmin(ReadOnlyAdmin):
    list_display = ["claim", "article", person("holder"), "taken_at", "expires_at", "is_active"]
    list_filter = [HoldActiveFilter, ("holder", PersonListFilter)]
    list_select_related = ["claim", "claim__article", "holder"]
    search_fields = ["claim__text", "holder__username"]

    @admin.display(description="Article")
    def article(self, obj: ClaimHold) -> str:
        return obj.claim.article.title

    @admin.display(boolean=True, description="Active")
    def is_active(self, obj: ClaimHold) -> bool:
        return obj.is_active()


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["article", person("reviewer"), person("assigned_by"), "created_at"]
    list_filter = [
        ("reviewer", PersonListFilter),
        ("assigned_by", PersonListFilter),
        "article__status",
    ]
    list_select_related = ["article", "reviewer", "assigned_by"]
    search_fields = ["article__title", "reviewer__username"]
    date_hierarchy = "created_at"


@admin.register(ReuseSuggestion)
class ReuseSuggestionAdmin(ReadOnlyAdmin):
    """Which claims state the same fact as which (written by the background analysis)."""

    list_display = ["claim", "source", "exact", "similarity", "source_verdict", "created_at"]
    list_filter = ["exact", "source__verdict"]
    list_select_related = ["claim", "source"]
    search_fields = ["claim__text", "source__text"]

    @admin.display(description="Source verdict")
    def source_verdict(self, obj: ReuseSuggestion) -> str:
        return obj.source.get_verdict_display()


@admin.register(EvidenceSnapshot)
class EvidenceSnapshotAdmin(ReadOnlyAdmin):
    """The evidence archive (written by the background fetches only). Filter by link rot to see
    the evidence of published articles that is gone or changed since it was archived."""

    list_display = [
        "requested_url", "state", "http_status", "title", "fetched_at", "rot", "rechecked_at",
    ]  # fmt: skip
    list_filter = ["state", "rot", "error_kind"]
    search_fields = ["requested_url", "final_url", "title", "sha256"]
    date_hierarchy = "created_at"
    exclude = ["text"]  # up to megabytes; read on the claim page


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Who was told what (written by the fan-out of the history rows only)."""

    list_display = ["recipient", "kind", "reason", "created_at", "read_at", "email"]
    list_filter = ["kind", "email"]
    list_select_related = ["recipient"]
    search_fields = ["reason", "recipient__username"]
    date_hierarchy = "created_at"
    raw_id_fields = ["event", "article", "claim", "email_message"]


@admin.register(EmailMessageLog)
class EmailMessageLogAdmin(ReadOnlyAdmin):
    """Every notification email, immediate or digest: sent, pending (being retried, see the last
    error and the next attempt) or failed for good after its attempts."""

    list_display = [
        "created_at", "kind", "recipients", "subject", "status", "attempts", "sent_at",
    ]  # fmt: skip
    list_filter = ["status", "kind"]
    search_fields = ["recipients", "subject"]
    date_hierarchy = "created_at"
    exclude = ["body_html"]

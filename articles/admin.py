"""Staff views of everything. State changes go through the services, like everywhere else: status,
verdict and job fields are read-only here, and the actions call `articles.services` /
`review.services`.

Who sees what is Django's model permissions, in every admin of our apps, never `is_staff` alone:
staff need the model's *view* permission to list and open its rows (and to search them), and
its *change* permission to run an action that changes anything (`@admin.action(permissions=
["change"])`) — for read-only models too, where change permission allows the action and nothing
else: their forms stay read-only. docs/permissions.md ("The admin") has the table;
tests/test_admin_permissions.py checks every registered admin of our apps."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest

from articles import services
from articles.forms import article_text_field
from articles.models import (
    Article,
    ArticleEvent,
    Claim,
    ExtractionJob,
    ImageCredit,
    Profile,
    RelatedLink,
    Revision,
    Section,
)
from articles.people import display_name


def person(field: str, description: str = ""):
    """A list column showing the user in `field` as every page names them
    (`articles.people.display_name`), not by username; sorted by last name."""

    @admin.display(
        description=description or field.replace("_", " "), ordering=f"{field}__last_name"
    )
    def show(obj) -> str:
        user = getattr(obj, field)
        return display_name(user) if user is not None else "—"

    show.__name__ = f"{field}_name"
    return show


class PersonListFilter(admin.RelatedFieldListFilter):
    """A list filter on a user field, its choices named by `display_name`."""

    def field_choices(self, field, request, model_admin):
        users = field.related_model._default_manager.order_by("last_name", "first_name", "username")
        return [(user.pk, display_name(user)) for user in users]


class PeopleByName:
    """Admin forms offer users by their display name (a chooser of `user`, `reviewer`...)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.related_model is get_user_model():
            field.label_from_instance = display_name
        return field


class ReadOnlyAdmin(PeopleByName, admin.ModelAdmin):
    """For derived data and history: visible, searchable, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ActionOnlyChangeMixin:
    """For a read-only admin with an action: the model's change permission allows the action on
    the list (Django asks `has_change_permission(request)` without an object), never a form."""

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None and admin.ModelAdmin.has_change_permission(self, request)


class ClaimInline(admin.TabularInline):
    model = Claim
    fields = ["ordinal", "text", "section", "verdict", "reviewed_by", "reviewed_at", "retired_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ExtractionJobInline(admin.TabularInline):
    model = ExtractionJob
    fields = ["revision", "state", "attempts", "last_error", "created_at", "finished_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def _active_claims() -> QuerySet[Claim]:
    return Claim.objects.filter(article=OuterRef("pk"), retired_at__isnull=True)


class ExtractorVersionFilter(admin.SimpleListFilter):
    """Articles by the extractor version of their current claims; "outdated" are those the
    upgrade sweep would re-extract if they were in review or draft."""

    title = "extractor version"
    parameter_name = "extractor"
    OUTDATED, NONE = "outdated", "none"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        versions = set(
            Claim.objects.active()
            .order_by()  # else the model's ordering columns make every row distinct
            .values_list("extractor_version", flat=True)
            .distinct()
        )
        current = services.extractor_version()
        return [
            (self.OUTDATED, f"Older than {current}"),
            *((v, f"{v} (current)" if v == current else v) for v in sorted(versions)),
            (self.NONE, "No claims"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        value = self.value()
        if value is None:
            return queryset
        if value == self.OUTDATED:
            return queryset.filter(
                Exists(_active_claims().exclude(extractor_version=services.extractor_version()))
            )
        if value == self.NONE:
            return queryset.exclude(Exists(_active_claims()))
        return queryset.filter(Exists(_active_claims().filter(extractor_version=value)))


@admin.register(Article)
class ArticleAdmin(PeopleByName, admin.ModelAdmin):
    list_display = [
        "title",
        person("author"),
        "status",
        "extractor_version",
        "dateline",
        "submitted_at",
        "published_at",
    ]
    list_filter = ["status", ExtractorVersionFilter, "dateline", ("author", PersonListFilter)]
    search_fields = ["title", "body", "author__username", "author__last_name"]
    date_hierarchy = "created_at"
    list_select_related = ["author"]
    readonly_fields = [
        "status",
        "author",
        "extracted_revision",
        "extractor_version",
        "created_at",
        "updated_at",
        "submitted_at",
        "published_at",
    ]
    inlines = [ClaimInline, ExtractionJobInline]
    actions = ["publish_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        # One subquery in the list's own query (no query per row). Every active claim of an
        # article carries the same version: a re-extraction rewrites them all.
        return (
            super()
            .get_queryset(request)
            .annotate(
                claims_extractor_version=Subquery(
                    _active_claims().order_by("-extractor_version").values("extractor_version")[:1]
                )
            )
        )

    @admin.display(description="extractor", ordering="claims_extractor_version")
    def extractor_version(self, article: Article) -> str:
        """The extractor version the article's current claims were extracted with."""
        version = getattr(article, "claims_extractor_version", None)
        if version is None:
            return "–"
        if version != services.extractor_version():
            return f"{version} (outdated)"
        return version

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Articles are written in the newsroom UI, where the author and the workflow are set.
        return False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("title", "body"):
            article_text_field(field)
        if db_field.name == "body":
            # As in the newsroom's form: wire copy starts with a space before its " date ..."
            # header, and a stripped body is a different text (a re-extraction, moved offsets).
            field.strip = False
        return field

    def save_model(self, request, obj, form, change):
        try:
            services.update_article(
                obj, by=request.user, title=obj.title, body=obj.body, dateline=obj.dateline
            )
        except (services.InvalidTransition, PermissionDenied, ValidationError) as exc:
            self.message_user(request, f"Not saved: {exc}", messages.ERROR)

    @admin.action(description="Publish selected articles (gate applies)", permissions=["change"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            try:
                services.publish_article(article, by=request.user)
            except (services.InvalidTransition, PermissionDenied) as exc:
                self.message_user(request, f"{article}: {exc}", messages.WARNING)
            else:
                self.message_user(request, f"{article}: published.", messages.SUCCESS)


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["article", "number", "title", person("created_by"), "created_at"]
    list_filter = ["created_at"]
    search_fields = ["title", "article__title", "body"]
    list_select_related = ["article", "created_by"]


@admin.register(ExtractionJob)
class ExtractionJobAdmin(ActionOnlyChangeMixin, ReadOnlyAdmin):
    list_display = [
        "article",
        "revision",
        "state",
        "attempts",
        "extractor_version",
        "created_at",
        "finished_at",
        "short_error",
    ]
    list_filter = ["state", "extractor_version", "created_at"]
    search_fields = ["article__title", "last_error"]
    list_select_related = ["article", "revision"]
    actions = ["retry_selected"]

    @admin.display(description="last error")
    def short_error(self, job: ExtractionJob) -> str:
        return job.last_error[:80]

    @admin.action(description="Retry selected failed jobs", permissions=["change"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[ExtractionJob]) -> None:
        retried = 0
        for job in queryset:
            try:
                services.retry_extraction_job(job, by=request.user)
            except (services.InvalidTransition, PermissionDenied) as exc:
                self.message_user(request, f"Job {job.pk}: {exc}", messages.WARNING)
            else:
                retried += 1
        if retried:
            self.message_user(request, f"{retried} job(s) queued again.", messages.SUCCESS)


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = [
        "short_text",
        "article",
        "ordinal",
        "section",
        "verdict",
        "checkworthiness",
        person("reviewed_by"),
        "reviewed_at",
    ]
    list_filter = ["verdict", "section", "reviewed_at", "checkworthiness_model"]
    search_fields = ["text", "note", "article__title"]
    list_select_related = ["article", "reviewed_by"]

    @admin.display(description="claim")
    def short_text(self, claim: Claim) -> str:
        return claim.text[:90]


@admin.register(RelatedLink)
class RelatedLinkAdmin(ReadOnlyAdmin):
    list_display = ["label", "title", "url", "article"]
    list_filter = ["label"]
    search_fields = ["title", "url", "article__title"]
    list_select_related = ["article"]


@admin.register(ImageCredit)
class ImageCreditAdmin(ReadOnlyAdmin):
    list_display = ["text", "source", "article"]
    search_fields = ["text", "source", "article__title"]
    list_select_related = ["article"]


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ["label", "article", "start"]
    list_filter = ["label"]
    search_fields = ["label", "article__title"]
    list_select_related = ["article"]


@admin.register(ArticleEvent)
class ArticleEventAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "article",
        "kind",
        "from_state",
        "to_state",
        person("actor"),
        "short_note",
    ]
    list_filter = ["kind", "created_at"]
    search_fields = ["note", "article__title", "actor__username", "actor__last_name"]
    list_select_related = ["article", "actor"]
    date_hierarchy = "created_at"

    @admin.display(description="note")
    def short_note(self, event: ArticleEvent) -> str:
        return event.note[:80]


@admin.register(Profile)
class ProfileAdmin(PeopleByName, admin.ModelAdmin):
    """Each user's own settings (their time zone), as they set them on their settings page. A
    change here applies at the user's next sign-in (the session keeps the zone)."""

    list_display = [person("user"), "time_zone"]
    list_filter = ["time_zone"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "time_zone"]
    list_select_related = ["user"]

    def save_model(self, request, obj, form, change):
        saved = services.update_profile(obj.user, time_zone=obj.time_zone)
        obj.pk = saved.pk

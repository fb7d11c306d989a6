"""HTML views of articles: the dashboard, the editor, the article page and its live blocks.

Each view: the access helper, a form, one service call, then a redirect or a partial. Everything a
template shows is prepared here (segments of the body, gate progress, which buttons apply), so
templates only loop and branch over values. Article text is always autoescaped by the templates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles import permissions, services
from articles.diffing import DiffSegment, segments_from_json
from articles.exports import EVENT_CSV_HEADER, csv_response, event_csv_row
from articles.forms import ArticleForm, ProfileForm, ReturnToDraftForm, ScheduleForm
from articles.middleware import remember_time_zone
from articles.models import (
    Article,
    ArticleEvent,
    Claim,
    ExtractionJob,
    ImageCredit,
    Profile,
    ReviewRound,
)
from articles.panels import claim_badges, dashboard_sections, panels_for, review_queue
from articles.presenters import (
    ArticleRow,
    ClaimRow,
    TimelineEntry,
    article_row,
    error_text,
    gate_progress,
    state_label,
)
from articles.text import text_start

# --- One consistent read per page ---------------------------------------------------------------


@contextmanager
def one_snapshot() -> Iterator[None]:
    """Every query inside reads the database as of one moment, so a page never mixes two
    versions (right after Submit: the timeline's "Done, 22 claims extracted" beside "Claims (0)",
    read before the worker committed). On PostgreSQL, one REPEATABLE READ transaction: a snapshot
    taken at its first query, the worker's commits unseen until it ends. On SQLite, one
    transaction, which this project begins IMMEDIATE (settings: WAL), so the worker's commit waits
    the few milliseconds the page takes (its busy timeout is 20 s). Inside a transaction already
    (tests, or a caller's), it joins it and costs no query."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def consistent_read(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run a read-only view, its template rendering included, in `one_snapshot`."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with one_snapshot():
            return view(request, *args, **kwargs)

    return wrapped


def corrections_of(article: Article) -> list[ArticleEvent]:
    """The article's published correction notes, oldest first."""
    return list(
        article.events.filter(kind=ArticleEvent.Kind.CORRECTED).order_by("created_at", "id")
    )


# --- Dashboard ----------------------------------------------------------------------------------


def my_articles_in_review(user) -> list[ArticleRow]:
    """The user's own articles that are submitted or in review, oldest submission first, with their
    gates (one query). The dashboard shows them and re-fetches them while any is in review."""
    rows = [
        article_row(a)
        for a in Article.objects.filter(
            author=user, status__in=[Article.Status.SUBMITTED, Article.Status.IN_REVIEW]
        )
        .with_claim_counts()
        .order_by("submitted_at", "id")
    ]
    return rows


def _polls(rows: list[ArticleRow]) -> bool:
    return any(
        r.article.status in (Article.Status.SUBMITTED, Article.Status.IN_REVIEW) for r in rows
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = Article.objects.visible_to(user)
    context: dict[str, Any] = {"drafts": None, "awaiting": None, "all_in_review": None}
    if permissions.is_editor(user):
        # One query for all of my unpublished articles, split here.
        mine = [
            article_row(a)
            for a in visible.filter(
                author=user,
                status__in=[
                    Article.Status.DRAFT,
                    Article.Status.SUBMITTED,
                    Article.Status.IN_REVIEW,
                    Article.Status.WITHDRAWN,
                ],
            )
            .with_claim_counts()
            .order_by("-updated_at", "-id")
        ]
        context["drafts"] = [r for r in mine if r.article.status == Article.Status.DRAFT]
        # Unpublished by a chief editor: the author finds them here (back via return to draft).
        context["withdrawn"] = [r for r in mine if r.article.status == Article.Status.WITHDRAWN]
        context["mine_in_review"] = sorted(
            (
                r
                for r in mine
                if r.article.status in (Article.Status.SUBMITTED, Article.Status.IN_REVIEW)
            ),
            key=lambda r: (r.article.submitted_at, r.article.pk),
        )
        context["mine_polling"] = _polls(context["mine_in_review"])
    queued = review_queue(user) if permissions.is_reviewer(user) else None
    if queued is not None:
        # The queue's own query (registered by review): assigned first, then due soonest.
        rows = []
        for article in queued:
            row = article_row(article)
            row.awaiting = article.awaiting_count
            row.assigned = bool(article.assigned_to_me)
            rows.append(row)
        context["awaiting"] = rows
        context["awaiting_claims"] = sum(r.awaiting for r in rows)
    if permissions.is_chief(user):
        in_review = [
            article_row(a)
            for a in visible.filter(status__in=[Article.Status.SUBMITTED, Article.Status.IN_REVIEW])
            .with_claim_counts()
            .select_related("author")
            .order_by("submitted_at", "id")
        ]
        context["all_in_review"] = in_review
        context["ready"] = [
            r for r in in_review if r.article.status == Article.Status.IN_REVIEW and r.gate.is_open
        ]
    context["published"] = list(
        visible.filter(status=Article.Status.PUBLISHED)
        .select_related("author")
        .order_by("-published_at", "-id")[:10]
    )
    context["sections"] = dashboard_sections(user)
    return render(request, "articles/dashboard.html", context)


@login_required
@require_GET
def my_reviews(request: HttpRequest) -> HttpResponse:
    """The dashboard's "Submitted / in review" block, re-fetched every few seconds while one of the
    editor's articles is being reviewed, so its progress follows the reviewers' verdicts."""
    if not permissions.is_editor(request.user):
        raise PermissionDenied("This list is for editors.")
    rows = my_articles_in_review(request.user)
    return render(
        request, "includes/my_reviews.html", {"mine_in_review": rows, "mine_polling": _polls(rows)}
    )


# --- Editor -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_article(request.user):
        raise PermissionDenied("Only editors can write articles.")
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.create_article(by=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, "Draft saved.")
            return redirect("articles:detail", pk=article.pk)
    return render(request, "articles/form.html", {"form": form, "article": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = permissions.get_article_for_user(request.user, pk, write=True)
    if not article.is_editable and article.status != Article.Status.PUBLISHED:
        # Withdrawn. (Editing a published article opens a correction round.)
        messages.error(request, "A withdrawn article cannot be edited: return it to draft first.")
        return redirect("articles:detail", pk=article.pk)
    initial = {"title": article.title, "body": article.body, "dateline": article.dateline}
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_article(article, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        except services.InvalidTransition as e:
            messages.error(request, str(e))
            return redirect("articles:detail", pk=article.pk)
        else:
            messages.success(request, "Changes saved.")
            return redirect("articles:detail", pk=article.pk)
    return render(request, "articles/form.html", {"form": form, "article": article})


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    article = permissions.get_article_for_user(request.user, pk, write=True)
    try:
        services.submit_article(article, by=request.user)
    except services.InvalidTransition as e:
        messages.error(request, str(e))
    except ValidationError as e:
        messages.error(request, f"This draft cannot be submitted: {error_text(e)}")
    else:
        messages.success(request, "Submitted. Extracting claims…")
    return redirect("articles:detail", pk=article.pk)


@login_required
@require_POST
def return_to_draft(request: HttpRequest, pk: int) -> HttpResponse:
    article = permissions.get_article_for_user(request.user, pk, write=True)
    form = ReturnToDraftForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.return_to_draft(article, by=request.user, note=note)
    except services.InvalidTransition as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request, "Back to draft. Verdicts stay with the sentences that do not change."
        )
    return redirect("articles:detail", pk=article.pk)


# --- Article page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    text: str
    claim: Claim | None = None


def body_segments(body: str, claims: list[Claim]) -> list[Segment]:
    """Split `body` into plain text and claim spans, in order, for highlighting in place.

    The claims' offsets point into `body`. A span that overlaps the previous one or runs past the
    end is left unhighlighted (it is still in the claims list) rather than garbling the text."""
    segments: list[Segment] = []
    # The wire's date header is the article's dateline (shown in the page's head), not text.
    cursor = text_start(body)
    for claim in sorted(claims, key=lambda c: (c.start, c.end)):
        if claim.start < cursor or claim.end > len(body):
            continue
        if claim.start > cursor:
            segments.append(Segment(body[cursor : claim.start]))
        segments.append(Segment(body[claim.start : claim.end], claim))
        cursor = claim.end
    if cursor < len(body):
        segments.append(Segment(body[cursor:]))
    return segments


def latest_job(article: Article) -> ExtractionJob | None:
    # By revision, not by creation time: resubmitting a text extracted before re-opens that
    # (older) job row for the newest revision.
    return (
        article.extraction_jobs.select_related("revision").order_by("-revision_id", "-id").first()
    )


def extraction_context(user, article: Article) -> dict[str, Any]:
    job = latest_job(article)
    unfinished = job is not None and job.state in (
        ExtractionJob.State.PENDING,
        ExtractionJob.State.RUNNING,
    )
    # The article and its job are read by separate queries: the worker may commit between them
    # (article still "submitted" here, job already "done"). Keep polling while the article as this
    # request saw it is not in review yet, so the next poll reads both after the commit and
    # reloads the page, instead of leaving a stale gate behind.
    if article.status == Article.Status.SUBMITTED and not (
        job is not None and job.state == ExtractionJob.State.FAILED
    ):
        unfinished = True
    can_retry = (
        job is not None
        and job.state == ExtractionJob.State.FAILED
        and (permissions.can_edit_article(user, article) or user.is_staff)
    )
    return {"article": article, "job": job, "polling": unfinished, "can_retry": can_retry}


# The gate names this many of the claims that keep it closed ("and 3 more" after them).
GATE_BLOCKERS_SHOWN = 10


def gate_context(user, article: Article, claims: list[Claim] | None = None) -> dict[str, Any]:
    """The gate block: its state, and the claims that keep it closed, named and linked (the
    unverified ones with their reviewers' notes, for the chief editor's override). `claims`: the
    article's active claims when the caller has them loaded (the article page), else one query."""
    gate = article.gate()
    in_review = article.status == Article.Status.IN_REVIEW
    may_publish = permissions.can_publish_article(user, article) and article.status not in (
        Article.Status.PUBLISHED,
        Article.Status.WITHDRAWN,
    )
    blockers: list[Claim] = []
    if gate.extracted and not gate.is_open and article.status == Article.Status.IN_REVIEW:
        if claims is None:
            claims = list(
                article.claims.active()
                .exclude(verdict=Claim.Verdict.VERIFIED)
                .select_related("reviewed_by")
                .order_by("ordinal", "id")
            )
        blockers = [c for c in claims if c.verdict != Claim.Verdict.VERIFIED]
    show_override = (
        may_publish
        and in_review
        and gate.overridable
        and permissions.can_override_gate(user, article)
    )
    published = article.status == Article.Status.PUBLISHED
    withdrawal = None
    if article.status == Article.Status.WITHDRAWN:
        withdrawal = (
            article.events.filter(kind=ArticleEvent.Kind.UNPUBLISHED)
            .select_related("actor")
            .order_by("-created_at", "-id")
            .first()
        )
    may_schedule = permissions.can_schedule_publication(user, article)
    return {
        "article": article,
        "gate": gate,
        # Scheduled publication: the time and, for who may change it, cancel; the form while
        # the gate is open and nothing is scheduled.
        "scheduled": article.publish_at,
        "show_cancel_schedule": article.publish_at is not None and may_schedule,
        "show_schedule": (
            may_schedule and in_review and gate.is_open and article.publish_at is None
        ),
        "schedule_form": ScheduleForm() if may_schedule and in_review and gate.is_open else None,
        "show_unpublish": published and permissions.can_unpublish_article(user, article),
        "withdrawal": withdrawal,
        # The override form lists every unverified claim; the gate names the first few.
        "blockers": blockers if show_override else blockers[:GATE_BLOCKERS_SHOWN],
        "more_blockers": 0 if show_override else max(0, len(blockers) - GATE_BLOCKERS_SHOWN),
        "progress": gate_progress(gate),
        # While reviewers work, the block re-fetches itself so the progress is live.
        "polling": in_review,
        "show_publish": may_publish and not article.correction_open,
        # A correction round ends with the correction note instead of the Publish button (the
        # override form, when offered, carries its own note: one note field on the page).
        "show_publish_correction": may_publish and article.correction_open and not show_override,
        "publish_enabled": may_publish and in_review and gate.is_open,
        "show_override": show_override,
    }


@dataclass
class ChangedClaim:
    claim: Claim
    previous_text: str
    previous_verdict: str


@dataclass
class RoundView:
    """What the last re-extraction changed: the text (diff segments, stored by the worker) and the
    claims. `too_large`: no segments; the page shows the changed claims only."""

    previous: Any  # Revision (number only)
    current: Any  # Revision (number only)
    finished_at: Any
    segments: list[DiffSegment]
    inserted: int | None
    deleted: int | None
    too_large: bool
    changed: list[ChangedClaim]
    new: list[Claim]
    removed: list[ChangedClaim]


def review_round(article: Article, claims: list[Claim]) -> RoundView | None:
    """The diff since the last review round, when the article has been re-extracted.

    No diff is computed here: the worker stored the round (`ReviewRound`) when it applied the
    extraction, and this reads the newest one. Its claim_changed/claim_retired history rows and
    the claims it created carry the round's `created_at` (see `articles.services.results`)."""
    stored = (
        ReviewRound.objects.filter(article=article)
        .select_related("previous_revision", "revision")
        .only(
            "created_at",
            "segments",
            "inserted",
            "deleted",
            "too_large",
            "previous_revision__number",
            "revision__number",
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if stored is None:
        return None
    since = stored.created_at
    changed, removed = [], []
    for event in (
        ArticleEvent.objects.filter(
            article=article,
            kind__in=[ArticleEvent.Kind.CLAIM_CHANGED, ArticleEvent.Kind.CLAIM_RETIRED],
            created_at__gte=since,
        )
        .select_related("claim")
        .order_by("claim__ordinal", "id")
    ):
        if event.claim is None:
            continue
        if event.kind == ArticleEvent.Kind.CLAIM_CHANGED:
            previous_text = event.claim.previous_text or event.note.removeprefix("Was: ")
            changed.append(
                ChangedClaim(event.claim, previous_text, state_label("verdict", event.from_state))
            )
        else:
            was = state_label("verdict", event.from_state)
            removed.append(ChangedClaim(event.claim, event.claim.text, was))
    return RoundView(
        previous=stored.previous_revision,
        current=stored.revision,
        finished_at=since,
        segments=segments_from_json(stored.segments),
        inserted=stored.inserted,
        deleted=stored.deleted,
        too_large=stored.too_large,
        changed=changed,
        new=[c for c in claims if c.created_at >= since],
        removed=removed,
    )


@login_required
@require_GET
@consistent_read
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    try:
        article = permissions.get_article_for_user(user, pk)
    except Http404:
        # Under correction, readers who only see published articles still read the published
        # version (and nothing of the correction in progress).
        article = permissions.get_published_version_for_user(user, pk)
        return render(
            request,
            "articles/published_version.html",
            {
                "article": article,
                "revision": article.published_revision,
                "corrections": corrections_of(article),
            },
        )
    claims = list(article.claims.active().select_related("reviewed_by").order_by("ordinal", "id"))
    badges = claim_badges(article)
    for claim in claims:
        claim.badges = badges.get(claim.pk, [])
    extracted = article.extracted_revision
    if extracted is not None and extracted.body == article.body:
        segments = body_segments(
            extracted.body, [c for c in claims if c.revision_id == extracted.pk]
        )
        stale_highlights = False
    else:
        segments = [Segment(article.body[text_start(article.body) :])]
        stale_highlights = extracted is not None
    judge = (
        permissions.can_review_article(user, article) and article.status == Article.Status.IN_REVIEW
    )
    here = reverse("articles:detail", args=[article.pk])
    rows = [ClaimRow(claim=c, judge=judge, next_url=f"{here}#claim-row-{c.pk}") for c in claims]
    may_edit = permissions.can_edit_article(user, article) and article.is_editable
    events = list(
        ArticleEvent.objects.filter(article=article)
        .select_related("actor", "claim")
        .order_by("created_at", "id")
    )
    context = {
        "article": article,
        "segments": segments,
        "stale_highlights": stale_highlights,
        "rows": rows,
        "links": list(article.related_links.all()),
        "credit": ImageCredit.objects.filter(article=article).first(),
        "sections": list(article.sections.all()),
        "events": [TimelineEntry.of(event) for event in events],
        "corrections": [e for e in events if e.kind == ArticleEvent.Kind.CORRECTED],
        "round": review_round(article, claims),
        # A published article may be edited too: that opens a correction round.
        "can_edit": may_edit
        or (
            permissions.can_edit_article(user, article)
            and article.status == Article.Status.PUBLISHED
        ),
        "can_submit": permissions.can_submit_article(user, article)
        and article.status == Article.Status.DRAFT,
        "can_return": may_edit
        and article.status in (Article.Status.SUBMITTED, Article.Status.IN_REVIEW),
        "return_form": ReturnToDraftForm(),
        "extraction": extraction_context(user, article),
        "gate_block": gate_context(user, article, claims),
        "panels": panels_for(article),
    }
    return render(request, "articles/detail.html", context)


@login_required
@require_GET
@consistent_read
def extraction_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The extraction block, polled by htmx while the job is queued or running."""
    article = permissions.get_article_for_user(request.user, pk)
    context = extraction_context(request.user, article)
    response = render(request, "includes/extraction_status.html", context)
    if request.htmx and not context["polling"]:
        # Only a page rendered while extraction was unfinished polls: its claims, gate and status
        # are stale now, so reload it whole (the new block itself no longer polls).
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def history_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The article's whole timeline as CSV, for whoever may open the article (404 otherwise)."""
    article = permissions.get_article_for_user(request.user, pk)
    events = (
        ArticleEvent.objects.filter(article=article)
        .select_related("article", "actor", "claim")
        .order_by("created_at", "id")
    )
    return csv_response(
        f"article-{article.pk}-history.csv",
        EVENT_CSV_HEADER,
        (event_csv_row(e) for e in events.iterator(chunk_size=500)),
    )


@login_required
@require_GET
@consistent_read
def gate(request: HttpRequest, pk: int) -> HttpResponse:
    """The gate block, re-fetched by the article page after a verdict recorded in place and, while
    the article is in review, every few seconds (live progress for the editor)."""
    article = permissions.get_article_for_user(request.user, pk)
    return render(request, "includes/gate.html", gate_context(request.user, article))


@login_required
@require_POST
def retry_extraction(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    article = permissions.get_article_for_user(request.user, pk)
    job = get_object_or_404(ExtractionJob, pk=job_pk, article=article)
    try:
        services.retry_extraction_job(job, by=request.user)
    except services.InvalidTransition as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "Extraction queued again.")
    return redirect("articles:detail", pk=article.pk)


# --- The user's own settings --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def user_settings(request: HttpRequest) -> HttpResponse:
    """The user's settings (reached from the user menu in the header): their time zone, and the
    way to their API tokens. Notification preferences will join them here."""
    profile = Profile.objects.filter(user=request.user).first()
    initial = {"time_zone": profile.time_zone if profile else ""}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.update_profile(
                request.user, time_zone=form.cleaned_data["time_zone"]
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            remember_time_zone(request, request.user)
            messages.success(request, f"Saved. Times are now shown in {profile.zone_name}.")
            return redirect("articles:settings")
    status = 422 if form.errors else 200
    return render(
        request,
        "articles/settings.html",
        {
            "form": form,
            "zone_name": profile.zone_name if profile else settings.TIME_ZONE,
            "now": timezone.now(),
        },
        status=status,
    )

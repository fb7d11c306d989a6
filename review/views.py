"""HTML views of review: the reviewer's queue (filters, holds, claim in context, bulk verdicts),
recording a verdict in place, publishing, the review panel of the article page (due time and
assignments), per-claim verdict history and the chief editor's activity page, with CSV exports.

htmx and errors: a refused verdict comes back as the same claim row with the errors, status 422;
a verdict that the article's state no longer allows (published meanwhile, sentence removed by an
edit, another reviewer has the claim open) comes back as the row with the message, status 409.
htmx does not swap 4xx responses by default, so base.html sets `htmx.config.responseHandling` to
swap 409 and 422 (and nothing else of 4xx/5xx). Without JavaScript the same forms post normally:
success redirects to `next`, a refused verdict renders a small page with the form and its errors.

The queue keeps itself current without reloading: a tiny poller asks `queue_version` every few
seconds whether anything the reviewer sees has changed (claims judged, holds taken or ended,
assignments, due times); only then is the list re-fetched, and never while a form has unsent input.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles import permissions
from articles.models import Article, ArticleEvent, Claim, Gate, ImageCredit
from articles.services import InvalidTransition
from articles.views import (
    EVENT_CSV_HEADER,
    ClaimRow,
    TimelineEntry,
    csv_response,
    error_text,
    event_csv_row,
    render_page,
)
from review import services
from review.forms import (
    ActivityFilterForm,
    AssignForm,
    BulkVerdictForm,
    DueTimeForm,
    PublishForm,
    VerdictForm,
)
from review.models import (
    QUEUE_ORDERS,
    Assignment,
    ClaimHold,
    ReuseSuggestion,
    display_name,
    queue_articles,
    queue_claims,
    queue_facets,
    queue_version,
)

User = get_user_model()

# The queue shows this many articles per page, each with all its pending claims: 10 articles of
# ~10 claims render in a few tens of milliseconds (benchmarks/queue.py), a 1,000-claim queue in
# one page would not. Counts and filters always cover the whole queue.
QUEUE_PAGE_SIZE = 10
ACTIVITY_PAGE_SIZE = 50
REUSE_SHOWN = 5

# --- Queue --------------------------------------------------------------------------------------


@cache
def _url_pattern(name: str) -> tuple[str, str]:
    """(head, tail) of the URL `name` around its pk, to build 200 row URLs without 200 reverses."""
    marker = "2147483647"
    head, tail = reverse(name, args=[int(marker)]).split(marker)
    return head, tail


def _url(name: str, pk: str) -> str:
    head, tail = _url_pattern(name)
    return f"{head}{pk}{tail}"


@dataclass
class QueueRow(ClaimRow):
    """A claim row of the queue, with the strings its template repeats prepared once: the queue
    renders up to 200 of them, and each template lookup of an int or a URL costs."""

    def __post_init__(self) -> None:
        super().__post_init__()
        claim = self.claim
        self.in_queue = True
        self.key = str(claim.pk)
        self.article_key = str(claim.article_id)
        self.label = str(claim.ordinal + 1)
        self.text, self.section, self.verdict = claim.text, claim.section, claim.verdict
        self.pending = claim.verdict == Claim.Verdict.PENDING
        self.verdict_label = claim.get_verdict_display()
        self.verdict_url = _url("review:verdict", self.key)
        self.open_url = _url("review:claim_open", self.key)
        self.page_url = _url("review:claim", self.key)

    # The panel form's values, refilled after refused input (set after construction).
    @property
    def chosen(self) -> str:
        return self.values.get("verdict", "")

    @property
    def note(self) -> str:
        return self.values.get("note", "")

    @property
    def evidence_url(self) -> str:
        return self.values.get("evidence_url", "")

    @property
    def unusual(self) -> bool:
        """Anything beyond a plain pending claim nobody holds (most rows are plain; the template
        skips the rest for them)."""
        return bool(
            self.claim.previous_text
            or not self.pending
            or self.notice
            or self.message
            or self.blocked
            or self.mine
            or self.selected
        )

    @property
    def state_class(self) -> str:
        return " is-held" if self.blocked else (" is-mine" if self.mine else "")


def _empty_values() -> dict[str, str]:
    # Every key present: a missing key costs the template three exceptions per lookup.
    return {"verdict": "", "note": "", "evidence_url": ""}


@dataclass
class BulkState:
    """The bulk-verdict form of one article group, refilled after a refused bulk verdict."""

    values: dict[str, str] = field(default_factory=_empty_values)
    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str = ""
    notice: str = ""


@dataclass
class QueueArticle:
    article: Article
    rows: list[ClaimRow] = field(default_factory=list)
    bulk: BulkState = field(default_factory=BulkState)

    @cached_property
    def gate(self) -> Gate:
        """Counts per state of the article (from the queue query's annotations: no query)."""
        return self.article.gate()

    @property
    def assigned(self) -> bool:
        return bool(getattr(self.article, "assigned_to_me", False))


def _article_filters(filters: dict[str, Any]) -> dict[str, Any]:
    return {k: filters[k] for k in ("section", "author", "article", "order") if filters.get(k)}


def _filter_query(filters: dict[str, Any]) -> str:
    return urlencode({k: v for k, v in filters.items() if k != "page"})


def filter_options(facets: dict[str, list], filters: dict[str, Any]) -> dict[str, list]:
    """The filter selects' options as (value, label, selected), ready to print."""
    return {
        "sections": [(s, s, s == filters.get("section")) for s in facets["sections"]],
        "authors": [(str(pk), name, pk == filters.get("author")) for pk, name in facets["authors"]],
        "articles": [
            (str(pk), title, pk == filters.get("article")) for pk, title in facets["articles"]
        ],
        "orders": [
            (value, label, value == filters.get("order", "")) for value, label in QUEUE_ORDERS.items()
        ],
    }


def queue_rows(user, articles: list[Article], filters: dict[str, Any]) -> list[QueueArticle]:
    """The pending claims of `articles` as queue rows, grouped in the articles' order, each with its
    hold: one query (claims with their hold and its holder)."""
    if not articles:
        return []
    queue_url = reverse("review:queue")
    claims = queue_claims(
        user,
        [a.pk for a in articles],
        section=filters.get("section", ""),
        order=filters.get("order", ""),
    )
    groups = {a.pk: QueueArticle(article=a) for a in articles}
    now = timezone.now()
    for claim in claims:
        group = groups[claim.article_id]
        claim.article = group.article  # already loaded: no query per row
        row = QueueRow(claim=claim, judge=True, next_url=queue_url)
        hold = getattr(claim, "hold", None)
        if hold is not None and hold.is_active(now):
            if hold.holder_id == user.pk:
                row.mine = True
            else:
                row.blocked = hold.describe(now)
        group.rows.append(row)
    return list(groups.values())


def queue_context(user, filters: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the queue page and its partial show, in a fixed number of queries:
    the articles in queue order with their counts (1), the claims of this page's articles with
    their holds (1), the filter choices (1) and the version fingerprint (2)."""
    filters = dict(filters or {})
    articles = list(queue_articles(user, **_article_filters(filters)))
    pages = max(1, math.ceil(len(articles) / QUEUE_PAGE_SIZE))
    page = min(max(int(filters.get("page") or 1), 1), pages)
    on_page = articles[(page - 1) * QUEUE_PAGE_SIZE : page * QUEUE_PAGE_SIZE]
    facets = queue_facets(user)
    query = _filter_query(filters)
    counts = {
        "pending": sum(a.claims_pending for a in articles),
        "unverified": sum(a.claims_unverified for a in articles),
        "verified": sum(a.claims_total - a.claims_pending - a.claims_unverified for a in articles),
    }
    return {
        "groups": queue_rows(user, on_page, filters),
        "claim_count": sum(a.awaiting_count for a in articles),
        "article_count": len(articles),
        "counts": counts,
        "filters": filters,
        "filter_query": query,
        "filtered": any(k in filters for k in ("section", "author", "article")),
        "options": filter_options(facets, filters),
        "page": page,
        "pages": pages,
        "page_numbers": range(1, pages + 1),
        "page_size": QUEUE_PAGE_SIZE,
        "version": queue_version(user),
        "refresh_url": reverse("review:queue_partial") + "?" + "&".join(
            part for part in (query, f"page={page}") if part
        ),
    }


def _require_reviewer(user) -> None:
    if not permissions.is_reviewer(user):
        raise PermissionDenied("The review queue is for reviewers.")


def _filters_from_get(request: HttpRequest) -> dict[str, Any]:
    """Parse the filters without validating them against the choices (the queryset simply finds
    nothing for a stale value), so the page costs no extra query."""
    filters: dict[str, Any] = {}
    section = request.GET.get("section", "").strip()
    if section:
        filters["section"] = section[:200]
    order = request.GET.get("order", "")
    if order in QUEUE_ORDERS and order:
        filters["order"] = order
    for name in ("author", "article", "page"):
        raw = request.GET.get(name, "")
        if raw.isdigit() and 0 < int(raw) < 2**31:
            filters[name] = int(raw)
    return filters


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request.user)
    return render_page(
        request, "review/queue.html", queue_context(request.user, _filters_from_get(request))
    )


@login_required
@require_GET
def queue_partial(request: HttpRequest) -> HttpResponse:
    """The queue's list: re-fetched when the version poller sees a change, and by the filter form
    (which then also puts the filters into the address bar)."""
    _require_reviewer(request.user)
    filters = _filters_from_get(request)
    response = render(request, "includes/queue.html", queue_context(request.user, filters))
    if request.htmx and request.htmx.trigger == "queue-filters":
        query = _filter_query(filters)
        response["HX-Push-Url"] = reverse("review:queue") + (f"?{query}" if query else "")
    return response


@login_required
@require_GET
def queue_version_view(request: HttpRequest) -> HttpResponse:
    """204 when the queue the page shows (`v`) is still current; otherwise 200 with the event
    `queueChanged`, on which the page re-fetches its list (which carries the new `v`)."""
    _require_reviewer(request.user)
    version = queue_version(request.user)
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    response = HttpResponse(version, content_type="text/plain")
    response["HX-Trigger"] = "queueChanged"
    return response


# --- Claim in context, holds --------------------------------------------------------------------

# A blank line, whatever the line endings (a browser's textarea posts CRLF).
_PARAGRAPH_BREAK = re.compile(r"\r?\n[ \t\r]*\n")
# Paragraphs shown around the claim's own in the queue's context panel.
CONTEXT_PARAGRAPHS = 3


@dataclass
class ContextParagraph:
    number: int
    section: str = ""
    before: str = ""
    claim: str = ""
    after: str = ""
    current: bool = False


def paragraphs(body: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank paragraph of `body`; a blank line separates paragraphs."""
    spans, start = [], 0
    for match in _PARAGRAPH_BREAK.finditer(body):
        if body[start : match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if body[start:].strip():
        spans.append((start, len(body)))
    return spans


def claim_in_context(claim: Claim, body: str, sections: list) -> dict[str, Any]:
    """The claim's paragraph with the claim marked, a few paragraphs around it, and the section
    label where a section starts. Offsets that do not fit the text fall back to the claim alone."""
    spans = paragraphs(body)
    fits = 0 <= claim.start < claim.end <= len(body)
    index = None
    if fits:
        index = next((i for i, (s, e) in enumerate(spans) if s <= claim.start < e), None)
    if index is None:
        return {"paragraphs": [], "paragraph_number": None, "paragraph_count": len(spans)}
    section_at = {}
    for section in sections:
        hit = next((i for i, (s, e) in enumerate(spans) if s <= section.start < e), None)
        if hit is not None:
            section_at.setdefault(hit, section.label)
    shown = []
    low, high = max(0, index - CONTEXT_PARAGRAPHS), min(len(spans), index + CONTEXT_PARAGRAPHS + 1)
    for i in range(low, high):
        start, end = spans[i]
        item = ContextParagraph(number=i + 1, section=section_at.get(i, ""))
        if i == index:
            item.current = True
            item.before = body[start : claim.start]
            item.claim = body[claim.start : min(claim.end, end)]
            item.after = body[min(claim.end, end) : end]
        else:
            item.before = body[start:end]
        shown.append(item)
    return {
        "paragraphs": shown,
        "paragraph_number": index + 1,
        "paragraph_count": len(spans),
        "more_before": low > 0,
        "more_after": high < len(spans),
    }


def claim_history(claim: Claim) -> QuerySet[ArticleEvent]:
    """Everything that happened to one claim: verdicts, changes by edits, removal."""
    return (
        ArticleEvent.objects.filter(claim=claim)
        .select_related("actor", "article", "claim")
        .order_by("created_at", "id")
    )


def reuse_suggestions(user, claim: Claim) -> list[ReuseSuggestion]:
    """Verdicts on the same fact in other articles that `user` may see, best first (one query)."""
    suggestions = list(
        ReuseSuggestion.objects.filter(claim=claim).offerable(user)[:REUSE_SHOWN]
    )
    for suggestion in suggestions:
        suggestion.reviewer_name = display_name(suggestion.source.reviewed_by)
    return suggestions


def claim_panel_context(
    user, claim: Claim, *, hold: ClaimHold | None = None, message: str = "", next_url: str = ""
) -> dict[str, Any]:
    article = claim.article
    body = claim.revision.body  # the text the claim's offsets point into
    sections = list(article.sections.all())
    can_judge = (
        permissions.can_review_claim(user, claim)
        and article.status == Article.Status.IN_REVIEW
        and claim.retired_at is None
    )
    held_by_other = hold is not None and hold.holder_id != user.pk and hold.is_active()
    return {
        "claim": claim,
        "article": article,
        "number": claim.ordinal + 1,
        "hold": hold,
        "hold_mine": hold is not None and hold.holder_id == user.pk,
        "hold_text": hold.describe() if hold is not None and hold.holder_id != user.pk else "",
        "message": message,
        "context": claim_in_context(claim, body, sections),
        "history": [TimelineEntry.of(e) for e in claim_history(claim)],
        "links": list(article.related_links.all()),
        "credit": ImageCredit.objects.filter(article=article).first(),
        "can_judge": can_judge,
        "suggestions": reuse_suggestions(user, claim) if claim.retired_at is None else [],
        "can_reuse": can_judge and not held_by_other,
        "next_url": next_url or reverse("review:queue"),
    }


@login_required
@require_POST
def claim_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a claim in the queue's context panel and hold it (`services.hold_claim`). If another
    reviewer holds it, the panel still shows it, read-only, with who holds it (409)."""
    claim = permissions.get_claim_for_user(request.user, pk)
    if not permissions.can_review_claim(request.user, claim):
        raise PermissionDenied("You may not review this claim.")
    status, hold, message = 200, None, ""
    try:
        hold = services.hold_claim(claim, by=request.user)
    except services.ClaimHeld as e:
        status, hold, message = 409, e.hold, str(e)
    except InvalidTransition as e:
        status, message = 409, str(e)
    if not request.htmx:
        if message:
            messages.error(request, message)
        return redirect("review:claim", pk=claim.pk)
    context = claim_panel_context(request.user, claim, hold=hold, message=message)
    row = QueueRow(claim=claim, judge=context["can_judge"], next_url=reverse("review:queue"))
    if context["hold_text"]:
        row.blocked = context["hold_text"]
    context.update(panel=True, row=row)
    return render(request, "includes/claim_panel.html", context, status=status)


@login_required
@require_POST
def claim_release(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the context panel: the reviewer's hold on the claim ends."""
    claim = permissions.get_claim_for_user(request.user, pk)
    released = services.release_claim(claim, by=request.user)
    if not request.htmx:
        return redirect("review:queue")
    return render(request, "includes/claim_panel_empty.html", {"released": released})


@login_required
@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One claim on a page of its own: in context, its verdict form and its verdict history. Opening
    it does not hold it (a GET changes nothing); the queue's panel does."""
    claim = permissions.get_claim_for_user(request.user, pk)
    hold = ClaimHold.objects.active().select_related("holder").filter(claim=claim).first()
    context = claim_panel_context(request.user, claim, hold=hold, next_url=request.get_full_path())
    judge = context["can_judge"]
    context["row"] = ClaimRow(claim=claim, judge=judge, next_url=request.get_full_path())
    if hold is not None and hold.holder_id != request.user.pk:
        context["row"].blocked = hold.describe()
    return render_page(request, "review/claim.html", context)


@login_required
@require_GET
def claim_history_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The claim's verdict history as CSV, for whoever may open its article (404 otherwise)."""
    claim = permissions.get_claim_for_user(request.user, pk)
    return csv_response(
        f"claim-{claim.pk}-history.csv",
        EVENT_CSV_HEADER,
        (event_csv_row(e) for e in claim_history(claim).iterator(chunk_size=500)),
    )


# --- Verdicts -----------------------------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("review:queue")


def _row_response(
    request: HttpRequest, row: ClaimRow, *, status: int = 200, extra: dict | None = None
) -> HttpResponse:
    """The answer to a verdict post. From the queue (htmx) a saved verdict returns the claim's row
    in the list, while refused input or a conflict returns the context panel's form, which the
    response retargets (the form is where the reviewer fixes it)."""
    if not request.htmx:
        return render_page(request, "review/verdict.html", {"row": row}, status=status)
    if not row.in_queue:
        return render(
            request, "includes/claim_row.html", {"row": row, **(extra or {})}, status=status
        )
    if status == 200:
        return render(request, "includes/queue_row.html", {"row": row, **(extra or {})})
    response = render(request, "includes/panel_form.html", {"row": row}, status=status)
    response["HX-Retarget"] = f"#panel-form-{row.claim.pk}"
    response["HX-Reswap"] = "outerHTML"
    return response


def _make_row(claim: Claim, *, next_url: str, in_queue: bool, **extra: Any) -> ClaimRow:
    if in_queue:
        return QueueRow(claim=claim, judge=True, next_url=next_url, **extra)
    return ClaimRow(claim=claim, judge=True, next_url=next_url, **extra)


def _queue_summary(user) -> dict[str, int]:
    return Claim.objects.awaiting(user).aggregate(
        claim_count=Count("id"), article_count=Count("article", distinct=True)
    )


@login_required
@require_http_methods(["GET", "POST"])
def verdict(request: HttpRequest, pk: int) -> HttpResponse:
    """Record (or change) the verdict on one claim, from the queue or the article page."""
    claim = permissions.get_claim_for_user(request.user, pk)
    if not permissions.can_review_claim(request.user, claim):
        raise PermissionDenied("You may not judge this claim.")
    next_url = _next_url(request)
    in_queue = request.POST.get("source") == "queue"
    row = _make_row(claim, next_url=next_url, in_queue=in_queue)
    if request.method == "GET":
        return render_page(request, "review/verdict.html", {"row": row})

    form = VerdictForm(request.POST)
    if form.is_valid():
        try:
            claim = services.record_verdict(claim, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        except InvalidTransition as e:
            if not request.htmx:
                messages.error(request, str(e))
                return redirect(next_url)
            row.judge, row.message = False, str(e)
            return _row_response(request, row, status=409)
        else:
            if not request.htmx:
                messages.success(
                    request, f"Claim {row.number}: {claim.get_verdict_display().lower()}."
                )
                return redirect(next_url)
            saved = _make_row(claim, next_url=next_url, in_queue=in_queue, notice="Saved.")
            extra = {}
            if in_queue:
                extra["queue_summary"] = _queue_summary(request.user)
                extra["panel_notice"] = (
                    f"Claim {row.number} saved: {claim.get_verdict_display().lower()}."
                )
            response = _row_response(request, saved, extra=extra)
            # The article page re-fetches its gate block on this event.
            response["HX-Trigger"] = "claimJudged"
            return response
    errors = {name: list(messages_) for name, messages_ in form.errors.items()}
    row.values = {name: request.POST.get(name, "") for name in ("verdict", "note", "evidence_url")}
    row.message = " ".join(errors.pop("__all__", []))
    row.errors = errors
    return _row_response(request, row, status=422)


@login_required
@require_POST
def reuse(request: HttpRequest, pk: int) -> HttpResponse:
    """Record for a claim the verdict another article's claim carries (one click on a suggestion
    of the claim panel): `services.reuse_verdict`, which checks again that both state the same
    fact. Answers like `verdict`: the claim's row (200), or its row with the reason (409)."""
    claim = permissions.get_claim_for_user(request.user, pk)
    if not permissions.can_review_claim(request.user, claim):
        raise PermissionDenied("You may not judge this claim.")
    next_url = _next_url(request)
    in_queue = request.POST.get("source") == "queue"
    raw = request.POST.get("source_claim", "")
    source = Claim.objects.filter(pk=int(raw)).first() if raw.isdigit() and int(raw) < 2**63 else None
    try:
        if source is None:
            raise InvalidTransition("Choose a verdict to reuse.")
        claim = services.reuse_verdict(claim, source=source, by=request.user)
    except InvalidTransition as e:
        if not request.htmx:
            messages.error(request, str(e))
            return redirect(next_url)
        row = _make_row(claim, next_url=next_url, in_queue=in_queue)
        row.judge, row.message = False, str(e)
        return _row_response(request, row, status=409)
    label = claim.get_verdict_display().lower()
    if not request.htmx:
        messages.success(request, f"Claim {claim.ordinal + 1}: {label}, reused from another article.")
        return redirect(next_url)
    saved = _make_row(claim, next_url=next_url, in_queue=in_queue, notice=f"Reused: {label}.")
    extra = {}
    if in_queue:
        extra["queue_summary"] = _queue_summary(request.user)
        extra["panel_notice"] = f"Claim {claim.ordinal + 1} saved: {label}, reused."
    response = _row_response(request, saved, extra=extra)
    response["HX-Trigger"] = "claimJudged"
    return response


@login_required
@require_POST
def bulk_verdict(request: HttpRequest, pk: int) -> HttpResponse:
    """One verdict for the ticked claims of one article (`services.record_verdicts`): all or
    nothing. With htmx the article's group in the queue comes back (422 refused input, 409 a claim
    the state no longer allows); without, a redirect to the queue with a message."""
    user = request.user
    article = permissions.get_article_for_user(user, pk)
    if not permissions.can_review_article(user, article):
        raise PermissionDenied("You may not judge claims of this article.")
    filters = _filters_from_get(request)
    awaiting = list(
        Claim.objects.awaiting(user).filter(article=article).values_list("pk", flat=True)
    )
    form = BulkVerdictForm(request.POST, claim_ids=awaiting)
    bulk, status, selected = BulkState(), 200, set()
    if form.is_valid():
        data = form.cleaned_data
        selected = set(data["claims"])
        claims = list(Claim.objects.filter(pk__in=selected, article=article))
        try:
            services.record_verdicts(
                claims,
                by=user,
                verdict=data["verdict"],
                note=data["note"],
                evidence_url=data["evidence_url"],
            )
        except ValidationError as e:
            form.add_error(None, e)
        except InvalidTransition as e:
            bulk.message, status = str(e), 409
        else:
            label = Claim.Verdict(data["verdict"]).label.lower()
            bulk.notice = f"{len(claims)} claim{'s' if len(claims) != 1 else ''} {label}."
            selected = set()
    if form.errors:
        status = 422
        errors = {name: list(errs) for name, errs in form.errors.items()}
        bulk.message = " ".join(errors.pop("__all__", []) + errors.pop("claims", []))
        bulk.errors = errors
        selected = {int(v) for v in request.POST.getlist("claims") if v.isdigit()}
    if status != 200:
        bulk.values = {k: request.POST.get(k, "") for k in ("verdict", "note", "evidence_url")}
    if not request.htmx:
        if bulk.notice:
            messages.success(request, bulk.notice)
        else:
            messages.error(request, bulk.message or "Nothing was recorded: check the bulk form.")
        return redirect(reverse("review:queue") + (f"?{_filter_query(filters)}" if filters else ""))
    still_queued = list(queue_articles(user, **_article_filters(filters)).filter(pk=article.pk))
    group = next(iter(queue_rows(user, still_queued, filters)), QueueArticle(article=article))
    group.bulk = bulk
    for row in group.rows:
        row.selected = row.claim.pk in selected
    context = {"group": group, "filter_query": _filter_query(filters)}
    if bulk.notice:
        context["queue_summary"] = _queue_summary(user)
    response = render(request, "includes/queue_group.html", context, status=status)
    if bulk.notice:
        response["HX-Trigger"] = "claimJudged"
    return response


# --- Publishing ---------------------------------------------------------------------------------


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    article = permissions.get_article_for_user(request.user, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return redirect("articles:detail", pk=article.pk)
    try:
        services.publish_article(
            article, by=request.user, override_reason=form.cleaned_data["override_reason"]
        )
    except InvalidTransition as e:  # GateClosed too: its message carries the gate's reason
        messages.error(request, str(e))
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, "Published.")
    return redirect("articles:detail", pk=article.pk)


# --- The article page's review panel: due time and assignments -----------------------------------


def _assignable_reviewers(article: Article, assigned_ids: list[int]) -> QuerySet:
    from articles.permissions import REVIEWER

    return (
        User.objects.filter(groups__name=REVIEWER, is_active=True)
        .exclude(pk=article.author_id)
        .exclude(pk__in=assigned_ids)
        .order_by("last_name", "first_name", "username")
        .distinct()
    )


def article_panel_context(
    user, article: Article, *, due_form: DueTimeForm | None = None, assign_form=None
) -> dict[str, Any]:
    assignments = list(
        Assignment.objects.filter(article=article)
        .select_related("reviewer", "assigned_by")
        .order_by("created_at", "id")
    )
    can_schedule = permissions.can_edit_article(user, article) and article.is_editable
    can_assign = permissions.is_chief(user) and article.is_editable
    context: dict[str, Any] = {
        "article": article,
        "assignments": [
            {"assignment": a, "name": display_name(a.reviewer), "by": display_name(a.assigned_by)}
            for a in assignments
        ],
        "can_schedule": can_schedule,
        "can_assign": can_assign,
    }
    if can_schedule:
        due = timezone.localtime(article.publish_by) if article.publish_by else None
        context["due_form"] = due_form or DueTimeForm(initial={"publish_by": due})
    if can_assign:
        reviewers = _assignable_reviewers(article, [a.reviewer_id for a in assignments])
        context["assign_form"] = assign_form or AssignForm(reviewers=reviewers)
    return context


def _panel_response(
    request: HttpRequest, article: Article, *, status: int = 200, notice: str = "", **forms: Any
) -> HttpResponse:
    """After a change in the review panel: the panel again (htmx), or back to the article page with
    a message; a refused change shows the panel's form with its errors."""
    if request.htmx or status != 200:
        article.refresh_from_db()
        context = article_panel_context(request.user, article, **forms)
        context["notice"] = notice
        template = "includes/review_panel.html" if request.htmx else "review/article_panel.html"
        if request.htmx:
            return render(request, template, context, status=status)
        return render_page(request, template, context, status=status)
    if notice:
        messages.success(request, notice)
    return redirect("articles:detail", pk=article.pk)


@login_required
@require_GET
def article_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Due time and assigned reviewers of an article: loaded into the article page by htmx, or a
    small page of its own without JavaScript."""
    article = permissions.get_article_for_user(request.user, pk)
    context = article_panel_context(request.user, article)
    if request.htmx:
        return render(request, "includes/review_panel.html", context)
    return render_page(request, "review/article_panel.html", context)


@login_required
@require_POST
def set_due(request: HttpRequest, pk: int) -> HttpResponse:
    article = permissions.get_article_for_user(request.user, pk, write=True)
    form = DueTimeForm(request.POST)
    if not form.is_valid():
        return _panel_response(request, article, status=422, due_form=form)
    try:
        article = services.set_publish_by(
            article, by=request.user, publish_by=form.cleaned_data["publish_by"]
        )
    except InvalidTransition as e:
        form.add_error(None, str(e))
        return _panel_response(request, article, status=409, due_form=form)
    return _panel_response(request, article, notice="Due time saved.")


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    article = permissions.get_article_for_user(request.user, pk)
    if not permissions.is_chief(request.user):
        raise PermissionDenied("Only a chief editor can assign articles to reviewers.")
    from articles.permissions import REVIEWER

    reviewers = User.objects.filter(groups__name=REVIEWER).distinct()
    form = AssignForm(request.POST, reviewers=reviewers)
    if not form.is_valid():
        return _panel_response(request, article, status=422, assign_form=form)
    reviewer = form.cleaned_data["reviewer"]
    try:
        services.assign_article(article, reviewer=reviewer, by=request.user)
    except ValidationError as e:
        form.add_error("reviewer", e.message_dict.get("reviewer", e.messages))
        return _panel_response(request, article, status=422, assign_form=form)
    except InvalidTransition as e:
        form.add_error(None, str(e))
        return _panel_response(request, article, status=409, assign_form=form)
    return _panel_response(request, article, notice=f"Assigned to {display_name(reviewer)}.")


@login_required
@require_POST
def unassign(request: HttpRequest, pk: int, reviewer_pk: int) -> HttpResponse:
    article = permissions.get_article_for_user(request.user, pk)
    reviewer = get_object_or_404(User, pk=reviewer_pk)
    try:
        removed = services.unassign_article(article, reviewer=reviewer, by=request.user)
    except InvalidTransition as e:
        return _panel_response(request, article, status=409, notice=str(e))
    notice = f"No longer assigned to {display_name(reviewer)}." if removed else ""
    return _panel_response(request, article, notice=notice)


# --- Activity (chief editors) -------------------------------------------------------------------


def _activity(request: HttpRequest) -> tuple[ActivityFilterForm, QuerySet[ArticleEvent]]:
    if not permissions.is_chief(request.user):
        raise PermissionDenied("The activity page is for chief editors.")
    from articles.permissions import REVIEWER

    reviewers = User.objects.filter(groups__name=REVIEWER).order_by("username").distinct()
    form = ActivityFilterForm(request.GET, reviewers=reviewers)
    events = ArticleEvent.objects.select_related("article", "actor", "claim").order_by(
        "-created_at", "-id"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["reviewer"]:
            events = events.filter(actor=data["reviewer"])
        if data["article"]:
            events = events.filter(article_id=data["article"])
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["since"]:
            events = events.filter(created_at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(created_at__date__lte=data["until"])
    else:
        events = events.none()
    return form, events


@login_required
@require_GET
def activity(request: HttpRequest) -> HttpResponse:
    """Everything that happened, newest first, filtered by reviewer, article, kind and dates."""
    form, events = _activity(request)
    page = Paginator(events, ACTIVITY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "review/activity.html",
        {
            "form": form,
            "page_obj": page,
            "entries": [TimelineEntry.of(e) for e in page.object_list],
            "csv_query": urlencode([(k, v) for k, v in request.GET.items() if k != "page"]),
        },
    )


@login_required
@require_GET
def activity_csv(request: HttpRequest) -> HttpResponse:
    """The activity page's rows (all of them, with the same filters) as CSV."""
    _, events = _activity(request)
    return csv_response(
        "activity.csv",
        EVENT_CSV_HEADER,
        (event_csv_row(e) for e in events.iterator(chunk_size=1000)),
    )

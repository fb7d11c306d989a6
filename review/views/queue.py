"""The reviewer's queue: its rows, filters and pages, and the poller that keeps it current."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from articles import permissions
from articles.models import Article, Claim, Gate
from articles.presenters import ClaimRow
from review.models import (
    QUEUE_ORDERS,
    queue_articles,
    queue_claims,
    queue_facets,
    queue_version,
)

# The queue shows this many articles per page, each with all its pending claims: 10 articles of
# ~10 claims render in a few tens of milliseconds (benchmarks/queue.py), a 1,000-claim queue in
# one page would not. Counts and filters always cover the whole queue.
QUEUE_PAGE_SIZE = 10

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
        # The version of the sentence this row shows: the panel form and the bulk form send it
        # back with the verdict, which is refused if the sentence changed since.
        self.version = claim.text_sha
        self.pending = claim.verdict == Claim.Verdict.PENDING
        self.verdict_label = claim.get_verdict_display()
        self.verdict_url = _url("review:verdict", self.key)
        self.open_url = _url("review:claim_open", self.key)
        self.page_url = _url("review:claim", self.key)
        # Annotated by `queue_claims` (a verdict on the same fact in another article).
        self.reusable = bool(getattr(claim, "reusable", False))
        # Annotated by `queue_claims` too: a reviewer asked the author about it.
        self.question_open = bool(getattr(claim, "question_open", False))

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
            or self.reusable
            or self.question_open
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


@dataclass
class QueueCounts:
    """Every number the queue page shows: the headline (claims awaiting the reviewer and their
    articles), the totals per state of the articles shown, and each article's own "N pending ·
    M verified" (its gate). Made by `queue_counts` only, from one `queue_articles` query with the
    page's filters, for the page and for every change that updates it in place (out-of-band)."""

    claim_count: int
    article_count: int
    pending: int
    verified: int
    unverified: int
    filtered: bool
    gates: dict[int, Gate]


def queue_counts(articles: list[Article], filters: dict[str, Any]) -> QueueCounts:
    """The counts of `articles` (rows of `queue_articles` with the page's filters; a row kept by
    `keep=` whose claims no longer await the reviewer counts in `gates` only)."""
    awaiting = [a for a in articles if a.awaiting_count > 0]
    return QueueCounts(
        claim_count=sum(a.awaiting_count for a in awaiting),
        article_count=len(awaiting),
        pending=sum(a.claims_pending for a in awaiting),
        unverified=sum(a.claims_unverified for a in awaiting),
        verified=sum(a.claims_total - a.claims_pending - a.claims_unverified for a in awaiting),
        filtered=any(k in filters for k in ("section", "author", "article")),
        gates={a.pk: a.gate() for a in articles},
    )


def article_filters(filters: dict[str, Any]) -> dict[str, Any]:
    return {k: filters[k] for k in ("section", "author", "article", "order") if filters.get(k)}


def filter_query(filters: dict[str, Any]) -> str:
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
            (value, label, value == filters.get("order", ""))
            for value, label in QUEUE_ORDERS.items()
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
                row.hold, row.hold_seconds = hold, hold.seconds_left(now)
        group.rows.append(row)
    return list(groups.values())


def queue_context(user, filters: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the queue page and its partial show, in a fixed number of queries:
    the articles in queue order with their counts (1), the claims of this page's articles with
    their holds (1), the filter choices (1) and the version fingerprint (2)."""
    filters = dict(filters or {})
    articles = list(queue_articles(user, **article_filters(filters)))
    counts = queue_counts(articles, filters)
    pages = max(1, math.ceil(len(articles) / QUEUE_PAGE_SIZE))
    page = min(max(int(filters.get("page") or 1), 1), pages)
    on_page = articles[(page - 1) * QUEUE_PAGE_SIZE : page * QUEUE_PAGE_SIZE]
    facets = queue_facets(user)
    query = filter_query(filters)
    return {
        "groups": queue_rows(user, on_page, filters),
        "article_count": len(articles),
        "counts": counts,
        "filters": filters,
        "filter_query": query,
        "filtered": counts.filtered,
        "options": filter_options(facets, filters),
        "page": page,
        "pages": pages,
        "page_numbers": range(1, pages + 1),
        "page_size": QUEUE_PAGE_SIZE,
        "version": queue_version(user),
        "refresh_url": reverse("review:queue_partial")
        + "?"
        + "&".join(part for part in (query, f"page={page}") if part),
    }


def _require_reviewer(user) -> None:
    if not permissions.is_reviewer(user):
        raise PermissionDenied("The review queue is for reviewers.")


def filters_from_get(request: HttpRequest) -> dict[str, Any]:
    """Parse the filters without validating them against the choices (the queryset simply finds
    nothing for a stale value), so the page costs no extra query."""
    return filters_from_query(request.GET)


def filters_of_page(request: HttpRequest) -> dict[str, Any]:
    """The filters of the queue page an htmx request comes from (its address, `HX-Current-URL`,
    which the filter form and the pages keep current with HX-Push-Url): a verdict posted from the
    panel updates the counts the page shows, filtered as the page is."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    if current.path != reverse("review:queue"):
        return {}
    return filters_from_query(QueryDict(current.query))


def filters_from_query(query: QueryDict) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    section = query.get("section", "").strip()
    if section:
        filters["section"] = section[:200]
    order = query.get("order", "")
    if order in QUEUE_ORDERS and order:
        filters["order"] = order
    for name in ("author", "article", "page"):
        raw = query.get(name, "")
        if raw.isdigit() and 0 < int(raw) < 2**31:
            filters[name] = int(raw)
    return filters


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request.user)
    return render(
        request, "review/queue.html", queue_context(request.user, filters_from_get(request))
    )


@login_required
@require_GET
def queue_partial(request: HttpRequest) -> HttpResponse:
    """The queue's list: re-fetched when the version poller sees a change, and by the filter form
    (which then also puts the filters into the address bar)."""
    _require_reviewer(request.user)
    filters = filters_from_get(request)
    context = queue_context(request.user, filters)
    # The claim open in the panel is re-read with the list: another reviewer's verdict, hold or
    # release shows there too (the refresh waits while the reviewer types: static/js/app.js).
    from review.views.claims import panel_from_database

    context["panel_oob"] = panel_from_database(request, None)
    response = render(request, "includes/queue.html", context)
    if request.htmx and request.htmx.trigger == "queue-filters":
        query = filter_query(filters)
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

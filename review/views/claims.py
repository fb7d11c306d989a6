"""One claim: in context with its holds, its page and history, and the verdicts recorded on it
(one at a time, reused, or in bulk)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles import permissions
from articles.diffing import DiffSegment, diff_words
from articles.exports import EVENT_CSV_HEADER, csv_response, event_csv_row
from articles.models import Article, ArticleEvent, Claim, ImageCredit
from articles.people import short_name
from articles.presenters import ClaimRow, TimelineEntry
from articles.services import InvalidTransition
from articles.text import text_start
from review import services
from review.conversations.models import CONVERSATION_KINDS, Comment
from review.conversations.views import thread_context
from review.evidence.views import evidence_sources
from review.forms import (
    JUDGED_MISSING,
    BulkVerdictForm,
    VerdictForm,
)
from review.models import (
    ClaimHold,
    ReuseSuggestion,
    queue_articles,
)
from review.views.queue import (
    BulkState,
    QueueArticle,
    QueueRow,
    article_filters,
    filter_query,
    filters_from_get,
    filters_of_page,
    queue_counts,
    queue_rows,
)

REUSE_SHOWN = 5

# --- Claim in context, holds --------------------------------------------------------------------

# A blank line, whatever the line endings (a browser's textarea posts CRLF).
_PARAGRAPH_BREAK = re.compile(r"\r?\n[ \t\r]*\n")
# A section label's own characters after it: the colon and spaces ("What Happened: ...").
_AFTER_LABEL = re.compile(r"[ \t]*:?[ \t]*")
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
    section_at: dict[int, str] = {}
    # Where each paragraph's own text starts: after the wire's date header (the dateline) and
    # after a section label that opens it (shown once, as the heading above the paragraph).
    text_from = {0: text_start(body)} if spans else {}
    for section in sections:
        hit = next((i for i, (s, e) in enumerate(spans) if s <= section.start < e), None)
        if hit is not None:
            section_at.setdefault(hit, section.label)
            if body.startswith(section.label, section.start):
                after = _AFTER_LABEL.match(body, section.start + len(section.label))
                text_from[hit] = max(text_from.get(hit, 0), after.end())
    shown = []
    low, high = max(0, index - CONTEXT_PARAGRAPHS), min(len(spans), index + CONTEXT_PARAGRAPHS + 1)
    for i in range(low, high):
        start, end = spans[i]
        start = max(start, min(text_from.get(i, 0), claim.start if i == index else end))
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
    """Everything that happened to one claim: verdicts, changes by edits, removal (its
    conversation has its own section: `review.conversations`)."""
    return (
        ArticleEvent.objects.filter(claim=claim)
        .exclude(kind__in=CONVERSATION_KINDS)
        .select_related("actor", "article", "claim")
        .order_by("created_at", "id")
    )


def reuse_suggestions(user, claim: Claim) -> list[ReuseSuggestion]:
    """Verdicts on the same fact in other articles that `user` may see, best first (one query)."""
    suggestions = list(ReuseSuggestion.objects.filter(claim=claim).offerable(user)[:REUSE_SHOWN])
    for suggestion in suggestions:
        suggestion.reviewer_name = short_name(suggestion.source.reviewed_by)
    return suggestions


@dataclass
class PreviousReview:
    """A claim changed by an edit, against what it said when it was last judged: the word diff
    and the verdict it had then, with that verdict's note and evidence."""

    segments: list[DiffSegment]
    verdict: str
    note: str = ""
    evidence_url: str = ""


def previous_review(claim: Claim, history: list[ArticleEvent]) -> PreviousReview | None:
    """From the claim's history (already loaded for the panel: no query), the verdict recorded
    before the last edit changed the sentence; the word diff is computed once, here."""
    if not claim.previous_text:
        return None
    changed_at = max(
        (i for i, e in enumerate(history) if e.kind == ArticleEvent.Kind.CLAIM_CHANGED),
        default=len(history),
    )
    verdict = next(
        (e for e in reversed(history[:changed_at]) if e.kind == ArticleEvent.Kind.VERDICT), None
    )
    return PreviousReview(
        segments=diff_words(claim.previous_text, claim.text),
        # A sentence that was still pending was "last seen", not "judged pending".
        verdict=(
            claim.get_previous_verdict_display()
            if claim.previous_verdict and claim.previous_verdict != Claim.Verdict.PENDING
            else ""
        ),
        note=verdict.note if verdict else "",
        evidence_url=verdict.evidence_url if verdict else "",
    )


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
    history = list(claim_history(claim))
    return {
        "hold_other": hold if held_by_other else None,
        "hold_seconds": hold.seconds_left() if hold is not None else 0,
        "claim": claim,
        "article": article,
        "number": claim.ordinal + 1,
        "hold": hold,
        "hold_mine": hold is not None and hold.holder_id == user.pk,
        "hold_text": hold.describe() if held_by_other else "",
        "message": message,
        "context": claim_in_context(claim, body, sections),
        "history": [TimelineEntry.of(e) for e in history],
        "previous": previous_review(claim, history),
        "links": list(article.related_links.all()),
        "credit": ImageCredit.objects.filter(article=article).first(),
        "can_judge": can_judge,
        "suggestions": reuse_suggestions(user, claim) if claim.retired_at is None else [],
        "can_reuse": can_judge and not held_by_other,
        "evidence_sources": evidence_sources(claim),
        "next_url": next_url or reverse("review:queue"),
        **thread_context(user, claim, next_url=next_url),
    }


def queue_panel_context(
    user, claim: Claim, *, hold: ClaimHold | None, message: str = "", notice: str = ""
) -> dict[str, Any]:
    """The queue's claim panel: the claim in context and, while it may be judged here, its
    verdict form. `notice` (after a write) says what was saved; the form is then left out: the
    claim is judged, and opening it again offers the change."""
    context = claim_panel_context(user, claim, hold=hold, message=message)
    row = QueueRow(
        claim=claim, judge=context["can_judge"] and not notice, next_url=reverse("review:queue")
    )
    if context["hold_text"]:
        row.blocked = context["hold_text"]
    context.update(panel=True, row=row, notice=notice)
    return context


def panel_from_database(request: HttpRequest, claim_ids, *, notice: str = "") -> str:
    """The queue's claim panel re-rendered from the database, if the page shows one of
    `claim_ids` (None: any claim the reviewer does not hold themselves) in it (the page names its claim in the `X-Panel-Claim` header:
    static/js/review-keys.js); otherwise "". Read through the access helper, so a header naming
    a claim the user may not see renders nothing."""
    raw = request.headers.get("X-Panel-Claim", "")
    if not (raw.isdigit() and int(raw) < 2**31) or (
        claim_ids is not None and int(raw) not in claim_ids
    ):
        return ""
    try:
        claim = permissions.get_claim_for_user(request.user, int(raw))
    except Http404:
        return ""
    hold = ClaimHold.objects.active().select_related("holder").filter(claim=claim).first()
    if claim_ids is None and hold is not None and hold.holder_id == request.user.pk:
        # A refresh of the list: nobody else can change a claim the reviewer holds, and their
        # own panel (a verdict half chosen) is left as it is.
        return ""
    context = queue_panel_context(request.user, claim, hold=hold, notice=notice)
    return render_to_string("includes/claim_panel.html", context, request=request)


def queue_oob(
    request: HttpRequest,
    *,
    article_id: int,
    claim_ids: set[int],
    notice: str = "",
    articles: list[Article] | None = None,
    filters: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What a write made on the queue page (a verdict, a reuse, a bulk verdict) updates beside
    its own target, out of band: every count, from one `queue_articles` query with the page's
    filters (`queue_counts`, as the page itself), and the claim panel when it shows a touched
    claim."""
    if filters is None:
        filters = filters_of_page(request)
    if articles is None:
        articles = list(queue_articles(request.user, **article_filters(filters), keep=article_id))
    counts = queue_counts(articles, filters)
    return {
        "counts": counts,
        "article_id": article_id,
        "gate": counts.gates.get(article_id),
        "panel": panel_from_database(request, claim_ids, notice=notice),
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
    context = queue_panel_context(request.user, claim, hold=hold, message=message)
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
    return render(request, "review/claim.html", context)


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
        return render(request, "review/verdict.html", {"row": row}, status=status)
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
        if not hasattr(claim, "question_open"):
            # What `queue_claims` annotates, for a row drawn alone (after a verdict, an undo):
            # a row re-drawn must say what the list says.
            claim.question_open = Comment.objects.open_questions().filter(claim=claim).exists()
        return QueueRow(claim=claim, judge=True, next_url=next_url, **extra)
    return ClaimRow(claim=claim, judge=True, next_url=next_url, **extra)


@dataclass
class Toast:
    """What the toast after a verdict says, with the undo form's address while undo is offered."""

    text: str
    undo_url: str = ""
    next_url: str = ""
    in_queue: bool = False
    seconds: int = services.UNDO_SECONDS


def _verdict_toast(claim: Claim, *, next_url: str, in_queue: bool, reused: bool = False) -> Toast:
    label = claim.get_verdict_display().lower()
    text = f"Claim {claim.ordinal + 1} saved: {label}{', reused' if reused else ''}."
    event = getattr(claim, "verdict_event", None)
    undo_url = reverse("review:undo", args=[event.pk]) if event is not None else ""
    return Toast(text=text, undo_url=undo_url, next_url=next_url, in_queue=in_queue)


def _changed_response(
    request: HttpRequest, changed: services.ClaimChanged, *, next_url: str, in_queue: bool
) -> HttpResponse:
    """The answer to a verdict (or a reuse) on a sentence that changed since the reviewer opened
    it: 409, nothing written, and the claim shown again as it is now, its form carrying the new
    version. The reviewer's note and evidence stay in the form; the verdict must be chosen again,
    for the new sentence. From the queue the whole context panel comes back (the claim's
    paragraph says what changed); elsewhere the claim's row, or its page without JavaScript."""
    claim = Claim.objects.select_related("article", "revision", "reviewed_by").get(
        pk=changed.claim.pk
    )
    values = {"verdict": "", **{k: request.POST.get(k, "") for k in ("note", "evidence_url")}}
    row = _make_row(claim, next_url=next_url, in_queue=in_queue, values=values)
    if in_queue and request.htmx:
        hold = ClaimHold.objects.filter(claim=claim).select_related("holder").first()
        context = claim_panel_context(request.user, claim, hold=hold, next_url=next_url)
        row.judge = context["can_judge"]
        context.update(panel=True, row=row, message=str(changed))
        response = render(request, "includes/claim_panel.html", context, status=409)
        response["HX-Retarget"] = "#claim-panel"
        response["HX-Reswap"] = "innerHTML"
        return response
    row.message = str(changed)
    if not request.htmx:
        return render(request, "review/verdict.html", {"row": row}, status=409)
    return render(request, "includes/claim_row.html", {"row": row}, status=409)


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
        return render(request, "review/verdict.html", {"row": row})

    form = VerdictForm(request.POST)
    if form.is_valid():
        try:
            claim = services.record_verdict(claim, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        except services.ClaimChanged as e:
            return _changed_response(request, e, next_url=next_url, in_queue=in_queue)
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
            extra: dict[str, Any] = {
                "toast": _verdict_toast(claim, next_url=next_url, in_queue=in_queue)
            }
            if in_queue:
                extra["oob"] = queue_oob(
                    request,
                    article_id=claim.article_id,
                    claim_ids={claim.pk},
                    notice=f"Claim {row.number} saved: {claim.get_verdict_display().lower()}.",
                )
            response = _row_response(request, saved, extra=extra)
            # The article page re-fetches its gate block on this event.
            response["HX-Trigger"] = "claimJudged"
            return response
    errors = {name: list(messages_) for name, messages_ in form.errors.items()}
    row.values = {name: request.POST.get(name, "") for name in ("verdict", "note", "evidence_url")}
    row.message = " ".join(errors.pop("__all__", []) + errors.pop("judged", []))
    row.errors = errors
    return _row_response(request, row, status=422)


@login_required
@require_POST
def reuse(request: HttpRequest, pk: int) -> HttpResponse:
    """Record for a claim the verdict another article's claim carries (one click on a suggestion
    of the claim panel): `services.reuse_verdict`, which checks again that both state the same
    fact. Answers like `verdict`: the claim's row (200), or its row with the reason (409), or the
    claim as it is now if its sentence changed since the panel was rendered (409).

    A source claim the reviewer may not see is answered exactly like one that does not exist
    (409, "Choose a verdict to reuse."), as the API does: the answer tells nothing about other
    people's claims."""
    claim = permissions.get_claim_for_user(request.user, pk)
    if not permissions.can_review_claim(request.user, claim):
        raise PermissionDenied("You may not judge this claim.")
    next_url = _next_url(request)
    in_queue = request.POST.get("source") == "queue"
    raw = request.POST.get("source_claim", "")
    visible = Article.objects.visible_to(request.user)
    source = (
        Claim.objects.filter(pk=int(raw), article__in=visible).first()
        if raw.isdigit() and int(raw) < 2**63
        else None
    )
    judged = request.POST.get("judged", "")
    try:
        if source is None:
            raise InvalidTransition("Choose a verdict to reuse.")
        if not judged:
            raise InvalidTransition(JUDGED_MISSING)
        claim = services.reuse_verdict(claim, source=source, by=request.user, judged=judged)
    except services.ClaimChanged as e:
        return _changed_response(request, e, next_url=next_url, in_queue=in_queue)
    except InvalidTransition as e:
        if not request.htmx:
            messages.error(request, str(e))
            return redirect(next_url)
        row = _make_row(claim, next_url=next_url, in_queue=in_queue)
        row.judge, row.message = False, str(e)
        return _row_response(request, row, status=409)
    label = claim.get_verdict_display().lower()
    if not request.htmx:
        messages.success(
            request, f"Claim {claim.ordinal + 1}: {label}, reused from another article."
        )
        return redirect(next_url)
    saved = _make_row(claim, next_url=next_url, in_queue=in_queue, notice=f"Reused: {label}.")
    extra: dict[str, Any] = {
        "toast": _verdict_toast(claim, next_url=next_url, in_queue=in_queue, reused=True)
    }
    if in_queue:
        extra["oob"] = queue_oob(
            request,
            article_id=claim.article_id,
            claim_ids={claim.pk},
            notice=f"Claim {claim.ordinal + 1} saved: {label}, reused.",
        )
    response = _row_response(request, saved, extra=extra)
    response["HX-Trigger"] = "claimJudged"
    return response


@login_required
@require_POST
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a verdict just recorded (the toast's button): `services.undo_verdict` puts the previous
    verdict back as a new history row. With htmx the toast says what happened, the claim's row
    comes back out of band, and the queue and the gate refresh; without, a redirect to `next`."""
    event = get_object_or_404(
        ArticleEvent.objects.filter(
            article__in=Article.objects.visible_to(request.user), claim__isnull=False
        ),
        pk=pk,
    )
    next_url = _next_url(request)
    try:
        claim = services.undo_verdict(event, by=request.user)
    except InvalidTransition as e:
        if not request.htmx:
            messages.error(request, str(e))
            return redirect(next_url)
        return render(request, "includes/toast.html", {"toast": Toast(text=str(e))}, status=409)
    label = claim.get_verdict_display().lower()
    text = f"Undone: claim {claim.ordinal + 1} is {label} again."
    if not request.htmx:
        messages.success(request, text)
        return redirect(next_url)
    claim = permissions.get_claim_for_user(request.user, claim.pk)
    in_queue = request.POST.get("source") == "queue"
    row = _make_row(claim, next_url=next_url, in_queue=in_queue)
    context = {"toast": Toast(text=text), "row": row}
    if in_queue:
        context["oob"] = queue_oob(request, article_id=claim.article_id, claim_ids={claim.pk})
    response = render(request, "includes/undo_result.html", context)
    # The article page's gate and the queue's list follow the claim back to its old verdict.
    response["HX-Trigger"] = "claimJudged, queueChanged"
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
    filters = filters_from_get(request)
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
                judged=data["judged"],
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
        return redirect(reverse("review:queue") + (f"?{filter_query(filters)}" if filters else ""))
    # One query for the group and every count: the page's filters, this article kept even when
    # nothing in it awaits the reviewer any more (its heading then says so).
    articles = list(queue_articles(user, **article_filters(filters), keep=article.pk))
    shown = [a for a in articles if a.pk == article.pk]
    group = next(iter(queue_rows(user, shown, filters)), QueueArticle(article=article))
    group.bulk = bulk
    for row in group.rows:
        row.selected = row.claim.pk in selected
    context = {"group": group, "filter_query": filter_query(filters)}
    if bulk.notice:
        context["oob"] = queue_oob(
            request,
            article_id=article.pk,
            claim_ids={c.pk for c in claims},
            notice=bulk.notice,
            articles=articles,
            filters=filters,
        )
    response = render(request, "includes/queue_group.html", context, status=status)
    if bulk.notice:
        response["HX-Trigger"] = "claimJudged"
    return response

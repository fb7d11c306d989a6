"""HTML views of a claim's thread: write a comment or ask the author, edit within the window,
resolve a question (each one service call), and the mention autocomplete.

With htmx each write answers with the thread re-rendered (a refusal: the thread with the message,
status 422 for bad input and 409 for a state that does not allow it, which base.html swaps);
without JavaScript the forms post normally and redirect to `next` (a refusal is a message on the
page it returns to). Who may see what is the claim's rule (`permissions.get_claim_for_user`:
404), who may write is the service's (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from articles import permissions
from articles.models import Article, Claim
from articles.people import display_name
from articles.services import InvalidTransition
from review.conversations import services
from review.conversations.models import Comment

MENTION_CHOICES = 8


@dataclass
class CommentView:
    """One comment as the thread shows it to one reader."""

    comment: Comment
    author_name: str
    editable: bool
    resolvable: bool


def thread_context(
    user, claim: Claim, *, message: str = "", body: str = "", next_url: str = ""
) -> dict[str, Any]:
    """What includes/claim_thread.html needs (three queries: comments with their people,
    mentions, and the reader's roles once)."""
    article = claim.article
    now = timezone.now()
    chief = permissions.is_chief(user)
    comments = [
        CommentView(
            comment=c,
            author_name=display_name(c.author),
            editable=c.editable_by(user, now),
            resolvable=c.is_open_question and (c.author_id == user.pk or chief),
        )
        for c in services.thread(claim)
    ]
    return {
        "thread_claim": claim,
        "comments": comments,
        "open_questions": sum(1 for c in comments if c.comment.is_open_question),
        "can_comment": permissions.can_comment_on_claim(user, claim),
        "can_ask": permissions.can_ask_author(user, claim)
        and article.status == Article.Status.IN_REVIEW
        and claim.retired_at is None,
        "is_author": article.author_id == user.pk,
        "thread_message": message,
        "thread_body": body,
        "thread_next": next_url or reverse("review:claim", args=[claim.pk]),
    }


def _next(request: HttpRequest, claim: Claim) -> str:
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("review:claim", args=[claim.pk]) + f"#thread-{claim.pk}"


def _answer(
    request: HttpRequest, claim: Claim, *, error: Exception | None = None, body: str = ""
) -> HttpResponse:
    next_url = _next(request, claim)
    message, status = "", 200
    if isinstance(error, ValidationError):
        message = " ".join(error.messages)
        status = 422
    elif isinstance(error, InvalidTransition):
        message, status = str(error), 409
    if not request.htmx:
        if message:
            messages.error(request, message)
        return redirect(next_url)
    claim = permissions.get_claim_for_user(request.user, claim.pk)
    context = thread_context(request.user, claim, message=message, body=body, next_url=next_url)
    return render(request, "includes/claim_thread.html", context, status=status)


def _comment_for_user(user, pk: int) -> Comment:
    comment = Comment.objects.visible_to(user).filter(pk=pk).select_related("claim").first()
    if comment is None:
        raise Http404("No such comment.")
    return comment


@login_required
@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment in the claim's thread, or with `ask=1` a question to the article's author."""
    claim = permissions.get_claim_for_user(request.user, pk)
    body = request.POST.get("body", "")
    write = services.ask_author if request.POST.get("ask") else services.add_comment
    try:
        write(claim, by=request.user, body=body)
    except (ValidationError, InvalidTransition) as e:
        return _answer(request, claim, error=e, body=body)
    return _answer(request, claim)


@login_required
@require_POST
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_for_user(request.user, pk)
    body = request.POST.get("body", "")
    try:
        services.edit_comment(comment, by=request.user, body=body)
    except (ValidationError, InvalidTransition) as e:
        return _answer(request, comment.claim, error=e)
    return _answer(request, comment.claim)


@login_required
@require_POST
def comment_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_for_user(request.user, pk)
    try:
        services.resolve_question(comment, by=request.user, note=request.POST.get("note", ""))
    except InvalidTransition as e:
        return _answer(request, comment.claim, error=e)
    return _answer(request, comment.claim)


@login_required
@require_GET
def mentionable(request: HttpRequest, pk: int) -> HttpResponse:
    """People who may see the claim's article whose username or name starts with `q` (at most
    MENTION_CHOICES): JSON with `?format=json`, otherwise the htmx partial of buttons that insert
    `@username` (static/js/conversations.js). For those who may comment on the claim only."""
    claim = permissions.get_claim_for_user(request.user, pk)
    if not permissions.can_comment_on_claim(request.user, claim):
        raise PermissionDenied("You may not take part in this conversation.")
    query = request.GET.get("q", "").strip().lstrip("@")[:150]
    people = []
    if query:
        match = Q()
        for word in query.split()[:3]:
            match &= (
                Q(username__istartswith=word)
                | Q(first_name__istartswith=word)
                | Q(last_name__istartswith=word)
            )
        found = (
            services.people_who_may_see(claim.article)
            .filter(match)
            .exclude(pk=request.user.pk)
            .order_by("username")[:MENTION_CHOICES]
        )
        people = [{"username": u.get_username(), "name": display_name(u)} for u in found]
    if request.GET.get("format") == "json":
        return JsonResponse({"results": people})
    return render(
        request, "includes/mention_choices.html", {"people": people, "claim": claim, "q": query}
    )


def needs_answer_items(user) -> list[Comment] | None:
    """The dashboard's "Needs your answer" (articles.panels): editors only."""
    if not permissions.is_editor(user):
        return None
    return list(services.needs_answer(user))


def claim_badges(article: Article) -> dict[int, list[str]]:
    """The article page's badges per claim: comment count and "question open" (one query)."""
    rows = (
        Comment.objects.filter(article=article)
        .order_by()
        .values("claim_id")
        .annotate(
            n=Count("id"),
            open=Count("id", filter=Q(is_question=True, question_state="open")),
        )
    )
    badges: dict[int, list[str]] = {}
    for row in rows:
        texts = [f"{row['n']} comment{'s' if row['n'] != 1 else ''}"]
        if row["open"]:
            texts.append("question open")
        badges[row["claim_id"]] = texts
    return badges

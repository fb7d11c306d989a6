"""One test per cell of docs/permissions.md: the tables there are the expectations here.

Each action goes the way every view does: fetch through the access helper (404 when the article is
not visible), then call the service (PermissionDenied is 403, InvalidTransition is `state`).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from articles import permissions, services
from articles.models import Article
from review import services as review_services
from review.conversations import services as conversations
from review.conversations.models import Comment
from tests.conftest import make_article, make_user, run_extraction_now
from tests.support.verdicts import judge

MATRIX = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"
STATES = ["draft", "submitted", "in_review", "published", "withdrawn"]


def read_matrix() -> list[tuple[str, str, str, str]]:
    """(action, actor, state, outcome) for every cell of every table."""
    cells = []
    action = None
    for line in MATRIX.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (.+)$", line)
        if heading:
            action = heading.group(1).strip()
            continue
        row = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if (
            action
            and len(row) == 1 + len(STATES)
            and row[0] not in ("actor",)
            and not row[0].startswith("-")
        ):
            for state, outcome in zip(STATES, row[1:]):
                cells.append((action, row[0], state, outcome))
    return cells


CELLS = read_matrix()


def test_the_matrix_covers_every_action_actor_and_state():
    actions = {cell[0] for cell in CELLS}
    assert actions == {
        "view",
        "edit",
        "submit",
        "return to draft",
        "verdict",
        "publish",
        "override",
        "schedule",
        "cancel schedule",
        "unpublish",
        "publish correction",
        "comment",
        "ask the author",
        "resolve a question",
    }
    assert len(CELLS) == 14 * 6 * 5


def build_article(action: str, state: str, author) -> Article:
    """An article in `state` that has claims, with verdicts as the action's setup needs."""
    if action == "publish correction":
        return build_correction(state, author)
    article = make_article(author, status="in_review")
    verifier = make_user("verifier", permissions.REVIEWER)
    claims = list(article.claims.active())
    if action == "resolve a question":
        # Asked by the matrix's "reviewer" while in review, before the article moves on.
        asker = User.objects.filter(username="reviewer").first() or make_user(
            "reviewer", permissions.REVIEWER
        )
        conversations.ask_author(claims[0], by=asker, body="Which year is this?")
    if action in ("publish", "override", "schedule", "cancel schedule") or state in (
        "published",
        "withdrawn",
    ):
        for claim in claims:
            review_services.record_verdict(
                claim, judged=judge(claim), by=verifier, verdict="verified", note="Checked."
            )
    if action == "override":
        review_services.record_verdict(
            claims[0],
            judged=judge(claims[0]),
            by=verifier,
            verdict="unverified",
            note="No source found.",
        )
    chief = make_user("publishing-chief", permissions.CHIEF)
    if action == "cancel schedule":
        services.schedule_publication(article, by=chief, at=timezone.now() + dt.timedelta(hours=1))
    if state in ("published", "withdrawn"):
        reason = "Source retracted its denial." if action == "override" else ""
        services.publish_article(article, by=chief, override_reason=reason)
        if state == "withdrawn":
            services.unpublish_article(article, by=chief, reason="A court order.")
    elif state in ("draft", "submitted"):
        services.return_to_draft(article, by=author)
        if state == "submitted":
            services.submit_article(article, by=author)
    article = Article.objects.get(pk=article.pk)
    assert article.status == state
    return article


def build_correction(state: str, author) -> Article:
    """`publish correction`'s setups: a published article whose author corrected a sentence."""
    article = make_article(author, status="published")
    chief = make_user("publishing-chief", permissions.CHIEF)
    if state == "withdrawn":
        services.unpublish_article(article, by=chief, reason="A court order.")
    elif state != "published":
        body = article.body.replace("7 to 2", "6 to 3")
        services.update_article(article, by=author, title=article.title, body=body)
        job = article.extraction_jobs.order_by("-pk").first()
        if state == "draft":
            services.return_to_draft(article, by=author)
        elif state == "in_review":
            run_extraction_now(job.pk)
            verifier = make_user("verifier", permissions.REVIEWER)
            for claim in article.claims.active().filter(verdict="pending"):
                review_services.record_verdict(
                    claim, judged=judge(claim), by=verifier, verdict="verified", note="Minutes."
                )
    article = Article.objects.get(pk=article.pk)
    assert article.status == state
    return article


def perform(action: str, user, article: Article) -> None:
    article = permissions.get_article_for_user(user, article.pk)
    if action == "view":
        return
    if action == "edit":
        services.update_article(article, by=user, title="A new headline", body=article.body)
    elif action == "submit":
        services.submit_article(article, by=user)
    elif action == "return to draft":
        services.return_to_draft(article, by=user)
    elif action == "verdict":
        claim = article.claims.active().first()
        review_services.record_verdict(
            claim, judged=judge(claim), by=user, verdict="verified", note="Seen the filing."
        )
    elif action == "comment":
        claim = article.claims.active().first()
        conversations.add_comment(claim, by=user, body="A word on this.")
    elif action == "ask the author":
        claim = article.claims.active().first()
        conversations.ask_author(claim, by=user, body="Where is this from?")
    elif action == "resolve a question":
        question = Comment.objects.get(article=article, is_question=True)
        conversations.resolve_question(question, by=user)
    elif action == "publish":
        services.publish_article(article, by=user)
    elif action == "override":
        services.publish_article(article, by=user, override_reason="The claim is minor.")
    elif action == "schedule":
        services.schedule_publication(article, by=user, at=timezone.now() + dt.timedelta(hours=2))
    elif action == "cancel schedule":
        services.cancel_schedule(article, by=user)
    elif action == "unpublish":
        services.unpublish_article(article, by=user, reason="The source withdrew the report.")
    elif action == "publish correction":
        services.publish_correction(article, by=user, note="The vote count was 6 to 3.")
    else:
        raise AssertionError(f"unknown action {action}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "actor", "state", "expected"), CELLS, ids=lambda v: str(v).replace(" ", "_")
)
def test_permission_matrix_cell(action, actor, state, expected):
    editor = make_user("author", permissions.EDITOR)
    author_reviewer = make_user("author-reviewer", permissions.EDITOR, permissions.REVIEWER)
    actors = {
        "author": editor,
        "other editor": make_user("other-editor", permissions.EDITOR),
        "reviewer": make_user("reviewer", permissions.REVIEWER),
        "author-reviewer": author_reviewer,
        "chief": make_user("chief", permissions.CHIEF),
        "outsider": make_user("outsider"),
    }
    author = author_reviewer if actor == "author-reviewer" else editor
    article = build_article(action, state, author)
    before = Article.objects.filter(pk=article.pk).values().get()
    comments_before = list(Comment.objects.values("pk", "body", "question_state"))

    try:
        perform(action, actors[actor], article)
        outcome = "ok"
    except Http404:
        outcome = "404"
    except PermissionDenied:
        outcome = "403"
    except services.InvalidTransition:
        outcome = "state"

    assert outcome == expected
    if outcome != "ok":
        # A refusal changes nothing.
        assert Article.objects.filter(pk=article.pk).values().get() == before
        assert list(Comment.objects.values("pk", "body", "question_state")) == comments_before

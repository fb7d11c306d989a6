"""Conversations on claims through the services: the rows each action leaves (comment, history
row, mentions, revisions), who may do what, the edit window, and that an open question never
changes the gate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from articles.models import ArticleEvent, Claim
from articles.services import InvalidTransition
from review.conversations import services
from review.conversations.mentions import mentioned_usernames
from review.conversations.models import Comment, CommentRevision, Mention
from review.services import record_verdict
from tests.conftest import make_article
from tests.support.verdicts import judge

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(editor) -> Claim:
    article = make_article(editor, status="in_review")
    return article.claims.active().order_by("ordinal").first()


def test_mentions_are_found_without_punctuation_duplicates_or_email_addresses():
    text = "Thanks @rui. Ask @Eda_Editor, @eda_editor and mail x@example.org; @a.b-c!"
    assert mentioned_usernames(text) == ["rui", "Eda_Editor", "a.b-c"]


def test_a_reviewer_comment_leaves_the_comment_its_history_row_and_its_mentions(
    claim, reviewer, chief, outsider
):
    comment = services.add_comment(
        claim, by=reviewer, body="Source? @editor @chief @outsider @nobody"
    )

    event = ArticleEvent.objects.get(kind=ArticleEvent.Kind.COMMENT)
    assert (event.article_id, event.claim, event.actor, event.note) == (
        claim.article_id,
        claim,
        reviewer,
        "Source? @editor @chief @outsider @nobody",
    )
    assert comment.event == event and event.comment == comment
    assert (comment.claim, comment.article_id, comment.is_question) == (
        claim,
        claim.article_id,
        False,
    )
    # The outsider cannot see an article in review: mentioned as text only.
    assert sorted(Mention.objects.values_list("user__username", flat=True)) == [
        "chief",
        "editor",
    ]


def test_nobody_outside_the_article_can_comment_and_nothing_is_left(
    claim, other_editor, outsider, reviewer
):
    for user in (other_editor, outsider):
        with pytest.raises(PermissionDenied):
            services.add_comment(claim, by=user, body="Hello")
    assert not Comment.objects.exists()
    assert not ArticleEvent.objects.filter(kind=ArticleEvent.Kind.COMMENT).exists()
    services.add_comment(claim, by=reviewer, body="Hello")
    assert Comment.objects.count() == 1


def test_an_empty_or_blank_comment_is_refused(claim, reviewer):
    for body in ("", "   ", "\u200b"):
        with pytest.raises(ValidationError):
            services.add_comment(claim, by=reviewer, body=body)
    with pytest.raises(ValidationError):
        services.add_comment(claim, by=reviewer, body="x" * (services.MAX_COMMENT_CHARS + 1))
    assert not Comment.objects.exists()


def test_a_reviewer_asks_the_author_and_the_author_answers_in_the_thread(claim, editor, reviewer):
    question = services.ask_author(claim, by=reviewer, body="Which budget year is this?")

    assert (question.is_question, question.question_state, question.addressee) == (
        True,
        "open",
        editor,
    )
    event = question.event
    assert (event.kind, event.actor, event.claim, event.note, event.to_state) == (
        ArticleEvent.Kind.QUESTION_OPENED,
        reviewer,
        claim,
        "Which budget year is this?",
        "open",
    )
    answer = services.add_comment(claim, by=editor, body="The 2027 budget.")
    assert answer.reply_to == question
    question.refresh_from_db()
    assert question.question_state == "open"  # answered, not resolved
    assert list(services.needs_answer(editor)) == [question]


def test_only_a_reviewer_of_the_article_can_ask_its_author(claim, editor, chief, reviewer):
    for user in (editor, chief):
        with pytest.raises(PermissionDenied):
            services.ask_author(claim, by=user, body="Why?")
    assert not Comment.objects.exists()
    services.ask_author(claim, by=reviewer, body="Why?")
    assert Comment.objects.open_questions().count() == 1


def test_the_asker_or_a_chief_resolves_a_question_and_nobody_else(
    claim, editor, reviewer, second_reviewer, chief
):
    first = services.ask_author(claim, by=reviewer, body="Which year?")
    second = services.ask_author(claim, by=reviewer, body="Which council?")
    for user in (editor, second_reviewer):
        with pytest.raises(PermissionDenied):
            services.resolve_question(first, by=user)
    first.refresh_from_db()
    assert first.question_state == "open"

    services.resolve_question(first, by=reviewer, note="Answered.")
    services.resolve_question(second, by=chief)

    first.refresh_from_db()
    assert (first.question_state, first.resolved_by, first.resolved_event.kind) == (
        "resolved",
        reviewer,
        ArticleEvent.Kind.QUESTION_RESOLVED,
    )
    assert first.resolved_event.note == "Answered."
    assert first.resolved_event.resolved_question == first
    with pytest.raises(InvalidTransition):
        services.resolve_question(first, by=reviewer)
    assert ArticleEvent.objects.filter(kind=ArticleEvent.Kind.QUESTION_RESOLVED).count() == 2
    assert list(services.needs_answer(editor)) == []


def test_a_plain_comment_cannot_be_resolved(claim, reviewer):
    comment = services.add_comment(claim, by=reviewer, body="Note to self.")
    with pytest.raises(InvalidTransition):
        services.resolve_question(comment, by=reviewer)


def test_the_author_edits_a_comment_within_five_minutes_and_keeps_the_old_text(
    claim, reviewer, editor, time_machine
):
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    time_machine.move_to(start, tick=False)
    comment = services.add_comment(claim, by=reviewer, body="Frist thought")

    with pytest.raises(PermissionDenied):
        services.edit_comment(comment, by=editor, body="Hijacked")
    time_machine.move_to(start + dt.timedelta(seconds=299), tick=False)
    services.edit_comment(comment, by=reviewer, body="First thought, @editor")

    comment.refresh_from_db()
    assert (comment.body, comment.edited_at) == ("First thought, @editor", timezone_at(start, 299))
    revision = CommentRevision.objects.get(comment=comment)
    assert revision.body == "Frist thought"
    assert (revision.event.kind, revision.event.note) == (
        ArticleEvent.Kind.COMMENT_EDITED,
        "First thought, @editor",
    )
    assert list(comment.mentions.values_list("user__username", flat=True)) == ["editor"]

    time_machine.move_to(start + dt.timedelta(seconds=300), tick=False)
    with pytest.raises(InvalidTransition):
        services.edit_comment(comment, by=reviewer, body="Too late")
    comment.refresh_from_db()
    assert comment.body == "First thought, @editor"
    assert CommentRevision.objects.count() == 1


def timezone_at(start: dt.datetime, seconds: int) -> dt.datetime:
    return start + dt.timedelta(seconds=seconds)


def test_an_open_question_does_not_change_the_gate(editor, reviewer):
    article = make_article(editor, status="in_review")
    claims = list(article.claims.active())
    services.ask_author(claims[0], by=reviewer, body="Are you sure?")
    for claim in claims:
        record_verdict(claim, by=reviewer, judged=judge(claim), verdict="verified", note="Ok.")
    article.refresh_from_db()
    assert Comment.objects.open_questions().count() == 1
    assert article.gate().is_open


def test_an_answer_by_editing_the_sentence_re_extracts_and_leaves_the_question_open(
    editor, reviewer
):
    from articles import services as article_services
    from tests.conftest import run_extraction_now

    article = make_article(editor, status="in_review")
    claim = article.claims.active().get(text__startswith="Harbor City approved")
    question = services.ask_author(claim, by=reviewer, body="Is it 12 or 12.5 million?")

    article_services.update_article(
        article, by=editor, title=article.title, body=article.body.replace("12", "13", 1)
    )
    run_extraction_now(article.extraction_jobs.order_by("-id").first().pk)

    claim.refresh_from_db()
    question.refresh_from_db()
    assert "13" in claim.text  # re-extracted as today: the same claim, its sentence changed
    assert (question.claim_id, question.question_state) == (claim.pk, "open")
    assert list(services.needs_answer(editor)) == [question]

"""The claim thread in the API: list, create (and ask the author), edit within the window,
resolve; the claim's object-level rules (IDOR: 404 for what the caller may not see or for another
claim's comment, 403 for who may see but not comment), bad input as 400 with a message."""

from __future__ import annotations

import datetime as dt

import pytest

from articles.models import ArticleEvent
from review.conversations import services as talk
from review.conversations.models import Comment, CommentRevision, Mention
from tests.conftest import make_article

pytestmark = [pytest.mark.usefixtures("api_settings"), pytest.mark.django_db]


def url(claim, comment=None, action: str = "") -> str:
    base = f"/api/v1/claims/{claim.pk}/comments"
    if comment is not None:
        base += f"/{comment.pk}"
    return base + (f"/{action}" if action else "")


@pytest.fixture
def claim(editor):
    return make_article(editor, status="in_review").claims.active().order_by("ordinal").first()


def test_a_reviewer_asks_the_author_and_the_thread_lists_it(api, claim, reviewer, editor):
    response = api(reviewer).post(
        url(claim),
        {"body": "Which year, @editor? <script>x</script>", "question": True},
        format="json",
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["is_question"], data["question_state"], data["addressee"]["username"]) == (
        True,
        "open",
        "editor",
    )
    assert data["body"] == "Which year, @editor? <script>x</script>"  # stored as written
    assert data["mentions"] == ["editor"]
    comment = Comment.objects.get()
    assert comment.event.kind == ArticleEvent.Kind.QUESTION_OPENED

    listed = api(editor).get(url(claim))
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["results"]] == [comment.pk]


def test_the_author_comments_but_cannot_ask_themselves(api, claim, editor):
    denied = api(editor).post(url(claim), {"body": "Hm?", "question": True}, format="json")
    allowed = api(editor).post(url(claim), {"body": "It is 2027."}, format="json")

    assert denied.status_code == 403
    assert "yourself" in denied.json()["detail"]
    assert allowed.status_code == 201
    assert Comment.objects.filter(is_question=False).count() == 1
    assert not Comment.objects.filter(is_question=True).exists()


def test_an_editor_who_is_not_the_author_gets_403_and_an_outsider_404(
    api, editor, other_editor, outsider, reviewer
):
    # Published: the other editor and the outsider may see it, but not take part.
    published = make_article(editor, status="published").claims.active().first()
    in_review = make_article(editor, title="Second", status="in_review").claims.active().first()

    assert api(other_editor).post(url(published), {"body": "Hi"}, format="json").status_code == 403
    # Who may write is answered before what was written.
    assert api(other_editor).post(url(published), {"body": " "}, format="json").status_code == 403
    assert api(outsider).post(url(published), {"body": "Hi"}, format="json").status_code == 403
    assert api(other_editor).post(url(in_review), {"body": "Hi"}, format="json").status_code == 404
    assert api(other_editor).get(url(in_review)).status_code == 404
    assert api(outsider).get(url(in_review)).status_code == 404
    assert not Comment.objects.exists()
    assert api(reviewer).post(url(in_review), {"body": "Hi"}, format="json").status_code == 201


def test_a_comment_of_another_claim_is_404_for_edit_and_resolve(api, claim, reviewer, editor):
    other = make_article(editor, title="Other", status="in_review").claims.active().first()
    question = talk.ask_author(other, by=reviewer, body="Where from?")

    edit = api(reviewer).patch(url(claim, question), {"body": "Changed"}, format="json")
    resolve = api(reviewer).post(url(claim, question, "resolve"), {}, format="json")

    assert (edit.status_code, resolve.status_code) == (404, 404)
    question.refresh_from_db()
    assert (question.body, question.question_state) == ("Where from?", "open")
    ok = api(reviewer).post(url(other, question, "resolve"), {}, format="json")
    assert ok.status_code == 200
    assert ok.json()["question_state"] == "resolved"


def test_a_user_who_cannot_see_the_article_gets_404_on_its_comment(api, claim, reviewer, outsider):
    comment = talk.add_comment(claim, by=reviewer, body="Mine")
    edit = api(outsider).patch(url(claim, comment), {"body": "Theirs"}, format="json")
    assert edit.status_code == 404
    comment.refresh_from_db()
    assert comment.body == "Mine"


def test_only_the_asker_or_a_chief_resolves(api, claim, reviewer, second_reviewer, chief):
    question = talk.ask_author(claim, by=reviewer, body="Why?")
    denied = api(second_reviewer).post(url(claim, question, "resolve"), {}, format="json")
    assert denied.status_code == 403
    allowed = api(chief).post(url(claim, question, "resolve"), {"note": "Fine."}, format="json")
    assert allowed.status_code == 200
    assert allowed.json()["resolved_by"]["username"] == "chief"
    again = api(reviewer).post(url(claim, question, "resolve"), {}, format="json")
    assert again.status_code == 409
    assert ArticleEvent.objects.filter(kind=ArticleEvent.Kind.QUESTION_RESOLVED).count() == 1


def test_editing_works_for_five_minutes_for_the_author_only(
    api, claim, reviewer, second_reviewer, time_machine
):
    start = dt.datetime(2026, 4, 2, 10, 0, tzinfo=dt.UTC)
    time_machine.move_to(start, tick=False)
    comment = talk.add_comment(claim, by=reviewer, body="Frist")

    other = api(second_reviewer).patch(url(claim, comment), {"body": "Nope"}, format="json")
    time_machine.move_to(start + dt.timedelta(minutes=4), tick=False)
    mine = api(reviewer).patch(url(claim, comment), {"body": "First"}, format="json")
    time_machine.move_to(start + dt.timedelta(minutes=5, seconds=1), tick=False)
    late = api(reviewer).patch(url(claim, comment), {"body": "Late"}, format="json")

    assert (other.status_code, mine.status_code, late.status_code) == (403, 200, 409)
    assert "5 minutes" in late.json()["detail"]
    comment.refresh_from_db()
    assert comment.body == "First"
    assert list(CommentRevision.objects.values_list("body", flat=True)) == ["Frist"]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "body"),
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": 12}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"body": "ok", "question": "maybe"}, "question"),
        ({"body": "ok", "author": 3}, "author"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, claim, reviewer, payload, field):
    response = api(reviewer).post(url(claim), payload, format="json")
    assert response.status_code == 400, response.content
    assert field in str(response.json())
    assert not Comment.objects.exists()


def test_a_mention_of_someone_who_cannot_see_the_article_is_not_stored(
    api, claim, reviewer, outsider
):
    response = api(reviewer).post(url(claim), {"body": "cc @outsider @chief"}, format="json")
    assert response.status_code == 201
    assert response.json()["mentions"] == []
    assert not Mention.objects.exists()


@pytest.mark.parametrize("n", [1, 50])
def test_the_thread_query_count_does_not_grow(api, django_assert_num_queries, claim, reviewer, n):
    for i in range(n):
        talk.add_comment(claim, by=reviewer, body=f"Comment {i} @editor")
    client = api(reviewer)

    # 1 the data version (remembered responses), 2 the token with its user, 3 groups, 4 the
    # token's last use, 5 the claim (visible articles); the thread: 6 its count (pagination),
    # 7 the comments with their authors and resolvers, 8 their mentions with the people.
    with django_assert_num_queries(8):
        response = client.get(url(claim))
    assert response.status_code == 200
    assert len(response.json()["results"]) == n

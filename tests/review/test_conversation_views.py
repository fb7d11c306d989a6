"""A claim's conversation in the browser's HTML: the thread in the claim panel (htmx and plain
posts), escaping, the mention autocomplete (only people who may see the article; permission
checked), "question open" in the queue and on the article page, "Needs your answer" on the
author's dashboard, CSRF, and pinned query counts that do not grow with the comments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import ArticleEvent
from review.conversations import services as talk
from review.conversations.models import Comment, Mention
from tests.conftest import make_article
from tests.support.verdicts import judge

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SCRIPT = '<script>document.title="pwned"</script>'


@pytest.fixture
def claim(editor):
    return make_article(editor, status="in_review").claims.active().order_by("ordinal").first()


def add_url(claim) -> str:
    return reverse("review:comment_add", args=[claim.pk])


def test_a_reviewer_comments_with_htmx_and_gets_the_thread_back_escaped(client, claim, reviewer):
    client.force_login(reviewer)

    response = client.post(add_url(claim), {"body": f"See {SCRIPT} @editor"}, **HTMX)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="thread-{claim.pk}"' in page
    assert "&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;" in page
    assert SCRIPT not in page
    comment = Comment.objects.get()
    assert comment.body == f"See {SCRIPT} @editor"
    assert list(Mention.objects.values_list("user__username", flat=True)) == ["editor"]


def test_the_claim_page_shows_the_thread_escaped(client, claim, reviewer, editor):
    talk.add_comment(claim, by=reviewer, body=SCRIPT)
    client.force_login(editor)
    page = client.get(reverse("review:claim", args=[claim.pk])).content.decode()
    assert "&lt;script&gt;" in page and SCRIPT not in page


def test_ask_the_author_from_the_form_and_a_blank_comment_is_a_form_error(client, claim, reviewer):
    client.force_login(reviewer)

    blank = client.post(add_url(claim), {"body": "  ", "ask": "1"}, **HTMX)
    asked = client.post(add_url(claim), {"body": "Which year?", "ask": "1"}, **HTMX)

    assert blank.status_code == 422
    assert "Write something." in blank.content.decode()
    assert asked.status_code == 200
    assert "Question open" in asked.content.decode()
    question = Comment.objects.get()
    assert (question.is_question, question.question_state) == (True, "open")


def test_without_javascript_a_comment_posts_and_redirects_to_the_thread(client, claim, reviewer):
    client.force_login(reviewer)
    response = client.post(add_url(claim), {"body": "Plain post."})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/review/claims/{claim.pk}/#thread-{claim.pk}")
    assert Comment.objects.get().body == "Plain post."


def test_the_author_cannot_ask_themselves_and_an_outsider_gets_404(client, claim, editor, outsider):
    client.force_login(editor)
    assert client.post(add_url(claim), {"body": "Me?", "ask": "1"}, **HTMX).status_code == 403
    client.force_login(outsider)
    assert client.post(add_url(claim), {"body": "Hi"}, **HTMX).status_code == 404
    assert not Comment.objects.exists()


def test_writes_need_csrf(claim, reviewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    assert client.post(add_url(claim), {"body": "Hi"}).status_code == 403
    assert not Comment.objects.exists()


def test_resolve_and_edit_in_the_thread(client, claim, reviewer, time_machine):
    start = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
    time_machine.move_to(start, tick=False)
    question = talk.ask_author(claim, by=reviewer, body="Wich year?")
    client.force_login(reviewer)

    edited = client.post(
        reverse("review:comment_edit", args=[question.pk]), {"body": "Which year?"}, **HTMX
    )
    time_machine.move_to(start + dt.timedelta(minutes=6), tick=False)
    late = client.post(
        reverse("review:comment_edit", args=[question.pk]), {"body": "Later"}, **HTMX
    )
    resolved = client.post(reverse("review:comment_resolve", args=[question.pk]), **HTMX)

    assert (edited.status_code, late.status_code, resolved.status_code) == (200, 409, 200)
    assert "can be edited for 5 minutes" in late.content.decode()
    assert "Question resolved" in resolved.content.decode()
    question.refresh_from_db()
    assert (question.body, question.question_state) == ("Which year?", "resolved")


def test_a_comment_of_an_article_one_cannot_see_is_404(client, claim, reviewer, other_editor):
    question = talk.ask_author(claim, by=reviewer, body="Why?")
    client.force_login(other_editor)
    assert client.post(reverse("review:comment_resolve", args=[question.pk])).status_code == 404
    assert (
        client.post(reverse("review:comment_edit", args=[question.pk]), {"body": "x"}).status_code
        == 404
    )


def test_mention_autocomplete_offers_only_people_who_may_see_the_article(
    client, claim, reviewer, second_reviewer, chief, outsider, other_editor
):
    client.force_login(reviewer)
    url = reverse("review:mentionable", args=[claim.pk])

    found = client.get(url, {"q": "", "format": "json"}).json()["results"]
    assert found == []
    names = {
        p["username"]
        for q in ("e", "s", "c", "o")
        for p in client.get(url, {"q": q, "format": "json"}).json()["results"]
    }
    # The author, the other reviewer and the chief; never the outsider or another editor.
    assert names == {"editor", "second_reviewer", "chief"}
    partial = client.get(url, {"q": "Eda"}, **HTMX).content.decode()
    assert 'data-mention="editor"' in partial and "Eda Editor" in partial


def test_mention_autocomplete_is_for_participants_only(client, editor, other_editor, outsider):
    published = make_article(editor, status="published").claims.active().first()
    in_review = make_article(editor, title="Two", status="in_review").claims.active().first()
    client.force_login(other_editor)
    assert (
        client.get(reverse("review:mentionable", args=[published.pk]), {"q": "e"}).status_code
        == 403
    )
    assert (
        client.get(reverse("review:mentionable", args=[in_review.pk]), {"q": "e"}).status_code
        == 404
    )


def test_the_queue_and_the_article_page_show_question_open_and_the_comment_count(
    client, claim, editor, reviewer, second_reviewer
):
    talk.ask_author(claim, by=reviewer, body="Which year?")
    talk.add_comment(claim, by=editor, body="2027.")

    client.force_login(second_reviewer)
    queue = client.get(reverse("review:queue")).content.decode()
    row = queue.split(f'id="claim-row-{claim.pk}"')[1].split("</li>")[0]
    assert "Question open" in row

    article_page = client.get(reverse("articles:detail", args=[claim.article_id])).content.decode()
    mark = article_page.split(f'id="claim-{claim.pk}"')[1].split("</mark>")[1]
    assert mark.startswith('<a class="claim-ref')
    assert (
        '<span class="claim-badge">2 comments</span><span class="claim-badge">question open</span>'
        in mark
    )


def test_a_queue_row_drawn_after_a_verdict_still_says_question_open(
    client, claim, editor, reviewer, second_reviewer
):
    talk.ask_author(claim, by=reviewer, body="Which year?")
    client.force_login(second_reviewer)

    response = client.post(
        reverse("review:verdict", args=[claim.pk]),
        {
            "judged": judge(claim),
            "verdict": "unverified",
            "note": "Waiting for the author.",
            "source": "queue",
            "next": reverse("review:queue"),
        },
        **HTMX,
    )

    assert response.status_code == 200
    row = response.content.decode().split(f'id="claim-row-{claim.pk}"')[1].split("</li>")[0]
    assert "Question open" in row


def test_the_authors_dashboard_lists_the_question_under_needs_your_answer(
    client, claim, editor, reviewer
):
    talk.ask_author(claim, by=reviewer, body="Which <b>year</b>?")
    client.force_login(editor)

    page = client.get(reverse("articles:dashboard")).content.decode()

    section = page.split('id="needs-answer-heading"')[1].split("</section>")[0]
    assert "(1)" in section
    assert "Which &lt;b&gt;year&lt;/b&gt;?" in section
    assert claim.text in section
    assert f'href="/review/claims/{claim.pk}/#thread-{claim.pk}"' in section

    talk.resolve_question(Comment.objects.get(), by=reviewer)
    page = client.get(reverse("articles:dashboard")).content.decode()
    assert "No question waits for your answer." in page


@pytest.mark.parametrize("n", [1, 50])
def test_the_dashboard_section_query_count_does_not_grow(
    client, django_assert_num_queries, editor, reviewer, n
):
    article = make_article(editor, status="in_review")
    claims = list(article.claims.active())
    for i in range(n):
        talk.ask_author(claims[i % len(claims)], by=reviewer, body=f"Question {i}?")
    client.force_login(editor)

    # As before this feature, plus one: the open questions with their claims, articles, askers.
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("articles:dashboard"))
    assert response.content.decode().count('class="needs-answer-item"') == n


@pytest.mark.parametrize("n", [1, 50])
def test_the_thread_query_count_does_not_grow(
    client, django_assert_num_queries, claim, editor, reviewer, n
):
    for i in range(n):
        talk.add_comment(
            claim, by=reviewer, body=f"Comment {i} @editor https://stats.example.org/table-{i}"
        )
    client.force_login(reviewer)

    # The claim page as before plus four: the comments with their authors and resolvers, their
    # mentions with the people mentioned, the links written in them (for the evidence list), and
    # those links' snapshots (one query for every source of the claim).
    with django_assert_num_queries(CLAIM_PAGE_QUERIES):
        response = client.get(reverse("review:claim", args=[claim.pk]))
    html = response.content.decode()
    assert html.count('class="thread-comment') == n
    assert html.count("Linked in the conversation:") == n


DASHBOARD_QUERIES = 6
CLAIM_PAGE_QUERIES = 15


def test_the_verdict_history_of_a_claim_leaves_its_conversation_to_the_thread(
    client, claim, reviewer, editor
):
    talk.add_comment(claim, by=reviewer, body="Unmistakable remark")
    client.force_login(editor)
    page = client.get(reverse("review:claim", args=[claim.pk])).content.decode()
    history = page.split("<h3>Verdict history</h3>")[1].split("</ol>")[0][:400]
    assert "Unmistakable remark" not in history
    assert page.count("Unmistakable remark") == 1  # in the thread
    assert ArticleEvent.objects.filter(kind=ArticleEvent.Kind.COMMENT).count() == 1

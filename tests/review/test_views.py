"""The review pages through the test client: the queue, verdicts in place (htmx and plain posts),
and publishing through the gate. Each test asserts the response and the rows left behind."""

from __future__ import annotations

import pytest
from django.urls import reverse

from articles import services
from articles.models import Article, ArticleEvent, Claim
from review import services as review_services
from tests.conftest import STORY_CLAIMS, make_article, run_extraction_now
from tests.support.verdicts import judge

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def verify_all(article: Article, by, *, except_first_unverified: bool = False) -> None:
    claims = list(article.claims.active().order_by("ordinal"))
    for i, claim in enumerate(claims):
        if except_first_unverified and i == 0:
            review_services.record_verdict(
                claim, judged=judge(claim), by=by, verdict="unverified", note="No source."
            )
        else:
            review_services.record_verdict(
                claim, judged=judge(claim), by=by, verdict="verified", note="Checked."
            )


def submit_and_extract(article: Article, by) -> Article:
    job = services.submit_article(article, by=by)
    run_extraction_now(job.pk)
    article.refresh_from_db()
    return article


# --- Queue --------------------------------------------------------------------------------------


def test_queue_lists_only_claims_awaiting_the_reviewer_oldest_article_first(
    client, editor, other_editor, editor_reviewer, reviewer
):
    # Written first, submitted last: the queue orders by submission, not by creation.
    later = make_article(editor, title="Submitted later")
    earlier = make_article(other_editor, title="Submitted earlier")
    submit_and_extract(earlier, other_editor)
    submit_and_extract(later, editor)
    review_services.record_verdict(
        later.claims.get(ordinal=0),
        judged=judge(later.claims.get(ordinal=0)),
        by=reviewer,
        verdict="verified",
        note="Ok.",
    )
    make_article(editor_reviewer, title="My own article", status="in_review")
    make_article(editor, title="A draft")
    make_article(editor, title="Only submitted", status="submitted")
    make_article(editor, title="Already out", status="published")
    client.force_login(editor_reviewer)

    response = client.get(reverse("review:queue"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Submitted earlier") < html.index("Submitted later")
    for title in ("My own article", "A draft", "Only submitted", "Already out"):
        assert title not in html
    listed = [int(pk) for pk in _claim_row_ids(html)]
    expected = list(
        Claim.objects.awaiting(editor_reviewer)
        .order_by("article__submitted_at", "ordinal")
        .values_list("pk", flat=True)
    )
    assert listed == expected
    assert len(listed) == 2 * STORY_CLAIMS - 1  # the claim judged by the other reviewer is gone
    assert f"{2 * STORY_CLAIMS - 1} claims awaiting you in 2 articles." in html


def _claim_row_ids(html: str) -> list[str]:
    import re

    return re.findall(r'<li class="claim-row[^"]*" id="claim-row-(\d+)"', html)


def test_queue_is_for_reviewers_only(client, editor, chief, outsider, reviewer):
    for user in (editor, chief, outsider):
        client.force_login(user)
        assert client.get(reverse("review:queue")).status_code == 403
        assert client.get(reverse("review:queue_partial")).status_code == 403

    client.force_login(reviewer)
    assert client.get(reverse("review:queue")).status_code == 200


def test_queue_page_refreshes_itself_and_the_partial_drops_claims_judged_by_others(
    client, editor, reviewer, second_reviewer
):
    article = make_article(editor, status="in_review")
    client.force_login(reviewer)
    page = client.get(reverse("review:queue")).content.decode()
    # A poller asks for the version; a change fires queueChanged, which re-fetches the list.
    assert f'hx-get="{reverse("review:queue_version")}?v=' in page
    assert 'hx-trigger="every 3s"' in page
    assert f'hx-get="{reverse("review:queue_partial")}?page=1"' in page
    assert 'hx-trigger="queueChanged from:body" data-hold-while="#queue .dirty"' in page

    judged = article.claims.get(ordinal=0)
    review_services.record_verdict(
        judged, judged=judge(judged), by=second_reviewer, verdict="verified", note="Ok."
    )
    partial = client.get(reverse("review:queue_partial"), **HTMX)

    html = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in html
    assert f'id="claim-row-{judged.pk}"' not in html
    assert len(_claim_row_ids(html)) == STORY_CLAIMS - 1
    assert f"{STORY_CLAIMS - 1} claims awaiting you in 1 article." in html


def test_article_text_is_escaped_in_the_queue(client, editor, reviewer):
    from tests.articles.test_views import XSS_BODY, XSS_TITLE, assert_escaped

    make_article(editor, title=XSS_TITLE, body=XSS_BODY, status="in_review")
    client.force_login(reviewer)

    for url in (reverse("review:queue"), reverse("review:queue_partial")):
        assert_escaped(client.get(url).content.decode())


@pytest.mark.parametrize("n", [1, 50])
def test_queue_query_count_does_not_grow(client, django_assert_num_queries, editor, reviewer, n):
    for i in range(n):
        make_article(editor, title=f"Story {i}", status="in_review")
    client.force_login(reviewer)

    # 1 session, 2 user, 3 groups, 4 the articles with claims awaiting me, with their authors,
    # counts per state and whether they are assigned to me, 5 the pending claims of this page's
    # articles with their holds and holders, 6 the filter choices, 7-8 the version fingerprint.
    with django_assert_num_queries(8):
        response = client.get(reverse("review:queue"))

    # The queue shows 10 articles per page (review.views.QUEUE_PAGE_SIZE).
    assert len(_claim_row_ids(response.content.decode())) == min(n, 10) * STORY_CLAIMS


# --- Verdicts -----------------------------------------------------------------------------------


def test_htmx_verdict_returns_the_updated_row_and_writes_history(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=0)
    client.force_login(reviewer)

    response = client.post(
        reverse("review:verdict", args=[claim.pk]),
        {
            "judged": judge(claim),
            "verdict": "verified",
            "note": "Council minutes, p. 3.",
            "evidence_url": "https://example.org/minutes",
            "next": reverse("review:queue"),
            "source": "queue",
        },
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li class="claim-row queue-row" id="claim-row-{claim.pk}"')
    assert "<html" not in html
    assert '<span class="verdict-badge verdict-verified">Verified</span>' in html
    assert '<a href="https://example.org/minutes" rel="noopener nofollow">' in html
    assert "Saved." in html
    assert f"{STORY_CLAIMS - 1} claims awaiting you in 1 article." in html  # out-of-band count
    assert 'hx-swap-oob="true"' in html
    assert response["HX-Trigger"] == "claimJudged"
    claim.refresh_from_db()
    assert (claim.verdict, claim.note, claim.evidence_url, claim.reviewed_by) == (
        "verified",
        "Council minutes, p. 3.",
        "https://example.org/minutes",
        reviewer,
    )
    event = ArticleEvent.objects.get(kind=ArticleEvent.Kind.VERDICT)
    assert (event.claim, event.actor, event.from_state, event.to_state) == (
        claim,
        reviewer,
        "pending",
        "verified",
    )


def test_an_unverified_verdict_without_a_note_is_refused_in_the_row(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=0)
    client.force_login(reviewer)

    response = client.post(
        reverse("review:verdict", args=[claim.pk]),
        {
            "judged": judge(claim),
            "verdict": "unverified",
            "note": "  ",
            "evidence_url": "",
            "next": reverse("review:queue"),
        },
        **HTMX,
    )

    html = response.content.decode()
    # 422, which base.html's htmx responseHandling swaps in like a 200.
    assert response.status_code == 422
    assert "Say why the claim could not be verified." in html
    assert 'value="unverified" required checked' in html  # the choice is kept
    assert 'aria-invalid="true"' in html
    claim.refresh_from_db()
    assert claim.verdict == Claim.Verdict.PENDING
    assert not ArticleEvent.objects.filter(kind=ArticleEvent.Kind.VERDICT).exists()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Choose verified or unverified."),
        ({"verdict": "maybe", "note": "x"}, "Select a valid choice."),
        ({"verdict": "verified"}, "A verified claim needs an evidence URL or a note."),
        (
            {"verdict": "verified", "evidence_url": "javascript:alert(1)"},
            "Enter a full http:// or https:// address.",
        ),
    ],
)
def test_bad_verdicts_are_refused_with_the_reason_and_change_nothing(
    client, editor, reviewer, data, error
):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=0)
    client.force_login(reviewer)

    data = {**data, "judged": judge(claim)}
    response = client.post(reverse("review:verdict", args=[claim.pk]), data, **HTMX)

    assert response.status_code == 422
    assert error in response.content.decode()
    claim.refresh_from_db()
    assert (claim.verdict, claim.evidence_url) == ("pending", "")


def test_without_javascript_a_verdict_posts_and_redirects_back(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=0)
    client.force_login(reviewer)

    response = client.post(
        reverse("review:verdict", args=[claim.pk]),
        {
            "judged": judge(claim),
            "verdict": "verified",
            "note": "Checked.",
            "next": reverse("review:queue"),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("review:queue")
    claim.refresh_from_db()
    assert claim.verdict == Claim.Verdict.VERIFIED
    page = client.get(response["Location"]).content.decode()
    assert "Claim 1: verified." in page
    assert f'id="claim-row-{claim.pk}"' not in page


def test_without_javascript_a_refused_verdict_shows_the_form_with_its_error(
    client, editor, reviewer
):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=0)
    client.force_login(reviewer)

    response = client.post(
        reverse("review:verdict", args=[claim.pk]),
        {
            "judged": judge(claim),
            "verdict": "unverified",
            "note": "",
            "next": "https://evil.example/",
        },
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "<html" in html and "Say why the claim could not be verified." in html
    assert "https://evil.example/" not in html  # an outside `next` is replaced by the queue
    claim.refresh_from_db()
    assert claim.verdict == Claim.Verdict.PENDING


def test_a_reviewer_never_judges_claims_of_their_own_article(client, editor_reviewer, reviewer):
    own = make_article(editor_reviewer, status="in_review")
    claim = own.claims.get(ordinal=0)
    data = {"judged": judge(claim), "verdict": "verified", "note": "Checked."}

    client.force_login(editor_reviewer)
    assert client.post(reverse("review:verdict", args=[claim.pk]), data, **HTMX).status_code == 403
    claim.refresh_from_db()
    assert claim.verdict == Claim.Verdict.PENDING

    client.force_login(reviewer)
    assert client.post(reverse("review:verdict", args=[claim.pk]), data, **HTMX).status_code == 200
    claim.refresh_from_db()
    assert claim.verdict == Claim.Verdict.VERIFIED


def test_editors_and_outsiders_cannot_record_verdicts(client, editor, other_editor, outsider):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=0)
    data = {"judged": judge(claim), "verdict": "verified", "note": "Checked."}

    client.force_login(other_editor)
    assert client.post(reverse("review:verdict", args=[claim.pk]), data).status_code == 404
    client.force_login(outsider)
    assert client.post(reverse("review:verdict", args=[claim.pk]), data).status_code == 404
    claim.refresh_from_db()
    assert claim.verdict == Claim.Verdict.PENDING


def test_a_verdict_on_an_article_no_longer_in_review_is_a_conflict(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=0)
    services.return_to_draft(article, by=editor)
    client.force_login(reviewer)

    # A reviewer may no longer see a draft: the claim is gone for them.
    assert (
        client.post(
            reverse("review:verdict", args=[claim.pk]),
            {"judged": judge(claim), "verdict": "verified", "note": "x"},
            **HTMX,
        ).status_code
        == 404
    )

    article = make_article(editor, title="Submitted again", status="in_review")
    claim = article.claims.get(ordinal=0)
    services.update_article(
        article, by=editor, title=article.title, body=article.body + "\nAnd more.\n"
    )
    response = client.post(
        reverse("review:verdict", args=[claim.pk]),
        {"judged": judge(claim), "verdict": "verified", "note": "x"},
        **HTMX,
    )

    assert response.status_code == 409
    assert (
        "Verdicts can only be recorded while the article is in review (it is submitted)."
        in response.content.decode()
    )
    claim.refresh_from_db()
    assert claim.verdict == Claim.Verdict.PENDING


def test_a_reviewer_changes_a_verdict_from_the_article_page(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=0)
    review_services.record_verdict(
        claim, judged=judge(claim), by=reviewer, verdict="verified", note="Looked fine."
    )
    client.force_login(reviewer)
    page = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert f'hx-post="{reverse("review:verdict", args=[claim.pk])}"' in page
    assert "Change the verdict on claim 1" in page

    response = client.post(
        reverse("review:verdict", args=[claim.pk]),
        {
            "judged": judge(claim),
            "verdict": "unverified",
            "note": "The minutes say 6 to 3.",
            "next": reverse("articles:detail", args=[article.pk]) + f"#claim-row-{claim.pk}",
        },
        **HTMX,
    )

    assert response.status_code == 200
    assert (
        "queue-summary" not in response.content.decode()
    )  # not from the queue: no count to update
    claim.refresh_from_db()
    assert (claim.verdict, claim.note) == ("unverified", "The minutes say 6 to 3.")
    assert list(
        ArticleEvent.objects.filter(kind=ArticleEvent.Kind.VERDICT).values_list(
            "from_state", "to_state"
        )
    ) == [("pending", "verified"), ("verified", "unverified")]
    gate = client.get(reverse("articles:gate", args=[article.pk]), **HTMX).content.decode()
    assert "4 of 5 claims pending, 1 unverified." in gate


# --- Publishing ---------------------------------------------------------------------------------


def test_an_open_gate_lets_the_author_publish(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    verify_all(article, reviewer)
    client.force_login(editor)

    response = client.post(reverse("review:publish", args=[article.pk]), follow=True)

    assert response.status_code == 200
    assert "Published." in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.published_at is not None
    event = article.events.filter(kind=ArticleEvent.Kind.STATUS).last()
    assert (event.actor, event.from_state, event.to_state) == (editor, "in_review", "published")


def test_a_closed_gate_shows_why_and_changes_nothing(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    review_services.record_verdict(
        article.claims.get(ordinal=0),
        judged=judge(article.claims.get(ordinal=0)),
        by=reviewer,
        verdict="unverified",
        note="No.",
    )
    client.force_login(editor)

    response = client.post(reverse("review:publish", args=[article.pk]), follow=True)

    assert response.status_code == 200
    assert "Cannot publish yet: 4 of 5 claims pending, 1 unverified." in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert not article.events.filter(to_state="published").exists()


def test_publishing_a_draft_is_a_message_not_an_error(client, editor):
    article = make_article(editor)
    client.force_login(editor)

    response = client.post(reverse("review:publish", args=[article.pk]), follow=True)

    assert "Only an article in review can be published (it is draft)." in response.content.decode()
    assert Article.objects.get().status == Article.Status.DRAFT


def test_a_chief_publishes_over_unverified_claims_with_a_reason(client, editor, reviewer, chief):
    article = make_article(editor, status="in_review")
    verify_all(article, reviewer, except_first_unverified=True)
    client.force_login(chief)

    response = client.post(
        reverse("review:publish", args=[article.pk]),
        {
            "override": "True",
            "override_reason": "Mayor's office confirmed by phone.",
            "confirm": "on",
        },
        follow=True,
    )

    assert "Published." in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    override = article.events.get(kind=ArticleEvent.Kind.OVERRIDE)
    assert override.actor == chief
    assert "Mayor's office confirmed by phone." in override.note


def test_an_override_needs_a_reason(client, editor, reviewer, chief):
    article = make_article(editor, status="in_review")
    verify_all(article, reviewer, except_first_unverified=True)
    client.force_login(chief)

    response = client.post(
        reverse("review:publish", args=[article.pk]),
        {"override": "True", "override_reason": " ", "confirm": "on"},
        follow=True,
    )

    assert "Give the reason for publishing over unverified claims." in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert not article.events.filter(kind=ArticleEvent.Kind.OVERRIDE).exists()


def test_an_editor_cannot_override_the_gate(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    verify_all(article, reviewer, except_first_unverified=True)
    client.force_login(editor)

    response = client.post(
        reverse("review:publish", args=[article.pk]),
        {"override": "True", "override_reason": "I am sure.", "confirm": "on"},
    )

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert not article.events.filter(kind=ArticleEvent.Kind.OVERRIDE).exists()


def test_reviewers_and_other_editors_cannot_publish(client, editor, other_editor, reviewer):
    article = make_article(editor, status="in_review")
    verify_all(article, reviewer)

    client.force_login(reviewer)
    assert client.post(reverse("review:publish", args=[article.pk])).status_code == 403
    client.force_login(other_editor)
    assert client.post(reverse("review:publish", args=[article.pk])).status_code == 404
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW

"""A claim changed by an edit shows, in the queue's panel, a word-level diff against its previous
text with the verdict, note and evidence it had (issue 13)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from articles import services
from articles.diffing import DiffSegment, diff_words, word_units
from review import services as review_services
from tests.conftest import STORY, make_article, run_extraction_now
from tests.support.verdicts import judge

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_word_diff_marks_only_the_changed_number():
    assert diff_words("Revenue was $412.3 million.", "Revenue was $421.3 million.") == [
        DiffSegment("same", "Revenue was "),
        DiffSegment("delete", "$412.3"),
        DiffSegment("insert", "$421.3"),
        DiffSegment("same", " million."),
    ]


def test_word_units_give_the_text_back_and_a_long_repetitive_claim_stays_cheap():
    text = "a " * 20_000 + "b"
    assert "".join(word_units(text)) == text
    segments = diff_words(text, "b " + text)
    assert "".join(s.text for s in segments if s.kind != "insert") == text
    assert "".join(s.text for s in segments if s.kind != "delete") == "b " + text


@pytest.mark.django_db
def test_the_panel_shows_a_changed_claim_against_its_previous_text_and_verdict(
    client, editor, reviewer, second_reviewer
):
    article = make_article(editor, status="in_review")
    vote = article.claims.get(text="The council vote was 7 to 2.")
    review_services.record_verdict(
        vote,
        judged=judge(vote),
        by=second_reviewer,
        verdict="verified",
        note="Minutes, item <4>.",
        evidence_url="https://example.org/minutes",
    )
    services.update_article(
        article, by=editor, title=article.title, body=STORY.replace("7 to 2", "6 to 2")
    )
    run_extraction_now(article.extraction_jobs.order_by("-id").first().pk)
    vote.refresh_from_db()
    assert (vote.text, vote.previous_text) == (
        "The council vote was 6 to 2.",
        "The council vote was 7 to 2.",
    )
    client.force_login(reviewer)

    html = client.post(reverse("review:claim_open", args=[vote.pk]), **HTMX).content.decode()

    assert (
        'The council vote was <del class="word-del">7</del><ins class="word-ins">6</ins> to 2.'
        in html
    )
    assert "Changed by an edit since it was judged verified:" in html
    assert "Previous note: Minutes, item &lt;4&gt;." in html  # escaped
    assert 'Previous evidence: <a href="https://example.org/minutes"' in html

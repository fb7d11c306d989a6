"""Review rounds: the worker that applies a re-extraction stores its text diff once (`ReviewRound`),
and the article page only reads it. Issue 20: the page used to diff on every view, and a 48 KB
edit of repeated lines made it answer 500 after 30 s for every viewer."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from articles import diffing, services
from articles.models import ExtractionJob, ReviewRound
from review import services as review_services
from tests.conftest import STORY, make_article, run_extraction_now

pytestmark = pytest.mark.django_db

# 48,000 characters of one repeated line, and the same with two lines changed a third of the way
# in and two thirds of the way in (so neither the common start nor the common end settles it).
LINE = "Yes.\n"
REPEATED = LINE * 9_600
REPEATED_EDITED = (
    LINE * 3_200 + "No, said the clerk.\n" + LINE * 3_199 + "Maybe, said the mayor.\n" + LINE * 3_199
)


def reextract(article, by, body: str):
    services.update_article(article, by=by, title=article.title, body=body)
    job = article.extraction_jobs.order_by("-id").first()
    run_extraction_now(job.pk)
    article.refresh_from_db()
    return article


def round_section(html: str) -> str:
    return html.split('id="round-heading"')[1].split("</section>")[0]


def test_the_worker_stores_the_round_when_it_applies_a_re_extraction(editor):
    article = make_article(editor, status="in_review")
    assert not ReviewRound.objects.exists()  # a first extraction is no round

    article = reextract(article, editor, STORY.replace("7 to 2", "6 to 3"))

    stored = ReviewRound.objects.get()
    job = article.extraction_jobs.get(state=ExtractionJob.State.DONE, revision__number=2)
    assert (stored.article, stored.previous_revision.number, stored.revision.number) == (
        article, 1, 2
    )
    assert (stored.inserted, stored.deleted, stored.too_large) == (1, 1, False)
    assert stored.created_at == job.finished_at
    changes = [(kind, text) for kind, text, _ in stored.segments if kind in ("insert", "delete")]
    assert changes == [
        ("delete", "The council vote was 7 to 2.\n"),
        ("insert", "The council vote was 6 to 3.\n"),
    ]


def test_each_re_extraction_stores_its_own_round_and_the_page_shows_the_newest(client, editor):
    article = make_article(editor, status="in_review")
    article = reextract(article, editor, STORY.replace("7 to 2", "6 to 3"))
    article = reextract(
        article, editor, STORY.replace("7 to 2", "6 to 3").replace("ten years", "nine years")
    )
    client.force_login(editor)

    section = round_section(client.get(reverse("articles:detail", args=[article.pk])).content.decode())

    assert list(
        ReviewRound.objects.order_by("id").values_list(
            "previous_revision__number", "revision__number"
        )
    ) == [(1, 2), (2, 3)]
    assert "Revision 2 → revision 3" in section
    assert "1 sentence added, 1 removed" in section
    assert '[added: </span>&quot;We waited nine years for this.' in section
    assert "[removed: </span>The council vote" not in section  # that was the round before


@pytest.mark.parametrize("body", [REPEATED, "small"], ids=["48KB-repeated-lines", "small"])
def test_the_article_page_reads_the_round_and_its_cost_does_not_depend_on_the_body(
    client, django_assert_num_queries, editor, body
):
    """The old page ran difflib on every GET: with this 48 KB edit it took minutes. The page now
    costs the same queries for any body, and answers within a bound no diff of it could meet."""
    if body == "small":
        article = make_article(editor, status="in_review")
        article = reextract(article, editor, STORY.replace("7 to 2", "6 to 3"))
    else:
        article = make_article(editor, body=REPEATED, status="in_review")
        started = time.monotonic()
        article = reextract(article, editor, REPEATED_EDITED)
        # The worker's part (extract, match 9,600 claims, store, diff): it took a minute before
        # the claims were updated in one statement (see `_update_claims`); generous on a busy box.
        assert time.monotonic() - started < 20
    client.force_login(editor)
    url = reverse("articles:detail", args=[article.pk])

    # 1 session, 2 user, 3 groups, 4 the article with its author, 5 active claims with their
    # reviewers, 6 the extracted revision, 7 related links, 8 image credit, 9 sections, 10 the
    # timeline, 11 the newest review round with its two revisions' numbers, 12 that round's claim
    # changes, 13 the latest extraction job, 14 the gate's counts.
    started = time.monotonic()
    with django_assert_num_queries(14):
        response = client.get(url)
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert elapsed < 10, f"the article page took {elapsed:.1f} s"
    section = round_section(response.content.decode())
    if body == "small":
        assert "1 sentence added, 1 removed" in section
        # The change is a deletion and an insertion; the legend holds one more of each.
        assert section.count("<ins>") == section.count("<del>") == 2
    else:
        assert "2 sentences added, 2 removed" in section
        added = [part.split("</ins>")[0] for part in section.split("<ins>")[1:]]
        assert any("No, said the clerk." in part for part in added)
        assert any("Maybe, said the mayor." in part for part in added)
        assert "unchanged lines" in section  # 9,600 lines folded to the context of the changes
        assert len(section) < 20_000


def test_a_diff_over_the_cap_shows_the_changed_claims_only(client, editor, reviewer, monkeypatch):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(text__startswith="The council vote")
    review_services.record_verdict(claim, by=reviewer, verdict="verified", note="Minutes.")
    monkeypatch.setattr(diffing, "MAX_CHANGED_UNITS", 1)

    article = reextract(
        article, editor, STORY.replace("7 to 2", "6 to 3").replace("in 2027", "in 2028")
    )
    client.force_login(editor)
    section = round_section(client.get(reverse("articles:detail", args=[article.pk])).content.decode())

    stored = ReviewRound.objects.get()
    assert (stored.too_large, stored.segments, stored.inserted, stored.deleted) == (True, [], 2, 2)
    assert "Diff too large to show: showing the changed claims only." in section
    assert "<ins>" not in section and "<del>" not in section
    changed_list = section.split("Claims changed in this round")[1].split("<h3>")[0]
    assert "now reads “The council vote was 6 to 3.”" in changed_list
    assert "Before: “The council vote was 7 to 2.” (verified)" in changed_list
    assert "The first ferry is due to enter service in 2028." in changed_list


def test_a_diff_given_up_for_its_cost_says_so_without_counts(client, editor, monkeypatch):
    article = make_article(editor, status="in_review")
    monkeypatch.setattr(diffing, "MIN_WORK", 0)
    monkeypatch.setattr(diffing, "WORK_PER_UNIT", 0)

    article = reextract(article, editor, STORY.replace("7 to 2", "6 to 3"))
    client.force_login(editor)
    section = round_section(client.get(reverse("articles:detail", args=[article.pk])).content.decode())

    stored = ReviewRound.objects.get()
    assert (stored.too_large, stored.inserted, stored.deleted) == (True, None, None)
    assert "Diff too large to show" in section and "sentence" not in section.split("</p>")[0]
    assert "now reads “The council vote was 6 to 3.”" in section

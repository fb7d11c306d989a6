"""The queue page never shows something other than what is stored (issue 13, "wrong state on
screen"): after a verdict, a reuse or a bulk verdict every count on the page is recomputed by
`review.views.queue.queue_counts` from the page's filtered query and swapped in out of band, and
the claim panel, when it shows a touched claim, is re-rendered from the database. A refresh of
the list re-reads the panel too (another reviewer's verdict, hold or release).

The same in a real browser: tests/browser/test_queue_consistency.py."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from review import services as review_services
from review.models import ClaimHold
from tests.conftest import STORY_CLAIMS, make_article
from tests.support.verdicts import judge, judged_fields

pytestmark = pytest.mark.django_db

QUEUE = reverse("review:queue")


def htmx_from(page: str, *, panel: int | None = None) -> dict[str, str]:
    """Headers of an htmx request made from the queue page at `page` (its address and query)
    with claim `panel` open in its panel (static/js/review-keys.js names it)."""
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": f"http://testserver{page}"}
    if panel is not None:
        headers["HTTP_X_PANEL_CLAIM"] = str(panel)
    return headers


def oob(html: str, element_id: str) -> str:
    """The text of the out-of-band element `element_id` of an htmx answer ("" if absent)."""
    match = re.search(
        rf'<(\w+) id="{element_id}"[^>]*hx-swap-oob="[^"]*"[^>]*>(.*?)</\1>', html, re.S
    )
    return re.sub(r"\s+", " ", strip_tags(match.group(2))).strip() if match else ""


def panel_of(html: str) -> str:
    match = re.search(r'<div id="claim-panel" hx-swap-oob="innerHTML">(.*)</div>', html, re.S)
    return match.group(1) if match else ""


def verdict(client, claim, page: str, **headers) -> str:
    response = client.post(
        reverse("review:verdict", args=[claim.pk]),
        {
            "verdict": "verified",
            "judged": judge(claim),
            "note": "Checked.",
            "source": "queue",
            "next": QUEUE,
        },
        **htmx_from(page, **headers),
    )
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


@pytest.fixture
def two_stories(editor, other_editor):
    return (
        make_article(editor, title="Ferry budget", status="in_review"),
        make_article(other_editor, title="Bridge repairs", status="in_review"),
    )


def test_a_verdict_under_an_article_filter_updates_every_count_from_the_filtered_queue(
    client, reviewer, two_stories
):
    ferry, _ = two_stories
    first = ferry.claims.get(ordinal=0)
    client.force_login(reviewer)
    page = f"{QUEUE}?article={ferry.pk}"

    html = verdict(client, first, page)

    left = STORY_CLAIMS - 1
    assert oob(html, "queue-summary") == (
        f"{left} claims awaiting you in 1 article matching these filters."
    )
    assert oob(html, "queue-counts") == (
        f"In the articles shown: {left} pending · 1 verified · 0 unverified"
    )
    assert (
        oob(html, f"queue-group-counts-{ferry.pk}") == f"{left} pending · 1 verified · 0 unverified"
    )
    # The page itself, loaded now, says the same: one function made both.
    fresh = client.get(page).content.decode()
    assert f"{left} claims awaiting you in 1 article matching these filters." in fresh


def test_the_unfiltered_queue_counts_every_article_after_a_verdict(client, reviewer, two_stories):
    ferry, _ = two_stories
    client.force_login(reviewer)

    html = verdict(client, ferry.claims.get(ordinal=0), QUEUE)

    total = 2 * STORY_CLAIMS - 1
    assert oob(html, "queue-summary") == f"{total} claims awaiting you in 2 articles."
    assert oob(html, "queue-counts") == (
        f"In these articles: {total} pending · 1 verified · 0 unverified"
    )


def test_after_the_last_claim_of_an_article_its_heading_says_nothing_is_pending(
    client, reviewer, second_reviewer, two_stories
):
    ferry, _ = two_stories
    *others, last = ferry.claims.order_by("ordinal")
    review_services.record_verdicts(
        others,
        by=second_reviewer,
        judged={claim.pk: judge(claim) for claim in others},
        verdict="verified",
        note="Ok.",
    )
    client.force_login(reviewer)
    page = f"{QUEUE}?article={ferry.pk}"

    html = verdict(client, last, page)

    assert oob(html, f"queue-group-counts-{ferry.pk}") == (
        f"0 pending · {STORY_CLAIMS} verified · 0 unverified"
    )
    assert (
        oob(html, "queue-summary") == "0 claims awaiting you in 0 articles matching these filters."
    )


def test_a_bulk_verdict_updates_the_counts_with_the_page_filters(client, reviewer, two_stories):
    ferry, _ = two_stories
    ids = list(ferry.claims.order_by("ordinal").values_list("pk", flat=True)[:3])
    client.force_login(reviewer)
    page = f"{QUEUE}?article={ferry.pk}"

    response = client.post(
        reverse("review:bulk_verdict", args=[ferry.pk]) + f"?article={ferry.pk}",
        {"verdict": "verified", "note": "Same source.", "claims": ids, **judged_fields(ids)},
        **htmx_from(page),
    )

    html = response.content.decode()
    assert response.status_code == 200
    left = STORY_CLAIMS - 3
    assert oob(html, "queue-summary") == (
        f"{left} claims awaiting you in 1 article matching these filters."
    )
    assert f"{left} pending · 3 verified · 0 unverified" in strip_tags(html)


# --- The claim panel ------------------------------------------------------------------------------


def test_after_a_verdict_the_panel_shows_the_saved_verdict_and_its_history(
    client, reviewer, two_stories
):
    ferry, _ = two_stories
    claim = ferry.claims.get(ordinal=0)
    client.force_login(reviewer)
    client.post(reverse("review:claim_open", args=[claim.pk]), **htmx_from(QUEUE))

    panel = panel_of(verdict(client, claim, QUEUE, panel=claim.pk))

    text = re.sub(r"\s+", " ", strip_tags(panel))
    assert f'data-claim="{claim.pk}"' in panel
    assert "Claim 1 saved: verified." in text
    assert "No verdict yet" not in text
    assert "Verdict recorded" in text or "Checked." in text
    assert 'class="verdict-form' not in panel  # judged: nothing left to fill in
    assert not ClaimHold.objects.exists()


def test_a_verdict_on_another_claim_leaves_the_panel_alone(client, reviewer, two_stories):
    ferry, _ = two_stories
    first, second = ferry.claims.order_by("ordinal")[:2]
    client.force_login(reviewer)

    html = verdict(client, first, QUEUE, panel=second.pk)

    assert panel_of(html) == ""


def test_a_bulk_verdict_including_the_open_claim_re_renders_the_panel_without_a_form(
    client, reviewer, two_stories
):
    ferry, _ = two_stories
    claims = list(ferry.claims.order_by("ordinal")[:2])
    client.force_login(reviewer)
    client.post(reverse("review:claim_open", args=[claims[0].pk]), **htmx_from(QUEUE))

    response = client.post(
        reverse("review:bulk_verdict", args=[ferry.pk]),
        {
            "verdict": "unverified",
            "note": "No source.",
            "claims": [c.pk for c in claims],
            **judged_fields(claims),
        },
        **htmx_from(QUEUE, panel=claims[0].pk),
    )

    panel = panel_of(response.content.decode())
    text = re.sub(r"\s+", " ", strip_tags(panel))
    assert response.status_code == 200
    assert "2 claims unverified." in text
    assert "No source." in text and "No verdict yet" not in text
    assert 'class="verdict-form' not in panel


def test_a_refresh_of_the_list_drops_a_hold_that_ended_with_the_holders_verdict(
    client, reviewer, second_reviewer, two_stories
):
    """The second reviewer's panel said "Held by R. Lee" until they reloaded the page."""
    ferry, _ = two_stories
    claim = ferry.claims.get(ordinal=0)
    review_services.hold_claim(claim, by=reviewer)
    client.force_login(second_reviewer)
    opened = client.post(reverse("review:claim_open", args=[claim.pk]), **htmx_from(QUEUE))
    assert opened.status_code == 409 and "Held by R. Reviewer" in strip_tags(
        opened.content.decode()
    )
    review_services.record_verdict(
        claim, judged=judge(claim), by=reviewer, verdict="verified", note="Sourced."
    )

    refreshed = client.get(
        reverse("review:queue_partial"), **htmx_from(QUEUE, panel=claim.pk)
    ).content.decode()

    text = re.sub(r"\s+", " ", strip_tags(panel_of(refreshed)))
    assert "Claim 1 in context" in text
    assert "Held by" not in text
    assert "Sourced." in text


def test_a_refresh_leaves_the_panel_of_a_claim_the_reviewer_holds(client, reviewer, two_stories):
    ferry, _ = two_stories
    claim = ferry.claims.get(ordinal=0)
    client.force_login(reviewer)
    client.post(reverse("review:claim_open", args=[claim.pk]), **htmx_from(QUEUE))

    refreshed = client.get(
        reverse("review:queue_partial"), **htmx_from(QUEUE, panel=claim.pk)
    ).content.decode()

    assert panel_of(refreshed) == ""


def test_a_panel_header_naming_a_claim_the_user_may_not_see_renders_nothing(
    client, editor, other_editor, reviewer
):
    from articles import services as article_services

    returned = make_article(other_editor, title="Someone's draft", status="in_review")
    article_services.return_to_draft(returned, by=other_editor)  # a draft: not the reviewer's
    make_article(editor, status="in_review")
    target = returned.claims.first().pk
    client.force_login(reviewer)

    refreshed = client.get(
        reverse("review:queue_partial"), **htmx_from(QUEUE, panel=target)
    ).content.decode()

    assert panel_of(refreshed) == ""
    assert "Someone's draft" not in refreshed

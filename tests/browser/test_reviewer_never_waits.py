"""A reviewer who never waits (issue 13), in a real Chromium against the live server: the verdict
form at the top of the claim panel with Save in view at 1280x800, a toast after each verdict with
Undo for 10 seconds (undo appends history through the verdict service), and j/k that skip the
claims another reviewer holds."""

from __future__ import annotations

import pytest

from articles.models import ArticleEvent, Claim
from review import services as review_services
from tests.browser.conftest import artifact
from tests.conftest import make_article

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture
def story(editor, reviewer, second_reviewer):
    """STORY in review; the second reviewer holds its claim 2."""
    article = make_article(editor, status="in_review")
    claims = list(article.claims.active().order_by("ordinal"))
    review_services.hold_claim(claims[1], by=second_reviewer)
    return claims


def test_the_verdict_form_is_at_the_top_of_the_panel_with_save_in_view(new_page, sign_in, story):
    from playwright.sync_api import expect

    page = new_page(viewport=LAPTOP)
    sign_in(page, "reviewer")
    page.goto("/review/")
    page.locator(f"#claim-row-{story[0].pk} .open-claim").click()
    form = page.locator("#claim-panel form.verdict-form")
    expect(form).to_be_visible()
    save = form.get_by_role("button", name="Save verdict")
    page.screenshot(path=artifact("queue-panel-1280x800.png"))
    box = save.bounding_box()
    assert box is not None
    assert 0 <= box["y"] and box["y"] + box["height"] <= LAPTOP["height"], box
    assert 0 <= box["x"] and box["x"] + box["width"] <= LAPTOP["width"], box
    # Above the article text, not under it.
    text_box = page.locator("#claim-panel .context-text").bounding_box()
    assert form.bounding_box()["y"] < text_box["y"]
    assert page.evaluate("window.scrollY") == 0


def test_a_toast_says_what_was_saved_and_undo_restores_the_previous_verdict(
    new_page, sign_in, story, reviewer
):
    from playwright.sync_api import expect

    first = story[0]
    page = new_page(viewport=LAPTOP)
    sign_in(page, "reviewer")
    page.goto("/review/")
    page.keyboard.press("j")
    expect(page.locator("#claim-panel .claim-panel-inner")).to_have_attribute(
        "data-claim", str(first.pk)
    )
    page.keyboard.press("v")
    page.keyboard.press("n")
    page.keyboard.type("Council minutes, item 4.")
    page.keyboard.press("Control+Enter")

    toast = page.locator("#toast")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("Claim 1 saved: verified.")
    first.refresh_from_db()
    assert first.verdict == Claim.Verdict.VERIFIED

    toast.get_by_role("button", name="Undo").click()
    expect(toast).to_contain_text("Undone: claim 1 is pending again.")
    first.refresh_from_db()
    assert (first.verdict, first.note, first.reviewed_by) == ("pending", "", None)
    # Nothing deleted: the verdict and its undo are both in the claim's history.
    events = list(
        ArticleEvent.objects.filter(claim=first, kind=ArticleEvent.Kind.VERDICT).order_by("id")
    )
    assert [(e.from_state, e.to_state, e.actor_id) for e in events] == [
        ("pending", "verified", reviewer.pk),
        ("verified", "pending", reviewer.pk),
    ]
    assert events[1].undoes_id == events[0].pk
    # The claim is back in the list, pending, and the toast goes away by itself.
    expect(page.locator(f"#claim-row-{first.pk}")).to_have_attribute("data-verdict", "pending")
    expect(toast).to_be_hidden(timeout=15_000)


def test_the_undo_offer_ends_after_ten_seconds(new_page, sign_in, story):
    from playwright.sync_api import expect

    page = new_page(viewport=LAPTOP)
    sign_in(page, "reviewer")
    page.goto("/review/")
    page.keyboard.press("j")
    expect(page.locator("#claim-panel form.verdict-form")).to_be_visible()
    page.keyboard.press("u")
    page.keyboard.press("n")
    page.keyboard.type("No source found.")
    page.keyboard.press("Control+Enter")
    toast = page.locator("#toast")
    expect(toast.get_by_role("button", name="Undo")).to_be_visible()
    expect(toast).to_be_hidden(timeout=15_000)
    assert page.locator("#toast button").count() == 0


def test_j_and_k_skip_claims_held_by_someone_else(new_page, sign_in, story):
    from playwright.sync_api import expect

    page = new_page(viewport=LAPTOP)
    sign_in(page, "reviewer")
    page.goto("/review/")
    expect(page.locator(f"#claim-row-{story[1].pk}.is-held")).to_have_count(1)
    current = page.locator('li.queue-row[aria-current="true"]')
    page.keyboard.press("j")
    expect(current).to_have_attribute("data-claim", str(story[0].pk))
    page.keyboard.press("j")  # claim 2 is held by the second reviewer: straight to claim 3
    expect(current).to_have_attribute("data-claim", str(story[2].pk))
    expect(page.locator("#claim-panel .claim-panel-inner")).to_have_attribute(
        "data-claim", str(story[2].pk)
    )
    page.keyboard.press("k")
    expect(current).to_have_attribute("data-claim", str(story[0].pk))


def test_tick_all_ticks_every_claim_one_may_judge_and_the_sticky_bar_records_them(
    new_page, sign_in, story, reviewer
):
    from playwright.sync_api import expect

    page = new_page(viewport=LAPTOP)
    sign_in(page, "reviewer")
    page.goto("/review/")
    article_id = story[0].article_id
    page.get_by_label("Tick all claims of this article").check()
    boxes = page.locator(f'input[name="claims"][form="bulk-{article_id}"]')
    expect(boxes).to_have_count(len(story))
    for claim, box in zip(story, boxes.all(), strict=True):
        # The claim the second reviewer holds cannot be ticked.
        expect(box).to_be_checked(checked=claim.pk != story[1].pk)
    bar = page.locator(f"#bulk-{article_id}")
    expect(bar).to_contain_text(f"({len(story) - 1} ticked)")
    # The bar stays at the bottom of the screen while the list is longer than the screen.
    box = bar.bounding_box()
    assert box["y"] + box["height"] <= LAPTOP["height"] + 0.5, box
    bar.get_by_role("radio", name="Verified", exact=True).check()
    bar.get_by_label("Note (the same for each claim)").fill("Council minutes.")
    bar.get_by_role("button", name="Record for the ticked claims").click()
    expect(page.locator(f"#queue-group-{article_id}")).to_contain_text(
        f"{len(story) - 1} claims verified."
    )
    verdicts = {c.pk: c.verdict for c in Claim.objects.filter(article_id=article_id)}
    assert verdicts == {c.pk: "pending" if c.pk == story[1].pk else "verified" for c in story}
    bulk_ids = set(ArticleEvent.objects.filter(kind="verdict").values_list("bulk_id", flat=True))
    assert len(bulk_ids) == 1 and None not in bulk_ids


def test_z_undoes_the_verdict_just_saved_from_the_keyboard(new_page, sign_in, story):
    from playwright.sync_api import expect

    first = story[0]
    page = new_page(viewport=LAPTOP)
    sign_in(page, "reviewer")
    page.goto("/review/")
    page.keyboard.press("j")
    expect(page.locator("#claim-panel form.verdict-form")).to_be_visible()
    page.keyboard.press("v")
    page.keyboard.press("n")
    page.keyboard.type("Council minutes.")
    page.keyboard.press("Control+Enter")
    toast = page.locator("#toast")
    expect(toast).to_contain_text("Claim 1 saved: verified.")
    # The next claim is open; the keys are back on the list.
    expect(page.locator('li.queue-row[aria-current="true"]')).to_have_attribute(
        "data-claim", str(story[2].pk)
    )
    page.keyboard.press("z")
    expect(toast).to_contain_text("Undone: claim 1 is pending again.")
    first.refresh_from_db()
    assert first.verdict == Claim.Verdict.PENDING

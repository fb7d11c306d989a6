"""Issue 20, item 7 (the parts left): a verdict note or an override reason made only of invisible
characters says nothing and is refused everywhere (`articles.text.has_visible_text`); and the
browser's reuse endpoint answers the same whether or not a claim it may not see exists."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles import services
from articles.models import Article, ArticleEvent, Claim
from articles.text import has_visible_text
from review import services as review_services
from tests.conftest import make_article
from tests.support.verdicts import judge

pytestmark = [pytest.mark.usefixtures("api_settings"), pytest.mark.django_db]

HTMX = {"HTTP_HX_REQUEST": "true"}

# Each shows nothing: zero-width space, word joiner, BOM, soft hyphen, zero-width (non-)joiners,
# Mongolian vowel separator, a lone combining mark, Hangul filler, braille blank, ideographic
# space, line and paragraph separators, a private-use code point, mixed with ordinary spaces.
INVISIBLE = [
    "\u200b",
    "\u200b\u200b\u200b",
    " \u2060 ",
    "\ufeff",
    "\u00ad",
    "\u200c\u200d",
    "\u180e",
    "\u0301",
    "\u3164",
    "\u2800",
    "\u3000",
    "\u2028\u2029",
    "\ue000",
    "\t\u200b\n",
]


@pytest.mark.parametrize("value", INVISIBLE)
def test_text_of_only_invisible_characters_is_not_visible(value):
    assert not has_visible_text(value)


@pytest.mark.parametrize("value", ["a", "\u200bok", "é", "e\u0301", "日本", "٣", "😀", "-", "."])
def test_any_visible_character_makes_text_visible(value):
    assert has_visible_text(value)


def unverified_setup(editor, reviewer) -> Article:
    article = make_article(editor, status="in_review")
    for i, claim in enumerate(article.claims.active().order_by("ordinal")):
        review_services.record_verdict(
            claim,
            judged=judge(claim),
            by=reviewer,
            verdict="unverified" if i == 0 else "verified",
            note="No source." if i == 0 else "Checked.",
        )
    return article


# --- Verdict notes ------------------------------------------------------------------------------


@pytest.mark.parametrize("note", ["\u200b", "\u2060\u200b ", "\u3164"])
def test_an_unverified_verdict_with_an_invisible_note_is_refused(
    client, api, editor, reviewer, note
):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=0)
    client.force_login(reviewer)

    browser = client.post(
        reverse("review:verdict", args=[claim.pk]),
        {"judged": judge(claim), "verdict": "unverified", "note": note},
        **HTMX,
    )
    through_api = api(reviewer).post(
        f"/api/v1/claims/{claim.pk}/verdict",
        {"judged": judge(claim), "verdict": "unverified", "note": note},
        format="json",
    )

    assert browser.status_code == 422
    assert "The note has no visible text." in browser.content.decode()
    assert through_api.status_code == 400
    assert through_api.json()["errors"] == {"note": ["The note has no visible text."]}
    claim.refresh_from_db()
    assert (claim.verdict, claim.note) == ("pending", "")
    assert not ArticleEvent.objects.filter(kind="verdict").exists()


def test_a_verified_claim_with_evidence_may_not_carry_an_invisible_note(editor, reviewer):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=0)

    with pytest.raises(ValidationError) as refused:
        review_services.record_verdict(
            claim,
            judged=judge(claim),
            by=reviewer,
            verdict="verified",
            note="\u200b",
            evidence_url="https://example.org/minutes",
        )

    assert refused.value.message_dict == {"note": ["The note has no visible text."]}
    claim.refresh_from_db()
    assert claim.verdict == "pending"


# --- Override reasons ---------------------------------------------------------------------------


def test_an_override_reason_of_invisible_characters_is_refused_in_the_browser(
    client, editor, reviewer, chief
):
    article = unverified_setup(editor, reviewer)
    client.force_login(chief)

    refused = client.post(
        reverse("review:publish", args=[article.pk]),
        {"override": "True", "override_reason": "\u200b\u200b", "confirm": "on"},
        follow=True,
    )
    article.refresh_from_db()
    status_after_refusal = article.status
    accepted = client.post(
        reverse("review:publish", args=[article.pk]),
        {"override": "True", "override_reason": "\u200bConfirmed by phone.", "confirm": "on"},
        follow=True,
    )

    assert "The reason has no visible text" in refused.content.decode()
    assert status_after_refusal == Article.Status.IN_REVIEW
    assert "Published." in accepted.content.decode()
    override = ArticleEvent.objects.get(kind=ArticleEvent.Kind.OVERRIDE)
    assert override.note.endswith("\u200bConfirmed by phone.")


def test_an_override_reason_of_invisible_characters_is_400_in_the_api(api, editor, reviewer, chief):
    article = unverified_setup(editor, reviewer)

    response = api(chief).post(
        f"/api/v1/articles/{article.pk}/override", {"reason": "\u2060\u200b"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "reason": ["The reason has no visible text: say why the article may go out."]
    }
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert not article.events.filter(kind=ArticleEvent.Kind.OVERRIDE).exists()


def test_the_publish_service_refuses_an_invisible_reason_whoever_calls_it(editor, reviewer, chief):
    article = unverified_setup(editor, reviewer)

    with pytest.raises(ValidationError) as refused:
        services.publish_article(article, by=chief, override_reason="\u200b")

    assert "override_reason" in refused.value.message_dict
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW


# --- Reuse: another user's claim id tells nothing -----------------------------------------------


def test_browser_reuse_answers_alike_for_a_hidden_and_a_missing_source(
    client, editor, other_editor, reviewer
):
    target_article = make_article(editor, status="in_review")
    target = target_article.claims.get(ordinal=0)
    # A claim that exists but that the reviewer may not see: another editor's article, back in
    # draft after extraction.
    hidden_article = make_article(other_editor, title="Hidden", status="in_review")
    hidden = hidden_article.claims.get(ordinal=0)
    services.return_to_draft(hidden_article, by=other_editor)
    missing = Claim.objects.order_by("-pk").first().pk + 1000
    client.force_login(reviewer)

    answers = [
        client.post(
            reverse("review:reuse", args=[target.pk]),
            {"source_claim": source, "judged": judge(target)},
            **HTMX,
        )
        for source in (hidden.pk, missing)
    ]

    assert [a.status_code for a in answers] == [409, 409]
    assert answers[0].content.decode().replace(str(hidden.pk), "") == (
        answers[1].content.decode().replace(str(missing), "")
    )
    assert "Choose a verdict to reuse." in answers[0].content.decode()
    target.refresh_from_db()
    assert target.verdict == "pending"

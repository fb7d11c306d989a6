"""Every verdict names the version of the sentence it judged (issue 20, item 3).

The scenario of the issue, through every way a verdict is recorded: a reviewer opens claim 1
("... a budget of 5 million ..."), the author edits it to "50 million" (re-extraction keeps the
claim's row and sends it back to pending), and the reviewer's "verified, checked: 5 million"
arrives. It must be refused (409), nothing written, the history unchanged, the gate still closed,
and the reviewer shown the new sentence with its new version."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from articles import services
from articles.models import Article, ArticleEvent, Claim
from articles.services import GateClosed
from articles.text import claim_version
from review import services as review_services
from review.models import ClaimHold
from tests.conftest import make_article, make_user, run_extraction_now
from tests.support.verdicts import judge, judged_fields

pytestmark = [pytest.mark.usefixtures("api_settings"), pytest.mark.django_db]

HTMX = {"HTTP_HX_REQUEST": "true"}

# Our own short story: the first sentence is the one the author edits.
BUDGET = (
    "The harbour board approved a budget of 5 million euros for the new quay on Tuesday. "
    "Work on the quay starts in May, the board said.\n\n"
    "The old quay was built in 1931.\n"
)
BEFORE = "The harbour board approved a budget of 5 million euros for the new quay on Tuesday."
AFTER = "The harbour board approved a budget of 50 million euros for the new quay on Tuesday."


def budget_article(editor) -> Article:
    return make_article(editor, title="Quay budget", body=BUDGET, status="in_review")


def edit_budget(article: Article, editor) -> None:
    """The author changes 5 million to 50 million; the edit is re-extracted (inline)."""
    services.update_article(
        article, by=editor, title=article.title, body=BUDGET.replace("5 million", "50 million")
    )
    run_extraction_now(article.extraction_jobs.order_by("-pk").first().pk)


def nothing_written(claim: Claim, *, verdicts_before: int = 0) -> None:
    """The claim is pending on the new sentence, no verdict row was added, the gate is closed."""
    claim.refresh_from_db()
    assert (claim.text, claim.verdict, claim.reviewed_by) == (AFTER, "pending", None)
    assert ArticleEvent.objects.filter(kind="verdict").count() == verdicts_before
    article = Article.objects.get(pk=claim.article_id)
    assert article.status == Article.Status.IN_REVIEW
    assert not article.gate().is_open
    with pytest.raises(GateClosed):
        services.publish_article(article, by=article.author)


def hidden_judged(html: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="judged" value="([0-9a-f]*)"', html)


# --- The version ---------------------------------------------------------------------------------


def test_a_claims_version_follows_its_text_as_the_matcher_reads_it(editor):
    article = budget_article(editor)
    claim = article.claims.get(ordinal=0)

    assert claim.text == BEFORE
    assert claim.text_sha == claim_version(BEFORE) and len(claim.text_sha) == 16
    assert claim_version(BEFORE) != claim_version(AFTER)
    # What the matcher treats as the same sentence (its verdict is carried) keeps the version.
    assert claim_version(BEFORE) == claim_version(
        "  the harbour  board" + BEFORE[17:].upper() + " "
    )
    edit_budget(article, editor)
    claim.refresh_from_db()
    assert claim.text_sha == claim_version(AFTER)


def test_an_edit_that_keeps_the_sentence_keeps_the_version_and_the_verdict(editor, reviewer):
    article = budget_article(editor)
    claim = article.claims.get(ordinal=0)
    version = judge(claim)
    services.update_article(
        article, by=editor, title=article.title, body=BUDGET + "\nA new last line was added.\n"
    )
    run_extraction_now(article.extraction_jobs.order_by("-pk").first().pk)

    review_services.record_verdict(
        claim, by=reviewer, judged=version, verdict="verified", note="Minutes."
    )

    claim.refresh_from_db()
    assert (claim.text, claim.verdict) == (BEFORE, "verified")


# --- Services ------------------------------------------------------------------------------------


def test_a_verdict_on_a_sentence_changed_since_it_was_opened_is_refused(editor, reviewer):
    article = budget_article(editor)
    claim = article.claims.get(ordinal=0)
    review_services.hold_claim(claim, by=reviewer)
    read = judge(claim)
    edit_budget(article, editor)

    with pytest.raises(review_services.ClaimChanged) as refused:
        review_services.record_verdict(
            claim, by=reviewer, judged=read, verdict="verified", note="Checked: 5 million."
        )

    assert refused.value.text == AFTER and refused.value.version == claim_version(AFTER)
    assert str(refused.value) == f"This sentence changed since you opened it: {AFTER}"
    nothing_written(claim)
    # The edit did not wait for the hold, and the refused verdict did not end it either.
    assert ClaimHold.objects.get(claim=claim).holder == reviewer

    review_services.record_verdict(
        claim, by=reviewer, judged=refused.value.version, verdict="unverified", note="50?"
    )
    claim.refresh_from_db()
    assert (claim.text, claim.verdict) == (AFTER, "unverified")
    assert ArticleEvent.objects.get(kind="verdict").claim_text == AFTER


def test_a_bulk_verdict_with_one_changed_sentence_records_nothing(editor, reviewer):
    article = budget_article(editor)
    claims = list(article.claims.order_by("ordinal"))
    read = {c.pk: judge(c) for c in claims}
    edit_budget(article, editor)

    with pytest.raises(review_services.ClaimChanged) as refused:
        review_services.record_verdicts(
            claims, by=reviewer, judged=read, verdict="verified", note="Checked."
        )

    assert str(refused.value) == (
        f"Claim 1: This sentence changed since you opened it: {AFTER} Nothing was recorded."
    )
    assert refused.value.version == claim_version(AFTER)
    nothing_written(claims[0])
    assert not Claim.objects.exclude(verdict="pending").exists()
    with pytest.raises(ValidationError) as missing:
        review_services.record_verdicts(
            claims, by=reviewer, judged={}, verdict="verified", note="Checked."
        )
    assert "judged" in missing.value.message_dict


def test_a_reused_verdict_on_a_changed_sentence_is_refused(editor, other_editor, reviewer):
    source_article = make_article(other_editor, title="Earlier", body=BUDGET, status="in_review")
    source = source_article.claims.get(ordinal=0)
    review_services.record_verdict(
        source, by=reviewer, judged=judge(source), verdict="verified", note="Board minutes."
    )
    article = budget_article(editor)
    claim = article.claims.get(ordinal=0)
    second = make_user("second", "Reviewer")
    read = judge(claim)
    edit_budget(article, editor)

    with pytest.raises(review_services.ClaimChanged):
        review_services.reuse_verdict(claim, source=source, by=second, judged=read)

    nothing_written(claim, verdicts_before=1)


# --- Browser: the claim page without JavaScript, the article page, the queue's panel -------------


def test_without_javascript_the_verdict_page_answers_409_with_the_new_sentence(
    client, editor, reviewer
):
    article = budget_article(editor)
    claim = article.claims.get(ordinal=0)
    client.force_login(reviewer)
    page = client.get(reverse("review:claim", args=[claim.pk])).content.decode()
    (read,) = set(hidden_judged(page))
    assert read == claim_version(BEFORE)
    edit_budget(article, editor)

    response = client.post(
        reverse("review:verdict", args=[claim.pk]),
        {"judged": read, "verdict": "verified", "note": "Checked: 5 million."},
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "<html" in html
    assert escape(f"This sentence changed since you opened it: {AFTER}") in html
    assert hidden_judged(html) == [claim_version(AFTER)]
    assert "Checked: 5 million." in html  # the reviewer's note is kept, the verdict is not
    assert 'value="verified" required checked' not in html
    nothing_written(claim)


def test_the_article_pages_row_answers_409_with_the_new_sentence(client, editor, reviewer):
    article = budget_article(editor)
    claim = article.claims.get(ordinal=0)
    client.force_login(reviewer)
    page = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert claim_version(BEFORE) in hidden_judged(page)
    edit_budget(article, editor)

    response = client.post(
        reverse("review:verdict", args=[claim.pk]),
        {"judged": claim_version(BEFORE), "verdict": "verified", "note": "5 million."},
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert html.lstrip().startswith(f'<li class="claim-row" id="claim-row-{claim.pk}"')
    assert escape(f"This sentence changed since you opened it: {AFTER}") in html
    assert hidden_judged(html) == [claim_version(AFTER)]
    nothing_written(claim)


def test_the_queue_panel_answers_409_and_shows_the_new_sentence_to_judge(client, editor, reviewer):
    article = budget_article(editor)
    claim = article.claims.get(ordinal=0)
    client.force_login(reviewer)
    panel = client.post(reverse("review:claim_open", args=[claim.pk]), **HTMX).content.decode()
    (read,) = hidden_judged(panel)
    edit_budget(article, editor)
    history_before = list(ArticleEvent.objects.filter(claim=claim).values_list("pk", flat=True))

    response = client.post(
        reverse("review:verdict", args=[claim.pk]),
        {
            "judged": read,
            "verdict": "verified",
            "note": "Checked: 5 million.",
            "source": "queue",
            "next": reverse("review:queue"),
        },
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#claim-panel", "innerHTML")
    assert html.lstrip().startswith(f'<div class="claim-panel-inner" data-claim="{claim.pk}">')
    assert escape(f"This sentence changed since you opened it: {AFTER}") in html
    # What the edit changed, word by word (the panel's diff of the judged sentence and the new).
    assert "Changed by an edit since it was last seen" in html
    assert re.search(r'<del class="word-del">[^<]*\b5\b', html)
    assert re.search(r'<ins class="word-ins">[^<]*\b50\b', html)
    assert hidden_judged(html) == [claim_version(AFTER)]
    assert "HX-Trigger" not in response
    nothing_written(claim)
    assert list(ArticleEvent.objects.filter(claim=claim).values_list("pk", flat=True)) == (
        history_before
    )

    # The form that came back judges the new sentence.
    saved = client.post(
        reverse("review:verdict", args=[claim.pk]),
        {"judged": hidden_judged(html)[0], "verdict": "unverified", "note": "Not 50 million."},
        **HTMX,
    )
    assert saved.status_code == 200
    claim.refresh_from_db()
    assert (claim.verdict, claim.text) == ("unverified", AFTER)


def test_the_bulk_form_answers_409_naming_the_changed_claim_and_records_nothing(
    client, editor, reviewer
):
    article = budget_article(editor)
    client.force_login(reviewer)
    queue = client.get(reverse("review:queue")).content.decode()
    rows = dict(re.findall(r'name="judged-(\d+)" value="([0-9a-f]+)" form="bulk-', queue))
    claims = list(article.claims.order_by("ordinal"))
    assert rows == {str(c.pk): c.text_sha for c in claims}
    edit_budget(article, editor)

    response = client.post(
        reverse("review:bulk_verdict", args=[article.pk]),
        {
            "claims": [c.pk for c in claims],
            **{f"judged-{pk}": version for pk, version in rows.items()},
            "verdict": "verified",
            "note": "Checked.",
        },
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert escape(f"Claim 1: This sentence changed since you opened it: {AFTER}") in html
    # The group came back with the new sentence and its version for the next try.
    assert f'name="judged-{claims[0].pk}" value="{claim_version(AFTER)}"' in html
    nothing_written(claims[0])
    assert not Claim.objects.exclude(verdict="pending").exists()


def test_the_bulk_form_refuses_a_ticked_claim_without_its_version(client, editor, reviewer):
    article = budget_article(editor)
    claims = list(article.claims.order_by("ordinal"))
    client.force_login(reviewer)

    response = client.post(
        reverse("review:bulk_verdict", args=[article.pk]),
        {
            "claims": [c.pk for c in claims],
            **judged_fields(claims[1:]),
            "verdict": "verified",
            "note": "Checked.",
        },
        **HTMX,
    )

    assert response.status_code == 422
    assert "did not say which version of the sentence you judged" in response.content.decode()
    assert not Claim.objects.exclude(verdict="pending").exists()


def test_a_verdict_form_without_its_version_is_refused(client, editor, reviewer):
    article = budget_article(editor)
    claim = article.claims.get(ordinal=0)
    client.force_login(reviewer)

    response = client.post(
        reverse("review:verdict", args=[claim.pk]),
        {"verdict": "verified", "note": "Checked."},
        **HTMX,
    )

    assert response.status_code == 422
    assert "did not say which version of the sentence you judged" in response.content.decode()
    claim.refresh_from_db()
    assert claim.verdict == "pending"


def test_reuse_from_the_panel_answers_409_with_the_new_sentence(
    client, editor, other_editor, reviewer
):
    source_article = make_article(other_editor, title="Earlier", body=BUDGET, status="in_review")
    source = source_article.claims.get(ordinal=0)
    review_services.record_verdict(
        source, by=reviewer, judged=judge(source), verdict="verified", note="Board minutes."
    )
    article = budget_article(editor)
    claim = article.claims.get(ordinal=0)
    second = make_user("second", "Reviewer")
    client.force_login(second)
    read = judge(claim)
    edit_budget(article, editor)

    response = client.post(
        reverse("review:reuse", args=[claim.pk]),
        {"source_claim": source.pk, "judged": read, "source": "queue"},
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#claim-panel"
    assert escape(f"This sentence changed since you opened it: {AFTER}") in html
    nothing_written(claim, verdicts_before=1)


# --- API -----------------------------------------------------------------------------------------


def test_the_api_answers_409_with_the_current_text_and_version(api, editor, reviewer):
    article = budget_article(editor)
    claim = article.claims.get(ordinal=0)
    client = api(reviewer)
    read = client.get(f"/api/v1/claims/{claim.pk}").json()["version"]
    assert read == claim_version(BEFORE)
    edit_budget(article, editor)

    response = client.post(
        f"/api/v1/claims/{claim.pk}/verdict",
        {"judged": read, "verdict": "verified", "note": "Checked: 5 million."},
        format="json",
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"This sentence changed since you opened it: {AFTER}",
        "claim": claim.pk,
        "text": AFTER,
        "version": claim_version(AFTER),
    }
    nothing_written(claim)
    assert client.get(f"/api/v1/claims/{claim.pk}").json()["version"] == claim_version(AFTER)


@pytest.mark.parametrize("judged", [None, ""])
def test_the_api_refuses_a_verdict_that_does_not_name_its_version(api, editor, reviewer, judged):
    article = budget_article(editor)
    claim = article.claims.get(ordinal=0)
    body = {"verdict": "verified", "note": "Checked."}
    if judged is not None:
        body["judged"] = judged

    response = api(reviewer).post(f"/api/v1/claims/{claim.pk}/verdict", body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "judged": [
            "Say which version of the sentence you judged: send the claim's `version` as `judged`."
        ]
    }
    claim.refresh_from_db()
    assert claim.verdict == "pending"


def test_api_reuse_needs_the_version_and_refuses_a_changed_sentence(
    api, editor, other_editor, reviewer
):
    source_article = make_article(other_editor, title="Earlier", body=BUDGET, status="in_review")
    source = source_article.claims.get(ordinal=0)
    review_services.record_verdict(
        source, by=reviewer, judged=judge(source), verdict="verified", note="Board minutes."
    )
    article = budget_article(editor)
    claim = article.claims.get(ordinal=0)
    second = api(make_user("second", "Reviewer"))
    url = f"/api/v1/claims/{claim.pk}/reuse"
    read = judge(claim)

    missing = second.post(url, {"source": source.pk}, format="json")
    edit_budget(article, editor)
    changed = second.post(url, {"source": source.pk, "judged": read}, format="json")

    assert missing.status_code == 400 and "judged" in missing.json()["errors"]
    assert changed.status_code == 409
    assert (changed.json()["text"], changed.json()["version"]) == (AFTER, claim_version(AFTER))
    nothing_written(claim, verdicts_before=1)


def test_the_review_queue_api_lists_each_claims_version(api, editor, reviewer):
    article = budget_article(editor)

    items = api(reviewer).get("/api/v1/review-queue").json()["results"]

    assert {c["id"]: c["version"] for c in items[0]["claims"]} == {
        c.pk: claim_version(c.text) for c in article.claims.all()
    }

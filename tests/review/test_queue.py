"""The queue page beyond the basics of test_views.py: filters, counts per state, pagination, who
holds a claim, the version poller, the claim in context, the keyboard script, and query counts that
do not grow with holds and assignments."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from review import services as review_services
from review.models import ClaimHold
from review.views import QUEUE_PAGE_SIZE
from tests.conftest import STORY_CLAIMS, make_article
from tests.support.verdicts import judge

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li class="claim-row[^"]*" id="claim-row-(\d+)"', html)]


def test_filters_by_section_author_and_article(client, editor, other_editor, reviewer):
    ferry = make_article(editor, title="Ferry budget", status="in_review")
    other = make_article(other_editor, title="Bridge repairs", status="in_review")
    client.force_login(reviewer)

    page = client.get(reverse("review:queue")).content.decode()
    by_author = client.get(reverse("review:queue"), {"author": other_editor.pk}).content.decode()
    by_article = client.get(reverse("review:queue"), {"article": ferry.pk}).content.decode()
    by_section = client.get(reverse("review:queue"), {"section": "What Happened"}).content.decode()
    stale = client.get(
        reverse("review:queue"), {"author": "999999", "article": "x"}
    ).content.decode()

    assert '<option value="What Happened">What Happened</option>' in page
    assert f'<option value="{other_editor.pk}">other_editor</option>' in page
    assert f'<option value="{ferry.pk}">Ferry budget</option>' in page
    assert set(row_ids(by_author)) == set(other.claims.values_list("pk", flat=True))
    assert set(row_ids(by_article)) == set(ferry.claims.values_list("pk", flat=True))
    in_section = set(
        ferry.claims.filter(section="What Happened").values_list("pk", flat=True)
    ) | set(other.claims.filter(section="What Happened").values_list("pk", flat=True))
    assert in_section and set(row_ids(by_section)) == in_section
    assert row_ids(stale) == [] and "Nothing matches these filters." in stale
    assert f'<option value="{other_editor.pk}" selected>' in by_author  # the form keeps its choice


def test_the_filter_form_asks_for_the_partial_and_the_address_follows(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    client.force_login(reviewer)

    response = client.get(
        reverse("review:queue_partial"),
        {"article": article.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER="queue-filters",
    )

    assert response.status_code == 200
    assert response["HX-Push-Url"] == reverse("review:queue") + f"?article={article.pk}"
    # The list's own refresh keeps the filter.
    assert f'hx-get="{reverse("review:queue_partial")}?article={article.pk}&amp;page=1"' in (
        response.content.decode()
    )


def test_counts_per_state_and_per_article(client, editor, reviewer, second_reviewer):
    article = make_article(editor, status="in_review")
    first, second = article.claims.order_by("ordinal")[:2]
    review_services.record_verdict(
        first, judged=judge(first), by=second_reviewer, verdict="verified", note="Ok."
    )
    review_services.record_verdict(
        second, judged=judge(second), by=second_reviewer, verdict="unverified", note="No."
    )
    client.force_login(reviewer)

    html = client.get(reverse("review:queue")).content.decode()

    assert f"{STORY_CLAIMS - 2} claims awaiting you in 1 article." in html
    assert f'<span class="count-pending">{STORY_CLAIMS - 2} pending</span>' in html
    assert '<span class="count-verified">1 verified</span>' in html
    assert '<span class="count-unverified">1 unverified</span>' in html
    assert (
        f'<span id="queue-group-counts-{article.pk}" class="group-counts">'
        f"{STORY_CLAIMS - 2} pending · 1 verified · 1 unverified</span>"
    ) in html


def test_the_queue_is_paginated_by_article(client, editor, reviewer):
    for i in range(QUEUE_PAGE_SIZE + 2):
        make_article(editor, title=f"Story {i}", status="in_review")
    client.force_login(reviewer)

    first = client.get(reverse("review:queue")).content.decode()
    second = client.get(reverse("review:queue"), {"page": 2}).content.decode()

    assert len(row_ids(first)) == QUEUE_PAGE_SIZE * STORY_CLAIMS
    assert len(row_ids(second)) == 2 * STORY_CLAIMS
    assert not set(row_ids(first)) & set(row_ids(second))
    assert f"{(QUEUE_PAGE_SIZE + 2) * STORY_CLAIMS} claims awaiting you" in second
    assert '<span aria-current="page">Page 2</span>' in second


def test_others_see_who_holds_a_claim_and_its_form_is_disabled(
    client, editor, reviewer, second_reviewer, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)  # the hold's 5 minutes, to the second
    article = make_article(editor, status="in_review")
    held = article.claims.get(ordinal=0)
    review_services.hold_claim(held, by=reviewer)

    client.force_login(second_reviewer)
    theirs = client.get(reverse("review:queue")).content.decode()
    panel = client.post(reverse("review:claim_open", args=[held.pk]), **HTMX).content.decode()
    client.force_login(reviewer)
    mine = client.get(reverse("review:queue")).content.decode()

    row = theirs.split(f'id="claim-row-{held.pk}"')[1].split("</li>")[0]
    assert "Held by R. Reviewer for 5 min 00 s." in strip_tags(row)
    assert 'data-hold-seconds="300"' in row  # the countdown's start (static/js/app.js)
    assert f'value="{held.pk}" form="bulk-{article.pk}" disabled' in row  # no bulk tick
    other_row = theirs.split(f'id="claim-row-{held.pk + 1}"')[1].split("</li>")[0]
    assert "disabled" not in other_row and "Held by" not in other_row
    # Opened anyway, the claim shows in context with its verdict form disabled.
    form = panel.split('class="verdict-form')[1].split("</form>")[0]
    assert 'fieldset class="verdict-choice" disabled' in form
    assert "Held by R. Reviewer for 5 min 00 s." in strip_tags(form)
    assert '<button type="submit" class="button button-primary" disabled>' in form
    my_row = mine.split(f'id="claim-row-{held.pk}"')[1].split("</li>")[0]
    assert "Open by you" in my_row and "disabled" not in my_row


def test_an_expired_hold_is_not_shown(client, editor, reviewer, second_reviewer, time_machine):
    article = make_article(editor, status="in_review")
    review_services.hold_claim(article.claims.get(ordinal=0), by=reviewer)
    time_machine.move_to(timezone.now() + dt.timedelta(seconds=301), tick=False)
    client.force_login(second_reviewer)

    html = client.get(reverse("review:queue")).content.decode()

    assert "Held by" not in html


def test_the_version_changes_when_the_queue_changes_and_only_then(
    client, editor, reviewer, second_reviewer, chief
):
    article = make_article(editor, status="in_review")
    client.force_login(reviewer)
    url = reverse("review:queue_version")

    def version() -> str:
        html = client.get(reverse("review:queue")).content.decode()
        return re.search(rf'hx-get="{url}\?v=([0-9a-f]+)"', html).group(1)

    start = version()
    unchanged = client.get(url, {"v": start}, **HTMX)
    assert unchanged.status_code == 204

    review_services.hold_claim(article.claims.get(ordinal=0), by=reviewer)  # my own hold
    assert client.get(url, {"v": start}).status_code == 204

    review_services.hold_claim(article.claims.get(ordinal=1), by=second_reviewer)
    changed = client.get(url, {"v": start}, **HTMX)
    assert changed.status_code == 200 and changed["HX-Trigger"] == "queueChanged"
    held = version()

    review_services.record_verdict(
        article.claims.get(ordinal=2),
        judged=judge(article.claims.get(ordinal=2)),
        by=second_reviewer,
        verdict="verified",
        note="Ok.",
    )
    judged = version()
    review_services.assign_article(article, reviewer=reviewer, by=chief)
    assigned = version()
    assert len({start, held, judged, assigned}) == 4
    assert client.get(url, {"v": assigned}).status_code == 204


def test_opening_a_claim_holds_it_and_shows_it_in_context(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(section="What Happened", ordinal=2)
    client.force_login(reviewer)

    response = client.post(reverse("review:claim_open", args=[claim.pk]), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert ClaimHold.objects.get().holder == reviewer
    assert "You have this claim open until" in html
    # The verdict form is in the panel; it posts back to the claim's row in the list.
    assert (
        f'hx-post="{reverse("review:verdict", args=[claim.pk])}" hx-target="#claim-row-{claim.pk}"'
        in html
    )
    assert (
        f'<mark class="claim verdict-pending">{claim.text.replace(chr(34), "&quot;")}</mark>'
        in html
    )
    assert '<h3 class="context-section">What Happened</h3>' in html
    assert "paragraph 2 of 5" in html
    assert "Harbor City Ferry Fares To Rise In April" in html  # related link
    assert "Harbor City Council" in html  # image credit
    assert reverse("review:claim_history_csv", args=[claim.pk]) in html


def test_opening_a_claim_someone_else_holds_shows_it_read_only(
    client, editor, reviewer, second_reviewer, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)  # the hold's 5 minutes, to the second
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=0)
    review_services.hold_claim(claim, by=second_reviewer)
    client.force_login(reviewer)

    response = client.post(reverse("review:claim_open", args=[claim.pk]), **HTMX)

    assert response.status_code == 409
    assert "Held by second_reviewer for 5 min 00 s." in strip_tags(response.content.decode())
    assert ClaimHold.objects.get().holder == second_reviewer


def test_closing_the_panel_releases_the_hold(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=0)
    client.force_login(reviewer)
    client.post(reverse("review:claim_open", args=[claim.pk]), **HTMX)

    response = client.post(reverse("review:claim_release", args=[claim.pk]), **HTMX)

    assert response.status_code == 200
    assert "free for other reviewers again" in response.content.decode()
    assert not ClaimHold.objects.exists()


def test_claims_of_articles_the_user_cannot_see_cannot_be_opened(
    client, editor, other_editor, editor_reviewer
):
    draft_claim = make_article(editor, status="in_review").claims.first()
    own = make_article(editor_reviewer, title="Mine", status="in_review").claims.first()

    client.force_login(other_editor)
    assert client.post(reverse("review:claim_open", args=[draft_claim.pk])).status_code == 404
    client.force_login(editor_reviewer)
    assert client.post(reverse("review:claim_open", args=[own.pk])).status_code == 403
    assert not ClaimHold.objects.exists()


def test_a_verdict_on_a_claim_held_by_another_is_a_conflict_in_the_row(
    client, editor, reviewer, second_reviewer
):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=0)
    review_services.hold_claim(claim, by=second_reviewer)
    client.force_login(reviewer)

    response = client.post(
        reverse("review:verdict", args=[claim.pk]),
        {"judged": judge(claim), "verdict": "verified", "note": "Checked.", "source": "queue"},
        **HTMX,
    )

    assert response.status_code == 409
    assert "Held by second_reviewer" in response.content.decode()
    claim.refresh_from_db()
    assert claim.verdict == "pending"


def test_the_claim_page_works_without_javascript(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=0)
    client.force_login(reviewer)

    page = client.get(reverse("review:claim", args=[claim.pk]))
    opened = client.post(reverse("review:claim_open", args=[claim.pk]))

    assert page.status_code == 200
    assert f'action="{reverse("review:verdict", args=[claim.pk])}"' in page.content.decode()
    assert not ClaimHold.objects.filter(holder=reviewer).exclude(claim=claim).exists()
    assert opened.status_code == 302 and opened["Location"] == reverse(
        "review:claim", args=[claim.pk]
    )


def test_the_queue_page_carries_the_keyboard_script_help_and_live_region(client, editor, reviewer):
    make_article(editor, status="in_review")
    client.force_login(reviewer)

    html = client.get(reverse("review:queue")).content.decode()

    assert '<script src="/static/js/review-keys.js" defer></script>' in html
    assert 'id="queue-announcer" class="visually-hidden" role="status" aria-live="polite"' in html
    assert '<dialog id="shortcuts"' in html and "Keyboard shortcuts" in html
    assert 'data-number="1"' in html and 'tabindex="-1"' in html
    assert 'id="claim-panel"' in html


def test_queue_text_is_escaped_in_the_context_panel(client, editor, reviewer):
    from tests.articles.test_views import XSS_BODY, XSS_TITLE, assert_escaped

    article = make_article(editor, title=XSS_TITLE, body=XSS_BODY, status="in_review")
    claim = article.claims.filter(text__contains="<script>").get()
    client.force_login(reviewer)

    html = client.post(reverse("review:claim_open", args=[claim.pk]), **HTMX).content.decode()

    assert_escaped(html)


@pytest.mark.parametrize("n", [1, 50])
def test_queue_query_count_does_not_grow_with_holds_and_assignments(
    client, django_assert_num_queries, editor, reviewer, second_reviewer, chief, n
):
    now = timezone.now()
    for i in range(n):
        article = make_article(editor, title=f"Story {i}", status="in_review")
        review_services.assign_article(article, reviewer=reviewer, by=chief)
        review_services.set_publish_by(article, by=editor, publish_by=now + dt.timedelta(hours=i))
        ClaimHold.objects.create(  # other reviewers' holds, one per article
            claim=article.claims.first(),
            holder=make_user_for_hold(i),
            expires_at=now + dt.timedelta(minutes=5),
        )
    client.force_login(reviewer)

    # 1 session, 2 user, 3 groups, 4 articles in queue order with counts and assignment,
    # 5 this page's claims with holds and holders, 6 filter choices, 7-8 the version
    # fingerprint (claims and holds; the newest history row of the articles in review).
    with django_assert_num_queries(8):
        response = client.get(reverse("review:queue"))
    # The partial (no header), the same eight: the role check reads the groups.
    with django_assert_num_queries(8):
        partial = client.get(reverse("review:queue_partial"), **HTMX)

    html = response.content.decode()
    assert len(row_ids(html)) == min(n, QUEUE_PAGE_SIZE) * STORY_CLAIMS
    assert html.count("Assigned to you") == min(n, QUEUE_PAGE_SIZE)
    assert html.count('<span class="hold-badge"><span class="hold-countdown"') == min(
        n, QUEUE_PAGE_SIZE
    )
    assert html.count('<li class="claim-row queue-row is-held"') == min(n, QUEUE_PAGE_SIZE)
    assert partial.status_code == 200


def make_user_for_hold(i: int):
    from articles import permissions
    from tests.conftest import make_user

    return make_user(f"holder-{i}", permissions.REVIEWER)

"""The article pages through the test client: sign-in, the dashboard, the editor, the article page
and its live blocks. Each test asserts the response and the rows left behind."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from articles import services
from articles.models import Article, ArticleEvent, Claim, ExtractionJob, Revision
from review import services as review_services
from tests.conftest import (
    PASSWORD,
    STORY,
    STORY_CLAIMS,
    make_article,
    run_extraction_now,
)
from tests.support.verdicts import judge

pytestmark = pytest.mark.django_db

XSS_TITLE = 'Budget <script>alert(1)</script> "><img src=x onerror=alert(1)>'
XSS_BODY = STORY + (
    "\nThe clerk typed <script>alert(1)</script> into the minutes on Tuesday.\n\n"
    'A second memo said "><img src=x onerror=alert(1)> in its footer.\n'
)


def assert_escaped(html: str) -> None:
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html


def many_claims_body(n: int) -> str:
    """A body the engine reads as `n` plain declarative sentences, one per paragraph."""
    return (
        "\n\n".join(
            f"The council approved item {i} of the ferry budget on Monday." for i in range(1, n + 1)
        )
        + "\n"
    )


# --- Sign-in ------------------------------------------------------------------------------------


def test_login_page_shows_the_sign_in_form(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_signing_in_with_the_right_password_lands_on_the_dashboard(client, editor):
    response = client.post(reverse("login"), {"username": "editor", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("articles:dashboard")
    assert client.get(reverse("articles:dashboard")).status_code == 200


def test_wrong_password_shows_an_error_and_signs_nobody_in(client, editor):
    response = client.post(reverse("login"), {"username": "editor", "password": "wrong"})

    assert response.status_code == 200
    assert b"Wrong username or password." in response.content
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_out_even_with_the_right_password(client, editor):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "editor", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "editor", "password": PASSWORD})

    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in client.session
    assert (
        AccessAttempt.objects.get(username="editor").failures_since_start
        >= settings.AXES_FAILURE_LIMIT
    )


def test_logout_is_a_post_from_the_header(client, editor):
    client.force_login(editor)
    page = client.get(reverse("articles:dashboard"))
    assert f'action="{reverse("logout")}"'.encode() in page.content

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- Who may open what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method", "needs_pk"),
    [
        ("articles:dashboard", "get", False),
        ("articles:create", "get", False),
        ("articles:create", "post", False),
        ("articles:detail", "get", True),
        ("articles:edit", "get", True),
        ("articles:submit", "post", True),
        ("articles:return_to_draft", "post", True),
        ("articles:gate", "get", True),
        ("articles:extraction_status", "get", True),
        ("review:queue", "get", False),
        ("review:queue_partial", "get", False),
        ("review:publish", "post", True),
        ("articles:my_reviews", "get", False),
        ("articles:history_csv", "get", True),
        ("review:queue_version", "get", False),
        ("review:claim", "get", True),
        ("review:claim_open", "post", True),
        ("review:claim_release", "post", True),
        ("review:claim_history_csv", "get", True),
        ("review:bulk_verdict", "post", True),
        ("review:article_panel", "get", True),
        ("review:set_due", "post", True),
        ("review:assign", "post", True),
        ("review:activity", "get", False),
        ("review:activity_csv", "get", False),
    ],
)
def test_anonymous_users_are_sent_to_sign_in_from_every_page(
    client, editor, name, method, needs_pk
):
    article = make_article(editor)
    url = reverse(name, args=[article.pk] if needs_pk else [])

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert Article.objects.get().status == Article.Status.DRAFT


def test_anonymous_users_are_sent_to_sign_in_from_the_verdict_and_retry_urls(client, editor):
    article = make_article(editor, status="in_review")
    claim = article.claims.first()
    job = article.extraction_jobs.get()

    for url in (
        reverse("review:verdict", args=[claim.pk]),
        reverse("articles:retry_extraction", args=[article.pk, job.pk]),
    ):
        response = client.post(url, {"judged": judge(claim), "verdict": "verified", "note": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    claim.refresh_from_db()
    assert claim.verdict == Claim.Verdict.PENDING


@pytest.mark.parametrize("name", ["articles:detail", "articles:edit", "articles:gate"])
def test_others_drafts_are_not_found_for_outsiders_and_other_editors(
    client, editor, other_editor, outsider, name
):
    article = make_article(editor)
    for user in (outsider, other_editor):
        client.force_login(user)
        assert client.get(reverse(name, args=[article.pk])).status_code == 404

    client.force_login(editor)
    assert client.get(reverse(name, args=[article.pk])).status_code == 200


def test_outsiders_may_not_create_articles_but_editors_may(client, outsider, editor):
    data = {"title": "Ferry budget", "body": STORY}
    client.force_login(outsider)
    assert client.get(reverse("articles:create")).status_code == 403
    assert client.post(reverse("articles:create"), data).status_code == 403
    assert not Article.objects.exists()
    assert b"New article" not in client.get(reverse("articles:dashboard")).content

    client.force_login(editor)
    assert client.post(reverse("articles:create"), data).status_code == 302
    assert Article.objects.get().author == editor


def test_only_its_editor_or_a_chief_edits_a_published_article_which_opens_a_correction(
    client, editor, other_editor, chief
):
    published = make_article(editor, status="published")
    url = reverse("articles:edit", args=[published.pk])
    data = {"title": "Changed", "body": STORY, "dateline": ""}
    client.force_login(other_editor)
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    assert client.post(reverse("articles:submit", args=[published.pk])).status_code == 403
    assert Article.objects.get(pk=published.pk).status == Article.Status.PUBLISHED

    client.force_login(editor)
    assert b">Edit</a>" in client.get(reverse("articles:detail", args=[published.pk])).content
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 302

    published.refresh_from_db()
    # Only the title changed: no re-extraction, straight back into review as a correction.
    assert (published.status, published.title) == (Article.Status.IN_REVIEW, "Changed")
    assert published.correction_open
    opened = published.events.get(kind=ArticleEvent.Kind.CORRECTION_OPENED)
    assert (opened.actor, opened.from_state, opened.to_state) == (editor, "published", "in_review")


# --- Editor: create, edit, submit, return to draft ----------------------------------------------


def test_editor_creates_a_draft_with_a_dateline(client, editor):
    client.force_login(editor)

    response = client.post(
        reverse("articles:create"),
        {"title": "Ferry budget approved", "body": STORY, "dateline": "2025-02-03"},
    )

    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("articles:detail", args=[article.pk])
    assert (article.title, article.body, str(article.dateline)) == (
        "Ferry budget approved",
        STORY,
        "2025-02-03",
    )
    assert article.status == Article.Status.DRAFT
    assert list(article.events.values_list("kind", flat=True)) == [ArticleEvent.Kind.CREATED]


def test_the_dateline_is_optional(client, editor):
    client.force_login(editor)

    client.post(reverse("articles:create"), {"title": "No date", "body": STORY, "dateline": ""})

    assert Article.objects.get().dateline is None


BAD_INPUTS = [
    pytest.param({"title": ""}, "A title is required.", id="empty-title"),
    pytest.param({"title": "   "}, "A title is required.", id="blank-title"),
    pytest.param({"title": "T" * 301}, "At most 300 characters", id="title-too-long"),
    pytest.param(
        {"title": "Ferry\x07 budget"},
        "Contains a control character (U+0007)",
        id="control-char-in-title",
    ),
    pytest.param({"body": ""}, "The article body is empty.", id="empty-body"),
    pytest.param({"body": " \n\t \n"}, "The article body is empty.", id="whitespace-body"),
    pytest.param({"body": "x" * (10 * 1024 * 1024)}, "At most 200,000 characters", id="10mb-body"),
    pytest.param(
        {"body": "The council met.\n\nThe vote was 7 to 2.\x00 It passed."},
        "Contains a control character (U+0000) on line 3; remove it.",
        id="nul-in-body",
    ),
    pytest.param(
        {"title": "Ferry\x00 budget"},
        "Contains a control character (U+0000) on line 1; remove it.",
        id="nul-in-title",
    ),
    pytest.param(
        {"body": "The vote was 7 to 2.\x1b It passed."},
        "Contains a control character (U+001B)",
        id="escape-in-body",
    ),
    pytest.param({"dateline": "2025-02-30"}, "Enter a valid date.", id="impossible-date"),
]


def test_a_nul_in_an_admin_edit_is_refused_with_its_line_and_changes_nothing(client, editor, staff):
    """The admin reaches the same rule as the form and the API (not Django's own NUL check, which
    names no line)."""
    article = make_article(editor)
    before = (article.title, article.body)
    client.force_login(staff)
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = client.get(url).context["adminform"].form
    data = {name: "" if value is None else value for name, value in form.initial.items()}
    data.update(body="One line.\nTwo\x00 lines.", source_links="{}")
    for inline in ("claims", "extraction_jobs"):
        data.update({f"{inline}-TOTAL_FORMS": "0", f"{inline}-INITIAL_FORMS": "0"})

    response = client.post(url, data, follow=True)

    assert "Contains a control character (U+0000) on line 2" in response.content.decode()
    assert "Null characters are not allowed" not in response.content.decode()
    article.refresh_from_db()
    assert (article.title, article.body) == before


@pytest.mark.parametrize(("override", "error"), BAD_INPUTS)
def test_bad_input_on_create_is_a_form_error_and_saves_nothing(client, editor, override, error):
    client.force_login(editor)
    data = {"title": "Ferry budget", "body": STORY, "dateline": "", **override}

    response = client.post(reverse("articles:create"), data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert not Article.objects.exists()
    assert not ArticleEvent.objects.exists()


@pytest.mark.parametrize(("override", "error"), BAD_INPUTS)
def test_bad_input_on_edit_is_a_form_error_and_changes_nothing(client, editor, override, error):
    article = make_article(editor)
    client.force_login(editor)
    data = {"title": "Ferry budget", "body": STORY, "dateline": "", **override}

    response = client.post(reverse("articles:edit", args=[article.pk]), data)

    assert response.status_code == 200
    assert error in response.content.decode()
    fresh = Article.objects.get()
    assert (fresh.title, fresh.body, fresh.updated_at) == (
        article.title,
        article.body,
        article.updated_at,
    )
    assert fresh.events.count() == 1


def test_editing_a_draft_saves_title_body_and_dateline(client, editor):
    article = make_article(editor)
    client.force_login(editor)
    page = client.get(reverse("articles:edit", args=[article.pk]))
    assert page.status_code == 200
    assert b"Ferry budget approved" in page.content

    response = client.post(
        reverse("articles:edit", args=[article.pk]),
        {"title": "Ferry budget passes", "body": STORY + "\nMore.\n", "dateline": "2025-02-04"},
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.body, str(article.dateline)) == (
        "Ferry budget passes",
        STORY + "\nMore.\n",
        "2025-02-04",
    )
    assert article.events.filter(kind=ArticleEvent.Kind.EDITED).count() == 1


def test_submitting_a_draft_stores_a_revision_and_queues_extraction(client, editor, other_editor):
    article = make_article(editor)
    client.force_login(other_editor)
    assert client.post(reverse("articles:submit", args=[article.pk])).status_code == 404

    client.force_login(editor)
    response = client.post(reverse("articles:submit", args=[article.pk]), follow=True)

    article.refresh_from_db()
    assert response.status_code == 200
    assert article.status == Article.Status.SUBMITTED
    assert Revision.objects.filter(article=article).count() == 1
    assert ExtractionJob.objects.get(article=article).state == ExtractionJob.State.PENDING
    assert "Submitted. Extracting claims" in response.content.decode()


def test_submitting_twice_is_a_message_not_an_error(client, editor):
    article = make_article(editor, status="submitted")
    client.force_login(editor)

    response = client.post(reverse("articles:submit", args=[article.pk]), follow=True)

    assert response.status_code == 200
    assert "Only a draft can be submitted" in response.content.decode()
    assert Revision.objects.filter(article=article).count() == 1


def test_return_to_draft_takes_the_article_back_with_a_note(client, editor):
    article = make_article(editor, status="in_review")
    client.force_login(editor)

    response = client.post(
        reverse("articles:return_to_draft", args=[article.pk]), {"note": "Fixing a figure."}
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    event = article.events.filter(kind=ArticleEvent.Kind.STATUS).last()
    assert (event.from_state, event.to_state, event.note) == (
        "in_review",
        "draft",
        "Fixing a figure.",
    )


def test_return_to_draft_of_a_draft_is_a_message(client, editor):
    article = make_article(editor)
    client.force_login(editor)

    response = client.post(reverse("articles:return_to_draft", args=[article.pk]), follow=True)

    assert (
        "Only a submitted, in review or withdrawn article can go back to draft."
        in response.content.decode()
    )
    assert Article.objects.get().status == Article.Status.DRAFT


def test_editing_an_article_in_review_sends_a_changed_body_back_to_extraction(client, editor):
    article = make_article(editor, status="in_review")
    client.force_login(editor)

    response = client.post(
        reverse("articles:edit", args=[article.pk]),
        {
            "title": article.title,
            "body": STORY + "\nThe second ferry follows in 2028.\n",
            "dateline": "",
        },
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.SUBMITTED
    assert article.revisions.count() == 2


# --- Article page -------------------------------------------------------------------------------


def test_article_page_highlights_each_claim_in_place_and_lists_what_extraction_found(
    client, editor
):
    article = make_article(editor, status="in_review")
    client.force_login(editor)

    response = client.get(reverse("articles:detail", args=[article.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    claims = list(article.claims.order_by("ordinal"))
    assert len(claims) == STORY_CLAIMS
    for claim in claims:
        span = escape(article.extracted_revision.body[claim.start : claim.end])
        assert (
            f'<mark id="claim-{claim.pk}" class="claim verdict-pending" '
            f'title="Claim {claim.ordinal + 1}: Pending">{span}</mark>'
        ) in html
        assert f'id="claim-row-{claim.pk}"' in html
    assert 'class="article-body"' in html
    assert "What Happened" in html  # the section label
    assert "Harbor City Ferry Fares To Rise In April" in html  # the related link
    assert "Harbor City Council" in html  # the image credit
    assert "Done" in html and 'id="extraction-status"' in html
    assert "5 of 5 claims pending." in html
    assert 'hx-trigger="every 1s"' not in html  # done: the status block does not poll


def test_article_page_shows_the_draft_text_plain_before_extraction(client, editor):
    article = make_article(editor, body="The council met on Monday.\nIt voted 7 to 2.\n")
    client.force_login(editor)

    html = client.get(reverse("articles:detail", args=[article.pk])).content.decode()

    assert "The council met on Monday.\nIt voted 7 to 2.\n" in html
    assert "<mark id=" not in html
    assert "Not submitted yet" in html
    assert "Claims have not been extracted yet." in html


def test_a_related_link_without_a_title_says_link_missing(client, editor):
    article = make_article(
        editor,
        body=STORY.replace("See Also: Harbor City Ferry Fares To Rise In April", "Read Next:"),
        status="in_review",
    )
    client.force_login(editor)

    html = client.get(reverse("articles:detail", args=[article.pk])).content.decode()

    assert article.related_links.filter(title="").exists()
    assert "link missing" in html


def test_changed_claims_show_what_they_said_before(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=1)
    review_services.record_verdict(
        claim, judged=judge(claim), by=reviewer, verdict="verified", note="Minutes."
    )
    services.update_article(
        article, by=editor, title=article.title, body=STORY.replace("7 to 2", "6 to 3")
    )
    run_extraction_now(article.extraction_jobs.get(state="pending").pk)
    client.force_login(editor)

    html = client.get(reverse("articles:detail", args=[article.pk])).content.decode()

    assert "Previously: “The council vote was 7 to 2.” (verified)" in html
    assert "The council vote was 6 to 3." in html


def test_while_extraction_runs_the_status_block_polls_and_reloads_the_page_when_done(
    client, editor
):
    article = make_article(editor, status="submitted")
    client.force_login(editor)
    status_url = reverse("articles:extraction_status", args=[article.pk])

    page = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert f'hx-get="{status_url}" hx-trigger="every 1s"' in page
    assert "Queued" in page

    still = client.get(status_url, HTTP_HX_REQUEST="true")
    assert still.status_code == 200
    assert "HX-Refresh" not in still
    assert 'hx-trigger="every 1s"' in still.content.decode()

    run_extraction_now(article.extraction_jobs.get().pk)
    done = client.get(status_url, HTTP_HX_REQUEST="true")

    assert done["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.content.decode()
    assert "Done" in done.content.decode()


def test_a_failed_extraction_shows_its_error_and_can_be_retried_by_the_author(
    client, editor, reviewer
):
    article = make_article(editor, status="submitted")
    job = article.extraction_jobs.get()
    for _ in range(settings.EXTRACTION_MAX_ATTEMPTS):
        _, token = services.start_extraction_job(job.pk)
        services.fail_extraction_job(job.pk, token=token, error="ValueError: <b>bad</b> input")
    client.force_login(reviewer)
    html = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert "Failed" in html and "ValueError: &lt;b&gt;bad&lt;/b&gt; input" in html
    assert "Retry extraction" not in html
    assert (
        client.post(reverse("articles:retry_extraction", args=[article.pk, job.pk])).status_code
        == 403
    )

    client.force_login(editor)
    html = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert "Retry extraction" in html
    response = client.post(reverse("articles:retry_extraction", args=[article.pk, job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.state, job.attempts) == (ExtractionJob.State.PENDING, 0)
    assert article.events.filter(kind=ArticleEvent.Kind.EXTRACTION, to_state="pending").exists()


def test_publish_button_follows_the_role_and_the_gate(
    client, editor, other_editor, reviewer, chief
):
    article = make_article(editor, status="in_review")
    url = reverse("articles:detail", args=[article.pk])
    publish_url = reverse("review:publish", args=[article.pk])

    client.force_login(reviewer)
    html = client.get(url).content.decode()
    assert publish_url not in html  # reviewers do not publish
    assert "5 of 5 claims pending." in html
    assert 'name="verdict"' in html  # ... but judge claims in place

    client.force_login(editor)
    html = client.get(url).content.decode()
    assert (
        "Publish</button>" in html and "disabled" in html.split(publish_url)[1].split("</form>")[0]
    )
    assert 'name="verdict"' not in html  # four-eyes: no verdict forms on one's own article

    for claim in article.claims.all():
        review_services.record_verdict(
            claim, judged=judge(claim), by=reviewer, verdict="verified", note="Checked."
        )
    html = client.get(url).content.decode()
    assert "All 5 claims verified." in html
    assert "disabled" not in html.split(publish_url)[1].split("</form>")[0]

    client.force_login(chief)
    assert publish_url in client.get(url).content.decode()


def test_override_form_shows_only_for_a_chief_when_only_unverified_claims_remain(
    client, editor, reviewer, chief
):
    article = make_article(editor, status="in_review")
    claims = list(article.claims.all())
    review_services.record_verdict(
        claims[0], judged=judge(claims[0]), by=reviewer, verdict="unverified", note="No source."
    )
    for claim in claims[1:]:
        review_services.record_verdict(
            claim, judged=judge(claim), by=reviewer, verdict="verified", note="Checked."
        )
    url = reverse("articles:detail", args=[article.pk])

    client.force_login(editor)
    html = client.get(url).content.decode()
    assert "1 unverified." in html
    assert "Publish over unverified claims" not in html

    client.force_login(chief)
    html = client.get(url).content.decode()
    assert "Publish over unverified claims" in html
    assert 'name="override_reason"' in html


def test_timeline_lists_who_did_what_in_order(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=0)
    review_services.record_verdict(
        claim,
        judged=judge(claim),
        by=reviewer,
        verdict="verified",
        note="Council minutes.",
        evidence_url="https://example.org/m",
    )
    client.force_login(editor)

    html = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    timeline = html.split('id="timeline-heading"')[1]

    # States by their human names; a verdict names its claim with an excerpt.
    for text in (
        "Created",
        "Status changed",
        "Draft → Submitted",
        "Submitted → In review",
        "Verdict",
        "Pending → Verified",
        f"on claim 1: “{claim.text[:40]}",
    ):
        assert text in timeline
    assert "in_review" not in timeline
    assert (
        timeline.index("Created")
        < timeline.index("Draft → Submitted")
        < timeline.index("Pending → Verified")
    )
    assert "Rui Reviewer" in timeline and "System" in timeline
    assert "Council minutes." in timeline
    assert '<a href="https://example.org/m" rel="noopener nofollow">' in timeline


def test_article_text_is_escaped_on_the_article_page_and_in_the_timeline(client, editor, reviewer):
    article = make_article(editor, title=XSS_TITLE, body=XSS_BODY, status="in_review")
    claim = article.claims.filter(text__contains="<script>").get()
    review_services.record_verdict(
        claim,
        judged=judge(claim),
        by=reviewer,
        verdict="unverified",
        note='Says <script>alert(1)</script> "><img src=x onerror=alert(1)>',
    )
    client.force_login(editor)

    html = client.get(reverse("articles:detail", args=[article.pk])).content.decode()

    assert_escaped(html)
    assert_escaped(html.split('id="timeline-heading"')[1])
    assert_escaped(html.split('class="article-body"')[1].split("</div>")[0])


def test_article_text_is_escaped_on_the_dashboard(client, editor, chief):
    make_article(editor, title=XSS_TITLE, body=XSS_BODY, status="in_review")
    for user in (editor, chief):
        client.force_login(user)
        html = client.get(reverse("articles:dashboard")).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>alert" not in html
        assert "<img src=x" not in html


# --- Dashboard ----------------------------------------------------------------------------------


def test_editor_dashboard_lists_my_drafts_and_my_articles_in_review_with_progress(
    client, editor, other_editor, reviewer
):
    make_article(editor, title="My draft")
    in_review = make_article(editor, title="Mine in review", status="in_review")
    review_services.record_verdict(
        in_review.claims.first(),
        judged=judge(in_review.claims.first()),
        by=reviewer,
        verdict="unverified",
        note="No.",
    )
    review_services.record_verdict(
        in_review.claims.last(),
        judged=judge(in_review.claims.last()),
        by=reviewer,
        verdict="verified",
        note="Yes.",
    )
    make_article(other_editor, title="Not mine", status="in_review")
    client.force_login(editor)

    html = client.get(reverse("articles:dashboard")).content.decode()

    assert 'My drafts <span class="count">(1)</span>' in html
    assert 'Submitted / in review <span class="count">(1)</span>' in html
    assert "My draft" in html and "Mine in review" in html
    assert "1 of 5 verified, 1 unverified" in html
    assert "Not mine" not in html
    assert "Awaiting my review" not in html


def test_reviewer_dashboard_lists_articles_awaiting_them_with_pending_counts(
    client, editor, reviewer, editor_reviewer
):
    other = make_article(editor, title="Someone else's", status="in_review")
    review_services.record_verdict(
        other.claims.first(),
        judged=judge(other.claims.first()),
        by=reviewer,
        verdict="verified",
        note="Yes.",
    )
    make_article(editor_reviewer, title="My own", status="in_review")
    make_article(editor, title="Still a draft")
    client.force_login(editor_reviewer)

    html = client.get(reverse("articles:dashboard")).content.decode()

    awaiting = html.split('id="awaiting-heading"')[1].split("</section>")[0]
    assert "(1 articles, 4 claims)" in awaiting
    assert "Someone else&#x27;s" in awaiting and "4 pending" in awaiting
    assert "My own" not in awaiting  # four-eyes
    assert "Still a draft" not in awaiting
    assert "My own" in html.split('id="mine-heading"')[1]  # but it is in my own list


def test_chief_dashboard_shows_everything_in_review_and_what_is_ready_to_publish(
    client, editor, other_editor, reviewer, chief
):
    ready = make_article(editor, title="All checked", status="in_review")
    for claim in ready.claims.all():
        review_services.record_verdict(
            claim, judged=judge(claim), by=reviewer, verdict="verified", note="Yes."
        )
    make_article(other_editor, title="Still pending", status="in_review")
    client.force_login(chief)

    html = client.get(reverse("articles:dashboard")).content.decode()

    ready_section = html.split('id="ready-heading"')[1].split("</section>")[0]
    all_section = html.split('id="all-heading"')[1].split("</section>")[0]
    assert "All checked" in ready_section and "Still pending" not in ready_section
    assert "All checked" in all_section and "Still pending" in all_section
    assert "0 of 5 verified" in all_section and "5 of 5 verified" in all_section


def test_outsider_dashboard_shows_only_published_articles(client, editor, outsider):
    make_article(editor, title="Out in the world", status="published")
    make_article(editor, title="Secret draft")
    client.force_login(outsider)

    html = client.get(reverse("articles:dashboard")).content.decode()

    assert "Out in the world" in html
    assert "Secret draft" not in html
    assert "My drafts" not in html and "Awaiting my review" not in html


# --- Query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 50])
def test_editor_dashboard_query_count_does_not_grow(client, django_assert_num_queries, editor, n):
    for i in range(n):
        make_article(editor, title=f"Draft {i}")
        make_article(editor, title=f"Review {i}", status="in_review")
    make_article(editor, title="Out", status="published")
    client.force_login(editor)

    # 1 session, 2 user, 3 the user's groups (cached for every permission check),
    # 4 my unpublished articles with their claim counts, 5 the latest published articles,
    # 6 the open questions to me ("Needs your answer", registered by review.conversations).
    with django_assert_num_queries(6):
        response = client.get(reverse("articles:dashboard"))

    assert f'My drafts <span class="count">({n})</span>' in response.content.decode()


@pytest.mark.parametrize("n", [1, 50])
def test_reviewer_dashboard_query_count_does_not_grow(
    client, django_assert_num_queries, editor, reviewer, n
):
    for i in range(n):
        make_article(editor, title=f"Review {i}", status="in_review")
    client.force_login(reviewer)

    # 1 session, 2 user, 3 groups, 4 articles with claims awaiting me, with claim counts and
    # my pending count (a subquery), 5 the latest published articles.
    with django_assert_num_queries(5):
        response = client.get(reverse("articles:dashboard"))

    assert f"({n} articles, {n * STORY_CLAIMS} claims)" in response.content.decode()


@pytest.mark.parametrize("n", [1, 50])
def test_chief_dashboard_query_count_does_not_grow(
    client, django_assert_num_queries, editor, chief, n
):
    for i in range(n):
        make_article(editor, title=f"Review {i}", status="in_review")
        make_article(chief, title=f"Chief draft {i}")
    client.force_login(chief)

    # 1 session, 2 user, 3 groups, 4 my unpublished articles with claim counts,
    # 5 everything submitted or in review with claim counts and authors, 6 latest published,
    # 7 the open questions to me ("Needs your answer": a chief may write articles too).
    with django_assert_num_queries(7):
        response = client.get(reverse("articles:dashboard"))

    assert f'All in review <span class="count">({n})</span>' in response.content.decode()


@pytest.mark.parametrize("n", [1, 50])
def test_article_page_query_count_does_not_grow_with_claims(
    client, django_assert_num_queries, editor, reviewer, n
):
    article = make_article(editor, body=many_claims_body(n), status="in_review")
    for claim in article.claims.all():
        review_services.record_verdict(
            claim, judged=judge(claim), by=reviewer, verdict="verified", note="Checked."
        )
    assert article.claims.count() == n
    client.force_login(reviewer)

    # 1 session, 2 user, 3 groups, 4 the article with its author (access helper),
    # 5 active claims with their reviewers, 6 the extracted revision, 7 related links,
    # 8 image credit, 9 sections, 10 the timeline with actors and claims,
    # 11 the last two finished extraction jobs with their revisions (the diff since the last
    # review round; one more query, its claim changes, only after a re-extraction),
    # 12 the latest extraction job with its revision, 13 the gate's counts, 14 comment counts
    # and open questions per claim (the badges of review.conversations).
    with django_assert_num_queries(14):
        response = client.get(reverse("articles:detail", args=[article.pk]))

    assert response.content.decode().count('<mark id="claim-') == n


def test_error_pages_are_plain_and_carry_no_article_data(client, editor, outsider):
    article = make_article(editor, title="Secret scoop")
    client.force_login(outsider)

    not_found = client.get(reverse("articles:detail", args=[article.pk]))
    forbidden = client.get(reverse("articles:create"))

    assert not_found.status_code == 404 and "Not found" in not_found.content.decode()
    assert forbidden.status_code == 403 and "You may not do that" in forbidden.content.decode()
    for response in (not_found, forbidden):
        assert "Secret scoop" not in response.content.decode()


# --- Diff since the last review round, live progress ---------------------------------------------


def reextract(article: Article, by, body: str) -> Article:
    services.update_article(article, by=by, title=article.title, body=body)
    job = article.extraction_jobs.order_by("-id").first()
    run_extraction_now(job.pk)
    article.refresh_from_db()
    return article


def test_article_page_shows_what_changed_since_the_last_review_round(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    changed = article.claims.get(text__startswith="The council vote")
    removed = article.claims.get(text__startswith="The first ferry")
    review_services.record_verdict(
        changed, judged=judge(changed), by=reviewer, verdict="verified", note="Minutes."
    )
    review_services.record_verdict(
        removed, judged=judge(removed), by=reviewer, verdict="unverified", note="No date."
    )
    client.force_login(editor)
    assert (
        "Changes since the last review round"
        not in client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    )  # extracted once: nothing to compare

    body = (
        STORY.replace("The council vote was 7 to 2.", "The council vote was 6 to 3.").replace(
            "The first ferry is due to enter service in 2027.\n\n", ""
        )
        + "\nThe ferries will carry 400 passengers each.\n"
    )
    article = reextract(article, editor, body)
    html = client.get(reverse("articles:detail", args=[article.pk])).content.decode()

    section = html.split('id="round-heading"')[1].split("</section>")[0]
    assert "Revision 1 → revision 2" in section
    assert (
        '<del><span class="visually-hidden">[removed: </span>The council vote was 7 to 2.'
        in section
    )
    assert (
        '<ins><span class="visually-hidden">[added: </span>The council vote was 6 to 3.' in section
    )
    assert "The ferries will carry 400 passengers each." in section.split("<ins>")[-1]
    changed_list = section.split("Claims changed in this round")[1].split("<h3>")[0]
    assert "now reads “The council vote was 6 to 3.”" in changed_list
    assert "Before: “The council vote was 7 to 2.” (verified)" in changed_list
    new_list = section.split("New claims")[1].split("<h3>")[0]
    assert "The ferries will carry 400 passengers each." in new_list
    assert "council" not in new_list
    removed_list = section.split("Removed claims")[1]
    assert "The first ferry is due to enter service in 2027." in removed_list
    assert "(was unverified)" in removed_list


def test_the_diff_is_escaped(client, editor):
    article = make_article(editor, status="in_review")
    article = reextract(article, editor, XSS_BODY)
    client.force_login(editor)

    html = client.get(reverse("articles:detail", args=[article.pk])).content.decode()

    section = html.split('id="round-heading"')[1].split("</section>")[0]
    assert_escaped(section)
    assert '<ins><span class="visually-hidden">[added: </span>' in section


def test_the_gate_polls_while_the_article_is_in_review(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    client.force_login(editor)
    gate_url = reverse("articles:gate", args=[article.pk])

    page = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert f'hx-get="{gate_url}" hx-trigger="claimJudged from:body, every 5s' in page
    review_services.record_verdict(
        article.claims.get(ordinal=0),
        judged=judge(article.claims.get(ordinal=0)),
        by=reviewer,
        verdict="verified",
        note="Ok.",
    )
    review_services.record_verdict(
        article.claims.get(ordinal=1),
        judged=judge(article.claims.get(ordinal=1)),
        by=reviewer,
        verdict="unverified",
        note="No.",
    )
    gate = client.get(gate_url, HTTP_HX_REQUEST="true").content.decode()
    assert f"1 of {STORY_CLAIMS} verified, 1 unverified." in gate

    for claim in article.claims.filter(verdict="pending"):
        review_services.record_verdict(
            claim, judged=judge(claim), by=reviewer, verdict="verified", note="Ok."
        )
    review_services.record_verdict(
        article.claims.get(ordinal=1),
        judged=judge(article.claims.get(ordinal=1)),
        by=reviewer,
        verdict="verified",
        note="Found it.",
    )
    services.publish_article(article, by=editor)
    published = client.get(gate_url, HTTP_HX_REQUEST="true").content.decode()
    assert "every 5s" not in published


def test_editor_dashboard_progress_refreshes_itself_while_in_review(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    make_article(editor, title="A draft")
    client.force_login(editor)
    dashboard = client.get(reverse("articles:dashboard")).content.decode()
    assert f'hx-get="{reverse("articles:my_reviews")}" hx-trigger="every 5s"' in dashboard

    review_services.record_verdict(
        article.claims.get(ordinal=0),
        judged=judge(article.claims.get(ordinal=0)),
        by=reviewer,
        verdict="verified",
        note="Ok.",
    )
    partial = client.get(reverse("articles:my_reviews"), HTTP_HX_REQUEST="true").content.decode()

    assert "<html" not in partial
    assert f"1 of {STORY_CLAIMS} verified" in partial
    assert "A draft" not in partial
    client.force_login(reviewer)
    assert client.get(reverse("articles:my_reviews")).status_code == 403


def test_editor_dashboard_does_not_poll_without_articles_in_review(client, editor):
    make_article(editor, title="A draft")
    client.force_login(editor)

    dashboard = client.get(reverse("articles:dashboard")).content.decode()

    assert "every 5s" not in dashboard


@pytest.mark.django_db
def test_the_extraction_block_keeps_polling_when_the_worker_commits_between_its_reads(editor):
    from articles.views import extraction_context

    article = make_article(editor, status="in_review")
    # The request read the article just before the worker's commit, and the job just after it.
    article.status = Article.Status.SUBMITTED

    assert extraction_context(editor, article)["polling"] is True
    article.refresh_from_db()
    assert extraction_context(editor, article)["polling"] is False

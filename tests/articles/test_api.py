"""The articles API: lists and details filtered by visibility (IDOR), filters and pagination,
create/update with field-level read-only status, submit and return-to-draft, claims, extraction
jobs, error shapes, and pinned query counts. The full role × state matrix through the API is
tests/integrations/test_permission_matrix_api.py."""

from __future__ import annotations

import datetime as dt

import pytest

from articles import permissions, services
from articles.models import Article, ArticleEvent, Claim, ExtractionJob
from tests.conftest import STORY, STORY_CLAIMS, make_article
from tests.support.api import ids
from tests.support.verdicts import judge

pytestmark = [pytest.mark.usefixtures("api_settings"), pytest.mark.django_db]

LIST = "/api/v1/articles"


def detail(pk: int) -> str:
    return f"/api/v1/articles/{pk}"


# --- Authentication -----------------------------------------------------------------------------


def test_anonymous_callers_get_401_with_a_bearer_challenge(api):
    response = api().get(LIST)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {"detail": "Authentication credentials were not provided."}


# --- List: visibility ---------------------------------------------------------------------------


def test_an_editor_lists_own_articles_and_published_ones_never_another_editors_draft(
    api, editor, other_editor
):
    mine = make_article(editor, title="Mine")
    theirs_draft = make_article(other_editor, title="Their draft")
    theirs_submitted = make_article(other_editor, title="Their submitted", status="submitted")
    theirs_published = make_article(other_editor, title="Their published", status="published")

    response = api(editor).get(LIST)

    assert response.status_code == 200
    assert set(ids(response)) == {mine.pk, theirs_published.pk}
    assert theirs_draft.pk not in ids(response) and theirs_submitted.pk not in ids(response)


def test_a_reviewer_lists_submitted_in_review_and_published_articles_but_no_drafts(
    api, editor, reviewer
):
    draft = make_article(editor, title="Draft")
    submitted = make_article(editor, title="Submitted", status="submitted")
    in_review = make_article(editor, title="In review", status="in_review")
    published = make_article(editor, title="Published", status="published")

    response = api(reviewer).get(LIST)

    assert set(ids(response)) == {submitted.pk, in_review.pk, published.pk}
    assert draft.pk not in ids(response)


def test_a_chief_editor_lists_everything_and_an_outsider_only_published_articles(
    api, editor, chief, outsider
):
    draft = make_article(editor, title="Draft")
    published = make_article(editor, title="Published", status="published")

    assert set(ids(api(chief).get(LIST))) == {draft.pk, published.pk}
    assert ids(api(outsider).get(LIST)) == [published.pk]


def test_list_rows_carry_the_gate_and_no_body(api, editor, reviewer):
    article = make_article(editor, status="in_review")
    claim = article.claims.active().first()
    from review import services as review_services

    review_services.record_verdict(
        claim, judged=judge(claim), by=reviewer, verdict="unverified", note="No source."
    )

    row = api(editor).get(LIST).json()["results"][0]

    assert row["id"] == article.pk and row["status"] == "in_review"
    assert "body" not in row
    assert row["author"] == {"id": editor.pk, "username": "editor", "name": "Eda Editor"}
    assert row["gate"] == {
        "total": STORY_CLAIMS,
        "pending": STORY_CLAIMS - 1,
        "unverified": 1,
        "verified": 0,
        "extracted": True,
        "is_open": False,
        "overridable": False,
        "reason": f"{STORY_CLAIMS - 1} of {STORY_CLAIMS} claims pending, 1 unverified.",
    }


# --- List: filters and pagination ---------------------------------------------------------------


def test_the_list_filters_by_status_author_dateline_range_and_words(
    api, editor, other_editor, chief
):
    a = services.create_article(
        by=editor, title="Airship budget", body="Zeppelins.", dateline=dt.date(2025, 1, 10)
    )
    b = services.create_article(
        by=editor, title="Tram plan", body="Trams and zeppelins.", dateline=dt.date(2025, 2, 10)
    )
    c = make_article(other_editor, title="Bridge", status="submitted")
    client = api(chief)

    assert ids(client.get(LIST, {"status": "submitted"})) == [c.pk]
    assert set(ids(client.get(LIST, {"status": ["draft", "submitted"]}))) == {a.pk, b.pk, c.pk}
    assert set(ids(client.get(LIST, {"author": "editor"}))) == {a.pk, b.pk}
    assert ids(client.get(LIST, {"dateline_after": "2025-02-01"})) == [b.pk]
    assert ids(client.get(LIST, {"dateline_before": "2025-01-31"})) == [a.pk]
    assert set(ids(client.get(LIST, {"q": "zeppelins"}))) == {a.pk, b.pk}
    assert ids(client.get(LIST, {"q": "tram ZEPPELINS"})) == [b.pk]


def test_invalid_filter_values_are_400_with_the_field_and_unknown_filters_are_ignored(api, chief):
    client = api(chief)

    response = client.get(LIST, {"status": "archived", "dateline_after": "yesterday"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "dateline_after"}
    assert client.get(LIST, {"colour": "blue"}).status_code == 200


def test_the_list_is_paginated_newest_first_with_a_page_size_up_to_100(api, editor):
    created = [services.create_article(by=editor, title=f"A{i}", body="Text.") for i in range(5)]
    client = api(editor)

    first = client.get(LIST, {"page_size": 2}).json()
    second = client.get(LIST, {"page_size": 2, "page": 2}).json()

    assert first["count"] == 5
    assert [r["id"] for r in first["results"]] == [created[4].pk, created[3].pk]
    assert [r["id"] for r in second["results"]] == [created[2].pk, created[1].pk]
    assert first["next"].endswith("page=2&page_size=2")
    assert client.get(LIST, {"page": 9}).status_code == 404
    assert client.get(LIST, {"page": "99999999999999999999999999"}).status_code == 404


@pytest.mark.parametrize(
    "path", [LIST, "/api/v1/claims", "/api/v1/extraction-jobs", "/api/v1/review-queue"]
)
@pytest.mark.parametrize("page", ["", "x", "0", "-1", "1.5", "+2", " 2", "²", "last"])
def test_a_page_that_is_not_a_whole_number_from_1_is_400_naming_the_parameter(
    api, editor, reviewer, path, page
):
    make_article(editor, status="in_review")

    response = api(reviewer).get(path, {"page": page})

    assert response.status_code == 400, response.content
    assert response.json() == {
        "detail": "page: A page number: a whole number from 1.",
        "errors": {"page": ["A page number: a whole number from 1."]},
    }


@pytest.mark.parametrize(
    ("path", "fmt", "formats"),
    [
        (LIST, "xml", "json"),
        (LIST, "", "json"),
        ("/api/v1/claims", "html", "json"),
        ("/api/v1/articles/{pk}/claimreview", "csv", "jsonld, json"),
        ("/api/schema/", "txt", "yaml, json"),
    ],
)
def test_an_unknown_or_empty_format_is_400_listing_the_formats(api, editor, path, fmt, formats):
    article = make_article(editor, status="published")
    client = api(editor)

    response = client.get(path.format(pk=article.pk), {"format": fmt})

    assert response.status_code == 400, response.content
    assert response["Content-Type"].split(";")[0] in (
        "application/json",
        "application/ld+json",
        "application/vnd.oai.openapi+json",
    )
    message = (
        f"Unknown format {fmt!r}: this endpoint answers {formats}."
        if fmt
        else f"Give a format ({formats}), or leave the parameter out."
    )
    assert response.json() == {"detail": f"format: {message}", "errors": {"format": [message]}}


def test_a_known_format_still_answers(api, editor):
    article = make_article(editor, status="published")
    client = api(editor)

    assert client.get(LIST, {"format": "json"}).json()["count"] == 1
    claimreview = client.get(f"{LIST}/{article.pk}/claimreview", {"format": "jsonld"})
    assert claimreview.status_code == 200
    assert claimreview["Content-Type"] == "application/ld+json"
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200 and "openapi" in schema.json()


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.django_db(transaction=True)  # committed: PostgreSQL caches only committed data
@pytest.mark.usefixtures("messages_reach_no_worker")  # no worker writes meanwhile
@pytest.mark.postgres
def test_the_article_list_costs_the_same_queries_for_1_and_50_articles(
    api, editor, reviewer, rows, django_assert_num_queries
):
    for i in range(rows):
        services.submit_article(
            services.create_article(by=editor, title=f"A{i}", body=STORY), by=editor
        )
    client = api(reviewer)
    # The token with its user and roles is now remembered (and its last_used_at written, once a
    # minute); another URL, so that the page counted below is not the remembered response.
    client.get(LIST, {"page_size": 10})

    # 1 the data version, 2 count, 3 the page, 4 the page's gate counts
    with django_assert_num_queries(4):
        response = client.get(LIST)
    assert response.json()["count"] == rows

    # The same page again, nothing written since: the remembered response.
    with django_assert_num_queries(1):
        assert client.get(LIST).json() == response.json()


# --- Detail -------------------------------------------------------------------------------------


def test_the_detail_has_claims_links_credit_sections_history_gate_and_extraction(api, editor):
    article = make_article(editor, status="in_review")

    data = api(editor).get(detail(article.pk)).json()

    assert data["body"] == STORY and data["status"] == "in_review"
    assert len(data["claims"]) == STORY_CLAIMS
    assert data["claims"][0]["verdict"] == "pending"
    assert [(link["label"], link["title"]) for link in data["related_links"]] == [
        ("See Also", "Harbor City Ferry Fares To Rise In April")
    ]
    assert data["image_credit"] == {
        "text": "Image via Harbor City Council",
        "source": "Harbor City Council",
    }
    assert [s["label"] for s in data["sections"]] == ["What Happened"]
    assert [(e["kind"], e["to_state"]) for e in data["history"]] == [
        ("created", "draft"),
        ("status", "submitted"),
        ("status", "in_review"),
    ]
    assert data["gate"]["pending"] == STORY_CLAIMS and data["gate"]["is_open"] is False
    assert data["extraction"]["state"] == "done" and data["extraction"]["revision"] == 1
    assert data["dateline"] == "2025-02-03"


def test_another_editors_draft_cannot_be_retrieved_changed_or_submitted(api, editor, other_editor):
    draft = make_article(other_editor, title="Secret draft")
    client = api(editor)

    assert client.get(detail(draft.pk)).status_code == 404
    assert client.patch(detail(draft.pk), {"title": "Mine now"}, format="json").status_code == 404
    assert client.post(f"{detail(draft.pk)}/submit").status_code == 404
    assert client.post(f"{detail(draft.pk)}/return-to-draft").status_code == 404
    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("Secret draft", "draft")
    assert client.get(detail(999999)).json() == {"detail": "No Article matches the given query."}


# --- Create -------------------------------------------------------------------------------------


def test_an_editor_creates_a_draft_with_plain_text(api, editor):
    response = api(editor).post(
        LIST, {"title": "Ferry budget", "body": STORY, "dateline": "2025-02-03"}, format="json"
    )

    assert response.status_code == 201
    article = Article.objects.get()
    assert response.json()["id"] == article.pk
    assert response["Location"].endswith(f"/api/v1/articles/{article.pk}")
    assert (article.title, article.body, article.author, article.status) == (
        "Ferry budget",
        STORY,
        editor,
        "draft",
    )
    assert article.dateline == dt.date(2025, 2, 3) and article.source_html == ""
    assert list(article.events.values_list("kind", "actor")) == [("created", editor.pk)]


@pytest.mark.parametrize("persona", ["reviewer", "outsider"])
def test_only_editors_create_articles(api, persona, request):
    user = request.getfixturevalue(persona)

    response = api(user).post(LIST, {"title": "T", "body": "B."}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only editors can write articles."}
    assert not Article.objects.exists()


def test_create_errors_name_the_fields(api, editor):
    client = api(editor)

    empty = client.post(LIST, {"title": " ", "body": ""}, format="json")
    both = client.post(LIST, {"title": "T", "body": "B.", "html": "<p>B.</p>"}, format="json")
    neither = client.post(LIST, {"title": "T"}, format="json")
    status = client.post(LIST, {"title": "T", "body": "B.", "status": "published"}, format="json")

    assert empty.status_code == 400
    assert empty.json() == {
        "detail": "title: A title is required. body: The article body is empty.",
        "errors": {"title": ["A title is required."], "body": ["The article body is empty."]},
    }
    assert both.status_code == 400 and "non_field_errors" in both.json()["errors"]
    assert neither.status_code == 400 and "body" in neither.json()["errors"]
    assert status.status_code == 400 and status.json()["errors"]["status"][0].startswith(
        "Read-only"
    )
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": ["a"], "body": "B."}, "title"),
        ({"title": "T", "body": {"x": 1}}, "body"),
        ({"title": "T", "body": "B.", "dateline": "2025-02-30"}, "dateline"),
        ({"title": "T", "body": "B.", "dateline": 20250203}, "dateline"),
        ({"title": "T\x00", "body": "B."}, "title"),
        ({"title": "T", "body": "a\x07b"}, "body"),
        ({"title": "T" * 301, "body": "B."}, "title"),
    ],
)
def test_wrong_types_and_bad_characters_are_400_never_500(api, editor, payload, field):
    response = api(editor).post(LIST, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Article.objects.exists()


def test_a_nul_is_refused_with_its_line_on_create_and_on_update_like_any_control_character(
    api, editor
):
    client = api(editor)
    article = make_article(editor)
    body = "The council met.\n\nThe vote was 7 to 2.\x00 It passed."

    created = client.post(LIST, {"title": "T", "body": body}, format="json")
    updated = client.patch(f"{LIST}/{article.pk}", {"body": body}, format="json")
    titled = client.patch(f"{LIST}/{article.pk}", {"title": "A\x00B"}, format="json")

    line_3 = "Contains a control character (U+0000) on line 3; remove it."
    assert created.status_code == 400 and created.json()["errors"]["body"] == [line_3]
    assert updated.status_code == 400 and updated.json()["errors"]["body"] == [line_3]
    assert titled.status_code == 400 and titled.json()["errors"]["title"] == [
        "Contains a control character (U+0000) on line 1; remove it."
    ]
    assert list(Article.objects.values_list("pk", flat=True)) == [article.pk]
    article.refresh_from_db()
    assert "\x00" not in article.body and "\x00" not in article.title


def test_bodies_that_are_not_a_json_object_are_400_and_other_content_types_415(api, editor):
    client = api(editor)

    invalid = client.post(LIST, data="{not json", content_type="application/json")
    a_list = client.post(LIST, data="[1, 2]", content_type="application/json")
    huge_int = client.post(
        LIST, data='{"title": ' + "9" * 5000 + "}", content_type="application/json"
    )
    nan = client.post(LIST, data='{"title": NaN}', content_type="application/json")
    form = client.post(LIST, {"title": "T", "body": "B."})

    assert invalid.status_code == 400 and invalid.json()["detail"].startswith("JSON parse error")
    assert a_list.status_code == 400 and "non_field_errors" in a_list.json()["errors"]
    assert huge_int.status_code == 400
    assert nan.status_code == 400
    assert form.status_code == 415 and "detail" in form.json()
    assert not Article.objects.exists()


def test_a_body_over_the_article_limit_is_400_and_a_request_over_the_api_limit_413(
    api, editor, settings
):
    settings.API_MAX_REQUEST_BYTES = 1_000_000
    client = api(editor)
    limit = settings.ARTICLE_MAX_BODY_CHARS

    too_long = client.post(LIST, {"title": "T", "body": "a" * (limit + 1)}, format="json")
    settings.API_MAX_REQUEST_BYTES = 1_000
    too_large = client.post(LIST, {"title": "T", "body": "a" * 2_000}, format="json")

    assert too_long.status_code == 400 and "body" in too_long.json()["errors"]
    assert too_large.status_code == 413
    assert too_large.json() == {"detail": "The request body is larger than 1,000 bytes."}
    assert not Article.objects.exists()


# --- Update -------------------------------------------------------------------------------------


def test_the_author_patches_title_and_body_and_the_history_says_so(api, editor):
    article = make_article(editor)

    response = api(editor).patch(detail(article.pk), {"title": "New headline"}, format="json")

    assert response.status_code == 200 and response.json()["title"] == "New headline"
    article.refresh_from_db()
    assert (article.title, article.body) == ("New headline", STORY)
    assert article.events.last().kind == ArticleEvent.Kind.EDITED


def test_status_is_read_only_in_a_patch(api, editor):
    article = make_article(editor)

    response = api(editor).patch(detail(article.pk), {"status": "published"}, format="json")

    assert response.status_code == 400
    assert "status" in response.json()["errors"]
    article.refresh_from_db()
    assert article.status == "draft" and article.events.count() == 1


def test_editing_a_body_in_review_sends_it_back_for_extraction(api, editor):
    article = make_article(editor, status="in_review")

    response = api(editor).patch(
        detail(article.pk), {"body": STORY + "\nOne more sentence.\n"}, format="json"
    )

    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert article.revisions.count() == 2
    assert article.extraction_jobs.filter(state="pending").count() == 1


def test_a_reviewer_may_see_a_submitted_article_but_not_change_it(api, editor, reviewer):
    article = make_article(editor, status="submitted")

    response = api(reviewer).patch(detail(article.pk), {"title": "Reviewer's"}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "You may not change this article."}
    article.refresh_from_db()
    assert article.title == "Ferry budget approved"


def test_editing_a_published_article_opens_a_correction(api, editor):
    article = make_article(editor, status="published")

    response = api(editor).patch(detail(article.pk), {"title": "Corrected"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "in_review"
    assert response.json()["correction_open"] is True
    assert article.events.filter(kind="correction_opened").count() == 1


# --- Submit and return to draft ------------------------------------------------------------------


def test_the_author_submits_a_draft_and_the_extraction_is_queued_after_commit(
    api, editor, django_capture_on_commit_callbacks
):
    article = make_article(editor)

    with django_capture_on_commit_callbacks() as callbacks:
        response = api(editor).post(f"{detail(article.pk)}/submit")

    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert response.json()["extraction"]["state"] == "pending"
    assert ExtractionJob.objects.filter(article=article, state="pending").count() == 1
    assert len(callbacks) >= 1


def test_submitting_twice_is_a_409_with_the_reason(api, editor):
    article = make_article(editor, status="submitted")

    response = api(editor).post(f"{detail(article.pk)}/submit")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Only a draft can be submitted; this article is submitted."
    }
    assert article.revisions.count() == 1


def test_return_to_draft_keeps_the_note_in_the_history(api, editor):
    article = make_article(editor, status="in_review")

    response = api(editor).post(
        f"{detail(article.pk)}/return-to-draft", {"note": "Needs a second source."}, format="json"
    )

    assert response.status_code == 200 and response.json()["status"] == "draft"
    event = article.events.last()
    assert (event.from_state, event.to_state, event.note) == (
        "in_review",
        "draft",
        "Needs a second source.",
    )


# --- Claims -------------------------------------------------------------------------------------


def test_claims_are_listed_only_from_visible_articles(api, editor, other_editor):
    mine = make_article(editor, status="in_review")
    theirs = make_article(other_editor, status="in_review")
    make_article(other_editor, status="in_review")

    response = api(editor).get("/api/v1/claims")

    assert response.status_code == 200
    assert {row["article"] for row in response.json()["results"]} == {mine.pk}
    hidden = theirs.claims.first()
    assert api(editor).get(f"/api/v1/claims/{hidden.pk}").status_code == 404


def test_claims_filter_by_verdict_article_and_awaiting_me(
    api, editor, other_editor, editor_reviewer, reviewer
):
    own = make_article(editor_reviewer, title="Own", status="in_review")
    other = make_article(editor, title="Other", status="in_review")
    from review import services as review_services

    judged = other.claims.active().first()
    review_services.record_verdict(
        judged, judged=judge(judged), by=reviewer, verdict="verified", note="Seen it."
    )
    client = api(editor_reviewer)

    awaiting = client.get("/api/v1/claims", {"awaiting_me": "true"}).json()["results"]
    verified = client.get("/api/v1/claims", {"verdict": "verified"}).json()["results"]
    by_article = client.get("/api/v1/claims", {"article": own.pk}).json()["results"]

    # Four-eyes: their own article's claims never await them.
    assert {c["article"] for c in awaiting} == {other.pk}
    assert len(awaiting) == STORY_CLAIMS - 1 and judged.pk not in [c["id"] for c in awaiting]
    assert [c["id"] for c in verified] == [judged.pk]
    assert {c["article"] for c in by_article} == {own.pk} and len(by_article) == STORY_CLAIMS
    assert client.get("/api/v1/claims", {"awaiting_me": "maybe"}).status_code == 400
    assert client.get("/api/v1/claims", {"article": "x"}).status_code == 400


def test_a_claim_is_retrieved_with_its_verdict_fields(api, editor, reviewer):
    article = make_article(editor, status="in_review")
    claim = article.claims.active().first()

    data = api(reviewer).get(f"/api/v1/claims/{claim.pk}").json()

    assert data["id"] == claim.pk and data["article"] == article.pk
    assert (
        data["text"] == claim.text and data["verdict"] == "pending" and data["reviewed_by"] is None
    )


@pytest.mark.parametrize("articles", [1, 10])
@pytest.mark.django_db(transaction=True)  # committed: PostgreSQL caches only committed data
@pytest.mark.usefixtures("messages_reach_no_worker")  # no worker writes meanwhile
@pytest.mark.postgres
def test_the_claim_list_costs_the_same_queries_for_few_and_many_claims(
    api, editor, reviewer, articles, django_assert_num_queries
):
    for i in range(articles):
        make_article(editor, title=f"A{i}", status="in_review")
    client = api(reviewer)
    client.get("/api/v1/claims")

    # 1 the data version (the token, its user and roles are remembered), 2 count, 3 the page of
    # claims with their reviewers
    with django_assert_num_queries(3):
        response = client.get("/api/v1/claims", {"page_size": 100})
    assert response.json()["count"] == articles * STORY_CLAIMS


# --- Extraction jobs ----------------------------------------------------------------------------


def failed_job(article: Article) -> ExtractionJob:
    job = article.extraction_jobs.get()
    ExtractionJob.objects.filter(pk=job.pk).update(
        state=ExtractionJob.State.FAILED, attempts=3, last_error="Engine exploded."
    )
    return ExtractionJob.objects.get(pk=job.pk)


def test_extraction_jobs_are_listed_by_article_and_retried_by_the_author(
    api, editor, django_capture_on_commit_callbacks
):
    article = make_article(editor, status="submitted")
    job = failed_job(article)
    client = api(editor)

    listed = client.get("/api/v1/extraction-jobs", {"article": article.pk}).json()["results"]
    shown = client.get(f"/api/v1/extraction-jobs/{job.pk}").json()
    with django_capture_on_commit_callbacks() as callbacks:
        retried = client.post(f"/api/v1/extraction-jobs/{job.pk}/retry")

    assert [j["id"] for j in listed] == [job.pk]
    assert shown["state"] == "failed" and shown["last_error"] == "Engine exploded."
    assert retried.status_code == 200 and retried.json()["state"] == "pending"
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("pending", 0)
    assert article.events.last().note == "Extraction retried."
    assert len(callbacks) == 1


def test_a_reviewer_cannot_retry_and_only_failed_jobs_can_be_retried(api, editor, reviewer):
    article = make_article(editor, status="submitted")
    job = article.extraction_jobs.get()

    pending = api(editor).post(f"/api/v1/extraction-jobs/{job.pk}/retry")
    failed_job(article)
    by_reviewer = api(reviewer).post(f"/api/v1/extraction-jobs/{job.pk}/retry")

    assert pending.status_code == 409
    assert pending.json() == {"detail": "Only a failed extraction can be retried."}
    assert by_reviewer.status_code == 403
    assert ExtractionJob.objects.get(pk=job.pk).state == "failed"


def test_jobs_of_another_editors_draft_are_neither_listed_nor_retrievable(
    api, editor, other_editor
):
    article = make_article(other_editor, status="submitted")
    services.return_to_draft(article, by=other_editor)
    job = article.extraction_jobs.get()
    client = api(editor)

    assert client.get("/api/v1/extraction-jobs").json()["results"] == []
    assert client.get(f"/api/v1/extraction-jobs/{job.pk}").status_code == 404
    assert client.post(f"/api/v1/extraction-jobs/{job.pk}/retry").status_code == 404


# --- Sessions (the browser) -----------------------------------------------------------------------


def test_the_browser_session_works_for_reads_and_writes_need_the_csrf_token(editor):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)
    article = make_article(editor)

    assert client.get(detail(article.pk)).status_code == 200
    refused = client.patch(detail(article.pk), {"title": "No token"}, format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    client.get("/accounts/login/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    accepted = client.patch(
        detail(article.pk), {"title": "With token"}, format="json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 200
    article.refresh_from_db()
    assert article.title == "With token"


def test_a_token_of_a_user_without_a_role_sees_published_articles_only(api, editor, outsider):
    published = make_article(editor, status="published")
    make_article(editor, status="in_review")

    assert ids(api(outsider).get(LIST)) == [published.pk]
    assert Claim.objects.count() == 2 * STORY_CLAIMS
    claims = api(outsider).get("/api/v1/claims").json()
    assert {row["article"] for row in claims["results"]} == {published.pk}
    assert permissions.is_editor(outsider) is False

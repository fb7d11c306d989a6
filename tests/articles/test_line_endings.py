"""Line endings (issue 13): browsers submit text areas with `\\r\\n`, and nothing normalised them,
so an article written in the browser differed from the same text sent by the API, and editing one
number of a seeded article showed every line of it as changed. Title and body are normalised to
`\\n` where they enter (`articles.services.clean_article_text`, which the form, the API, HTML
ingestion and the admin all reach); migration 0007 rewrites the rows stored before.

The same edit in a real browser (Chromium) is tests/browser/test_line_endings.py."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from articles.models import Article, ExtractionJob, ReviewRound, content_hash
from extraction import extract
from tests.conftest import STORY, make_article, run_extraction_now

pytestmark = [pytest.mark.usefixtures("api_settings"), pytest.mark.django_db]

CRLF_STORY = STORY.replace("\n", "\r\n")
LIST = "/api/v1/articles"


def form_data(article: Article, body: str, **extra: str) -> dict[str, str]:
    return {"title": article.title, "body": body, "dateline": "", **extra}


# --- The browser form (test client) ---------------------------------------------------------------


def test_the_edit_form_sending_the_unchanged_body_with_crlf_is_not_a_body_edit(client, editor):
    """What a browser does when only the title is changed: the body comes back with `\\r\\n`."""
    article = make_article(editor, status="in_review")
    client.force_login(editor)

    response = client.post(
        reverse("articles:edit", args=[article.pk]),
        form_data(article, CRLF_STORY, title="Ferry budget approved 7 to 2"),
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.body) == ("Ferry budget approved 7 to 2", STORY)
    # A title edit stores a revision and is not re-extracted (README, decisions).
    assert article.status == Article.Status.IN_REVIEW
    assert article.revisions.count() == 2
    assert article.revisions.get(number=2).body == STORY
    assert article.extraction_jobs.count() == 1
    assert article.events.last().note == "Title or dateline changed."


def test_editing_one_number_in_the_form_shows_exactly_one_changed_sentence(client, editor):
    article = make_article(editor, status="in_review")  # written by a feed: `\n` bodies
    client.force_login(editor)

    client.post(
        reverse("articles:edit", args=[article.pk]),
        form_data(article, CRLF_STORY.replace("7 to 2", "6 to 3")),
    )
    run_extraction_now(article.extraction_jobs.get(state=ExtractionJob.State.PENDING).pk)
    html = client.get(reverse("articles:detail", args=[article.pk])).content.decode()

    section = html.split('id="round-heading"')[1].split("</section>")[0]
    assert "1 sentence added, 1 removed." in section  # was "10 sentences added, 10 removed."
    assert section.count("<del>") == 2  # the change and the legend
    assert "[removed: </span>The council vote was 7 to 2." in section
    assert "[added: </span>The council vote was 6 to 3." in section
    article.refresh_from_db()
    assert "\r" not in article.body
    assert article.extracted_revision.body == STORY.replace("7 to 2", "6 to 3")
    assert article.claims.get(text__startswith="The council vote").text == (
        "The council vote was 6 to 3."
    )


def test_the_form_stores_a_new_article_with_lf_only(client, editor):
    client.force_login(editor)

    client.post(reverse("articles:create"), {"title": "Ferry", "body": "One.\r\nTwo.\rThree.\r\n"})

    assert Article.objects.get().body == "One.\nTwo.\nThree.\n"


def test_limits_count_a_crlf_as_one_character(client, editor, settings):
    settings.ARTICLE_MAX_BODY_CHARS = 10
    client.force_login(editor)

    client.post(reverse("articles:create"), {"title": "T", "body": "A.\r\nB.\r\nC.\r\n"})  # 12 sent

    assert Article.objects.get().body == "A.\nB.\nC.\n"  # 9 stored


# --- The API and HTML ingestion -------------------------------------------------------------------


def test_the_api_stores_and_returns_bodies_with_lf(api, editor):
    client = api(editor)

    created = client.post(LIST, {"title": "Ferry\r\nbudget", "body": CRLF_STORY}, format="json")
    article_id = created.json()["id"]
    patched = client.patch(
        f"{LIST}/{article_id}", {"body": "One.\rTwo.\r\n\r\nThree.\n"}, format="json"
    )

    assert created.status_code == 201
    assert (created.json()["title"], created.json()["body"]) == ("Ferry\nbudget", STORY)
    assert patched.status_code == 200 and patched.json()["body"] == "One.\nTwo.\n\nThree.\n"
    assert Article.objects.get().body == "One.\nTwo.\n\nThree.\n"


def test_html_ingestion_stores_the_converted_body_with_lf_and_keeps_the_html_as_sent(api, editor):
    html = "<p>Harbor City approved the budget.</p><pre>Vote:\r\n7 to 2\rcarried</pre>"

    response = api(editor).post(LIST, {"title": "Ferry", "html": html}, format="json")

    assert response.status_code == 201
    article = Article.objects.get()
    assert "\r" not in article.body and "7 to 2\ncarried" in article.body
    assert article.source_html == html


# --- The admin ------------------------------------------------------------------------------------


def test_an_admin_edit_is_normalised_like_any_other(client, editor, staff):
    article = make_article(editor)
    client.force_login(staff)
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = client.get(url).context["adminform"].form
    data = {name: "" if value is None else value for name, value in form.initial.items()}
    data.update(title="Ferry\r\nbudget", body=CRLF_STORY, source_links="{}")
    for inline in ("claims", "extraction_jobs"):
        data.update({f"{inline}-TOTAL_FORMS": "0", f"{inline}-INITIAL_FORMS": "0"})

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert (article.title, article.body) == ("Ferry\nbudget", STORY)


# --- Rows stored before: migration 0007 -----------------------------------------------------------

BEFORE = [("articles", "0006_review_round")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres  # `contains` lookups and bulk updates on each database
def test_the_migration_normalises_stored_crlf_rows_and_keeps_offsets_on_the_same_text(
    editor, migrations_restored
):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldArticle = old.get_model("articles", "Article")
    OldRevision = old.get_model("articles", "Revision")
    OldClaim = old.get_model("articles", "Claim")
    OldLink = old.get_model("articles", "RelatedLink")
    OldSection = old.get_model("articles", "Section")
    OldJob = old.get_model("articles", "ExtractionJob")

    # An article written in the browser before the fix, extracted twice: every row as the old
    # code stored it, offsets pointing into the `\r\n` text.
    texts = [CRLF_STORY, CRLF_STORY.replace("7 to 2", "6 to 3")]
    article = OldArticle.objects.create(
        title="Ferry\r\nbudget", body=texts[1], author_id=editor.pk, status="in_review"
    )
    for number, text in enumerate(texts, start=1):
        revision = OldRevision.objects.create(
            article=article,
            number=number,
            title=article.title,
            body=text,
            body_hash=content_hash(text),
            created_by_id=editor.pk,
        )
        OldJob.objects.create(
            article=article,
            revision=revision,
            body_hash=revision.body_hash,
            extractor_version="test",
            state="done",
            finished_at=revision.created_at,
        )
    found = extract(texts[1])
    OldClaim.objects.bulk_create(
        OldClaim(
            article=article,
            revision=revision,
            ordinal=i,
            text=c.text,
            start=c.start,
            end=c.end,
            extractor_version="test",
        )
        for i, c in enumerate(found.claims)
    )
    OldLink.objects.bulk_create(
        OldLink(
            article=article,
            ordinal=i,
            label=link.label,
            title=link.title or "",
            start=link.start,
            end=link.end,
        )
        for i, link in enumerate(found.related_links)
    )
    OldSection.objects.bulk_create(
        OldSection(article=article, ordinal=i, label=s.label, start=s.start)
        for i, s in enumerate(found.sections)
    )
    OldArticle.objects.filter(pk=article.pk).update(extracted_revision=revision)
    updated_at = OldArticle.objects.get(pk=article.pk).updated_at
    draft = OldArticle.objects.create(title="Draft", body="A.\rB.\r\n", author_id=editor.pk)

    # Forward to today's schema (0007, then the migrations after it), which the assertions read.
    latest = MigrationExecutor(connection)
    latest.migrate(latest.loader.graph.leaf_nodes())

    normalised = STORY.replace("7 to 2", "6 to 3")
    expected = extract(normalised)
    article = Article.objects.get(pk=article.pk)
    assert (article.title, article.body, article.updated_at) == (
        "Ferry\nbudget",
        normalised,
        updated_at,
    )
    assert Article.objects.get(pk=draft.pk).body == "A.\nB.\n"
    revisions = list(article.revisions.order_by("number"))
    assert [r.body for r in revisions] == [STORY, normalised]
    assert [r.body_hash for r in revisions] == [content_hash(STORY), content_hash(normalised)]
    assert sorted(article.extraction_jobs.values_list("body_hash", flat=True)) == sorted(
        r.body_hash for r in revisions
    )
    claims = list(article.claims.order_by("ordinal"))
    assert [(c.start, c.end) for c in claims] == [(c.start, c.end) for c in expected.claims]
    assert all(normalised[c.start : c.end] == c.text for c in claims)
    assert list(article.related_links.values_list("start", "end")) == [
        (link.start, link.end) for link in expected.related_links
    ]
    assert list(article.sections.values_list("start", flat=True)) == [
        s.start for s in expected.sections
    ]
    # The round the page showed before, computed once and stored.
    stored = ReviewRound.objects.get(article=article)
    assert (stored.previous_revision, stored.revision) == (revisions[0], revisions[1])
    assert (stored.inserted, stored.deleted, stored.too_large) == (1, 1, False)
    assert [s[:2] for s in stored.segments if s[0] != "same" and s[0] != "skip"] == [
        ["delete", "The council vote was 7 to 2.\n"],
        ["insert", "The council vote was 6 to 3.\n"],
    ]

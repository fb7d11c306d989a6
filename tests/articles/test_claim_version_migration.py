"""Migration 0008: claims stored before it get the version of the text they hold."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from articles.models import ArticleEvent, Claim
from articles.text import claim_version

BEFORE = [("articles", "0007_normalise_text_and_store_rounds")]
AFTER = [("articles", "0008_claim_text_sha")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres  # a data migration: run on each database
def test_the_migration_gives_every_stored_claim_the_version_of_its_text(
    editor, migrations_restored
):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldArticle = old.get_model("articles", "Article")
    OldRevision = old.get_model("articles", "Revision")
    OldClaim = old.get_model("articles", "Claim")
    OldEvent = old.get_model("articles", "ArticleEvent")
    article = OldArticle.objects.create(
        title="Quay", body="One. Two.", author_id=editor.pk, status="in_review"
    )
    revision = OldRevision.objects.create(
        article=article,
        number=1,
        title="Quay",
        body="One. Two.",
        body_hash="x",
        created_by_id=editor.pk,
    )
    texts = ["The quay cost 5 million.", "It opened in 1931.", "Retired sentence."]
    for i, text in enumerate(texts):
        OldClaim.objects.create(
            article=article,
            revision=revision,
            ordinal=i,
            text=text,
            start=0,
            end=4,
            extractor_version="test",
        )
    OldEvent.objects.create(article=article, kind="verdict", to_state="verified", note="Old.")

    # Forward through 0008 to today's schema (the models below are today's).
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    stored = dict(Claim.objects.values_list("text", "text_sha"))
    assert stored == {text: claim_version(text) for text in texts}
    assert ArticleEvent.objects.get(note="Old.").claim_text == ""

"""Migration review 0006: mentions stored before it are credited to their comment's own row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from review.conversations import services as conversations
from review.conversations.models import Mention
from tests.conftest import make_article


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres  # a data migration: run on each database
def test_mentions_stored_before_the_migration_belong_to_their_comments_row(
    editor, reviewer, second_reviewer, chief, migrations_restored
):
    claim = make_article(editor, status="in_review").claims.active().first()
    first = conversations.add_comment(claim, by=reviewer, body="@second_reviewer look here")
    second = conversations.ask_author(claim, by=reviewer, body="@chief which year?")

    executor = MigrationExecutor(connection)
    executor.migrate([("review", "0005_conversations")])  # the column goes, the mentions stay
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert sorted(Mention.objects.values_list("comment_id", "event_id")) == sorted(
        [(first.pk, first.event_id), (second.pk, second.event_id)]
    )

"""Fixtures of the review tests: two articles that share facts, analysed as the background task
would (`review.intelligence.analyse_article`)."""
from __future__ import annotations

import pytest

from articles.models import Article, Claim
from review import intelligence
from review.services import record_verdict
from tests.conftest import FOLLOW_UP, make_article


@pytest.fixture
def analysed_pair(editor, other_editor) -> tuple[Article, Article]:
    """STORY by `editor` and FOLLOW_UP by `other_editor`, both in review and analysed."""
    first = make_article(editor, status="in_review")
    intelligence.analyse_article(first.pk)
    second = make_article(other_editor, title="Ferry follow-up", body=FOLLOW_UP, status="in_review")
    intelligence.analyse_article(second.pk)
    return first, second


@pytest.fixture
def judged_pair(analysed_pair, reviewer) -> tuple[Claim, Claim]:
    """(source, target): STORY's budget sentence verified by `reviewer` with a note and evidence,
    and the same sentence in FOLLOW_UP, pending."""
    first, second = analysed_pair
    source = first.claims.get(text__startswith="Harbor City approved")
    record_verdict(
        source,
        by=reviewer,
        verdict="verified",
        note="Council minutes, item 4.",
        evidence_url="https://example.org/minutes",
    )
    source.refresh_from_db()
    return source, second.claims.get(text__startswith="Harbor City  approved")

"""The Desk's small fixture (a pytest plugin, listed in tests/conftest.py): three articles taken
through the real services at known times, so that every figure of the Desk can be computed by
hand (tests/review/test_desk.py writes each computation out).

All times UTC, in January (Europe/Berlin is UTC+1):

  A, by editor: submitted 5 Jan 08:00; reviewer verifies its claims at 09:00, 09:10, 09:20, 09:30
     and the last at 23:30 (00:30 on 6 Jan in Berlin), which opens the gate; published 6 Jan 10:00.
  B, by other_editor: submitted 5 Jan 12:00; second_reviewer judges claim 1 unverified at 13:00,
     verifies the others at 13:10, 13:20, 13:30, 13:40; still in review (held: unverified).
     A chief editor assigned B to reviewer on 5 Jan 12:30.
  C, by editor: submitted 6 Jan 07:00; reviewer verifies its claims at 08:00, 08:05, 08:10, 08:20,
     08:40; gate open, not published.

Check-worthiness scores: A 0.05, 0.15, 0.95, 1.0, 0.55 (claim order); B 0.95 (the unverified
claim), then 0.15 for the rest; C unscored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from tests.support.verdicts import judge

UTC = dt.UTC


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=UTC)


# "Now" for the figures that run until now (gate waits of articles still at the gate).
DESK_NOW = at(7, 12)


@dataclass
class DeskFixture:
    a: Any
    b: Any
    c: Any
    editor: Any
    other_editor: Any
    reviewer: Any
    second_reviewer: Any
    chief: Any


def _submit(article, by, when: dt.datetime):
    from articles import services
    from tests.conftest import run_extraction_now

    with time_machine.travel(when, tick=False):
        job = services.submit_article(article, by=by)
        run_extraction_now(job.pk)
    article.refresh_from_db()
    return list(article.claims.active().order_by("ordinal"))


def _judge(claim, by, when: dt.datetime, verdict: str = "verified") -> None:
    from review import services as review_services

    with time_machine.travel(when, tick=False):
        review_services.record_verdict(
            claim, judged=judge(claim), by=by, verdict=verdict, note="Checked by phone."
        )


def _scores(claims, scores) -> None:
    from articles.models import Claim

    for claim, score in zip(claims, scores, strict=True):
        Claim.objects.filter(pk=claim.pk).update(checkworthiness=score)


@pytest.fixture
def desk_fixture(db, editor, other_editor, reviewer, second_reviewer, chief) -> DeskFixture:
    from articles import services
    from review import services as review_services

    with time_machine.travel(at(4, 9), tick=False):
        a = services.create_article(by=editor, title="Ferry budget approved", body=_story())
        b = services.create_article(by=other_editor, title="Council vote on ferries", body=_story())
        c = services.create_article(by=editor, title="Ferry timetable out", body=_story())

    a_claims = _submit(a, editor, at(5, 8))
    for claim, minute in zip(a_claims[:4], (0, 10, 20, 30), strict=True):
        _judge(claim, reviewer, at(5, 9, minute))
    _judge(a_claims[4], reviewer, at(5, 23, 30))
    with time_machine.travel(at(6, 10), tick=False):
        services.publish_article(a, by=editor)

    b_claims = _submit(b, other_editor, at(5, 12))
    with time_machine.travel(at(5, 12, 30), tick=False):
        review_services.assign_article(b, reviewer=reviewer, by=chief)
    _judge(b_claims[0], second_reviewer, at(5, 13), verdict="unverified")
    for claim, minute in zip(b_claims[1:], (10, 20, 30, 40), strict=True):
        _judge(claim, second_reviewer, at(5, 13, minute))

    c_claims = _submit(c, editor, at(6, 7))
    for claim, minute in zip(c_claims, (0, 5, 10, 20, 40), strict=True):
        _judge(claim, reviewer, at(6, 8, minute))

    _scores(a_claims, (0.05, 0.15, 0.95, 1.0, 0.55))
    _scores(b_claims, (0.95, 0.15, 0.15, 0.15, 0.15))
    for article in (a, b, c):
        article.refresh_from_db()
    return DeskFixture(a, b, c, editor, other_editor, reviewer, second_reviewer, chief)


def _story() -> str:
    from tests.conftest import STORY

    return STORY

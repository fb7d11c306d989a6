"""History exports and the activity page: the article timeline and the per-claim verdict history
as CSV (content, header, injection-safe cells, who may export), and the chief editor's activity
page with its filters, pagination and export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import unicodedata

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import exports
from articles.exports import csv_cell
from articles.models import ArticleEvent
from articles.services import log_event
from review import services as review_services
from tests.conftest import STORY_CLAIMS, make_article
from tests.support.verdicts import judge

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("Plain = fine", "Plain = fine"),
        ("1 + 1 = 2, well-known; e-mail", "1 + 1 = 2, well-known; e-mail"),
        (None, ""),
        (7, "7"),
        # Issue 20: a full-width ＝ (U+FF1D), which Excel folds to =, and its kin.
        ('\uff1dHYPERLINK("http://evil")', '\'\uff1dHYPERLINK("http://evil")'),
        ("\uff0b1", "'\uff0b1"),
        ("\ufe6bSUM(A1)", "'\ufe6bSUM(A1)"),
        # Invisible characters (zero-width space, BOM, word joiner) and blanks before the =.
        ("\u200b=1+1", "'\u200b=1+1"),
        ("\ufeff \u2060@SUM(A1)", "'\ufeff \u2060@SUM(A1)"),
        ("  =1+1", "'  =1+1"),
        # A separator of some spreadsheet import, then a trigger: the apostrophe goes before it.
        ("Budget;=1+cmd|' /C calc'!A0", "Budget;'=1+cmd|' /C calc'!A0"),
        ("a ;\u200b \uff1dcmd", "a ;\u200b '\uff1dcmd"),
        ("x|=1", "x|'=1"),
        ("x,+1", "x,'+1"),
        ("x\t-1", "x\t'-1"),
        ("x\uff1b=1", "x\uff1b'=1"),
        ("Sources:\n- minutes\r\n@council", "Sources:\n'- minutes\r\n'@council"),
        ("\t=1", "'\t'=1"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_quoted(value, cell):
    assert csv_cell(value) == cell


def test_the_trigger_and_separator_sets_are_every_character_that_folds_to_one():
    """NFKC over every code point: a character a spreadsheet could fold into a trigger or a
    separator is in the set (and nothing else is)."""
    chars = (chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    triggers, separators = set(), set()
    for char in chars:
        folded = unicodedata.normalize("NFKC", char)[:1]
        if folded and folded in "=+-@":
            triggers.add(char)
        if folded and folded in ",;|\t\r\n":
            separators.add(char)

    assert triggers == set(exports.FORMULA_TRIGGERS)
    assert separators == set(exports.CELL_SEPARATORS)


def spreadsheet_formulas(text: str) -> list[str]:
    """The cells of `text` that a spreadsheet would run, read the ways spreadsheets read a CSV:
    with each delimiter a locale or an import dialog may pick, honouring quotes or not, after
    dropping invisible characters and folding to NFKC."""
    found = []
    for delimiter in (",", ";", "\t", "|"):
        rows = csv.reader(io.StringIO(text), delimiter=delimiter)
        quoted = [cell for row in rows for cell in row]
        naive = [cell for line in text.splitlines() for cell in line.split(delimiter)]
        for cell in quoted + naive:
            visible = "".join(
                c
                for c in unicodedata.normalize("NFKC", cell)
                if not c.isspace() and unicodedata.category(c) != "Cf"
            )
            if visible[:1] in ("=", "+", "-", "@"):
                found.append(cell)
    return found


def test_no_cell_of_an_export_runs_as_a_formula_whatever_delimiter_the_spreadsheet_picks(
    client, editor, reviewer
):
    article = make_article(editor, title='\u200b=HYPERLINK("http://evil")', status="in_review")
    notes = [
        "Minutes;=1+cmd|' /C calc'!A0",
        '\uff1dWEBSERVICE("http://evil")',
        "Sources:\n- the minutes\n@council",
        "a\t+1|-2,=3",
    ]
    for claim, note in zip(article.claims.order_by("ordinal"), notes):
        review_services.record_verdict(
            claim, judged=judge(claim), by=reviewer, verdict="unverified", note=note
        )
    client.force_login(editor)

    response = client.get(reverse("articles:history_csv", args=[article.pk]))
    text = b"".join(response.streaming_content).decode()

    assert spreadsheet_formulas(text) == []
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["note"] for r in rows[-4:]] == [
        "Minutes;'=1+cmd|' /C calc'!A0",
        '\'\uff1dWEBSERVICE("http://evil")',
        "Sources:\n'- the minutes\n'@council",
        "a\t'+1|'-2,'=3",
    ]
    assert rows[0]["article"] == '\'\u200b=HYPERLINK("http://evil")'


def test_article_timeline_exports_as_csv_with_a_header(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=0)
    review_services.record_verdict(
        claim,
        judged=judge(claim),
        by=reviewer,
        verdict="verified",
        note="=cmd|' /C calc'!A0",
        evidence_url="https://example.org/m",
    )
    client.force_login(editor)

    rows = read_csv(client.get(reverse("articles:history_csv", args=[article.pk])))

    assert list(rows[0].keys()) == [
        "time",
        "article_id",
        "article",
        "actor",
        "kind",
        "from",
        "to",
        "claim_number",
        "claim",
        "note",
        "evidence_url",
    ]
    assert [r["kind"] for r in rows] == ["Created", "Status changed", "Status changed", "Verdict"]
    assert (rows[1]["from"], rows[1]["to"], rows[2]["actor"]) == ("Draft", "Submitted", "System")
    verdict = rows[3]
    assert (verdict["actor"], verdict["from"], verdict["to"], verdict["claim_number"]) == (
        "Rui Reviewer",
        "Pending",
        "Verified",
        "1",
    )
    assert verdict["claim"] == claim.text
    assert verdict["note"] == "'=cmd|' /C calc'!A0"  # defused
    assert verdict["evidence_url"] == "https://example.org/m"
    assert dt.datetime.fromisoformat(verdict["time"]).tzinfo is not None


def test_a_user_cannot_export_the_history_of_an_article_they_cannot_see(
    client, editor, other_editor, reviewer, outsider
):
    draft = make_article(editor, title="Secret draft")
    for user in (reviewer, other_editor, outsider):
        client.force_login(user)
        assert client.get(reverse("articles:history_csv", args=[draft.pk])).status_code == 404
    in_review = make_article(editor, title="In review", status="in_review")
    claim = in_review.claims.first()
    client.force_login(other_editor)
    assert client.get(reverse("review:claim_history_csv", args=[claim.pk])).status_code == 404

    client.force_login(reviewer)
    assert len(read_csv(client.get(reverse("articles:history_csv", args=[in_review.pk])))) == 3
    assert read_csv(client.get(reverse("review:claim_history_csv", args=[claim.pk]))) == []


def test_claim_history_lists_who_when_from_to_note_and_evidence(
    client, editor, reviewer, second_reviewer
):
    article = make_article(editor, status="in_review")
    claim = article.claims.get(ordinal=0)
    review_services.record_verdict(
        claim, judged=judge(claim), by=reviewer, verdict="verified", note="Minutes say so."
    )
    review_services.record_verdict(
        claim,
        judged=judge(claim),
        by=second_reviewer,
        verdict="unverified",
        note="@minutes are wrong",
        evidence_url="https://example.org/correction",
    )
    review_services.record_verdict(
        article.claims.get(ordinal=1),
        judged=judge(article.claims.get(ordinal=1)),
        by=reviewer,
        verdict="verified",
        note="x",
    )
    client.force_login(editor)

    rows = read_csv(client.get(reverse("review:claim_history_csv", args=[claim.pk])))
    page = client.get(reverse("review:claim", args=[claim.pk])).content.decode()

    assert [(r["actor"], r["from"], r["to"], r["note"], r["evidence_url"]) for r in rows] == [
        ("Rui Reviewer", "Pending", "Verified", "Minutes say so.", ""),
        (
            "second_reviewer",
            "Verified",
            "Unverified",
            "'@minutes are wrong",
            "https://example.org/correction",
        ),
    ]
    history = page.split("Verdict history")[1]
    assert "Pending → Verified" in history and "Verified → Unverified" in history
    assert "@minutes are wrong" in history


def test_activity_page_is_for_chief_editors_only(client, editor, reviewer, outsider, chief):
    make_article(editor, status="in_review")
    for user in (editor, reviewer, outsider):
        client.force_login(user)
        assert client.get(reverse("review:activity")).status_code == 403
        assert client.get(reverse("review:activity_csv")).status_code == 403

    client.force_login(chief)
    response = client.get(reverse("review:activity"))
    assert response.status_code == 200
    assert 'href="/review/activity/">Activity</a>' in response.content.decode()  # in the header


def test_activity_filters_by_reviewer_article_kind_and_dates(
    client, editor, reviewer, second_reviewer, chief
):
    first = make_article(editor, title="First story", status="in_review")
    second = make_article(editor, title="Second story", status="in_review")
    review_services.record_verdict(
        first.claims.get(ordinal=0),
        judged=judge(first.claims.get(ordinal=0)),
        by=reviewer,
        verdict="verified",
        note="A",
    )
    review_services.record_verdict(
        second.claims.get(ordinal=0),
        judged=judge(second.claims.get(ordinal=0)),
        by=reviewer,
        verdict="verified",
        note="B",
    )
    review_services.record_verdict(
        first.claims.get(ordinal=1),
        judged=judge(first.claims.get(ordinal=1)),
        by=second_reviewer,
        verdict="verified",
        note="C",
    )
    old = log_event(first, by=reviewer, kind=ArticleEvent.Kind.VERDICT, note="Long ago")
    ArticleEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    client.force_login(chief)

    def notes(**params) -> list[str]:
        rows = read_csv(client.get(reverse("review:activity_csv"), params))
        return [r["note"] for r in rows]

    assert notes(reviewer=reviewer.pk, kind="verdict") == ["B", "A", "Long ago"]
    assert notes(reviewer=reviewer.pk, article=first.pk, kind="verdict") == ["A", "Long ago"]
    today = timezone.localdate()
    assert notes(reviewer=reviewer.pk, since=today.isoformat()) == ["B", "A"]
    assert notes(until=(today - dt.timedelta(days=10)).isoformat()) == ["Long ago"]
    html = client.get(reverse("review:activity"), {"reviewer": second_reviewer.pk}).content.decode()
    assert "Second story" not in html and "First story" in html
    assert "Pending → Verified" in html
    assert f"activity.csv?reviewer={second_reviewer.pk}" in html
    bad = client.get(reverse("review:activity"), {"since": "2025-02-02", "until": "2025-01-01"})
    assert "The end of the range is before its start." in bad.content.decode()


def test_activity_is_paginated(client, editor, reviewer, chief):
    article = make_article(editor, status="in_review")
    for _ in range(60):
        log_event(article, by=reviewer, kind=ArticleEvent.Kind.EDITED, note="Touch")
    client.force_login(chief)
    total = ArticleEvent.objects.count()

    first = client.get(reverse("review:activity")).content.decode()
    second = client.get(reverse("review:activity"), {"page": 2}).content.decode()

    assert first.count("<tr>") - 1 == 50
    assert second.count("<tr>") - 1 == total - 50
    assert "Page 2 of 2" in second and "?page=1" in second
    assert len(read_csv(client.get(reverse("review:activity_csv")))) == total


def test_the_article_page_links_its_timeline_export(client, editor):
    article = make_article(editor, status="in_review")
    client.force_login(editor)

    html = client.get(reverse("articles:detail", args=[article.pk])).content.decode()

    assert reverse("articles:history_csv", args=[article.pk]) in html
    assert STORY_CLAIMS == article.claims.count()

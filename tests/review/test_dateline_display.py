"""The wire's date header and section labels on screen (issue 13): ` date 2024-08-14 ` showed as
body text on the article page and in the claim panel, and a section label twice in the panel (as
its heading, then again as the paragraph's first words). The date is shown as the article's
dateline, the label once."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from tests.conftest import make_article

pytestmark = pytest.mark.django_db

WIRE = (
    " date 2024-08-14 The harbour board met in Eastgate on Monday evening.\n\n"
    "What Happened: The board approved a new ferry timetable by five votes to two.\n\n"
    "The first sailing will leave at 6:15 a.m. from the north pier.\n"
)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", strip_tags(html))


def test_the_article_page_shows_the_date_header_as_its_dateline_not_as_text(client, editor):
    article = make_article(editor, title="Ferry timetable", body=WIRE, status="in_review")
    client.force_login(editor)

    html = client.get(reverse("articles:detail", args=[article.pk])).content.decode()

    body = html.split('<div class="article-body">')[1].split("</div>")[0]
    assert "date 2024-08-14" not in body
    assert text_of(body).startswith("The harbour board met in Eastgate")
    assert "Dateline" in html and "14 Aug 2024" in text_of(html)


def test_the_claim_panel_drops_the_header_and_shows_a_section_label_once(client, editor, reviewer):
    article = make_article(editor, title="Ferry timetable", body=WIRE, status="in_review")
    claim = article.claims.get(text__startswith="The board approved")
    client.force_login(reviewer)

    html = client.post(
        reverse("review:claim_open", args=[claim.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()

    context = text_of(html.split('class="context-text"')[1].split("</div>")[0])
    assert "date 2024-08-14" not in context
    assert context.count("What Happened") == 1
    assert "What Happened: The board" not in context
    assert "The board approved a new ferry timetable" in context

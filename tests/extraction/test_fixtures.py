"""Whole invented articles in three feed styles, checked part by part."""

from __future__ import annotations

import pathlib

import pytest

from extraction import KIND_BULLET, KIND_LEAD_IN, KIND_QUOTE, extract

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def read(name: str) -> str:
    return (FIXTURES / name).read_bytes().decode("utf-8")


def claims_of(result):
    return [(c.text, c.section) for c in result.claims]


def test_blank_line_article_yields_every_part():
    text = read("harbor_blank.txt")
    result = extract(text)
    wh, fo, pa = "What Happened", "Fleet Outlook", "HBFY Price Action"
    assert claims_of(result) == [
        (
            "Harborline Ferries Inc. (NASDAQ:HBFY) said on Thursday it would buy two electric "
            "vessels from Kestrel Yards for $84.5 million.",
            None,
        ),
        (
            "The deal, announced at 7 a.m. EST on Thursday, is the company's largest order "
            "since 2019.",
            None,
        ),
        (
            "Chief Executive Marisol Okonkwo said the ships would enter service on the Bay City "
            "route by Sept. 1, 2026.",
            wh,
        ),
        (
            '"We looked at every option. Electric was the cheapest over twenty years," '
            "Okonkwo told analysts.",
            wh,
        ),
        ("The order includes the following commitments:", wh),
        ("Two 400-passenger vessels delivered in 2026.", wh),
        ("Shore charging at three terminals", wh),
        ("continuing through the winter season.", wh),
        ("Crew training by Kestrel engineers.", wh),
        ("Okonkwo also shared the news on X.", wh),
        (
            "Analysts at Dunmore & Pike estimate the switch will cut fuel costs by 38% a year.",
            fo,
        ),
        ("The company expects a decision from Dr. Helen Varga's office in March.", fo),
        ("Analysts listed two risks.", fo),
        ("Battery prices could rise again.", fo),
        ("Delivery slots at Kestrel are tight.", fo),
        (
            "Harborline shares rose 3.2% to $17.45 on Thursday, according to Benzinga Pro.",
            pa,
        ),
    ]
    kinds = {c.text: c.kind for c in result.claims}
    assert kinds["The order includes the following commitments:"] == KIND_LEAD_IN
    assert kinds["Shore charging at three terminals"] == KIND_BULLET
    assert kinds[result.claims[3].text] == KIND_QUOTE
    assert result.dateline == "2025-02-06"
    assert [s.label for s in result.sections] == [wh, fo, pa]
    assert [(link.label, link.title) for link in result.related_links] == [
        ("Read Next", "Kestrel Yards Wins Second Ferry Contract In A Month"),
        ("Read Next", "Why Coastal Cities Are Betting On Battery Boats"),
    ]
    credit = result.image_credit
    assert credit is not None
    assert credit.text == "Photo: Ferry Terminal via Coastline Images"
    assert credit.source == "Ferry Terminal via Coastline Images"
    assert text[credit.start : credit.end] == credit.text
    (post,) = result.social_posts
    assert post.text == "Two new boats, zero diesel. Proud of this crew.\nSee you on the water."
    assert (post.author, post.handle, post.date) == (
        "Marisol Okonkwo",
        "marisolferries",
        "February 5, 2025",
    )
    assert {b.kind for b in result.boilerplate} == {"disclaimer", "promo"}


def test_article_that_lost_its_breaks():
    text = read("orchard_glued.txt")
    assert "\n" not in text
    result = extract(text)
    assert claims_of(result) == [
        ("Orchard Valley Foods said on Tuesday it would close two plants in Ohio.", None),
        ("The company's shares fell 2.1% in New York.", None),
        ("The closures will affect about 640 workers, a spokesman said.", "What Happened"),
        ('Union leader Tomas Reyes called the move "a slap in the face."', "What Happened"),
        (
            "Packaged-food makers have struggled with weaker demand since 2023.",
            "Why It Matters",
        ),
    ]
    assert [(link.label, link.title) for link in result.related_links] == [
        ("See Also", "Orchard Rival Cuts Prices On Frozen Lines"),
        ("See Also", "Grocers Brace For Higher Egg Costs"),
    ]
    assert result.image_credit is not None
    assert (result.image_credit.text, result.image_credit.source) == (
        "Image via Shutterstock",
        "Shutterstock",
    )
    assert result.dateline is None
    assert [b.kind for b in result.boilerplate] == ["copyright"]


def test_crlf_article_with_single_newlines():
    text = read("brightwater_crlf.txt")
    assert "\r\n" in text and "\r\n\r\n" not in text
    result = extract(text)
    assert claims_of(result) == [
        (
            "Brightwater Utilities Co. (NYSE:BWU) raised its quarterly dividend by 4% on Monday.",
            None,
        ),
        ("The board also approved a $300 million buyback, the company said.", None),
        ("Utility stocks have lagged the broader market this year.", "Why It Matters"),
        ("Brightwater shares were flat at $41.20 in premarket trading.", "BWU Price Action"),
    ]
    assert [(link.label, link.title) for link in result.related_links] == [
        ("Also Read", "Investors Rotate Into Power Grid Names As Rates Ease"),
    ]
    assert result.image_credit is not None
    assert result.image_credit.source == "Brightwater Utilities"


@pytest.mark.parametrize("name", ["harbor_blank.txt", "orchard_glued.txt", "brightwater_crlf.txt"])
def test_every_offset_slices_back(name):
    text = read(name)
    result = extract(text)
    for c in result.claims:
        assert text[c.start : c.end] == c.text
        assert "\r" not in c.text
    for link in result.related_links:
        assert link.title in text[link.start : link.end]
    for i, c in enumerate(result.claims):
        assert c.ordinal == i
    ends = [(c.start, c.end) for c in result.claims]
    assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:]))


def test_crlf_and_lf_versions_give_the_same_claims():
    text = read("harbor_blank.txt")
    crlf = text.replace("\n", "\r\n")
    a = [(c.text, c.section, c.kind) for c in extract(text).claims]
    b = extract(crlf)
    assert [(c.text, c.section, c.kind) for c in b.claims] == a
    assert all(crlf[c.start : c.end] == c.text for c in b.claims)

"""A link label with its own question or exclamation mark ("Did You Know?") alone on its
paragraph, followed by a list of headlines (EXTRACTION.md, related-link sections), against real
questions that stay questions, on invented texts in every feed style."""

from __future__ import annotations

import pytest

from extraction import extract

HEADLINES = [
    "Copper Is Surging. Here Is Why Traders Care",
    "Three Miners To Watch In June: A Quick Guide",
    "Gold Nears A Record. Silver Lags. What Now",
]


def parts(text: str):
    result = extract(text)
    for c in result.claims:
        assert text[c.start : c.end] == c.text
    return (
        [c.text for c in result.claims],
        [(link.label, link.title) for link in result.related_links],
        [s.label for s in result.sections],
    )


@pytest.mark.parametrize("label", ["Did You Know?", "More Stories You Might Like?", "Hot Now!"])
def test_question_label_before_a_list_of_headlines_gives_one_link_per_whole_item(label):
    text = (
        "Sales fell 4% in May.\n\n"
        f"{label}\n\n" + "\n".join(f"- {h}" for h in HEADLINES) + "\n\nMargins held up."
    )
    claims, links, sections = parts(text)
    assert links == [(label, h) for h in HEADLINES]
    assert claims == ["Sales fell 4% in May.", "Margins held up."]
    assert sections == []
    link = extract(text).related_links[0]
    assert text[link.start : link.end] == f"- {HEADLINES[0]}"


@pytest.mark.parametrize(
    "nl, label_end, item",
    [
        pytest.param("\n", "\n", "- ", id="list-in-the-label-paragraph"),
        pytest.param("\r\n", "\r\n\r\n", "- ", id="crlf-blank-lines"),
        pytest.param("\r\n", "\r\n", "• ", id="crlf-single-newlines"),
        pytest.param("\n", " ", "* ", id="star-items-on-one-line"),
    ],
)
def test_question_label_list_in_other_feed_styles(nl, label_end, item):
    sep = " " if item == "* " else nl
    lead = nl if label_end != nl + nl else label_end  # the label opens its own paragraph
    text = f"Sales fell 4% in May.{lead}Did You Know?{label_end}" + sep.join(
        item + h for h in HEADLINES
    )
    claims, links, _sections = parts(text)
    assert links == [("Did You Know?", h) for h in HEADLINES]
    assert claims == ["Sales fell 4% in May."]


def test_question_label_list_in_a_feed_that_lost_its_breaks_after_a_credit():
    text = (
        "Copper prices rose for a fourth week as Chinese demand recovered from a slow spring. "
        "Tallis Mining said it would restart a shaft in Chile.Image via Orrin Photo Desk"
        "Did You Know? " + " ".join(f"* {h}" for h in HEADLINES)
    )
    result = extract(text)
    assert [(link.label, link.title) for link in result.related_links] == [
        ("Did You Know?", h) for h in HEADLINES
    ]
    assert result.image_credit is not None
    assert result.image_credit.text == "Image via Orrin Photo Desk"
    assert [c.text for c in result.claims] == [
        "Copper prices rose for a fourth week as Chinese demand recovered from a slow spring.",
        "Tallis Mining said it would restart a shaft in Chile.",
    ]


def test_real_question_paragraph_followed_by_a_normal_paragraph_stays_out_and_labels_nothing():
    text = "Sales fell 4% in May.\n\nWhat Comes Next?\n\nThe board meets in June. It will vote."
    claims, links, sections = parts(text)
    assert claims == ["Sales fell 4% in May.", "The board meets in June.", "It will vote."]
    assert links == []
    assert sections == []


def test_question_before_a_list_of_sentences_is_a_question_and_the_items_are_claims():
    text = (
        "Sales fell 4% in May.\n\nWhat should investors watch?\n\n"
        "- Whether the plant reopens in June.\n- How much the repairs will cost."
    )
    claims, links, sections = parts(text)
    assert claims == [
        "Sales fell 4% in May.",
        "Whether the plant reopens in June.",
        "How much the repairs will cost.",
    ]
    assert links == []
    assert sections == []


def test_a_heading_labels_a_link_list_only_when_every_item_reads_like_a_headline():
    # one item is a sentence: the list is claims, a question heading is dropped, a plain heading
    # is a section label
    items = "\n\n- Copper Is Surging. Here Is Why Traders Care\n- The company cut 200 jobs.\n"
    claims, links, sections = parts("Sales fell.\n\nDid You Know?" + items)
    assert links == []
    assert claims == [
        "Sales fell.",
        "Copper Is Surging.",
        "Here Is Why Traders Care",
        "The company cut 200 jobs.",
    ]
    claims, links, sections = parts("Sales fell.\n\nKey Points" + items)
    assert links == []
    assert sections == ["Key Points"]
    assert "The company cut 200 jobs." in claims

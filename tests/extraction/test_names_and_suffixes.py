"""Company suffixes that end a sentence, and names with an inner period (EXTRACTION.md,
"Abbreviations" and "Names with an inner period"), on invented sentences, in every feed style."""

from __future__ import annotations

import pytest

from extraction import extract, split_sentences


def sents(text: str) -> list[str]:
    spans = split_sentences(text)
    for s, e in spans:
        assert text[s:e] == text[s:e].strip() and s < e
    return [text[s:e] for s, e in spans]


def claims(text: str) -> list[str]:
    result = extract(text)
    for c in result.claims:
        assert text[c.start : c.end] == c.text
    return [c.text for c in result.claims]


# -- company suffixes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first, second",
    [
        (
            "The forecast came from Orrin Partners Group Inc.",
            "Tallis shares have fallen 20% this year.",
        ),
        ("The forecast came from Orrin Partners Group Inc.", "Tallis Mining said it disagreed."),
        ("The stake was sold to Brennan Holdings Ltd.", "Brennan's shares rose 4%."),
        ("Its biggest customer is Ostrava Steel Corp.", "Ostrava cut its outlook in May."),
        ("The loan was arranged by Pellworth & Co.", "Pellworth declined to comment."),
        ("The bank is controlled by Santander Brasil S.A.", "Santander shares fell 2%."),
        # an ordinary sentence opener still ends it, as before
        ("Analysts cited a warning from Ostrava Steel Co.", "The company cut its outlook."),
    ],
)
def test_company_suffix_ends_the_sentence_when_a_name_starts_the_next(first, second):
    assert sents(f"{first} {second}") == [first, second]


@pytest.mark.parametrize(
    "text",
    [
        "Velmora Foods Inc. CEO Ana Ruiz said sales held up.",
        "Velmora Foods Inc. Chief Executive Ana Ruiz said sales held up.",
        "Velmora Foods Inc. Finance Chief Tomas Brandt told analysts the margin would hold.",
        "Velmora Foods Inc. President Ana Ruiz said sales held up.",
        "Velmora Foods Inc. shares rose 3% on Monday.",
        "Tallis Mining Corp. said output fell.",
        "Tallis Mining Corp. and Orrin Ltd. signed the deal.",
        "Tallis Mining Corp. Class A shares fell.",
        "It buys parts from Dongguan Hexa Co. Ltd. under a deal signed in May.",
        "It buys parts from Dongguan Hexa Co. Limited under a deal signed in May.",
        "Shares of Tallis Mining Inc. (NYSE:TLMC) rose 4%.",
        # not a company suffix: "U.S." keeps its rule (only a typical opener ends it)
        "Prices rose as U.S. Treasury yields climbed.",
    ],
)
def test_company_suffix_inside_a_sentence_does_not_end_it(text):
    assert sents(text) == [text]


def test_company_suffix_before_a_name_in_a_feed_that_lost_its_breaks():
    text = (
        "The data came from Brightwater Capital Group Inc.Tallis shares fell 9% this year. "
        "Demand for copper rose in the second quarter across Asia and Europe. "
        "Refiners in Chile said output would rise again next year.What Happened: Tallis cut "
        "jobs at two mines, according to a filing."
    )
    assert claims(text) == [
        "The data came from Brightwater Capital Group Inc.",
        "Tallis shares fell 9% this year.",
        "Demand for copper rose in the second quarter across Asia and Europe.",
        "Refiners in Chile said output would rise again next year.",
        "Tallis cut jobs at two mines, according to a filing.",
    ]


# -- names with an inner period ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Rival app Swap.Fi said volumes doubled in March.",
        "Traders moved to Pay.Io and Vault.Ai last week.",
        "Musk's X.AI raised $6 billion from investors.",
        "The travel site Booking.Com and its rival Booking.com cut fees.",
        "Zeta.Co said revenue rose 12%.",
        "The lender Coin.Xyz, based in Lisbon, cut rates.",
    ],
)
def test_name_with_an_inner_period_is_one_word(text):
    assert sents(text) == [text]


def test_name_with_an_inner_period_can_end_a_sentence():
    assert sents("Volumes doubled at Swap.Fi. Its rival Coin.Io said nothing.") == [
        "Volumes doubled at Swap.Fi.",
        "Its rival Coin.Io said nothing.",
    ]
    assert sents("Funding went to X.AI. Musk said more would come.") == [
        "Funding went to X.AI.",
        "Musk said more would come.",
    ]


@pytest.mark.parametrize(
    "text, parts",
    [
        ("Sales rose 4%.The outlook is firm.", ["Sales rose 4%.", "The outlook is firm."]),
        (
            "The vote was on Wednesday.What Happened: Lawmakers voted 52-48.",
            ["The vote was on Wednesday.", "What Happened: Lawmakers voted 52-48."],
        ),
        (
            "Demand slowed after April 1.Fed officials said rates would hold.",
            ["Demand slowed after April 1.", "Fed officials said rates would hold."],
        ),
        (
            "He posted on X.Proud of this team, he wrote.",
            ["He posted on X.", "Proud of this team, he wrote."],
        ),
        (
            "Volumes rose in Frankfurt.BMW said it would add shifts.",
            ["Volumes rose in Frankfurt.", "BMW said it would add shifts."],
        ),
        (
            "It happened on Wednesday.It was not expected.",
            ["It happened on Wednesday.", "It was not expected."],
        ),
        (
            "Sales rose on Monday.Co-founder Ana Ruiz said so.",
            ["Sales rose on Monday.", "Co-founder Ana Ruiz said so."],
        ),
        (
            "The hearing ended on Tuesday.Dr. Ruiz testified first.",
            ["The hearing ended on Tuesday.", "Dr. Ruiz testified first."],
        ),
    ],
)
def test_a_glued_period_ends_a_sentence_where_a_new_one_really_starts(text, parts):
    assert sents(text) == parts


@pytest.mark.parametrize(
    "text",
    [
        "Write to desk@wire.example.com for details.",
        "See www.lend.fi for details.",
        "The index rose 1.5% to 4,410.25 on Friday.",
        "The plant opened in the U.S. in 2020.",
    ],
)
def test_addresses_domains_and_decimals_are_untouched(text):
    assert sents(text) == [text]


# -- the same article in every feed style --------------------------------------------------------

PARAGRAPHS = [
    (
        "Tallis Mining fell 6% on Tuesday after a rival won a copper contract in Chile. "
        "The ruling was based on an audit by Brightwater Capital Group Inc. "
        "Tallis shares have lost a third of their value since May. "
        "Velmora Foods Inc. CEO Ana Ruiz said the ruling would not change her supply contract."
    ),
    (
        "What Happened: Tallis ships its ore through Qingdao Ports Co. Ltd. under a deal that "
        "runs until 2028. The rival exchange Swap.Fi and the lender Pay.Io said they saw no "
        "change in trading. Analysts pointed to a warning from Ostrava Steel Co. The company cut "
        "its outlook last week."
    ),
]
EXPECTED = [
    ("Tallis Mining fell 6% on Tuesday after a rival won a copper contract in Chile.", None),
    ("The ruling was based on an audit by Brightwater Capital Group Inc.", None),
    ("Tallis shares have lost a third of their value since May.", None),
    (
        "Velmora Foods Inc. CEO Ana Ruiz said the ruling would not change her supply contract.",
        None,
    ),
    (
        "Tallis ships its ore through Qingdao Ports Co. Ltd. under a deal that runs until 2028.",
        "What Happened",
    ),
    (
        "The rival exchange Swap.Fi and the lender Pay.Io said they saw no change in trading.",
        "What Happened",
    ),
    ("Analysts pointed to a warning from Ostrava Steel Co.", "What Happened"),
    ("The company cut its outlook last week.", "What Happened"),
]


@pytest.mark.parametrize("separator", ["\n\n", "\n", "\r\n\r\n", "\r\n", ""])
def test_suffixes_and_inner_period_names_in_every_feed_style(separator):
    text = " date 2025-06-03 " + separator.join(PARAGRAPHS)
    result = extract(text)
    assert [(c.text, c.section) for c in result.claims] == EXPECTED
    for c in result.claims:
        assert text[c.start : c.end] == c.text

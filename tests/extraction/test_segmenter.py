"""Sentence boundaries on news copy: the bare segmenter (split_sentences)."""

from __future__ import annotations

import pytest

from extraction import split_sentences


def sents(text: str) -> list[str]:
    spans = split_sentences(text)
    for s, e in spans:
        assert text[s:e] == text[s:e].strip() and s < e
    return [text[s:e] for s, e in spans]


@pytest.mark.parametrize(
    "text",
    [
        "Lumen Grid Inc. raised its forecast on Monday.",
        "Pellworth Co. and Dray Ltd. signed the deal in Tampa, Fla. on Friday.",
        "The agency, based in Sacramento, Calif., approved the plan.",
        "Gov. Ana Ruiz and Sen. Tobias Brandt met Gen. Idris Kole and Maj. Lena Fox.",
        "Dr. Priya Nandi, Mr. Ortiz and Ms. Chen visited St. Anselm hospital.",
        "Rep. Colm Hardy, a Ph.D. in economics, spoke at 9 a.m. on Tuesday.",
        "The vote is set for 8 p.m. EST on Friday.",
        "The plant opened in Jan. 2020 and closed on Dec. 3, 2024.",
        "It ranked No. 3 among mid-size lenders vs. No. 5 a year ago.",
        "Output rose approx. 12% in the quarter, e.g. in Asia, i.e. mostly in Japan.",
        "The firm hired J. R. Okafor as chief financial officer.",
        "Shares of Pellworth Inc. (NASDAQ:PLWH) rose 4.5% to $12.75 on Monday.",
        "The index closed at 5,675.29 after the decision.",
        "She said the plan was ... well, not quite finished.",
        "It was the U.S. Department of Energy that approved the loan.",
        "He moved to Washington, D.C., in 2019.",
    ],
)
def test_abbreviations_initials_numbers_and_tickers_do_not_end_a_sentence(text):
    assert sents(text) == [text]


def test_an_abbreviation_ends_a_sentence_when_a_new_one_starts():
    assert sents("Sales rose in the U.S. The company said demand held up.") == [
        "Sales rose in the U.S.",
        "The company said demand held up.",
    ]
    assert sents("The deal closed with Dray & Co. It took a year.") == [
        "The deal closed with Dray & Co.",
        "It took a year.",
    ]


def test_ordinary_sentences_and_question_and_exclamation_marks():
    assert sents("Profit fell 9%. Revenue rose. Is that a trend? Nobody knows! Wait.") == [
        "Profit fell 9%.",
        "Revenue rose.",
        "Is that a trend?",
        "Nobody knows!",
        "Wait.",
    ]


def test_prices_and_decimals_can_end_a_sentence():
    assert sents("The stock closed at $41.20. It was a record.") == [
        "The stock closed at $41.20.",
        "It was a record.",
    ]


def test_quotation_with_sentence_ends_is_one_sentence():
    text = '"We are done. It is over," said chief executive Mara Lind.'
    assert sents(text) == [text]


def test_mixed_quote_marks_count_as_closed():
    text = '“The plan works. We will expand it," the mayor said. Work starts in May.'
    assert sents(text) == [
        '“The plan works. We will expand it," the mayor said.',
        "Work starts in May.",
    ]
    text = "She called it ‘a good start. Nothing more,' a spokesman said."
    assert sents(text) == [text]


def test_apostrophes_are_not_quotation_marks():
    text = "The company's plan isn't new. Investors' patience is thin. Kyiv’s view differs."
    assert sents(text) == [
        "The company's plan isn't new.",
        "Investors' patience is thin.",
        "Kyiv’s view differs.",
    ]


def test_a_quotation_that_never_closes_does_not_hide_sentence_ends():
    assert sents('He said: "We will win. Then we rest. And so on.') == [
        'He said: "We will win.',
        "Then we rest.",
        "And so on.",
    ]


def test_quotation_standing_alone_then_new_sentence():
    assert sents('"Prices are too high." Shoppers agreed.') == [
        '"Prices are too high."',
        "Shoppers agreed.",
    ]


def test_a_line_break_always_ends_a_sentence():
    assert sents("First line without a period\nSecond line.\r\nThird line.") == [
        "First line without a period",
        "Second line.",
        "Third line.",
    ]


def test_glued_text_is_split_where_breaks_were_lost():
    assert sents("The bill passed on Wednesday.What Happened: Lawmakers voted 52-48.") == [
        "The bill passed on Wednesday.",
        "What Happened: Lawmakers voted 52-48.",
    ]
    assert sents("Sales rose 4%.The outlook is firm.") == ["Sales rose 4%.", "The outlook is firm."]


def test_glued_text_keeps_addresses_and_domains():
    text = "Write to ops.Desk@example.com for details. Visit Amazon.com today."
    assert sents(text) == ["Write to ops.Desk@example.com for details.", "Visit Amazon.com today."]


def test_ellipsis_before_a_capital_ends_a_sentence():
    assert sents("Nobody expected it.... The board resigned.") == [
        "Nobody expected it....",
        "The board resigned.",
    ]


def test_enumerated_lists_inside_a_line():
    assert sents("1. Cut costs 2. Raise prices 3. Hire staff") == [
        "1. Cut costs",
        "2. Raise prices",
        "3. Hire staff",
    ]


def test_inline_bullets_and_star_separators_start_items():
    assert sents("Highlights • Revenue up • Margin down") == [
        "Highlights",
        "• Revenue up",
        "• Margin down",
    ]
    assert sents("Read Next: * First Headline * Second Headline") == [
        "Read Next:",
        "* First Headline",
        "* Second Headline",
    ]


@pytest.mark.parametrize("text", ["", " ", "\n\n\r\n", "\x00", "...", "?!", "\ud800"])
def test_degenerate_input(text):
    for s, e in split_sentences(text):
        assert text[s:e].strip()

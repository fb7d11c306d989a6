"""Properties that hold for every str: extract() never raises, offsets slice back, claims are in
order and never overlap. Plus a few adversarial inputs that must stay linear."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from articles.management.commands.extract import to_json_line
from extraction import extract, split_sentences

# Text built from the characters the engine reacts to, so that the interesting paths run often.
NEWSY = st.lists(
    st.sampled_from(
        list("aAbBzZ019 .,;:!?…\"'“”‘’()[]*-•—–|@#$%©\t\r\n\x00\x0b\x1f\u00a0\u2028")
        + [
            "U.S.",
            "Inc.",
            "p.m.",
            " date 2024-01-02 ",
            "What Happened: ",
            "See Also: ",
            "Read Next:",
            "Image via ",
            "Photo: ",
            "— A (@b) May 1, 2024",
            " * ",
            "\n\n",
            "\r\n",
            "- ",
            "Disclaimer: ",
            "(C) 2024 ",
            "https://x.co/a.b",
            "Shares rose. ",
            "The plan:",
            "\ud800",
            "Broader Implications",
            "Candidate A: 52%",
        ]
    ),
    max_size=80,
).map("".join)
ANY = st.text(max_size=300)


def check(text: str) -> None:
    result = extract(text)
    last_end = -1
    for i, c in enumerate(result.claims):
        assert text[c.start : c.end] == c.text
        assert c.text and c.text == c.text.strip()
        assert c.start >= last_end
        assert c.ordinal == i
        last_end = c.end
    for link in result.related_links:
        assert 0 <= link.start <= link.end <= len(text)
        if link.title:
            assert link.title in text[link.start : link.end] or link.url
    if result.image_credit is not None:
        cr = result.image_credit
        assert text[cr.start : cr.end] == cr.text
    for s in result.sections:
        assert text.startswith(s.label, s.start)
    for post in result.social_posts:
        assert text[post.start : post.end] == post.text
    for b in result.boilerplate:
        assert text[b.start : b.end] == b.text
    # the JSON the command writes encodes and decodes back, lone surrogates included
    line = to_json_line(result.to_dict())
    line.encode("utf-8")
    back = json.loads(line)
    assert [c["text"] for c in back["claims"]] == [c.text for c in result.claims]
    for s, e in split_sentences(text):
        assert 0 <= s < e <= len(text) and text[s:e].strip() == text[s:e]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NEWSY)
@example("")
@example("\ud800")
@example(" date 2024-13-99 ")
@example("Read Next:")
@example("— A (@b) May 1, 2024")
@example("a.\u2028B.")
def test_newsy_text(text):
    check(text)


@settings(max_examples=300, deadline=None)
@given(ANY)
def test_arbitrary_text(text):
    check(text)


@settings(max_examples=100, deadline=None)
@given(NEWSY)
def test_crlf_and_lf_agree(text):
    lf = text.replace("\r", "")
    crlf = lf.replace("\n", "\r\n")
    a = [(c.text, c.section) for c in extract(lf).claims]
    b = [(c.text, c.section) for c in extract(crlf).claims]
    assert a == b


def _seconds(text: str) -> float:
    """CPU seconds of this process (not wall time: the suite runs in several processes at once,
    and a busy machine must not make a linear extractor look quadratic)."""
    t0 = time.process_time()
    extract(text)
    split_sentences(text)
    return time.process_time() - t0


@pytest.mark.parametrize(
    "unit",
    [
        ".",
        ". ",
        "a.",
        "!?",
        " * ",
        "•",
        "(@",
        "— ",
        "“",
        "'",
        ":",
        "A: ",
        "\n",
        "\r",
        " ",
        "\x00",
        "U.S. ",
        "x.Y",
        "... ",
        "(C) 2024",
    ],
)
def test_repetitive_input_stays_linear(unit):
    small = unit * 20_000
    big = unit * 80_000
    t_small = _seconds(small)
    t_big = _seconds(big)
    # four times the input may take at most ~10 times as long (plus slack for a busy machine)
    assert t_big < 10 * t_small + 0.5, (unit, t_small, t_big)

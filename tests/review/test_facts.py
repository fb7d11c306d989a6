"""The same-fact rule that decides whether a verdict may be offered across articles."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from review.facts import NEAR_DUPLICATE_THRESHOLD, compare, lookup_keys

BASE = "The city council approved the new ferry budget on Monday after a long debate."


@pytest.mark.parametrize(
    "other",
    [
        "The  city council approved the new ferry budget on Monday after a long debate.",
        "THE CITY COUNCIL APPROVED THE NEW FERRY BUDGET ON MONDAY AFTER A LONG DEBATE.",
        "the city council approved the new ferry budget on monday after a long debate.",
    ],
)
def test_white_space_and_case_do_not_make_a_different_claim(other):
    match = compare(BASE, other)
    assert match is not None and match.exact
    assert lookup_keys(BASE)[0] == lookup_keys(other)[0]


def test_curly_and_straight_quotes_are_the_same():
    a = "“We are ready,” the mayor said of the ferry plan on Monday."
    b = '"We are ready," the mayor said of the ferry plan on Monday.'
    assert compare(a, b).exact


@pytest.mark.parametrize(
    ("other", "least"),
    [
        # Reordered clauses.
        ("On Monday, after a long debate, the city council approved the new ferry budget.", 1.0),
        ("After a long debate on Monday the city council approved the new ferry budget.", 1.0),
        # Small wording changes.
        (
            "The city council formally approved the new ferry budget on Monday after a long debate.",
            0.9,
        ),
        (
            "The city council has approved the new ferry budget on Monday after a lengthy debate.",
            0.7,
        ),
    ],
)
def test_near_duplicates_are_offered_with_their_similarity(other, least):
    match = compare(BASE, other)
    assert match is not None and not match.exact
    assert least <= match.similarity <= 1.0
    assert match.similarity >= NEAR_DUPLICATE_THRESHOLD
    # ... and the index finds them (MinHash bands: near-certain at these similarities).
    assert set(lookup_keys(BASE)) & set(lookup_keys(other))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Numbers, with and without signs, separators and words.
        (
            "Unemployment fell to 4.1% in March, the agency said.",
            "Unemployment fell to 4.2% in March, the agency said.",
        ),
        (
            "The bridge will cost $4 million to repair, officials said.",
            "The bridge will cost $40 million to repair, officials said.",
        ),
        (
            "The bridge will cost $4 million to repair, officials said.",
            "The bridge will cost €4 million to repair, officials said.",
        ),
        (
            "The bridge will cost $4 million to repair, officials said.",
            "The bridge will cost $4 billion to repair, officials said.",
        ),
        (
            "The council voted 7 to 2 in favour of the plan.",
            "The council voted 6 to 2 in favour of the plan.",
        ),
        (
            "The city will buy two electric ferries next year.",
            "The city will buy three electric ferries next year.",
        ),
        # Dates.
        (
            "The council approved the ferry budget on Monday after a debate.",
            "The council approved the ferry budget on Tuesday after a debate.",
        ),
        (
            "The ferry will enter service in March 2027, the operator said.",
            "The ferry will enter service in March 2028, the operator said.",
        ),
        (
            "The ferry will enter service in March 2027, the operator said.",
            "The ferry will enter service in May 2027, the operator said.",
        ),
        (
            "The council approved the ferry budget yesterday after a debate.",
            "The council approved the ferry budget today after a debate.",
        ),
        # Names, in the middle and at the start of the sentence.
        (
            "Mayor Lena Ortiz said the money would buy two electric ferries.",
            "Mayor Lena Vance said the money would buy two electric ferries.",
        ),
        (
            "Ortiz said the money would buy two electric ferries for the city.",
            "Vance said the money would buy two electric ferries for the city.",
        ),
        (
            "The plan was approved by Harbor City council on Monday.",
            "The plan was approved by Eastgate council on Monday.",
        ),
        # Negation, spelled out or contracted.
        (
            "The council approved the ferry budget on Monday after a debate.",
            "The council did not approve the ferry budget on Monday after a debate.",
        ),
        (
            "The company has responded to the request for comment.",
            "The company hasn't responded to the request for comment.",
        ),
        (
            "Officials said the ferry was ever late last year.",
            "Officials said the ferry was never late last year.",
        ),
        # Direction of a change.
        (
            "Ferry fares rose sharply in the first quarter, the operator said.",
            "Ferry fares fell sharply in the first quarter, the operator said.",
        ),
        (
            "Harbor City won the regional transport award this year.",
            "Harbor City lost the regional transport award this year.",
        ),
    ],
)
def test_a_changed_fact_never_matches(a, b):
    assert compare(a, b) is None
    assert compare(b, a) is None


def test_unrelated_sentences_do_not_match():
    assert compare(BASE, "Ferry fares will rise by 10 cents in April, the operator said.") is None


def test_a_common_first_word_is_not_taken_for_a_name():
    a = "Officials said the new bridge will reopen to traffic in May."
    b = "The new bridge will reopen to traffic in May, officials said."
    match = compare(a, b)
    assert match is not None and match.similarity == 1.0


sentences = st.text(
    alphabet=st.sampled_from(list("abcdefghij ABC 0123456789.,$%'\"-")), min_size=0, max_size=80
)


@given(sentences, sentences)
def test_compare_is_symmetric_and_a_sentence_matches_itself(a, b):
    assert compare(a, a) is not None and compare(a, a).exact
    ab, ba = compare(a, b), compare(b, a)
    assert (ab is None) == (ba is None)
    if ab is not None:
        assert ab == ba

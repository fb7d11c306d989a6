"""Facts found in the evidence (review/evidence/matching.py): each kind of fact found however the
source writes it, each kind of near miss shown as a warning, and what is never a match."""

from __future__ import annotations

import pytest

from review.evidence.matching import claim_facts, find_facts

SOURCE = (
    "Monthly labour market report\n\n"
    "The Office for National Statistics said on 4 December 2026 that unemployment was 3.8 per "
    "cent in November 2026, down from 4.1% a year earlier. Employers added 150000 jobs.\n\n"
    "Some 36% of firms plan to hire next quarter. The government will spend $15 billion on "
    "training over the decade, Finance Minister Maria Ortiz said. Harbor City's ferry budget "
    "is $12,500,000. Rents rose 6.2 percent in Eastgate.\n"
)


def result(claim: str, label: str):
    found = find_facts(claim, SOURCE)
    return next(r for r in found.results if r.fact.label == label)


@pytest.mark.parametrize(
    ("claim", "label", "kind", "as_written"),
    [
        ("Unemployment fell to 3.8% last month.", "3.8%", "percent", "3.8 per cent"),
        ("Rents rose 6.2% over the year.", "6.2%", "percent", "6.2 percent"),
        ("Employers added 150,000 jobs.", "150,000", "number", "150000"),
        ("The ferry budget is $12.5 million.", "$12.5 million", "money", "$12,500,000"),
        ("The state will spend $15bn on training.", "$15bn", "money", "$15 billion"),
        ("Figures were out on December 4, 2026.", "December 4, 2026", "date", "4 December 2026"),
        ("The figures cover November 2026.", "November 2026", "date", "November 2026"),
        ("The next report is due in 2026.", "2026", "date", "2026"),
        (
            "The Office for National Statistics published it.",
            "Office for National Statistics",
            "name",
            "Office for National Statistics",
        ),
        ("It was praised in Eastgate.", "Eastgate", "name", "Eastgate"),
    ],
)
def test_each_kind_of_fact_is_found_however_the_source_writes_it(claim, label, kind, as_written):
    found = result(claim, label)
    assert found.fact.kind == kind
    assert found.is_found
    assert found.found.match == as_written
    # The passage around it is the source's own text, with the match in the middle.
    assert as_written in (found.found.before + found.found.match + found.found.after)
    assert len(found.found.before) <= 200 and len(found.found.after) <= 200


@pytest.mark.parametrize(
    ("claim", "label", "near"),
    [
        ("Some 38% of firms plan to hire.", "38%", "36%"),  # another percentage, close
        ("The government will spend $150 billion.", "$150 billion", "$15 billion"),  # tenfold
        ("The ferry budget is $13 million.", "$13 million", "$12,500,000"),  # close amount
        ("The statement came on 5 December 2026.", "5 December 2026", "4 December 2026"),
        ("The statement came in November 2025.", "November 2025", "November 2026"),
        ("Finance Minister Lena Ortiz said so.", "Finance Minister Lena Ortiz", "Maria Ortiz"),
    ],
)
def test_a_near_miss_is_a_warning_not_a_match(claim, label, near):
    found = result(claim, label)
    assert not found.is_found
    assert found.near is not None
    assert found.near.match == near


def test_the_summary_counts_found_facts():
    found = find_facts(
        "Unemployment was 3.8% in November 2026 and 38% of firms plan to hire, the Office for "
        "National Statistics said.",
        SOURCE,
    )
    assert [(r.fact.label, r.is_found) for r in found.results] == [
        ("3.8%", True),
        ("November 2026", True),
        ("38%", False),
        ("Office for National Statistics", True),
    ]
    assert found.summary() == "3 of 4 facts found in the source"
    assert found.warnings == 1


def test_facts_absent_from_the_source_are_not_found_and_have_no_near_miss():
    found = find_facts(
        "Hospitals in Westmoor hired 7,200 nurses for €90 million in July 2019.", SOURCE
    )
    assert found.total == 4
    assert found.found == 0
    assert found.warnings == 0


def test_a_percentage_never_matches_a_plain_number_or_another_currency():
    source = "The fund holds 38 bonds worth £150 billion."
    assert not result_in(source, "38% of the bonds are short-dated.", "38%").is_found
    assert not result_in(source, "The bonds are worth $150 billion.", "$150 billion").is_found


def result_in(source: str, claim: str, label: str):
    return next(r for r in find_facts(claim, source).results if r.fact.label == label)


def test_a_capitalised_first_word_alone_is_not_a_name_and_numbers_inside_dates_are_not_counts():
    labels = [(f.kind, f.label) for f in claim_facts("Unemployment fell on 4 December 2026.")]
    assert labels == [("date", "4 December 2026")]

"""The sentence diff behind "changes since the last review round" (articles/diffing.py): pure
functions, tested without Django."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from articles.diffing import DiffSegment, diff_texts, fold, summarize, units

OLD = (
    "Harbor City approved a $12.5 million budget on Monday. The council vote was 7 to 2.\n\n"
    "Mayor Lena Ortiz said the money would buy two ferries.\n\n"
    "The first ferry is due in 2027.\n"
)


def old_and_new(segments: list[DiffSegment]) -> tuple[str, str]:
    old = "".join(s.text for s in segments if s.kind in ("same", "delete"))
    new = "".join(s.text for s in segments if s.kind in ("same", "insert"))
    return old, new


def test_units_are_sentences_and_lines_and_join_back_exactly():
    assert units(OLD) == [
        "Harbor City approved a $12.5 million budget on Monday. ",
        "The council vote was 7 to 2.\n",
        "\n",
        "Mayor Lena Ortiz said the money would buy two ferries.\n",
        "\n",
        "The first ferry is due in 2027.\n",
    ]
    assert "".join(units(OLD)) == OLD


def test_a_changed_sentence_is_a_deletion_then_an_insertion():
    new = OLD.replace("7 to 2", "6 to 3")

    segments = diff_texts(OLD, new)

    assert [(s.kind, s.text) for s in segments] == [
        ("same", "Harbor City approved a $12.5 million budget on Monday. "),
        ("delete", "The council vote was 7 to 2.\n"),
        ("insert", "The council vote was 6 to 3.\n"),
        ("same", "\nMayor Lena Ortiz said the money would buy two ferries.\n\nThe first ferry is due in 2027.\n"),
    ]
    assert summarize(segments).inserted == 1 and summarize(segments).deleted == 1


def test_added_and_removed_paragraphs():
    new = OLD.replace("Mayor Lena Ortiz said the money would buy two ferries.\n\n", "") + (
        "\nA second ferry follows in 2028.\n"
    )

    segments = diff_texts(OLD, new)

    # The paragraph goes with its blank line, and the unchanged sentence after it stays unchanged
    # (difflib, used before, showed "The first ferry is due in 2027." deleted and inserted again).
    assert [(s.kind, s.text) for s in segments] == [
        ("same", OLD.split("Mayor")[0]),
        ("delete", "Mayor Lena Ortiz said the money would buy two ferries.\n\n"),
        ("same", "The first ferry is due in 2027.\n"),
        ("insert", "\nA second ferry follows in 2028.\n"),
    ]
    assert old_and_new(segments) == (OLD, new)


def test_identical_texts_have_no_change():
    segments = diff_texts(OLD, OLD)

    assert segments == [DiffSegment("same", OLD)]
    assert not summarize(segments).changed
    assert fold(segments) == segments


def test_markup_stays_plain_text_for_the_template_to_escape():
    new = OLD + "<script>alert(1)</script> said the clerk.\n"

    segments = diff_texts(OLD, new)

    assert segments[-1] == DiffSegment("insert", "<script>alert(1)</script> said the clerk.\n")


def test_fold_keeps_context_around_changes_and_counts_what_it_leaves_out():
    lines = [f"Paragraph {i} says the same thing.\n" for i in range(20)]
    old = "".join(lines)
    new = "".join(lines[:10] + ["Paragraph 10 says something new.\n"] + lines[11:])

    folded = fold(diff_texts(old, new), context_lines=2)

    kinds = [s.kind for s in folded]
    assert kinds == ["skip", "same", "delete", "insert", "same", "skip"]
    assert folded[0].skipped_lines == 8 and folded[-1].skipped_lines == 7
    assert folded[1].text == lines[8] + lines[9]
    assert folded[4].text == lines[11] + lines[12]


@given(st.text(alphabet="ab. \n!?", max_size=60), st.text(alphabet="ab. \n!?", max_size=60))
def test_the_segments_rebuild_both_texts(old, new):
    segments = diff_texts(old, new)

    assert old_and_new(segments) == (old, new)
    assert all(s.text for s in segments)
    assert all(a.kind != b.kind for a, b in zip(segments, segments[1:]))

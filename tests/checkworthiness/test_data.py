"""The benchmark readers: quote-aware TSV, the joined-row defect, ClaimBuster verdicts."""

from __future__ import annotations

import pytest

from checkworthiness import data as D

from .conftest import CHECKABLE, FILLER, write_ct24


def test_joined_rows_are_split_and_quotes_read(tmp_path):
    rows = [
        ("1", 'He said "no", twice.', "No"),
        ("2", "Taxes rose 3%.", "Yes"),
        ("3", "Thank you.", "No"),
        ("4", "It cost $5 billion, they said.", "Yes"),
    ]
    write_ct24(tmp_path, "train", rows, join_at=2)  # row 2 and row 3 on one line
    split = D.load_ct24(tmp_path, "train")
    assert split.ids == ["1", "2", "3", "4"]
    assert split.texts == [r[1] for r in rows]
    assert split.labels == [0, 1, 0, 1]


def test_tiny_fixture_has_every_row(tiny_data):
    train = D.load_ct24(tiny_data, "train")
    assert len(train) == 32 and train.positives == 16
    assert set(train.texts) == set(CHECKABLE[:16] + FILLER[:16])


def test_bad_label_is_an_error(tmp_path):
    write_ct24(tmp_path, "dev", [("1", "Hello.", "Maybe")])
    with pytest.raises(ValueError, match="class_label"):
        D.load_ct24(tmp_path, "dev")


def test_claimbuster_cfs_is_positive(tmp_path):
    folder = tmp_path / "claimbuster"
    folder.mkdir()
    header = "Sentence_id,Text,Speaker,Speaker_title,Speaker_party,File_id,Length,Line_number,Sentiment,Verdict"
    (folder / "groundtruth.csv").write_text(
        header + "\n"
        '1,"Taxes rose 3%, he said.",A,B,C,f.txt,5,1,0.0,1\n'
        "2,I think so.,A,B,C,f.txt,3,2,0.0,-1\n"
        "3,We will win.,A,B,C,f.txt,3,3,0.0,0\n",
        encoding="utf-8",
    )
    split = D.load_claimbuster(tmp_path, "groundtruth")
    assert split.texts[0] == "Taxes rose 3%, he said."
    assert split.labels == [1, 0, 0]

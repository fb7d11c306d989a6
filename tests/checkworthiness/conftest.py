"""A tiny CheckThat!-shaped data directory of our own sentences (no ../shared needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

CHECKABLE = [
    "Unemployment fell to 3.9% in May, the lowest rate since 2000.",
    "The city spent $12 million on the new bridge last year.",
    "Crime rose by 14 percent in the first half of 2024.",
    "We cut taxes for 90 million families in 2017.",
    "The deficit doubled between 2008 and 2012.",
    "More than 40,000 jobs were created in the state last quarter.",
    "The senator voted against the budget three times.",
    "Exports grew 7% while imports fell by 2%.",
    "Half of all schools have no nurse on staff.",
    "The minimum wage has not been raised since 2009.",
    "Gas prices are up 60 cents a gallon since January.",
    "Our country has lost 5 million manufacturing jobs.",
    "The program costs taxpayers $300 billion a year.",
    "Ninety percent of the wells were drilled after 2010.",
    "He raised taxes 12 times as governor.",
    "The population of the county increased by 8% in a decade.",
    "Drug overdoses killed 70,000 Americans in 2019.",
    "The company paid no federal income tax in 2020.",
    "Two million people lost health insurance last year.",
    "Wages grew faster than inflation for the first time since 2016.",
]
FILLER = [
    "Here is an overview.",
    "Thank you very much.",
    "I think we need to do better.",
    "Let me finish my answer.",
    "Good evening, everyone.",
    "That is a great question.",
    "We will see what happens.",
    "I want to thank the moderators.",
    "Of course, that is what I believe.",
    "Let's move on to the next topic.",
    "I feel strongly about this.",
    "Well, I disagree with that.",
    "Please, let him answer.",
    "We must come together as a nation.",
    "I hope so.",
    "You know what I mean.",
    "This is about our future.",
    "That is not true, and you know it.",
    "I will fight for you every day.",
    "Nice to be here tonight.",
]


def _tsv_text(text: str) -> str:
    # CSV quoting, as in the real files: quotes doubled, the field wrapped when needed.
    if '"' in text or "," in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def write_ct24(root: Path, name: str, rows: list[tuple[str, str, str]], join_at: int | None = None):
    folder = root / "checkthat" / "ct2024_task1_en"
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["Sentence_id\tText\tclass_label"]
    for sid, text, label in rows:
        lines.append(f"{sid}\t{_tsv_text(text)}\t{label}")
    if join_at is not None:  # reproduce the known defect: two rows joined without a newline
        lines[join_at] = lines[join_at] + lines.pop(join_at + 1)
    (folder / f"CT24_checkworthy_english_{name}.tsv").write_text(
        "\n".join(lines) + "\n", encoding="utf-8"
    )


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("benchmarks")
    rows = [(str(100 + i), t, "Yes") for i, t in enumerate(CHECKABLE[:16])]
    rows += [(str(200 + i), t, "No") for i, t in enumerate(FILLER[:16])]
    rows.sort(key=lambda r: r[0][-1])  # deterministic order, labels mixed
    write_ct24(root, "train", rows, join_at=5)
    dev = [(str(300 + i), t, "Yes") for i, t in enumerate(CHECKABLE[16:])]
    dev += [(str(400 + i), t, "No") for i, t in enumerate(FILLER[16:])]
    write_ct24(root, "dev", dev)
    return root

"""Readers for the public check-worthiness benchmarks (training and benchmark only).

The app never reads these data sets at run time (they live outside the repository,
``../shared/benchmarks`` by default); it uses only ``sha256``, to check the model's files against
its card. Django-free, standard library only.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

CT24_DIR = Path("checkthat") / "ct2024_task1_en"
CT24_FILES = {
    "train": "CT24_checkworthy_english_train.tsv",
    "dev": "CT24_checkworthy_english_dev.tsv",
    "dev-test": "CT24_checkworthy_english_dev-test.tsv",
    "test_gold": "CT24_checkworthy_english_test_gold.tsv",
}
CLAIMBUSTER_DIR = Path("claimbuster")
CLAIMBUSTER_FILES = {"crowdsourced": "crowdsourced.csv", "groundtruth": "groundtruth.csv"}

# Known defect in the copied CT24 train file: two rows joined without a newline, so the
# label field reads e.g. "No29286" and two more fields follow.
_JOINED_LABEL = re.compile(r"^(Yes|No)(\d+)$")


@dataclass(frozen=True)
class Split:
    name: str
    ids: list[str]
    texts: list[str]
    labels: list[int]  # 1 = check-worthy (CT24 "Yes", ClaimBuster CFS), 0 otherwise
    path: Path

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def positives(self) -> int:
        return sum(self.labels)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _ct24_label(value: str) -> int:
    value = value.strip()
    if value == "Yes":
        return 1
    if value == "No":
        return 0
    raise ValueError(f"unexpected CT24 class_label {value!r}")


def read_ct24_tsv(path: Path, name: str = "") -> Split:
    """Read a CT24 TSV (header Sentence_id, Text, class_label; Text is CSV-quoted)."""
    ids: list[str] = []
    texts: list[str] = []
    labels: list[int] = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t", quotechar='"')
        header = next(reader)
        if [h.strip() for h in header[:3]] != ["Sentence_id", "Text", "class_label"]:
            raise ValueError(f"{path}: unexpected header {header!r}")
        for row in reader:
            if not row or all(not cell.strip() for cell in row):
                continue
            # Rows joined without a newline: id, text, "No29286", text, label, ...
            while len(row) > 3:
                match = _JOINED_LABEL.match(row[2].strip())
                if not match:
                    raise ValueError(f"{path}: malformed row {row!r}")
                ids.append(row[0].strip())
                texts.append(row[1])
                labels.append(_ct24_label(match.group(1)))
                row = [match.group(2), *row[3:]]
            if len(row) != 3:
                raise ValueError(f"{path}: malformed row {row!r}")
            ids.append(row[0].strip())
            texts.append(row[1])
            labels.append(_ct24_label(row[2]))
    return Split(name or path.stem, ids, texts, labels, Path(path))


def read_claimbuster_csv(path: Path, name: str = "") -> Split:
    """Read a ClaimBuster CSV; label 1 = CFS (Verdict 1), 0 = NFS/UFS (-1/0)."""
    ids: list[str] = []
    texts: list[str] = []
    labels: list[int] = []
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            verdict = int(row["Verdict"])
            if verdict not in (-1, 0, 1):
                raise ValueError(f"{path}: unexpected Verdict {verdict}")
            ids.append(row["Sentence_id"].strip())
            texts.append(row["Text"])
            labels.append(1 if verdict == 1 else 0)
    return Split(name or path.stem, ids, texts, labels, Path(path))


def load_ct24(root: Path, split: str) -> Split:
    return read_ct24_tsv(Path(root) / CT24_DIR / CT24_FILES[split], split)


def load_claimbuster(root: Path, split: str) -> Split:
    return read_claimbuster_csv(Path(root) / CLAIMBUSTER_DIR / CLAIMBUSTER_FILES[split], split)

"""The shipped artifact and the inference API (checkworthiness/model/)."""

from __future__ import annotations

import json
import shutil

import pytest

import checkworthiness as cw
from checkworthiness import encoder as E
from checkworthiness import linear as L

CHECKABLE = [
    "Unemployment fell to 3.9% in May.",
    "The city council approved a $12.5 million budget for the ferry service.",
    "Violent crime rose 14 percent between 2019 and 2023.",
    "The senator voted against the infrastructure bill three times.",
]
FILLER = [
    "Here is an overview.",
    "Thank you very much.",
    "Let me finish.",
    "Good evening, everyone.",
]


def test_scores_in_unit_interval_and_deterministic():
    sentences = CHECKABLE + FILLER + ["", "   ", "?", "x" * 5000, "Ünïcödé “quotes” — 42 %"]
    first = cw.score(sentences)
    assert len(first) == len(sentences)
    assert all(isinstance(s, float) and 0.0 <= s <= 1.0 for s in first)
    assert cw.score(sentences) == first


def test_score_of_a_sentence_does_not_depend_on_the_batch():
    alone = [cw.score([s])[0] for s in CHECKABLE + FILLER]
    assert cw.score(CHECKABLE + FILLER) == alone
    assert cw.score(list(reversed(CHECKABLE + FILLER))) == list(reversed(alone))


def test_checkable_sentences_score_above_filler():
    assert (
        cw.score(["Unemployment fell to 3.9% in May."])[0] > cw.score(["Here is an overview."])[0]
    )
    checkable, filler = cw.score(CHECKABLE), cw.score(FILLER)
    assert min(checkable) > max(filler)
    assert all(s >= cw.threshold() for s in checkable)
    assert all(s < cw.threshold() for s in filler)


def test_empty_batch_and_bad_input():
    assert cw.score([]) == []
    with pytest.raises(TypeError):
        cw.score([None])


def test_model_version_matches_the_shipped_card():
    card = json.loads((cw.DEFAULT_MODEL_DIR / L.CARD_FILE).read_text())
    assert cw.MODEL_VERSION == card["version"] != cw.UNAVAILABLE
    assert cw.load().version == cw.MODEL_VERSION
    assert 0.0 < cw.threshold() < 1.0


def test_shipped_artifact_is_the_encoder_and_small():
    assert cw.load().backend == "encoder"
    assert {p.name for p in cw.DEFAULT_MODEL_DIR.iterdir()} == {E.GRAPH_FILE, L.CARD_FILE}
    size = sum(p.stat().st_size for p in cw.DEFAULT_MODEL_DIR.iterdir())
    assert size < 6_000_000


def test_missing_artifact_fails_clearly(tmp_path):
    with pytest.raises(cw.ModelUnavailable, match="model card not found.*train_checkworthiness"):
        cw.load(tmp_path / "nowhere")


def test_graph_without_card_or_mismatched_card_fail_clearly(tmp_path):
    target = tmp_path / "model"
    shutil.copytree(cw.DEFAULT_MODEL_DIR, target)
    card = json.loads((target / L.CARD_FILE).read_text())
    card["version"] = "cw-minilm-000000000000"
    (target / L.CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(cw.ModelUnavailable, match="does not match its model card"):
        cw.load(target)
    (target / E.GRAPH_FILE).write_bytes(b"not a graph")
    with pytest.raises(cw.ModelUnavailable, match="does not match its model card"):
        cw.load(target)
    (target / E.GRAPH_FILE).unlink()
    with pytest.raises(cw.ModelUnavailable, match="unusable"):
        cw.load(target)


def test_a_different_graph_with_its_card_updated_still_cannot_load_garbage(tmp_path):
    target = tmp_path / "model"
    shutil.copytree(cw.DEFAULT_MODEL_DIR, target)
    (target / E.GRAPH_FILE).write_bytes(b"not a graph")
    card = json.loads((target / L.CARD_FILE).read_text())
    card["version"] = E.content_version(E.file_digests(target, E.base_model_dir()))
    (target / L.CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(cw.ModelUnavailable, match="unusable"):
        cw.load(target)


def test_missing_base_package_fails_clearly(monkeypatch):
    monkeypatch.setattr(E, "BASE_PACKAGE", "no_such_base_model_package")
    with pytest.raises(cw.ModelUnavailable, match="no_such_base_model_package.*not installed"):
        cw.load()


def test_sparse_artifacts_still_load(tmp_path):
    """A card without "backend" is the sparse model (artifacts written before the encoder)."""
    from tests.checkworthiness.conftest import CHECKABLE as TRAIN_YES
    from tests.checkworthiness.conftest import FILLER as TRAIN_NO

    model = L.SparseModel.fit(
        TRAIN_YES + TRAIN_NO, [1] * len(TRAIN_YES) + [0] * len(TRAIN_NO), C=1.0
    )
    model.save(tmp_path)
    card = {"version": L.content_version(model), "threshold": 0.5}
    (tmp_path / L.CARD_FILE).write_text(json.dumps(card))
    scorer = cw.load(tmp_path)
    assert scorer.backend == "sparse"
    yes, no = scorer.score(["Exports fell 4% in 2023.", "Thank you, good night."])
    assert yes > no


def test_try_score_returns_none_when_unavailable(monkeypatch, tmp_path):
    monkeypatch.setattr(cw, "DEFAULT_MODEL_DIR", tmp_path / "nowhere")
    monkeypatch.setattr(cw, "_scorer", None)
    assert cw.try_score(["Unemployment fell to 3.9% in May."]) is None
    with pytest.raises(cw.ModelUnavailable):
        cw.score(["Unemployment fell to 3.9% in May."])


def test_try_score_scores_when_available():
    assert cw.try_score(["Unemployment fell to 3.9% in May."]) == cw.score(
        ["Unemployment fell to 3.9% in May."]
    )


def test_package_is_django_free():
    import subprocess
    import sys

    code = (
        "import sys, checkworthiness as cw; cw.score(['Taxes rose 3%.']); "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), "
        "[m for m in sys.modules if m.startswith('django')]"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=cw.DEFAULT_MODEL_DIR.parents[1])

"""The training command end to end on a tiny data set of our own (no ../shared): the encoder
(the shipped backend; torch from requirements-train.txt, which bin/test installs) and the sparse
TF-IDF baseline."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

import checkworthiness as cw
from checkworthiness import encoder as E
from checkworthiness import linear as L

# One layer, a few passes over the 32 sentences: seconds, and every step of the real recipe.
TINY = {"layers": 1, "epochs": 3}


@pytest.fixture(scope="module")
def trained(tiny_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("model")
    call_command("train_checkworthiness", data=tiny_data, out=out, backend="sparse", verbosity=0)
    return out


@pytest.fixture(scope="module")
def trained_encoder(tiny_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("encoder")
    call_command("train_checkworthiness", data=tiny_data, out=out, verbosity=0, **TINY)
    return out


def test_encoder_writes_graph_and_card(trained_encoder, tiny_data):
    assert {p.name for p in trained_encoder.iterdir()} == {E.GRAPH_FILE, L.CARD_FILE}
    card = json.loads((trained_encoder / L.CARD_FILE).read_text())
    assert card["backend"] == "encoder"
    assert card["version"].startswith("cw-minilm-")
    assert card["trained_on"]["train"] == 32 and card["trained_on"]["train_positives"] == 16
    assert card["hyperparameters"]["layers"] == 1 and card["hyperparameters"]["epochs"] == 3
    assert set(card["files_sha256"]) == {
        E.GRAPH_FILE,
        f"{E.BASE_PACKAGE}/model.safetensors",
        f"{E.BASE_PACKAGE}/tokenizer.json",
    }
    # Half-epoch checkpoints (one step per epoch here): the best dev AP is the one exported.
    assert [row["step"] for row in card["search"]] == [1, 2, 3]
    best = max(card["search"], key=lambda row: row["dev_average_precision"])
    assert card["chosen_step"] == best["step"]
    assert 0.0 < card["threshold"] < 1.0
    assert set(card["dev_metrics"]) >= {"f1", "precision", "recall", "average_precision"}
    assert card["environment"]["torch"].startswith("2.")


def test_encoder_artifact_loads_and_scores(trained_encoder):
    scorer = cw.load(trained_encoder)
    scores = scorer.score(["Exports fell 4% in 2023.", "Thank you, good night.", ""])
    assert all(isinstance(s, float) and 0.0 <= s <= 1.0 for s in scores)
    assert scorer.version == json.loads((trained_encoder / L.CARD_FILE).read_text())["version"]
    assert scorer.threshold == json.loads((trained_encoder / L.CARD_FILE).read_text())["threshold"]


def test_encoder_training_is_reproducible(trained_encoder, tiny_data, tmp_path):
    call_command("train_checkworthiness", data=tiny_data, out=tmp_path, verbosity=0, **TINY)
    assert (tmp_path / E.GRAPH_FILE).read_bytes() == (trained_encoder / E.GRAPH_FILE).read_bytes()
    first = json.loads((trained_encoder / L.CARD_FILE).read_text())
    second = json.loads((tmp_path / L.CARD_FILE).read_text())
    assert (first["version"], first["threshold"]) == (second["version"], second["threshold"])


def test_bad_encoder_options_are_clear_errors(tiny_data, tmp_path):
    with pytest.raises(CommandError, match="--layers must be 1 to 6"):
        call_command("train_checkworthiness", data=tiny_data, out=tmp_path, layers=7, verbosity=0)
    with pytest.raises(CommandError, match="--epochs must be in"):
        call_command("train_checkworthiness", data=tiny_data, out=tmp_path, epochs=0, verbosity=0)
    assert not any(tmp_path.iterdir())


def test_encoder_without_its_base_package_is_a_clear_error(tiny_data, tmp_path, monkeypatch):
    monkeypatch.setattr(E, "BASE_PACKAGE", "no_such_base_model_package")
    with pytest.raises(CommandError, match="no_such_base_model_package.*not installed.*bin/setup"):
        call_command("train_checkworthiness", data=tiny_data, out=tmp_path, verbosity=0, **TINY)
    assert not any(tmp_path.iterdir())


def test_writes_artifact_and_card(trained, tiny_data):
    assert {p.name for p in trained.iterdir()} == {L.WEIGHTS_FILE, L.VOCAB_FILE, L.CARD_FILE}
    card = json.loads((trained / L.CARD_FILE).read_text())
    assert card["version"].startswith("cw-tfidf-lr-")
    assert isinstance(card["threshold"], float)
    assert card["trained_on"]["train"] == 32
    assert set(card["trained_on"]["data_sha256"]) == {
        "checkthat/ct2024_task1_en/CT24_checkworthy_english_train.tsv",
        "checkthat/ct2024_task1_en/CT24_checkworthy_english_dev.tsv",
    }
    assert all(len(h) == 64 for h in card["trained_on"]["data_sha256"].values())
    assert card["hyperparameters"]["C"] in card["hyperparameters"]["C_grid"]
    assert set(card["dev_metrics"]) >= {"f1", "precision", "recall", "average_precision"}
    # the artifact holds no pickles: weights load with allow_pickle=False
    import numpy as np

    with np.load(trained / L.WEIGHTS_FILE, allow_pickle=False) as z:
        assert set(z.files) == {
            "word_idf",
            "char_idf",
            "word_coef",
            "char_coef",
            "hand_coef",
            "bias",
        }


def test_trained_model_scores_and_learns(trained):
    scorer = cw.load(trained)
    scores = scorer.score(["Exports fell 4% in 2023.", "Thank you, good night."])
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores[0] > scores[1]
    assert scorer.version == json.loads((trained / L.CARD_FILE).read_text())["version"]


def test_training_is_reproducible(trained, tiny_data, tmp_path):
    call_command(
        "train_checkworthiness", data=tiny_data, out=tmp_path, backend="sparse", verbosity=0
    )
    first = json.loads((trained / L.CARD_FILE).read_text())
    second = json.loads((tmp_path / L.CARD_FILE).read_text())
    assert first["version"] == second["version"]
    assert first["threshold"] == second["threshold"]
    assert (trained / L.VOCAB_FILE).read_bytes() == (tmp_path / L.VOCAB_FILE).read_bytes()


def test_sample_option(tiny_data, tmp_path):
    call_command(
        "train_checkworthiness",
        data=tiny_data,
        out=tmp_path,
        sample=20,
        C="1",
        backend="sparse",
        verbosity=0,
    )
    card = json.loads((tmp_path / L.CARD_FILE).read_text())
    assert card["trained_on"]["train"] == 20 and card["trained_on"]["sample"] == 20
    assert card["trained_on"]["train_positives"] == 10
    assert card["hyperparameters"]["C_grid"] == [1.0]


def test_missing_data_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="missing .*CT24_checkworthy_english_train.tsv"):
        call_command("train_checkworthiness", data=tmp_path, out=tmp_path / "m", verbosity=0)

"""Training pipeline for the sparse check-worthiness model (Django-free, numpy only).

Called by ``python manage.py train_checkworthiness``. Reproducible: no randomness except the
optional ``sample`` (a seeded, stratified subsample), and the optimiser is deterministic.

Protocol: fit on the CheckThat! 2024 English ``train`` split; choose the regularisation C
(by average precision) and the decision threshold (by positive-class F1) on ``dev`` only.
``dev-test`` and ``test_gold`` are never read here: see ``benchmarks/checkworthiness.py``.
"""

from __future__ import annotations

import json
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from . import data as D
from . import features as F
from . import linear as L
from . import metrics as M

DEFAULTS = {
    "min_df": 2,
    "word_ngrams": [1, 2],
    "char_ngrams": [2, 5],
    "hand_scale": 1.0,
    "class_weight": None,
    "C_grid": [1.0, 2.0, 4.0],
    "selection": "average precision on dev",
}


def stratified_sample(split: D.Split, n: int, seed: int = 0) -> D.Split:
    """A deterministic subsample of ``n`` rows keeping the positive rate."""
    if n >= len(split):
        return split
    rng = np.random.default_rng(seed)
    labels = np.asarray(split.labels)
    pos, neg = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    n_pos = max(1, round(n * len(pos) / len(labels)))
    keep = np.sort(np.r_[rng.permutation(pos)[:n_pos], rng.permutation(neg)[: n - n_pos]])
    return D.Split(
        split.name,
        [split.ids[i] for i in keep],
        [split.texts[i] for i in keep],
        [split.labels[i] for i in keep],
        split.path,
    )


def train_and_dev(data_root: Path, sample: int | None, log) -> tuple[D.Split, D.Split]:
    """The CT24 train split (or a stratified sample of it) and the dev split, logged."""
    train_split = D.load_ct24(data_root, "train")
    dev = D.load_ct24(data_root, "dev")
    if sample:
        train_split = stratified_sample(train_split, sample)
    log(
        f"train: {len(train_split)} sentences ({train_split.positives} check-worthy); "
        f"dev: {len(dev)} ({dev.positives})"
    )
    return train_split, dev


def train(
    data_root: Path,
    out_dir: Path,
    *,
    sample: int | None = None,
    C_grid: list[float] | None = None,
    log=print,
) -> dict:
    """Train, select on dev, write the artifact and its card into ``out_dir``; return the card."""
    started = time.perf_counter()
    data_root = Path(data_root)
    train_split, dev = train_and_dev(data_root, sample, log)
    grid = list(C_grid or DEFAULTS["C_grid"])
    hp = dict(DEFAULTS, C_grid=grid)

    norms = [F.normalise(t) for t in train_split.texts]
    word = L.Block.fit(L._grams(norms, "word"), hp["min_df"])
    char = L.Block.fit(L._grams(norms, "char"), hp["min_df"])
    X = L.design(train_split.texts, word, char)
    X.hand *= hp["hand_scale"]
    y = np.asarray(train_split.labels)
    log(
        f"features: {len(word.terms)} word n-grams, {len(char.terms)} char n-grams, "
        f"{len(F.HAND_FEATURES)} cues ({time.perf_counter() - started:.0f}s)"
    )

    best = None
    search = []
    for C in grid:
        t0 = time.perf_counter()
        coef, hand_coef, bias, iters = L.fit_logistic(X, y, C=C, class_weight=hp["class_weight"])
        model = L.SparseModel(word, char, coef, hand_coef, bias, hp["hand_scale"])
        dev_scores = model.predict_proba(dev.texts)
        ap = M.average_precision(dev.labels, dev_scores)
        thr, f1 = M.best_threshold(dev.labels, dev_scores)
        search.append(
            {
                "C": C,
                "dev_average_precision": round(ap, 4),
                "dev_f1_at_best": round(f1, 4),
                "iterations": iters,
                "seconds": round(time.perf_counter() - t0, 1),
            }
        )
        log(f"C={C:g}: dev AP {ap:.4f}, best dev F1 {f1:.4f} ({iters} L-BFGS iterations)")
        if best is None or ap > best[0]:
            best = (ap, C, model, dev_scores)
    _, C, model, dev_scores = best

    # Store what is saved (float32), so the card's dev figures are those of the artifact.
    model.save(out_dir)
    model = L.SparseModel.load(out_dir)
    dev_scores = model.predict_proba(dev.texts)
    thr, _ = M.best_threshold(dev.labels, dev_scores)
    dev_metrics = {
        k: round(v, 4) if isinstance(v, float) else v
        for k, v in M.evaluate(dev.labels, dev_scores, thr).items()
    }

    files = {str(p.relative_to(data_root)): D.sha256(p) for p in (train_split.path, dev.path)}
    card = {
        "version": L.content_version(model),
        "kind": "sparse TF-IDF word 1-2 + char 2-5 n-grams + cues, L2 logistic regression",
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "trained_on": {
            "train": len(train_split),
            "train_positives": train_split.positives,
            "sample": sample,
            "data_sha256": files,
        },
        "hyperparameters": {**hp, "C": C},
        "search": search,
        "threshold": round(thr, 6),
        "threshold_chosen_on": "CT24 dev (max positive-class F1)",
        "dev_metrics": dev_metrics,
        "features": {
            "word": len(word.terms),
            "char": len(char.terms),
            "cues": list(F.HAND_FEATURES),
        },
        "environment": {"python": platform.python_version(), "numpy": np.__version__},
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    (Path(out_dir) / L.CARD_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    log(
        f"wrote {out_dir}: version {card['version']}, C={C:g}, threshold {thr:.4f}, "
        f"dev F1 {dev_metrics['f1']:.4f} AP {dev_metrics['average_precision']:.4f}"
    )
    return card

"""Binary classification metrics in numpy (training and benchmark; no scikit-learn)."""

from __future__ import annotations

import numpy as np


def prf(labels, scores, threshold: float) -> dict[str, float]:
    """Precision, recall and F1 of the positive class for ``score >= threshold``."""
    y = np.asarray(labels, dtype=bool)
    pred = np.asarray(scores, dtype=np.float64) >= threshold
    tp = float(np.sum(pred & y))
    fp = float(np.sum(pred & ~y))
    fn = float(np.sum(~pred & y))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


def average_precision(labels, scores) -> float:
    """Step-wise AP, sum over thresholds of (R_n - R_{n-1}) * P_n (as scikit-learn computes it)."""
    y = np.asarray(labels, dtype=np.float64)
    s = np.asarray(scores, dtype=np.float64)
    if y.sum() == 0:
        return 0.0
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # last index of each distinct score
    tp = np.cumsum(y)[last]
    fp = (last + 1) - tp
    precision = tp / (tp + fp)
    recall = tp / y.sum()
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def best_threshold(labels, scores) -> tuple[float, float]:
    """The threshold that maximises F1 on these labels: (threshold, f1).

    Candidates are midpoints between consecutive distinct scores, so the chosen cut does not
    sit exactly on a training-set score.
    """
    s = np.unique(np.asarray(scores, dtype=np.float64))
    candidates = np.r_[s[0] - 1e-9, (s[:-1] + s[1:]) / 2] if len(s) > 1 else s
    best_t, best_f = 0.5, -1.0
    for t in candidates:
        f = prf(labels, scores, t)["f1"]
        if f > best_f:
            best_t, best_f = float(t), f
    return best_t, best_f


def evaluate(labels, scores, threshold: float) -> dict[str, float]:
    out = prf(labels, scores, threshold)
    out["average_precision"] = average_precision(labels, scores)
    out["n"] = len(labels)
    out["positives"] = int(np.sum(np.asarray(labels)))
    return out


def bootstrap_f1(labels, scores, threshold: float, *, resamples: int = 1000, seed: int = 0):
    """Percentile bootstrap 95% interval of positive-class F1 (items resampled with replacement)."""
    y = np.asarray(labels, dtype=bool)
    pred = np.asarray(scores, dtype=np.float64) >= threshold
    rng = np.random.default_rng(seed)
    n = len(y)
    values = np.empty(resamples)
    for i in range(resamples):
        idx = rng.integers(0, n, n)
        yy, pp = y[idx], pred[idx]
        tp = np.sum(yy & pp)
        denom = np.sum(yy) + np.sum(pp)
        values[i] = 2 * tp / denom if denom else 0.0
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)

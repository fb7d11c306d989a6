"""Metrics are computed without scikit-learn: check them against hand-worked cases."""

from __future__ import annotations

import pytest

from checkworthiness import metrics as M


def test_prf():
    out = M.prf([1, 1, 0, 0, 1], [0.9, 0.4, 0.6, 0.1, 0.8], 0.5)
    assert out["precision"] == pytest.approx(2 / 3)
    assert out["recall"] == pytest.approx(2 / 3)
    assert out["f1"] == pytest.approx(2 / 3)


def test_average_precision_matches_definition():
    # ranks: 0.9(+) 0.8(-) 0.7(+) 0.1(-): AP = 1/2 * 1 + 1/2 * 2/3
    assert M.average_precision([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1]) == pytest.approx(5 / 6)
    # ties form one threshold
    assert M.average_precision([1, 0], [0.5, 0.5]) == pytest.approx(0.5)


def test_best_threshold_separates():
    t, f1 = M.best_threshold([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9])
    assert 0.2 < t <= 0.7 and f1 == 1.0


def test_bootstrap_interval_contains_point():
    y = [1, 0] * 50
    s = [0.9 if (i % 3) else 0.1 for i in range(100)]
    point = M.prf(y, s, 0.5)["f1"]
    low, high = M.bootstrap_f1(y, s, 0.5, resamples=200)
    assert low <= point <= high
    assert (low, high) == M.bootstrap_f1(y, s, 0.5, resamples=200)  # seeded

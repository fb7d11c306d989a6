"""The sparse check-worthiness model: TF-IDF n-grams + hand-made cues, logistic regression.

Inference needs only numpy. Training (``fit``) also needs only numpy: the vocabulary, the IDF
weights and an L2-regularised logistic regression fitted by L-BFGS are implemented here, so the
training command has no scikit-learn dependency and the artifact holds no pickled objects.

Artifact (a directory):

* ``weights.npz``: ``word_idf``, ``word_coef``, ``char_idf``, ``char_coef``, ``hand_coef``
  (float32/float64 arrays) and ``bias``; loaded with ``allow_pickle=False``;
* ``vocab.json``: ``{"word": [...], "char": [...]}``, the n-grams in column order;
* ``model_card.json``: version, data checksums, hyper-parameters, threshold, metrics.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain, repeat
from pathlib import Path

import numpy as np

from . import features as F

WEIGHTS_FILE = "weights.npz"
VOCAB_FILE = "vocab.json"
CARD_FILE = "model_card.json"


def _grams(norms: list[str], kind: str) -> list[list[str]]:
    if kind == "word":
        return [F.word_ngrams(n) for n in norms]
    return [F.char_ngrams(n) for n in norms]


@dataclass
class Block:
    """One TF-IDF block: an ordered vocabulary and its IDF weights."""

    terms: list[str]
    idf: np.ndarray
    index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.index:
            self.index = {t: i for i, t in enumerate(self.terms)}

    @classmethod
    def fit(cls, docs: list[list[str]], min_df: int) -> Block:
        df: Counter[str] = Counter()
        for grams in docs:
            df.update(set(grams))
        terms = sorted(t for t, c in df.items() if c >= min_df)
        n = len(docs)
        idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in terms], dtype=np.float64)
        return cls(terms, idf)


@dataclass
class Design:
    """A sparse design matrix in coordinate form (rows sorted), plus dense hand features."""

    n_rows: int
    n_cols: int
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    hand: np.ndarray

    def dot(self, w: np.ndarray, w_hand: np.ndarray) -> np.ndarray:
        sparse = np.bincount(self.rows, weights=self.vals * w[self.cols], minlength=self.n_rows)
        return sparse + (self.hand * w_hand).sum(axis=1)

    def tdot(self, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        grad = np.bincount(self.cols, weights=self.vals * r[self.rows], minlength=self.n_cols)
        return grad, self.hand.T @ r


def _block_entries(
    grams: list[list[str]], index: dict[str, int], n_cols: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols, counts) of the known n-grams, sorted by row then column."""
    lengths = np.fromiter(map(len, grams), np.int64, len(grams))
    total = int(lengths.sum())
    # map() with dict.get and a repeated default runs the look-ups without a Python frame each
    ids = np.fromiter(
        map(index.get, chain.from_iterable(grams), repeat(-1, total)), np.int64, total
    )
    rows = np.repeat(np.arange(len(grams), dtype=np.int64), lengths)
    known = ids >= 0
    keys, counts = np.unique(rows[known] * n_cols + ids[known], return_counts=True)
    return keys // n_cols, keys % n_cols, counts


def design(texts: list[str], word: Block, char: Block) -> Design:
    """Featurise ``texts``: sublinear TF-IDF per block, each block L2-normalised per row.

    Each row is computed from its own text only, in a fixed order, so a sentence gets the same
    features (and the same score, to the last bit) whatever batch it is scored in.
    """
    norms = [F.normalise(t) for t in texts]
    n = len(texts)
    parts = []
    for _block_id, block, grams, offset in (
        (0, word, [F.word_ngrams(t) for t in norms], 0),
        (1, char, [F.char_ngrams(t) for t in norms], len(word.terms)),
    ):
        rows, cols, counts = _block_entries(grams, block.index, max(1, len(block.terms)))
        vals = (1.0 + np.log(counts.astype(np.float64))) * block.idf[cols]
        norm = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=n))
        parts.append((rows, cols + offset, vals / np.where(norm > 0, norm, 1.0)[rows]))
    # word entries of every row, then char entries: rows stay contiguous after a stable sort
    rows = np.concatenate([p[0] for p in parts])
    order = np.argsort(rows, kind="stable")
    hand = np.array([F.hand_features(t) for t in norms], dtype=np.float64).reshape(
        n, len(F.HAND_FEATURES)
    )
    return Design(
        n,
        len(word.terms) + len(char.terms),
        rows[order],
        np.concatenate([p[1] for p in parts])[order],
        np.concatenate([p[2] for p in parts])[order],
        hand,
    )


def _sigmoid(z: np.ndarray) -> np.ndarray:
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def lbfgs(
    fun,
    x0: np.ndarray,
    *,
    memory: int = 10,
    max_iter: int = 1000,
    gtol: float = 1e-3,
    ftol: float = 1e-8,
):
    """Minimise a smooth convex ``fun(x) -> (f, grad)`` with L-BFGS and Armijo backtracking."""
    x = x0.astype(np.float64).copy()
    f, g = fun(x)
    S: list[np.ndarray] = []
    Y: list[np.ndarray] = []
    iters = 0
    for iters in range(1, max_iter + 1):  # noqa: B007 (read after the loop)
        if np.max(np.abs(g)) < gtol:
            break
        q = g.copy()
        stack = []
        for s, y in zip(reversed(S), reversed(Y)):
            rho = 1.0 / (y @ s)
            a = rho * (s @ q)
            q -= a * y
            stack.append((rho, a, s, y))
        if S:
            q *= (S[-1] @ Y[-1]) / (Y[-1] @ Y[-1])
        else:
            q /= max(1.0, np.linalg.norm(g))
        for rho, a, s, y in reversed(stack):
            q += s * (a - rho * (y @ q))
        d = -q
        slope = g @ d
        if slope >= 0:  # not a descent direction: restart from steepest descent
            S.clear(), Y.clear()
            d = -g / max(1.0, np.linalg.norm(g))
            slope = g @ d
        t = 1.0
        while True:
            x_new = x + t * d
            f_new, g_new = fun(x_new)
            if f_new <= f + 1e-4 * t * slope or t < 1e-12:
                break
            t *= 0.5
        s, y = x_new - x, g_new - g
        if y @ s > 1e-12:
            S.append(s), Y.append(y)
            if len(S) > memory:
                S.pop(0), Y.pop(0)
        converged = abs(f - f_new) <= ftol * max(1.0, abs(f))
        x, f, g = x_new, f_new, g_new
        if converged:
            break
    return x, f, iters


def fit_logistic(
    X: Design, y: np.ndarray, *, C: float, class_weight: str | None = None, max_iter: int = 1000
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """L2 logistic regression: minimise C * sum(weight * logloss) + ||w||^2 / 2 (bias free)."""
    y = np.asarray(y, dtype=np.float64)
    sw = np.ones_like(y)
    if class_weight == "balanced":
        pos = y.sum()
        sw = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * (len(y) - pos)))
    n_sparse, n_hand = X.n_cols, X.hand.shape[1]
    sign = 2 * y - 1

    def fun(theta: np.ndarray):
        w, wh, b = theta[:n_sparse], theta[n_sparse:-1], theta[-1]
        z = X.dot(w, wh) + b
        m = sign * z
        loss = np.logaddexp(0.0, -m)
        r = -C * sw * sign * _sigmoid(-m)
        gw, gh = X.tdot(r)
        f = C * (sw @ loss) + 0.5 * (w @ w + wh @ wh)
        grad = np.concatenate([gw + w, gh + wh, [r.sum()]])
        return f, grad

    theta, _, iters = lbfgs(fun, np.zeros(n_sparse + n_hand + 1), max_iter=max_iter)
    return theta[:n_sparse], theta[n_sparse:-1], float(theta[-1]), iters


@dataclass
class SparseModel:
    word: Block
    char: Block
    coef: np.ndarray  # word columns then char columns
    hand_coef: np.ndarray
    bias: float
    hand_scale: float = 1.0

    @classmethod
    def fit(
        cls,
        texts: list[str],
        labels: list[int],
        *,
        C: float = 2.0,
        min_df: int = 2,
        hand_scale: float = 1.0,
        class_weight: str | None = None,
    ) -> SparseModel:
        norms = [F.normalise(t) for t in texts]
        word = Block.fit(_grams(norms, "word"), min_df)
        char = Block.fit(_grams(norms, "char"), min_df)
        X = design(texts, word, char)
        X.hand *= hand_scale
        coef, hand_coef, bias, _ = fit_logistic(
            X, np.asarray(labels), C=C, class_weight=class_weight
        )
        return cls(word, char, coef, hand_coef, bias, hand_scale)

    def decision(self, texts: list[str]) -> np.ndarray:
        X = design(list(texts), self.word, self.char)
        return X.dot(self.coef, self.hand_coef * self.hand_scale) + self.bias

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return _sigmoid(self.decision(texts))

    # -- artifact ---------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        nw = len(self.word.terms)
        with open(directory / WEIGHTS_FILE, "wb") as handle:
            np.savez_compressed(
                handle,
                word_idf=self.word.idf.astype(np.float32),
                char_idf=self.char.idf.astype(np.float32),
                word_coef=self.coef[:nw].astype(np.float32),
                char_coef=self.coef[nw:].astype(np.float32),
                hand_coef=(self.hand_coef * self.hand_scale).astype(np.float32),
                bias=np.array([self.bias], dtype=np.float64),
            )
        vocab = {"word": self.word.terms, "char": self.char.terms}
        (directory / VOCAB_FILE).write_text(
            json.dumps(vocab, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path) -> SparseModel:
        directory = Path(directory)
        vocab = json.loads((directory / VOCAB_FILE).read_text(encoding="utf-8"))
        with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        word = Block(list(vocab["word"]), arrays["word_idf"].astype(np.float64))
        char = Block(list(vocab["char"]), arrays["char_idf"].astype(np.float64))
        if len(word.terms) != len(arrays["word_coef"]) or len(char.terms) != len(
            arrays["char_coef"]
        ):
            raise ValueError("vocabulary and weights do not match")
        hand_coef = arrays["hand_coef"].astype(np.float64)
        if len(hand_coef) != len(F.HAND_FEATURES):
            raise ValueError("hand-feature weights do not match this code's features")
        coef = np.concatenate([arrays["word_coef"], arrays["char_coef"]]).astype(np.float64)
        return cls(word, char, coef, hand_coef, float(arrays["bias"][0]), 1.0)


def content_version(model: SparseModel, prefix: str = "cw-tfidf-lr") -> str:
    """A version string derived from the artifact's content (weights as saved, vocabulary).

    The arrays are rounded to float32 as they are saved, so the version computed before saving
    equals the one computed after loading.
    """
    import hashlib

    digest = hashlib.sha256()
    nw = len(model.word.terms)
    vocab = {"word": model.word.terms, "char": model.char.terms}
    digest.update(json.dumps(vocab, ensure_ascii=False, separators=(",", ":")).encode())
    for array in (
        model.word.idf.astype(np.float32),
        model.char.idf.astype(np.float32),
        model.coef[:nw].astype(np.float32),
        model.coef[nw:].astype(np.float32),
        (model.hand_coef * model.hand_scale).astype(np.float32),
        np.array([model.bias], dtype=np.float64),
    ):
        digest.update(np.ascontiguousarray(array).tobytes())
    return f"{prefix}-{digest.hexdigest()[:12]}"

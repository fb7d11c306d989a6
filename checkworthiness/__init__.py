"""Check-worthiness scores for claims (sentences of news articles), Django-free.

Inference API (onnxruntime, tokenizers and numpy at run time; no Django, no torch)::

    import checkworthiness

    scores = checkworthiness.score(["Unemployment fell to 3.9% in May.", "Here is an overview."])
    # -> [0.9..., 0.0...]: one float in [0, 1] per sentence, same order; deterministic
    checkworthiness.MODEL_VERSION   # str, store it next to each score
    checkworthiness.threshold()     # the cut chosen on the CheckThat! dev split (F1 of "Yes")

* ``score(sentences)`` scores a batch (one article's sentences in one call is the intended use).
  A sentence's score does not depend on the other sentences of the batch. The artifact in
  ``model/`` is loaded lazily, once per process (thread-safe), on the first call.
* If the artifact is missing, unreadable or does not match its model card, ``score`` raises
  :class:`ModelUnavailable` (a ``RuntimeError``) with a message saying what is wrong and how to
  rebuild it; ``try_score`` returns ``None`` in that case instead (and logs the reason once),
  for callers that would rather store no score than fail. Neither ever returns a partial list.
* ``MODEL_VERSION`` is read from ``model/model_card.json`` at import (a few KB, no weights). It
  is derived from the content of the model's files (the encoder's graph and its base package's
  weights and tokenizer; the sparse baseline's weights and vocabulary), so it changes whenever
  any of them changes; loading checks that the files match it. If the card is
  missing it is ``"unavailable"`` (and ``score`` raises).
* ``load(path)`` returns a :class:`Scorer` for an artifact elsewhere (tests, a retrained model).

The shipped model is the encoder (``encoder.py``); a card without ``backend`` is the sparse
TF-IDF baseline (``linear.py``). Scores are a hint to order the review queue, never a verdict.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "model"
UNAVAILABLE = "unavailable"

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_MODEL_DIR",
    "MODEL_VERSION",
    "THRESHOLD",
    "ModelUnavailable",
    "Scorer",
    "load",
    "score",
    "threshold",
    "try_score",
]


class ModelUnavailable(RuntimeError):
    """The check-worthiness artifact cannot be used (missing, corrupt or mismatched)."""


def _read_card(directory: Path) -> dict:
    from .linear import CARD_FILE

    path = Path(directory) / CARD_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelUnavailable(
            f"check-worthiness model card not found: {path}. Build the artifact with "
            "`python manage.py train_checkworthiness --out {dir}`."
        ) from exc
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"check-worthiness model card unreadable: {path}: {exc}") from exc


def _card_version(directory: Path) -> str:
    try:
        return str(_read_card(directory)["version"])
    except (ModelUnavailable, KeyError):
        return UNAVAILABLE


def _load_backend(backend: str, directory: Path, card_version: str | None):
    """The model of a card's ``backend``, after checking that its files are the card's version."""

    def check(version: str) -> None:
        if version != card_version:
            raise ModelUnavailable(
                f"check-worthiness artifact in {directory} does not match its model card "
                f"(its files are {version}, card says {card_version}): retrain, or restore the "
                "artifact and the base package it was trained with."
            )

    if backend == "encoder":
        from . import encoder

        digests = encoder.file_digests(directory, encoder.base_model_dir())
        check(encoder.content_version(digests))  # before any byte of the graph is parsed
        return encoder.EncoderModel.load(directory, digests)
    if backend == "sparse":
        from .linear import SparseModel, content_version

        model = SparseModel.load(directory)
        check(content_version(model))
        return model
    raise ValueError(f"unknown backend {backend!r} in the model card")


class Scorer:
    """A loaded artifact. Use :func:`load`; the module-level functions share one instance."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.card = _read_card(self.directory)
        self.backend: str = self.card.get("backend", "sparse")
        try:
            self.model = _load_backend(self.backend, self.directory, self.card.get("version"))
        except ModelUnavailable:
            raise
        except ImportError as exc:  # a runtime requirement is absent; say which
            raise ModelUnavailable(f"check-worthiness needs {exc.name or exc}: {exc}") from exc
        except (OSError, ValueError, KeyError) as exc:
            raise ModelUnavailable(
                f"check-worthiness artifact unusable in {self.directory}: {exc}"
            ) from exc
        self.version: str = self.card["version"]
        self.threshold: float = float(self.card["threshold"])

    def score(self, sentences: list[str]) -> list[float]:
        sentences = list(sentences)
        for s in sentences:
            if not isinstance(s, str):
                raise TypeError(f"sentences must be str, got {type(s).__name__}")
        if not sentences:
            return []
        return [float(p) for p in self.model.predict_proba(sentences)]


def load(directory: Path | str | None = None) -> Scorer:
    """Load an artifact directory (default: the shipped ``model/``). Raises ModelUnavailable."""
    return Scorer(Path(directory) if directory is not None else DEFAULT_MODEL_DIR)


MODEL_VERSION: str = _card_version(DEFAULT_MODEL_DIR)


def _card_threshold(directory: Path) -> float | None:
    try:
        return float(_read_card(directory)["threshold"])
    except (ModelUnavailable, KeyError, TypeError, ValueError):
        return None


# The cut of the shipped model, read from its card like MODEL_VERSION (pages show "worth
# checking" above it without loading the weights); None without a card.
THRESHOLD: float | None = _card_threshold(DEFAULT_MODEL_DIR)

_lock = threading.Lock()
_scorer: Scorer | None = None
_warned = False


def _default() -> Scorer:
    global _scorer
    if _scorer is None:
        with _lock:
            if _scorer is None:
                scorer = load(DEFAULT_MODEL_DIR)
                if scorer.version != MODEL_VERSION:
                    raise ModelUnavailable(
                        f"check-worthiness artifact changed under a running process "
                        f"({MODEL_VERSION} at import, {scorer.version} now): restart it."
                    )
                _scorer = scorer
    return _scorer


def score(sentences: list[str]) -> list[float]:
    """Scores in [0, 1] for each sentence, in order. Raises ModelUnavailable (see module doc)."""
    return _default().score(sentences)


def try_score(sentences: list[str]) -> list[float] | None:
    """Like :func:`score`, but returns None (and logs once) when the model is unavailable."""
    global _warned
    try:
        return score(sentences)
    except ModelUnavailable as exc:
        if not _warned:
            log.warning("check-worthiness scoring disabled: %s", exc)
            _warned = True
        return None


def threshold() -> float:
    """The score above which a sentence counts as check-worthy (chosen on CheckThat! dev)."""
    return _default().threshold

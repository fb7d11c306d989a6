"""Check-worthiness benchmark: quality on CheckThat! 2024 English and ClaimBuster, speed on one core.

    .venv/bin/python -m benchmarks.checkworthiness [--shared ../shared/benchmarks]
        [--model checkworthiness/model] [--resamples 1000] [--skip-baseline]

Prints, for the shipped artifact (checkpoint and threshold chosen on CT24 `dev` at training
time; `dev-test` and `test_gold` are never used for any choice):

* F1 of the positive class, precision, recall and average precision on `dev-test` and
  `test_gold`, with a percentile bootstrap 95% interval of F1 (items resampled, seeded);
* ClaimBuster `groundtruth.csv` CFS-vs-rest F1 of a model trained on `crowdsourced.csv`: CT24's
  train split IS crowdsourced.csv (the same 22,501 sentence ids and labels) and its dev split IS
  groundtruth.csv, so the shipped model is that model; scored on the CSV's own text;
* scoring time per 25-sentence article on ONE core (BLAS/onnxruntime threads = 1, process pinned
  to CPU 0 when the OS allows), model already loaded; cold load time apart;
* the reference measured in the same run: the sparse TF-IDF baseline (`--backend sparse`,
  C = 2), fitted here on the same train split with its threshold on dev, and the ratios.

Needs ../shared (the app does not). Takes a few minutes (fitting the baseline takes most).
"""

from __future__ import annotations

# One core: these must be set before numpy is imported.
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


import checkworthiness as cw
from checkworthiness import data as D
from checkworthiness import linear as L
from checkworthiness import metrics as M

ANCHORS = [
    ("TF-IDF word+char n-grams, linear model (anchor)", "0.74", "0.61-0.63", "~6 ms"),
    ("MiniLM fine-tuned on CPU, int8 (anchor)", "0.83", "0.68", "~250 ms"),
    ("goal", ">= 0.85", ">= 0.70", "< 50 ms"),
]
SPLITS = ("dev", "dev-test", "test_gold")


def pin_one_core() -> str:
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        return f"pinned to CPU {min(os.sched_getaffinity(0))}"
    except (AttributeError, OSError) as exc:  # pragma: no cover - non-Linux
        return f"not pinned ({exc})"


def line(name: str, m: dict, ci: tuple[float, float] | None = None) -> str:
    text = (
        f"  {name:<12} n={m['n']:<5} pos={m['positives']:<4} F1 {m['f1']:.3f}  "
        f"P {m['precision']:.3f}  R {m['recall']:.3f}  AP {m['average_precision']:.3f}"
    )
    if ci:
        text += f"  F1 95% CI [{ci[0]:.3f}, {ci[1]:.3f}]"
    return text


def timing(score, articles: list[list[str]], count: int) -> list[float]:
    """Milliseconds per article for `count` calls (after 5 warm-up calls), sorted."""
    for article in articles[:5]:
        score(article)
    times = []
    for i in range(count):
        article = articles[i % len(articles)]
        started = time.perf_counter()
        score(article)
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def summary(times: list[float]) -> str:
    p95 = times[int(0.95 * (len(times) - 1))]
    return (
        f"median {statistics.median(times):.2f} ms, mean {statistics.fmean(times):.2f} ms, "
        f"p95 {p95:.2f} ms"
    )


def quality(score, splits: dict[str, D.Split], thr: float, resamples: int) -> dict[str, dict]:
    """Print and return the CT24 figures of one scorer at its dev threshold."""
    out = {}
    for name, split in splits.items():
        scores = score(split.texts)
        m = M.evaluate(split.labels, scores, thr)
        ci = None
        if name != "dev":
            ci = M.bootstrap_f1(split.labels, scores, thr, resamples=resamples, seed=0)
        print(line(name + (" (tuned)" if name == "dev" else ""), m, ci))
        out[name] = m
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "benchmarks")
    parser.add_argument("--model", type=Path, default=cw.DEFAULT_MODEL_DIR)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--timing-articles", type=int, default=300)
    parser.add_argument(
        "--skip-baseline",
        action="store_true",
        help="do not fit and measure the sparse TF-IDF reference",
    )
    args = parser.parse_args(argv)

    pinned = pin_one_core()
    t0 = time.perf_counter()
    scorer = cw.load(args.model)
    load_ms = (time.perf_counter() - t0) * 1000
    size = sum(p.stat().st_size for p in Path(args.model).iterdir() if p.is_file())
    card = scorer.card
    thr = scorer.threshold
    print(f"model {scorer.version} ({card['kind']})")
    print(
        f"artifact {args.model}: {size / 1e6:.2f} MB (+ the base package's tokenizer and "
        f"frozen word embeddings); threshold {thr:.4f} (chosen on CT24 dev); "
        f"trained in {card.get('training_seconds', '?')} s"
    )

    print("\nCheckThat! 2024 Task 1 English (positive class = Yes), threshold from dev:")
    splits = {name: D.load_ct24(args.shared, name) for name in SPLITS}
    shipped = quality(scorer.score, splits, thr, args.resamples)
    print(
        f"  (bootstrap: {args.resamples} resamples of the sentences, percentile interval, seed 0)"
    )

    print(
        "\nClaimBuster (CFS vs NFS+UFS): trained on crowdsourced.csv (= CT24 train), "
        "tested on groundtruth.csv"
    )
    cb_test = D.load_claimbuster(args.shared, "groundtruth")
    scores = scorer.score(cb_test.texts)
    print(
        line(
            "thr 0.50",
            M.evaluate(cb_test.labels, scores, 0.5),
            M.bootstrap_f1(cb_test.labels, scores, 0.5, resamples=args.resamples),
        )
    )
    print(line(f"thr {thr:.2f}", M.evaluate(cb_test.labels, scores, thr)))
    print(
        f"  (0.50 is untuned; groundtruth.csv IS CT24 dev, where the checkpoint and the {thr:.2f} "
        "threshold were chosen, so the second line is optimistic)"
    )

    # Speed: 25-sentence articles made of consecutive dev-test + test_gold sentences.
    pool = splits["dev-test"].texts + splits["test_gold"].texts
    articles = [pool[i : i + 25] for i in range(0, len(pool) - 24, 25)]
    times = timing(scorer.score, articles, args.timing_articles)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\nSpeed on one core ({pinned}; BLAS and onnxruntime threads 1): {len(times)} articles "
        f"of 25 sentences"
    )
    print(
        f"  (machine load average {load} on {os.cpu_count()} cores: other processes share the core)"
    )
    print(
        f"  per article: {summary(times)}; cold load of the artifact {load_ms:.0f} ms "
        "(once per process)"
    )

    if not args.skip_baseline:
        train = D.load_ct24(args.shared, "train")
        print(
            "\nReference in the same run: sparse TF-IDF baseline (word 1-2 + char 2-5 n-grams + "
            "cues, logistic regression, C = 2), fitted here on CT24 train, threshold on dev:"
        )
        started = time.perf_counter()
        baseline = L.SparseModel.fit(train.texts, train.labels, C=2.0)
        fitted = time.perf_counter() - started
        base_thr, _ = M.best_threshold(
            splits["dev"].labels, baseline.predict_proba(splits["dev"].texts)
        )
        reference = quality(baseline.predict_proba, splits, base_thr, args.resamples)
        base_times = timing(baseline.predict_proba, articles, args.timing_articles)
        print(
            f"  per article: {summary(base_times)} (fitted in {fitted:.0f} s, threshold {base_thr:.4f})"
        )
        print(
            "  shipped vs reference: "
            + "; ".join(
                f"{name} F1 {shipped[name]['f1'] - reference[name]['f1']:+.3f} "
                f"AP {shipped[name]['average_precision'] - reference[name]['average_precision']:+.3f}"
                for name in SPLITS[1:]
            )
            + f"; time per article x{statistics.median(times) / statistics.median(base_times):.1f}"
        )

    print("\nAnchors (measured on this kind of machine; F1 dev-test / test_gold / ms per article):")
    for name, a, b, c in ANCHORS:
        print(f"  {name:<50} {a:>8} {b:>10} {c:>9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

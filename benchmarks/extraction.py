"""Benchmark of the extraction engine.

    .venv/bin/python -m benchmarks.extraction [--shared PATH]

Prints, in one run:

* the Golden Rules score of `split_sentences` on <shared>/benchmarks/golden_rules_en.json (52
  cases, sentence lists compared after stripping), the failing rule ids, and pysbd's score on the
  same cases for reference;
* full-extraction throughput (one `extract()` call per article, single process) on a generated
  corpus of distinct articles (benchmarks/corpus_gen.py), median of 7 runs, and in the same run
  the throughput of a pysbd pipeline (`Segmenter(language="en", clean=False, char_span=True)`,
  built once) on the same texts, median of 3 runs, interleaved with ours so that both see the
  same machine load; wall-clock and CPU-time figures and their ratio;
* linear-cost figures: a 1 MB and a 10 MB article without paragraph breaks, ~100k and ~1M short
  lines, each with its seconds per MB;
* peak memory for a 10 MB input (tracemalloc peak, and the growth of the process's max RSS).

MB means 10**6 bytes of UTF-8.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pathlib
import random
import resource
import statistics
import sys
import time
import tracemalloc

from benchmarks.corpus_gen import corpus, long_article, short_lines
from extraction import EXTRACTOR_VERSION, extract, split_sentences

REPO = pathlib.Path(__file__).resolve().parent.parent


def _mb(texts: list[str]) -> float:
    return sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1e6


def golden_rules(path: pathlib.Path) -> None:
    rules = json.loads(path.read_text(encoding="utf-8"))
    failed = []
    for rule in rules:
        text = rule["text"]
        got = [text[s:e].strip() for s, e in split_sentences(text)]
        want = [s.strip() for s in rule["sentences"]]
        if got != want:
            failed.append(rule["id"])
    print(f"golden rules: {len(rules) - len(failed)}/{len(rules)}")
    print(f"  failing: {', '.join(failed) or '-'}")
    try:
        import pysbd
    except ImportError:
        print("  pysbd not installed: no reference score")
        return
    seg = pysbd.Segmenter(language="en", clean=False)
    ok = 0
    pysbd_failed = []
    for rule in rules:
        try:
            got = [s.strip() for s in seg.segment(rule["text"]) if s.strip()]
        except Exception:  # pysbd raises on a few inputs; that counts as a miss
            got = None
        if got == [s.strip() for s in rule["sentences"]]:
            ok += 1
        else:
            pysbd_failed.append(rule["id"])
    print(f"  pysbd 0.3.4 (clean=False) on the same cases: {ok}/{len(rules)}")
    print(f"  pysbd failing: {', '.join(pysbd_failed)}")


def _timed(fn) -> tuple[float, float]:
    gc.collect()
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def throughput(runs: int = 7, ref_runs: int = 3) -> None:
    texts = corpus(1_200_000)
    size = _mb(texts)
    print(
        f"throughput corpus: {len(texts)} distinct generated articles, {size:.2f} MB "
        f"(mean {size * 1e6 / len(texts):.0f} bytes)"
    )

    def ours() -> None:
        for t in texts:
            extract(t)

    try:
        import pysbd

        seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
    except ImportError:
        seg = None

    def reference() -> None:
        for t in texts:
            seg.segment(t)

    ours()  # warm-up (imports, regex caches)
    mine: list[tuple[float, float]] = []
    ref: list[tuple[float, float]] = []
    paired: list[tuple[float, float]] = []  # (ours/pysbd wall ratio, CPU ratio) of one round
    for i in range(runs):
        mine.append(_timed(ours))
        if seg is not None and i < ref_runs:
            ref.append(_timed(reference))
            paired.append((ref[-1][0] / mine[-1][0], ref[-1][1] / mine[-1][1]))
    wall = statistics.median(w for w, _ in mine)
    cpu = statistics.median(c for _, c in mine)
    print(
        f"extract(): {size / wall:.1f} MB/s wall, {size / cpu:.1f} MB/s CPU "
        f"(median of {runs}; wall runs {', '.join(f'{size / w:.1f}' for w, _ in mine)})"
    )
    if ref:
        rwall = statistics.median(w for w, _ in ref)
        rcpu = statistics.median(c for _, c in ref)
        print(
            f"pysbd reference (segment only, char_span=True): {size / rwall:.2f} MB/s wall, "
            f"{size / rcpu:.2f} MB/s CPU (median of {len(ref)})"
        )
        print(
            f"ratio extract()/pysbd: {statistics.median(r for r, _ in paired):.0f}x wall, "
            f"{statistics.median(r for _, r in paired):.0f}x CPU (median over {len(paired)} "
            "rounds, each timing both back to back)"
        )


def linear_cost() -> None:
    r = random.Random(7)
    cases = [
        ("1 MB article, no paragraph break", long_article(r, 1_000_000)),
        ("10 MB article, no paragraph break", long_article(r, 10_000_000)),
        ("~100k short lines", short_lines(r, 100_000)),
        ("~1M short lines", short_lines(r, 1_000_000)),
    ]
    print("linear cost (one extract() call each):")
    for label, text in cases:
        size = len(text.encode("utf-8")) / 1e6
        holder: list = []
        wall, cpu = _timed(lambda: holder.append(extract(text)))
        claims = len(holder[0].claims)
        holder.clear()
        print(
            f"  {label:36s} {size:6.2f} MB  {wall:6.2f} s  {wall / size:5.3f} s/MB  "
            f"({claims} claims)"
        )


def peak_memory() -> None:
    r = random.Random(11)
    text = long_article(r, 10_000_000)
    size = len(text.encode("utf-8")) / 1e6
    gc.collect()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = extract(text)
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    n = len(result.claims)
    del result
    gc.collect()
    tracemalloc.start()
    result = extract(text)
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    print(
        f"peak memory, {size:.1f} MB input ({n} claims): tracemalloc peak {peak / 1e6:.0f} MB; "
        f"max RSS grew by {(rss1 - rss0) / 1e3:.0f} MB"
        f" (input string itself: {sys.getsizeof(text) / 1e6:.0f} MB)"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=str(REPO.parent / "shared"), help="path of ../shared")
    a = ap.parse_args(argv)
    load = os.getloadavg()
    print(
        f"extractor {EXTRACTOR_VERSION}, Python {sys.version.split()[0]}; "
        f"machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    rules = pathlib.Path(a.shared) / "benchmarks" / "golden_rules_en.json"
    if rules.exists():
        golden_rules(rules)
    else:
        print(f"golden rules: {rules} not found, skipped")
    throughput()
    peak_memory()
    linear_cost()
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()

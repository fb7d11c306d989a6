"""Benchmark of the review-round diff (issue 20) on adversarial edits.

    .venv/bin/python -m benchmarks.diff [--sizes 8000,16000,32000] [--runs 5]
                                        [--reference-limit 30]

For each shape of edit, old and new text of n one-line units each (n = 8k, 16k, 32k):

* identical lines, two edits: the same line n times; lines n/3 and 2n/3 changed (the common start
  and end do not settle it: the middle is one repeated line);
* one changed in the middle of n identical lines;
* alternating two lines, shifted by one (first line dropped, one appended);
* reversed: n distinct lines, reversed;
* shuffled: n distinct lines, in a random (seeded) order;
* all changed: n distinct lines, every one altered;

it prints, median of `--runs`:

* ingest: `extraction.extract(new)`, what the worker does with the edited text before storing it;
* diff: `articles.diffing.diff_for_review(old, new)`, what the worker now does once per round
  (cut into units, compare, count, fold), and whether it came out "too large";
* x2: time(n) / time(n/2) of the diff: about 2 means linear growth;
* difflib: the old comparison, `difflib.SequenceMatcher(None, units(old), units(new),
  autojunk=False).get_opcodes()`, timed in the same run (one run each). It grows with the square
  of n or worse on repetitive shapes, so it is measured at n/4 and n/2 of the smallest size, and at
  a size only while its time projected from the size before (the growth seen so far) stays under
  `--reference-limit` seconds; the others say "skipped" with the projection.

The 32k-unit texts of distinct lines are larger than an article may be (200,000 characters): they
are here for the growth, not as inputs the app accepts. Pure Python, no database; the whole worker
path of a 48 KB edit (9,600 claims stored and the round diffed) is timed by
tests/articles/test_review_rounds.py.
"""

from __future__ import annotations

import argparse
import difflib
import math
import random
import statistics
import time
from collections.abc import Callable

from articles.diffing import diff_for_review, units
from extraction import extract


def shapes(n: int) -> dict[str, tuple[str, str]]:
    same = ["Yes.\n"] * n
    two_edits = list(same)
    two_edits[n // 3], two_edits[2 * n // 3] = "No, said the clerk.\n", "Maybe, said the mayor.\n"
    middle = list(same)
    middle[n // 2] = "No, said the clerk.\n"
    alternating = ["Yes.\n" if i % 2 else "No.\n" for i in range(n)]
    distinct = [f"Item {i} passed.\n" for i in range(n)]
    shuffled = list(distinct)
    random.Random(n).shuffle(shuffled)
    return {
        "identical lines, two edits": ("".join(same), "".join(two_edits)),
        "one changed in the middle": ("".join(same), "".join(middle)),
        "alternating, shifted by one": ("".join(alternating), "".join(alternating[1:] + ["No.\n"])),
        "reversed": ("".join(distinct), "".join(reversed(distinct))),
        "shuffled": ("".join(distinct), "".join(shuffled)),
        "all changed": (
            "".join(distinct),
            "".join(u.replace("passed", "failed") for u in distinct),
        ),
    }


def timed(function: Callable[[], object], runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def old_difflib(old: str, new: str) -> None:
    difflib.SequenceMatcher(None, units(old), units(new), autojunk=False).get_opcodes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="8000,16000,32000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reference-limit", type=float, default=30.0)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    probes = [sizes[0] // 4, sizes[0] // 2]

    print(
        f"median of {args.runs} runs; difflib one run, skipped when projected over "
        f"{args.reference_limit:.0f} s"
    )
    print(
        f"{'shape':<28} {'units':>6} {'KB':>5} {'ingest':>9} {'diff':>9} {'x2':>5}  "
        f"{'result':<26} {'difflib':>10}"
    )
    for name in shapes(8):
        previous_diff: float | None = None
        reference: dict[int, float] = {}
        for n in probes:
            old, new = shapes(n)[name]
            reference[n], _ = timed(lambda: old_difflib(old, new), 1)
        for n in sizes:
            old, new = shapes(n)[name]
            ingest, _ = timed(lambda: extract(new), max(1, args.runs // 2))
            diff, result = timed(lambda: diff_for_review(old, new), args.runs)
            growth = f"{diff / previous_diff:5.2f}" if previous_diff else "    -"
            previous_diff = diff
            if result.too_large:
                outcome = "too large" + (
                    f" (+{result.inserted} -{result.deleted})"
                    if result.inserted is not None
                    else " (given up)"
                )
            else:
                outcome = f"+{result.inserted} -{result.deleted}, {len(result.segments)} segments"
            # The growth per doubling seen between the last two measured sizes (at least 2).
            known = sorted(reference)
            last, before = reference[known[-1]], reference[known[-2]]
            per_doubling = max(2.0, last / before if before > 0 else 2.0)
            projected = last * per_doubling ** math.log2(n / known[-1])
            if projected <= args.reference_limit:
                reference[n], _ = timed(lambda: old_difflib(old, new), 1)
                old_text = f"{reference[n]:9.2f}s"
            else:
                old_text = f"skip ~{projected:,.0f}s"
            print(
                f"{name:<28} {n:>6} {len(new) // 1000:>5} {ingest * 1000:>7.1f}ms "
                f"{diff * 1000:>7.1f}ms {growth}  {outcome:<26} {old_text:>10}",
                flush=True,
            )
        probe_text = ", ".join(f"{n}: {reference[n]:.2f}s" for n in probes)
        print(f"{'':<28} difflib at {probe_text}")


if __name__ == "__main__":
    main()

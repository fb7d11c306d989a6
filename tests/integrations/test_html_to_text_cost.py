"""HTML conversion takes time linear in the HTML, whatever its shape (issue 20, item 1).

Each shape here was quadratic before: the converter re-joined the current line for every chunk of
text, and html.parser rescanned the rest of the document from every `<` it could not close. For
4x the input a linear conversion takes about 4x as long, a quadratic one about 16x: the bound, 8x,
is their geometric middle, so neither load on the machine nor a lucky run can make one pass for
the other. Times are this process's CPU seconds; the small input's is the best of three and is
taken as at least 5 ms (below that, timer and allocator noise dominate); the large input is run
up to three times, until one run is within the bound. `python -m benchmarks.ingestion` prints
the figures for these shapes and more.
"""

from __future__ import annotations

import time

import pytest

from integrations.html_to_text import html_to_text

SIZE = 40_000  # characters of the small input; the large one has four times as many
GROWTH_BOUND = 8.0
FLOOR_SECONDS = 0.005

# (prefix, repeated unit)
SHAPES = {
    "many tiny inline tags": ("<p>", "a<b>"),
    "white space between inline tags": ("<p>", "a<b> </b>"),
    "many anchors": ("<p>", "<a href=#>a</a>"),
    "a literal < in text": ("<p>", "a < "),
    "blocks inside a list item": ("<ul><li>", "a<div>"),
    "start tags cut off by the end": ("x", "<a "),
    "quoted > in tags cut off by the end": ("<p>", "<a b='>'"),
    "unclosed comments": ("<p>x", "<!--x>"),
    "unclosed marked sections": ("<p>x", "<![if x>"),
    "end tags cut off by the end": ("<p>x", "</a"),
}


def _cpu_seconds(html: str) -> float:
    start = time.process_time()
    html_to_text(html)
    return time.process_time() - start


@pytest.mark.parametrize(("prefix", "unit"), SHAPES.values(), ids=SHAPES.keys())
def test_four_times_the_html_takes_less_than_eight_times_as_long(prefix, unit):
    small = prefix + unit * (SIZE // len(unit))
    large = prefix + unit * (4 * SIZE // len(unit))
    small_seconds = max(min(_cpu_seconds(small) for _ in range(3)), FLOOR_SECONDS)

    large_runs: list[float] = []
    while len(large_runs) < 3:
        large_runs.append(_cpu_seconds(large))
        if large_runs[-1] < GROWTH_BOUND * small_seconds:
            break

    assert min(large_runs) < GROWTH_BOUND * small_seconds, (
        f"{len(small):,} chars: {small_seconds:.3f} s; {len(large):,} chars: "
        f"{min(large_runs):.3f} s ({min(large_runs) / small_seconds:.1f}x)"
    )

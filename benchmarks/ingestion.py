"""Benchmark of HTML ingestion (`integrations/html_to_text.py`), the part of an API create that
runs in the web request.

    .venv/bin/python -m benchmarks.ingestion [--runs N]

Prints, in one run:

* realistic feed HTML (articles of benchmarks/corpus_gen.py in page markup: header, navigation,
  inline links and emphasis, lists, related links, a table, figures, scripts, styles, comments)
  at 100 KB, 1 MB and the API's 1,000,000-character limit (`API_MAX_HTML_CHARS`): markup
  openings (what `API_MAX_HTML_ELEMENTS` counts), conversion time, MB/s;
* hostile shapes (deep nesting of several tags, many tiny inline tags, huge attributes, entity
  runs, many `<br>`, list items, anchors, a huge single text run, markup cut off by the end,
  comments, ...), each at 250,000, 500,000 and 1,000,000 characters, with the ratio of the times
  for twice the input (a linear conversion gives about 2.0, a quadratic one about 4.0), and
  whether the API's element budget would refuse that input before converting it.

Times are this process's CPU seconds (`time.process_time`), best of --runs (default 3), so other
work on the machine disturbs them little. KB and MB are 10**3 and 10**6 bytes of UTF-8.
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from collections.abc import Callable

from benchmarks.corpus_gen import article
from integrations.html_to_text import count_elements, html_to_text

MAX_HTML_CHARS = 1_000_000  # settings.API_MAX_HTML_CHARS's default
MAX_HTML_ELEMENTS = 100_000  # settings.API_MAX_HTML_ELEMENTS's default
HOSTILE_SIZES = (250_000, 500_000, 1_000_000)

_PAGE_HEAD = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
    "<style>.ad{{display:none}} p>a{{color:#036}}</style>"
    "<script>window.dataLayer=window.dataLayer||[];if(a<b&&c>d){{track('view')}}</script></head>"
    "<body><header><nav><ul>{nav}</ul></nav></header><main><article>"
)
_PAGE_TAIL = (
    '<!-- ad slot --><aside class="ad"><iframe src="https://ads.example/x"></iframe></aside>'
    "</article></main><footer><p>&copy; 2025 Example News &mdash; all rights reserved</p>"
    "</footer></body></html>"
)


def _inline(r: random.Random, sentence: str) -> str:
    words = sentence.split(" ")
    for _ in range(r.randint(0, 2)):
        i = r.randrange(len(words))
        tag = r.choice(["em", "strong", "b", "span"])
        words[i] = f"<{tag}>{words[i]}</{tag}>"
    if r.random() < 0.4 and len(words) > 4:
        i = r.randrange(len(words) - 2)
        words[i] = f'<a href="https://news.example/{r.randint(1, 99999)}">{words[i]}'
        words[i + 1] = words[i + 1] + "</a>"
    return " ".join(words).replace("&", "&amp;")


def _page(r: random.Random) -> str:
    """One article of the corpus as a partner's page would carry it."""
    text = article(r).replace("\r\n", "\n").replace("\r", "\n")
    title = text.strip().split(". ")[0][:80].replace("&", "&amp;")
    nav = "".join(
        f'<li><a href="/section/{s}">{s.title()}</a></li>'
        for s in ("world", "business", "tech", "science", "opinion")
    )
    out = [_PAGE_HEAD.format(title=title, nav=nav), f"<h1>{title}</h1>"]
    items: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if line.startswith("- "):
            items.append(f"<li>{_inline(r, line[2:])}</li>")
            continue
        if items:
            out.append("<ul>" + "".join(items) + "</ul>")
            items = []
        label, _, rest = line.partition(": ")
        if label in ("See Also", "Read Next", "Related") and rest:
            href = f"https://news.example/{r.randint(1, 99999)}"
            out.append(f'<p>{label}: <a href="{href}">{rest.replace("&", "&amp;")}</a></p>')
        elif line.endswith(":") and len(line) < 60:
            out.append(f"<h3>{line}</h3>")
        else:
            out.append(f"<p>{_inline(r, line)}</p>")
    if items:
        out.append("<ul>" + "".join(items) + "</ul>")
    out.append(
        "<figure><img src='https://img.example/1.jpg' alt='A ferry'><figcaption>Image via "
        "Harbor City Council</figcaption></figure><table><tr><th>Quarter</th><th>Revenue</th></tr>"
        f"<tr><td>Q1</td><td>${r.randint(1, 900)}m</td></tr></table>"
    )
    out.append(_PAGE_TAIL)
    return "".join(out)


def realistic(size: int, *, unit: str) -> str:
    """Pages of realistic markup until `size` characters (unit "chars") or UTF-8 bytes."""
    r = random.Random(20250203)
    pages: list[str] = []
    total = 0
    while total < size:
        page = _page(r)
        pages.append(page)
        total += len(page) if unit == "chars" else len(page.encode("utf-8"))
    html = "".join(pages)
    if unit == "chars":
        return html[:size]
    return html.encode("utf-8")[:size].decode("utf-8", "ignore")


def _repeat(prefix: str, unit: str, suffix: str = "") -> Callable[[int], str]:
    def make(size: int) -> str:
        count = max(1, (size - len(prefix) - len(suffix)) // len(unit))
        return prefix + unit * count + suffix

    return make


def _nested(open_tag: str, close_tag: str, middle: str = "x") -> Callable[[int], str]:
    def make(size: int) -> str:
        depth = max(1, (size - len(middle)) // (len(open_tag) + len(close_tag)))
        return open_tag * depth + middle + close_tag * depth

    return make


HOSTILE: dict[str, Callable[[int], str]] = {
    "deep nesting: div": _nested("<div>", "</div>"),
    "deep nesting: ul > li": _nested("<ul><li>", "</li></ul>"),
    "deep nesting: table > tr > td": _nested("<table><tr><td>", "</td></tr></table>"),
    "deep nesting: a href": _nested('<a href="https://x.example/">', "</a>"),
    "deep nesting: b (inline)": _nested("<b>", "</b>"),
    "deep nesting: pre": _nested("<pre>", "</pre>"),
    "deep nesting: select (dropped)": _nested("<select>", "</select>"),
    "many tiny inline tags": _repeat("<p>", "a<b>"),
    "white space between inline tags": _repeat("<p>", "a<b> </b>"),
    "many <br>": _repeat("<p>", "a<br>"),
    "many list items": _repeat("<ul>", "<li>a"),
    "blocks inside a list item": _repeat("<ul><li>", "a<div>"),
    "many table cells": _repeat("<table><tr>", "<td>a</td>"),
    "many anchors": _repeat("<p>", "<a href=#>a</a>"),
    "many related-link paragraphs": _repeat(
        "", '<p>See Also: <a href="https://news.example/1">Ferry Fares Rise</a></p>'
    ),
    "huge single text run": _repeat("<p>", "word "),
    "huge attribute value": lambda size: '<p><a href="' + "x" * (size - 40) + '">text</a></p>',
    "many attributes on one a": _repeat("<p><a ", "b=c ", ">text</a>"),
    "entity runs (&amp;)": _repeat("<p>", "&amp;"),
    "numeric references (&#8212;)": _repeat("<p>", "&#8212;"),
    "one numeric reference of every digit": lambda size: "<p>&#" + "9" * (size - 5) + ";",
    "literal < in text": _repeat("<p>", "a < "),
    "pre of short lines": _repeat("<pre>", "a\n"),
    "comments": _repeat("<p>", "<!-- c -->"),
    "unclosed comments": _repeat("<p>x", "<!--x>"),
    "unclosed marked sections": _repeat("<p>x", "<![if x>"),
    "start tags cut off by the end": _repeat("x", "<a "),
    "quoted > in tags cut off by the end": _repeat("<p>", "<a b='>'"),
    "end tags cut off by the end": _repeat("<p>x", "</a"),
    "unclosed tags": _repeat("<p>", "<span>a"),
    "script full of <": _repeat("<script>", "a<b ", "</script><p>x</p>"),
}


def _seconds(html: str, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.process_time()
        html_to_text(html)
        best = min(best, time.process_time() - start)
    return best


def run_realistic(runs: int) -> None:
    print(f"realistic feed HTML (CPU seconds, best of {runs})")
    print(f"  {'input':<32} {'chars':>11} {'elements':>9} {'seconds':>8} {'MB/s':>6}")
    for label, size, unit in (
        ("100 KB", 100_000, "bytes"),
        ("1 MB", 1_000_000, "bytes"),
        ("1,000,000 characters (limit)", MAX_HTML_CHARS, "chars"),
    ):
        html = realistic(size, unit=unit)
        seconds = _seconds(html, runs)
        mb = len(html.encode("utf-8")) / 1e6
        print(
            f"  {label:<32} {len(html):>11,} {count_elements(html):>9,} {seconds:>8.3f} "
            f"{mb / seconds:>6.1f}"
        )


def run_hostile(runs: int) -> None:
    sizes = " ".join(f"{s:>9,}" for s in HOSTILE_SIZES)
    print(f"\nhostile shapes (CPU seconds, best of {runs}; x2 = time(2n) / time(n))")
    print(f"  {'shape':<38} {sizes}   x2     x2   elements at 1M  API")
    worst = (0.0, "")
    for name, make in HOSTILE.items():
        times = []
        for size in HOSTILE_SIZES:
            times.append(_seconds(make(size), runs))
        largest = make(HOSTILE_SIZES[-1])
        elements = count_elements(largest)
        refused = elements > MAX_HTML_ELEMENTS
        if not refused and times[-1] > worst[0]:
            worst = (times[-1], name)
        ratios = [
            f"{times[i + 1] / times[i]:>5.2f}" if times[i] >= 0.002 else "    -"
            for i in range(len(times) - 1)
        ]
        print(
            f"  {name:<38} "
            + " ".join(f"{t:>9.3f}" for t in times)
            + "  "
            + "  ".join(ratios)
            + f"  {elements:>14,}  {'400' if refused else 'ok'}"
        )
    print(
        f"\nslowest shape the API converts at the length limit: {worst[1]} ({worst[0]:.3f} s); "
        f"a ratio is '-' when the smaller time is under 2 ms (too small to compare)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="best of N runs per input")
    args = parser.parse_args()
    run_realistic(args.runs)
    run_hostile(args.runs)


if __name__ == "__main__":
    main()

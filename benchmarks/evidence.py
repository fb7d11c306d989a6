"""Facts found in the evidence: the time to look for one claim's facts in an evidence text of
10 KB, 100 KB and 1 MB (issue 15: under 20 ms per claim at 1 MB, on one core).

    .venv/bin/python -m benchmarks.evidence [--claims 200] [--repeat 3]

The evidence is a statistics release of our own making: paragraphs of sentences with amounts,
percentages, counts, dates and names drawn from small vocabularies (seeded, so every run reads
the same text), repeated and varied up to the size. The claims are sentences of the same kinds:
a third state facts the evidence contains, a third near misses (another percentage, a tenfold
amount, another day), a third facts it does not mention. It times
`review.evidence.matching.find_facts(claim, evidence)`, the code the claim panel runs, per claim
(mean, p50, p99, max) and prints how many facts were found and how many near misses warned.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import random
import statistics
import time

from review.evidence.matching import find_facts

SIZES = [("10 KB", 10_000), ("100 KB", 100_000), ("1 MB", 1_000_000)]
PLACES = ["Harbor City", "Eastgate", "North Vale", "Port Morrow", "Lindenfield", "Castleby"]
PEOPLE = ["Lena Ortiz", "Samir Haddad", "Ines Fairweather", "Tomas Grell", "Ada Okonkwo"]
BODIES = ["the Office of Regional Statistics", "the Transport Board", "the Housing Agency"]
MONTHS = ["January", "March", "May", "July", "September", "November"]
SUBJECTS = ["unemployment", "inflation", "rents", "ferry ridership", "school enrolment"]


def sentence(rng: random.Random) -> str:
    kind = rng.randrange(5)
    place, person, body = rng.choice(PLACES), rng.choice(PEOPLE), rng.choice(BODIES)
    month, subject = rng.choice(MONTHS), rng.choice(SUBJECTS)
    if kind == 0:
        return f"In {place}, {subject} rose to {rng.randrange(1, 60)}.{rng.randrange(10)}% in {month} {rng.randrange(2019, 2027)}, {body} said."
    if kind == 1:
        return f"{person} said {place} would spend ${rng.randrange(2, 900)} {rng.choice(['million', 'billion'])} on {subject} over {rng.randrange(2, 12)} years."
    if kind == 2:
        return f"Employers in {place} added {rng.randrange(1, 999):,},{rng.randrange(100, 999)} jobs between {rng.randrange(1, 28)} {month} and the end of the quarter."
    if kind == 3:
        return f"The report, published on {rng.randrange(1, 28)} {month} {rng.randrange(2019, 2027)}, counted {rng.randrange(100, 99999):,} households in {place}."
    return f"According to {body}, {subject} in {place} fell by {rng.randrange(1, 30)} percent compared with the year before."


def evidence(size: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    paragraphs, length = [], 0
    while length < size:
        paragraph = " ".join(sentence(rng) for _ in range(rng.randrange(3, 7)))
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:size]


def claims(text: str, count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    sentences = [s.strip() + "." for s in text.split(". ") if len(s) > 40]
    out = []
    for i in range(count):
        if i % 3 == 0:
            out.append(rng.choice(sentences))  # stated in the evidence
        elif i % 3 == 1:
            base = rng.choice(sentences)
            out.append(base.replace("0", "5", 1).replace("$2", "$20", 1))  # near misses
        else:
            out.append(sentence(random.Random(rng.randrange(10**9))).replace("Harbor", "Westmoor"))
    return out


def run(size_name: str, size: int, count: int, repeat: int) -> None:
    text = evidence(size)
    sample = claims(text, count)
    find_facts(sample[0], text)  # warm-up: compiled patterns
    timings, found, total, warnings = [], 0, 0, 0
    for claim in sample:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            result = find_facts(claim, text)
            best = min(best, time.perf_counter() - start)
        timings.append(best * 1000)
        found, total, warnings = (
            found + result.found,
            total + result.total,
            warnings + result.warnings,
        )
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(
        f"{size_name:>7} evidence ({len(text):>9,} chars): {len(sample)} claims, "
        f"mean {statistics.mean(timings):6.2f} ms, p50 {statistics.median(timings):6.2f} ms, "
        f"p99 {p99:6.2f} ms, max {timings[-1]:6.2f} ms per claim; "
        f"{found}/{total} facts found, {warnings} near-miss warnings"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for name, size in SIZES:
        run(name, size, args.claims, args.repeat)


if __name__ == "__main__":
    main()

"""Which of a claim's facts its evidence text contains. Django-free (like `review.facts`, whose
definitions of a number, a name and a number word it uses: one definition of a fact).

A claim's facts are its numbers with what makes them a quantity (a currency, a percent sign or
word, a scale word: "$150 billion", "3.8%", "12.5 million", "150,000"), its dates ("4 December
2026", "March 2025", a year), and its names (runs of capitalised words: "Lena Ortiz", "Harbor
City"). Each is looked for in the evidence by value, not by spelling: "$1.5 billion" is found as
"$1,500 million" or "$1.5bn", "38%" as "38 percent", "12.5 million" as "12,500,000".

A fact that is not found may have a *near miss* in the source: the same kind of quantity with
another value close to it or a power of ten away (the claim says 38%, the source 36%; $150
billion against $15 billion), a date with the same month and another day or year, the same
surname with another first name. Those are shown as warnings. This is a hint for the reviewer,
never a verdict: nothing is verified automatically.

Cost: each fact is one regular-expression scan of the evidence that starts with a literal or a
narrow class (a currency sign, the fact's leading digits, a month or a name), so a claim of four
facts against 1 MB of evidence costs a few milliseconds (`benchmarks/evidence.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from review.facts import NUMBER_WORDS, STOPWORDS, profile

PASSAGE_CHARS = 160
# How far off a value may be to be shown as a near miss: relative to the larger of the two.
NEAR_TOLERANCE = {"percent": 0.15, "money": 0.2, "number": 0.2}
MAX_HITS_PER_FACT = 2000  # candidate matches examined per fact, whatever the evidence
NEAR_CANDIDATES = 300  # near misses are looked for among the first 300 amounts of the kind

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
NAME_CONNECTORS = frozenset({"of", "for", "de", "del", "la", "van", "von", "and"})
DAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
SCALES = {
    "thousand": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
CURRENCY_WORDS = {
    "dollar": "$", "dollars": "$", "usd": "$", "euro": "€", "euros": "€", "eur": "€",
    "pound": "£", "pounds": "£", "gbp": "£", "yen": "¥",
}  # fmt: skip
_SCALE = r"(?:thousand|million|billion|trillion|bn|mn|tn)\b"
_NUMBER = r"\d+(?:[.,]\d+)*"
# A quantity in a claim: currency sign, number, percent, scale word, currency word.
_QUANTITY = re.compile(
    rf"(?P<cur>[$€£¥])?\s?(?P<num>{_NUMBER})"
    rf"(?:\s?(?P<pct>%|percent\b|per\s+cent\b))?"
    rf"(?:\s?-?(?P<scale>{_SCALE}))?"
    rf"(?:\s(?P<curword>dollars?|euros?|pounds?|yen)\b)?",
    re.IGNORECASE,
)
_MONTH_NAMES = sorted(MONTHS, key=len, reverse=True)
_MONTH = r"(?:" + "|".join(_MONTH_NAMES) + r")\.?"
_DATE = re.compile(
    rf"\b(?:(?P<day1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month1>{_MONTH})(?:,?\s+(?P<year1>\d{{4}}))?"
    rf"|(?P<month2>{_MONTH})(?:\s+(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\b)?(?:,?\s+(?P<year2>\d{{4}}))?)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


@dataclass(frozen=True)
class Fact:
    kind: str  # "money", "percent", "number", "date", "name"
    label: str  # as the claim writes it
    value: float | None = None  # quantities: the value with its scale applied
    unit: str = ""  # money: the currency sign
    date: tuple[int | None, int | None, int | None] | None = None  # (year, month, day)
    words: tuple[str, ...] = ()  # names


@dataclass(frozen=True)
class Passage:
    """The evidence around a match: `before` + `match` + `after`, white space folded."""

    before: str
    match: str
    after: str
    start: int


@dataclass(frozen=True)
class FactResult:
    fact: Fact
    found: Passage | None = None
    near: Passage | None = None  # a near miss, when not found

    @property
    def is_found(self) -> bool:
        return self.found is not None


@dataclass(frozen=True)
class FactsFound:
    results: list[FactResult] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def found(self) -> int:
        return sum(1 for r in self.results if r.is_found)

    @property
    def warnings(self) -> int:
        return sum(1 for r in self.results if not r.is_found and r.near is not None)

    def summary(self) -> str:
        """'3 of 4 facts found in the source'."""
        noun = "fact" if self.total == 1 else "facts"
        return f"{self.found} of {self.total} {noun} found in the source"


# --- The claim's facts ------------------------------------------------------------------------------


def _value(number: str) -> float | None:
    """'1,200' → 1200, '3.8' → 3.8, '1.200.000' → 1200000; None when it cannot be read."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", number):
        return float(number.replace(",", ""))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}", number):
        return float(number.replace(".", ""))
    if re.fullmatch(r"\d+(?:\.\d+)?", number):
        return float(number)
    if re.fullmatch(r"\d+,\d{1,2}", number):  # a decimal comma
        return float(number.replace(",", "."))
    return None


def _quantity(match: re.Match[str]) -> tuple[str, float, str] | None:
    """(kind, value, currency) of a quantity match."""
    value = _value(match.group("num").rstrip(".,"))
    if value is None:
        return None
    scale = (match.group("scale") or "").lower()
    value *= SCALES.get(scale, 1.0)
    currency = match.group("cur") or CURRENCY_WORDS.get((match.group("curword") or "").lower(), "")
    if currency:
        return "money", value, currency
    if match.group("pct"):
        return "percent", value, ""
    return "number", value, ""


def _date_parts(match: re.Match[str]) -> tuple[int | None, int | None, int | None]:
    month = (match.group("month1") or match.group("month2") or "").rstrip(".").lower()
    day = match.group("day1") or match.group("day2")
    year = match.group("year1") or match.group("year2")
    return (int(year) if year else None, MONTHS.get(month), int(day) if day else None)


def claim_facts(text: str) -> list[Fact]:
    """The facts of a claim, in the order it states them (see the module doc). Numbers are those
    `review.facts` treats as anchors; a capitalised first word alone is not a name."""
    anchors = profile(text).anchors
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []
    for match in _DATE.finditer(text):
        year, month, day = _date_parts(match)
        if day is None and year is None:
            continue  # a month alone ("in March") is too vague to look for; "May" may be a verb
        facts.append(Fact("date", " ".join(match.group().split()), date=(year, month, day)))
        taken.append(match.span())
    for match in _QUANTITY.finditer(text):
        if any(s <= match.start("num") < e for s, e in taken):
            continue
        found = _quantity(match)
        if found is None:
            continue
        kind, value, currency = found
        if kind == "number" and re.fullmatch(r"1[89]\d\d|20\d\d", match.group("num")):
            facts.append(
                Fact("date", match.group("num"), date=(int(match.group("num")), None, None))
            )
            continue
        if not any(a[:1].isdigit() or a[:1] in "$€£¥" for a in anchors):
            continue
        label = " ".join(match.group().split())
        facts.append(Fact(kind, label, value=value, unit=currency))
    facts.extend(_names(text, taken))
    order = {f.label: text.find(f.label.split()[0]) for f in facts}
    return sorted(facts, key=lambda f: order.get(f.label, 0))


def _names(text: str, taken: list[tuple[int, int]]) -> list[Fact]:
    names: list[Fact] = []
    run: list[str] = []
    first = True

    def close() -> None:
        if run and not (len(run) == 1 and run_starts_sentence[0]):
            label = " ".join(run)
            if label not in {n.label for n in names}:
                names.append(Fact("name", label, words=tuple(run)))
        run.clear()

    run_starts_sentence = [False]
    previous_end = 0
    connector = ""  # "of" in "Office of National Statistics", kept if a name word follows
    for match in _WORD.finditer(text):
        word = match.group()
        lower = word.casefold()
        gap = text[previous_end : match.start()]
        previous_end = match.end()
        capitalised = word[0].isupper()
        if run and not connector and lower in NAME_CONNECTORS and not gap.strip():
            connector = word
            first = False
            continue
        is_name_word = (
            capitalised
            and lower not in STOPWORDS
            and lower not in NUMBER_WORDS
            and lower not in MONTHS
            and lower not in DAYS
            and not any(s <= match.start() < e for s, e in taken)
        )
        if run and (not is_name_word or gap.strip()):
            close()
        elif run and connector:
            run.append(connector)
        connector = ""
        if is_name_word:
            if not run:
                run_starts_sentence[0] = first
            run.append(word)
        first = False
    close()
    return names


# --- Looking for them in the evidence -----------------------------------------------------------


def _passage(text: str, start: int, end: int) -> Passage:
    lo = max(0, start - PASSAGE_CHARS)
    hi = min(len(text), end + PASSAGE_CHARS)
    before, after = text[lo:start], text[end:hi]
    if lo > 0:
        before = "…" + before.split(None, 1)[-1] if " " in before else "…" + before
    if hi < len(text):
        after = (after.rsplit(None, 1)[0] if " " in after.strip() else after) + "…"
    return Passage(" ".join(before.split()) + (" " if before[-1:].isspace() else ""),
                   " ".join(text[start:end].split()),
                   (" " if after[:1].isspace() else "") + " ".join(after.split()),
                   start)  # fmt: skip


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-9)


def _tenfold(a: float, b: float) -> bool:
    if a <= 0 or b <= 0:
        return False
    ratio = max(a, b) / min(a, b)
    return any(_close(ratio, 10.0**k, 1e-6) for k in (1, 2, 3))


def _leading_digits(value: float) -> str:
    digits = re.sub(r"\D", "", f"{value:.10g}".split("e")[0]).lstrip("0")
    return digits[:1] or "0"


_NUMBER_BEFORE = re.compile(
    rf"(?<![\w.,])([$€£¥]?)\s?({_NUMBER})\s?-?(?:({_SCALE})\s?)?$", re.IGNORECASE
)
_LOOKBACK = 40


def _near_candidates(fact: Fact, text: str):
    """Quantities of the fact's kind in `text`, as (value, start, end), for near misses: each
    scan starts from a literal (a currency sign or word, "%", "percent"), which the engine finds
    at C speed, and the number is read around it."""
    if fact.kind == "money":
        pattern = re.compile(re.escape(fact.unit) + r"\s?\d")
        for match in pattern.finditer(text):
            parsed = _QUANTITY.match(text, match.start())
            found = _quantity(parsed) if parsed else None
            if found and found[0] == "money":
                yield found[1], parsed.start(), parsed.end()
        words = [w for w, sign in CURRENCY_WORDS.items() if sign == fact.unit and len(w) > 3]
        for word in sorted(words, key=len, reverse=True)[:2]:
            for match in re.finditer(re.escape(word) + r"\b", text):
                before = _NUMBER_BEFORE.search(
                    text, max(0, match.start() - _LOOKBACK), match.start()
                )
                if before and not before.group(1):
                    value = _value(before.group(2))
                    if value is not None:
                        value *= SCALES.get((before.group(3) or "").lower(), 1.0)
                        yield value, before.start(), match.end()
    elif fact.kind == "percent":
        for match in re.finditer(r"%|percent\b|per\s+cent\b", text):
            before = _NUMBER_BEFORE.search(text, max(0, match.start() - _LOOKBACK), match.start())
            if before and not before.group(1) and not before.group(3):
                value = _value(before.group(2))
                if value is not None:
                    yield value, before.start(), match.end()


def _exact_candidates(fact: Fact, text: str):
    """Quantities in `text` that may equal the fact: those written with its leading digit (money,
    percentages) or its digits (plain numbers, in the claim's spelling or grouped otherwise:
    "150,000", "150000"; "12.5 million" is also "12,500,000"), as (value, start, end)."""
    if fact.kind == "number":
        spellings = {fact.label.split()[0].rstrip(".,")}
        if fact.value is not None and fact.value == int(fact.value):
            spellings |= {f"{int(fact.value):,}", str(int(fact.value))}
        patterns = [re.escape(spelling) for spelling in sorted(spellings, key=len, reverse=True)]
    elif fact.kind == "money":
        # "$150bn", "$150,000 million" ("150 billion dollars" is found by the near-miss scan).
        patterns = [re.escape(fact.unit) + r"\s?" + _leading_digit(fact.label)]
    else:
        # A percentage's whole part: "16.9%" is "16.9 per cent" or "16,9 %".
        whole = re.search(r"\d+", fact.label)
        patterns = [whole.group() if whole else "0"]
    for pattern in patterns:
        for match in re.finditer(pattern, text):
            begin = match.start()
            if begin and (text[begin - 1].isalnum() or text[begin - 1] in ".,"):
                continue
            parsed = _QUANTITY.match(text, begin)
            found = _quantity(parsed) if parsed else None
            if found is None:
                continue
            kind, value, currency = found
            if fact.kind == "number" or (kind == fact.kind and currency == fact.unit):
                yield value, parsed.start(), parsed.end()


def _leading_digit(label: str) -> str:
    digit = re.search(r"\d", label)
    return digit.group() if digit else "0"


def _find_quantity(fact: Fact, text: str) -> FactResult:
    target = fact.value or 0.0
    for index, (value, start, end) in enumerate(_exact_candidates(fact, text)):
        if index >= MAX_HITS_PER_FACT:
            break
        if _close(value, target, 1e-9):
            return FactResult(fact, found=_passage(text, start, end))
    if fact.kind == "number":
        return FactResult(fact)  # a plain number's near misses are not looked for: any is one
    near: Passage | None = None
    near_rank = 3  # 1: a close value, 2: a power of ten away
    for index, (value, start, end) in enumerate(_near_candidates(fact, text)):
        if index >= NEAR_CANDIDATES:
            break
        if _close(value, target, 1e-9):  # written another way ("150 billion dollars")
            return FactResult(fact, found=_passage(text, start, end))
        if near_rank > 1 and _close(value, target, NEAR_TOLERANCE[fact.kind]):
            near, near_rank = _passage(text, start, end), 1
        elif near_rank > 2 and fact.kind != "percent" and _tenfold(value, target):
            near, near_rank = _passage(text, start, end), 2
    return FactResult(fact, near=near)


def _find_date(fact: Fact, text: str) -> FactResult:
    year, month, day = fact.date or (None, None, None)
    if month is None:
        for hit in re.finditer(str(year), text):
            if not _digit_at(text, hit.start() - 1) and not _digit_at(text, hit.end()):
                return FactResult(fact, found=_passage(text, hit.start(), hit.end()))
        return FactResult(fact)
    # Month names as written in dates (capitalised): a literal scan, then the date read around it.
    names = sorted((n for n, m in MONTHS.items() if m == month), key=len, reverse=True)
    pattern = re.compile("|".join(n.capitalize() for n in names) + r"\b")
    near: Passage | None = None
    for index, hit in enumerate(pattern.finditer(text)):
        if index >= MAX_HITS_PER_FACT:
            break
        match = _DATE.search(text, max(0, hit.start() - 6), min(len(text), hit.end() + 12))
        if match is None or not match.start() <= hit.start() < match.end():
            continue
        y, m, d = _date_parts(match)
        if m != month:
            continue
        year_ok = year is None or y == year
        day_ok = day is None or d == day
        if year_ok and day_ok:
            return FactResult(fact, found=_passage(text, match.start(), match.end()))
        # The same month, and another day or year written out: a near miss.
        if near is None and ((year is not None and y is not None) or (day and d)):
            near = _passage(text, match.start(), match.end())
    return FactResult(fact, near=near)


def _digit_at(text: str, index: int) -> bool:
    return 0 <= index < len(text) and text[index].isdigit()


def _whole_words(text: str, words: list[str]) -> re.Match[str] | None:
    """The first place `words` stand in `text` as whole words (a literal first word, so the
    engine's fast search does most of the work)."""
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words) + r"\b")
    for match in pattern.finditer(text):
        if match.start() == 0 or not text[match.start() - 1].isalnum():
            return match
    return None


def _find_name(fact: Fact, text: str) -> FactResult:
    words = list(fact.words)
    hit = _whole_words(text, words)
    if hit is None and len(words) > 2:
        # "Finance Minister Lena Ortiz" is found as "Lena Ortiz, the finance minister".
        hit = _whole_words(text, words[-2:])
    if hit:
        return FactResult(fact, found=_passage(text, hit.start(), hit.end()))
    if len(words) > 1:
        # The same last name after another capitalised word: "Maria Ortiz" for "Lena Ortiz".
        for index, match in enumerate(re.finditer(re.escape(words[-1]) + r"\b", text)):
            if index >= MAX_HITS_PER_FACT:
                break
            before = _CAPITALISED_BEFORE.search(
                text, max(0, match.start() - _LOOKBACK), match.start()
            )
            if before:
                return FactResult(fact, near=_passage(text, before.start(), match.end()))
    return FactResult(fact)


_CAPITALISED_BEFORE = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*\s+$")


def find_facts(claim_text: str, evidence_text: str) -> FactsFound:
    """Each fact of `claim_text`, found in `evidence_text` (with the passage around it), or not
    (with a near miss, if there is one)."""
    results = []
    for fact in claim_facts(claim_text):
        if fact.kind == "date":
            results.append(_find_date(fact, evidence_text))
        elif fact.kind == "name":
            results.append(_find_name(fact, evidence_text))
        else:
            results.append(_find_quantity(fact, evidence_text))
    return FactsFound(results)

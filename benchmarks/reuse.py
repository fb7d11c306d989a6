"""Verdict reuse at scale: the time to find the candidates for a new article's claims among one
million stored claims, on SQLite and on PostgreSQL (issue 8: under 10 ms per claim).

    .venv/bin/python -m benchmarks.reuse [--claims 1000000] [--database sqlite|postgres|both]
                                         [--articles 200] [--postgres-url URL] [--no-cache]

For each database it builds a throw-away one (SQLite: a file in a temp dir; PostgreSQL: a database
`newsroom_bench_reuse` created on the server of `--postgres-url`, else of DATABASE_URL if it is a
PostgreSQL one, else of postgres://newsroom:newsroom@localhost/newsroom if that answers, else on a
private cluster started with Debian's `initdb` in a temp dir; dropped afterwards), migrates it and
fills it by bulk loads: ~40,000 articles of 20-30 claims (a revision each, the body made of the
claims), 1,000,000 claims with verdicts (60% verified, 10% unverified, the rest pending) and their
`ClaimKey` rows from `review.facts.lookup_keys`, exactly as `review.intelligence.analyse_article`
stores them. The indexes and constraints of the two big tables are dropped for the load and
recreated from the definitions the migrations left (checked to be identical afterwards).

The claims are news sentences generated from templates and vocabulary of our own: people, places,
companies and public bodies, amounts, percentages, dates, verbs with synonyms, clauses that move.
About one article in a hundred sentences repeats an earlier article's sentence word for word (wire
copy), and most articles carry a boilerplate line ("The company did not respond to a request for
comment.") that thousands of others carry too. Computing 7 keys for a million sentences takes
minutes in Python, so the generated corpus with its keys is cached under var/bench-cache/ (its name
is a hash of this file, review/facts.py and articles/matching.py, so a change to the rule or the
generator builds it again); `--no-cache` builds it in the temp dir and deletes it.

Then it times `review.intelligence.find_candidates(article_id, {claim_id: text})`, the production
code path, for `--articles` new articles of 25 claims each, after a warm-up on other articles: per
article, 3 exact duplicates of stored claims (other spacing, case or quotes), 3 near-duplicates
(clauses reordered, one also with a word swapped for a synonym), 3 changed-fact variants of stored
claims (a number, a name, a negation) which must not match, a boilerplate line and 15 new
sentences. It prints per-claim time (the article's time divided by its claims): mean, p50, p99;
recall on the planted duplicates (found the stored claim, or a stored copy with the same text);
and every false match on the changed-fact variants.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import pickle
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgres://newsroom:newsroom@localhost/newsroom"
BENCH_DATABASE = "newsroom_bench_reuse"
SEED = 20251125
CHUNK_ARTICLES = 500
GOAL_MS = 10.0

# --- Vocabulary (ours) ---------------------------------------------------------------------------

FIRST = """Lena Dev Priya Martin Harriet Tomas Amara Joaquin Mei Oskar Farida Rhys Ines Kofi Sunita
Pavel Greta Idris Noor Callum Yusuf Elodie Bram Anouk Ravi Solveig Tariq Marisol Henrik Aiko Dmitri
Leila Cormac Zainab Esteban Ingrid Obinna Maeve Hamza Lucia Emeka Signe Arjun Carmen Jonas Hana
Rafael Astrid Kwame Beatriz Nikhil Freya Mateo Olga Sami Renata Declan Yara Tobias Nadia""".split()
LAST = """Ortiz Alcott Nair Oyelaran Vance Berg Okafor Lindqvist Marchetti Haddad Kowalski Brennan
Takahashi Delacroix Mensah Varga Quinlan Abernathy Sorensen Castellano Adeyemi Whitlock Novak
Ferreira Halvorsen Iqbal Moreau Kerrigan Baptiste Oduya Stroud Petrov Ashworth Salazar Nkemelu
Fairbanks Lund Esposito Rahimi Dunmore Villanueva Achterberg Mwangi Trevino Gallagher Szabo Okonkwo
Pemberton Rasmussen Kaur Delgado Thornbury Yilmaz Costa Harrow Eklund Mbeki Carrasco Fenwick Ibarra
Lachance Osei Blackwood Horvat Santangelo Wexford""".split()
_PLACE_A = """North East West South New Port Fort Lake Glen Mount Spring Oak Pine Cedar Maple Ash
Elm River Stone Fair Green Red White Silver Gold Iron Clear Bright Harbor Bay""".split()
_PLACE_B = (
    "field ton ville wood brook port ford bury dale haven mouth stead gate ridge moor".split()
)
PLACES = [a + b for a in _PLACE_A for b in _PLACE_B]
INDUSTRY = """Energy Foods Logistics Health Capital Motors Pharma Telecom Mining Airlines Bank
Insurance Media Software Steel Water Rail Retail Chemicals Shipping Semiconductors Textiles Cement
Dairy Solar Robotics Biotech Brewing Paper Glass""".split()
ORG_SUFFIX = ["", " Inc.", " Corp.", " Ltd.", " Group", " Holdings", " & Co."]
BODIES = """city council|county board|school board|planning commission|transit authority|port
authority|health department|water district|housing agency|parks department|fire service|police
department|zoning board|library trust|airport authority""".replace("\n", " ").split("|")
ROLES = """chief executive|finance chief|spokeswoman|spokesman|chief operating officer|head of
research|board chair|treasurer|union leader|lead economist|general counsel|chief engineer|press
officer|regional director|deputy mayor""".replace("\n", " ").split("|")
TITLES = ["Mayor", "Governor", "Senator", "Councillor", "Judge", "Commissioner", "Minister", "Dr."]
TOPICS = """ferry terminal|bridge repair|school building|hospital wing|water pipeline|bus lane|bike
path|rail link|sewer upgrade|housing project|library branch|fire station|sports stadium|solar farm|
wind farm|recycling plant|road widening|tram line|flood barrier|community centre|police station|
parking garage|harbour wall|airport runway|tunnel project|street lighting|park renovation|
desalination plant|waste incinerator|data centre|teacher contract|nurse contract|rent cap|property
tax|sales tax|tourist levy|congestion charge|minimum wage|pension fund|school meals programme|
broadband rollout|vaccination drive|noise ordinance|curfew order|heritage listing|youth centre|
cycle hire scheme|ambulance depot|court building|museum extension""".replace("\n", " ").split("|")
TOPICS = [t.strip() for t in TOPICS]
METRICS = """revenue|net profit|operating loss|sales|exports|output|orders|ridership|enrolment|
unemployment|inflation|home prices|rents|wages|tourist numbers|crime reports|hospital admissions|
traffic deaths|water use|electricity demand|passenger numbers|retail sales|factory output|
house sales|bankruptcies""".replace("\n", " ").split("|")
METRICS = [m.strip() for m in METRICS]
PERIODS = [
    "the first quarter",
    "the second quarter",
    "the third quarter",
    "the fourth quarter",
    "the first half",
    "the year",
    "the month",
    "the fiscal year",
    "the winter season",
]
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTHS = """January February March April May June July August September October November
December""".split()
ADJECTIVES = """new proposed revised delayed controversial regional long-awaited expanded
scaled-back temporary permanent emergency joint pilot""".split()
# Verbs of the templates, with the synonym a near-duplicate may use instead (neither is a
# direction word, so swapping them keeps the facts).
APPROVE = [("approved", "backed"), ("endorsed", "supported"), ("passed", "adopted")]
BASE_FORM = {"approved": "approve", "endorsed": "endorse", "passed": "pass"}
ANNOUNCE = [("announced", "unveiled"), ("disclosed", "revealed"), ("confirmed", "acknowledged")]
PLAN = [("plans", "intends"), ("expects", "hopes"), ("aims", "wants")]
BOILERPLATE = [
    "The company did not respond to a request for comment.",
    "A spokesperson declined to comment on the matter.",
    "Police have asked anyone with information to come forward.",
    "The investigation is continuing.",
    "Further details were not immediately available.",
    "It was not clear when the work would begin.",
    "Officials did not give a reason for the delay.",
    "The report has not been made public.",
    "Shares were little changed in early trading.",
    "The proposal still needs final approval.",
    "Residents can comment on the plans online.",
    "The meeting is open to the public.",
    "No injuries were reported.",
    "Reporting was contributed by staff writers.",
    "This story has been updated with additional details.",
    "Representatives of the union could not be reached.",
]


@dataclass(frozen=True)
class Sentence:
    """A generated sentence in parts, so that variants of it can be made: `core` is the main
    clause and `negated` the same clause negated; `mods` are adverbials that can move to the
    front; `speaker` (if any) said it; `names` are (kind, value) pairs found in the text;
    `swap` is a (word, synonym) of the core."""

    core: str
    negated: str
    mods: tuple[str, ...] = ()
    speaker: str = ""
    names: tuple[tuple[str, str], ...] = ()
    swap: tuple[str, str] | None = None
    boilerplate: str = ""

    def render(self, *, reordered: bool = False, negate: bool = False, swap: bool = False) -> str:
        if self.boilerplate:
            return self.boilerplate
        core = self.negated if negate else self.core
        if swap and self.swap:
            core = re.sub(rf"\b{re.escape(self.swap[0])}\b", self.swap[1], core, count=1)
        if not reordered:
            text = " ".join([core, *self.mods])
            text = f"{text}, {self.speaker} said." if self.speaker else text.removesuffix(".") + "."
        else:
            lead, rest = (self.mods[-1], self.mods[:-1]) if self.mods else ("", ())
            body = " ".join([core, *rest])
            if self.speaker:
                body = f"{self.speaker} said {body}"
            text = f"{lead}, {body.removesuffix('.')}." if lead else body.removesuffix(".") + "."
        return text[0].upper() + text[1:]


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def org(rng: random.Random) -> str:
    stem = rng.choice(LAST) if rng.random() < 0.6 else rng.choice(PLACES)
    return f"{stem} {rng.choice(INDUSTRY)}{rng.choice(ORG_SUFFIX)}"


def money(rng: random.Random) -> str:
    sign = rng.choice("$$$€£")
    unit = rng.choice(["million", "million", "billion", ""])
    if unit:
        return f"{sign}{rng.randint(1, 950)}.{rng.randint(1, 9)} {unit}"
    return f"{sign}{rng.randint(2, 900) * 1000:,}"


def date(rng: random.Random) -> str:
    return rng.choice(
        [
            f"on {rng.choice(DAYS)}",
            f"on {rng.choice(MONTHS)} {rng.randint(1, 28)}",
            f"in {rng.choice(MONTHS)} {rng.randint(2015, 2026)}",
            f"last {rng.choice(['week', 'month', 'year'])}",
        ]
    )


def t_approve(rng: random.Random) -> Sentence:
    place, body, topic = rng.choice(PLACES), rng.choice(BODIES), rng.choice(TOPICS)
    verb, syn = rng.choice(APPROVE)
    amount = money(rng)
    core = f"the {place} {body} {verb} a {amount} {rng.choice(ADJECTIVES)} {topic}"
    neg = core.replace(f" {verb} ", f" did not {BASE_FORM[verb]} ", 1)
    votes = rng.randint(4, 12)
    mods = [date(rng)]
    if rng.random() < 0.5:
        mods.append(f"by a vote of {votes} to {rng.randint(0, votes - 1)}")
    return Sentence(core, neg, tuple(mods), names=(("place", place),), swap=(verb, syn))


def t_results(rng: random.Random) -> Sentence:
    company, metric = org(rng), rng.choice(METRICS[:8])
    direction = rng.choice(["rose", "fell", "grew", "shrank"])
    core = f"{company} said its {metric} {direction} {rng.randint(1, 60)}.{rng.randint(0, 9)}% to {money(rng)}"
    neg = core.replace(
        f" {direction} ",
        f" did not {dict(rose='rise', fell='fall', grew='grow', shrank='shrink')[direction]} ",
        1,
    )
    mods = (f"in {rng.choice(PERIODS)}",)
    return Sentence(core, neg, mods, names=(("org", company),))


def t_quote(rng: random.Random) -> Sentence:
    who = person(rng)
    role = rng.choice(ROLES)
    company = org(rng)
    topic = rng.choice(TOPICS)
    verb, syn = rng.choice(PLAN)
    core = f"the company {verb} to finish the {topic} by {rng.choice(MONTHS)} {rng.randint(2025, 2031)}"
    neg = core.replace(f" {verb} ", " does not plan ", 1)
    return Sentence(
        core,
        neg,
        (),
        speaker=f"{role} {who} of {company}",
        names=(("person", who), ("org", company)),
        swap=(verb, syn),
    )


def t_stat(rng: random.Random) -> Sentence:
    place, metric = rng.choice(PLACES), rng.choice(METRICS)
    direction = rng.choice(["rose", "fell"])
    core = f"{metric} in {place} {direction} by {rng.randint(2, 45)} percent"
    neg = core.replace(
        f" {direction} ", f" did not {'rise' if direction == 'rose' else 'fall'} ", 1
    )
    mods = [f"compared with {rng.randint(2010, 2024)}"]
    if rng.random() < 0.6:
        mods.append(
            f"according to the {rng.choice(['statistics office', 'chamber of commerce', 'regional council', 'central bank', 'trade association'])}"
        )
    return Sentence(core, neg, tuple(mods), names=(("place", place),))


def t_official(rng: random.Random) -> Sentence:
    title, who = rng.choice(TITLES), person(rng)
    topic, place = rng.choice(TOPICS), rng.choice(PLACES)
    verb, syn = rng.choice(ANNOUNCE)
    core = f"{title} {who} {verb} that the {topic} in {place} would cost {money(rng)}"
    neg = core.replace(" would cost ", " would not cost ", 1)
    return Sentence(
        core, neg, (date(rng),), names=(("person", who), ("place", place)), swap=(verb, syn)
    )


def t_incident(rng: random.Random) -> Sentence:
    n = rng.randint(2, 40)
    what = rng.choice(
        [
            "people were injured",
            "homes were evacuated",
            "vehicles were damaged",
            "workers were treated in hospital",
            "flights were cancelled",
            "schools were closed",
            "people were arrested",
        ]
    )
    place = rng.choice(PLACES)
    cause = rng.choice(
        [
            "a fire",
            "a gas leak",
            "flooding",
            "a storm",
            "a collision",
            "a power cut",
            "a protest",
            "a chemical spill",
        ]
    )
    core = f"{n} {what} after {cause} in {place}"
    neg = f"no {what.split(' ', 1)[1]} after {cause} in {place}"
    return Sentence(core, neg, (date(rng),), names=(("place", place),))


def t_deal(rng: random.Random) -> Sentence:
    buyer, target = org(rng), org(rng)
    verb = rng.choice(["agreed to buy", "agreed to acquire", "made an offer for"])
    amount = money(rng)
    core = f"{buyer} {verb} {target} for {amount}"
    neg = f"{buyer} did not agree to buy {target} for {amount}"
    mods = [date(rng)]
    if rng.random() < 0.5:
        mods.append(f"in a deal advised by {org(rng)}")
    return Sentence(core, neg, tuple(mods), names=(("org", buyer), ("org", target)))


def t_court(rng: random.Random) -> Sentence:
    who = person(rng)
    years = rng.randint(2, 25)
    offence = rng.choice(
        [
            "fraud",
            "bribery",
            "tax evasion",
            "arson",
            "embezzlement",
            "money laundering",
            "insider trading",
            "theft of public funds",
        ]
    )
    place = rng.choice(PLACES)
    core = f"a court in {place} sentenced {who} to {years} years in prison for {offence}"
    neg = f"a court in {place} did not sentence {who} to {years} years in prison for {offence}"
    return Sentence(core, neg, (date(rng),), names=(("place", place), ("person", who)))


def t_poll(rng: random.Random) -> Sentence:
    pct = rng.randint(12, 88)
    issue = rng.choice(TOPICS)
    place = rng.choice(PLACES)
    core = f"{pct}% of voters in {place} support the {rng.choice(ADJECTIVES)} {issue}"
    neg = f"{pct}% of voters in {place} do not support the {issue}"
    mods = [f"according to a survey of {rng.randint(4, 30) * 100} adults"]
    if rng.random() < 0.5:
        mods.append(f"published {date(rng)}")
    return Sentence(core, neg, tuple(mods), names=(("place", place),))


def t_jobs(rng: random.Random) -> Sentence:
    company, place = org(rng), rng.choice(PLACES)
    n = rng.randint(3, 95) * 10
    verb = rng.choice(["will cut", "will create", "plans to cut", "plans to add"])
    core = f"{company} {verb} {n:,} jobs at its {rng.choice(['plant', 'warehouse', 'offices', 'headquarters', 'call centre', 'depot'])} in {place}"
    neg = core.replace(verb, "will not " + verb.split()[-1], 1)
    return Sentence(
        core,
        neg,
        (f"by {rng.choice(['the end of', 'early', 'mid'])} {rng.randint(2025, 2029)}",),
        names=(("org", company), ("place", place)),
    )


def t_budget(rng: random.Random) -> Sentence:
    place = rng.choice(PLACES)
    share = rng.randint(2, 40)
    item = rng.choice(
        [
            "schools",
            "road maintenance",
            "public transport",
            "policing",
            "social care",
            "parks",
            "housing",
            "libraries",
            "health clinics",
            "waste collection",
        ]
    )
    verb, syn = rng.choice(APPROVE)
    core = f"{place} {verb} a budget that spends {share}% more on {item} than {rng.randint(2019, 2025)}"
    neg = core.replace(f" {verb} ", " rejected ", 1).replace("rejected", "did not pass", 1)
    return Sentence(core, neg, (date(rng),), names=(("place", place),), swap=(verb, syn))


def t_weather(rng: random.Random) -> Sentence:
    place = rng.choice(PLACES)
    amount = rng.randint(20, 300)
    hours = rng.randint(2, 72)
    core = f"{place} recorded {amount} millimetres of rain in {hours} hours"
    neg = f"{place} did not record {amount} millimetres of rain in {hours} hours"
    mods = [date(rng)]
    if rng.random() < 0.5:
        mods.append(f"in the heaviest downpour since {rng.randint(1950, 2020)}")
    return Sentence(core, neg, tuple(mods), names=(("place", place),))


TEMPLATES = [
    t_approve,
    t_results,
    t_quote,
    t_stat,
    t_official,
    t_incident,
    t_deal,
    t_court,
    t_poll,
    t_jobs,
    t_budget,
    t_weather,
]


# --- Corpus --------------------------------------------------------------------------------------


def article_sizes(total_claims: int) -> list[int]:
    rng = random.Random(SEED)
    sizes: list[int] = []
    left = total_claims
    while left > 0:
        sizes.append(min(left, rng.randint(20, 30)))
        left -= sizes[-1]
    return sizes


def own_sentences(index: int, size: int) -> list[Sentence]:
    """The sentences article `index` writes itself (deterministic), boilerplate included."""
    rng = random.Random(SEED * 1_000_003 + index)
    sentences = [rng.choice(TEMPLATES)(rng) for _ in range(size)]
    roll = rng.random()
    for _ in range(2 if roll < 0.2 else 1 if roll < 0.8 else 0):
        sentences[rng.randrange(size // 2, size)] = Sentence(
            "", "", boilerplate=rng.choice(BOILERPLATE)
        )
    return sentences


def article_sentences(index: int, sizes: list[int]) -> list[Sentence]:
    """Article `index`: its own sentences, and about one in a hundred copied word for word from
    one of the 200 articles before it (wire copy)."""
    sentences = own_sentences(index, sizes[index])
    rng = random.Random(SEED * 7 + index)
    for position in range(len(sentences)):
        if index and rng.random() < 0.01:
            source = rng.randrange(max(0, index - 200), index)
            others = own_sentences(source, sizes[source])
            sentences[position] = others[rng.randrange(len(others))]
    return sentences


_SIZES: list[int] = []


def _chunk(bounds: tuple[int, int]) -> list[tuple[list[str], list[list[int]]]]:
    from review import facts

    out = []
    for index in range(*bounds):
        texts = [s.render() for s in article_sentences(index, _SIZES)]
        out.append((texts, [list(dict.fromkeys(facts.lookup_keys(t))) for t in texts]))
    return out


def corpus_path(claims: int, cache_dir: Path) -> Path:
    """The cache file for `claims`: named by a hash of what the corpus depends on (the generator,
    the part of this file above the test articles, and the rule that makes the keys)."""
    digest = hashlib.sha256()
    source = Path(__file__).read_text()
    digest.update(source[: source.index("# --- The planted test articles")].encode())
    for path in ("review/facts.py", "articles/matching.py"):
        digest.update((REPO / path).read_bytes())
    digest.update(str(claims).encode())
    return cache_dir / f"reuse-{claims}-{digest.hexdigest()[:12]}.pickle"


def build_corpus(claims: int, path: Path) -> None:
    """Generate the stored articles' claims and their lookup keys into `path`: a stream of
    pickled chunks, each a list of (texts, keys per text) per article."""
    global _SIZES
    _SIZES = article_sizes(claims)
    bounds = [
        (a, min(a + CHUNK_ARTICLES, len(_SIZES))) for a in range(0, len(_SIZES), CHUNK_ARTICLES)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    started = time.perf_counter()
    processes = max(1, min(len(bounds), os.cpu_count() or 1))
    done = 0
    pool = multiprocessing.get_context("fork").Pool(processes)
    try:
        with partial.open("wb") as out:
            for chunk in pool.imap(_chunk, bounds):
                pickle.dump(chunk, out, protocol=pickle.HIGHEST_PROTOCOL)
                done += sum(len(texts) for texts, _ in chunk)
                if len(bounds) > 4 and done % 100_000 < sum(len(t) for t, _ in chunk):
                    print(
                        f"  ... {done:,} claims keyed ({time.perf_counter() - started:.0f} s)",
                        flush=True,
                    )
        pool.close()
    finally:
        pool.terminate()
    partial.rename(path)
    for stale in path.parent.glob(f"reuse-{claims}-*.pickle"):
        if stale != path:
            stale.unlink()
    print(
        f"corpus: {claims:,} claims in {len(_SIZES):,} articles generated and keyed in "
        f"{time.perf_counter() - started:.1f} s with {processes} processes -> {path}",
        flush=True,
    )


def read_corpus(path: Path):
    with path.open("rb") as stream:
        while True:
            try:
                yield from pickle.load(stream)
            except EOFError:
                return


# --- The planted test articles -------------------------------------------------------------------

EXACT, NEAR, CHANGED_NUMBER, CHANGED_NAME, NEGATED, BOILER, NEW = (
    "exact",
    "near",
    "changed number",
    "changed name",
    "negation",
    "boilerplate",
    "new",
)


def respace(text: str, rng: random.Random) -> str:
    """The same text in other spacing, case and quotes: an exact match after normalising."""
    words = text.split(" ")
    i = rng.randrange(len(words))
    words[i] = words[i].upper() if rng.random() < 0.5 else words[i].lower()
    text = "  ".join(words[: len(words) // 2]) + " " + " ".join(words[len(words) // 2 :])
    return text.replace("'", "\u2019") + rng.choice(["", " ", "\n"])


def change_number(text: str, rng: random.Random) -> str | None:
    numbers = list(re.finditer(r"\d+", text))
    if not numbers:
        return None
    m = rng.choice(numbers)
    value = int(m.group())
    return text[: m.start()] + str(value + rng.randint(1, 9)) + text[m.end() :]


def change_name(sentence: Sentence, text: str, rng: random.Random) -> str | None:
    if not sentence.names:
        return None
    kind, value = rng.choice(sentence.names)
    pool = {"place": PLACES, "org": None, "person": None}[kind]
    while True:
        other = rng.choice(pool) if pool else (person(rng) if kind == "person" else org(rng))
        if other != value and other.split()[0] != value.split()[0]:
            return text.replace(value, other, 1)


@dataclass(frozen=True)
class Planted:
    kind: str
    text: str
    source_id: int | None = None
    source_text: str = ""


def plant(
    rng: random.Random, sources: list[tuple[int, str, Sentence]], fresh: list[Sentence]
) -> list[Planted]:
    """One test article of 25 claims: 3 exact, 3 near-duplicates, 3 changed facts, a boilerplate
    line, 15 new sentences; `sources` are stored claims (id, text, sentence) to vary."""
    claims: list[Planted] = []
    it = iter(sources)
    for _ in range(3):
        pk, text, _ = next(it)
        claims.append(Planted(EXACT, respace(text, rng), pk, text))
    for n in range(3):
        pk, text, sentence = next(it)
        claims.append(Planted(NEAR, sentence.render(reordered=True, swap=n == 2), pk, text))
    for kind in (CHANGED_NUMBER, CHANGED_NAME, NEGATED):
        while True:
            pk, text, sentence = next(it)
            if kind == CHANGED_NUMBER:
                variant = change_number(text, rng)
            elif kind == CHANGED_NAME:
                variant = change_name(sentence, text, rng)
            else:
                variant = sentence.render(negate=True)
            if variant is not None and variant != text:
                break
        claims.append(Planted(kind, variant, pk, text))
    claims.append(Planted(BOILER, rng.choice(BOILERPLATE)))
    claims += [Planted(NEW, s.render()) for s in fresh]
    rng.shuffle(claims)
    return claims


# --- Filling the database ------------------------------------------------------------------------


def row_template(model, connection, **values) -> tuple[list[str], list]:
    """Every concrete column of `model` with its default (ready for the database), or `values`;
    so a column added later with a default does not break the load."""
    columns, row = [], []
    for field in model._meta.concrete_fields:
        columns.append(field.column)
        if field.attname in values:
            row.append(field.get_db_prep_save(values[field.attname], connection))
        elif field.primary_key:
            row.append(None)
        else:
            row.append(field.get_db_prep_save(field.get_default(), connection))
    return columns, row


def schema_of(connection, table: str) -> list[tuple[str, str, str]]:
    """(kind, name, definition) of the table's secondary indexes and constraints."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT 'index', name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL ORDER BY name",
                [table],
            )
            return [tuple(row) for row in cursor.fetchall()]
        cursor.execute(
            "SELECT 'constraint', conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
            [table],
        )
        constraints = [tuple(row) for row in cursor.fetchall()]
        cursor.execute(
            "SELECT 'index', i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND "
            "NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = "
            "(quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass) ORDER BY 2",
            [table],
        )
        return constraints + [tuple(row) for row in cursor.fetchall()]


def drop_schema(connection, table: str, schema: list[tuple[str, str, str]]) -> None:
    with connection.cursor() as cursor:
        for kind, name, _ in schema:
            if kind == "index":
                cursor.execute(f'DROP INDEX "{name}"')
            else:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')


def restore_schema(connection, table: str, schema: list[tuple[str, str, str]]) -> None:
    with connection.cursor() as cursor:
        for kind, name, definition in schema:
            if kind == "index":
                cursor.execute(definition)
            else:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    restored = schema_of(connection, table)
    if restored != schema:
        raise SystemExit(
            f"{table}: the restored indexes differ from the migration's:\n"
            f"  before: {sorted(set(schema) - set(restored))}\n  after: {sorted(set(restored) - set(schema))}"
        )


def fill(corpus: Path, claims_total: int) -> dict:
    """Load the corpus; return what the measurement needs to know about it."""
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction
    from django.utils import timezone

    from articles import permissions
    from articles.models import Article, Claim, Revision, content_hash
    from review.models import ClaimKey

    editors = []
    for n in range(20):
        user = User.objects.create_user(f"editor{n}", first_name="Ed", last_name=f"Itor {n}")
        user.groups.add(Group.objects.get(name=permissions.EDITOR))
        editors.append(user.pk)
    reviewers = []
    for n in range(10):
        user = User.objects.create_user(f"reviewer{n}", first_name="Re", last_name=f"Viewer {n}")
        user.groups.add(Group.objects.get(name=permissions.REVIEWER))
        reviewers.append(user.pk)

    now = timezone.now().replace(microsecond=0)
    a_cols, a_row = row_template(
        Article,
        connection,
        title="",
        body="",
        author_id=0,
        status="in_review",
        created_at=now,
        updated_at=now,
        submitted_at=now,
    )
    r_cols, r_row = row_template(
        Revision,
        connection,
        article_id=0,
        number=1,
        title="",
        body="",
        body_hash="",
        created_by_id=0,
        created_at=now,
    )
    c_cols, c_row = row_template(
        Claim,
        connection,
        article_id=0,
        revision_id=0,
        ordinal=0,
        text="",
        start=0,
        end=1,
        extractor_version="bench",
        created_at=now,
    )
    k_cols, k_row = row_template(ClaimKey, connection, claim_id=0, article_id=0, key=0)
    ai, ri, ci, ki = (
        {c: i for i, c in enumerate(cols)} for cols in (a_cols, r_cols, c_cols, k_cols)
    )

    big = [Claim._meta.db_table, ClaimKey._meta.db_table]
    schemas = {table: schema_of(connection, table) for table in big}
    postgres = connection.vendor == "postgresql"
    started = time.perf_counter()
    rng = random.Random(SEED + 1)
    counts = {"articles": 0, "claims": 0, "keys": 0}
    # SQLite checks deferred foreign keys row by row, and with the child tables' indexes dropped a
    # parent row costs a scan of its children: off for the load, then checked once, as loaddata
    # does. (PostgreSQL: the big tables' foreign keys are dropped and added back, which checks.)
    with connection.constraint_checks_disabled(), transaction.atomic():
        for table in big:
            drop_schema(connection, table, schemas[table])
        raw = connection.connection.cursor()
        if postgres:
            raw.execute("SET LOCAL maintenance_work_mem = '512MB'")
        else:
            raw.execute("PRAGMA cache_size = -1000000")
        batches: dict[str, list] = {"a": [], "r": [], "c": [], "k": []}
        table_of = {
            "a": Article._meta.db_table,
            "r": Revision._meta.db_table,
            "c": Claim._meta.db_table,
            "k": ClaimKey._meta.db_table,
        }
        cols_of = {"a": a_cols, "r": r_cols, "c": c_cols, "k": k_cols}
        quoted = {name: [f'"{c}"' for c in cols] for name, cols in cols_of.items()}
        sql = {
            name: f'INSERT INTO "{table_of[name]}" ({", ".join(quoted[name])}) '
            f"VALUES ({', '.join('?' * len(quoted[name]))})"
            for name in "arck"
        }

        def flush() -> None:
            if postgres:
                for name in "arck":
                    with raw.copy(
                        f'COPY "{table_of[name]}" ({", ".join(quoted[name])}) FROM STDIN'
                    ) as copy:
                        for row in batches[name]:
                            copy.write_row(row)
            else:
                for name in "arck":
                    raw.executemany(sql[name], batches[name])
            for rows in batches.values():
                rows.clear()

        claim_id = key_id = 0
        verdict_rows = {
            "verified": ("verified", "Checked against the source.", "https://example.org/source"),
            "unverified": ("unverified", "No source could confirm it.", ""),
            "pending": ("pending", "", ""),
        }
        for article_index, (texts, keys) in enumerate(read_corpus(corpus)):
            article_id = article_index + 1
            body = " ".join(texts)
            author = editors[article_index % len(editors)]
            published = rng.random() < 0.7
            row = list(a_row)
            row[ai["id"]] = article_id
            row[ai["title"]] = f"Story {article_id}: {texts[0][:80]}"
            row[ai["body"]] = body
            row[ai["author_id"]] = author
            row[ai["status"]] = "published" if published else "in_review"
            if published:
                row[ai["published_at"]] = row[ai["created_at"]]
            row[ai["extracted_revision_id"]] = article_id
            batches["a"].append(row)
            row = list(r_row)
            row[ri["id"]], row[ri["article_id"]], row[ri["body"]] = article_id, article_id, body
            row[ri["title"]] = f"Story {article_id}"
            row[ri["body_hash"]], row[ri["created_by_id"]] = content_hash(body), author
            batches["r"].append(row)
            offset = 0
            for ordinal, (text, claim_keys) in enumerate(zip(texts, keys)):
                claim_id += 1
                roll = rng.random()
                verdict = (
                    "verified"
                    if published or roll < 0.6
                    else "unverified"
                    if roll < 0.7
                    else "pending"
                )
                row = list(c_row)
                row[ci["id"]], row[ci["article_id"]], row[ci["revision_id"]] = (
                    claim_id,
                    article_id,
                    article_id,
                )
                row[ci["ordinal"]], row[ci["text"]] = ordinal, text
                row[ci["start"]], row[ci["end"]] = offset, offset + len(text)
                row[ci["verdict"]], row[ci["note"]], row[ci["evidence_url"]] = verdict_rows[verdict]
                if verdict != "pending":
                    row[ci["reviewed_by_id"]] = reviewers[claim_id % len(reviewers)]
                    row[ci["reviewed_at"]] = row[ci["created_at"]]
                row[ci["analysed_revision_id"]] = article_id
                batches["c"].append(row)
                offset += len(text) + 1
                for key in claim_keys:
                    key_id += 1
                    row = list(k_row)
                    row[ki["id"]], row[ki["claim_id"]], row[ki["article_id"]], row[ki["key"]] = (
                        key_id,
                        claim_id,
                        article_id,
                        key,
                    )
                    batches["k"].append(row)
            if len(batches["k"]) >= 200_000:
                flush()
        flush()
        counts.update(articles=article_id, claims=claim_id, keys=key_id)
        loaded = time.perf_counter() - started
        for table in big:
            restore_schema(connection, table, schemas[table])
        if postgres:
            with connection.cursor() as cursor:
                for model in (Article, Revision, Claim, ClaimKey):
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
                        f'(SELECT max(id) FROM "{model._meta.db_table}"))'
                    )
    if not postgres:
        connection.check_constraints(
            table_names=[Article._meta.db_table, Revision._meta.db_table, *big]
        )
    indexed = time.perf_counter() - started - loaded
    if postgres:
        # What autovacuum does to a freshly loaded table soon after; done now so that the
        # measurement does not depend on when it ran.
        with connection.cursor() as cursor:
            for table in [Article._meta.db_table, Revision._meta.db_table, *big]:
                cursor.execute(f'VACUUM ANALYZE "{table}"')
    total = time.perf_counter() - started
    if counts["claims"] != claims_total:
        raise SystemExit(f"loaded {counts['claims']} claims, expected {claims_total}")
    counts.update(load_s=loaded, index_s=indexed, fill_s=total)
    return counts


# --- Measuring -----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def pick_sources(
    rng: random.Random, count: int, sizes: list[int], article_ids: list[int] | None = None
) -> list[tuple[int, str, Sentence]]:
    """`count` stored claims (id, text, sentence) that are not boilerplate, from the database;
    `article_ids[i]` is the id of the generator's article i (i + 1 when loaded by `fill`)."""
    from articles.models import Claim

    picks = []
    while len(picks) < count:
        index = rng.randrange(len(sizes))
        sentences = article_sentences(index, sizes)
        ordinal = rng.randrange(len(sentences))
        if sentences[ordinal].boilerplate:
            continue
        picks.append(
            (article_ids[index] if article_ids else index + 1, ordinal, sentences[ordinal])
        )
    found = {
        (a, o): (pk, text)
        for pk, a, o, text in Claim.objects.filter(
            article_id__in={a for a, _, _ in picks}
        ).values_list("pk", "article_id", "ordinal", "text")
    }
    out = []
    for article_id, ordinal, sentence in picks:
        pk, text = found[(article_id, ordinal)]
        if text != sentence.render():
            raise SystemExit(f"claim {pk} is not the sentence the generator makes: {text!r}")
        out.append((pk, text, sentence))
    return out


def source_matches(planted: Planted, matches: list, text_of: dict[int, str]) -> list[int]:
    """The matches that are the planted claim's source, or a stored copy of it (same text)."""
    from articles.matching import normalise

    return [
        source
        for source, _ in matches
        if source == planted.source_id
        or normalise(text_of[source]) == normalise(planted.source_text)
    ]


def measure(args: argparse.Namespace, sizes: list[int], label: str) -> dict:
    from articles.models import Claim
    from review import facts
    from review.intelligence import find_candidates

    rng = random.Random(SEED + 2)
    warmup = 10
    n_articles = args.articles + warmup
    sources = pick_sources(rng, 9 * n_articles * 2, sizes)
    source_iter = iter(sources)
    fresh_rng = random.Random(SEED + 3)
    articles = []
    for _ in range(n_articles):
        fresh = [fresh_rng.choice(TEMPLATES)(fresh_rng) for _ in range(15)]
        take = [next(source_iter) for _ in range(18)]
        articles.append(plant(rng, take, fresh))
    base = 10**9  # ids of the new articles and claims: not in the database, as before analysis

    per_claim_ms: list[float] = []
    tally = {kind: [0, 0] for kind in (EXACT, NEAR)}  # found, planted
    rule_rejects = {kind: 0 for kind in (EXACT, NEAR)}
    false_matches: list[tuple[str, str, str]] = []
    changed = 0
    matched_other = {BOILER: 0, NEW: 0}
    texts_needed: set[int] = set()
    results = []
    for n, claims in enumerate(articles):
        article_id = base + n
        texts = {base + n * 100 + i: c.text for i, c in enumerate(claims)}
        start = time.perf_counter()
        found = find_candidates(article_id, texts)
        elapsed = (time.perf_counter() - start) * 1000
        if n >= warmup:
            per_claim_ms.append(elapsed / len(texts))
            results.append((claims, texts, found))
            texts_needed |= {s for matches in found.values() for s, _ in matches}
    text_of = dict(Claim.objects.filter(pk__in=texts_needed).values_list("pk", "text"))
    for claims, texts, found in results:
        for (claim_id, _), planted in zip(texts.items(), claims):
            matches = found[claim_id]
            same_as_source = source_matches(planted, matches, text_of)
            if planted.kind in tally:
                tally[planted.kind][1] += 1
                if same_as_source:
                    tally[planted.kind][0] += 1
                elif facts.compare(planted.text, planted.source_text) is None:
                    rule_rejects[planted.kind] += 1
            elif planted.kind in (CHANGED_NUMBER, CHANGED_NAME, NEGATED):
                changed += 1
                for s in same_as_source:
                    false_matches.append((planted.kind, planted.text, text_of[s]))
            elif matches:
                matched_other[planted.kind] += 1

    if args.explain:
        explain(articles[0], base)
    mean = statistics.fmean(per_claim_ms)
    p50, p99 = percentile(per_claim_ms, 50), percentile(per_claim_ms, 99)
    claims_measured = sum(len(c) for c, _, _ in results)
    print(
        f"  {len(results)} articles, {claims_measured:,} claims (after {warmup} warm-up articles)"
    )
    for kind, (hit, planted) in tally.items():
        extra = (
            f"; {rule_rejects[kind]} of the misses the same-fact rule itself rejects"
            if rule_rejects[kind]
            else ""
        )
        print(f"  recall, {kind} duplicates: {hit}/{planted} = {hit / planted:.1%}{extra}")
    print(
        f"  changed-fact variants (number, name, negation): {changed}, false matches: {len(false_matches)}"
    )
    for kind, text, source in false_matches[:20]:
        print(f"    FALSE MATCH ({kind}): {text!r} ~ stored {source!r}")
    print(
        f"  boilerplate lines with candidates: {matched_other[BOILER]}/{len(results)}; "
        f"new sentences with candidates: {matched_other[NEW]}/{15 * len(results)}"
    )
    load = os.getloadavg()
    summary = (
        f"{label}: {args.claims:,} claims, candidates {mean:.2f} ms/claim mean, p50 {p50:.2f}, "
        f"p99 {p99:.2f} (goal < {GOAL_MS:g} ms); recall exact {tally[EXACT][0]}/{tally[EXACT][1]}, "
        f"near {tally[NEAR][0]}/{tally[NEAR][1]}; false matches {len(false_matches)}/{changed}; "
        f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    return {"summary": summary, "mean": mean, "p99": p99, "false": len(false_matches)}


def explain(claims: list[Planted], article_id: int) -> None:
    """The plans of the index lookups `find_candidates` makes for one article: the slowest and the
    median of them (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from review.intelligence import find_candidates

    texts = {10**9 + i: c.text for i, c in enumerate(claims)}
    with CaptureQueriesContext(connection) as captured:
        find_candidates(article_id, texts)
    lookups = sorted(
        (q for q in captured.captured_queries if "review_claimkey" in q["sql"]),
        key=lambda q: float(q["time"]),
    )
    print(
        f"  {len(captured.captured_queries)} queries for {len(texts)} claims, "
        f"{len(lookups)} of them on the index: {sum(float(q['time']) for q in lookups) * 1000:.1f} ms"
    )
    for label, query in (("slowest", lookups[-1]), ("median", lookups[len(lookups) // 2])):
        print(
            f"  {label} index lookup ({float(query['time']) * 1000:.2f} ms): {query['sql'][:300]}..."
        )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plan = cursor.fetchall()
            for row in plan[:16]:
                print("    " + " | ".join(str(x) for x in row))
            if len(plan) > 16:
                print(f"    ... ({len(plan) - 16} more lines: the same for every key)")


def bucket_report() -> None:
    """How the index's buckets look: rows per key (the largest are boilerplate lines)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n, COUNT(*) FROM (SELECT key, COUNT(*) AS n FROM review_claimkey GROUP BY key) t "
            "GROUP BY n ORDER BY n"
        )
        histogram = cursor.fetchall()
    total_keys = sum(c for _, c in histogram)
    single = sum(c for n, c in histogram if n == 1)
    big = sum(c for n, c in histogram if n > 50)
    print(
        f"  index: {total_keys:,} distinct keys, {single / total_keys:.1%} of them on one claim, "
        f"{big:,} on more than 50 claims, largest bucket {histogram[-1][0]:,} claims"
    )


def run_one(args: argparse.Namespace) -> int:
    """In a child process: one database (settings are read once per process)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    label = "sqlite" if connection.vendor == "sqlite" else "postgresql"
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"{label}: migrated in {time.perf_counter() - started:.1f} s; loading...", flush=True)
    counts = fill(Path(args.corpus), args.claims)
    print(
        f"{label}: filled {counts['articles']:,} articles, {counts['claims']:,} claims, "
        f"{counts['keys']:,} claim keys in {counts['fill_s']:.1f} s (rows {counts['load_s']:.1f} s, "
        f"indexes and constraints, checked, {counts['index_s']:.1f} s"
        f"{', VACUUM ANALYZE the rest' if label == 'postgresql' else ''})",
        flush=True,
    )
    connection.close()  # measure on a fresh connection with the production settings
    bucket_report()
    result = measure(args, article_sizes(args.claims), label)
    print(result["summary"], flush=True)
    return 0


# --- PostgreSQL ----------------------------------------------------------------------------------


def reachable(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


class PrivateCluster:
    """A throw-away PostgreSQL cluster (Debian's binaries) in a temp dir, on a free local port."""

    def __init__(self, workdir: Path) -> None:
        self.bindir = next(
            iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None
        )
        self.datadir = workdir / "pg"
        self.port = 0
        self.user = "postgres" if os.geteuid() == 0 else ""

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        if self.bindir is None:
            raise RuntimeError("no PostgreSQL binaries under /usr/lib/postgresql")
        self.datadir.mkdir()
        if self.user:
            shutil.chown(self.datadir.parent, self.user)
            shutil.chown(self.datadir, self.user)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-A",
            "trust",
            "-U",
            "bench",
            "--no-sync",
        )
        # Durability off: it only speeds up the load of a cluster thrown away afterwards; the
        # lookups measured are reads. Memory settings are PostgreSQL's defaults.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.datadir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-o",
            options,
            "-l",
            str(self.datadir / "log"),
            "-w",
            "start",
        )
        return f"postgres://bench@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        if self.port:
            try:
                self._run(
                    str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"
                )
            except subprocess.CalledProcessError as error:
                print(f"could not stop the private PostgreSQL cluster: {error.stderr!r}")


def with_database(url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def admin_sql(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement)


# --- Main ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--articles", type=int, default=200, help="new articles to time")
    parser.add_argument(
        "--postgres-url", default="", help="a server where a database may be created"
    )
    parser.add_argument("--no-cache", action="store_true", help="do not keep the generated corpus")
    parser.add_argument(
        "--explain", action="store_true", help="print the plans of the index lookups"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run_one(args)

    sys.path.insert(0, str(REPO))
    # Stopped with SIGTERM, still drop the database, stop the cluster and delete the temp dir.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-bench-reuse-"))
    cluster: PrivateCluster | None = None
    summaries: list[str] = []
    try:
        cache_dir = workdir if args.no_cache else REPO / "var" / "bench-cache"
        corpus = corpus_path(args.claims, cache_dir)
        if corpus.exists():
            print(
                f"corpus: {args.claims:,} claims with their keys from the cache {corpus}",
                flush=True,
            )
        else:
            build_corpus(args.claims, corpus)
        print(
            f"machine: {os.cpu_count()} CPUs, load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
            flush=True,
        )

        targets = ["sqlite", "postgres"] if args.database == "both" else [args.database]
        for target in targets:
            env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
            env["NEWSROOM_VAR_DIR"] = str(workdir / target)
            (workdir / target).mkdir()
            server = ""
            if target == "postgres":
                given = args.postgres_url or (
                    os.environ.get("DATABASE_URL", "")
                    if os.environ.get("DATABASE_URL", "").startswith("postgres")
                    else ""
                )
                if given:
                    server = given
                elif reachable(DEFAULT_POSTGRES_URL):
                    server = DEFAULT_POSTGRES_URL
                if server:
                    print(f"postgresql: server {re.sub(r':[^:@/]*@', ':***@', server)}", flush=True)
                else:
                    try:
                        cluster = PrivateCluster(workdir)
                        server = cluster.start()
                        print(
                            f"postgresql: {DEFAULT_POSTGRES_URL} does not answer; using a private "
                            f"cluster on port {cluster.port} ({cluster.bindir.parent.name}) in {workdir}",
                            flush=True,
                        )
                    except (RuntimeError, subprocess.CalledProcessError, OSError) as error:
                        print(
                            f"postgresql: SKIPPED - no server given or reachable and no private cluster ({error})"
                        )
                        summaries.append("postgresql: skipped (not available)")
                        continue
                try:
                    admin_sql(server, f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"')
                    admin_sql(server, f'CREATE DATABASE "{BENCH_DATABASE}"')
                except Exception as error:  # psycopg's many errors: no right to create, unreachable
                    print(
                        f"postgresql: SKIPPED - cannot create database {BENCH_DATABASE} on {server}: {error}"
                    )
                    summaries.append("postgresql: skipped (cannot create the database)")
                    continue
                env["DATABASE_URL"] = with_database(server, BENCH_DATABASE)
            command = [
                sys.executable,
                "-m",
                "benchmarks.reuse",
                "--child",
                "--corpus",
                str(corpus),
                "--claims",
                str(args.claims),
                "--articles",
                str(args.articles),
            ]
            if args.explain:
                command.append("--explain")
            try:
                child = subprocess.Popen(
                    command, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
                )
                for line in child.stdout:
                    print(line, end="", flush=True)
                    if re.match(r"(sqlite|postgresql): [\d,]+ claims, candidates", line):
                        summaries.append(line.rstrip())
                if child.wait() != 0:
                    summaries.append(f"{target}: FAILED (exit {child.returncode})")
            finally:
                if target == "postgres":
                    try:
                        admin_sql(server, f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"')
                    except Exception as error:
                        print(f"postgresql: could not drop {BENCH_DATABASE}: {error}")
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    for line in summaries:
        print(line)
    return 0 if all("FAILED" not in line for line in summaries) else 1


if __name__ == "__main__":
    raise SystemExit(main())

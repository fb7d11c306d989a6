"""A synthetic wire-copy corpus for the extraction benchmark.

Every article is assembled from templates written for this benchmark, with invented companies,
people, places and figures drawn from a seeded random generator, so every article is different
(no cache can help) and a run is reproducible. The mix follows what feeds deliver: a dateline
header, section labels, quotations, abbreviations, bullets, related links, an image credit, a
disclaimer; some articles use single newlines, CRLF, or lost their breaks altogether.
"""

from __future__ import annotations

import random

_FIRST = "Ada Bruno Carla Dmitri Elena Farid Greta Hiro Ines Jonas Kamala Luis Mira Nadia Otto Priya Quinn Rosa Sven Talia Umar Vera Wes Xenia Yusuf Zora".split()
_LAST = "Abernathy Baptiste Castellano Dunmore Eriksen Falkner Guerrero Halvorsen Ibarra Jankowski Kimura Lindqvist Moreau Nakamura Okafor Petrov Quintero Rasmussen Sandoval Thibault Underwood Valdez Whitcombe Yilmaz Zeller".split()
_CO_A = "Apex Borealis Cobalt Driftwood Ember Fathom Granite Halcyon Ironwood Juniper Keystone Lumen Meridian Northwind Obsidian Pinnacle Quarry Redwood Solstice Tidewater Umbra Vantage Westbrook Xylem Yarrow Zenith".split()
_CO_B = "Robotics Biotech Motors Energy Semiconductors Airlines Foods Logistics Pharma Networks Mining Analytics Telecom Shipping Holdings".split()
_SUFFIX = ["Inc.", "Corp.", "Co.", "Ltd.", "Group Inc.", "Holdings Corp."]
_EXCH = ["NASDAQ", "NYSE", "NYSE American", "OTC"]
_CITY = [
    "Austin, Texas",
    "Tampa, Fla.",
    "San Jose, Calif.",
    "Denver, Colo.",
    "Boston, Mass.",
    "Seattle, Wash.",
    "Phoenix, Ariz.",
    "Nashville, Tenn.",
]
_DAY = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
_MON = [
    "Jan.",
    "Feb.",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
    "March",
    "April",
    "May",
    "June",
    "July",
]
_TITLE = ["CEO", "CFO", "Chief Operating Officer", "Chairwoman", "President", "Chief Scientist"]
_ANALYST_FIRM = [
    "Halberd Securities",
    "Crestline Capital",
    "Marrow & Finch",
    "Osprey Research",
    "Tallgrass Partners",
]
_OFFICIAL = ["Sen.", "Rep.", "Gov.", "Gen.", "Dr."]


def _money(r: random.Random) -> str:
    return f"${r.randint(1, 950)}.{r.randint(0, 9)} {r.choice(['million', 'billion'])}"


def _pct(r: random.Random) -> str:
    return f"{r.randint(1, 48)}.{r.randint(0, 9)}%"


def _person(r: random.Random) -> str:
    return (
        f"{r.choice(_FIRST)} {r.choice('ABCDEFGHJKLMNPRSTW')}. {r.choice(_LAST)}"
        if r.random() < 0.3
        else f"{r.choice(_FIRST)} {r.choice(_LAST)}"
    )


def article(r: random.Random) -> str:
    """One article in a random feed style."""
    name = f"{r.choice(_CO_A)} {r.choice(_CO_B)}"
    co = f"{name} {r.choice(_SUFFIX)}"
    ticker = "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(r.randint(3, 4)))
    exch = r.choice(_EXCH)
    ceo = _person(r)
    boss = f"{r.choice(_TITLE)} {ceo}"
    day, day2 = r.choice(_DAY), r.choice(_DAY)
    rival = f"{r.choice(_CO_A)} {r.choice(_CO_B)}"
    analyst = f"{r.choice(_FIRST)} {r.choice(_LAST)}"
    firm = r.choice(_ANALYST_FIRM)
    official = f"{r.choice(_OFFICIAL)} {r.choice(_FIRST)} {r.choice(_LAST)}"
    city = r.choice(_CITY)
    lead = [
        f"{co} ({exch}:{ticker}) shares rose {_pct(r)} on {day} after the company reported quarterly revenue of {_money(r)}, ahead of the {_money(r)} analysts had expected.",
        f"The results, released at {r.randint(4, 9)}:{r.choice(['00', '15', '30', '45'])} p.m. ET on {day2}, also showed operating margin widening to {_pct(r)} from {_pct(r)} a year earlier.",
        f"{name} said it now expects full-year sales of between {_money(r)} and {_money(r)}.",
    ]
    happened = [
        f'{boss} told analysts on a call that demand in the U.S. had "held up better than we feared. Orders in the last six weeks were the strongest of the year," according to a transcript.',
        f"The company, based in {city}, said it would add {r.randint(120, 2400):,} jobs by {r.choice(_MON)} {r.randint(1, 28)}, {r.randint(2025, 2028)}.",
        f"Gross profit climbed to {_money(r)}, or {r.randint(1, 9)}.{r.randint(10, 99)} per share vs. {r.randint(1, 9)}.{r.randint(10, 99)} a year ago.",
        f"“We are not done investing,” {ceo.split()[-1]} said. “The next two years will decide who leads this market.”",
        f'{official} said in a statement that the expansion would bring "real jobs, not promises" to the region.',
    ]
    matters = [
        f"{rival} and other rivals have struggled with higher input costs, and shares of {rival} are down {_pct(r)} this year.",
        f"{analyst}, an analyst at {firm}, raised her price target to ${r.randint(20, 400)} from ${r.randint(20, 400)} and kept a buy rating on the stock.",
        f"Some investors worry that the company's backlog of about {_money(r)} may shrink if rates stay high through {r.randint(2025, 2027)}, e.g. in housing-related markets.",
        f"Is the rally sustainable? {analyst.split()[-1]} thinks so, citing approx. {r.randint(10, 90)} new contracts signed since {r.choice(_MON)} {r.randint(1, 28)}.",
    ]
    bullets = [
        f"Revenue: up {_pct(r)} year over year.",
        f"Free cash flow reached {_money(r)} in the quarter.",
        f"Inventory fell {_pct(r)} from the prior quarter",
    ]
    links = [
        f"{rival} Cuts Outlook As Orders Slow In Europe",
        f"{r.randint(3, 7)} {r.choice(_CO_B)} Stocks To Watch Ahead Of Earnings Season",
        f"Why {name} Is Betting On {r.choice(['Automation', 'Asia', 'Batteries', 'Cloud Software'])}",
    ]
    paras: list[str] = []
    paras.append(" ".join(lead))
    paras.append("What Happened: " + " ".join(happened[:3]))
    paras.append(" ".join(happened[3:]))
    paras.append(
        "The company highlighted three figures for the quarter:\n"
        + "\n".join("- " + b for b in bullets)
    )
    paras.append(f"See Also: {links[0]}")
    paras.append("Why It Matters: " + " ".join(matters))
    if r.random() < 0.4:
        paras.append("Read Next:\n" + "\n".join("- " + x for x in links[1:]))
    else:
        paras.append(f"Read Next: {links[1]}")
    paras.append(
        f"{ticker} Price Action: {name} shares were up {_pct(r)} at ${r.randint(10, 400)}.{r.randint(10, 99)} at the time of publication on {day}, according to Benzinga Pro."
    )
    paras.append(
        r.choice(["Image via Shutterstock", "Photo courtesy of " + name, "Image: " + name + "."])
    )
    if r.random() < 0.5:
        paras.append(
            "Disclaimer: This content was partially produced with the help of AI tools and was reviewed and published by editors."
        )
    style = r.random()
    if style < 0.6:
        body = "\n\n".join(paras)
    elif style < 0.75:
        body = "\n".join(paras)
    elif style < 0.9:
        body = "\r\n\r\n".join(p.replace("\n", "\r\n") for p in paras)
    else:
        body = "".join(p.replace("\n", " ") for p in paras)
    if r.random() < 0.85:
        body = (
            f" date {r.randint(2019, 2025)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} " + body
        )
    return body


def corpus(min_bytes: int = 1_200_000, seed: int = 20240814) -> list[str]:
    """Articles until their UTF-8 size reaches min_bytes; all distinct."""
    r = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    size = 0
    while size < min_bytes:
        a = article(r)
        if a in seen:
            continue
        seen.add(a)
        out.append(a)
        size += len(a.encode("utf-8"))
    return out


def long_article(r: random.Random, min_chars: int) -> str:
    """One article of at least min_chars with no paragraph break at all."""
    parts: list[str] = []
    n = 0
    while n < min_chars:
        a = article(r).replace("\r", " ").replace("\n", " ")
        parts.append(a)
        n += len(a) + 1
    return " ".join(parts)


def short_lines(r: random.Random, count: int) -> str:
    """count short lines, one sentence each."""
    verbs = ["rose", "fell", "held", "slipped", "jumped", "eased"]
    return "\n".join(
        f"{r.choice(_CO_A)} {r.choice(verbs)} {r.randint(1, 40)}%." for _ in range(count)
    )

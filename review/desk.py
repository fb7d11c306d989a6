"""The Desk page's figures: how much waits, how fast it moves, where it sticks, who is loaded.

Every figure is aggregated by the database, one query each (a fixed number for the page however
many rows there are), grouped by day or hour in the *current* time zone
(`timezone.get_current_timezone()`, which the middleware sets per request). Medians and 90th
percentiles are nearest-rank percentiles computed with window functions, so the same SQL runs on
SQLite and PostgreSQL.

Who sees what (`DeskScope`): a chief editor sees the whole desk; anyone else sees the desk's
figures about their own work only: the articles they wrote, and the verdicts they gave. A
reviewer's load table shows only their own row. The definitions of each figure are in
docs/review.md ("The Desk").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Floor, Least, TruncDate, TruncHour
from django.db.models.lookups import Exact
from django.utils import timezone

from articles import permissions
from articles.models import Article, ArticleEvent, Claim
from articles.people import display_name
from review.models import Assignment, ClaimHold

User = get_user_model()

# The longest range the page accepts (the backlog is one row per day).
MAX_RANGE_DAYS = 92
DEFAULT_RANGE_DAYS = 14
# Two verdicts by one reviewer further apart than this are not one stretch of work: the gap is
# not counted as time spent on the second verdict.
WORK_GAP_SECONDS = 30 * 60
SCORE_BANDS = 10


class Seconds(Func):
    """`end - start` in seconds, as a float, on SQLite and PostgreSQL."""

    arity = 2
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))::float",
            arg_joiner=" - ",
            **extra,
        )


def _seconds_sql(end: str, start: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({end} - {start}))::float"
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


def _as_date(value: Any) -> dt.date:
    """A TruncDate value as the raw SQL returns it (a date on PostgreSQL, text on SQLite)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _percentiles(qs: QuerySet, *, date_groups: bool = True) -> dict[Any, tuple[int, float, float]]:
    """{g: (n, median, p90)} over `qs`, a `.values("g", "v")` queryset: nearest-rank percentiles
    of v per group g, computed by the database with window functions (one query)."""
    inner, params = qs.query.sql_with_params()
    sql = (
        "SELECT g, COUNT(*), "
        "MIN(CASE WHEN rn * 2 >= cnt THEN v END), "
        "MIN(CASE WHEN rn * 10 >= cnt * 9 THEN v END) "
        "FROM (SELECT g, v, ROW_NUMBER() OVER (PARTITION BY g ORDER BY v) AS rn, "
        "COUNT(*) OVER (PARTITION BY g) AS cnt "
        f"FROM ({inner}) AS inner_rows WHERE v IS NOT NULL) AS ranked "
        "GROUP BY g ORDER BY g"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        rows = cursor.fetchall()
    return {
        (_as_date(g) if date_groups else g): (int(n), float(median), float(p90))
        for g, n, median, p90 in rows
    }


# --- Who sees what, and the filters --------------------------------------------------------------


@dataclass(frozen=True)
class DeskScope:
    """What the desk shows `user`: everything (chief editors), or their own work."""

    user: Any
    everything: bool
    editor: bool
    reviewer: bool

    @classmethod
    def of(cls, user) -> DeskScope | None:
        """None: the user has no part on the desk (no role)."""
        chief = permissions.is_chief(user)
        editor = permissions.is_editor(user)
        reviewer = permissions.is_reviewer(user)
        if not (chief or editor or reviewer):
            return None
        return cls(user=user, everything=chief, editor=editor, reviewer=reviewer)

    @property
    def sees_articles(self) -> bool:
        """Backlog, time to publish and gate waits are about articles: their authors' work."""
        return self.everything or self.editor

    @property
    def sees_load(self) -> bool:
        return self.everything or self.reviewer

    def articles(self, qs: QuerySet[Article], prefix: str = "") -> QuerySet:
        if self.everything:
            return qs
        return qs.filter(**{f"{prefix}author": self.user})

    def judged(self, qs: QuerySet, *, author: str, judge: str) -> QuerySet:
        """Verdict rows (events or claims) about the user's work: on their articles or by them."""
        if self.everything:
            return qs
        return qs.filter(Q(**{author: self.user}) | Q(**{judge: self.user}))

    def reviewers(self) -> QuerySet:
        qs = User.objects.filter(groups__name=permissions.REVIEWER).distinct()
        if self.everything:
            return qs
        return qs.filter(pk=self.user.pk)


@dataclass(frozen=True)
class DeskFilters:
    since: dt.date
    until: dt.date
    author: Any = None
    reviewer: Any = None
    section: str = ""

    @property
    def start(self) -> dt.datetime:
        return _local_midnight(self.since)

    @property
    def end(self) -> dt.datetime:
        return _local_midnight(self.until + dt.timedelta(days=1))

    @property
    def days(self) -> list[dt.date]:
        return [
            self.since + dt.timedelta(days=i) for i in range((self.until - self.since).days + 1)
        ]

    def query(self) -> list[tuple[str, str]]:
        """These filters as GET parameters (for links and exports)."""
        pairs = [("since", self.since.isoformat()), ("until", self.until.isoformat())]
        if self.author is not None:
            pairs.append(("author", str(self.author.pk)))
        if self.reviewer is not None:
            pairs.append(("reviewer", str(self.reviewer.pk)))
        if self.section:
            pairs.append(("section", self.section))
        return pairs


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone()
    )


def default_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today - dt.timedelta(days=DEFAULT_RANGE_DAYS - 1), today


def _articles(scope: DeskScope, filters: DeskFilters) -> QuerySet[Article]:
    qs = scope.articles(Article.objects.all())
    if filters.author is not None:
        qs = qs.filter(author=filters.author)
    if filters.reviewer is not None:
        qs = qs.filter(
            Exists(Claim.objects.filter(article=OuterRef("pk"), reviewed_by=filters.reviewer))
        )
    if filters.section:
        qs = qs.filter(
            Exists(Claim.objects.filter(article=OuterRef("pk"), section=filters.section))
        )
    return qs


def _verdict_events(scope: DeskScope, filters: DeskFilters) -> QuerySet[ArticleEvent]:
    """Verdict rows that stand: an undone verdict and the row that undid it
    (`review.services.undo_verdict`) count as no work done."""
    qs = scope.judged(
        # Written so that no database plans the scan on the `undoes` index (nearly every row has
        # it null, which a planner without statistics takes for selective): COALESCE hides the
        # column from the index, and the undone rows are an anti-join probed per verdict row.
        ArticleEvent.objects.filter(
            Exact(Coalesce("undoes_id", 0), 0),
            kind=ArticleEvent.Kind.VERDICT,
            undone_by__isnull=True,
        ),
        author="article__author",
        judge="actor",
    ).filter(created_at__gte=filters.start, created_at__lt=filters.end)
    if filters.author is not None:
        qs = qs.filter(article__author=filters.author)
    if filters.reviewer is not None:
        qs = qs.filter(actor=filters.reviewer)
    if filters.section:
        qs = qs.filter(claim__section=filters.section)
    return qs


def _judged_claims(scope: DeskScope, filters: DeskFilters) -> QuerySet[Claim]:
    qs = scope.judged(
        Claim.objects.active().exclude(verdict=Claim.Verdict.PENDING),
        author="article__author",
        judge="reviewed_by",
    ).filter(reviewed_at__gte=filters.start, reviewed_at__lt=filters.end)
    if filters.author is not None:
        qs = qs.filter(article__author=filters.author)
    if filters.reviewer is not None:
        qs = qs.filter(reviewed_by=filters.reviewer)
    if filters.section:
        qs = qs.filter(section=filters.section)
    return qs


def gate_open_at() -> Subquery:
    """When an article's gate opened: the time of the last verdict on its current claims, if every
    one of them is verified (null while any is pending or unverified, or it has none)."""
    return Subquery(
        Claim.objects.filter(article=OuterRef("pk"), retired_at__isnull=True)
        .order_by()
        .values("article")
        .annotate(
            last=Max("reviewed_at"),
            other=Count("id", filter=~Q(verdict=Claim.Verdict.VERIFIED)),
        )
        .filter(other=0)
        .values("last")
    )


# --- The charts ----------------------------------------------------------------------------------


@dataclass
class Chart:
    """One chart: what it shows, its rows (the data table and the exports are exactly these), and
    how to draw it. `columns`: (key, label) of each row value; `series`: the keys drawn."""

    slug: str
    title: str
    description: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]
    series: list[tuple[str, str]]
    label_key: str
    kind: str = "bars"  # "bars" (stacked), "lines"
    unit: str = ""
    # (row key, item kind) for the link of each row: the claims or articles behind it.
    link: str = ""
    links: list[str] = field(default_factory=list)

    def export_rows(self) -> list[list[Any]]:
        """The rows for the CSV (days as ISO dates; `csv_cell` formats times)."""
        return [
            [
                row[key].isoformat() if type(row[key]) is dt.date else row[key]
                for key, _ in self.columns
            ]
            for row in self.rows
        ]


def backlog(scope: DeskScope, filters: DeskFilters) -> Chart:
    """At the end of each day: claims pending, articles in review (submitted, not yet published)
    and articles waiting at an open gate (every claim verified, not yet published). One query:
    the days are a VALUES list joined to the candidate rows."""
    days = filters.days
    ends = [_local_midnight(d + dt.timedelta(days=1)) for d in days]
    articles = (
        _articles(scope, filters)
        .filter(submitted_at__lt=filters.end)
        .filter(Q(published_at__isnull=True) | Q(published_at__gte=filters.start))
    )
    art_sql, art_params = (
        articles.annotate(open_at=gate_open_at())
        .values("id", "submitted_at", "published_at", "open_at")
        .query.sql_with_params()
    )
    claims = Claim.objects.filter(
        article__in=articles.values("pk"), created_at__lt=filters.end
    ).filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__gte=filters.start))
    claims = claims.filter(Q(retired_at__isnull=True) | Q(retired_at__gte=filters.start))
    if filters.section:
        claims = claims.filter(section=filters.section)
    claim_sql, claim_params = claims.values(
        "id", "created_at", "reviewed_at", "retired_at"
    ).query.sql_with_params()
    values = ", ".join(["(%s, %s)"] * len(days))
    day_params: list[Any] = []
    for i, end in enumerate(ends):
        # As the ORM would pass it (SQLite compares UTC text, not aware datetimes).
        day_params += [i, connection.ops.adapt_datetimefield_value(end)]
    sql = (
        f"WITH days(i, t) AS (VALUES {values}), "
        # MATERIALIZED: each day's counts read the candidates once computed, not recomputed.
        f"a AS MATERIALIZED ({art_sql}), c AS MATERIALIZED ({claim_sql}) "
        "SELECT days.i, "
        "(SELECT COUNT(*) FROM c WHERE c.created_at < days.t "
        " AND (c.reviewed_at IS NULL OR c.reviewed_at >= days.t) "
        " AND (c.retired_at IS NULL OR c.retired_at >= days.t)), "
        "(SELECT COUNT(*) FROM a WHERE a.submitted_at < days.t "
        " AND (a.published_at IS NULL OR a.published_at >= days.t)), "
        "(SELECT COUNT(*) FROM a WHERE a.open_at < days.t "
        " AND (a.published_at IS NULL OR a.published_at >= days.t)) "
        "FROM days ORDER BY days.i"
    )
    if connection.vendor == "postgresql":
        # VALUES gives PostgreSQL untyped parameters: say what they are.
        sql = sql.replace("(%s, %s)", "(%s::int, %s::timestamptz)")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*day_params, *art_params, *claim_params])
        counts = {i: (p, r, o) for i, p, r, o in cursor.fetchall()}
    rows = [
        {
            "day": day,
            "pending_claims": counts[i][0],
            "in_review": counts[i][1],
            "open_gate": counts[i][2],
        }
        for i, day in enumerate(days)
    ]
    return Chart(
        slug="backlog",
        title="Backlog",
        description="At the end of each day: claims pending, articles in review, and articles "
        "waiting at an open gate (every claim verified, not published).",
        columns=[
            ("day", "Day"),
            ("pending_claims", "Claims pending"),
            ("in_review", "Articles in review"),
            ("open_gate", "Articles at an open gate"),
        ],
        rows=rows,
        series=[
            ("pending_claims", "Claims pending"),
            ("in_review", "Articles in review"),
            ("open_gate", "At an open gate"),
        ],
        label_key="day",
        kind="lines",
        link="day",
    )


def verdicts_per_day(scope: DeskScope, filters: DeskFilters) -> Chart:
    tz = timezone.get_current_timezone()
    counts = (
        _verdict_events(scope, filters)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .order_by()
        .values("day", "to_state")
        .annotate(n=Count("id"))
    )
    by_day: dict[dt.date, dict[str, int]] = {}
    for row in counts:
        by_day.setdefault(row["day"], {})[row["to_state"]] = row["n"]
    rows = [
        {
            "day": day,
            "verified": by_day.get(day, {}).get("verified", 0),
            "unverified": by_day.get(day, {}).get("unverified", 0),
        }
        for day in filters.days
    ]
    return Chart(
        slug="verdicts-day",
        title="Verdicts per day",
        description="Verdicts recorded each day (a changed verdict counts again).",
        columns=[("day", "Day"), ("verified", "Verified"), ("unverified", "Unverified")],
        rows=rows,
        series=[("verified", "Verified"), ("unverified", "Unverified")],
        label_key="day",
        link="day",
    )


# The per-hour chart covers the last HOUR_CHART_DAYS of a longer range (the per-day chart covers
# all of it): 336 hours are as many bars as a screen can tell apart, and a 92-day range would draw
# 2,208 of them (the page's size and most of its time).
HOUR_CHART_DAYS = 14


def verdicts_per_hour(scope: DeskScope, filters: DeskFilters) -> Chart:
    """Verdicts per hour over the last HOUR_CHART_DAYS of the range, hours with none left out of
    the table."""
    tz = timezone.get_current_timezone()
    since = max(filters.start, filters.end - dt.timedelta(days=HOUR_CHART_DAYS))
    counts = (
        _verdict_events(scope, filters)
        .filter(created_at__gte=since)
        .annotate(hour=TruncHour("created_at", tzinfo=tz))
        .order_by()
        .values("hour", "to_state")
        .annotate(n=Count("id"))
    )
    by_hour: dict[dt.datetime, dict[str, int]] = {}
    for row in counts:
        by_hour.setdefault(timezone.localtime(row["hour"], tz), {})[row["to_state"]] = row["n"]
    rows = [
        {
            "hour": hour,
            "verified": by_hour[hour].get("verified", 0),
            "unverified": by_hour[hour].get("unverified", 0),
        }
        for hour in sorted(by_hour)
    ]
    return Chart(
        slug="verdicts-hour",
        title="Verdicts per hour",
        description=(
            "Verdicts recorded in each hour that had any"
            + ("." if since == filters.start else f", over the last {HOUR_CHART_DAYS} days.")
        ),
        columns=[("hour", "Hour"), ("verified", "Verified"), ("unverified", "Unverified")],
        rows=rows,
        series=[("verified", "Verified"), ("unverified", "Unverified")],
        label_key="hour",
        link="hour",
    )


def time_to_publish(scope: DeskScope, filters: DeskFilters) -> Chart:
    """Per day: hours from submission to the gate opening (articles whose gate opened that day)
    and to publication (articles published that day), median and 90th percentile."""
    tz = timezone.get_current_timezone()
    base = _articles(scope, filters).filter(submitted_at__isnull=False).order_by()
    published = (
        base.filter(published_at__gte=filters.start, published_at__lt=filters.end)
        .annotate(
            g=TruncDate("published_at", tzinfo=tz),
            v=Seconds(F("published_at"), F("submitted_at")),
        )
        .values("g", "v")
    )
    opened = (
        base.filter(
            status__in=[Article.Status.IN_REVIEW, Article.Status.PUBLISHED],
            submitted_at__lt=filters.end,
        )
        # A gate that opened in the range belongs to an article not published before it.
        .filter(Q(published_at__isnull=True) | Q(published_at__gte=filters.start))
        .annotate(open_at=gate_open_at())
        .filter(open_at__gte=filters.start, open_at__lt=filters.end)
        .annotate(g=TruncDate("open_at", tzinfo=tz), v=Seconds(F("open_at"), F("submitted_at")))
        .values("g", "v")
    )
    pub = _percentiles(published)
    gate = _percentiles(opened)

    def hours(stats: tuple[int, float, float] | None, i: int) -> float | None:
        return round(stats[i] / 3600, 1) if stats else None

    rows = [
        {
            "day": day,
            "gate_n": gate[day][0] if day in gate else 0,
            "gate_median": hours(gate.get(day), 1),
            "gate_p90": hours(gate.get(day), 2),
            "published_n": pub[day][0] if day in pub else 0,
            "published_median": hours(pub.get(day), 1),
            "published_p90": hours(pub.get(day), 2),
        }
        for day in filters.days
    ]
    return Chart(
        slug="time-to-publish",
        title="Time from submission to gate open and to publication",
        description="Hours from submission, per day the gate opened or the article was "
        "published: median and 90th percentile.",
        columns=[
            ("day", "Day"),
            ("gate_n", "Gates opened"),
            ("gate_median", "To gate open, median (h)"),
            ("gate_p90", "To gate open, p90 (h)"),
            ("published_n", "Published"),
            ("published_median", "To publication, median (h)"),
            ("published_p90", "To publication, p90 (h)"),
        ],
        rows=rows,
        series=[
            ("gate_median", "Gate open, median"),
            ("gate_p90", "Gate open, p90"),
            ("published_median", "Publication, median"),
            ("published_p90", "Publication, p90"),
        ],
        label_key="day",
        kind="lines",
        unit="h",
        link="day",
    )


GATE_REASONS = {
    "pending": "Claims pending",
    "unverified": "Claims unverified",
    "open": "Gate open, not published",
}


def gate_waits(scope: DeskScope, filters: DeskFilters, *, now: dt.datetime) -> Chart:
    """How long articles waited at the gate in the range, and why. An article waits from its
    submission until its last claim was judged because claims were pending; from then until it
    left the gate (publication, or now) because claims were unverified if any is, else at an
    open gate. Counted for articles that were at the gate in the range."""
    judged_at = Subquery(
        Claim.objects.filter(article=OuterRef("pk"), retired_at__isnull=True)
        .order_by()
        .values("article")
        .annotate(
            last=Max("reviewed_at"),
            pending=Count("id", filter=Q(verdict=Claim.Verdict.PENDING)),
        )
        .filter(pending=0)
        .values("last")
    )
    unverified = Subquery(
        Claim.objects.filter(
            article=OuterRef("pk"), retired_at__isnull=True, verdict=Claim.Verdict.UNVERIFIED
        )
        .order_by()
        .values("article")
        .annotate(n=Count("id"))
        .values("n"),
        output_field=IntegerField(),
    )
    articles = (
        _articles(scope, filters)
        .filter(status__in=[Article.Status.IN_REVIEW, Article.Status.PUBLISHED])
        .filter(submitted_at__lt=filters.end)
        .filter(Q(published_at__isnull=True) | Q(published_at__gte=filters.start))
        .order_by()
        .annotate(
            judged_at=judged_at,
            left_at=Coalesce("published_at", now),
            unverified=Coalesce(unverified, 0),
        )
    )
    pending_part = articles.annotate(
        g=_reason("pending"), v=Seconds(Coalesce("judged_at", "left_at"), F("submitted_at"))
    ).values("g", "v")
    after = articles.filter(judged_at__isnull=False)
    unverified_part = (
        after.filter(unverified__gt=0)
        .annotate(g=_reason("unverified"), v=Seconds(F("left_at"), F("judged_at")))
        .values("g", "v")
    )
    open_part = (
        after.filter(unverified=0)
        .annotate(g=_reason("open"), v=Seconds(F("left_at"), F("judged_at")))
        .values("g", "v")
    )
    stats = _percentiles(
        pending_part.union(unverified_part, open_part, all=True), date_groups=False
    )
    rows = []
    for reason, label in GATE_REASONS.items():
        n, median, p90 = stats.get(reason, (0, None, None))
        rows.append(
            {
                "reason": label,
                "key": reason,
                "articles": n,
                "median": round(median / 3600, 1) if median is not None else None,
                "p90": round(p90 / 3600, 1) if p90 is not None else None,
            }
        )
    return Chart(
        slug="gate-waits",
        title="Time waited at the gate, and why",
        description="Hours articles at the gate in the range waited: while claims were pending, "
        "then with unverified claims or at an open gate until publication (or now).",
        columns=[
            ("reason", "Why"),
            ("articles", "Articles"),
            ("median", "Median (h)"),
            ("p90", "p90 (h)"),
        ],
        rows=rows,
        series=[("median", "Median"), ("p90", "p90")],
        label_key="reason",
        kind="hbars",
        unit="h",
        link="key",
    )


def _reason(name: str):
    from django.db.models import CharField, Value

    return Value(name, output_field=CharField())


def reviewer_load(scope: DeskScope, filters: DeskFilters, *, now: dt.datetime) -> Chart:
    """Per reviewer: articles assigned to them still in review, claims held now, verdicts in the
    range (and per day), and the share of those that were unverified."""
    reviewers = scope.reviewers()
    if filters.reviewer is not None:
        reviewers = reviewers.filter(pk=filters.reviewer.pk)
    reviewers = reviewers.annotate(
        assigned=_count(
            Assignment.objects.filter(
                reviewer=OuterRef("pk"), article__status=Article.Status.IN_REVIEW
            ),
            "reviewer",
        ),
        held=_count(ClaimHold.objects.filter(holder=OuterRef("pk"), expires_at__gt=now), "holder"),
    )
    # The verdicts of every reviewer in one grouped pass over the range (a correlated count per
    # reviewer would scan the range once each).
    judged = {
        row["actor"]: row
        for row in _verdict_events(scope, filters)
        .order_by()
        .values("actor")
        .annotate(
            n=Count("id"), unverified=Count("id", filter=Q(to_state=Claim.Verdict.UNVERIFIED))
        )
    }
    for user in reviewers:
        user.judged = judged.get(user.pk, {}).get("n", 0)
        user.unverified = judged.get(user.pk, {}).get("unverified", 0)
    reviewers = sorted(reviewers, key=lambda u: (-u.judged, u.username))
    n_days = len(filters.days)
    rows = [
        {
            "reviewer": display_name(user),
            "id": user.pk,
            "assigned": user.assigned,
            "held": user.held,
            "judged": user.judged,
            "per_day": round(user.judged / n_days, 1),
            "unverified_rate": round(100 * user.unverified / user.judged, 1)
            if user.judged
            else None,
        }
        for user in reviewers
    ]
    return Chart(
        slug="load",
        title="Reviewer load",
        description="Per reviewer: articles assigned and still in review, claims held now, "
        "verdicts in the range and per day, and the share judged unverified.",
        columns=[
            ("reviewer", "Reviewer"),
            ("assigned", "Assigned"),
            ("held", "Holding"),
            ("judged", "Verdicts"),
            ("per_day", "Verdicts per day"),
            ("unverified_rate", "Unverified (%)"),
        ],
        rows=rows,
        series=[("judged", "Verdicts"), ("assigned", "Assigned")],
        label_key="reviewer",
        kind="hbars",
        link="id",
    )


def _count(qs: QuerySet, outer: str) -> Coalesce:
    return Coalesce(
        Subquery(
            qs.order_by().values(outer).annotate(n=Count("id")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def verdict_reuse(scope: DeskScope, filters: DeskFilters) -> Chart:
    """Verdicts reused from another article, and the reviewer time that saved: reused verdicts ×
    the median time a reviewer spends on a verdict (the gap since their previous verdict, gaps
    over 30 minutes not counted as work). Two queries."""
    events = _verdict_events(scope, filters)
    totals = events.aggregate(
        total=Count("id"), reused=Count("id", filter=Q(source_claim__isnull=False))
    )
    inner, params = (
        events.filter(source_claim__isnull=True)
        .order_by()
        .values("actor_id", "created_at")
        .query.sql_with_params()
    )
    gap = _seconds_sql("created_at", "prev")
    sql = (
        f"SELECT 1 AS g, {gap} AS v FROM (SELECT actor_id, created_at, "
        "LAG(created_at) OVER (PARTITION BY actor_id ORDER BY created_at) AS prev "
        f"FROM ({inner}) AS e) AS gaps WHERE prev IS NOT NULL AND {gap} <= %s"
    )
    wrapped = (
        "SELECT COUNT(*), MIN(CASE WHEN rn * 2 >= cnt THEN v END) FROM (SELECT v, "
        "ROW_NUMBER() OVER (ORDER BY v) AS rn, COUNT(*) OVER () AS cnt "
        f"FROM ({sql}) AS s) AS ranked"
    )
    with connection.cursor() as cursor:
        cursor.execute(wrapped, [*params, WORK_GAP_SECONDS])
        gaps, median = cursor.fetchone()
    median_minutes = round(median / 60, 1) if median is not None else None
    saved = round(totals["reused"] * median / 3600, 1) if median is not None else None
    rows = [
        {"figure": "Verdicts", "key": "all", "value": totals["total"]},
        {"figure": "Reused from another article", "key": "reused", "value": totals["reused"]},
        {"figure": "Median minutes per verdict", "key": "", "value": median_minutes},
        {"figure": "Reviewer hours saved", "key": "", "value": saved},
    ]
    # The chart draws the two counts; minutes and hours are in its table, not on the same axis.
    for row in rows:
        row["count"] = row["value"] if row["key"] else None
    return Chart(
        slug="reuse",
        title="Verdict reuse",
        description="Verdicts reused from another article, and the reviewer time saved at the "
        "median time per verdict written by hand.",
        columns=[("figure", "Figure"), ("value", "Value")],
        rows=rows,
        series=[("count", "Verdicts")],
        label_key="figure",
        kind="hbars",
        link="key",
    )


def calibration(scope: DeskScope, filters: DeskFilters) -> Chart:
    """Per check-worthiness score band (tenths): claims judged in the range and the share of them
    judged unverified."""
    band = Least(
        Floor(F("checkworthiness") * SCORE_BANDS),
        Value(float(SCORE_BANDS - 1)),
        output_field=FloatField(),
    )
    counts = (
        _judged_claims(scope, filters)
        .filter(checkworthiness__isnull=False)
        .annotate(band=band)
        .order_by()
        .values("band")
        .annotate(n=Count("id"), unverified=Count("id", filter=Q(verdict="unverified")))
    )
    by_band = {int(row["band"]): row for row in counts}
    rows = []
    for b in range(SCORE_BANDS):
        row = by_band.get(b, {"n": 0, "unverified": 0})
        rows.append(
            {
                "band": f"{b / SCORE_BANDS:.1f}–{(b + 1) / SCORE_BANDS:.1f}",
                "key": b,
                "judged": row["n"],
                "unverified": row["unverified"],
                "unverified_share": round(100 * row["unverified"] / row["n"], 1)
                if row["n"]
                else None,
            }
        )
    return Chart(
        slug="calibration",
        title="Check-worthiness calibration",
        description="Claims judged in the range per check-worthiness score band, and the share "
        "judged unverified: a good score puts more unverified claims in the higher bands.",
        columns=[
            ("band", "Score band"),
            ("judged", "Claims judged"),
            ("unverified", "Unverified"),
            ("unverified_share", "Unverified (%)"),
        ],
        rows=rows,
        series=[("unverified_share", "Unverified (%)")],
        label_key="band",
        unit="%",
        link="key",
    )


CHARTS = (
    "backlog",
    "verdicts-day",
    "verdicts-hour",
    "time-to-publish",
    "gate-waits",
    "load",
    "reuse",
    "calibration",
)


def desk_charts(scope: DeskScope, filters: DeskFilters, *, only: str | None = None) -> list[Chart]:
    """The charts `scope` may see, in page order (`only`: that one)."""
    now = timezone.now()
    makers = []
    if scope.sees_articles:
        makers.append(("backlog", lambda: backlog(scope, filters)))
    makers += [
        ("verdicts-day", lambda: verdicts_per_day(scope, filters)),
        ("verdicts-hour", lambda: verdicts_per_hour(scope, filters)),
    ]
    if scope.sees_articles:
        makers += [
            ("time-to-publish", lambda: time_to_publish(scope, filters)),
            ("gate-waits", lambda: gate_waits(scope, filters, now=now)),
        ]
    if scope.sees_load:
        makers.append(("load", lambda: reviewer_load(scope, filters, now=now)))
    makers += [
        ("reuse", lambda: verdict_reuse(scope, filters)),
        ("calibration", lambda: calibration(scope, filters)),
    ]
    if connection.vendor != "postgresql":
        return [make() for slug, make in makers if only is None or slug == only]
    # PostgreSQL's JIT (on by default) takes the correlated subqueries' cost estimates for big
    # work and spent seconds compiling plans that run in milliseconds (benchmarks/desk.py): off
    # for these queries only (SET LOCAL ends with the transaction).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        return [make() for slug, make in makers if only is None or slug == only]


# --- What is behind a figure ---------------------------------------------------------------------


def items_behind(
    scope: DeskScope, filters: DeskFilters, chart: str, key: str
) -> tuple[str, QuerySet] | None:
    """("claims" or "articles", the rows) behind one row of a chart, within the user's scope and
    the filters; None when the chart or key is not one the page links."""
    tz = timezone.get_current_timezone()
    if chart in ("verdicts-day", "verdicts-hour", "reuse"):
        events = _verdict_events(scope, filters)
        if chart == "verdicts-day":
            day = _parse_date(key)
            if day is None:
                return None
            events = events.annotate(day=TruncDate("created_at", tzinfo=tz)).filter(day=day)
        elif chart == "verdicts-hour":
            try:
                hour = dt.datetime.fromisoformat(key)
            except ValueError:
                return None
            if timezone.is_naive(hour):
                hour = timezone.make_aware(hour, tz)
            events = events.filter(
                created_at__gte=hour, created_at__lt=hour + dt.timedelta(hours=1)
            )
        elif key == "reused":
            events = events.filter(source_claim__isnull=False)
        elif key != "all":
            return None
        claims = Claim.objects.filter(pk__in=events.values("claim_id"))
        return "claims", claims.select_related("article", "reviewed_by").order_by("-reviewed_at")
    if chart == "calibration":
        try:
            band = int(key)
        except ValueError:
            return None
        if not 0 <= band < SCORE_BANDS:
            return None
        claims = _judged_claims(scope, filters).filter(
            checkworthiness__gte=band / SCORE_BANDS,
        )
        if band < SCORE_BANDS - 1:
            claims = claims.filter(checkworthiness__lt=(band + 1) / SCORE_BANDS)
        return "claims", claims.select_related("article", "reviewed_by").order_by(
            "-checkworthiness", "pk"
        )
    if chart == "load":
        if not scope.sees_load:
            return None
        try:
            reviewer = scope.reviewers().get(pk=int(key))
        except (ValueError, User.DoesNotExist):
            return None
        events = _verdict_events(scope, filters).filter(actor=reviewer)
        claims = Claim.objects.filter(pk__in=events.values("claim_id"))
        return "claims", claims.select_related("article", "reviewed_by").order_by("-reviewed_at")
    if not scope.sees_articles:
        return None
    articles = _articles(scope, filters)
    if chart in ("backlog", "time-to-publish"):
        day = _parse_date(key)
        if day is None:
            return None
        t = _local_midnight(day + dt.timedelta(days=1))
        if chart == "backlog":
            articles = articles.filter(submitted_at__lt=t).filter(
                Q(published_at__isnull=True) | Q(published_at__gte=t)
            )
        else:
            start = _local_midnight(day)
            articles = articles.annotate(open_at=gate_open_at()).filter(
                Q(published_at__gte=start, published_at__lt=t)
                | Q(open_at__gte=start, open_at__lt=t)
            )
    elif chart == "gate-waits":
        if key not in GATE_REASONS:
            return None
        articles = articles.filter(
            status__in=[Article.Status.IN_REVIEW, Article.Status.PUBLISHED],
            submitted_at__lt=filters.end,
        ).filter(Q(published_at__isnull=True) | Q(published_at__gte=filters.start))
        pending = Exists(
            Claim.objects.active().filter(article=OuterRef("pk"), verdict=Claim.Verdict.PENDING)
        )
        unverified = Exists(
            Claim.objects.active().filter(article=OuterRef("pk"), verdict=Claim.Verdict.UNVERIFIED)
        )
        if key == "unverified":
            articles = articles.filter(~pending & unverified)
        elif key == "open":
            articles = articles.filter(~pending & ~unverified)
    else:
        return None
    return "articles", articles.select_related("author").with_claim_counts().order_by(
        "submitted_at", "pk"
    )


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def filter_choices(scope: DeskScope) -> dict[str, list]:
    """Authors, reviewers and sections the filters offer (chief editors: everyone; others: only
    themselves, so a choice never reveals a colleague)."""
    if scope.everything:
        authors = list(
            User.objects.filter(Exists(Article.objects.filter(author=OuterRef("pk")))).order_by(
                "username"
            )
        )
        reviewers = list(scope.reviewers().order_by("username"))
        sections = list(
            Claim.objects.exclude(section="")
            .order_by("section")
            .values_list("section", flat=True)
            .distinct()
        )
    else:
        authors = [scope.user] if scope.editor else []
        reviewers = [scope.user] if scope.reviewer else []
        sections = list(
            scope.judged(
                Claim.objects.exclude(section=""), author="article__author", judge="reviewed_by"
            )
            .order_by("section")
            .values_list("section", flat=True)
            .distinct()
        )
    return {"authors": authors, "reviewers": reviewers, "sections": sections}

"""The Desk page: charts of backlog, throughput, time to publish and reviewer load, each with its
data table, its CSV and JSON export, and links to the claims or articles behind every figure.

The charts are SVG drawn here, on the server (why, rather than a charting library in the browser:
README, "The Desk"): no script is needed to see them, the strict Content-Security-Policy holds
(geometry is in SVG attributes, colours in app.css), and an htmx swap of the filtered charts is
one HTML response.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from articles.exports import csv_response
from review import desk
from review.desk import Chart, DeskFilters, DeskScope
from review.forms import DeskFilterForm

ITEMS_PAGE_SIZE = 50

# The SVG's coordinate system; it scales to the width of the page (viewBox).
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 36
HBAR_LEFT = 170


def _scope(request: HttpRequest) -> DeskScope:
    scope = DeskScope.of(request.user)
    if scope is None:
        raise PermissionDenied("The Desk is for editors, reviewers and chief editors.")
    return scope


def _filters(request: HttpRequest, scope: DeskScope) -> tuple[DeskFilterForm, DeskFilters | None]:
    choices = desk.filter_choices(scope)
    form = DeskFilterForm(request.GET, default_range=desk.default_range(), **choices)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, DeskFilters(
        since=data["since"],
        until=data["until"],
        author=data["author"],
        reviewer=data["reviewer"],
        section=data["section"],
    )


@dataclass
class Mark:
    """One drawn thing of a chart: a bar, or a point of a line, with its link and its words."""

    x: float
    y: float
    width: float
    height: float
    series: int
    href: str
    title: str


def _fmt(value: Any) -> str:
    if hasattr(value, "strftime"):
        return value.strftime("%d %b %H:00") if hasattr(value, "hour") else value.strftime("%d %b")
    return str(value)


def draw(chart: Chart, link: callable) -> dict[str, Any]:
    """The SVG geometry of `chart`: marks, polylines, axis labels. `link(row)`: a row's URL."""
    rows = chart.rows
    keys = [key for key, _ in chart.series]
    # Horizontal bars carry their labels (names, reasons) on the left.
    left = HBAR_LEFT if chart.kind == "hbars" else LEFT
    plot_w, plot_h = WIDTH - left - RIGHT, HEIGHT - TOP - BOTTOM
    if chart.kind == "bars":
        top = max([sum(row[k] or 0 for k in keys) for row in rows] + [0])
    else:
        top = max([row[k] or 0 for row in rows for k in keys] + [0])
    top = top or 1
    marks: list[Mark] = []
    lines: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    n = max(len(rows), 1)
    if chart.kind == "hbars":
        band = plot_h / n
        bar = band * 0.8 / len(keys)
        for i, row in enumerate(rows):
            labels.append(
                {
                    "x": left - 4,
                    "y": TOP + band * i + band / 2 + 4,
                    "text": _fmt(row[chart.label_key]),
                }
            )
            for s, key in enumerate(keys):
                if row[key] is None:
                    continue
                width = plot_w * (row[key] / top)
                marks.append(
                    Mark(
                        x=left,
                        y=TOP + band * i + band * 0.1 + bar * s,
                        width=max(width, 1),
                        height=bar,
                        series=s,
                        href=link(row),
                        title=f"{_fmt(row[chart.label_key])}: {chart.series[s][1]} {row[key]}{chart.unit}",
                    )
                )
    else:
        step = plot_w / n
        every = max(1, n // 7)
        for i, row in enumerate(rows):
            if i % every == 0:
                labels.append(
                    {
                        "x": LEFT + step * i + step / 2,
                        "y": HEIGHT - BOTTOM + 16,
                        "text": _fmt(row[chart.label_key]),
                    }
                )
        if chart.kind == "bars":
            for i, row in enumerate(rows):
                base = 0.0
                for s, key in enumerate(keys):
                    value = row[key] or 0
                    if not value:
                        continue
                    height = plot_h * value / top
                    base += height
                    marks.append(
                        Mark(
                            x=LEFT + step * i + step * 0.1,
                            y=TOP + plot_h - base,
                            width=step * 0.8,
                            height=height,
                            series=s,
                            href=link(row),
                            title=f"{_fmt(row[chart.label_key])}: {chart.series[s][1]} {value}{chart.unit}",
                        )
                    )
        else:
            for s, key in enumerate(keys):
                points = []
                for i, row in enumerate(rows):
                    if row[key] is None:
                        continue
                    x = LEFT + step * i + step / 2
                    y = TOP + plot_h - plot_h * row[key] / top
                    points.append(f"{x:.1f},{y:.1f}")
                    marks.append(
                        Mark(
                            x=x,
                            y=y,
                            width=0,
                            height=0,
                            series=s,
                            href=link(row),
                            title=f"{_fmt(row[chart.label_key])}: {chart.series[s][1]} {row[key]}{chart.unit}",
                        )
                    )
                lines.append({"series": s, "points": " ".join(points)})
    for mark in marks:
        mark.x, mark.y = f"{mark.x:.1f}", f"{mark.y:.1f}"
        mark.width, mark.height = f"{mark.width:.1f}", f"{mark.height:.1f}"
        mark.is_bar = chart.kind != "lines"
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "marks": marks,
        "lines": lines,
        "labels": labels,
        "horizontal": chart.kind == "hbars",
        "axis": {
            "left": left,
            "right": WIDTH - RIGHT,
            "top": TOP,
            "bottom": HEIGHT - BOTTOM,
            "max": f"{top:g}{chart.unit}",
        },
    }


def _link_value(chart: Chart, row: dict[str, Any]) -> str:
    value = row.get(chart.link)
    if value in (None, ""):
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _present(chart: Chart, query: str) -> dict[str, Any]:
    url = reverse("desk:items", args=[chart.slug])
    links: dict[int, str] = {}

    def link(row: dict[str, Any]) -> str:
        # Each row's link is made once, for its marks and its table row.
        if id(row) not in links:
            key = _link_value(chart, row)
            links[id(row)] = f"{url}?{urlencode([('key', key)])}&{query}" if key else ""
        return links[id(row)]

    table = [
        {
            "cells": [_fmt(row[k]) if row[k] is not None else "–" for k, _ in chart.columns],
            "href": link(row),
        }
        for row in chart.rows
    ]
    return {
        "chart": chart,
        "svg": draw(chart, link),
        "table": table,
        "csv": reverse("desk:export", args=[chart.slug, "csv"]) + f"?{query}",
        "json": reverse("desk:export", args=[chart.slug, "json"]) + f"?{query}",
    }


@login_required
@require_GET
def desk_page(request: HttpRequest) -> HttpResponse:
    """The Desk. An htmx request (the filter form) gets only the charts."""
    scope = _scope(request)
    form, filters = _filters(request, scope)
    charts = []
    query = ""
    if filters is not None:
        query = urlencode(filters.query())
        charts = [_present(chart, query) for chart in desk.desk_charts(scope, filters)]
    context = {"form": form, "charts": charts, "scope": scope, "query": query}
    template = (
        "review/desk_charts.html" if request.headers.get("HX-Request") else "review/desk.html"
    )
    return render(request, template, context, status=200 if filters else 400)


def _chart(request: HttpRequest, slug: str) -> tuple[DeskScope, DeskFilters, Chart]:
    scope = _scope(request)
    _, filters = _filters(request, scope)
    if filters is None:
        raise _BadFilters(request, scope)
    charts = desk.desk_charts(scope, filters, only=slug)
    if not charts:
        raise Http404("No such chart.")
    return scope, filters, charts[0]


class _BadFilters(Exception):
    def __init__(self, request: HttpRequest, scope: DeskScope) -> None:
        self.form, _ = _filters(request, scope)


@login_required
@require_GET
def desk_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """Exactly what one chart shows (its data table), as CSV or JSON, with the same filters."""
    try:
        _, filters, chart = _chart(request, slug)
    except _BadFilters as bad:
        return JsonResponse({"errors": bad.form.errors}, status=400)
    header = [label for _, label in chart.columns]
    if fmt == "csv":
        return csv_response(
            f"desk-{slug}-{filters.since}-{filters.until}.csv", header, chart.export_rows()
        )
    if fmt == "json":
        body = {
            "chart": chart.slug,
            "title": chart.title,
            "filters": dict(filters.query()),
            "columns": [{"key": key, "label": label} for key, label in chart.columns],
            "rows": [{key: row[key] for key, _ in chart.columns} for row in chart.rows],
        }
        return HttpResponse(
            json.dumps(body, cls=DjangoJSONEncoder), content_type="application/json"
        )
    raise Http404("No such format.")


@login_required
@require_GET
def desk_items(request: HttpRequest, slug: str) -> HttpResponse:
    """The claims or articles behind one figure of a chart (the user's scope and filters)."""
    scope = _scope(request)
    form, filters = _filters(request, scope)
    if filters is None:
        return render(request, "review/desk_items.html", {"form": form}, status=400)
    found = desk.items_behind(scope, filters, slug, request.GET.get("key", ""))
    if found is None:
        raise Http404("Nothing is behind that figure.")
    kind, rows = found
    page = Paginator(rows, ITEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "review/desk_items.html",
        {
            "kind": kind,
            "page_obj": page,
            "slug": slug,
            "key": request.GET.get("key", ""),
            "query": urlencode(filters.query()),
        },
    )

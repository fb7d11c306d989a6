"""Panels that apps built on `articles` add to the article page, without `articles` naming them;
and the review queue's query, which review registers so that the dashboard's "Awaiting my review"
shows exactly what the queue shows.

An app registers a panel in its `AppConfig.ready` (review adds its due time and reviewers panel);
the article page fetches each panel's URL on load with htmx and shows a plain link without
JavaScript. `articles` never imports the app that registered the panel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from articles.models import Article


@dataclass(frozen=True)
class ArticlePanel:
    element_id: str  # the HTML id the fetched partial replaces (its outer element keeps it)
    url_name: str  # a URL name that takes the article's pk
    heading: str
    link_text: str
    hidden_when_published: bool = False

    def shows_for(self, article: Article) -> bool:
        return not (self.hidden_when_published and article.status == Article.Status.PUBLISHED)


@dataclass(frozen=True)
class PlacedPanel:
    panel: ArticlePanel
    url: str


_registry: dict[str, ArticlePanel] = {}


def register_article_panel(panel: ArticlePanel) -> None:
    """Add `panel` to every article page (again with the same id replaces it: `ready` may run
    twice in tests)."""
    _registry[panel.element_id] = panel


def panels_for(article: Article) -> list[PlacedPanel]:
    return [
        PlacedPanel(panel, reverse(panel.url_name, args=[article.pk]))
        for panel in _registry.values()
        if panel.shows_for(article)
    ]


# The review queue's articles for a reviewer (review registers `review.models.queue_articles`): the
# dashboard lists what the queue lists, from the same query, in the same order.
_review_queue: Callable | None = None


def register_review_queue(query: Callable) -> None:
    global _review_queue
    _review_queue = query


def review_queue(user) -> list[Article] | None:
    """The articles awaiting `user` in queue order, annotated with `awaiting_count` and
    `assigned_to_me` (one query); None when no app registered the queue."""
    return None if _review_queue is None else list(_review_queue(user))


# Sections an app adds to the dashboard (review adds "Needs your answer"): each names a template
# (rendered with `items`) and a query that returns its items for a user, or None when the section
# is not for them at all.


@dataclass(frozen=True)
class DashboardSection:
    key: str
    template: str
    items: Callable


@dataclass(frozen=True)
class PlacedSection:
    section: DashboardSection
    items: list


_dashboard_sections: dict[str, DashboardSection] = {}


def register_dashboard_section(section: DashboardSection) -> None:
    _dashboard_sections[section.key] = section


def dashboard_sections(user) -> list[PlacedSection]:
    placed = []
    for section in _dashboard_sections.values():
        items = section.items(user)
        if items is not None:
            placed.append(PlacedSection(section, list(items)))
    return placed


# Short badges an app puts beside each highlighted claim on the article page (review adds the
# comment count and "question open"): one function, article → {claim id: [badge text, ...]}, one
# query per article.

_claim_badges: list[Callable] = []


def register_claim_badges(badges: Callable) -> None:
    if badges not in _claim_badges:
        _claim_badges.append(badges)


def claim_badges(article: Article) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for badges in _claim_badges:
        for claim_id, texts in badges(article).items():
            found.setdefault(claim_id, []).extend(texts)
    return found

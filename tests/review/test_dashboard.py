"""The reviewer's dashboard shows what the queue shows (issue 13): the same articles, from the
same query (`review.models.queue_articles`), in the same order (assigned to you first, then due
soonest), with the assignment badge and the due times."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.times import when
from review import services as review_services
from tests.conftest import make_article

pytestmark = pytest.mark.django_db


def titles(html: str, start: str) -> list[str]:
    section = html[html.index(start) :]
    section = section[: section.index("</section>")]
    return re.findall(r'<a href="/articles/\d+/">([^<]+)</a>', section)


def test_the_reviewers_dashboard_lists_the_queue_in_queue_order(
    client, editor, other_editor, reviewer, chief
):
    oldest = make_article(editor, title="Oldest submission", status="in_review")
    due = make_article(other_editor, title="Due tonight", status="in_review")
    assigned = make_article(editor, title="Assigned to me", status="in_review")
    review_services.set_publish_by(
        due, by=other_editor, publish_by=timezone.now() + dt.timedelta(hours=3)
    )
    review_services.assign_article(assigned, reviewer=reviewer, by=chief)
    client.force_login(reviewer)

    dashboard = client.get(reverse("articles:dashboard")).content.decode()
    queue = client.get(reverse("review:queue")).content.decode()

    expected = ["Assigned to me", "Due tonight", "Oldest submission"]
    assert titles(dashboard, 'id="awaiting-heading"') == expected
    queue_titles = re.findall(
        r'<h2 id="queue-article-\d+"><a href="/articles/\d+/">([^<]+)</a>', queue
    )
    assert queue_titles == expected
    awaiting = dashboard[dashboard.index('id="awaiting-heading"') :]
    assert awaiting.count("Assigned to you") == 1
    # The due time in its own column: one article has one, the two others say they have none.
    due_row = awaiting[awaiting.index("Due tonight") :]
    due_row = due_row[: due_row.index("</tr>")]
    due.refresh_from_db()
    assert f"{when(due.publish_by)}</time>" in due_row
    assert awaiting.count("No due time") == 2
    assert oldest.title in awaiting

"""Assignments and due times: chief editors give articles to reviewers; the queue puts assigned
work first, then what is due soonest, then the oldest submission."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from articles.models import ArticleEvent
from articles.services import InvalidTransition
from review.models import Assignment
from review.services import assign_article, set_publish_by, unassign_article
from tests.conftest import make_article

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def group_titles(html: str) -> list[str]:
    return re.findall(r'<h2 id="queue-article-\d+"><a href="[^"]+">([^<]+)</a>', html)


def test_only_a_chief_editor_assigns_and_each_change_is_in_the_history(
    editor, other_editor, reviewer, chief
):
    article = make_article(editor, status="in_review")
    for user in (editor, other_editor, reviewer):
        with pytest.raises(PermissionDenied):
            assign_article(article, reviewer=reviewer, by=user)
    assert not Assignment.objects.exists()

    assignment = assign_article(article, reviewer=reviewer, by=chief)
    again = assign_article(article, reviewer=reviewer, by=chief)

    assert again.pk == assignment.pk
    assert (assignment.reviewer, assignment.assigned_by) == (reviewer, chief)
    event = ArticleEvent.objects.get(kind=ArticleEvent.Kind.ASSIGNED)  # once, not twice
    assert (event.actor, event.note) == (chief, "Assigned to R. Reviewer.")

    with pytest.raises(PermissionDenied):
        unassign_article(article, reviewer=reviewer, by=editor)
    assert unassign_article(article, reviewer=reviewer, by=chief) is True
    assert unassign_article(article, reviewer=reviewer, by=chief) is False
    assert not Assignment.objects.exists()
    assert ArticleEvent.objects.filter(kind=ArticleEvent.Kind.UNASSIGNED).count() == 1


def test_the_assignee_must_be_a_reviewer_and_not_the_author(
    editor, other_editor, editor_reviewer, chief
):
    article = make_article(editor_reviewer, status="in_review")

    with pytest.raises(ValidationError) as not_reviewer:
        assign_article(article, reviewer=other_editor, by=chief)
    with pytest.raises(ValidationError) as author:
        assign_article(article, reviewer=editor_reviewer, by=chief)

    assert "is not a reviewer" in not_reviewer.value.message_dict["reviewer"][0]
    assert "wrote this article" in author.value.message_dict["reviewer"][0]
    assert not Assignment.objects.exists()


def test_a_published_article_is_not_assigned(editor, reviewer, chief):
    article = make_article(editor, status="published")

    with pytest.raises(InvalidTransition):
        assign_article(article, reviewer=reviewer, by=chief)


def test_due_time_is_set_by_whoever_may_edit_the_article(editor, other_editor, chief, reviewer):
    article = make_article(editor, status="in_review")
    due = timezone.now() + dt.timedelta(hours=3)
    with pytest.raises(PermissionDenied):
        set_publish_by(article, by=reviewer, publish_by=due)

    set_publish_by(article, by=editor, publish_by=due)
    article.refresh_from_db()
    assert article.publish_by == due
    set_publish_by(article, by=chief, publish_by=None)
    article.refresh_from_db()
    assert article.publish_by is None
    notes = list(
        article.events.filter(kind=ArticleEvent.Kind.EDITED).values_list("note", flat=True)
    )
    assert notes[0].startswith("Publish by ") and notes[1] == "Publish-by time removed."


def test_queue_puts_assigned_articles_first_then_due_soonest_then_oldest(
    client, editor, reviewer, second_reviewer, chief
):
    now = timezone.now()
    oldest = make_article(editor, title="Oldest, no due time", status="in_review")
    later_due = make_article(editor, title="Due tomorrow", status="in_review")
    sooner_due = make_article(editor, title="Due in an hour", status="in_review")
    assigned = make_article(editor, title="Assigned, newest", status="in_review")
    set_publish_by(later_due, by=editor, publish_by=now + dt.timedelta(days=1))
    set_publish_by(sooner_due, by=editor, publish_by=now + dt.timedelta(hours=1))
    assign_article(assigned, reviewer=reviewer, by=chief)
    assign_article(oldest, reviewer=second_reviewer, by=chief)  # someone else's assignment

    client.force_login(reviewer)
    html = client.get(reverse("review:queue")).content.decode()
    client.force_login(second_reviewer)
    other_html = client.get(reverse("review:queue")).content.decode()

    assert group_titles(html) == [
        "Assigned, newest",
        "Due in an hour",
        "Due tomorrow",
        "Oldest, no due time",
    ]
    assert html.count("Assigned to you") == 1
    assert group_titles(other_html)[0] == "Oldest, no due time"


def test_chief_assigns_from_the_article_page_panel(client, editor, reviewer, chief):
    article = make_article(editor, status="in_review")
    client.force_login(chief)
    page = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert f'hx-get="{reverse("review:article_panel", args=[article.pk])}"' in page

    panel = client.get(reverse("review:article_panel", args=[article.pk]), **HTMX).content.decode()
    assert f'<option value="{reviewer.pk}">' in panel
    assert f'<option value="{editor.pk}">' not in panel  # the author is no choice
    response = client.post(
        reverse("review:assign", args=[article.pk]), {"reviewer": reviewer.pk}, **HTMX
    )

    assert response.status_code == 200
    assert "Assigned to R. Reviewer." in response.content.decode()
    assert Assignment.objects.get().reviewer == reviewer
    response = client.post(reverse("review:unassign", args=[article.pk, reviewer.pk]), **HTMX)
    assert "No longer assigned to R. Reviewer." in response.content.decode()
    assert not Assignment.objects.exists()


def test_only_chiefs_see_and_use_the_assign_form(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    for user in (editor, reviewer):
        client.force_login(user)
        panel = client.get(reverse("review:article_panel", args=[article.pk]), **HTMX)
        assert panel.status_code == 200
        assert 'name="reviewer"' not in panel.content.decode()
        response = client.post(
            reverse("review:assign", args=[article.pk]), {"reviewer": reviewer.pk}, **HTMX
        )
        assert response.status_code == 403
    assert not Assignment.objects.exists()


def test_due_time_form_in_the_panel_for_the_author_not_for_reviewers(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    client.force_login(reviewer)
    panel = client.get(reverse("review:article_panel", args=[article.pk]), **HTMX).content.decode()
    assert 'name="publish_by"' not in panel
    assert (
        client.post(
            reverse("review:set_due", args=[article.pk]), {"publish_by": "2030-01-02T10:30"}
        ).status_code
        == 403
    )

    client.force_login(editor)
    response = client.post(
        reverse("review:set_due", args=[article.pk]), {"publish_by": "2030-01-02T10:30"}
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert timezone.localtime(article.publish_by).strftime("%Y-%m-%d %H:%M") == "2030-01-02 10:30"
    page = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert "Due time saved." in page and "Publish by" in page

"""One display name everywhere (issue 13): the assign dropdown and the activity filter showed
usernames ("reviewer") where every other page shows "Rui Reviewer". Every place that names a
person goes through `articles.people` (forms' choice labels, templates' `display_name` filter,
the queue's author filter, admin columns and filters)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from review import services as review_services
from tests.conftest import make_article
from tests.support.verdicts import judge

pytestmark = pytest.mark.django_db


def options(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select #{select_id}"
    return [
        label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))
    ]


def test_the_assign_dropdown_names_reviewers_by_their_display_name(client, editor, reviewer, chief):
    article = make_article(editor, status="in_review")
    client.force_login(chief)

    html = client.get(reverse("review:article_panel", args=[article.pk])).content.decode()

    choices = options(html, "id_reviewer")
    assert "Rui Reviewer" in choices
    assert "reviewer" not in choices


def test_the_activity_filter_names_reviewers_by_their_display_name(client, editor, reviewer, chief):
    article = make_article(editor, status="in_review")
    review_services.record_verdict(
        article.claims.first(),
        judged=judge(article.claims.first()),
        by=reviewer,
        verdict="verified",
        note="Ok.",
    )
    client.force_login(chief)

    html = client.get(reverse("review:activity")).content.decode()

    choices = options(html, "id_reviewer")
    assert choices == ["Anyone", "Rui Reviewer"]
    assert "Rui Reviewer" in html  # the rows, as before


def test_admin_lists_name_people_by_their_display_name(client, editor, reviewer, staff):
    article = make_article(editor, status="in_review")
    review_services.hold_claim(article.claims.first(), by=reviewer)
    client.force_login(staff)

    articles = client.get(reverse("admin:articles_article_changelist")).content.decode()
    holds = client.get(reverse("admin:review_claimhold_changelist")).content.decode()

    assert "Eda Editor" in articles
    assert "Rui Reviewer" in holds
    assert not re.search(r'<td class="field-holder_name">reviewer</td>', holds)

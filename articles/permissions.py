"""Who may do what: the one place the role rules live.

Roles are Django groups (created by a data migration, assigned in the admin). A superuser counts as
a chief editor inside the app. Every HTML view, API view and admin action asks these predicates;
the permission matrix in docs/permissions.md is this module in a table, one test per cell.

Deny by default: a user in no group can sign in and see nothing but published articles.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from articles.models import Article, Claim

# The roles themselves live in articles.roles; callers ask them through this module too.
from articles.roles import (  # noqa: F401
    CHIEF,
    EDITOR,
    REVIEWER,
    ROLES,
    is_chief,
    is_editor,
    is_reviewer,
)


def can_create_article(user) -> bool:
    return is_editor(user)


def can_view_article(user, article: Article) -> bool:
    if not user.is_authenticated:
        return False
    if is_chief(user) or article.author_id == user.pk:
        return True
    if article.status == Article.Status.PUBLISHED:
        return True
    return is_reviewer(user) and article.status in (
        Article.Status.SUBMITTED,
        Article.Status.IN_REVIEW,
    )


def can_edit_article(user, article: Article) -> bool:
    """Own articles for an editor, any for a chief editor. Whether the article's state still allows
    a change is the service's question (`Article.is_editable`), asked after this one."""
    return is_chief(user) or (is_editor(user) and article.author_id == user.pk)


def can_submit_article(user, article: Article) -> bool:
    return can_edit_article(user, article)


def can_review_article(user, article: Article) -> bool:
    """Four-eyes: a reviewer never judges an article they wrote, whatever other roles they hold."""
    return is_reviewer(user) and article.author_id != user.pk


def can_review_claim(user, claim: Claim) -> bool:
    return can_review_article(user, claim.article)


def can_publish_article(user, article: Article) -> bool:
    return is_chief(user) or (is_editor(user) and article.author_id == user.pk)


def can_override_gate(user, article: Article) -> bool:
    return is_chief(user)


def can_comment_on_article(user, article: Article) -> bool:
    """A thread on a claim is for the people working on the article: its author, a reviewer who may
    review it (not its author), a chief; each only while they may see the article."""
    if not can_view_article(user, article):
        return False
    return article.author_id == user.pk or is_chief(user) or can_review_article(user, article)


def can_comment_on_claim(user, claim: Claim) -> bool:
    return can_comment_on_article(user, claim.article)


def can_ask_author(user, claim: Claim) -> bool:
    """ "Ask the author": a reviewer who may review the article and see it (never its author)."""
    return can_review_claim(user, claim) and can_view_article(user, claim.article)


def can_resolve_question(user, *, asked_by_id: int, article: Article) -> bool:
    """The reviewer who asked, or a chief; each only while they may see the article."""
    return can_view_article(user, article) and (user.pk == asked_by_id or is_chief(user))


def can_schedule_publication(user, article: Article) -> bool:
    """Scheduling and cancelling a schedule: whoever may publish the article."""
    return can_publish_article(user, article)


def can_unpublish_article(user, article: Article) -> bool:
    return is_chief(user)


def get_article_for_user(user, pk: int, *, write: bool = False) -> Article:
    """Fetch an article on `user`'s behalf: 404 when they may not see it, PermissionDenied when
    they may see but not change it. Every view goes through here."""
    article = Article.objects.visible_to(user).filter(pk=pk).select_related("author").first()
    if article is None:
        raise Http404("No such article.")
    if write and not can_edit_article(user, article):
        raise PermissionDenied("You may not change this article.")
    return article


def get_published_version_for_user(user, pk: int) -> Article:
    """An article under correction whose working copy `user` may not see, for its published
    version: any signed-in user reads what is published (404 otherwise). Only the article page
    and the API's detail ask this, after `get_article_for_user` said 404."""
    article = (
        Article.objects.filter(pk=pk, published_revision__isnull=False)
        .select_related("author", "published_revision")
        .first()
    )
    if article is None or not user.is_authenticated or not article.correction_open:
        raise Http404("No such article.")
    return article


def get_claim_for_user(user, pk: int) -> Claim:
    """Fetch a claim whose article `user` may see (404 otherwise)."""
    claim = (
        Claim.objects.filter(pk=pk, article__in=Article.objects.visible_to(user))
        .select_related("article", "article__author", "reviewed_by")
        .first()
    )
    if claim is None:
        raise Http404("No such claim.")
    return claim

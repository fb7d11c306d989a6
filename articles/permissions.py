"""Who may do what: the one place the role rules live.

Roles are Django groups (created by a data migration, assigned in the admin). A superuser counts as
a chief editor inside the app. Every HTML view, API view and admin action asks these predicates;
the permission matrix in docs/permissions.md is this module in a table, one test per cell.

Deny by default: a user in no group can sign in and see nothing but published articles.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

if TYPE_CHECKING:
    from articles.models import Article, Claim

EDITOR = "Editor"
REVIEWER = "Reviewer"
CHIEF = "Chief editor"
ROLES = (EDITOR, REVIEWER, CHIEF)


def _groups(user) -> frozenset[str]:
    # Cached on the user object: a page asks several predicates, the database answers once.
    cached = getattr(user, "_newsroom_groups", None)
    if cached is None:
        if not user.is_authenticated or not user.is_active:
            cached = frozenset()
        else:
            cached = frozenset(user.groups.values_list("name", flat=True))
        user._newsroom_groups = cached
    return cached


def is_chief(user) -> bool:
    return user.is_authenticated and user.is_active and (user.is_superuser or CHIEF in _groups(user))


def is_editor(user) -> bool:
    return is_chief(user) or EDITOR in _groups(user)


def is_reviewer(user) -> bool:
    return REVIEWER in _groups(user)


def can_create_article(user) -> bool:
    return is_editor(user)


def can_view_article(user, article: Article) -> bool:
    from articles.models import Article

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


def get_article_for_user(user, pk: int, *, write: bool = False) -> Article:
    """Fetch an article on `user`'s behalf: 404 when they may not see it, PermissionDenied when
    they may see but not change it. Every view goes through here."""
    from django.core.exceptions import PermissionDenied

    from articles.models import Article

    article = Article.objects.visible_to(user).filter(pk=pk).select_related("author").first()
    if article is None:
        raise Http404("No such article.")
    if write and not can_edit_article(user, article):
        raise PermissionDenied("You may not change this article.")
    return article


def get_claim_for_user(user, pk: int) -> Claim:
    """Fetch a claim whose article `user` may see (404 otherwise)."""
    from articles.models import Article, Claim

    claim = (
        Claim.objects.filter(pk=pk, article__in=Article.objects.visible_to(user))
        .select_related("article", "article__author", "reviewed_by")
        .first()
    )
    if claim is None:
        raise Http404("No such claim.")
    return claim

"""What review keeps beside the articles: who is working on a claim right now (holds), and which
reviewers a chief editor gave an article to (assignments); and the queries of a reviewer's queue.

Verdicts themselves live on `articles.Claim` (the gate is one aggregate query there); the rules that
write these rows are in `review.services`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from articles.models import Article, ArticleEvent, Claim
from articles.people import name_of, short_name


class ClaimHoldQuerySet(models.QuerySet["ClaimHold"]):
    def active(self, now: dt.datetime | None = None) -> ClaimHoldQuerySet:
        return self.filter(expires_at__gt=now or timezone.now())


class ClaimHold(models.Model):
    """A reviewer has a claim open. Until `expires_at` nobody else may judge it.

    One row per claim (the one-to-one is the invariant: two reviewers can never both hold it) and
    one per reviewer (opening another claim moves the hold). An expired row is simply ignored and
    is taken over or deleted by the next `hold_claim`/verdict; nothing needs to sweep it.
    """

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="hold")
    holder = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claim_hold"
    )
    taken_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    objects = ClaimHoldQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("taken_at")), name="claim_hold_expires_later"
            ),
        ]

    def __str__(self) -> str:
        return f"claim {self.claim_id} held by {self.holder_id} until {self.expires_at:%H:%M:%S}"

    def is_active(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at > (now or timezone.now())

    def minutes_left(self, now: dt.datetime | None = None) -> int:
        seconds = (self.expires_at - (now or timezone.now())).total_seconds()
        return max(1, math.ceil(seconds / 60))

    def seconds_left(self, now: dt.datetime | None = None) -> int:
        return max(0, math.ceil((self.expires_at - (now or timezone.now())).total_seconds()))

    @property
    def holder_name(self) -> str:
        return short_name(self.holder)

    def describe(self, now: dt.datetime | None = None) -> str:
        """'Held by R. Lee for 3 more minutes.'"""
        minutes = self.minutes_left(now)
        unit = "minute" if minutes == 1 else "minutes"
        return f"Held by {short_name(self.holder)} for {minutes} more {unit}."


class Assignment(models.Model):
    """A chief editor asked this reviewer to take this article: it comes first in their queue."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["article", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "reviewer"], name="assignment_article_reviewer_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"article {self.article_id} → reviewer {self.reviewer_id}"


# --- Verdict reuse -------------------------------------------------------------------------------


class ClaimKey(models.Model):
    """The index that finds, among every stored claim, those that may state the same fact as a new
    one (`review.facts.lookup_keys`: an exact-text key and MinHash band keys). One indexed integer
    lookup per claim, however many claims are stored; `review.facts.compare` then decides."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    # The claim's article, copied so that a lookup skips the new claim's own article in the index.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    key = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["key", "claim"], name="claimkey_key_idx")]
        constraints = [
            models.UniqueConstraint(fields=["claim", "key"], name="claimkey_claim_key_unique")
        ]

    def __str__(self) -> str:
        return f"claim {self.claim_id}: {self.key}"


class ReuseSuggestionQuerySet(models.QuerySet["ReuseSuggestion"]):
    def offerable(self, user) -> ReuseSuggestionQuerySet:
        """Suggestions whose source carries a verdict `user` may see: a current claim with a
        verdict, in an article visible to them. Best first: exact, then most similar, newest."""
        return (
            self.filter(
                source__retired_at__isnull=True,
                source__article__in=Article.objects.visible_to(user),
            )
            .exclude(source__verdict=Claim.Verdict.PENDING)
            .select_related("source__article", "source__reviewed_by")
            .order_by("-exact", "-similarity", "-source__reviewed_at", "-source_id")
        )


class ReuseSuggestion(models.Model):
    """`claim` and `source`, in different articles, state the same fact (`review.facts.compare`).
    Stored both ways round when found, so whichever of the two is judged first is offered to the
    other. Shown (and reusable) only while the source carries a verdict."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="reuse_suggestions")
    source = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    exact = models.BooleanField()
    similarity = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReuseSuggestionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "source"], name="reuse_claim_source_unique"),
            models.CheckConstraint(condition=~Q(claim=F("source")), name="reuse_not_itself"),
        ]

    def __str__(self) -> str:
        return f"claim {self.claim_id} ~ claim {self.source_id} ({self.similarity:.2f})"

    @property
    def wording(self) -> str:
        """How close the two sentences are, in words that never contradict themselves: the share
        is rounded down, so "100%" is only ever said of the same words ("same wording")."""
        if self.exact:
            return "the same sentence"
        percent = math.floor(round(self.similarity * 100, 6))  # 0.29 * 100 is 28.999...97
        if percent >= 100:
            return "same wording"
        return f"similar wording, {percent}% of words shared"


# --- The review queue (read side) -----------------------------------------------------------------


def queue_facets(user) -> dict[str, list]:
    """The filter choices: sections, authors and articles of every claim awaiting `user` (one
    query over distinct (article, section) pairs, whatever the filters)."""
    rows = (
        Claim.objects.awaiting(user)
        .order_by()
        .values_list(
            "article_id",
            "article__title",
            "article__author_id",
            "article__author__username",
            "article__author__first_name",
            "article__author__last_name",
            "section",
        )
        .distinct()
    )
    sections: set[str] = set()
    authors: dict[int, str] = {}
    articles: dict[int, str] = {}
    for article_id, title, author_id, username, first, last, section in rows:
        if section:
            sections.add(section)
        authors[author_id] = name_of(first, last, username)
        articles[article_id] = title
    return {
        "sections": sorted(sections, key=str.casefold),
        "authors": sorted(authors.items(), key=lambda item: item[1].casefold()),
        "articles": sorted(articles.items(), key=lambda item: item[1].casefold()),
    }


# The orders a reviewer can pick for the queue. "checkworthiness": articles by their most
# check-worthy awaiting claim, and claims by score within each article (unscored claims last, so a
# claim still being analysed never jumps the queue); ties keep the default order.
QUEUE_ORDERS = {"": "Queue order", "checkworthiness": "Most check-worthy first"}


def queue_articles(
    user,
    *,
    section: str = "",
    author: int | None = None,
    article: int | None = None,
    order: str = "",
    keep: int | None = None,
) -> QuerySet[Article]:
    """Articles with claims awaiting `user` (the same rule as `Claim.objects.awaiting`), with their
    claim counts per state and how many claims match the filters, in queue order: assigned to
    `user` first, then due soonest (no due time last), then submitted longest ago; or, with
    `order="checkworthiness"`, most check-worthy awaiting claim first.

    `keep`: also the article with this id when the filters match it but nothing in it awaits
    `user` any more (its `awaiting_count` is 0), so that a page which still shows its group can
    show its counts after its last claim was judged, from this same query."""
    awaiting = Q(claims__retired_at__isnull=True, claims__verdict=Claim.Verdict.PENDING)
    if section:
        awaiting &= Q(claims__section=section)
    articles = (
        Article.objects.in_review()
        .exclude(author=user)
        .with_claim_counts()
        .annotate(
            awaiting_count=Count("claims", filter=awaiting),
            assigned_to_me=Exists(
                Assignment.objects.filter(article=OuterRef("pk"), reviewer_id=user.pk)
            ),
        )
        .filter(Q(awaiting_count__gt=0) | Q(pk=keep) if keep else Q(awaiting_count__gt=0))
        .select_related("author")
        # Only what the queue shows: the rows are grouped by every selected column, and a body
        # (up to 200,000 characters) or a password hash has no business in a GROUP BY.
        .only(
            "title",
            "status",
            "publish_by",
            "publish_at",
            "submitted_at",
            "author_id",
            "author__username",
            "author__first_name",
            "author__last_name",
        )
    )
    default_order = [
        F("assigned_to_me").desc(),
        F("publish_by").asc(nulls_last=True),
        "submitted_at",
        "id",
    ]
    if order == "checkworthiness":
        articles = articles.annotate(
            top_checkworthiness=Max("claims__checkworthiness", filter=awaiting)
        ).order_by(F("top_checkworthiness").desc(nulls_last=True), *default_order)
    else:
        articles = articles.order_by(*default_order)
    if author:
        articles = articles.filter(author_id=author)
    if article:
        articles = articles.filter(pk=article)
    return articles


def queue_claims(
    user, article_ids: list[int], *, section: str = "", order: str = ""
) -> QuerySet[Claim]:
    """The pending claims awaiting `user` in these articles, with their hold and its holder and
    whether a verdict on the same fact can be reused (`reusable`) and whether a question to the
    author is open on it (`question_open`), in reading order, or most
    check-worthy first (one query)."""
    claims = (
        Claim.objects.awaiting(user)
        .filter(article_id__in=article_ids)
        .select_related("hold__holder")
        .annotate(
            reusable=Exists(ReuseSuggestion.objects.filter(claim=OuterRef("pk")).offerable(user)),
            question_open=Exists(Comment.objects.open_questions().filter(claim=OuterRef("pk"))),
        )
        # A pending claim shows no verdict, note or reviewer: those columns stay in the database.
        .defer(
            "start",
            "end",
            "extractor_version",
            "note",
            "evidence_url",
            "reviewed_by",
            "reviewed_at",
        )
    )
    if order == "checkworthiness":
        claims = claims.order_by(
            "article_id", F("checkworthiness").desc(nulls_last=True), "ordinal", "id"
        )
    else:
        claims = claims.order_by("article_id", "ordinal", "id")
    if section:
        claims = claims.filter(section=section)
    return claims


def queue_version(user) -> str:
    """A short fingerprint of what the queue shows `user` and others can change, in two aggregate
    queries: which claims await them (count and sum of ids: a verdict, an edit or a new extraction
    changes them), other reviewers' unexpired holds on those claims, and the newest history row of
    the articles in review (assignments and due times write one)."""
    now = timezone.now()
    held = Q(hold__expires_at__gt=now) & ~Q(hold__holder_id=user.pk)
    claims = Claim.objects.awaiting(user).aggregate(
        n=Count("id"),
        ids=Sum("id"),
        held=Count("hold", filter=held),
        held_claims=Sum("id", filter=held),
        holders=Sum("hold__holder_id", filter=held),
    )
    last_event = (
        ArticleEvent.objects.filter(article__status=Article.Status.IN_REVIEW)
        .exclude(article__author_id=user.pk)
        .aggregate(last=Max("id"))["last"]
    )
    raw = "{n}:{ids}:{held}:{held_claims}:{holders}".format(**claims) + f":{last_event}"
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:16]


# The evidence archive's model lives in its own module (review/evidence/); imported here so that
# it is one of review's models.
from review.conversations.models import Comment, CommentRevision, Mention  # noqa: E402, F401
from review.evidence.models import EvidenceSnapshot  # noqa: E402, F401

# The notifications' models (review/notifications/), imported for the same reason.
from review.notifications.models import (  # noqa: E402, F401
    EmailMessageLog,
    Notification,
    NotificationPreference,
)

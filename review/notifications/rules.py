"""Who is told about a history row, and why: the table of rules.

`RULES` maps an `ArticleEvent.Kind` to the rules that may fire for a row of that kind. A rule has
a name (the notification's `kind`, which is also what a user sets a preference for), a label (the
preferences page) and an audience function: given the history row, it returns `{user: reason}`,
an empty dict when the row is not its business. It also gets the `Batch` of rows appended
together, whose memoised look-ups (users with a role, assignments) keep the cost of a batch
constant. The audience is who *should* hear of it; the
fan-out (`services.fan_out`) then drops the actor, inactive users, anyone who may not see the
article, and anyone whose preference for the rule is off.

Adding a rule for a new kind of history row (say `ArticleEvent.Kind.QUESTION`):

    def question_asked(event, batch) -> Audience:
        addressee = ...  # read it from the row or the rows its service wrote beside it
        return {addressee: f"{actor_name(event)} asked you about a claim of “{event.article.title}”."}

    RULES[ArticleEvent.Kind.QUESTION] = (Rule("question", "A question addressed to you", question_asked),)

Audience functions run inside the transaction that appended the row, so they see what the service
wrote beside it; they must not change anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from articles import roles
from articles.history import gate_now, may_open_gate, opened_gate, published_with
from articles.models import Article, ArticleEvent, Claim
from articles.people import short_name
from review.models import Assignment

Audience = dict  # {user: reason}


class Batch:
    """What the rules look up, once per batch of history rows (an extraction batch appends one
    status row per article: the fan-out's queries must not grow with it)."""

    def __init__(self, events: list[ArticleEvent]) -> None:
        self.events = events
        self._roles: dict[str, list] = {}
        self._assigned: dict[int, list] | None = None

    def with_role(self, role: str) -> list:
        """Active users in the group `role` (one query per role and batch)."""
        if role not in self._roles:
            self._roles[role] = list(_active_users().filter(groups__name=role).distinct())
        return self._roles[role]

    def opened_gate(self, event: ArticleEvent) -> bool:
        """`articles.history.opened_gate`. The receiver runs inside the transaction that
        appended the rows, so for the batch's last row of an article the gate right after it is
        the article's gate now (one grouped query); an earlier row's is rebuilt from the
        history."""
        if not may_open_gate(event):
            return False
        last = [e for e in self.events if e.article_id == event.article_id][-1]
        return opened_gate(event, gate_now(event) if event is last else None)

    def assigned_reviewers(self, article_id: int) -> list:
        """The reviewers the article is assigned to (one query per batch)."""
        if self._assigned is None:
            self._assigned = {}
            rows = Assignment.objects.filter(
                article_id__in={e.article_id for e in self.events}
            ).select_related("reviewer")
            for assignment in rows.order_by("created_at", "pk"):
                self._assigned.setdefault(assignment.article_id, []).append(assignment.reviewer)
        return self._assigned.get(article_id, [])


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    audience: Callable[[ArticleEvent, Batch], Audience]


def actor_name(event: ArticleEvent) -> str:
    return short_name(event.actor) if event.actor_id else "The system"


def _active_users():
    return get_user_model().objects.filter(is_active=True)


def assigned(event: ArticleEvent, batch: Batch) -> Audience:
    """The reviewer the article was just given to. `review.services.assign_article` writes the
    Assignment row and then this history row in one transaction, under the article's lock: the
    newest assignment by this actor, made no later than the row, is the one."""
    assignment = (
        Assignment.objects.filter(
            article_id=event.article_id,
            assigned_by_id=event.actor_id,
            created_at__lte=event.created_at,
        )
        .select_related("reviewer")
        .order_by("-created_at", "-pk")
        .first()
    )
    if assignment is None:
        return {}
    title = event.article.title
    return {assignment.reviewer: f"{actor_name(event)} assigned you “{title}”."}


def entered_review(event: ArticleEvent, batch: Batch) -> Audience:
    """An article entered review: its assigned reviewers, or every reviewer when none is (never
    its author, who may be a reviewer too: four-eyes)."""
    if event.kind != ArticleEvent.Kind.STATUS or event.to_state != Article.Status.IN_REVIEW:
        return {}
    everyone = batch.with_role(roles.REVIEWER)
    if not everyone:
        return {}
    author_id = event.article.author_id
    reason = f"“{event.article.title}” is ready for review."
    assigned = batch.assigned_reviewers(event.article_id)
    if assigned:
        return {u: f"{reason} It is assigned to you." for u in assigned if u.pk != author_id}
    return {user: reason for user in everyone if user.pk != author_id}


def unverified(event: ArticleEvent, batch: Batch) -> Audience:
    """A claim of the author's article was marked unverified."""
    if event.kind != ArticleEvent.Kind.VERDICT or event.to_state != Claim.Verdict.UNVERIFIED:
        return {}
    note = f" Note: {event.note}" if event.note else ""
    return {
        event.article.author: (
            f"{actor_name(event)} marked a claim of “{event.article.title}” unverified.{note}"
        )
    }


def gate_opened(event: ArticleEvent, batch: Batch) -> Audience:
    """The author's article may be published: its last open claim was verified (the definition
    the webhooks use, `articles.history.opened_gate`)."""
    if not batch.opened_gate(event):
        return {}
    return {event.article.author: f"Every claim of “{event.article.title}” is verified."}


def published(event: ArticleEvent, batch: Batch) -> Audience:
    """The author's article was published. Over unverified claims, the override row just before
    says so (rule `published_override`), and this one stays silent."""
    if event.kind != ArticleEvent.Kind.STATUS or event.to_state != Article.Status.PUBLISHED:
        return {}
    with_it = published_with(event)
    if ArticleEvent.Kind.OVERRIDE in with_it:
        return {}
    if ArticleEvent.Kind.CORRECTED in with_it:
        what = f"A correction to “{event.article.title}” was published"
    else:
        what = f"“{event.article.title}” was published"
    return {event.article.author: f"{what} by {actor_name(event)}."}


def published_override(event: ArticleEvent, batch: Batch) -> Audience:
    """Published over unverified claims: the author and every chief editor."""
    reason = (
        f"{actor_name(event)} published “{event.article.title}” over unverified claims: "
        f"{event.note}"
    )
    superusers = _active_users().filter(is_superuser=True)
    audience = {user: reason for user in [*batch.with_role(roles.CHIEF), *superusers]}
    audience[event.article.author] = reason
    return audience


def schedule_failed(event: ArticleEvent, batch: Batch) -> Audience:
    """A scheduled publication did not happen (beat found the gate closed, or the article not in
    review): the author and every chief editor, with the reason the row keeps."""
    reason = f"“{event.article.title}” was not published as scheduled: {event.note}"
    superusers = _active_users().filter(is_superuser=True)
    audience = {user: reason for user in [*batch.with_role(roles.CHIEF), *superusers]}
    audience[event.article.author] = reason
    return audience


def unpublished(event: ArticleEvent, batch: Batch) -> Audience:
    """A chief editor withdrew the author's published article, with a reason."""
    return {
        event.article.author: (
            f"{actor_name(event)} withdrew “{event.article.title}” from publication: {event.note}"
        )
    }


def _comment(event: ArticleEvent):
    """The comment written with a `comment` / `question_opened` row. The conversation services
    write it after the row and then run the fan-out again (`services.fan_out`), so the first run,
    from inside `log_event`, finds none and stays silent."""
    from review.conversations.models import Comment

    return (
        Comment.objects.select_related("addressee", "reply_to__author").filter(event=event).first()
    )


def question_asked(event: ArticleEvent, batch: Batch) -> Audience:
    """A reviewer asked the article's author about a claim ("Ask the author")."""
    comment = _comment(event)
    if comment is None or comment.addressee is None:
        return {}
    return {
        comment.addressee: (
            f"{actor_name(event)} asked you about claim {event.claim.ordinal + 1} of "
            f"“{event.article.title}”: {comment.body}"
        )
    }


def mentioned(event: ArticleEvent, batch: Batch) -> Audience:
    """The people this row newly mentions: a comment's or a question's own row, or the
    `comment_edited` row of an edit that named someone for the first time (each mention is
    stored with the row that added it; only people who may see the article are ever stored:
    review/conversations/services.py). An edit tells nobody it already told."""
    from review.conversations.models import Mention

    mentions = list(Mention.objects.select_related("user", "comment__reply_to").filter(event=event))
    if not mentions:
        return {}
    comment = mentions[0].comment
    reason = (
        f"{actor_name(event)} mentioned you on claim {event.claim.ordinal + 1} of "
        f"“{event.article.title}”: {comment.body}"
    )
    # Someone this comment already tells as the question's addressee or as the asker it answers
    # gets that one notification, not a second for the mention.
    told = {comment.addressee_id, comment.reply_to.author_id if comment.reply_to else None}
    return {m.user: reason for m in mentions if m.user_id not in told}


def answered(event: ArticleEvent, batch: Batch) -> Audience:
    """The article's author answered a question in the thread: the reviewer who asked."""
    comment = _comment(event)
    if comment is None or comment.reply_to is None:
        return {}
    return {
        comment.reply_to.author: (
            f"{actor_name(event)} answered your question on claim {event.claim.ordinal + 1} of "
            f"“{event.article.title}”: {comment.body}"
        )
    }


RULES: dict[str, tuple[Rule, ...]] = {
    ArticleEvent.Kind.ASSIGNED: (Rule("assigned", "An article is assigned to you", assigned),),
    ArticleEvent.Kind.STATUS: (
        Rule("entered_review", "An article you may review entered review", entered_review),
        Rule("published", "Your article was published", published),
    ),
    ArticleEvent.Kind.VERDICT: (
        Rule("unverified", "A claim of your article was marked unverified", unverified),
        Rule("gate_opened", "Every claim of your article is verified", gate_opened),
    ),
    ArticleEvent.Kind.OVERRIDE: (
        Rule(
            "published_override",
            "An article was published over unverified claims",
            published_override,
        ),
    ),
    ArticleEvent.Kind.SCHEDULE_FAILED: (
        Rule(
            "schedule_failed",
            "A scheduled publication did not happen, and why",
            schedule_failed,
        ),
    ),
    ArticleEvent.Kind.QUESTION_OPENED: (
        Rule("question", "A question on a claim addressed to you", question_asked),
        Rule("mention", "Someone mentioned you on a claim", mentioned),
    ),
    ArticleEvent.Kind.COMMENT: (
        Rule("answer", "An answer to your question", answered),
        Rule("mention", "Someone mentioned you on a claim", mentioned),
    ),
    ArticleEvent.Kind.COMMENT_EDITED: (
        Rule("mention", "Someone mentioned you on a claim", mentioned),
    ),
    ArticleEvent.Kind.UNPUBLISHED: (
        Rule("unpublished", "Your article was withdrawn from publication", unpublished),
    ),
}


def all_rules() -> list[Rule]:
    """Every rule once, in table order (the preferences page lists them)."""
    seen: dict[str, Rule] = {}
    for rules in RULES.values():
        for rule in rules:
            seen.setdefault(rule.name, rule)
    return list(seen.values())


def rule_named(name: str) -> Rule | None:
    return next((rule for rule in all_rules() if rule.name == name), None)

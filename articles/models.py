"""Articles, their submitted revisions, the extraction jobs that read them, and what extraction made
of them (claims, related links, the image credit and section labels), plus the article's history.

Verdict *state* lives on the claim row so the gate is one aggregate query; the rules that change it
live in `review.services`. Every transition and every verdict appends an `ArticleEvent`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import Count, Q
from django.utils import timezone

from articles import roles
from articles.text import CLAIM_VERSION_CHARS, claim_version
from articles.times import validate_time_zone


def content_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


class ArticleQuerySet(models.QuerySet["Article"]):
    def visible_to(self, user) -> ArticleQuerySet:
        """The articles `user` may open. The one rule every list and detail view filters by."""
        if not user.is_authenticated:
            return self.none()
        if roles.is_chief(user):
            return self
        visible = Q(author=user) | Q(status=Article.Status.PUBLISHED)
        if roles.is_reviewer(user):
            visible |= Q(status__in=[Article.Status.SUBMITTED, Article.Status.IN_REVIEW])
        return self.filter(visible)

    def drafts(self) -> ArticleQuerySet:
        return self.filter(status=Article.Status.DRAFT)

    def in_review(self) -> ArticleQuerySet:
        return self.filter(status=Article.Status.IN_REVIEW)

    def with_claim_counts(self) -> ArticleQuerySet:
        """Annotate the counts `Article.gate()` needs (`GATE_COUNTS`), so a list computes every
        gate in one query."""
        active = Q(claims__retired_at__isnull=True)
        return self.annotate(
            **{
                name: Count(
                    "claims",
                    filter=active & Q(claims__verdict=verdict) if verdict else active,
                )
                for name, verdict in GATE_COUNTS
            }
        )


# The one definition of what the gate counts among an article's current (not retired) claims:
# each annotation's name and the verdict it counts (None: every claim). `with_claim_counts()` (the
# ORM), `gate_counts()` (plain SQL for the API list) and `Gate.of_verdicts()` (in Python, for a
# gate rebuilt from the history) are all made from it.
GATE_COUNTS: tuple[tuple[str, str | None], ...] = (
    ("claims_total", None),
    ("claims_pending", "pending"),
    ("claims_unverified", "unverified"),
)


def gate_counts(article_ids: list[int]) -> dict[int, tuple[int, ...]]:
    """{article id: the `GATE_COUNTS` in order} for these articles (absent: no claims). One
    grouped query whatever the number of rows, in plain portable SQL: on the API's article list,
    its hottest path, building the same query with the ORM cost ten times its execution."""
    if not article_ids:
        return {}
    sums = ", ".join(
        "SUM(CASE WHEN verdict = %s THEN 1 ELSE 0 END)" if verdict else "COUNT(*)"
        for _, verdict in GATE_COUNTS
    )
    placeholders = ", ".join(["%s"] * len(article_ids))
    sql = (
        f"SELECT article_id, {sums} FROM {Claim._meta.db_table} "
        f"WHERE retired_at IS NULL AND article_id IN ({placeholders}) GROUP BY article_id"
    )
    params = [verdict for _, verdict in GATE_COUNTS if verdict] + list(article_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: tuple(int(n or 0) for n in row[1:]) for row in cursor.fetchall()}


def attach_gate_counts(rows: list) -> list:
    """Give each row (an `Article`, or a dict from `.values()`) the annotations
    `with_claim_counts()` would have given it, from `gate_counts()`."""

    def pk(row) -> int:
        return row["id"] if isinstance(row, dict) else row.pk

    counts = gate_counts([pk(row) for row in rows])
    zero = (0,) * len(GATE_COUNTS)
    for row in rows:
        values = dict(zip((name for name, _ in GATE_COUNTS), counts.get(pk(row), zero)))
        if isinstance(row, dict):
            row.update(values)
        else:
            row.__dict__.update(values)
    return rows


@dataclass(frozen=True)
class Gate:
    """Why an article can or cannot be published, in numbers and in words."""

    total: int
    pending: int
    unverified: int
    extracted: bool

    @classmethod
    def of_counts(cls, counts: dict[str, int], *, extracted: bool) -> Gate:
        """From the `GATE_COUNTS` annotations of an article row (or a dict of them)."""
        return cls(
            total=counts["claims_total"],
            pending=counts["claims_pending"],
            unverified=counts["claims_unverified"],
            extracted=extracted,
        )

    @classmethod
    def of_verdicts(cls, verdicts: list[str], *, extracted: bool) -> Gate:
        """From the verdicts of the current claims (a gate rebuilt from the history)."""
        return cls.of_counts(
            {
                name: sum(1 for v in verdicts if v == verdict) if verdict else len(verdicts)
                for name, verdict in GATE_COUNTS
            },
            extracted=extracted,
        )

    @property
    def verified(self) -> int:
        return self.total - self.pending - self.unverified

    @property
    def is_open(self) -> bool:
        return self.extracted and self.pending == 0 and self.unverified == 0

    @property
    def overridable(self) -> bool:
        """Only unverified claims stand in the way: a chief editor may publish with a reason."""
        return self.extracted and self.pending == 0 and self.unverified > 0

    @property
    def reason(self) -> str:
        if not self.extracted:
            return "Claims have not been extracted yet."
        if self.is_open:
            return f"All {self.total} claims verified." if self.total else "No claims to verify."
        parts = []
        if self.pending:
            parts.append(f"{self.pending} of {self.total} claims pending")
        if self.unverified:
            parts.append(f"{self.unverified} unverified")
        return ", ".join(parts) + "."


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        # Unpublished by a chief editor (`unpublish_article`): no longer public, no ClaimReview
        # export; the way back is return to draft, then the usual review and gate.
        WITHDRAWN = "withdrawn", "Withdrawn"

    title = models.CharField(max_length=300)
    body = models.TextField()
    # A partner feed may send HTML (the API turns it into `body`): the original is kept, and the
    # href of each related-link headline, {headline: url}, fills `RelatedLink.url` after extraction.
    source_html = models.TextField(blank=True)
    source_links = models.JSONField(default=dict, blank=True)
    # Every inline link of that HTML body: [{"start", "end", "anchor", "url"}], offsets into `body`
    # as converted (`body[start:end] == anchor`). Review offers each to the claim whose sentence
    # holds it as an evidence source; an edit of the body moves text, so a reader checks that
    # the anchor is still there before using an offset.
    cited_links = models.JSONField(default=list, blank=True)
    dateline = models.DateField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="articles"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # The revision whose text the stored claims point into; set when its extraction is applied.
    extracted_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # When the desk wants it out: the review queue puts articles due sooner first.
    publish_by = models.DateTimeField(null=True, blank=True)
    # Scheduled publication (embargo): beat publishes the article at `publish_at` through
    # `publish_article`, acting as `publish_scheduled_by` (`articles.services.publishing`).
    publish_at = models.DateTimeField(null=True, blank=True, db_index=True)
    publish_scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # The revision that is live: set by every publication (`publish_article`,
    # `publish_correction`), cleared by unpublishing. While a correction is in progress (the
    # article edited after publication: submitted, in review or back in draft) it is what readers
    # still see (docs/publishing.md).
    published_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["draft", "submitted", "in_review", "published", "withdrawn"]
                ),
                name="article_status_valid",
            ),
            # A schedule always says who made it: beat publishes on their behalf.
            models.CheckConstraint(
                condition=Q(publish_at__isnull=True, publish_scheduled_by__isnull=True)
                | Q(publish_at__isnull=False, publish_scheduled_by__isnull=False),
                name="article_schedule_has_author",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status not in (self.Status.PUBLISHED, self.Status.WITHDRAWN)

    @property
    def is_scheduled(self) -> bool:
        return self.publish_at is not None

    @property
    def correction_open(self) -> bool:
        """Edited after publication and not yet published again: the published revision is live,
        the working copy goes through review (`publish_correction` ends the round)."""
        return self.published_revision_id is not None and self.status in (
            self.Status.DRAFT,
            self.Status.SUBMITTED,
            self.Status.IN_REVIEW,
        )

    def gate(self) -> Gate:
        """The publication gate. Uses `with_claim_counts()` annotations when the row has them."""
        if hasattr(self, "claims_total"):
            counts = {name: getattr(self, name) for name, _ in GATE_COUNTS}
        else:
            counts = Article.objects.with_claim_counts().values(*dict(GATE_COUNTS)).get(pk=self.pk)
        extracted = self.status in EXTRACTED_STATUSES
        return Gate.of_counts(counts, extracted=extracted)


# The states in which the article's claims are those of its text (extraction has been applied):
# the gate counts them. A withdrawn article keeps the claims it was published with.
EXTRACTED_STATUSES = (
    Article.Status.IN_REVIEW,
    Article.Status.PUBLISHED,
    Article.Status.WITHDRAWN,
)


class Revision(models.Model):
    """The text of an article as it was submitted. Claims point into one revision's body."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField()
    body_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"


class ExtractionJobQuerySet(models.QuerySet["ExtractionJob"]):
    def unfinished(self) -> ExtractionJobQuerySet:
        return self.filter(state__in=[ExtractionJob.State.PENDING, ExtractionJob.State.RUNNING])


class ExtractionJob(models.Model):
    """One piece of extraction work. The database row is the truth; the Celery message only rings.

    The key (article, body hash, extractor version) is unique, so the same text is never extracted
    twice by the same extractor. A worker owns a running job through `lease_token` until
    `lease_expires_at`; only the owner may finish it (see `articles.services`).
    """

    class State(models.TextChoices):
        PENDING = "pending", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        # A newer revision was submitted before this one finished; its result is not applied.
        SUPERSEDED = "superseded", "Superseded"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="extraction_jobs")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="extraction_jobs")
    body_hash = models.CharField(max_length=64)
    extractor_version = models.CharField(max_length=40)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    lease_token = models.UUIDField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ExtractionJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "body_hash", "extractor_version"], name="extraction_job_key"
            ),
            models.CheckConstraint(
                condition=~Q(state="running") | Q(lease_token__isnull=False),
                name="extraction_job_running_has_lease",
            ),
        ]

    def __str__(self) -> str:
        return f"extraction of article {self.article_id} r{self.revision_id} ({self.state})"


class ReviewRound(models.Model):
    """What a re-extraction changed in the text: the sentence diff between the revision extracted
    before and the one extracted now, as the article page shows it ("Changes since the last review
    round"). Written once, by the worker, in the transaction that applies the extraction
    (`articles.services.complete_extraction_jobs`); the page only reads the newest row. Computing
    it on every page view was quadratic (issue 20).

    `segments` are the folded diff segments, `[kind, text, skipped_lines]` each
    (`articles.diffing.segments_to_json`). `too_large`: the diff was too big or too costly to show,
    `segments` is empty and the page lists the changed claims only; `inserted`/`deleted` are then
    null when the comparison was given up before counting."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="review_rounds")
    previous_revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="+")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="+")
    segments = models.JSONField(default=list, blank=True)
    inserted = models.PositiveIntegerField(null=True, blank=True)
    deleted = models.PositiveIntegerField(null=True, blank=True)
    too_large = models.BooleanField(default=False)
    # The time the extraction was applied: its claim_changed/claim_retired history rows and the
    # claims it created carry the same time, which is how the page finds them.
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["article", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["article", "-created_at", "-id"], name="review_round_latest_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(too_large=True)
                | (Q(inserted__isnull=False) & Q(deleted__isnull=False)),
                name="review_round_counts_unless_too_large",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.previous_revision_id}→r{self.revision_id}"


class ClaimQuerySet(models.QuerySet["Claim"]):
    def active(self) -> ClaimQuerySet:
        return self.filter(retired_at__isnull=True)

    def pending(self) -> ClaimQuerySet:
        return self.active().filter(verdict=Claim.Verdict.PENDING)

    def awaiting(self, user) -> ClaimQuerySet:
        """Pending claims `user` may judge: articles in review, never their own (four-eyes)."""
        if not roles.is_reviewer(user):
            return self.none()
        return (
            self.pending()
            .filter(article__status=Article.Status.IN_REVIEW)
            .exclude(article__author=user)
        )


class ClaimVersionField(models.CharField):
    """A claim's version: `articles.text.claim_version` of its text, derived whenever the row is
    saved or bulk-created (`pre_save`), so no ORM write can store a text without its version.
    The raw multi-row writes of `articles.bulk` skip fields' `pre_save`: their one caller
    (`articles.services.results`) passes the version itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", CLAIM_VERSION_CHARS)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = claim_version(model_instance.text)
        setattr(model_instance, self.attname, value)
        return value


class Claim(models.Model):
    """One declarative sentence of an article, as extraction found it, and its verdict."""

    class Verdict(models.TextChoices):
        PENDING = "pending", "Pending"
        VERIFIED = "verified", "Verified"
        UNVERIFIED = "unverified", "Unverified"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="claims")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="claims")
    ordinal = models.PositiveIntegerField()
    text = models.TextField()
    # The version of `text` a verdict must name (`review.services.record_verdict`): a reviewer's
    # verdict never lands on a sentence that changed after they read it.
    text_sha = ClaimVersionField(
        help_text="First 16 hex digits of the SHA-256 of the normalised text."
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    section = models.CharField(max_length=200, blank=True)
    extractor_version = models.CharField(max_length=40)

    verdict = models.CharField(
        max_length=20, choices=Verdict.choices, default=Verdict.PENDING, db_index=True
    )
    note = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=2000, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewed_claims",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    # Re-extraction: a changed sentence keeps what it used to say and the verdict it had, so the
    # reviewer sees what changed; a removed sentence is retired, never deleted (history stays).
    previous_text = models.TextField(blank=True)
    previous_verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    # Claim intelligence (`review.intelligence`), computed in the background after extraction:
    # how worth checking the sentence is (0..1, a hint for ordering, never a verdict) and by which
    # model, and the revision the analysis (score and reuse candidates) was made for; a claim whose
    # `revision` moved on since is analysed again.
    checkworthiness = models.FloatField(null=True, blank=True)
    checkworthiness_model = models.CharField(max_length=40, blank=True)
    analysed_revision = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The claim in another article whose verdict this one reused (`review.services.reuse_verdict`);
    # cleared when the verdict is next recorded by hand.
    reused_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["article", "ordinal", "id"]
        indexes = [
            models.Index(fields=["article", "retired_at", "verdict"], name="claim_gate_idx"),
            # The Desk: claims judged in a date range (calibration, backlog).
            models.Index(fields=["reviewed_at"], name="claim_reviewed_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="claim_span_valid"),
            models.CheckConstraint(
                condition=Q(verdict__in=["pending", "verified", "unverified"]),
                name="claim_verdict_valid",
            ),
            # A verified claim carries its evidence (a URL or a note); an unverified one says why.
            models.CheckConstraint(
                condition=~Q(verdict="verified") | ~Q(note="") | ~Q(evidence_url=""),
                name="claim_verified_has_evidence",
            ),
            models.CheckConstraint(
                condition=~Q(verdict="unverified") | ~Q(note=""),
                name="claim_unverified_has_note",
            ),
            models.CheckConstraint(
                condition=Q(verdict="pending") | Q(reviewed_by__isnull=False),
                name="claim_verdict_has_reviewer",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_open(self) -> bool:
        return self.retired_at is None and self.verdict == self.Verdict.PENDING

    @property
    def worth_checking(self) -> bool | None:
        """Whether the score is above the model's threshold (None while unscored)."""
        from checkworthiness import THRESHOLD

        if self.checkworthiness is None or THRESHOLD is None:
            return None
        return self.checkworthiness >= THRESHOLD


class RelatedLink(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    ordinal = models.PositiveIntegerField()
    label = models.CharField(max_length=100)
    title = models.TextField(blank=True)
    url = models.URLField(max_length=2000, blank=True)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()

    class Meta:
        ordering = ["article", "ordinal"]

    def __str__(self) -> str:
        return f"{self.label}: {self.title}"


class ImageCredit(models.Model):
    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="image_credit")
    text = models.CharField(max_length=500)
    source = models.CharField(max_length=500)

    def __str__(self) -> str:
        return self.text


class Section(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sections")
    ordinal = models.PositiveIntegerField()
    label = models.CharField(max_length=200)
    start = models.PositiveIntegerField()

    class Meta:
        ordering = ["article", "ordinal"]

    def __str__(self) -> str:
        return self.label


class ArticleEvent(models.Model):
    """The history: one row per transition, verdict, edit and extraction outcome. Append-only."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        STATUS = "status", "Status changed"
        EXTRACTION = "extraction", "Extraction"
        VERDICT = "verdict", "Verdict"
        CLAIM_CHANGED = "claim_changed", "Claim changed by an edit"
        CLAIM_RETIRED = "claim_retired", "Claim removed by an edit"
        OVERRIDE = "override", "Published over unverified claims"
        # Written by `review.services` (a chief editor assigns the article to a reviewer).
        ASSIGNED = "assigned", "Assigned to a reviewer"
        UNASSIGNED = "unassigned", "Assignment removed"
        # Written by `review.conversations.services`: a thread on a claim. The comment row links
        # to its event (`review.conversations.models.Comment.event`), docs/conversations.md.
        COMMENT = "comment", "Comment"
        COMMENT_EDITED = "comment_edited", "Comment edited"
        QUESTION_OPENED = "question_opened", "Question to the author"
        QUESTION_RESOLVED = "question_resolved", "Question resolved"
        # Publishing that does not end the story (`articles.services.publishing`); see
        # docs/publishing.md for what each row's fields hold.
        SCHEDULED = "scheduled", "Publication scheduled"
        SCHEDULE_CANCELLED = "schedule_cancelled", "Scheduled publication cancelled"
        SCHEDULE_FAILED = "schedule_failed", "Scheduled publication did not happen"
        UNPUBLISHED = "unpublished", "Unpublished"
        CORRECTION_OPENED = "correction_opened", "Correction opened (published article edited)"
        CORRECTED = "corrected", "Correction published"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    # Null for the system (a Celery task).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=2000, blank=True)
    # A verdict reused from another article's claim links to it (its provenance).
    source_claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A verdict row keeps the sentence it judged: a later edit changes the claim's text, never
    # what the history says was verified. Empty on other rows (and on verdicts from before).
    claim_text = models.TextField(blank=True)
    # One bulk verdict writes one row per claim, all with the same `bulk_id`: the activity page
    # shows them as one entry (`review.services.record_verdicts`).
    bulk_id = models.UUIDField(null=True, blank=True, db_index=True)
    # A verdict row that undid an earlier one links to it (`review.services.undo_verdict`): the
    # undone row stays, history is only ever appended to.
    undoes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="undone_by"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["article", "created_at"], name="event_article_time_idx"),
            # The Desk's verdicts per day/hour and reviewer load: one kind over a time range.
            models.Index(fields=["kind", "created_at"], name="event_kind_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.from_state}→{self.to_state}"


class Profile(models.Model):
    """A user's own settings: for now the time zone every time is shown and entered in
    (`articles.middleware.TimeZoneMiddleware`). Created on demand (`Profile.of`); empty means the
    newsroom's default, `settings.TIME_ZONE`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="An IANA time zone name, e.g. Europe/Paris. Empty: the newsroom's default.",
    )

    def __str__(self) -> str:
        return f"profile of {self.user_id}"

    @property
    def zone_name(self) -> str:
        return self.time_zone or settings.TIME_ZONE

    @classmethod
    def of(cls, user) -> Profile:
        profile, _ = cls.objects.get_or_create(user=user)
        return profile

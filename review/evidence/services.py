"""The evidence archive's writes. Every caller (verdicts, comments, the claims_stored receiver,
tasks, the sweeps) goes through here.

- `request_snapshots(urls)`: a pending row for each URL not archived yet, rung after commit.
- `archive_snapshot(id)`: the task's work: take the row by compare-and-set, fetch through the
  outbound guard, read the main text, store the bytes, settle the row (or schedule a retry).
- `sweep_pending()`: beat; rings for pending rows whose message was lost or whose retry is due.
- `recheck_snapshot(id)` / `sweep_link_rot()`: link rot of published articles' evidence.
- `cited_links(claim)`, `archive_cited_sources(article_ids)`: the sources an article cites.
- `urls_in(text)`, `conversation_urls(claim)`: the links written in a claim's conversation (each
  comment's are archived when it is written or edited: review.conversations.services).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

import outbound
from articles.models import Article, Claim
from newsroom.celery import ring
from review.evidence import reading
from review.evidence.models import EvidenceSnapshot

logger = logging.getLogger(__name__)

ARCHIVE_TASK = "review.archive_evidence"
RECHECK_TASK = "review.recheck_evidence"
LEASE = dt.timedelta(minutes=5)  # longer than a fetch can take (EVIDENCE_TIMEOUT_SECONDS)
SWEEP_BATCH = 200
_validate_url = URLValidator(schemes=["http", "https"])
# Worth trying again later; anything else (a 404, a blocked address, too large) is final.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


# --- Requesting ---------------------------------------------------------------------------------


def _usable(url: str) -> bool:
    try:
        _validate_url(url)
    except ValidationError:
        return False
    return len(url) <= 2000


def request_snapshots(urls: Iterable[str]) -> list[int]:
    """Queue the archiving of each URL that has no archived snapshot and no pending one (a URL
    that failed before is tried again). Creates pending rows in the caller's transaction (or its
    own) and rings for them once it commits. Returns the ids of the rows it created."""
    wanted = list(dict.fromkeys(u.strip() for u in urls if u and _usable(u.strip())))
    if not wanted:
        return []
    created: list[int] = []
    with transaction.atomic():
        busy = set(
            EvidenceSnapshot.objects.filter(requested_url__in=wanted)
            .filter(state__in=[EvidenceSnapshot.State.PENDING, EvidenceSnapshot.State.ARCHIVED])
            .values_list("requested_url", flat=True)
        )
        for url in wanted:
            if url in busy:
                continue
            try:
                with transaction.atomic():  # a concurrent request made the pending row first
                    created.append(EvidenceSnapshot.objects.create(requested_url=url).pk)
            except IntegrityError:
                continue
        for snapshot_id in created:
            transaction.on_commit(lambda i=snapshot_id: ring_archive(i))
    return created


def ring_archive(snapshot_id: int, *, countdown: float | None = None) -> bool:
    return ring(
        ARCHIVE_TASK,
        args=[snapshot_id],
        countdown=countdown,
        what=f"enqueuing the archiving of evidence snapshot {snapshot_id}",
    )


# --- Fetching and reading -----------------------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    """What one fetch found: a response (status, bytes, ...) or an error (kind, sentence)."""

    status: int | None = None
    final_url: str = ""
    content_type: str = ""
    content: bytes = b""
    error_kind: str = ""
    error: str = ""
    retry: bool = False

    @property
    def ok(self) -> bool:
        return not self.error_kind


def fetch_page(url: str) -> Fetched:
    """GET `url` through the outbound guard with the evidence settings. Never raises."""
    kinds = EvidenceSnapshot.ErrorKind
    try:
        response = outbound.fetch(
            url,
            headers={
                "Accept": "text/html,application/xhtml+xml,application/pdf,text/plain;q=0.9,*/*;q=0.5"
            },
            follow_redirects=True,
            max_redirects=settings.EVIDENCE_MAX_REDIRECTS,
            max_bytes=settings.EVIDENCE_MAX_BYTES,
            connect_timeout=min(5.0, settings.EVIDENCE_TIMEOUT_SECONDS),
            read_timeout=settings.EVIDENCE_READ_TIMEOUT_SECONDS,
            timeout=settings.EVIDENCE_TIMEOUT_SECONDS,
            allow_private=settings.EVIDENCE_ALLOW_PRIVATE_ADDRESSES,
            allowed_networks=settings.EVIDENCE_ALLOWED_NETWORKS,
        )
    except outbound.Refused as exc:
        return Fetched(error_kind=kinds.BLOCKED, error=str(exc))
    except outbound.TooLarge as exc:
        return Fetched(error_kind=kinds.TOO_LARGE, error=str(exc))
    except outbound.Timeout as exc:
        return Fetched(error_kind=kinds.TIMEOUT, error=str(exc), retry=True)
    except outbound.FetchError as exc:
        text = str(exc)
        return Fetched(error_kind=kinds.NETWORK, error=text, retry="redirects" not in text)
    content_type = response.headers.get("content-type", "")[:200]
    if not 200 <= response.status < 300:
        return Fetched(
            status=response.status,
            final_url=response.url,
            content_type=content_type,
            error_kind=kinds.HTTP,
            error=f"The page answered HTTP {response.status} {response.reason}".strip() + ".",
            retry=response.status in RETRY_STATUSES,
        )
    try:
        content = reading.decode_body(
            response.content,
            response.headers.get("content-encoding", ""),
            max_bytes=settings.EVIDENCE_MAX_BYTES,
        )
    except ValueError as exc:
        return Fetched(
            status=response.status, final_url=response.url, content_type=content_type,
            error_kind=kinds.UNREADABLE, error=str(exc),
        )  # fmt: skip
    return Fetched(
        status=response.status,
        final_url=response.url,
        content_type=content_type,
        content=content,
    )


def _store_file(sha256: str, content: bytes) -> str:
    """The bytes in the default storage under their hash (written once: the same content is the
    same file, whichever URL or snapshot it came from)."""
    name = f"evidence/{sha256[:2]}/{sha256}.bin"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(content))
    return name


def _backoff(attempts: int) -> float:
    return settings.EVIDENCE_BACKOFF_SECONDS * (2 ** max(0, attempts - 1))


def take_snapshot(snapshot_id: int) -> EvidenceSnapshot | None:
    """Compare-and-set: the pending row, if its lease is free, leased to this attempt."""
    now = timezone.now()
    taken = (
        EvidenceSnapshot.objects.filter(pk=snapshot_id, state=EvidenceSnapshot.State.PENDING)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
        .update(lease_until=now + LEASE, attempts=F("attempts") + 1)
    )
    if taken != 1:
        return None
    return EvidenceSnapshot.objects.get(pk=snapshot_id)


def archive_snapshot(snapshot_id: int) -> str:
    """Fetch and archive one pending snapshot. Returns what happened: "archived", "duplicate"
    (the same content was archived for this URL before: the pending row is removed), "failed",
    "retry" (a transient error; rung again after a backoff) or "skipped" (not pending, or another
    attempt holds it). Running it twice is harmless."""
    snapshot = take_snapshot(snapshot_id)
    if snapshot is None:
        return "skipped"
    fetched = fetch_page(snapshot.requested_url)
    if not fetched.ok:
        if fetched.retry and snapshot.attempts < settings.EVIDENCE_MAX_ATTEMPTS:
            delay = _backoff(snapshot.attempts)
            changed = EvidenceSnapshot.objects.filter(
                pk=snapshot.pk, state=EvidenceSnapshot.State.PENDING
            ).update(
                lease_until=timezone.now() + dt.timedelta(seconds=delay),
                error=fetched.error[:2000],
                error_kind=fetched.error_kind,
            )
            if changed:
                ring_archive(snapshot.pk, countdown=delay)
                logger.info("evidence %s: %s; retry in %.0f s", snapshot.pk, fetched.error, delay)
            return "retry"
        return _settle_failed(snapshot, fetched)
    return _settle_archived(snapshot, fetched)


def _settle_failed(snapshot: EvidenceSnapshot, fetched: Fetched) -> str:
    changed = EvidenceSnapshot.objects.filter(
        pk=snapshot.pk, state=EvidenceSnapshot.State.PENDING
    ).update(
        state=EvidenceSnapshot.State.FAILED,
        http_status=fetched.status,
        final_url=fetched.final_url[:2000],
        content_type=fetched.content_type,
        fetched_at=timezone.now(),
        error_kind=fetched.error_kind,
        error=fetched.error[:2000],
        lease_until=None,
    )
    logger.info("evidence %s: failed (%s) %s", snapshot.pk, fetched.error_kind, fetched.error)
    return "failed" if changed else "skipped"


def _reading(fetched: Fetched) -> tuple[str, reading.Reading]:
    sha256 = hashlib.sha256(fetched.content).hexdigest()
    return sha256, reading.read(fetched.content, fetched.content_type)


def _recheck_at(url: str, now: dt.datetime) -> dt.datetime | None:
    days = settings.EVIDENCE_RECHECK_DAYS
    if days <= 0:
        return None
    # Each URL at its own time within the spread: a stable offset from its hash.
    spread = settings.EVIDENCE_RECHECK_SPREAD_HOURS * 3600
    offset = (zlib.crc32(url.encode()) % 10_000) / 10_000 * spread
    return now + dt.timedelta(days=days, seconds=offset)


def _settle_archived(snapshot: EvidenceSnapshot, fetched: Fetched) -> str:
    sha256, read = _reading(fetched)
    name = _store_file(sha256, fetched.content)
    now = timezone.now()
    with transaction.atomic():
        current = (
            EvidenceSnapshot.objects.select_for_update()
            .filter(pk=snapshot.pk, state=EvidenceSnapshot.State.PENDING)
            .first()
        )
        if current is None:
            return "skipped"
        same = EvidenceSnapshot.objects.filter(
            requested_url=snapshot.requested_url,
            sha256=sha256,
            state=EvidenceSnapshot.State.ARCHIVED,
        ).first()
        if same is not None:
            current.delete()
            logger.info("evidence %s: same content as snapshot %s", snapshot.pk, same.pk)
            return "duplicate"
        EvidenceSnapshot.objects.filter(pk=snapshot.pk).update(
            state=EvidenceSnapshot.State.ARCHIVED,
            final_url=fetched.final_url[:2000],
            http_status=fetched.status,
            content_type=fetched.content_type,
            fetched_at=now,
            sha256=sha256,
            size=len(fetched.content),
            title=read.title,
            text=read.text,
            error_kind="",
            error=read.problem,
            file=name,
            lease_until=None,
            recheck_at=_recheck_at(snapshot.requested_url, now),
        )
    logger.info(
        "evidence %s: archived %s (%s bytes)", snapshot.pk, sha256[:12], len(fetched.content)
    )
    return "archived"


def sweep_pending() -> int:
    """Beat: ring for pending snapshots whose message was lost (never taken, or a retry whose
    message never came) and settle those that used up their attempts. Returns how many rang."""
    now = timezone.now()
    grace = dt.timedelta(seconds=settings.EVIDENCE_SWEEP_GRACE_SECONDS)
    stale = EvidenceSnapshot.objects.filter(state=EvidenceSnapshot.State.PENDING).filter(
        Q(lease_until__isnull=True, created_at__lt=now - grace) | Q(lease_until__lt=now - grace)
    )
    EvidenceSnapshot.objects.filter(
        pk__in=stale.filter(attempts__gte=settings.EVIDENCE_MAX_ATTEMPTS).values("pk")
    ).update(
        state=EvidenceSnapshot.State.FAILED,
        error_kind=Case(
            When(error_kind="", then=Value(EvidenceSnapshot.ErrorKind.NETWORK)),
            default=F("error_kind"),
            output_field=models.CharField(),
        ),
        error=Case(
            When(error="", then=Value("The fetch did not finish (the worker stopped).")),
            default=F("error"),
            output_field=models.TextField(),
        ),
        fetched_at=now,
        lease_until=None,
    )
    rung = 0
    for snapshot_id in stale.values_list("pk", flat=True)[:SWEEP_BATCH]:
        if ring_archive(snapshot_id):
            rung += 1
    return rung


# --- Link rot -----------------------------------------------------------------------------------


def _published_evidence() -> Q:
    """Snapshots of URLs that are evidence of a current claim of a published article."""
    urls = Claim.objects.filter(
        article__status=Article.Status.PUBLISHED, retired_at__isnull=True
    ).exclude(evidence_url="")
    return Q(requested_url__in=urls.values("evidence_url"))


def sweep_link_rot() -> int:
    """Beat: ring a re-check for published articles' evidence that is due, at most one page per
    host per run (no site sees a burst from us) and EVIDENCE_RECHECK_BATCH in all. Each chosen
    row's `recheck_at` moves on by the lease first, so a lost message is tried again later."""
    now = timezone.now()
    due = (
        EvidenceSnapshot.objects.filter(state=EvidenceSnapshot.State.ARCHIVED, recheck_at__lte=now)
        .exclude(rot=EvidenceSnapshot.Rot.CHANGED)  # superseded by a newer row
        .filter(_published_evidence())
        .order_by("recheck_at", "id")
        .values_list("pk", "requested_url")[: settings.EVIDENCE_RECHECK_BATCH * 10]
    )
    hosts: set[str] = set()
    chosen: list[int] = []
    for pk, url in due:
        host = (urlsplit(url).hostname or "").lower()
        if host in hosts:
            continue
        hosts.add(host)
        chosen.append(pk)
        if len(chosen) >= settings.EVIDENCE_RECHECK_BATCH:
            break
    rung = 0
    for pk in chosen:
        moved = EvidenceSnapshot.objects.filter(pk=pk, recheck_at__lte=now).update(
            recheck_at=now + LEASE
        )
        if moved and ring(RECHECK_TASK, args=[pk], what=f"re-checking evidence snapshot {pk}"):
            rung += 1
    return rung


def recheck_snapshot(snapshot_id: int) -> str:
    """Fetch an archived page again. Gone (an error status, a blocked address, ...): the row is
    flagged `gone`. Its main text changed: the new content is archived as a new row and this
    one flagged `changed` (it stays, with its file). The same text: only the dates move. Returns
    "gone", "changed", "unchanged", "retry" (a transient error, tried at the next sweep) or
    "skipped"."""
    snapshot = (
        EvidenceSnapshot.objects.filter(pk=snapshot_id, state=EvidenceSnapshot.State.ARCHIVED)
        .exclude(rot=EvidenceSnapshot.Rot.CHANGED)
        .first()
    )
    if snapshot is None:
        return "skipped"
    fetched = fetch_page(snapshot.requested_url)
    now = timezone.now()
    if not fetched.ok and fetched.retry:
        EvidenceSnapshot.objects.filter(pk=snapshot.pk).update(
            recheck_at=now + dt.timedelta(hours=1)
        )
        return "retry"
    next_check = _recheck_at(snapshot.requested_url, now)
    if not fetched.ok:
        EvidenceSnapshot.objects.filter(pk=snapshot.pk).update(
            rot=EvidenceSnapshot.Rot.GONE,
            rot_note=fetched.error[:2000],
            rechecked_at=now,
            recheck_at=next_check,
        )
        logger.info("evidence %s: gone (%s)", snapshot.pk, fetched.error)
        return "gone"
    sha256, read = _reading(fetched)
    if sha256 == snapshot.sha256 or read.text == snapshot.text:
        EvidenceSnapshot.objects.filter(pk=snapshot.pk).update(
            rot=EvidenceSnapshot.Rot.NONE, rot_note="", rechecked_at=now, recheck_at=next_check
        )
        return "unchanged"
    name = _store_file(sha256, fetched.content)
    with transaction.atomic():
        newer, _ = EvidenceSnapshot.objects.get_or_create(
            requested_url=snapshot.requested_url,
            sha256=sha256,
            state=EvidenceSnapshot.State.ARCHIVED,
            defaults={
                "final_url": fetched.final_url[:2000],
                "http_status": fetched.status,
                "content_type": fetched.content_type,
                "fetched_at": now,
                "size": len(fetched.content),
                "title": read.title,
                "text": read.text,
                "error": read.problem,
                "file": name,
                "recheck_at": next_check,
            },
        )
        EvidenceSnapshot.objects.filter(pk=snapshot.pk).update(
            rot=EvidenceSnapshot.Rot.CHANGED,
            rot_note=f"The main text changed; the page as fetched on {now:%-d %b %Y} is snapshot {newer.pk}.",
            rechecked_at=now,
            recheck_at=None,
        )
    logger.info("evidence %s: changed, new snapshot %s", snapshot.pk, newer.pk)
    return "changed"


# --- What the pages show ------------------------------------------------------------------------


def snapshots_by_url(urls: Iterable[str], *, per_url: int = 3) -> dict[str, list[EvidenceSnapshot]]:
    """The newest snapshots of each URL (one query), newest first."""
    wanted = [u for u in dict.fromkeys(urls) if u]
    found: dict[str, list[EvidenceSnapshot]] = {u: [] for u in wanted}
    if not wanted:
        return found
    for snapshot in EvidenceSnapshot.objects.filter(requested_url__in=wanted).newest_first():
        rows = found[snapshot.requested_url]
        if len(rows) < per_url:
            rows.append(snapshot)
    return found


def claim_urls(claim: Claim, cited: list[dict] | None = None) -> list[str]:
    """Every URL whose snapshots a viewer of this claim may see: its evidence URL, the links its
    article cites in its sentence, and the links written in its conversation."""
    urls = [claim.evidence_url] if claim.evidence_url else []
    urls += [link["url"] for link in (cited if cited is not None else cited_links(claim))]
    urls += conversation_urls(claim)
    return list(dict.fromkeys(urls))


# --- Links written in a claim's conversation ----------------------------------------------------

# An http(s) URL in plain text, up to white space or a character no URL carries unescaped; the
# punctuation that ends a sentence or closes a bracket around the URL is not part of it.
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}"


def urls_in(text: str) -> list[str]:
    """The http(s) URLs written in `text` (a comment), in order, each once."""
    found = []
    for match in _URL_IN_TEXT.finditer(text or ""):
        url = match.group(0)
        while url and url[-1] in _TRAILING and not (url[-1] == ")" and "(" in url):
            url = url[:-1]
        if _usable(url):
            found.append(url)
    return list(dict.fromkeys(found))


def conversation_urls(claim: Claim) -> list[str]:
    """The URLs written in the comments and questions of `claim`'s thread (one query)."""
    from review.conversations.models import Comment

    urls: list[str] = []
    for body in (
        Comment.objects.filter(claim=claim)
        .order_by("created_at", "id")
        .values_list("body", flat=True)
    ):
        urls += urls_in(body)
    return list(dict.fromkeys(urls))


# --- Cited sources ------------------------------------------------------------------------------


def cited_links(
    claim: Claim, *, article: Article | None = None, body: str | None = None
) -> list[dict]:
    """The article's inline links that sit in this claim's sentence, in order. An offset counts
    only while the anchor text is still at it in the text the claim points into (an edit moves
    text)."""
    article = article or claim.article
    links = article.cited_links or []
    if not links or claim.retired_at is not None:
        return []
    if body is None:
        body = claim.revision.body
    found = []
    for link in links:
        start, end = link.get("start", -1), link.get("end", -1)
        if not claim.start <= start < claim.end:
            continue
        if body[start:end] != link.get("anchor"):
            continue
        found.append(link)
    return found


def archive_cited_sources(article_ids: list[int]) -> list[int]:
    """Queue the archiving of the sources each of these articles cites in its current claims, so
    that a reviewer's first look already shows what they contain. Returns the rows created."""
    urls: list[str] = []
    for article in Article.objects.filter(pk__in=article_ids).exclude(cited_links=[]):
        claims = article.claims.active().select_related("revision")
        for claim in claims:
            urls += [link["url"] for link in cited_links(claim, article=article)]
    return request_snapshots(urls)


def on_claims_stored(sender: object, *, article_ids: list[int], **kwargs: object) -> None:
    """`articles.signals.claims_stored` (sent after commit): archive the cited sources."""
    archive_cited_sources(article_ids)

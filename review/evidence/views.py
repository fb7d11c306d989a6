"""What a reviewer sees of the archive: the snapshots beside a claim (with the facts found in
them), a snapshot's extracted text (escaped, never the page's HTML) and its raw file (a download
with a content type no browser renders). Every URL goes through the claim: a snapshot is shown
only to those who may see a claim that cites it (its evidence URL or a link in its sentence)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from articles import permissions
from articles.models import Claim
from review.evidence import matching, services
from review.evidence.models import EvidenceSnapshot


@dataclass
class Source:
    """One URL beside a claim: its evidence URL or a link the article cites in its sentence."""

    url: str
    anchor: str = ""  # the cited link's text
    is_evidence: bool = False
    in_conversation: bool = False  # written in a comment or question of the claim's thread
    snapshots: list[EvidenceSnapshot] = field(default_factory=list)
    facts: matching.FactsFound | None = None

    @property
    def latest(self) -> EvidenceSnapshot | None:
        return self.snapshots[0] if self.snapshots else None

    @property
    def shown(self) -> EvidenceSnapshot | None:
        """The newest archived snapshot, else the newest of any state."""
        return next((s for s in self.snapshots if s.is_archived), self.latest)


def evidence_sources(claim: Claim) -> list[Source]:
    """The claim's evidence URL, cited links and the links written in its conversation (one query
    for those), each with its newest snapshots (one query) and,
    for the newest archived one, the claim's facts looked for in its text."""
    cited = services.cited_links(claim)
    sources: dict[str, Source] = {}
    if claim.evidence_url:
        sources[claim.evidence_url] = Source(claim.evidence_url, is_evidence=True)
    for link in cited:
        source = sources.setdefault(link["url"], Source(link["url"]))
        source.anchor = source.anchor or link["anchor"]
    for url in services.conversation_urls(claim):
        sources.setdefault(url, Source(url, in_conversation=True))
    found = services.snapshots_by_url(sources)
    for url, source in sources.items():
        source.snapshots = found.get(url, [])
        shown = source.shown
        if shown is not None and shown.is_archived and shown.text:
            source.facts = matching.find_facts(claim.text, shown.text)
    return list(sources.values())


def _snapshot_for(
    request: HttpRequest, pk: int, snapshot_pk: int
) -> tuple[Claim, EvidenceSnapshot]:
    claim = permissions.get_claim_for_user(request.user, pk)
    snapshot = EvidenceSnapshot.objects.filter(pk=snapshot_pk).first()
    if snapshot is None or snapshot.requested_url not in services.claim_urls(claim):
        raise Http404("No such snapshot for this claim.")
    return claim, snapshot


@login_required
@require_GET
def evidence_text(request: HttpRequest, pk: int, snapshot_pk: int) -> HttpResponse:
    """The snapshot's main text, escaped, with the claim's facts found in it."""
    claim, snapshot = _snapshot_for(request, pk, snapshot_pk)
    context: dict[str, Any] = {
        "claim": claim,
        "article": claim.article,
        "number": claim.ordinal + 1,
        "snapshot": snapshot,
        "facts": matching.find_facts(claim.text, snapshot.text) if snapshot.text else None,
    }
    return render(request, "review/evidence_text.html", context)


@login_required
@require_GET
def evidence_raw(request: HttpRequest, pk: int, snapshot_pk: int) -> FileResponse:
    """The bytes as fetched, as a download: never rendered in our origin (an archived page's
    scripts would run with our cookies), so always application/octet-stream, attachment, nosniff."""
    _, snapshot = _snapshot_for(request, pk, snapshot_pk)
    if not snapshot.file or not default_storage.exists(snapshot.file.name):
        raise Http404("This snapshot has no file.")
    extension = (
        ".pdf"
        if "pdf" in snapshot.content_type
        else ".html"
        if "html" in snapshot.content_type
        else ".bin"
    )
    response = FileResponse(
        default_storage.open(snapshot.file.name, "rb"),
        as_attachment=True,
        filename=f"evidence-{snapshot.pk}-{snapshot.sha256[:12]}{extension}",
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@dataclass
class ClaimEvidence:
    claim: Claim
    snapshot: EvidenceSnapshot | None


def article_evidence_rows(article) -> list[ClaimEvidence]:
    """The article's current claims that carry an evidence URL, each with its URL's newest
    snapshot (two queries)."""
    claims = list(article.claims.active().exclude(evidence_url="").order_by("ordinal", "id"))
    found = services.snapshots_by_url([c.evidence_url for c in claims], per_url=1)
    return [ClaimEvidence(c, (found.get(c.evidence_url) or [None])[0]) for c in claims]


@login_required
@require_GET
def article_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The article's evidence and its link rot (a page gone or changed since it was archived):
    loaded into the article page by htmx, or a small page of its own without JavaScript."""
    article = permissions.get_article_for_user(request.user, pk)
    rows = article_evidence_rows(article)
    context = {
        "article": article,
        "rows": rows,
        "rotten": [r for r in rows if r.snapshot is not None and r.snapshot.rot],
    }
    if request.htmx:
        return render(request, "includes/evidence_article.html", context)
    return render(request, "review/evidence_article.html", context)

"""The typed result of an extraction. Frozen, slotted dataclasses; `to_dict()` gives the JSON shape
of ../shared/EXTRACTION.md plus a few extra fields (claim kind, social posts, boilerplate)."""

from __future__ import annotations

from dataclasses import dataclass, fields, make_dataclass
from typing import Any

# What a claim is, as the engine saw it.
KIND_SENTENCE = "sentence"  # an ordinary declarative sentence of the body
KIND_QUOTE = "quote"  # a sentence that opens with a quotation mark
KIND_BULLET = "bullet"  # a bullet item (marker removed) or a further line of one
KIND_LEAD_IN = "lead_in"  # a complete clause ending in a colon that introduces a list, post, quote


@dataclass(frozen=True, slots=True)
class Claim:
    text: str
    start: int
    end: int
    section: str | None
    ordinal: int  # 0-based position in Extraction.claims
    kind: str = KIND_SENTENCE

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "section": self.section,
            "checkworthiness": None,
            "kind": self.kind,
            "ordinal": self.ordinal,
        }


@dataclass(frozen=True, slots=True)
class RelatedLink:
    label: str
    title: str  # "" when the feed dropped the headline ("Read Next:" alone)
    url: str | None
    start: int  # the label (or the list item) ...
    end: int  # ... through the headline

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "title": self.title,
            "url": self.url,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True, slots=True)
class ImageCredit:
    text: str  # the whole credit line as written, trailing period included
    source: str  # everything after the first marker (via / by / courtesy of / :), no final period
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "source": self.source, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Section:
    label: str
    start: int  # where the label itself starts in the text

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "start": self.start}


@dataclass(frozen=True, slots=True)
class SocialPost:
    """An embedded post: its text (the paragraph before the attribution) and the attribution line
    `— Name (@handle) Month D, YYYY`. Neither is a claim."""

    text: str
    start: int
    end: int
    author: str
    handle: str
    date: str
    attribution_start: int
    attribution_end: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "author": self.author,
            "handle": self.handle,
            "date": self.date,
            "attribution_start": self.attribution_start,
            "attribution_end": self.attribution_end,
        }


@dataclass(frozen=True, slots=True)
class Boilerplate:
    """Text that is neither claim, link nor credit. kind: disclaimer, editors_note, footer, promo,
    copyright, table."""

    kind: str
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Extraction:
    dateline: str | None
    claims: tuple[Claim, ...]
    related_links: tuple[RelatedLink, ...]
    image_credit: ImageCredit | None
    sections: tuple[Section, ...]
    social_posts: tuple[SocialPost, ...] = ()
    boilerplate: tuple[Boilerplate, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON shape. Strings are returned as they are in the text (a lone
        surrogate stays one); the caller that encodes them decides how to escape."""
        from extraction import EXTRACTOR_VERSION

        return {
            "dateline": self.dateline,
            "claims": [c.to_dict() for c in self.claims],
            "related_links": [link.to_dict() for link in self.related_links],
            "image_credit": self.image_credit.to_dict() if self.image_credit else None,
            "sections": [s.to_dict() for s in self.sections],
            "social_posts": [p.to_dict() for p in self.social_posts],
            "boilerplate": [b.to_dict() for b in self.boilerplate],
            "extractor_version": EXTRACTOR_VERSION,
        }


def _draft(cls: type) -> type:
    """A mutable twin of a frozen slotted dataclass, with the same slots in the same order. The
    engine builds the twin and assigns __class__: a third of the cost of the frozen __init__
    (which sets every field through object.__setattr__). Used for the per-sentence objects."""
    return make_dataclass(
        f"_{cls.__name__}Draft", [(f.name, f.type) for f in fields(cls)], slots=True
    )


_ClaimDraft = _draft(Claim)
_ExtractionDraft = _draft(Extraction)
_SectionDraft = _draft(Section)
_RelatedLinkDraft = _draft(RelatedLink)

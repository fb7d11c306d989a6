"""The extraction engine: article text in, claims, sections, related links, image credit and
dateline out (../shared/EXTRACTION.md). Pure Python, no Django import anywhere in this package.

    from extraction import extract
    result = extract(text)          # -> Extraction
    result.to_dict()                # the contract's JSON shape

`EXTRACTOR_VERSION` changes whenever the output for some input can change; stored results carry
it so that they can be recomputed.
"""

from __future__ import annotations

EXTRACTOR_VERSION = "1.1.0"

from .engine import extract  # noqa: E402
from .parts import _read_header as read_header  # noqa: E402
from .results import (  # noqa: E402
    KIND_BULLET,
    KIND_LEAD_IN,
    KIND_QUOTE,
    KIND_SENTENCE,
    Boilerplate,
    Claim,
    Extraction,
    ImageCredit,
    RelatedLink,
    Section,
    SocialPost,
)
from .segmenter import split_sentences  # noqa: E402

__all__ = [
    "EXTRACTOR_VERSION",
    "KIND_BULLET",
    "KIND_LEAD_IN",
    "KIND_QUOTE",
    "KIND_SENTENCE",
    "Boilerplate",
    "Claim",
    "Extraction",
    "ImageCredit",
    "RelatedLink",
    "Section",
    "SocialPost",
    "extract",
    "read_header",
    "split_sentences",
]

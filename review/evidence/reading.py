"""The main text and the title of a fetched evidence page. Django-free.

HTML goes through trafilatura (the article body, without menus, footers and comment threads; its
own fallbacks when the page is unusual); PDFs through pypdf (government statistics and filings
are often PDFs); plain text is kept as it is. Anything else is archived without text. Nothing here
raises on bad input: a page that cannot be read has no text, and says why in `problem`.
"""

from __future__ import annotations

import io
import logging
import re
import zlib
from dataclasses import dataclass
from html import unescape

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2_000_000  # main text kept per snapshot (a 10 MB page has far less)
MAX_PDF_PAGES = 500

_CHARSET = re.compile(r"charset\s*=\s*[\"']?([-\w.:]+)", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*+>([^<]{1,2000}+)</title", re.IGNORECASE)


@dataclass(frozen=True)
class Reading:
    kind: str  # "html", "pdf", "text" or "other"
    title: str
    text: str
    problem: str = ""  # why there is no text, when there is none


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def kind_of(content_type: str, content: bytes) -> str:
    media = media_type(content_type)
    if media == "application/pdf" or content.startswith(b"%PDF-"):
        return "pdf"
    if media in ("text/html", "application/xhtml+xml"):
        return "html"
    if media.startswith("text/") or media in ("application/json", "application/xml"):
        return "text"
    if not media and content.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "html"
    return "other"


def decode_body(content: bytes, content_encoding: str, *, max_bytes: int) -> bytes:
    """The body as the server meant it: we ask for `identity`, but a server may compress anyway.
    gzip and deflate are undone with the output bounded by `max_bytes` (a small compressed
    response may expand a thousandfold); an unknown encoding raises ValueError."""
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return content
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise ValueError(f"The page is sent with a content encoding we do not read ({encoding}).")
    wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(content, max_bytes + 1)
    except zlib.error as exc:
        raise ValueError(f"The page's compressed body is broken ({exc}).") from None
    if len(out) > max_bytes:
        raise ValueError(f"The page is larger than {max_bytes:,} bytes once decompressed.")
    return out


def _text_of(content: bytes, content_type: str) -> str:
    found = _CHARSET.search(content_type)
    for encoding in (found.group(1) if found else "", "utf-8"):
        if not encoding:
            continue
        try:
            return content.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return content.decode("latin-1")


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text.strip()[:MAX_TEXT_CHARS]


def read_html(content: bytes, content_type: str) -> Reading:
    import trafilatura

    html = _text_of(content, content_type)
    title_match = _TITLE.search(html)
    title = " ".join(unescape(title_match.group(1)).split()) if title_match else ""
    try:
        text = trafilatura.extract(
            html, include_comments=False, include_tables=True, favor_recall=True
        )
        if not title:
            metadata = trafilatura.extract_metadata(html)
            title = (metadata.title or "") if metadata is not None else ""
    except Exception as exc:  # noqa: BLE001 - a parser failure is a page we cannot read
        logger.warning("trafilatura could not read a page: %s", exc)
        return Reading("html", title[:500], "", f"The page could not be read ({exc}).")
    if not text:
        return Reading("html", title[:500], "", "No main text was found on the page.")
    return Reading("html", title[:500], _clean(text))


def read_pdf(content: bytes) -> Reading:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content))
        title = ""
        if reader.metadata is not None and reader.metadata.title:
            title = str(reader.metadata.title)
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES]]
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on broken files
        return Reading("pdf", "", "", f"The PDF could not be read ({type(exc).__name__}).")
    text = _clean("\n\n".join(page.strip() for page in pages if page.strip()))
    if not text:
        return Reading("pdf", title[:500], "", "The PDF has no text (a scan?).")
    return Reading("pdf", " ".join(title.split())[:500], text)


def read(content: bytes, content_type: str) -> Reading:
    """Main text and title of `content` as served with `content_type`."""
    kind = kind_of(content_type, content)
    if kind == "html":
        return read_html(content, content_type)
    if kind == "pdf":
        return read_pdf(content)
    if kind == "text":
        return Reading("text", "", _clean(_text_of(content, content_type)))
    return Reading(
        "other", "", "", f"No text is read from {media_type(content_type) or 'this'} files."
    )

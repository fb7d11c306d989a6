"""HTML from a partner feed → the plain-text shape the extractor reads (see ../shared/EXTRACTION.md).

No Django here: it can be tested and benchmarked alone.

- Block elements (`p`, `div`, headings, `blockquote`, `figcaption`, ...) end a paragraph;
  paragraphs are separated by a blank line.
- `<br>` is a line break inside a paragraph (the extractor ends a sentence there).
- A list is one paragraph with one `- item` line per `<li>` (nested lists too).
- Table rows become `a | b | c` lines, which the extractor knows are not claims.
- `script`, `style`, `template`, `noscript`, `svg`, ... are dropped with their content; comments
  are dropped; entities are decoded; runs of white space inside a line fold to one space.
- Links: the text stays, the href goes. Where a paragraph is a related-link line (`See Also:`
  followed by one `<a href>` and nothing else), a list item is one `<a href>`, or a paragraph is
  one `<a href>`, the headline → href pair is returned in `links`, so the related link the
  extractor finds can get its URL (only absolute http(s) URLs are kept).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
        "h4", "h5", "h6", "header", "hgroup", "html", "legend", "main", "nav", "p", "pre",
        "section", "summary", "table", "tbody", "thead", "tfoot", "caption",
    }
)
LIST_TAGS = frozenset({"ul", "ol", "menu"})
# Dropped with everything inside them.
SKIP_TAGS = frozenset(
    {"script", "style", "template", "noscript", "svg", "math", "iframe", "object", "embed",
     "title", "canvas", "select", "textarea", "button"}
)
MAX_URL_CHARS = 2000

_WS = re.compile(r"[ \t\n\r\f\v\u00a0\u2028\u2029]+")
# A related-link label such as "See Also:" or "Read Next:", then the headline (same or next line).
_DATE_HEADER = re.compile(r"^date \d{4}-\d{2}-\d{2} ")
_LABELLED = re.compile(r"^([^\n:]{1,40}):\s*(.+)$", re.DOTALL)


@dataclass(frozen=True)
class Conversion:
    text: str
    links: dict[str, str] = field(default_factory=dict)


@dataclass
class _Line:
    parts: list[str] = field(default_factory=list)
    anchors: list[tuple[str, str]] = field(default_factory=list)  # (text, href) on this line
    bullet: bool = False

    def text(self) -> str:
        return "".join(self.parts).rstrip()


@dataclass
class _Paragraph:
    lines: list[_Line] = field(default_factory=list)
    is_list: bool = False


def _http_url(href: str | None) -> str:
    href = (href or "").strip()
    if len(href) > MAX_URL_CHARS or not re.match(r"^https?://[^\s/?#]+", href, re.IGNORECASE):
        return ""
    return href


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[tuple[str, list[tuple[str, str]]]] = []
        self.links: dict[str, str] = {}
        self._para = _Paragraph()
        self._skip = 0
        self._lists = 0
        self._pre = 0
        self._anchor: tuple[str, list[str]] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    # --- structure ---------------------------------------------------------------------------

    def _line(self) -> _Line:
        if not self._para.lines:
            self._para.lines.append(_Line())
        return self._para.lines[-1]

    def _new_line(self, *, bullet: bool = False) -> None:
        if self._para.lines and not self._para.lines[-1].text() and not bullet:
            return
        if self._para.lines and not self._para.lines[-1].text():
            self._para.lines[-1] = _Line(bullet=bullet)
            return
        self._para.lines.append(_Line(bullet=bullet))

    def _end_paragraph(self) -> None:
        self._close_anchor()
        lines = [line for line in self._para.lines if line.text()]
        if lines:
            self._record_links(lines)
            rendered = "\n".join(("- " if line.bullet else "") + line.text() for line in lines)
            self.paragraphs.append((rendered, []))
        self._para = _Paragraph()

    def _record_links(self, lines: list[_Line]) -> None:
        for line in lines:
            if line.bullet and len(line.anchors) == 1:
                text, href = line.anchors[0]
                if href and text and line.text() == text:
                    self.links[text] = href
        anchors = [a for line in lines for a in line.anchors]
        if len(anchors) != 1 or any(line.bullet for line in lines):
            return
        text, href = anchors[0]
        if not href or not text:
            return
        whole = "\n".join(line.text() for line in lines)
        labelled = _LABELLED.match(whole)
        if whole == text or (labelled and labelled.group(2).strip() == text):
            self.links[text] = href

    def _close_anchor(self) -> None:
        if self._anchor is None:
            return
        href, parts = self._anchor
        self._anchor = None
        text = _WS.sub(" ", "".join(parts)).strip()
        if text:
            self._line().anchors.append((text, href))

    # --- parser callbacks --------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self._skip += 1
            return
        if self._skip:
            return
        if tag == "br":
            if self._cell is not None:
                self._cell.append(" ")
            else:
                self._close_anchor()
                self._new_line()
                # A line break inside a list item continues the item on a line of its own.
        elif tag == "hr":
            self._end_paragraph()
        elif tag in LIST_TAGS:
            if self._lists == 0:
                self._end_paragraph()
                self._para.is_list = True
            self._lists += 1
        elif tag == "li":
            self._close_anchor()
            self._new_line(bullet=True)
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "a":
            self._close_anchor()
            self._anchor = (_http_url(dict(attrs).get("href")), [])
        elif tag in BLOCK_TAGS:
            if tag == "pre":
                self._pre += 1
            if self._lists:
                self._data(" ")
            elif tag != "table" or self._row is None:
                self._end_paragraph()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <hr/>: void elements; a self-closed <div/> opens nothing.
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr") and tag not in SKIP_TAGS:
            self.handle_endtag(tag)
        elif tag in SKIP_TAGS:
            self._skip = max(0, self._skip - 1)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if tag == "a":
            self._close_anchor()
        elif tag in LIST_TAGS:
            self._lists = max(0, self._lists - 1)
            if self._lists == 0:
                self._end_paragraph()
        elif tag == "li":
            self._close_anchor()
        elif tag in ("td", "th"):
            if self._cell is not None and self._row is not None:
                self._row.append(_WS.sub(" ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr":
            if self._row is not None and any(self._row):
                self._new_line()
                self._line().parts.append(" | ".join(self._row))
                self._new_line()
            self._row = None
        elif tag in BLOCK_TAGS:
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
            if self._lists:
                self._data(" ")
            else:
                self._end_paragraph()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self._data(data)

    def _data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
            return
        if self._anchor is not None:
            self._anchor[1].append(data)
        if self._pre:
            lines = data.replace("\r\n", "\n").split("\n")
            for i, piece in enumerate(lines):
                if i:
                    self._new_line()
                self._line().parts.append(piece.replace("\u00a0", " "))
            return
        folded = _WS.sub(" ", data)
        line = self._line()
        if not line.text():
            folded = folded.lstrip()
            if not folded:
                return
        line.parts.append(folded)

    def close(self) -> None:
        super().close()
        self._end_paragraph()


def html_to_text(html: str) -> Conversion:
    """Convert `html` (a fragment or a document) to the extractor's plain-text paragraphs."""
    parser = _Converter()
    parser.feed(html)
    parser.close()
    paragraphs = [text for text, _ in parser.paragraphs]
    text = "\n\n".join(paragraphs)
    if _DATE_HEADER.match(text):
        # The feed header ` date YYYY-MM-DD ` starts with a space, which folding removed.
        text = " " + text
    return Conversion(text=text + "\n" if text else "", links=parser.links)

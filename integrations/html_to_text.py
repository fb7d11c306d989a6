"""HTML from a partner feed → the plain-text shape the extractor reads (see ../shared/EXTRACTION.md).

No Django here: it can be tested and benchmarked alone.

- Block elements (`p`, `div`, headings, `blockquote`, `figcaption`, ...) end a paragraph;
  paragraphs are separated by a blank line.
- `<br>` is a line break inside a paragraph (the extractor ends a sentence there).
- A list is one paragraph with one `- item` line per `<li>` (nested lists too).
- Table rows become `a | b | c` lines, which the extractor knows are not claims.
- `script`, `style`, `template`, `noscript`, `svg`, ... are dropped with their content; comments
  are dropped; entities are decoded; runs of white space inside a line fold to one space.
- Links: the text stays, and every inline link with an absolute http(s) href is returned in
  `cited` with its anchor text and its offsets in the plain text (`CitedLink`), so that the
  sentence a link sits in can offer it as a source. Where a paragraph is a related-link line (`See Also:`
  followed by one `<a href>` and nothing else), a list item is one `<a href>`, or a paragraph is
  one `<a href>`, the headline → href pair is returned in `links`, so the related link the
  extractor finds can get its URL (only absolute http(s) URLs are kept).

Cost: linear in the length of the HTML, whatever its shape, because this runs in the web request
(docs/api.md). That is why the tokenizer is our own and not `html.parser.HTMLParser`: on
malformed input the standard library's parser rescans the rest of the document from every `<`
it cannot close (Python 3.11: 60 KB of `<a ` took 33 s, 80 KB of `<a b='>'` 37 s) and raises on
`<![foo[` and on a numeric character reference of more than 4,300 digits. On well-formed HTML
both give the same events (tags, attributes, text with entities decoded, `script`/`style` content
up to their end tag). Our rules for broken markup are the HTML5 tokenizer's:

- a tag, comment, declaration or processing instruction cut off by the end of the HTML is dropped
  together with what follows it (a browser shows nothing there either);
- an attribute value whose quote never closes runs to the end of the HTML, so the tag is dropped;
- `<![` not followed by a known marked-section keyword is a bogus comment up to the next `>`;
- a numeric character reference beyond U+10FFFF, however long, is U+FFFD.

Every regular expression below is possessive where it repeats, so none backtracks, and every
scan for a terminator consumes what it scanned (or the rest of the input when it finds none):
each character is looked at a bounded number of times. The converter keeps per-line state
(`_Line.blank`) instead of re-joining a line to ask whether it is empty.

`html_to_text(html, max_elements=N)` refuses HTML with more than N markup openings (`<` followed
by a letter, `/`, `!` or `?`) before converting anything: the per-tag work is what costs most, so
this bounds the time of a request (the API passes `API_MAX_HTML_ELEMENTS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape

BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "html",
        "legend",
        "main",
        "nav",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "caption",
    }
)
LIST_TAGS = frozenset({"ul", "ol", "menu"})
# Dropped with everything inside them.
SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "template",
        "noscript",
        "svg",
        "math",
        "iframe",
        "object",
        "embed",
        "title",
        "canvas",
        "select",
        "textarea",
        "button",
    }
)
MAX_URL_CHARS = 2000

_WS = re.compile(r"[ \t\n\r\f\v\u00a0\u2028\u2029]+")
# A related-link label such as "See Also:" or "Read Next:", then the headline (same or next line).
_DATE_HEADER = re.compile(r"^date \d{4}-\d{2}-\d{2} ")
_LABELLED = re.compile(r"^([^\n:]{1,40}):\s*(.+)$", re.DOTALL)

# --- Tokenizer patterns ---------------------------------------------------------------------------
# Where markup may start: what the element budget counts, and where text stops.
_MARKUP_OPEN = re.compile(r"<[a-zA-Z/!?]")
# A start tag: name, attributes (name, optional `=` and a quoted or bare value), then `>` or `/>`;
# group 3 is None when the end of the input came first. An attribute name may follow a quoted
# value without a space, as browsers allow; an unclosed quote runs to the end (`\Z`).
_START_TAG = re.compile(
    r"""
    <([a-zA-Z][^\t\n\r\f />\x00]*+)
    (
      (?:
        (?:\s|/(?!>))*+
        [^\s/>][^\s/=>]*+
        (?:\s*+=++\s*+(?:"[^"]*+(?:"|\Z)|'[^']*+(?:'|\Z)|[^\s>]*+))?
      )*+
      (?:\s|/(?!>))*+
    )
    (/?>)?
    """,
    re.VERBOSE,
)
_ATTRIBUTE = re.compile(r"""([^\s/>][^\s/=>]*+)(?:\s*+=++\s*+("[^"]*+"?|'[^']*+'?|[^\s>]*+))?""")
_END_TAG = re.compile(r"</\s*+([a-zA-Z][-.a-zA-Z0-9:_]*+)\s*+>")
_TAG_NAME = re.compile(r"[a-zA-Z][^\t\n\r\f />\x00]*+")
_COMMENT_END = re.compile(r"--\s*+>")
_MARKED_SECTION_NAME = re.compile(r"[a-zA-Z][-_.a-zA-Z0-9]*+")
_MARKED_SECTION_END = {
    **dict.fromkeys(("temp", "cdata", "ignore", "include", "rcdata"), re.compile(r"]\s*+]\s*+>")),
    **dict.fromkeys(("if", "else", "endif"), re.compile(r"]\s*+>")),  # Word's <![if ...]>
}
# Elements whose content is raw text up to their end tag (no tags, no entities inside).
_RAW_TEXT_END = {
    "script": re.compile(r"</\s*+script\s*+>", re.IGNORECASE),
    "style": re.compile(r"</\s*+style\s*+>", re.IGNORECASE),
}
# Only these tags' attributes are decoded: the converter reads nothing else.
_ATTRIBUTE_TAGS = frozenset({"a"})
# html.unescape parses a decimal reference with int(), which refuses more than 4,300 digits.
_LONG_DECIMAL_REFERENCE = re.compile(r"&#([0-9]{8,}+)")


class HtmlTooComplex(ValueError):
    """More markup than the caller's budget allows (`html_to_text(max_elements=...)`)."""

    def __init__(self, elements: int, limit: int) -> None:
        super().__init__(f"too many elements ({elements:,}, limit {limit:,})")
        self.elements = elements
        self.limit = limit


@dataclass(frozen=True)
class CitedLink:
    """An inline link: `text[start:end] == anchor` in the converted text, `url` its href."""

    start: int
    end: int
    anchor: str
    url: str

    def as_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "anchor": self.anchor, "url": self.url}


@dataclass(frozen=True)
class Conversion:
    text: str
    links: dict[str, str] = field(default_factory=dict)
    cited: list[CitedLink] = field(default_factory=list)


@dataclass(slots=True)
class _Line:
    parts: list[str] = field(default_factory=list)
    anchors: list[tuple[str, str]] = field(default_factory=list)  # (text, href) on this line
    # (start, end, href) of each inline link, as offsets into "".join(parts).
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    bullet: bool = False
    length: int = 0  # len("".join(parts)), kept up to date by add()
    # True while every part is white space, i.e. while text() would be "". Kept up to date by
    # add() so that asking costs nothing: re-joining the line on every chunk was quadratic.
    blank: bool = True

    def add(self, part: str) -> None:
        self.parts.append(part)
        self.length += len(part)
        if self.blank and part and not part.isspace():
            self.blank = False

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


def _shorten_decimal_reference(match: re.Match[str]) -> str:
    digits = match.group(1).lstrip("0") or "0"
    # Eight digits or more is beyond U+10FFFF, which html.unescape turns into U+FFFD; 1114112 is
    # the shortest such number, so the result is the same without the long int() conversion.
    return "&#" + (digits if len(digits) < 8 else "1114112")


def _decode(text: str) -> str:
    """Character references decoded as `html.unescape` does, for any length of digits."""
    if "&" not in text:
        return text
    if "&#" in text:
        text = _LONG_DECIMAL_REFERENCE.sub(_shorten_decimal_reference, text)
    return unescape(text)


def _attributes(source: str) -> list[tuple[str, str | None]]:
    attrs: list[tuple[str, str | None]] = []
    for match in _ATTRIBUTE.finditer(source):
        name, value = match.group(1).lower(), match.group(2)
        if value is not None and len(value) >= 2 and value[0] in "'\"" and value[-1] == value[0]:
            value = value[1:-1]
        attrs.append((name, _decode(value) if value else value))
    return attrs


class _Tokenizer:
    """Walks the HTML once, calling the converter's handle_* methods (the `HTMLParser` callback
    names), and returns when the input is used up."""

    def __init__(self, html: str, sink: _Converter) -> None:
        self.html = html
        self.sink = sink
        # Once a search for a comment's or marked section's end has failed from some position,
        # none can succeed from any later one: remembered so that it is searched for only once.
        self._unclosed_from: dict[re.Pattern[str], int] = {}

    def run(self) -> None:
        html, n, pos = self.html, len(self.html), 0
        while pos < n:
            opening = _MARKUP_OPEN.search(html, pos)
            end = opening.start() if opening else n
            if end > pos:
                self.sink.handle_data(_decode(html[pos:end]))
            if opening is None:
                return
            pos = self._markup(end)

    def _markup(self, i: int) -> int:
        """Handle the markup starting at `html[i]` and return where text resumes."""
        html = self.html
        kind = html[i + 1]
        if kind == "/":
            return self._end_tag(i)
        if kind == "!":
            if html.startswith("<!--", i):
                return self._closed_by(_COMMENT_END, i, i + 4)
            if html.startswith("<![", i):
                name = _MARKED_SECTION_NAME.match(html, i + 3)
                closer = _MARKED_SECTION_END.get(name.group().lower()) if name else None
                if closer is not None:
                    return self._closed_by(closer, i, i + 3)
            return self._to_gt(i, i + 2)
        if kind == "?":
            return self._to_gt(i, i + 2)
        return self._start_tag(i)

    def _start_tag(self, i: int) -> int:
        html, n = self.html, len(self.html)
        match = _START_TAG.match(html, i)
        if match.group(3) is None:
            # The pattern stops only at `>`, `/>` or the end of the input: cut off.
            return self._rest_as_text(i)
        tag = match.group(1).lower()
        attrs = _attributes(match.group(2)) if tag in _ATTRIBUTE_TAGS else []
        if match.group(3) == "/>":
            self.sink.handle_startendtag(tag, attrs)
            return match.end()
        self.sink.handle_starttag(tag, attrs)
        raw_end = _RAW_TEXT_END.get(tag)
        if raw_end is None:
            return match.end()
        close = raw_end.search(html, match.end())
        if close is None:
            return n  # a script never closed hides the rest, as in a browser
        self.sink.handle_data(html[match.end() : close.start()])
        self.sink.handle_endtag(tag)
        return close.end()

    def _end_tag(self, i: int) -> int:
        html = self.html
        match = _END_TAG.match(html, i)
        if match:
            self.sink.handle_endtag(match.group(1).lower())
            return match.end()
        name = _TAG_NAME.match(html, i + 2)
        if name:
            # `</p class="x">`: what follows the name up to `>` is ignored.
            gt = html.find(">", name.end())
            if gt < 0:
                return self._rest_as_text(i)
            self.sink.handle_endtag(name.group().lower())
            return gt + 1
        if html.startswith("</>", i):
            return i + 3
        return self._to_gt(i, i + 2)

    def _to_gt(self, i: int, start: int) -> int:
        """A bogus comment, declaration or processing instruction: dropped up to the next `>`."""
        gt = self.html.find(">", start)
        return self._rest_as_text(i) if gt < 0 else gt + 1

    def _closed_by(self, closer: re.Pattern[str], i: int, start: int) -> int:
        """A comment or marked section, dropped up to its end. One that never ends is text up to
        the next `>` (then parsing goes on), or to the end if no `>` follows."""
        html = self.html
        if i < self._unclosed_from.get(closer, len(html) + 1):
            close = closer.search(html, start)
            if close:
                return close.end()
            self._unclosed_from[closer] = i
        gt = html.find(">", i + 1)
        if gt < 0:
            return self._rest_as_text(i)
        self.sink.handle_data(_decode(html[i : gt + 1]))
        return gt + 1

    def _rest_as_text(self, i: int) -> int:
        """Markup cut off by the end of the input: what is left is text."""
        self.sink.handle_data(_decode(self.html[i:]))
        return len(self.html)


class _Converter:
    def __init__(self) -> None:
        # (rendered paragraph, [(start, end, href) of its inline links, offsets into it])
        self.paragraphs: list[tuple[str, list[tuple[int, int, str]]]] = []
        self.links: dict[str, str] = {}
        self._para = _Paragraph()
        self._skip = 0
        self._lists = 0
        self._pre = 0
        # href, anchor text parts, the line it opened on and where on that line
        self._anchor: tuple[str, list[str], _Line, int] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    # --- structure ---------------------------------------------------------------------------

    def _line(self) -> _Line:
        if not self._para.lines:
            self._para.lines.append(_Line())
        return self._para.lines[-1]

    def _new_line(self, *, bullet: bool = False) -> None:
        lines = self._para.lines
        if lines and lines[-1].blank:
            if bullet:
                lines[-1] = _Line(bullet=True)
            return
        lines.append(_Line(bullet=bullet))

    def _end_paragraph(self) -> None:
        self._close_anchor()
        lines = [(line, line.text()) for line in self._para.lines if not line.blank]
        if lines:
            self._record_links(lines)
            rendered = "\n".join(("- " if line.bullet else "") + text for line, text in lines)
            self.paragraphs.append((rendered, self._paragraph_spans(lines)))
        self._para = _Paragraph()

    def _record_links(self, lines: list[tuple[_Line, str]]) -> None:
        for line, line_text in lines:
            if line.bullet and len(line.anchors) == 1:
                text, href = line.anchors[0]
                if href and text and line_text == text:
                    self.links[text] = href
        anchors = [a for line, _ in lines for a in line.anchors]
        if len(anchors) != 1 or any(line.bullet for line, _ in lines):
            return
        text, href = anchors[0]
        if not href or not text:
            return
        whole = "\n".join(line_text for _, line_text in lines)
        labelled = _LABELLED.match(whole)
        if whole == text or (labelled and labelled.group(2).strip() == text):
            self.links[text] = href

    @staticmethod
    def _paragraph_spans(lines: list[tuple[_Line, str]]) -> list[tuple[int, int, str]]:
        """The inline links of a paragraph's lines as offsets into the rendered paragraph, each
        trimmed to its anchor text (no white space at either end)."""
        spans: list[tuple[int, int, str]] = []
        offset = 0
        for line, text in lines:
            prefix = 2 if line.bullet else 0
            for start, end, href in line.spans:
                end = min(end, len(text))
                while start < end and text[start].isspace():
                    start += 1
                while end > start and text[end - 1].isspace():
                    end -= 1
                if start < end:
                    spans.append((offset + prefix + start, offset + prefix + end, href))
            offset += prefix + len(text) + 1
        return spans

    def _close_anchor(self) -> None:
        if self._anchor is None:
            return
        href, parts, opened_on, start = self._anchor
        self._anchor = None
        text = _WS.sub(" ", "".join(parts)).strip()
        if text:
            line = self._line()
            line.anchors.append((text, href))
            # A link that spans lines (only inside <pre>) is not offered as a source.
            if href and line is opened_on and line.length > start:
                line.spans.append((start, line.length, href))

    # --- tokenizer callbacks -----------------------------------------------------------------

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
            line = self._line()
            self._anchor = (_http_url(dict(attrs).get("href")), [], line, line.length)
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
                self._line().add(" | ".join(self._row))
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
            first, *rest = data.replace("\r\n", "\n").replace("\u00a0", " ").split("\n")
            line = self._line()
            line.add(first)
            lines = self._para.lines
            for piece in rest:
                # _new_line() inlined: a <pre> of short lines is the costliest shape per character.
                if not line.blank:
                    line = _Line()
                    lines.append(line)
                line.add(piece)
            return
        folded = _WS.sub(" ", data)
        line = self._line()
        if line.blank:
            folded = folded.lstrip()
            if not folded:
                return
        line.add(folded)

    def close(self) -> None:
        self._end_paragraph()


def count_elements(html: str) -> int:
    """Markup openings in `html` (`<` followed by a letter, `/`, `!` or `?`), wherever they are:
    an upper bound of the tags the converter handles, counted at C speed."""
    if html.count("<") == 0:
        return 0
    return _MARKUP_OPEN.subn("", html)[1]


def html_to_text(html: str, *, max_elements: int | None = None) -> Conversion:
    """Convert `html` (a fragment or a document) to the extractor's plain-text paragraphs.

    With `max_elements`, HTML with more markup openings than that raises `HtmlTooComplex` before
    any conversion work is done."""
    if max_elements is not None and html.count("<") > max_elements:
        elements = count_elements(html)
        if elements > max_elements:
            raise HtmlTooComplex(elements, max_elements)
    converter = _Converter()
    _Tokenizer(html, converter).run()
    converter.close()
    paragraphs = [text for text, _ in converter.paragraphs]
    text = "\n\n".join(paragraphs)
    shift = 0
    if _DATE_HEADER.match(text):
        # The feed header ` date YYYY-MM-DD ` starts with a space, which folding removed.
        text = " " + text
        shift = 1
    cited: list[CitedLink] = []
    offset = shift
    for paragraph, spans in converter.paragraphs:
        for start, end, href in spans:
            a, b = offset + start, offset + end
            cited.append(CitedLink(a, b, text[a:b], href))
        offset += len(paragraph) + 2
    return Conversion(text=text + "\n" if text else "", links=converter.links, cited=cited)

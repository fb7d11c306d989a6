"""Print what extraction finds in article files.

    python manage.py extract [--format text|jsonl] FILE [FILE ...]      (FILE "-" is stdin)

jsonl prints one JSON object per input, in the order given: "path" plus the contract fields of
../shared/EXTRACTION.md (dateline, claims, related_links, image_credit, sections) and a few extra
ones. text prints a human-readable listing.

Input decisions:

* A file is read as bytes and decoded as UTF-8 with no newline translation, so claim offsets are
  Python string indices into exactly that text (a leading BOM is kept as a character).
* Not an error, extracted like any text: an empty file, white space only, text without any
  sentence end, control characters, and valid UTF-8 with a few NUL characters in it (a NUL is
  just a character).
* An error: a missing or unreadable path, a directory, bytes that are not valid UTF-8, and a
  *binary* file, which here means valid UTF-8 in which NUL characters make up more than 10% of
  the first 64 KiB (UTF-16 text, zero-filled images and the like). For each bad file a one-line
  message naming it goes to stderr and nothing to stdout; the other files are still processed,
  and the command exits with status 1.

Output is UTF-8 whatever the locale. A lone surrogate cannot come from a file (the decoder
rejects it); should one reach the JSON writer it is written as a \\uXXXX escape, which decodes
back to the same one-character string, so offsets stay right.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

_SURROGATE = re.compile("[\ud800-\udfff]")
_BINARY_NUL_SHARE = 0.10
_BINARY_PROBE = 65536


class InputError(Exception):
    """A file that cannot be extracted; the message names the reason."""


def read_article(path: str, stdin: Any = None) -> str:
    """The text of path ("-" = stdin) decoded as UTF-8 with no newline translation."""
    try:
        if path == "-":
            stream = stdin if stdin is not None else sys.stdin
            raw = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
        else:
            with open(path, "rb") as fh:
                raw = fh.read()
    except FileNotFoundError:
        raise InputError("no such file") from None
    except IsADirectoryError:
        raise InputError("is a directory") from None
    except PermissionError:
        raise InputError("permission denied") from None
    except OSError as exc:
        raise InputError(exc.strerror or str(exc)) from None
    if isinstance(raw, str):
        text = raw
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                "binary or another encoding"
            ) from None
    probe = text[:_BINARY_PROBE]
    if probe and probe.count("\0") > _BINARY_NUL_SHARE * len(probe):
        raise InputError("binary file (mostly NUL characters)")
    return text


def to_json_line(obj: dict[str, Any]) -> str:
    import json

    line = json.dumps(obj, ensure_ascii=False)
    if _SURROGATE.search(line):
        line = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)
    return line


def format_text(path: str, data: dict[str, Any]) -> str:
    out = [f"== {path}", f"dateline: {data['dateline'] or '-'}"]
    if data["sections"]:
        out.append(
            "sections: " + ", ".join(f"{s['label']} @{s['start']}" for s in data["sections"])
        )
    out.append(f"claims: {len(data['claims'])}")
    for c in data["claims"]:
        where = f"[{c['start']}:{c['end']}]"
        section = f" ({c['section']})" if c["section"] else ""
        out.append(f"  {c['ordinal'] + 1:>3}. {where}{section} {c['text']}")
    out.append(f"related links: {len(data['related_links'])}")
    for link in data["related_links"]:
        title = link["title"] or "(headline missing)"
        out.append(f"  {link['label']}: {title} [{link['start']}:{link['end']}]")
    credit = data["image_credit"]
    if credit:
        out.append(f"image credit: {credit['text']} (source: {credit['source']})")
    else:
        out.append("image credit: -")
    for post in data["social_posts"]:
        out.append(f"social post by {post['author']} (@{post['handle']}) {post['date']}")
    if data["boilerplate"]:
        kinds: dict[str, int] = {}
        for b in data["boilerplate"]:
            kinds[b["kind"]] = kinds.get(b["kind"], 0) + 1
        out.append("boilerplate: " + ", ".join(f"{k} x{n}" for k, n in kinds.items()))
    return "\n".join(out) + "\n"


class Command(BaseCommand):
    help = "Extract claims, sections, related links, image credit and dateline from article files."
    stealth_options = ("stdin",)

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help='article file, "-" = stdin')
        parser.add_argument("--format", choices=["text", "jsonl"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        from extraction import extract

        fmt = options["format"]
        stdin = options.get("stdin")
        failed = 0
        for path in options["files"]:
            try:
                text = read_article(path, stdin)
            except InputError as exc:
                failed += 1
                self.stdout.flush()
                self.stderr.write(f"extract: {path}: {exc}")
                continue
            data = extract(text).to_dict()
            if fmt == "jsonl":
                chunk = to_json_line({"path": path, **data}) + "\n"
            else:
                chunk = format_text(path, data)
            self._emit(chunk)
        self.stdout.flush()
        if failed:
            raise CommandError(
                f"{failed} of {len(options['files'])} file(s) could not be read", returncode=1
            )

    def _emit(self, chunk: str) -> None:
        """Write UTF-8 whatever the locale; text mode escapes what UTF-8 cannot hold."""
        out = getattr(self.stdout, "_out", self.stdout)
        buffer = getattr(out, "buffer", None)
        if buffer is not None:
            out.flush()
            buffer.write(chunk.encode("utf-8", errors="backslashreplace"))
            buffer.flush()
        else:
            self.stdout.write(chunk, ending="")

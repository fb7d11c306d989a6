"""`manage.py extract`: formats, stdin, bad input. No database is touched."""

from __future__ import annotations

import io
import json
import os
import pathlib
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.management.commands.extract import read_article, to_json_line

REPO = pathlib.Path(__file__).resolve().parents[2]
ARTICLE = (
    " date 2024-06-03 Quillon Bikes Inc. (NYSE:QBK) cut its outlook on Monday. "
    "The company blamed weak demand in the U.S.\n\n"
    "What Happened: Sales fell 8% to $310 million.\n\n"
    "See Also: E-Bike Makers Face A Glut\n\nImage via Shutterstock\n"
)


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C", "LANG": "C"}
    return subprocess.run(
        [sys.executable, "manage.py", "extract", *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
    )


def jsonl(out: bytes) -> list[dict]:
    return [json.loads(line) for line in out.decode("utf-8").splitlines() if line.strip()]


@pytest.fixture
def article(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "quillon.txt"
    path.write_bytes(ARTICLE.encode("utf-8"))
    return path


def test_jsonl_has_the_contract_fields_and_offsets_into_the_file(article):
    out = io.StringIO()
    call_command("extract", "--format", "jsonl", str(article), stdout=out)
    (obj,) = [json.loads(line) for line in out.getvalue().splitlines()]
    assert obj["path"] == str(article)
    assert obj["dateline"] == "2024-06-03"
    assert [c["text"] for c in obj["claims"]] == [
        "Quillon Bikes Inc. (NYSE:QBK) cut its outlook on Monday.",
        "The company blamed weak demand in the U.S.",
        "Sales fell 8% to $310 million.",
    ]
    assert obj["claims"][2]["section"] == "What Happened"
    assert all(c["checkworthiness"] is None for c in obj["claims"])
    assert [(x["label"], x["title"]) for x in obj["related_links"]] == [
        ("See Also", "E-Bike Makers Face A Glut")
    ]
    assert obj["image_credit"]["source"] == "Shutterstock"
    assert obj["sections"] == [{"label": "What Happened", "start": ARTICLE.index("What")}]
    for c in obj["claims"]:
        assert ARTICLE[c["start"] : c["end"]] == c["text"]


def test_text_format_is_the_default(article):
    out = io.StringIO()
    call_command("extract", str(article), stdout=out)
    listing = out.getvalue()
    assert f"== {article}" in listing
    assert "dateline: 2024-06-03" in listing
    assert "(What Happened) Sales fell 8% to $310 million." in listing
    assert "See Also: E-Bike Makers Face A Glut" in listing
    assert "image credit: Image via Shutterstock (source: Shutterstock)" in listing


def test_crlf_file_offsets_index_the_undecoded_newlines(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(ARTICLE.replace("\n", "\r\n").encode("utf-8"))
    out = io.StringIO()
    call_command("extract", "--format", "jsonl", str(path), stdout=out)
    obj = json.loads(out.getvalue())
    raw = path.read_bytes().decode("utf-8")
    assert len(obj["claims"]) == 3
    for c in obj["claims"]:
        assert raw[c["start"] : c["end"]] == c["text"]


def test_one_bad_file_is_reported_and_the_others_still_printed(article, tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Caf\xe9 prices rose.".encode("latin-1"))
    missing = tmp_path / "nope.txt"
    proc = run("--format", "jsonl", str(article), str(bad), str(missing), str(article))
    assert proc.returncode == 1
    objs = jsonl(proc.stdout)
    assert [o["path"] for o in objs] == [str(article), str(article)]
    err = proc.stderr.decode("utf-8")
    assert f"{bad}: not valid UTF-8" in err
    assert f"{missing}: no such file" in err


@pytest.mark.parametrize(
    "content, claims",
    [
        (b"", []),
        (b"   \n\r\n\t  \n", []),
        (b"no sentence end here at all", ["no sentence end here at all"]),
        # a NUL is just a character: "rose.\x00" is no sentence end
        (b"Prices rose.\x00 Costs fell.\x00", ["Prices rose.\x00 Costs fell.\x00"]),
        (b"Prices rose. \x00Costs fell.", ["Prices rose.", "\x00Costs fell."]),
        (b"\x01\x02\x1b[0m Alpha fell. \x7f", ["\x01\x02\x1b[0m Alpha fell."]),
    ],
)
def test_odd_but_valid_text_is_not_an_error(tmp_path, content, claims):
    path = tmp_path / "odd.txt"
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    call_command("extract", "--format", "jsonl", str(path), stdout=out, stderr=err)
    obj = json.loads(out.getvalue())
    assert [c["text"] for c in obj["claims"]] == claims
    assert err.getvalue() == ""


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("latin1.txt", "Ré".encode("latin-1"), "not valid UTF-8"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\xff", "not valid UTF-8"),
        ("utf16.txt", "Prices rose.".encode("utf-16-le"), "binary file"),
        ("zeros.bin", b"\x00" * 4096, "binary file"),
    ],
)
def test_undecodable_or_binary_files_are_errors(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("extract", "--format", "jsonl", str(path), stdout=out, stderr=err)
    assert exc.value.returncode == 1
    assert out.getvalue() == ""
    assert f"{path}: {message}" in err.getvalue()


def test_missing_file_and_directory_are_errors(tmp_path):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "extract", str(tmp_path / "gone.txt"), str(tmp_path), stdout=io.StringIO(), stderr=err
        )
    lines = err.getvalue().strip().splitlines()
    assert lines == [
        f"extract: {tmp_path / 'gone.txt'}: no such file",
        f"extract: {tmp_path}: is a directory",
    ]


def test_stdin_is_read_as_utf8_bytes():
    proc = run("--format", "jsonl", "-", stdin=ARTICLE.replace("\n", "\r\n").encode("utf-8"))
    assert proc.returncode == 0, proc.stderr
    (obj,) = jsonl(proc.stdout)
    assert obj["path"] == "-"
    raw = ARTICLE.replace("\n", "\r\n")
    assert [raw[c["start"] : c["end"]] for c in obj["claims"]] == [c["text"] for c in obj["claims"]]


def test_stdin_through_call_command():
    stdin = io.BytesIO("Émile Durand cut prices. Ça marche.".encode())
    out = io.StringIO()
    call_command("extract", "--format", "jsonl", "-", stdout=out, stdin=stdin)
    assert [c["text"] for c in json.loads(out.getvalue())["claims"]] == [
        "Émile Durand cut prices.",
        "Ça marche.",
    ]


def test_output_is_utf8_whatever_the_locale(tmp_path):
    path = tmp_path / "accents.txt"
    path.write_bytes("Zürich’s Börse rose 2% — “a record,” traders said.".encode())
    proc = run("--format", "jsonl", str(path))
    assert proc.returncode == 0, proc.stderr
    (obj,) = jsonl(proc.stdout)
    assert obj["claims"][0]["text"] == "Zürich’s Börse rose 2% — “a record,” traders said."
    proc = run(str(path))
    assert proc.returncode == 0
    assert "Zürich’s Börse" in proc.stdout.decode("utf-8")


def test_lone_surrogates_are_written_as_json_escapes_that_decode_back():
    from extraction import extract

    text = "Alpha rose \ud800 sharply. Beta fell."
    line = to_json_line(extract(text).to_dict())
    line.encode("utf-8")  # must not raise
    claims = json.loads(line)["claims"]
    assert claims[0]["text"] == "Alpha rose \ud800 sharply."
    assert text[claims[0]["start"] : claims[0]["end"]] == claims[0]["text"]


def test_read_article_keeps_newlines_and_bom(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfA rose.\r\nB fell.\r")
    assert read_article(str(path)) == "\ufeffA rose.\r\nB fell.\r"

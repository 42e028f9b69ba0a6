"""Bad and hostile input (issue 7): the build finishes, the other pages' records are untouched,
the problem is reported (``issues.json`` and ``path:line: message`` on stderr), ``--strict``
fails, and nothing of any file outside the page ever reaches the output.

Every hostile file is written by the test itself into ``tmp_path``, next to one clean page
(``clean/status-codes.md``, a copy of a seed page) whose records must come out byte for
byte as when it is built alone.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from records import read_parquet_rows

from pipeline.cli import main
from pipeline.model import ErrorCodeRecord, PageResult, StatusCodeRecord
from pipeline.output import write_results

SEED = Path(__file__).resolve().parent / "fixtures" / "seed"
CLEAN_PAGE = "clean/status-codes.md"
CLEAN_TEXT = (SEED / "nat" / "status-codes.md").read_bytes()
#: A secret no output may ever contain, and the mark of /etc/passwd.
SECRET = "TOPSECRET-7f3a9c-do-not-leak"
PASSWD_MARK = "root:x:0:0"
CAFE = "Café “quoted” – dash"


# --- building -------------------------------------------------------------------------------

@dataclass
class Built:
    """One hostile build: exit codes (plain and ``--strict``), stderr, and what was written."""

    code: int
    strict_code: int
    err: str
    out: Path
    issues: list[dict[str, Any]]
    status: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    tables: list[dict[str, Any]]

    def records(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.status + self.errors if r["source_path"] == path]

    def issues_of(self, path: str) -> list[dict[str, Any]]:
        return [i for i in self.issues if i["path"] == path]


def write_pages(root: Path, pages: dict[str, str | bytes]) -> None:
    for rel, content in pages.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def run_cli(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, err.getvalue()


def build(tmp_path: Path, pages: dict[str, str | bytes], *options: str, clean: bool = True,
          prepare: Any = None) -> Built:
    """Build ``pages`` (plus the clean page) twice, plain and ``--strict``, single process.

    The plain build reads every page (its cache, ``tmp_path/cache``, starts empty); the ``--strict``
    build, which only decides the exit code, gets the same page results back from that cache.
    """
    root = tmp_path / "docs"
    write_pages(root, {**({CLEAN_PAGE: CLEAN_TEXT} if clean else {}), **pages})
    if prepare is not None:
        prepare(root)
    out = tmp_path / "out"
    common = ("--cache-dir", str(tmp_path / "cache"), "-j", "1", *options)
    code, err = run_cli("build", str(root), "--out", str(out), *common)
    strict_code, _ = run_cli("build", str(root), "--out", str(tmp_path / "out-strict"), "--strict", *common)
    load = lambda name: json.loads((out / name).read_text("utf-8"))  # noqa: E731
    return Built(code, strict_code, err, out, load("issues.json"), load("status_codes.json"),
                 load("error_codes.json"), load("tables.json"))


@pytest.fixture(scope="module")
def clean_alone(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[str]]:
    """The clean page built alone: its records and its table reports, each as exact JSON text."""
    built = build(tmp_path_factory.mktemp("clean"), {})
    assert built.code == 0 and built.strict_code == 0 and built.issues == []
    return exact(built.records(CLEAN_PAGE)), exact([t for t in built.tables if t["source_path"] == CLEAN_PAGE])


def exact(values: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(v, ensure_ascii=False) for v in values]


def check_contained(built: Built, clean_alone: tuple[list[str], list[str]], *, problem: bool = True) -> None:
    """The build finished; the clean page came out exactly as alone; ``--strict`` failed iff a problem."""
    assert built.code == 0, built.err
    assert built.strict_code == (1 if problem else 0), built.err
    records, tables = clean_alone
    assert exact(built.records(CLEAN_PAGE)) == records
    assert exact([t for t in built.tables if t["source_path"] == CLEAN_PAGE]) == tables
    assert not [i for i in built.issues if i["slug"] == "internal-error"], built.issues


def check_reported(built: Built, path: str, slug: str, line: int | None = None) -> dict[str, Any]:
    """The problem is in issues.json with its path (and line), and on stderr as ``path:line: message``."""
    found = [i for i in built.issues if i["path"] == path and i["slug"] == slug]
    assert found, f"no {slug} issue for {path}: {built.issues}"
    issue = found[0]
    if line is not None:
        assert issue["line"] == line, issue
    assert issue["severity"] in ("warning", "error"), issue
    assert issue["where"].startswith(f"{path}:{issue['line']}: " if issue["line"] is not None else f"{path}: ")
    assert issue["where"] in built.err.splitlines(), built.err
    return issue


def check_no_leak(*directories: Path, needles: tuple[str, ...] = (SECRET, PASSWD_MARK)) -> None:
    """No file under the directories holds any of the needles (Parquet included)."""
    for directory in directories:
        for path in directory.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                for needle in needles:
                    assert needle.encode() not in data, f"{needle!r} leaked into {path}"


def line_of(text: str | bytes, needle: str | bytes) -> int:
    """1-based line of the first occurrence of ``needle``."""
    if isinstance(text, str):
        assert isinstance(needle, str)
        return text[:text.index(needle)].count("\n") + 1
    assert isinstance(needle, bytes)
    return text[:text.index(needle)].count(b"\n") + 1


# --- page builders --------------------------------------------------------------------------

def html_page(rows: list[tuple[str, str, str]], before: str = "", after: str = "") -> str:
    body = "".join(f"<tr><td>{c}</td><td>{t}</td><td>{d}</td></tr>\n" for c, t, d in rows)
    return (f"{before}<html><body>\n<h1>Status Codes</h1>\n<table>\n<thead><tr><th>Status Code</th><th>Type</th>"
            f"<th>Description</th></tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n{after}</body></html>\n")


def grid_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) + 2 for i in range(len(header))]
    border = "+" + "+".join("-" * w for w in widths) + "+"

    def line(cells: list[str]) -> str:
        return "|" + "|".join(f" {c.ljust(w - 1)}" for c, w in zip(cells, widths, strict=True)) + "|"

    lines = [border, line(header), border.replace("-", "="), *[x for r in rows for x in (line(r), border)]]
    return "\n".join(lines) + "\n"


STATUS_HEADER = ["Status Code", "Type", "Description"]


def rst_page(middle: str = "", rows: list[list[str]] | None = None) -> str:
    """A page with a status table, then ``middle``, then a second status table."""
    first = grid_table(STATUS_HEADER, rows or [["200", "OK", "Fine."]])
    second = grid_table(STATUS_HEADER, [["404", "Not Found", "Gone."]])
    return f"Status Codes\n============\n\n{first}\n{middle}\n\n{second}"


# --- 1. RST directives that would read files --------------------------------------------------

RST_DIRECTIVES = {
    "include-etc-passwd": ".. include:: /etc/passwd",
    "include-literal": ".. include:: /etc/passwd\n   :literal:",
    "include-relative": ".. include:: ../../x",
    "include-dev-zero": ".. include:: /dev/zero",
    "literalinclude": ".. literalinclude:: ../../x",
    "raw-inline": f".. raw:: html\n\n   <p>{SECRET}</p>",
    "raw-file": ".. raw:: html\n   :file: ../../x",
    "raw-url": ".. raw:: html\n   :url: file:///etc/passwd",
    "csv-table-file": ".. csv-table:: Codes\n   :file: ../../x",
    "csv-table-url": ".. csv-table:: Codes\n   :url: file:///etc/passwd",
}


@pytest.mark.parametrize("name", sorted(RST_DIRECTIVES))
def test_rst_directives_never_insert_files(name: str, tmp_path: Path,
                                           clean_alone: tuple[list[str], list[str]]) -> None:
    (tmp_path / "x").write_text(f"{SECRET}\n", "utf-8")  # what ../../x names from docs/svc/page.rst
    page = rst_page(RST_DIRECTIVES[name])
    started = time.monotonic()
    built = build(tmp_path, {"svc/page.rst": page})
    assert time.monotonic() - started < 30  # /dev/zero was not read
    check_contained(built, clean_alone)
    check_reported(built, "svc/page.rst", "directive-not-executed", line_of(page, ".. "))
    assert [r["status_code"] for r in built.records("svc/page.rst")] == [200, 404]  # the tables around it
    check_no_leak(built.out, tmp_path / "out-strict")


def test_rst_include_inside_a_table_cell(tmp_path: Path, clean_alone: tuple[list[str], list[str]]) -> None:
    (tmp_path / "x").write_text(f"{SECRET}\n", "utf-8")
    page = rst_page(rows=[["200", "OK", ".. include:: ../../x"], ["201", "Created", ".. include:: /etc/passwd"]])
    built = build(tmp_path, {"svc/page.rst": page})
    check_contained(built, clean_alone)
    check_reported(built, "svc/page.rst", "directive-not-executed", line_of(page, ".. include"))
    assert [r["status_code"] for r in built.records("svc/page.rst")] == [200, 201, 404]
    check_no_leak(built.out)


REFERENCE_PAGE = f"""Codes
=====

+------+--------------------------------------+
| Code | Description                          |
+======+======================================+
| 200  | .. include:: secret.txt              |
|      |    :literal:                         |
+------+--------------------------------------+
| 201  | .. raw:: html                        |
|      |    :file: secret.txt                 |
+------+--------------------------------------+
| 202  | plain {SECRET[:3]}                            |
+------+--------------------------------------+

.. csv-table:: From a file
   :file: secret.txt

.. include:: secret.txt

.. include:: /etc/passwd
   :literal:

.. raw:: html
   :file: secret.txt
"""

DOCUTILS_CONF = """[general]
file_insertion_enabled: true
raw_enabled: true
[restructuredtext parser]
file_insertion_enabled: true
raw_enabled: true
"""


def test_reference_reader_ignores_a_docutils_conf_in_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docutils.core import publish_doctree
    from rst_reference import docutils_settings, reference_tables

    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret.txt").write_text(f"{SECRET}\n", "utf-8")
    (tmp_path / "docutils.conf").write_text(DOCUTILS_CONF, "utf-8")
    settings = docutils_settings()
    assert settings["file_insertion_enabled"] is False and settings["raw_enabled"] is False
    assert settings["_disable_config"] is True

    tables = reference_tables(REFERENCE_PAGE)
    assert SECRET not in repr(tables) and PASSWD_MARK not in repr(tables)
    # docutils' own warning nodes ("include" directive disabled, ...) never become cell text.
    assert tables == [[["Code", "Description"], ["200", ""], ["201", ""], ["202", f"plain {SECRET[:3]}"]]]

    # The control: the same docutils.conf, read (no _disable_config), switches insertion back on
    # over the very same overrides -- so the setting is what keeps the file out.
    control = {k: v for k, v in settings.items() if k not in ("_disable_config", "input_encoding")}
    leaked = publish_doctree(REFERENCE_PAGE, settings_overrides=control).astext()
    assert SECRET in leaked


# --- 2. HTML entities, DTDs and URLs ----------------------------------------------------------

class _Recorder(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(f"<!ENTITY leak '{SECRET}'>".encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Any:
    """A local HTTP server that records every request (none may come)."""
    _Recorder.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)  # shutdown() waits a poll
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def billion_laughs() -> str:
    lines = ['<!ENTITY lol0 "lol">']
    lines += [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    return "\n".join(lines)


def test_html_entities_are_never_expanded_read_or_fetched(
        tmp_path: Path, http_server: str, clean_alone: tuple[list[str], list[str]]) -> None:
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(f"{SECRET}\n", "utf-8")
    doctype = (f'<?xml version="1.0"?>\n<!DOCTYPE html SYSTEM "{http_server}/evil.dtd" [\n'
               f'<!ENTITY xxe SYSTEM "file://{secret_file}">\n<!ENTITY passwd SYSTEM "file:///etc/passwd">\n'
               f'<!ENTITY net SYSTEM "{http_server}/entity">\n<!ENTITY % remote SYSTEM "{http_server}/param">\n'
               f"%remote;\n{billion_laughs()}\n]>\n")
    extras = (f'<img src="{http_server}/img"><link rel="stylesheet" href="{http_server}/css">'
              f'<iframe src="file://{secret_file}"></iframe><xi:include href="file:///etc/passwd"/>\n')
    page = html_page([("200", "OK", "a &xxe; b &passwd; c &net; d &lol9; e"), ("201", "Created", "Made.")],
                     before=doctype, after=extras)
    started = time.monotonic()
    built = build(tmp_path, {"svc/xxe.html": page})
    assert time.monotonic() - started < 30
    check_contained(built, clean_alone)
    check_reported(built, "svc/xxe.html", "entity-not-expanded", line_of(page, "<!ENTITY"))
    records = built.records("svc/xxe.html")
    assert [r["status_code"] for r in records] == [200, 201]
    assert records[0]["description"] == "a &xxe; b &passwd; c &net; d &lol9; e"  # references stay text
    assert _Recorder.hits == []
    check_no_leak(built.out, tmp_path / "out-strict", needles=(SECRET, PASSWD_MARK, "lollollol"))


def test_html_external_dtd_is_never_fetched(tmp_path: Path, http_server: str,
                                            clean_alone: tuple[list[str], list[str]]) -> None:
    page = html_page([("200", "OK", "Fine.")], before=f'<!DOCTYPE html SYSTEM "{http_server}/x.dtd">\n')
    built = build(tmp_path, {"svc/dtd.html": page})
    check_contained(built, clean_alone, problem=False)
    assert [r["status_code"] for r in built.records("svc/dtd.html")] == [200]
    assert _Recorder.hits == []


# --- 3. parser limits: depth and size ----------------------------------------------------------

FIVE_ROWS = [(str(200 + i), "OK", f"row {i}") for i in range(5)]


def nested(depth: int, tag: str) -> str:
    table = html_page(FIVE_ROWS).split("<body>\n", 1)[1].rsplit("</body>", 1)[0]
    if tag == "table":
        return ("<html><body>\n" + "<table><tr><td>" * depth + table + "</td></tr></table>" * depth
                + "</body></html>\n")
    return "<html><body>\n" + f"<{tag}>" * depth + table + f"</{tag}>" * depth + "</body></html>\n"


@pytest.mark.parametrize("tag", ["div", "span", "table"])
def test_table_nested_300_deep_is_read_whole(tag: str, tmp_path: Path,
                                             clean_alone: tuple[list[str], list[str]]) -> None:
    built = build(tmp_path, {"svc/deep.html": nested(300, tag)})
    check_contained(built, clean_alone, problem=tag == "table")  # 300 one-cell tables are reported empty
    records = built.records("svc/deep.html")
    assert [(r["status_code"], r["description"]) for r in records] == [(int(c), d) for c, _, d in FIVE_ROWS]


@pytest.mark.parametrize(("tag", "depth"), [("div", 3000), pytest.param("span", 100_000, marks=pytest.mark.slow),
                                           pytest.param("table", 1000, marks=pytest.mark.slow)])
def test_nesting_beyond_the_parser_limit_is_reported_not_shortened(
        tag: str, depth: int, tmp_path: Path, clean_alone: tuple[list[str], list[str]]) -> None:
    built = build(tmp_path, {"svc/deeper.html": nested(depth, tag)})
    check_contained(built, clean_alone)
    records = built.records("svc/deeper.html")
    if records:  # read whole, or not at all: never a shorter table
        assert [r["status_code"] for r in records] == [int(c) for c, _, _ in FIVE_ROWS]
    else:
        issue = check_reported(built, "svc/deeper.html", "parse-error")
        assert "depth" in issue["message"].lower()


@pytest.mark.slow
def test_ten_megabyte_cell_is_read_whole(tmp_path: Path, clean_alone: tuple[list[str], list[str]]) -> None:
    letters = bytes(b"abcdefghij "[b % 11] for b in range(256))  # random bytes -> random letters and spaces
    cell = random.Random(7).randbytes(10 * 2**20).translate(letters).decode("ascii").replace("  ", " a").strip()
    built = build(tmp_path, {"svc/big.html": html_page([("200", "OK", cell), ("201", "Created", "After.")])})
    check_contained(built, clean_alone, problem=False)
    records = built.records("svc/big.html")
    assert [r["status_code"] for r in records] == [200, 201]
    assert len(records[0]["description"]) == len(cell) and records[0]["description"] == cell
    limit = csv.field_size_limit(len(cell) + 1)  # Python's reader stops at 128 KiB fields by default
    try:
        with open(built.out / "status_codes.csv", newline="", encoding="utf-8") as handle:
            rows = [r for r in csv.DictReader(handle) if r["source_path"] == "svc/big.html"]
    finally:
        csv.field_size_limit(limit)
    assert rows[0]["description"] == cell
    assert [r["description"] for r in read_parquet_rows(built.out / "status_codes.parquet")
            if r["source_path"] == "svc/big.html"] == [cell, "After."]


def span_bomb(rows: int, cells: int, span: int) -> str:
    row = "<tr>" + f'<td colspan="{span}" rowspan="{span}">x</td>' * cells + "</tr>\n"
    return "<html><body>\n<table><tr><th>Status Code</th><th>Description</th></tr>\n" + row * rows + "</table>\n" \
        + html_page(FIVE_ROWS).split("<body>\n", 1)[1]


@pytest.mark.parametrize(("rows", "cells", "span"), [(30, 100, 100), (200, 10, 1000), (2000, 1, 1000)])
def test_span_bomb_is_refused_not_expanded(rows: int, cells: int, span: int, tmp_path: Path,
                                           clean_alone: tuple[list[str], list[str]]) -> None:
    """A few hundred KB of rowspan/colspan used to expand to tens of millions of cells (minutes, GBs)."""
    page = span_bomb(rows, cells, span)
    started = time.monotonic()
    built = build(tmp_path, {"svc/bomb.html": page})
    assert time.monotonic() - started < 30
    check_contained(built, clean_alone)
    check_reported(built, "svc/bomb.html", "table-too-large", 2)
    # the page's other table is still read, whole
    assert [r["status_code"] for r in built.records("svc/bomb.html")] == [int(c) for c, _, _ in FIVE_ROWS]


def test_unclosed_inline_markup_does_not_take_quadratic_time(tmp_path: Path,
                                                             clean_alone: tuple[list[str], list[str]]) -> None:
    """``**a **a **a ...`` in one cell made the strong/emphasis regexes scan to the end from every mark."""
    text = ("**a *b " * 12)[:80].strip()
    border, rule = "+-----+" + "-" * 82 + "+", "+=====+" + "=" * 82 + "+"
    page = "\n".join(["Codes", "=====", "", border, "| Code| " + "Description".ljust(81) + "|", rule,
                      *[f"| {'200' if i == 0 else '   '} | {text.ljust(81)}|" for i in range(3000)], border, ""])
    started = time.monotonic()
    built = build(tmp_path, {"svc/stars.rst": page})
    assert time.monotonic() - started < 20
    check_contained(built, clean_alone, problem=False)
    assert len(built.records("svc/stars.rst")[0]["description"]) > 200_000


# --- 4. encodings -----------------------------------------------------------------------------

def cafe_html(meta: str = "") -> str:
    return html_page([("200", "OK", CAFE), ("201", "Created", "Made.")],
                     before=f"<head>{meta}</head>\n" if meta else "")


def cafe_rst() -> str:
    return rst_page(rows=[["200", "OK", CAFE]])


ENCODINGS: dict[str, tuple[bytes, str | None]] = {
    # name: (bytes, the issue expected or None)
    "utf-8-bom": (b"\xef\xbb\xbf" + cafe_html().encode("utf-8"), None),
    "utf-16-le-bom": (cafe_html().encode("utf-16"), None),
    "utf-16-be-bom": (b"\xfe\xff" + cafe_html().encode("utf-16-be"), None),
    "utf-8-rst-bom": (b"\xef\xbb\xbf" + cafe_rst().encode("utf-8"), None),
    "cp1252": (cafe_html().encode("cp1252"), "encoding-guessed"),
    "cp1252-rst": (cafe_rst().encode("cp1252"), "encoding-guessed"),
    "meta-latin1-cp1252-bytes": (cafe_html('<meta charset="iso-8859-1">').encode("cp1252"), None),
    "meta-windows-1252": (cafe_html('<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">')
                          .encode("cp1252"), None),
    "meta-latin1-utf8-bytes": (cafe_html('<meta charset="iso-8859-1">').encode("utf-8"), None),
    "meta-utf8-lying": (cafe_html('<meta charset="utf-8">').encode("cp1252"), "encoding-guessed"),
    "meta-shift-jis-lying": (cafe_html('<meta charset="shift_jis">').encode("cp1252"), "encoding-guessed"),
    "meta-utf16-lying": (cafe_html('<meta charset="utf-16">').encode("cp1252"), "encoding-guessed"),
    "meta-punycode": (cafe_html('<meta charset="punycode">').encode("cp1252"), "encoding-guessed"),
    "meta-unicode-escape": (cafe_html('<meta charset="unicode_escape">').encode("cp1252"), "encoding-guessed"),
    "meta-unknown": (cafe_html('<meta charset="x-no-such-charset">').encode("cp1252"), "encoding-guessed"),
    "invalid-utf8": (cafe_html().encode("utf-8").replace(b"Made.", b"Made\x81\x8d."), "unsupported-input"),
    "bom-then-invalid": (b"\xef\xbb\xbf" + cafe_html().encode("cp1252"), "unsupported-input"),
    "utf-16-bom-odd-bytes": (cafe_html().encode("utf-16") + b"\x00", "unsupported-input"),
    "char-ref-nul": (cafe_html().replace("Made.", "Made &#0; here.").encode("utf-8"), "replacement-character"),
    "char-ref-surrogate": (cafe_html().replace("Made.", "Made &#xD800;.").encode("utf-8"), "replacement-character"),
    "char-ref-too-big": (cafe_html().replace("Made.", "Made &#x110000;.").encode("utf-8"),
                         "replacement-character"),
    "literal-u-fffd": (cafe_html().replace("Made.", "Made \ufffd.").encode("utf-8"), "replacement-character"),
    "literal-u-fffd-rst": (rst_page(rows=[["200", "OK", CAFE], ["201", "Created", "Lost \ufffd."]]).encode("utf-8"),
                           "replacement-character"),
}


@pytest.mark.parametrize("name", sorted(ENCODINGS))
def test_encodings(name: str, tmp_path: Path, clean_alone: tuple[list[str], list[str]]) -> None:
    data, slug = ENCODINGS[name]
    path = f"svc/{name}.md"  # a documentation name: only such files are read
    built = build(tmp_path, {path: data})
    check_contained(built, clean_alone, problem=slug is not None)
    if slug is None:
        assert built.issues_of(path) == []
    else:
        check_reported(built, path, slug)
    if slug == "unsupported-input":
        assert built.records(path) == []
    else:  # decoded right: the cp1252 text comes out exactly
        assert [r["description"] for r in built.records(path) if r["status_code"] == 200] == [CAFE]
    if slug != "replacement-character":  # no U+FFFD enters the data unless it is reported
        for file in ("status_codes.json", "status_codes.csv", "tables.json"):
            assert "\ufffd" not in (built.out / file).read_text("utf-8"), file


def test_encoding_guess_is_reported_at_the_first_bad_byte(tmp_path: Path,
                                                          clean_alone: tuple[list[str], list[str]]) -> None:
    data = cafe_html().encode("cp1252")
    built = build(tmp_path, {"svc/page.html": data})
    check_contained(built, clean_alone)
    check_reported(built, "svc/page.html", "encoding-guessed", line_of(data, "Café".encode("cp1252")))


# --- 5. malformed input -----------------------------------------------------------------------

HTML_CUT = html_page(FIVE_ROWS)
RST_GRID = rst_page(rows=[["200", "OK", "Fine."], ["201", "Created", "Made."]])
SIMPLE = "Codes\n=====\n\n=====  =======  ======\nCode   Type     Text\n=====  =======  ======\n" \
         "200    OK       Fine.\n201    Created  Made.\n=====  =======  ======\n"

MALFORMED: dict[str, tuple[bytes | str, str, int | None]] = {
    # name: (content, slug expected, line expected or None)
    "binary-junk": (random.Random(1).randbytes(4096), "unsupported-input", None),
    "png": (b"\x89PNG\r\n\x1a\n" + bytes(64) + b"IHDR", "unsupported-input", None),
    "elf": (b"\x7fELF\x02\x01\x01" + bytes(200), "unsupported-input", None),
    "controls": ("<html>" + "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 3 + "</html>", "unsupported-input", None),
    "html-cut-mid-table": (HTML_CUT[:HTML_CUT.index("row 3")], "unclosed-table", line_of(HTML_CUT, "<table>")),
    "html-cut-mid-tag": (HTML_CUT[:HTML_CUT.index("row 2") - 6], "unclosed-table", line_of(HTML_CUT, "<table>")),
    "html-unclosed-comment": (HTML_CUT.replace("<tr><td>203", "<!-- <tr><td>203"), "unclosed-comment",
                              line_of(HTML_CUT, "<tr><td>203")),
    "html-no-rows": ("<html><body><table><tr><th>Status Code</th><th>Type</th></tr></table></body></html>",
                     "empty-table", 1),
    "html-empty-table": ("<html><body>\n<table></table></body></html>", "empty-table", 2),
    "html-ragged-more": (html_page([("200", "OK", "Fine.</td><td>extra")]), "ragged-row",
                         line_of(html_page([("200", "OK", "x")]), "<tr><td>200")),
    "html-ragged-fewer": (html_page([("200", "OK", "Fine.")]).replace("<td>OK</td><td>Fine.</td>", ""),
                          "ragged-row", line_of(html_page([("200", "OK", "x")]), "<tr><td>200")),
    "rst-grid-cut-mid-row": (RST_GRID[:RST_GRID.index("Made.")], "unterminated-table",
                             line_of(RST_GRID, "| 201")),
    "rst-grid-cut-in-first-row": (RST_GRID[:RST_GRID.index("Fine.")], "unterminated-table",
                                  line_of(RST_GRID, "| 200")),
    "rst-grid-no-bottom": ("Codes\n=====\n\n+-----+-----+\n| 200 | OK  |\n| 201 | Cr", "unterminated-table", 4),
    "rst-simple-cut": (SIMPLE[:SIMPLE.index("Made.")], "unterminated-table", 4),
    "rst-grid-ragged-border": (RST_GRID.replace("| Made.", "| Made. |", 1), "malformed-table",
                               line_of(RST_GRID, "| 201")),
    "rst-grid-missing-border": (RST_GRID.replace("Made.       |", "Made.        ", 1), "malformed-table",
                                line_of(RST_GRID, "| 201")),
    "rst-simple-text-in-margin": (SIMPLE.replace("201    Created  Made.", "201    Created-and-more Made."),
                                  "malformed-table", None),
    "rst-grid-top-with-equals": ("Codes\n=====\n\n+--+=-+----+\n|  |  | 0  |\n+--+--+----+\n|  |  | 日 |\n"
                                 "+--+--+----+\n", "malformed-table", 4),  # an AssertionError in docutils
    "rst-header-only": ("Codes\n=====\n\n" + grid_table(STATUS_HEADER, []), "empty-table", 4),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_input_is_reported(name: str, tmp_path: Path, clean_alone: tuple[list[str], list[str]]) -> None:
    content, slug, line = MALFORMED[name]
    path = f"svc/{name}.md"  # a documentation name: the content decides HTML or RST
    built = build(tmp_path, {path: content})
    check_contained(built, clean_alone)
    check_reported(built, path, slug, line)


def test_rst_wide_characters_are_measured_as_docutils_does(tmp_path: Path,
                                                           clean_alone: tuple[list[str], list[str]]) -> None:
    """East Asian wide characters fill two columns: docutils pads them; this used to raise IndexError."""
    page = "Codes\n=====\n\n" + "\n".join([
        "+------+----------+--------------+",
        "| Code | Type     | Description  |",
        "+======+==========+==============+",
        "| 200  | OK       | 成功了       |",
        "+------+----------+--------------+",
        "| 201  | Created  | 已创建 ok    |",
        "+------+----------+--------------+",
    ]) + "\n"
    from rst_reference import reference_tables

    assert reference_tables(page)[0][1:] == [["200", "OK", "成功了"], ["201", "Created", "已创建 ok"]]
    built = build(tmp_path, {"svc/wide.rst": page})
    check_contained(built, clean_alone, problem=False)
    assert [(r["status_code"], r["description"]) for r in built.records("svc/wide.rst")] == [
        (200, "成功了"), (201, "已创建 ok")]


def test_rst_page_that_is_only_a_simple_table_is_read(tmp_path: Path,
                                                      clean_alone: tuple[list[str], list[str]]) -> None:
    """No title, no directive: the simple table's border is what tells it is RST."""
    page = SIMPLE.split("\n\n", 1)[1]
    built = build(tmp_path, {"svc/simple.md": page})  # .md declares HTML: the content says RST, and wins
    check_contained(built, clean_alone, problem=False)
    assert [r["status_code"] for r in built.records("svc/simple.md")] == [200, 201]


# --- 6. the file system -----------------------------------------------------------------------

def test_symlinks_out_of_the_root_are_not_followed(tmp_path: Path,
                                                   clean_alone: tuple[list[str], list[str]]) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "page.md").write_text(html_page([("200", "OK", SECRET)]), "utf-8")

    def links(root: Path) -> None:
        (root / "svc").mkdir(exist_ok=True)
        (root / "svc" / "link.md").symlink_to(outside / "page.md")
        (root / "svc" / "passwd.md").symlink_to("/etc/passwd")
        (root / "svc" / "dir").symlink_to(outside, target_is_directory=True)
        (root / "linked-service").symlink_to(outside, target_is_directory=True)

    built = build(tmp_path, {}, prepare=links)
    check_contained(built, clean_alone)
    for path in ("svc/link.md", "svc/passwd.md", "svc/dir", "linked-service"):
        check_reported(built, path, "symlink-skipped")
    check_no_leak(built.out, tmp_path / "out-strict")


def test_fifo_is_reported_and_does_not_block(tmp_path: Path, clean_alone: tuple[list[str], list[str]]) -> None:
    built = build(tmp_path, {}, prepare=lambda root: os.mkfifo(root / "clean" / "pipe.md"))
    check_contained(built, clean_alone)
    check_reported(built, "clean/pipe.md", "not-a-file")


def test_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     clean_alone: tuple[list[str], list[str]]) -> None:
    import pipeline.sources.read

    locked = tmp_path / "docs" / "svc" / "locked.md"
    if os.geteuid() == 0:  # root reads any file: make the open fail as it would for a user
        real_open = os.open

        def deny(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            if Path(path) == locked:
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(pipeline.sources.read.os, "open", deny)
    built = build(tmp_path, {"svc/locked.md": html_page([("200", "OK", "Fine.")])},
                  prepare=lambda root: (root / "svc" / "locked.md").chmod(0))
    check_contained(built, clean_alone)
    issue = check_reported(built, "svc/locked.md", "unsupported-input")
    assert "Permission denied" in issue["message"]


def test_service_names_with_spaces_and_non_ascii_letters(tmp_path: Path,
                                                          clean_alone: tuple[list[str], list[str]]) -> None:
    names = ["my service/status codes.md", "sérvice-日本/ページ.md", "Ωmega/ümlaut page.rst"]
    pages: dict[str, str | bytes] = {names[0]: html_page([("200", "OK", "One.")]),
                                     names[1]: html_page([("201", "Created", "Two.")]),
                                     names[2]: rst_page()}
    built = build(tmp_path, pages)
    check_contained(built, clean_alone, problem=False)
    for name in names:
        service = name.split("/")[0]
        records = built.records(name)
        assert records and all(r["service"] == service for r in records), name
    with open(built.out / "status_codes.csv", newline="", encoding="utf-8") as handle:
        assert {r["source_path"] for r in csv.DictReader(handle)} == {CLEAN_PAGE, *names}
    assert {r["source_path"] for r in read_parquet_rows(built.out / "status_codes.parquet")} == {CLEAN_PAGE, *names}


def test_file_names_that_cannot_be_written_are_reported(tmp_path: Path,
                                                        clean_alone: tuple[list[str], list[str]]) -> None:
    def odd_names(root: Path) -> None:
        page = html_page([("200", "OK", "Fine.")]).encode()
        (root / "svc").mkdir(exist_ok=True)
        with open(os.path.join(os.fsencode(root / "svc"), b"latin1-\xe9.md"), "wb") as handle:
            handle.write(page)
        (root / "svc" / "new\nline.md").write_bytes(page)
        os.mkdir(os.path.join(os.fsencode(root), b"bad-\xff-service"))

    built = build(tmp_path, {}, prepare=odd_names)
    check_contained(built, clean_alone)
    for path in ("svc/latin1-\\xe9.md", "svc/new\\nline.md", "bad-\\xff-service"):
        check_reported(built, path, "unusable-file-name")
    assert "new\nline" not in built.err


def test_folders_nested_deeper_than_the_recursion_limit(tmp_path: Path,
                                                         clean_alone: tuple[list[str], list[str]]) -> None:
    """A recursive walk raised RecursionError (the whole build failed) past ~1000 levels."""
    depth = sys.getrecursionlimit() + 100

    def deep(root: Path) -> None:
        folder = str(root / "svc")
        os.mkdir(folder)
        for _ in range(depth):
            folder += "/d"
            os.mkdir(folder)
        Path(folder, "page.md").write_text(html_page([("200", "OK", "Deep.")]), "utf-8")

    try:
        built = build(tmp_path, {}, prepare=deep)
        check_contained(built, clean_alone, problem=False)
        path = "svc/" + "d/" * depth + "page.md"
        assert [r["description"] for r in built.records(path)] == ["Deep."]
    finally:  # shutil.rmtree (pytest's clean-up) recurses too: take the tree down from the bottom
        folder = str(tmp_path / "docs" / "svc") + "/d" * depth
        with contextlib.suppress(FileNotFoundError):
            os.remove(folder + "/page.md")
        for _ in range(depth):
            with contextlib.suppress(FileNotFoundError):
                os.rmdir(folder)
            folder = folder.rsplit("/", 1)[0]


def test_nothing_is_written_outside_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        clean_alone: tuple[list[str], list[str]]) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    hostile: dict[str, str | bytes] = {"svc/a.rst": rst_page(".. include:: /etc/passwd"), "svc/b.md": b"\x00\x01",
                                       "svc/c.html": HTML_CUT[:200]}
    write_pages(tmp_path / "docs", {CLEAN_PAGE: CLEAN_TEXT, **hostile})

    def snapshot() -> dict[str, tuple[int, float]]:
        return {str(p.relative_to(tmp_path)): (p.stat().st_size, p.stat().st_mtime) for p in tmp_path.rglob("*")
                if p.relative_to(tmp_path).parts[0] != "out"}

    before = snapshot()
    code, _ = run_cli("build", str(tmp_path / "docs"), "--out", str(tmp_path / "out"), "--no-cache", "-j", "1")
    assert code == 0
    assert snapshot() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "docs", "out"]
    assert list(work.iterdir()) == []


# --- 7. CSV: formulas and control characters ------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://x\",\"click\")", "+SUM(A1:A9)", "-2+3", "@cmd|' /C calc'!A0"]


def test_csv_formula_cells_verbatim_by_default_and_neutralised_with_csv_safe(
        tmp_path: Path, clean_alone: tuple[list[str], list[str]]) -> None:
    page = html_page([(str(200 + i), "OK", f) for i, f in enumerate(FORMULAS)])
    plain = build(tmp_path / "plain", {"svc/f.html": page})
    check_contained(plain, clean_alone, problem=False)
    with open(plain.out / "status_codes.csv", newline="", encoding="utf-8") as handle:
        cells = [r["description"] for r in csv.DictReader(handle) if r["source_path"] == "svc/f.html"]
    assert cells == FORMULAS

    safe = build(tmp_path / "safe", {"svc/f.html": page}, "--csv-safe")
    assert "neutralised 4 CSV cells" in safe.err
    with open(safe.out / "status_codes.csv", newline="", encoding="utf-8") as handle:
        cells = [r["description"] for r in csv.DictReader(handle) if r["source_path"] == "svc/f.html"]
    assert cells == ["'" + f for f in FORMULAS]
    assert [r["description"] for r in safe.records("svc/f.html")] == FORMULAS  # JSON keeps the text


TRICKY = ["a\rb", "c\nd", "e\r\nf", "\r", "\n", 'say "hi", ok', ",", '"', " lead", "trail ", "=1+1", "-", "@x",
          "tab\there", "\u2028line sep", "nul-free \x0b vt"]


def test_csv_round_trips_cr_lf_quotes_and_commas(tmp_path: Path) -> None:
    records = [ErrorCodeRecord("svc", "svc/p.md", "html", None, None, 0, None, i, i + 1, None, None, None,
                               f"E.{i:04d}", 400, text, text, None, text) for i, text in enumerate(TRICKY)]
    status = [StatusCodeRecord("svc", "svc/p.md", "html", text, None, 0, text, i, None, None, None, None, 200,
                               text, "OK", text, "success") for i, text in enumerate(TRICKY)]
    out = tmp_path / "out"
    write_results([PageResult.of("svc/p.md", "0" * 64, [*status, *records])], out)
    for name, expected in (("error_codes", records), ("status_codes", status)):
        from dataclasses import asdict

        want = [{k: v for k, v in asdict(r).items()} for r in expected]
        with open(out / f"{name}.csv", newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == len(want)
        for row, record in zip(rows, want, strict=True):
            assert {k: v for k, v in row.items() if isinstance(record[k], str)} == \
                   {k: v for k, v in record.items() if isinstance(v, str)}
        assert json.loads((out / f"{name}.json").read_text("utf-8")) == want
        assert read_parquet_rows(out / f"{name}.parquet") == want


# --- 8. size ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_two_thousand_pages_build_in_bounded_memory(tmp_path: Path) -> None:
    """A CI-sized run (the 10,000-page and 50 MB-page figures are measured by hand)."""
    root = tmp_path / "docs"
    for i in range(2000):
        rows = [(str(code), "x", f"page {i} row {j}") for j, code in enumerate((200, 201, 400, 404))]
        write_pages(root, {f"svc{i % 20:02d}/page-{i:04d}.md": html_page(rows)})
    # RUSAGE_CHILDREN of this test process would be the largest of every child any earlier test ran:
    # a fresh parent whose only child is the build measures the build alone (its workers included).
    measure = ("import resource, subprocess, sys\n"
               "done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False, timeout=300)\n"
               "sys.stderr.write(done.stderr)\n"
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
               "sys.exit(done.returncode)\n")
    done = subprocess.run([sys.executable, "-c", measure, sys.executable, "-m", "pipeline", "build", str(root),
                           "--out", str(tmp_path / "out"), "--no-cache", "-q", "-j", "2"],
                          capture_output=True, text=True, check=False, timeout=330)
    assert done.returncode == 0, done.stderr
    peak_mib = int(done.stdout) / 1024
    assert peak_mib < 600, peak_mib
    assert len(json.loads((tmp_path / "out" / "status_codes.json").read_text("utf-8"))) == 8000


# --- the clean page really is clean -----------------------------------------------------------

def test_clean_page_alone_has_no_problem(clean_alone: tuple[list[str], list[str]]) -> None:
    records, tables = clean_alone
    assert len(records) == 17 and len(tables) == 2


# --- issue 12: special files, size limit, NUL in a cell, <template>, parser fallback ----------------

def test_fifo_bound_over_a_page_is_refused_by_its_descriptor_without_blocking(tmp_path: Path) -> None:
    """The listing said "regular file", then a FIFO took the name: opening it must neither wait nor read."""
    from guards import hang_guard

    from pipeline.errors import UnsupportedInput
    from pipeline.sources import SourceFile, read_bytes

    os.mkfifo(tmp_path / "page.md")
    with hang_guard("read_bytes on a FIFO"), pytest.raises(UnsupportedInput) as raised:
        read_bytes(SourceFile("svc", "svc/page.md", tmp_path / "page.md"))
    assert str(raised.value) == "svc/page.md: not a regular file (a FIFO); not read"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this platform")
def test_character_device_bound_over_a_page_is_refused_not_read_forever() -> None:
    from guards import hang_guard

    from pipeline.errors import UnsupportedInput
    from pipeline.sources import SourceFile, read_bytes

    with hang_guard("read_bytes on /dev/zero", 2), pytest.raises(UnsupportedInput) as raised:
        read_bytes(SourceFile("svc", "svc/zero.md", Path("/dev/zero")))
    assert str(raised.value) == "svc/zero.md: not a regular file (a character device); not read"


def test_page_over_max_page_bytes_is_reported_and_the_others_are_read(
        tmp_path: Path, clean_alone: tuple[list[str], list[str]]) -> None:
    big = html_page([("200", "OK", "x" * len(CLEAN_TEXT))])
    built = build(tmp_path, {"svc/big.html": big}, "--max-page-bytes", str(len(CLEAN_TEXT)))
    check_contained(built, clean_alone)
    issue = check_reported(built, "svc/big.html", "unsupported-input")
    assert issue["message"] == (f"page is {len(big.encode())} bytes, over the {len(CLEAN_TEXT)}-byte limit "
                                "(--max-page-bytes)")
    assert built.records("svc/big.html") == []


def test_max_page_bytes_must_be_positive(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    code, err = run_cli("build", str(tmp_path / "docs"), "--out", str(tmp_path / "out"), "--max-page-bytes", "0")
    assert code == 2 and err == "pipeline: --max-page-bytes must be at least 1, not 0\n"


def test_nul_in_one_cell_loses_only_that_row_with_its_line(tmp_path: Path,
                                                         clean_alone: tuple[list[str], list[str]]) -> None:
    html = html_page([("200", "OK", "Fine."), ("400", "Bad Request", "Bro\x00ken."), ("404", "Not Found", "Gone.")])
    rst = rst_page(rows=[["200", "OK", "Fine."], ["400", "Bad\x00Request", "Broken."], ["401", "No", "Who?"]])
    built = build(tmp_path, {"svc/nul.html": html, "svc/nul.rst": rst})
    check_contained(built, clean_alone)
    assert [r["status_code"] for r in built.records("svc/nul.html")] == [200, 404]
    assert [r["status_code"] for r in built.records("svc/nul.rst")] == [200, 401, 404]
    html_issue = check_reported(built, "svc/nul.html", "nul-character", line_of(html, "Bro\x00ken"))
    rst_issue = check_reported(built, "svc/nul.rst", "nul-character", line_of(rst, "Bad\x00Request"))
    for issue in (html_issue, rst_issue):
        assert (issue["table_index"], issue["row_index"], issue["severity"]) == (0, 1, "warning")
    for path in ("svc/nul.html", "svc/nul.rst"):  # the emptied row is then skipped as empty, nothing else is lost
        assert sorted(i["slug"] for i in built.issues_of(path)) == ["empty-row", "nul-character"]


def test_binary_files_are_still_refused(tmp_path: Path, clean_alone: tuple[list[str], list[str]]) -> None:
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
           b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
    utf16 = html_page([("200", "OK", "Fine.")]).encode("utf-16-le")  # no byte-order mark: a NUL every other byte
    built = build(tmp_path, {"svc/logo.png": png, "svc/logo.md": png, "svc/wide.html": utf16})
    check_contained(built, clean_alone)
    for path in ("svc/logo.md", "svc/wide.html"):  # named as pages: refused as binary, reported
        assert check_reported(built, path, "unsupported-input")["message"] == "binary data, not a text page"
    assert built.issues_of("svc/logo.png") == []  # an image by its name: counted, never opened


def test_empty_page_is_a_notice_not_a_problem(tmp_path: Path, clean_alone: tuple[list[str], list[str]]) -> None:
    """A placeholder README.rst (published repositories hold several) has nothing to read; --strict passes."""
    built = build(tmp_path, {"svc/README.rst": b"", "svc/blank.md": b" \n\t\n  "})
    check_contained(built, clean_alone, problem=False)
    for path in ("svc/README.rst", "svc/blank.md"):
        assert [(i["slug"], i["severity"]) for i in built.issues_of(path)] == [("empty-page", "notice")]
        assert path not in built.err


@pytest.mark.parametrize(("name", "content"), [
    ("CONTRIBUTING.rst", "Contributing\n\nRead the guide first.\n"),
    ("notes.md", "just some words\nabout nothing in particular\n"),
    ("data.html", '{"status": 200, "reason": "OK"}\n'),
])
def test_a_page_of_plain_text_is_read_as_its_extension_says(name: str, content: str, tmp_path: Path,
                                                             clean_alone: tuple[list[str], list[str]]) -> None:
    """No markup either way: the extension decides the format; a page without tables is no problem."""
    built = build(tmp_path, {f"svc/{name}": content})
    check_contained(built, clean_alone, problem=False)
    assert built.issues_of(f"svc/{name}") == [] and built.records(f"svc/{name}") == []


def test_tables_inside_template_are_not_document_content(tmp_path: Path,
                                                         clean_alone: tuple[list[str], list[str]]) -> None:
    hidden = html_page([("418", "Teapot", "Hidden.")]).split("<body>\n", 1)[1].rsplit("</body>", 1)[0]
    page = html_page([("200", "OK", "Shown.")], after=f"<template>{hidden}</template>\n<textarea>{hidden}</textarea>\n")
    built = build(tmp_path, {"svc/template.html": page})
    check_contained(built, clean_alone, problem=False)
    assert [r["status_code"] for r in built.records("svc/template.html")] == [200]
    assert [t["table_index"] for t in built.tables if t["source_path"] == "svc/template.html"] == [0]


def test_markup_too_deep_after_a_table_does_not_cost_the_tables(tmp_path: Path,
                                                                clean_alone: tuple[list[str], list[str]]) -> None:
    """libxml2 stops at 2048 nested elements; the page is read again by html.parser, every table kept."""
    first = html_page([("200", "OK", "Before.")])
    last = html_page([("404", "Not Found", "After.")]).split("<body>\n", 1)[1].rsplit("</body>", 1)[0]
    deep = "<div>" * 3000 + "deep" + "</div>" * 3000
    page = first.replace("</body>", f"{deep}\n{last}</body>")
    built = build(tmp_path, {"svc/deep.html": page})
    check_contained(built, clean_alone)
    assert [(r["status_code"], r["description"], r["line"]) for r in built.records("svc/deep.html")] == [
        (200, "Before.", line_of(page, "Before.")), (404, "After.", line_of(page, "After."))]
    issue = check_reported(built, "svc/deep.html", "html-parser-fallback", line_of(page, "<div>"))
    assert issue["message"].startswith("HTML parser gave up: Excessive depth in document: 2048;")

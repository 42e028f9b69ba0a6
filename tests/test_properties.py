"""Property tests (issue 7, item 9): generated documents and records.

* Generated HTML and RST table documents -- well formed, mangled, cut off -- never make the
  readers raise anything but the pipeline's own errors (``PipelineError``), decoding,
  parsing and normalizing included.
* A well-formed generated table is read whole: as many rows as were written, every cell's
  text as written (HTML), and exactly the cells full docutils reads (RST).
* Generated records exported to JSON, CSV and Parquet read back equal.

Each test runs ``examples(n)`` examples: dozens to hundreds in the developer loop, ten times as
many, several thousand in all, in CI (``tests/profiles.py``; ``deadline=None``: timing is not the point).
"""

from __future__ import annotations

import csv
import html
import io
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples
from records import ANY_TEXT, read_parquet_rows, record_strategy, typed
from rst_reference import reference_tables

from pipeline.datasets import Record, Resource
from pipeline.datasets.error_catalog import catalog_key, merged_row, single_source_row
from pipeline.errors import PipelineError
from pipeline.exporters import FORMATS
from pipeline.exporters.csv import FORMULA_PREFIXES, SafeCsvEncoder, neutralise_formula
from pipeline.model import Dataset, ErrorCodeRecord, PageResult, StatusCodeRecord
from pipeline.normalize import normalize_page
from pipeline.output import render
from pipeline.parsers import parse_page
from pipeline.parsers.html import parse_html
from pipeline.parsers.rst import parse_rst
from pipeline.schema import ERROR_CODES, STATUS_CODES
from pipeline.sources import PageText, SourceFile, decode_page
from pipeline.text import collapse_whitespace

SOURCE = SourceFile("svc", "svc/page", Path("/nonexistent/svc/page"))
ROBUST = settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_whole(data: bytes) -> None:
    """Decode, sniff, parse and normalize, as a build does, with no safety net: only our errors may escape."""
    try:
        decoded = decode_page(SOURCE, data)
        page = parse_page(decoded)
    except PipelineError:
        return
    normalize_page(page, "0" * 64, decoded.text)


def page_text(text: str, fmt: str) -> PageText:
    return PageText(SOURCE, text, fmt, "0" * 64, "utf-8")  # type: ignore[arg-type]


# --- HTML documents ---------------------------------------------------------------------------

_WORDS = st.sampled_from(["200", "404", "OK", "Bad Request", "Error Code", "Status Code", "Description", "VPC.0001",
                          "2xx", "400/404", "N/A", "-", "Café", "“q”", "&amp;", "&lt;", "&#0;", "&#x110000;",
                          "&nosuch;", "<", ">", "&", "\u00a0", "\u200b", "日本", " ", "\n", "\r", "\t", "**Table 1**"])
_TEXT = st.lists(_WORDS | st.text(max_size=6), max_size=5).map("".join)
_SPANS = st.sampled_from(["", "0", "1", "2", "3", "-1", "abc", "99999", "2.5", " 2 ", "1e3"])
_TAGS = ["table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "p", "br", "div", "span", "ul", "li",
         "strong", "a", "script", "style", "pre", "colgroup", "col", "h1"]


@st.composite
def html_element(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(_TAGS))
    attrs = ""
    if tag in ("td", "th") and draw(st.booleans()):
        attrs = f' rowspan="{draw(_SPANS)}" colspan="{draw(_SPANS)}"'
    if tag == "a" and draw(st.booleans()):
        attrs = f' name="{html.escape(draw(_TEXT))}"'
    children: list[str] = []
    if depth < 5:
        children = draw(st.lists(html_element(depth + 1) | _TEXT | st.just("<!-- c -->"), max_size=4))
    closing = draw(st.sampled_from([f"</{tag}>", f"</{tag}>", ""]))  # sometimes never closed
    return f"<{tag}{attrs}>" + "".join(children) + closing


@st.composite
def html_documents(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(["", "# Status Code<a name=\"x_0001\"></a>\n\n", "<html><body>",
                                 "<!DOCTYPE html>\n<html><head><meta charset=\"iso-8859-1\"></head><body>",
                                 "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"]))
    body = "".join(draw(st.lists(html_element() | _TEXT, min_size=1, max_size=4)))
    text = head + "<table>" + body + "</table>" + draw(st.sampled_from(["", "</body></html>", "<!--"]))
    cut = draw(st.integers(0, len(text)))
    return text[:cut] if draw(st.booleans()) else text


@ROBUST
@given(html_documents())
def test_generated_html_documents_raise_only_our_errors(text: str) -> None:
    try:
        page = parse_html(page_text(text, "html"))
    except PipelineError:
        return
    normalize_page(page, "0" * 64, text)
    read_whole(text.encode("utf-8"))


_CELL = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)


@settings(max_examples=examples(75), deadline=None)
@given(st.integers(1, 4).flatmap(lambda width: st.tuples(
    st.lists(_CELL, min_size=width, max_size=width),
    st.lists(st.lists(_CELL, min_size=width, max_size=width), max_size=8))))
def test_well_formed_html_tables_are_read_whole(table: tuple[list[str], list[list[str]]]) -> None:
    header, rows = table
    cells = lambda tag, row: "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in row)  # noqa: E731
    text = ("<html><body>\n<table>\n<thead><tr>" + cells("th", header) + "</tr></thead>\n<tbody>\n"
            + "".join("<tr>" + cells("td", row) + "</tr>\n" for row in rows) + "</tbody></table></body></html>\n")
    page = parse_html(page_text(text, "html"))
    assert len(page.tables) == 1
    read = page.tables[0]
    assert list(read.header) == [collapse_whitespace(c) for c in header]
    assert [[c.text for c in row.cells] for row in read.rows] == [[collapse_whitespace(c) for c in row]
                                                                  for row in rows]
    assert [row.line for row in read.rows] == list(range(5, 5 + len(rows)))


# --- RST documents ----------------------------------------------------------------------------

def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def grid(header: list[list[str]] | None, rows: list[list[list[str]]]) -> str:
    """A grid table; each cell is a list of lines; ``header`` rows (one) above a ``=`` border."""
    all_rows = ([header] if header else []) + rows
    widths = [max(display_width(line) for row in all_rows for line in row[col] or [""]) + 2
              for col in range(len(all_rows[0]))]
    border = "+" + "+".join("-" * w for w in widths) + "+"
    out = [border]
    for index, row in enumerate(all_rows):
        height = max(len(cell) for cell in row) or 1
        for k in range(height):
            parts = []
            for cell, w in zip(row, widths, strict=True):
                line = cell[k] if k < len(cell) else ""
                parts.append(" " + line + " " * (w - 1 - display_width(line)))
            out.append("|" + "|".join(parts) + "|")
        out.append(border.replace("-", "=") if header and index == 0 else border)
    return "\n".join(out) + "\n"


_PLAIN = st.text(st.sampled_from("abcxyzABC019 éñß日本語表"), min_size=1, max_size=8).map(str.strip).filter(bool)
_CELL_LINES = st.lists(_PLAIN, max_size=3)


@st.composite
def grid_tables(draw: st.DrawFn) -> tuple[list[list[str]] | None, list[list[list[str]]]]:
    width = draw(st.integers(1, 4))
    row = st.lists(_CELL_LINES, min_size=width, max_size=width).filter(lambda r: any(r))
    header = draw(st.none() | row)
    rows = draw(st.lists(row, min_size=1, max_size=6))  # docutils rejects a header-only grid
    return header, rows


def texts(row: list[list[str]]) -> list[str]:
    return [collapse_whitespace(" ".join(cell)) for cell in row]


@settings(max_examples=examples(50), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid_tables())
def test_generated_grid_tables_read_as_full_docutils_reads_them(table: Any) -> None:
    header, rows = table
    text = "Codes\n=====\n\n" + grid(header, rows) + "\nAfter.\n"
    page = parse_rst(page_text(text, "rst"))
    reference = reference_tables(text)
    assert len(page.tables) == len(reference) == 1, (page.problems, text)
    read = page.tables[0]
    assert [list(read.header), *[[c.text for c in r.cells] for r in read.rows]] == reference[0], text
    expected = ([texts(header)] if header else []) + [texts(r) for r in rows]
    assert reference[0] == expected


_RST_NOISE = st.sampled_from(["+", "-", "=", "|", " ", "\n", "*", "`", "\\", ":", "..", "\u0301", "日", "\t", "::",
                              "\n.. include:: /etc/passwd\n", "\n.. table:: **Table 1** T\n\n", "\n\n"])
_CONTEXT = st.sampled_from(["", ".. table:: **Table 1** Codes\n\n", ".. code-block::\n\n", ":original_name: a.html\n\n",
                            ".. _label:\n\n", "**Table 2** Errors\n\n", ".. csv-table:: x\n   :file: /etc/passwd\n\n"])


@st.composite
def mangled_rst(draw: st.DrawFn) -> str:
    header, rows = draw(grid_tables())
    table = grid(header, rows)
    if draw(st.booleans()):  # a simple table instead
        width = max(4, max(display_width(c) for row in rows for cell in row for c in cell or [""]))
        border = "  ".join(["=" * width] * len(rows[0]))
        table = border + "\n" + "".join("  ".join((" ".join(c) or "x")[:width].ljust(width) for c in row) + "\n"
                                        for row in rows) + border + "\n"
    indent = draw(st.sampled_from(["", "", "   "]))
    table = "".join(indent + line for line in table.splitlines(keepends=True))
    chars = list(table)
    for _ in range(draw(st.integers(0, 4))):  # edits: insert, delete, replace
        at = draw(st.integers(0, len(chars)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        if kind == "insert":
            chars.insert(at, draw(_RST_NOISE))
        elif chars and at < len(chars):
            if kind == "delete":
                del chars[at]
            else:
                chars[at] = draw(_RST_NOISE)
    text = "Codes\n=====\n\n" + draw(_CONTEXT) + "".join(chars)
    if draw(st.booleans()):
        text = text[:draw(st.integers(0, len(text)))]
    return text


@ROBUST
@given(mangled_rst())
def test_generated_rst_documents_raise_only_our_errors(text: str) -> None:
    try:
        page = parse_rst(page_text(text, "rst"))
    except PipelineError:
        return
    normalize_page(page, "0" * 64, text)
    read_whole(text.encode("utf-8"))


@settings(max_examples=examples(200), deadline=None)
@given(st.binary(max_size=600) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))
       | st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]).flatmap(
           lambda bom: st.binary(max_size=200).map(lambda b: bom + b)))
def test_any_bytes_raise_only_our_errors(data: bytes) -> None:
    read_whole(data)


# --- records: JSON, CSV and Parquet read back equal ------------------------------------------

def status_records() -> st.SearchStrategy[StatusCodeRecord]:
    return record_strategy(STATUS_CODES, ANY_TEXT)  # type: ignore[no-any-return]


def error_records() -> st.SearchStrategy[ErrorCodeRecord]:
    return record_strategy(ERROR_CODES, ANY_TEXT)  # type: ignore[no-any-return]


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


@settings(max_examples=examples(50), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(status_records(), max_size=6), st.lists(error_records(), max_size=6))
def test_records_read_back_equal_from_json_csv_and_parquet(status: list[StatusCodeRecord],
                                                            errors: list[ErrorCodeRecord]) -> None:
    """Each format's exporter (records -> bytes, what the build writes: see test_exporters) reads back
    the records; ``csv-safe`` neutralises exactly the formula-like text cells, and only those, whether
    one dataset is encoded at once or the whole dataset is written page by page (``render``)."""
    whole = render(Dataset((PageResult.of("svc/page", "0" * 64, [*status, *errors]),)), csv_safe=True)
    for resource, records in ((STATUS_CODES, status), (ERROR_CODES, errors)):
        expected = [asdict(r) for r in records]
        text = FORMATS["json"].export(resource, records)
        assert json.loads(text) == expected
        assert text == (json.dumps(expected, ensure_ascii=False, indent=2) + "\n").encode("utf-8")  # the one formatting
        assert [typed(resource, row) for row in read_csv(FORMATS["csv"].export(resource, records))] == expected
        buffer = io.BytesIO(FORMATS["parquet"].export(resource, records))
        assert read_parquet_rows(buffer) == expected
        safe, neutralised = render_safe_csv(resource, records)
        assert safe == FORMATS["csv-safe"].export(resource, records)
        formulas = sum(isinstance(v, str) and v.startswith(FORMULA_PREFIXES) for r in expected for v in r.values())
        assert neutralised == formulas
        assert [typed(resource, row) for row in read_csv(safe)] == \
            [{k: neutralise_formula(v) if isinstance(v, str) else v for k, v in r.items()} for r in expected]
    assert whole.csv_neutralised == sum(isinstance(v, str) and v.startswith(FORMULA_PREFIXES)
                                        for r in (*status, *errors) for v in asdict(r).values())


def render_safe_csv(resource: Resource, records: Sequence[Record]) -> tuple[bytes, int]:
    """The ``--csv-safe`` CSV file of ``records`` and the number of cells its encoder neutralised."""
    sink = io.BytesIO()
    encoder = SafeCsvEncoder(resource, sink)
    encoder.write(records)
    encoder.close()
    return sink.getvalue(), encoder.neutralised


@settings(max_examples=examples(150), deadline=None)
@given(st.lists(st.sampled_from(["*", "**", "***", "a", "b", " ", "\n", "\\", "_", "`", "é"]), max_size=16)
       .map("".join))
def test_linear_strong_and_emphasis_equal_the_plain_regex(text: str) -> None:
    """``_unwrap`` (linear) gives what ``pattern.sub`` (quadratic on unclosed marks) gives."""
    from pipeline.parsers.rst import _EMPHASIS, _EMPHASIS_CLOSE, _STRONG, _STRONG_CLOSE, _unwrap

    for pattern, closer in ((_STRONG, _STRONG_CLOSE), (_EMPHASIS, _EMPHASIS_CLOSE)):
        assert _unwrap(pattern, closer, text) == pattern.sub(lambda m: m.group(1), text)


@settings(max_examples=examples(100), deadline=None)
@given(record_strategy(ERROR_CODES))
def test_a_catalog_row_of_one_source_is_the_merged_row_of_that_one_record(record: ErrorCodeRecord) -> None:
    """``single_source_row`` (the fast path most catalog rows take) says what ``merged_row`` says of one record."""
    key = catalog_key(record)
    assert single_source_row(key, record) == merged_row(key, [record])

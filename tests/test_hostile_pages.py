"""Hostile pages after issue 12's review: each costs at most its own rows, in time and output linear in its size.

* tables nested thousands deep are read once each (a cell's text never re-walks a nested table);
* ``<template>``, ``<textarea>``, ``<script>`` and ``<style>`` text is not cell text;
* a page of tens of thousands of ``<table>`` tags gives a bounded output: at most 100 issues of
  one kind per page (then one ``... and N more``) and at most 5,000 tables (``too-many-tables``);
* a few NULs or ANSI colour sequences in one cell do not make a page binary;
* one row of a grid table that double-width characters made ragged costs that row, not the table.

End to end through ``pipeline build``, with the clean page of ``tests/test_hostile.py`` beside
each hostile one (its records must come out as when built alone).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from guards import hang_guard
from test_hostile import (
    FIVE_ROWS,
    Built,
    build,
    check_contained,
    check_reported,
    clean_alone,  # noqa: F401  (a fixture)
    html_page,
    line_of,
    nested,
)

from pipeline.normalize.limits import MAX_ISSUES_PER_KIND
from pipeline.parsers import MAX_TABLES_PER_PAGE

Clean = tuple[list[str], list[str]]


def codes(built: Built, path: str) -> list[int]:
    return [r["status_code"] for r in built.records(path)]


# --- tables nested thousands deep: linear time ---------------------------------------------------

def test_tables_nested_thousands_deep_are_read_in_linear_time(tmp_path: Path, clean_alone: Clean) -> None:  # noqa: F811
    """A status table, 3,000 nested one-cell tables, another status table: both status tables read.

    Each nested cell's text used to walk every table inside it: 3,000 deep took ~25 s (quadratic),
    20,000 deep (300 KB) over two minutes. Now each cell is walked once (a hang is a failure,
    the time is measured by ``bench/run.py --hostile``).
    """
    first = html_page([("200", "OK", "first")]).split("<body>\n", 1)[1].rsplit("</body>", 1)[0]
    page = "<html><body>\n" + first + nested(3000, "table").split("<body>\n", 1)[1]
    with hang_guard("building a page of tables nested 3,000 deep"):
        built = build(tmp_path, {"svc/deep.html": page})
    check_contained(built, clean_alone)  # the 3,000 one-cell tables have no data rows: reported
    assert codes(built, "svc/deep.html") == [200] + [int(c) for c, _, _ in FIVE_ROWS]


def test_a_nested_tables_text_is_its_own_not_its_cells(tmp_path: Path, clean_alone: Clean) -> None:  # noqa: F811
    inner = "<table><tr><th>Status Code</th><th>Description</th></tr><tr><td>404</td><td>It is gone.</td></tr></table>"
    page = html_page([("200", "OK", f"See below:{inner}after")])
    built = build(tmp_path, {"svc/nest.html": page})
    check_contained(built, clean_alone, problem=False)
    records = {r["status_code"]: r["description"] for r in built.records("svc/nest.html")}
    assert records == {200: "See below: after", 404: "It is gone."}


# --- text that is not document content --------------------------------------------------------------

@pytest.mark.parametrize("deep", [False, True], ids=["libxml2", "html.parser-fallback"])
def test_template_textarea_script_style_comment_text_is_not_cell_text(tmp_path: Path, clean_alone: Clean,  # noqa: F811
                                                                       deep: bool) -> None:
    hidden = ("<template>SECRET1</template><textarea>SECRET2</textarea><script>SECRET3</script>"
              "<style>SECRET4</style><!-- SECRET5 -->")
    after = "<div>" * 3000 + "x" + "</div>" * 3000 if deep else ""  # over libxml2's depth limit
    page = html_page([("200", f"OK{hidden}", f"Fine.{hidden} Really.")], after=after)
    built = build(tmp_path, {"svc/hidden.html": page})
    check_contained(built, clean_alone, problem=deep)  # the fallback is reported
    [record] = built.records("svc/hidden.html")
    assert (record["documented_reason"], record["description"]) == ("OK", "Fine. Really.")
    assert "SECRET" not in (built.out / "status_codes.json").read_text("utf-8")


# --- output bounded per page ------------------------------------------------------------------------

def test_a_page_of_table_tags_gives_a_bounded_output(tmp_path: Path, clean_alone: Clean) -> None:  # noqa: F811
    """``<table>`` × 20,000 on one line: 20,000 unclosed-table and empty-table issues and 20,000
    tables before (100 MB of issues.json from 1.2 MB). Now: 100 of each kind, one summary each,
    5,000 tables and one ``too-many-tables`` error."""
    built = build(tmp_path, {"svc/flood.html": "<table>" * 20_000})
    check_contained(built, clean_alone)
    issues = built.issues_of("svc/flood.html")
    by_slug: dict[str, list[str]] = {}
    for issue in issues:
        by_slug.setdefault(issue["slug"], []).append(issue["message"])
    assert {slug: len(messages) for slug, messages in by_slug.items()} == {
        "unclosed-table": MAX_ISSUES_PER_KIND + 1, "empty-table": MAX_ISSUES_PER_KIND + 1, "too-many-tables": 1,
        "html-parser-fallback": 1}
    assert by_slug["unclosed-table"][-1].startswith(f"... and {20_000 - MAX_ISSUES_PER_KIND} more unclosed-table")
    assert by_slug["empty-table"][-1].startswith(f"... and {MAX_TABLES_PER_PAGE - MAX_ISSUES_PER_KIND} more")
    assert "the page has 20000 tables; only the first 5000 are read" in by_slug["too-many-tables"][0]
    assert len([t for t in built.tables if t["source_path"] == "svc/flood.html"]) == MAX_TABLES_PER_PAGE
    assert (built.out / "issues.json").stat().st_size < 200_000


# --- a few control characters in one cell do not make a page binary ---------------------------------

ELEVEN = [(str(code), "Type", "Fine.") for code in (200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 500)]


def with_cell(index: int, text: str) -> list[tuple[str, str, str]]:
    rows = list(ELEVEN)
    rows[index] = (rows[index][0], rows[index][1], text)
    return rows


def test_nine_nuls_in_one_cell_cost_that_row_not_the_page(tmp_path: Path, clean_alone: Clean) -> None:  # noqa: F811
    page = html_page(with_cell(7, "Not" + "\x00" * 9 + "Found"))
    built = build(tmp_path, {"svc/nul.html": page})
    check_contained(built, clean_alone)
    assert codes(built, "svc/nul.html") == [int(c) for c, _, _ in ELEVEN if c != "404"]
    issue = check_reported(built, "svc/nul.html", "nul-character", line_of(page, "Not\x00"))
    assert issue["row_index"] == 7


def test_ansi_colour_sequences_in_one_cell_are_reported_and_printed_escaped(tmp_path: Path,
                                                                            clean_alone: Clean) -> None:  # noqa: F811
    page = html_page(with_cell(3, "\x1b[1mBold\x1b[0m " * 5))
    built = build(tmp_path, {"svc/ansi.html": page})
    check_contained(built, clean_alone)
    assert codes(built, "svc/ansi.html") == [int(c) for c, _, _ in ELEVEN]  # read as written
    issue = check_reported(built, "svc/ansi.html", "control-character", line_of(page, "\x1b[1mBold"))
    assert (issue["row_index"], issue["severity"]) == (3, "warning") and "\\x1b" in issue["message"]
    assert "\x1b" not in built.err


@pytest.mark.parametrize("data", [
    b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"<table><tr><td>200</td></tr></table>" * 40,
    b"\x1f\x8b\x08\x00" + b"# Status\n<table><tr><td>200</td></tr></table>\n" * 20,
    "<html><body><table><tr><td>200</td><td>OK</td></tr></table></body></html>".encode("utf-16-be"),
], ids=["zip", "gzip", "utf-16-without-bom"])
def test_binary_files_are_still_refused_by_signature_or_nul(tmp_path: Path, clean_alone: Clean,  # noqa: F811
                                                            data: bytes) -> None:
    built = build(tmp_path, {"svc/blob.md": data})
    check_contained(built, clean_alone)
    assert check_reported(built, "svc/blob.md", "unsupported-input")["message"] == "binary data, not a text page"


# --- one double-width row of a grid table ---------------------------------------------------------

def grid(rows: list[tuple[str, str]], pad: dict[str, int] | None = None) -> str:
    """A grid table padded by characters; ``pad`` overrides the padding of a cell (to make a row ragged)."""
    border = "+" + "-" * 13 + "+" + "-" * 16 + "+"
    lines = ["Status Codes", "============", "", border, "| Status Code | Description    |",
             "+" + "=" * 13 + "+" + "=" * 16 + "+"]
    for code, text in rows:
        spaces = (pad or {}).get(code, 12 - len(code))
        lines += [f"| {code}{' ' * spaces}| {text}{' ' * (15 - len(text))}|", border]
    return "\n".join(lines) + "\n"


SEVEN = [("200", "OK"), ("201", "Created"), ("400", "Bad Request"), ("409", "Conflict"), ("500", "Server Error"),
         ("503", "Unavailable")]


def test_a_grid_row_of_double_width_digits_costs_only_that_row(tmp_path: Path, clean_alone: Clean) -> None:  # noqa: F811
    """``| ４０４ |`` padded by characters: docutils (display width) refused the whole table."""
    rows = [*SEVEN[:3], ("\uff14\uff10\uff14", "Not Found"), *SEVEN[3:]]
    page = grid(rows)
    built = build(tmp_path, {"svc/wide.rst": page})
    check_contained(built, clean_alone)
    assert codes(built, "svc/wide.rst") == [int(c) for c, _ in SEVEN]
    issue = check_reported(built, "svc/wide.rst", "suspicious-character", line_of(page, "\uff14"))
    assert issue["row_index"] == 3
    assert not built.issues_of("svc/wide.rst")[1:]  # that row only: no malformed-table


def test_a_grid_row_that_lines_up_neither_way_is_the_only_one_lost(tmp_path: Path, clean_alone: Clean) -> None:  # noqa: F811
    rows = [*SEVEN[:3], ("\uff14\uff10\uff14", "Not Found"), *SEVEN[3:]]
    page = grid(rows, pad={"\uff14\uff10\uff14": 5})  # neither 9 spaces (characters) nor 6 (display width)
    built = build(tmp_path, {"svc/ragged.rst": page})
    check_contained(built, clean_alone)
    assert codes(built, "svc/ragged.rst") == [int(c) for c, _ in SEVEN]
    issue = check_reported(built, "svc/ragged.rst", "malformed-table", line_of(page, "\uff14"))
    assert "this row is not read" in issue["message"]
    assert [i["slug"] for i in built.issues_of("svc/ragged.rst")] == ["malformed-table"]


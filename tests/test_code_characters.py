"""Codes are what a reader sees (issue 12, items 7 and 8).

* Only ASCII digits make a status code: ``٤٠٤`` and ``４０４`` are not HTTP 404.
* Invisible, bidi and look-alike characters in a code are kept (error codes verbatim) or the
  cell is not read (status codes), and always reported as ``suspicious-character`` warnings.
* A status table with a few unreadable status cells keeps its good rows; the bad ones are
  warnings, so ``--strict`` fails.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main


def html_page(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A markdown page holding one HTML table, as the vendor's markdown exports do."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>\n" for row in rows)
    return f"# Codes\n\n<table><thead><tr>{head}</tr></thead>\n<tbody>{body}</tbody></table>\n"


def build(root: Path, out: Path, *extra: str) -> tuple[int, dict[str, list[dict[str, Any]]]]:
    code = main(["build", str(root), "--out", str(out), "--no-cache", "-j", "1", *extra])
    data = {name: json.loads((out / f"{name}.json").read_text("utf-8"))
            for name in ("status_codes", "error_codes", "issues", "tables")}
    return code, data


def slugs(issues: list[dict[str, Any]], severity: str = "warning") -> list[tuple[str, int | None]]:
    return [(i["slug"], i["row_index"]) for i in issues if i["severity"] == severity]


# --- item 7: only ASCII digits ----------------------------------------------------------------

@pytest.mark.parametrize("digits", ["\u0664\u0660\u0664", "\uff14\uff10\uff14", "\u096a\u0966\u096a"],
                         ids=["arabic-indic", "fullwidth", "devanagari"])
def test_non_ascii_digits_are_not_a_status_code(make_docs, tmp_path: Path, digits: str) -> None:  # type: ignore[no-untyped-def]
    root = make_docs({"svc/status.md": html_page(("Status Code", "Description"), [
        ("200", "OK"), (digits, "Not Found"), ("500", "Internal Server Error")])})
    code, data = build(root, tmp_path / "out", "--strict")
    assert code == 1
    assert [r["status_code"] for r in data["status_codes"]] == [200, 500]
    assert slugs(data["issues"]) == [("suspicious-character", 1)]
    message = data["issues"][0]["message"]
    assert f"U+{ord(digits[0]):04X}" in message and "row not extracted" in message


def test_non_ascii_digits_in_an_error_tables_status_column(make_docs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = make_docs({"svc/errors.md": html_page(("Status Code", "Error Code", "Error Message"), [
        ("400", "SVC.0001", "Bad parameter."), ("\uff14\uff10\uff14", "SVC.0002", "Not found.")])})
    _code, data = build(root, tmp_path / "out")
    assert [(r["error_code"], r["status_code"]) for r in data["error_codes"]] == [
        ("SVC.0001", 400), ("SVC.0002", None)]
    assert slugs(data["issues"]) == [("suspicious-character", 1)]


def test_non_ascii_digits_in_a_rowspan_are_not_a_number(make_docs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = ("# Codes\n\n<table><thead><tr><th>Status Code</th><th>Description</th></tr></thead>\n<tbody>"
            '<tr><td rowspan="\u0662">200</td><td>OK</td></tr>\n<tr><td>201</td><td>Created</td></tr>\n'
            "</tbody></table>\n")
    root = make_docs({"svc/status.md": page})
    code, data = build(root, tmp_path / "out", "--strict")
    assert code == 0 and [r["status_code"] for r in data["status_codes"]] == [200, 201]


# --- item 7: invisible and bidi characters --------------------------------------------------

INVISIBLE = {
    "zero-width-space": "\u200b", "zwnj": "\u200c", "zwj": "\u200d", "lrm": "\u200e", "rlm": "\u200f",
    "soft-hyphen": "\u00ad", "word-joiner": "\u2060", "bom": "\ufeff", "rlo": "\u202e", "lre": "\u202a",
    "rli": "\u2067", "pdi": "\u2069",
}


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_invisible_character_in_an_error_code_is_kept_and_reported(make_docs, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                   char: str) -> None:
    root = make_docs({"svc/errors.md": html_page(("Error Code", "Error Message"), [
        ("VPC.0001", "Bad parameter."), (f"VPC.00{char}02", "Not found.")])})
    code, data = build(root, tmp_path / "out", "--strict")
    assert code == 1
    assert [r["error_code"] for r in data["error_codes"]] == ["VPC.0001", f"VPC.00{char}02"]
    assert slugs(data["issues"]) == [("suspicious-character", 1)]
    assert f"U+{ord(char):04X}" in data["issues"][0]["message"]


def test_zero_width_space_in_an_rst_error_code_is_kept(make_docs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = ("Error Codes\n===========\n\n"
            "+------------+-----------------+\n"
            "| Error Code | Message         |\n"
            "+============+=================+\n"
            "| VPC.0001   | Bad parameter.  |\n"
            "+------------+-----------------+\n"
            "| VPC.00\u200b02  | Not found.      |\n"
            "+------------+-----------------+\n")
    root = make_docs({"svc/error_codes.rst": page})
    _code, data = build(root, tmp_path / "out")
    assert [r["error_code"] for r in data["error_codes"]] == ["VPC.0001", "VPC.00\u200b02"]
    assert slugs(data["issues"]) == [("suspicious-character", 1)]


@pytest.mark.parametrize("cell", ["4\u200b04", "\u200b404", "404\u2069"])
def test_invisible_character_in_a_status_cell_is_reported(make_docs, tmp_path: Path, cell: str) -> None:  # type: ignore[no-untyped-def]
    root = make_docs({"svc/status.md": html_page(("Status Code", "Description"), [
        ("200", "OK"), (cell, "Not Found")])})
    code, data = build(root, tmp_path / "out", "--strict")
    assert code == 1
    assert [r["status_code"] for r in data["status_codes"]] == [200]
    assert slugs(data["issues"]) == [("suspicious-character", 1)]


# --- item 8: a few unreadable status cells --------------------------------------------------

def test_status_table_with_unreadable_cells_keeps_its_good_rows(make_docs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = make_docs({"svc/status.md": html_page(("HTTP Status Code", "Description"), [
        ("400", "The request is invalid."), ("4O4", "The resource does not exist."),
        ("5OO", "The server failed.")])})
    code, data = build(root, tmp_path / "out", "--strict")
    assert code == 1
    assert [(r["status_code"], r["row_index"]) for r in data["status_codes"]] == [(400, 0)]
    assert slugs(data["issues"]) == [("not-a-status-code", 1), ("not-a-status-code", 2)]
    [table] = data["tables"]
    assert table["kind"] == "status_codes" and "by its header" in table["rule"]
    assert (table["rows_emitted"], table["rows_skipped"]) == (1, 2)


def test_error_table_with_unreadable_status_cells_keeps_the_good_statuses(make_docs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = make_docs({"svc/errors.md": html_page(("Error Code", "HTTP Status Code", "Error Message"), [
        ("SVC.0001", "400", "Bad parameter."), ("SVC.0002", "4O4", "Not found."),
        ("SVC.0003", "unknown", "Failed.")])})
    code, data = build(root, tmp_path / "out", "--strict")
    assert code == 1
    assert [(r["error_code"], r["status_code"]) for r in data["error_codes"]] == [
        ("SVC.0001", 400), ("SVC.0002", None), ("SVC.0003", None)]
    assert slugs(data["issues"]) == [("invalid-status-code", 1), ("invalid-status-code", 2)]


def test_a_table_that_is_not_a_code_table_is_still_one_skip(make_docs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = make_docs({"svc/states.md": html_page(("Status Code", "Description"), [
        ("ACTIVE", "The instance is running."), ("ERROR", "The instance failed.")])})
    code, data = build(root, tmp_path / "out", "--strict")
    assert code == 0
    assert data["status_codes"] == [] and data["tables"][0]["kind"] == "other"
    assert [(i["slug"], i["severity"]) for i in data["issues"]] == [("table-not-extracted", "skip")]

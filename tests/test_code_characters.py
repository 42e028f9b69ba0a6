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


# --- review of item 7: every default-ignorable character, and letters of another script ------------

#: Default-ignorable code points that are not format (Cf) characters: letters and marks to unicodedata.
IGNORABLE = {
    "cgj": "\u034f", "vs16": "\ufe0f", "vs1": "\ufe00", "hangul-choseong-filler": "\u115f",
    "hangul-jungseong-filler": "\u1160", "hangul-filler": "\u3164", "halfwidth-hangul-filler": "\uffa0",
    "mongolian-fvs1": "\u180b", "vs17": "\U000e0100", "tag-a": "\U000e0041", "khmer-aq": "\u17b4",
}


@pytest.mark.parametrize("char", IGNORABLE.values(), ids=IGNORABLE.keys())
def test_default_ignorable_character_in_an_error_code_is_reported_escaped(
        make_docs, tmp_path: Path, char: str) -> None:  # type: ignore[no-untyped-def]
    code_cell = f"VPC.00{char}02"
    root = make_docs({"svc/errors.md": html_page(("Error Code", "Error Message"), [
        ("VPC.0001", "Bad parameter."), (code_cell, "Not found.")])})
    code, data = build(root, tmp_path / "out", "--strict")
    assert code == 1
    assert [r["error_code"] for r in data["error_codes"]] == ["VPC.0001", code_cell]  # kept verbatim
    assert slugs(data["issues"]) == [("suspicious-character", 1)]
    message = data["issues"][0]["message"]
    assert f"U+{ord(char):04X}" in message and char not in message  # named, and printed escaped


@pytest.mark.parametrize("char", ["\u034f", "\ufe0f", "\u115f"], ids=["cgj", "vs16", "hangul-filler"])
def test_default_ignorable_character_in_a_status_cell_is_suspicious_not_garbage(
        make_docs, tmp_path: Path, capsys: pytest.CaptureFixture[str], char: str) -> None:  # type: ignore[no-untyped-def]
    root = make_docs({"svc/status.md": html_page(("Status Code", "Description"), [
        ("200", "OK"), (f"40{char}4", "Not Found"), ("500", "Internal Server Error")])})
    code, data = build(root, tmp_path / "out", "--strict")
    assert code == 1 and [r["status_code"] for r in data["status_codes"]] == [200, 500]
    assert slugs(data["issues"]) == [("suspicious-character", 1)]
    assert char not in data["issues"][0]["message"] and char not in capsys.readouterr().err


@pytest.mark.parametrize(("cell", "script"), [("V\u0420C.0004", "Cyrillic"), ("VPC.\u03bf004", "Greek"),
                                              ("\u0410ccessDenied", "Cyrillic")])
def test_a_latin_code_with_a_look_alike_letter_of_another_script_is_reported(
        make_docs, tmp_path: Path, cell: str, script: str) -> None:  # type: ignore[no-untyped-def]
    root = make_docs({"svc/errors.md": html_page(("Error Code", "Error Message"), [
        ("VPC.0001", "Bad parameter."), ("VPC.0002", "Not found."), (cell, "Look-alike.")])})
    code, data = build(root, tmp_path / "out", "--strict")
    assert code == 1
    assert [r["error_code"] for r in data["error_codes"]] == ["VPC.0001", "VPC.0002", cell]
    assert slugs(data["issues"]) == [("suspicious-character", 2)]
    message = data["issues"][0]["message"]
    assert f"{script} in a Latin code" in message and not any(ch in message for ch in cell if not ch.isascii())


def test_escape_controls_escapes_default_ignorable_characters() -> None:
    from pipeline.text import escape_controls

    assert escape_controls("a\u034fb\ufe0fc\u3164d\U000e0041") == "a\\u034fb\\ufe0fc\\u3164d\\U000e0041"


# --- review of item 8: the same rule for error-code cells --------------------------------------------

GOOD = [(f"VPC.000{i}", f"Message {i}.") for i in range(4)]
JUNK = [("see note", "Junk 1."), ("\u2014", "Junk 2."), ("VPC 0009", "Junk 3."), ("N/A", "Junk 4."),
        ("TBD", "Junk 5.")]


def test_error_table_with_unreadable_code_cells_keeps_its_good_rows(make_docs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """4 codes of 9 cells: the table was skipped whole (44 % < 60 %), --strict exited 0."""
    root = make_docs({"svc/errors.md": html_page(("Error Code", "Error Message"), GOOD + JUNK)})
    code, data = build(root, tmp_path / "out", "--strict")
    assert code == 1
    assert [(r["error_code"], r["message"]) for r in data["error_codes"]] == GOOD
    assert [(i["slug"], i["severity"], i["row_index"]) for i in data["issues"]] == [
        ("invalid-error-code", "warning", 4), ("no-error-code", "skip", 5), ("invalid-error-code", "warning", 6),
        ("no-error-code", "skip", 7), ("invalid-error-code", "warning", 8)]
    [table] = data["tables"]
    assert table["kind"] == "error_codes" and "by its header" in table["rule"]


def test_error_table_with_a_status_column_is_not_a_status_table(make_docs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """With a Status Code column it became a status table whose reasons were the error codes."""
    rows = [("400", code, text) for code, text in GOOD + JUNK]
    root = make_docs({"svc/errors.md": html_page(("Status Code", "Error Code", "Error Message"), rows)})
    code, data = build(root, tmp_path / "out", "--strict")
    assert code == 1 and data["status_codes"] == []
    assert [(r["error_code"], r["status_code"], r["message"]) for r in data["error_codes"]] == [
        (c, 400, t) for c, t in GOOD]
    assert [i["slug"] for i in data["issues"] if i["severity"] == "warning"] == ["invalid-error-code"] * 3


def test_unreadable_code_cells_are_not_exported_as_error_codes(make_docs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """6 good codes of 9 (67 %): 'see note', 'Error code TBD' and 'N/A' were exported as codes, 0 issues."""
    good = [(f"VPC.000{i}", "400", f"M{i}.") for i in range(6)]
    rows = [*good, ("see note", "400", "x."), ("Error code TBD", "400", "y."), ("N/A", "400", "z.")]
    root = make_docs({"svc/errors.md": html_page(("Error Code", "HTTP Status Code", "Error Message"), rows)})
    code, data = build(root, tmp_path / "out", "--strict")
    assert code == 1
    assert [r["error_code"] for r in data["error_codes"]] == [c for c, _, _ in good]
    assert slugs(data["issues"]) == [("invalid-error-code", 6), ("invalid-error-code", 7)]
    assert slugs(data["issues"], "skip") == [("no-error-code", 8)]


def test_a_row_after_an_unreadable_code_continues_nothing(make_docs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = make_docs({"svc/errors.md": html_page(("Error Code", "Error Message"), [
        ("VPC.0001", "One."), ("VPC.0002", "Two."), ("TBD", "Unknown."), ("", "More about the unknown one.")])})
    _code, data = build(root, tmp_path / "out")
    assert [(r["error_code"], r["message"]) for r in data["error_codes"]] == [
        ("VPC.0001", "One."), ("VPC.0002", "Two.")]
    assert slugs(data["issues"]) == [("invalid-error-code", 2)] and slugs(data["issues"], "skip") == [
        ("no-error-code", 3)]


@pytest.mark.parametrize("cell", ["RMS.INTERNAL.ERROR", "DIS.5000 to DIS.5999", "IncorrectNumberOf FilesInPostRequest"])
def test_the_docs_odd_but_real_codes_stay_codes(make_docs, tmp_path: Path, cell: str) -> None:  # type: ignore[no-untyped-def]
    root = make_docs({"svc/errors.md": html_page(("Error Code", "Error Message"), [
        ("VPC.0001", "One."), ("VPC.0002", "Two."), (cell, "Odd.")])})
    code, data = build(root, tmp_path / "out", "--strict")
    assert code == 0 and [r["error_code"] for r in data["error_codes"]][-1] == cell

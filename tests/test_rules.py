"""Each named rule alone, on its example from the corpus, and each tuple's order."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline import problems
from pipeline.building import build
from pipeline.cli import build_command, main
from pipeline.incremental.plan import (
    PLAN_RULES,
    BuildRequest,
    Decision,
    Mode,
    PlanFacts,
    discovery_problem,
    inputs_current,
    plan_build,
)
from pipeline.incremental.stat_index import input_digests
from pipeline.model import Cell, Issue, Location, RawRow
from pipeline.normalize import error_rows, status_rows
from pipeline.normalize.error_rows import ERROR_ROW_RULES, ErrorCode, ErrorRow, Merge, RecordGroup
from pipeline.normalize.status_rows import STATUS_ROW_RULES, Codes, Skip, StatusRow
from pipeline.parsers import rst
from pipeline.parsers.grid import expand_spans, merge_header_rows
from pipeline.rules import Rules
from pipeline.schema import STATUS_CODES
from pipeline.sources import Discovery, discover


def row(*texts: str | Cell, line: int = 1) -> RawRow:
    return RawRow(line, tuple(t if isinstance(t, Cell) else Cell(t) for t in texts))


# --- status-code rows: columns Status Code | Message | Description (reason in column 1) -------


def status_row(raw: RawRow, previous: Codes | None = None) -> StatusRow:
    reason = raw.cells[1].text.strip() or None if len(raw.cells) > 1 else None
    return StatusRow(raw, 0, reason, previous)


def test_status_row_rules_order() -> None:
    assert STATUS_ROW_RULES.names == (
        "blank_row", "section_divider", "continuation", "suspicious_status_cell", "no_status_code", "status_class",
        "status_out_of_range", "own_status_codes")


def test_status_blank_row() -> None:
    decision = status_rows.blank_row(status_row(row("", " ", "")))
    assert decision == Skip(problems.EMPTY_ROW, "row has no text")
    assert status_rows.blank_row(status_row(row("400", "", ""))) is None


def test_status_section_divider() -> None:
    divider = row("Common errors", Cell("Common errors", colspan_copy=True), Cell("Common errors", colspan_copy=True))
    decision = status_rows.section_divider(status_row(divider))
    assert decision is not None and decision.kind is problems.SECTION_DIVIDER
    assert status_rows.section_divider(status_row(row("400", "Bad Request", "x"))) is None


def test_status_continuation_of_the_row_above() -> None:
    # elb/status_codes.rst: | 400 | Bad Request | Invalid request URI. | then |  |  | Too long request header. |
    above = Codes((400,), "Bad Request", "Bad Request")
    follow = row("", "", "Too long request header.")
    assert status_rows.continuation(status_row(follow, above)) == Codes((400,), "Bad Request", None)
    alone = status_rows.continuation(status_row(follow, None))
    assert isinstance(alone, Skip) and alone.kind is problems.NO_STATUS_CODE and not alone.ends_group
    assert status_rows.continuation(status_row(row("400", "Bad Request", "x"), above)) is None


def test_status_suspicious_cell() -> None:
    decision = status_rows.suspicious_status_cell(status_row(row("\u0664\u0660\u0664", "Not Found", "x")))
    assert decision is not None and decision.kind is problems.SUSPICIOUS_CHARACTER and decision.ends_group
    assert "U+0664 ARABIC-INDIC DIGIT FOUR" in decision.message
    assert status_rows.suspicious_status_cell(status_row(row("404", "Not Found", "x"))) is None


def test_status_cell_with_no_code() -> None:
    decision = status_rows.no_status_code(status_row(row("4O4", "Not Found", "x")))
    assert decision == Skip(problems.NOT_A_STATUS_CODE, "status cell '4O4' holds no HTTP status code", ends_group=True)
    assert status_rows.no_status_code(status_row(row("404", "Not Found", "x"))) is None


def test_status_class() -> None:
    # obs/status_codes.rst: | 2xx | Indicates that the server has successfully returned the requested data. |
    decision = status_rows.status_class(status_row(row("2xx", "", "Indicates that the server has ...")))
    assert decision is not None and decision.kind is problems.STATUS_CLASS and decision.message.startswith("'2xx'")
    assert status_rows.status_class(status_row(row("200", "OK", "x"))) is None


def test_status_out_of_range() -> None:
    decision = status_rows.status_out_of_range(status_row(row("600", "", "x")))
    assert decision == Skip(problems.INVALID_STATUS_CODE, "600 is outside 100-599", ends_group=True)
    assert status_rows.status_out_of_range(status_row(row("404", "", "x"))) is None


def test_own_status_codes_prefer_the_reason_column() -> None:
    assert status_rows.own_status_codes(status_row(row("400", "Bad Request", "x"))) == \
        Codes((400,), "Bad Request", "Bad Request")
    # No reason column text: the cell's own phrase is the documented reason.
    assert status_rows.own_status_codes(status_row(row("400 Bad Request", "", "x"))) == \
        Codes((400,), "Bad Request", None)
    assert status_rows.own_status_codes(status_row(row("400/404", "", "x"))) == Codes((400, 404), None, None)


def test_a_bad_status_cell_ends_a_run_of_continuation_rows() -> None:
    """The rules decide in order: a bad code decides before the continuation of nothing is looked at."""
    decision = STATUS_ROW_RULES.decide(status_row(row("2xx", "", "x"), Codes((400,), None, None)))
    assert isinstance(decision, Skip) and decision.kind is problems.STATUS_CLASS and decision.ends_group


# --- error-code rows: columns Module | Status | Message | Error Code | Description ------------

COLUMNS: dict[error_rows.Role, list[int]] = {"module": [0], "message": [2], "description": [4], "solution": []}


def error_row(raw: RawRow, above: RecordGroup | None = None) -> ErrorRow:
    return ErrorRow(raw, 3, COLUMNS, above)


def opened(code: str = "ELB.8902") -> RecordGroup:
    return RecordGroup(0, 1, code, (400,), "400", {"module": "Public", "message": "Bad request",
                                              "description": "Malformed request URI or body.", "solution": None})


def test_error_row_rules_order() -> None:
    assert ERROR_ROW_RULES.names == (
        "blank_row", "section_divider", "placeholder_code", "sentence_in_code_cell", "unreadable_code",
        "continues_nothing", "continues_row_above", "own_error_code")


def test_error_blank_row_and_divider() -> None:
    assert error_rows.blank_row(error_row(row("", "", "", "", ""))) == Skip(problems.EMPTY_ROW, "row has no text")
    divider = row("Common errors", *(Cell("Common errors", colspan_copy=True) for _ in range(4)))
    decision = error_rows.section_divider(error_row(divider))
    assert decision is not None and decision.kind is problems.SECTION_DIVIDER
    assert error_rows.section_divider(error_row(row("Public", "400", "Bad request", "ELB.8902", "x"))) is None


def test_placeholder_code() -> None:
    # elb/elb_zq_bq_0013.html: | 500 | - | ... |: a status documented without a service error code.
    decision = error_rows.placeholder_code(error_row(row("", "500", "System error", "-", "x")))
    assert decision == Skip(problems.NO_ERROR_CODE,
                            "the error-code cell says '-': this row documents no service error code")
    assert error_rows.placeholder_code(error_row(row("", "500", "System error", "ELB.5000", "x"))) is None
    assert error_rows.placeholder_code(error_row(row("", "", "", "", "more text"))) is None
    spanned = row("", "", "", Cell("-", spanned=True), "x")  # a rowspan copy of a placeholder is not one
    assert error_rows.placeholder_code(error_row(spanned)) is None


def test_sentence_in_code_cell() -> None:
    sentence = "If other error codes cannot be rectified, contact technical support."  # ocr/error_codes.rst
    decision = error_rows.sentence_in_code_cell(error_row(row("", "", "", sentence, "")))
    assert decision is not None and decision.kind is problems.NOT_AN_ERROR_CODE
    assert error_rows.sentence_in_code_cell(error_row(row("", "", "", "DIS.5000 to DIS.5999", ""))) is None


def test_continues_nothing() -> None:
    follow = row("", "", "", "", "Invalid parameters.")
    decision = error_rows.continues_nothing(error_row(follow, None))
    assert decision == Skip(problems.NO_ERROR_CODE, "row has no error code and continues no row above")
    # A rowspan copy of the code cell is not a code of the row's own; with no text either, nothing is continued.
    copy = row(Cell("Public", spanned=True), "", "", Cell("ELB.8902", spanned=True), "")
    assert error_rows.continues_nothing(error_row(copy, opened())) is not None
    assert error_rows.continues_nothing(error_row(follow, opened())) is None


def test_continues_row_above() -> None:
    # elb/http_status_codes_for_dedicated_load_balancers.rst: ELB.8902's second line, "Invalid parameters."
    decision = error_rows.continues_row_above(error_row(row("", "", "", "", "Invalid parameters."), opened()))
    assert decision == Merge({"module": None, "message": None, "description": "Invalid parameters.",
                              "solution": None})
    assert error_rows.continues_row_above(error_row(row("", "403", "Forbidden", "ELB.8903", "x"), opened())) is None


def test_own_error_code() -> None:
    decision = error_rows.own_error_code(error_row(row("Public", "400", "Bad request", " ELB.8902\n", "x")))
    assert decision == ErrorCode("ELB.8902")
    assert error_rows.own_error_code(error_row(row("", "", "", "", "x"))) is None


def test_rules_decide_in_order_and_the_end_is_a_bug() -> None:
    def never(_: int) -> str | None:
        return None

    def small(n: int) -> str | None:
        return "small" if n < 10 else None

    def anything(_: int) -> str | None:
        return "anything"

    assert Rules((never, small, anything)).decide(3) == "small"
    assert Rules((never, small, anything)).decide(30) == "anything"
    with pytest.raises(AssertionError, match="no rule decided 30"):
        Rules((never, small)).decide(30)


# --- pipeline build: its argument checks and its plan -------------------------------------------


def build_args(tmp_path: Path, *argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    build_command.add_parser(parser.add_subparsers())
    return parser.parse_args(["build", str(tmp_path), "--out", str(tmp_path / "out"), *argv])


def test_argument_rules(tmp_path: Path) -> None:
    assert build_command.ARGUMENT_RULES.names == (
        "input_is_a_file", "input_is_missing", "too_few_jobs", "too_few_page_bytes")
    assert build_command.ARGUMENT_RULES.first(build_args(tmp_path)) is None
    page = tmp_path / "status-codes.md"
    page.write_text("x", "utf-8")
    a_file = build_command.input_is_a_file(build_args(page))
    assert a_file is not None and str(a_file).startswith(f"{page}: is a file; ROOT must be a folder")
    missing = build_command.input_is_missing(build_args(tmp_path / "raw-docs"))
    assert missing is not None and "does not exist" in str(missing)
    jobs = build_command.too_few_jobs(build_args(tmp_path, "-j", "0"))
    assert jobs is not None and str(jobs) == "--jobs must be at least 1, not 0"


def test_entry_rules_order(tmp_path: Path) -> None:
    """What discovery does with each entry: hidden first (a hidden page is skipped), names before links."""
    from pipeline.sources import ENTRY_RULES

    assert ENTRY_RULES.names == (
        "hidden_entry", "not_documentation", "bad_name", "symbolic_link", "build_folder", "excluded", "folder",
        "special_file", "outside_service_folder", "page")
    for rel in (".hidden/page.md", "svc/.page.md", "svc/logo.png", "svc/_build/page.md", "index.rst", "svc/page.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("<table></table>", "utf-8")
    found = discover(tmp_path)
    assert [s.source_path for s in found.sources] == ["svc/page.md"] and found.issues == []
    census = found.census
    assert (census.files, census.hidden, census.outside_service_folder, census.not_documentation) == (
        4, 1, 1, (("png", 1),))
    assert census.folders == (("build output", 1), ("hidden", 1))


def facts(tmp_path: Path, *argv: str, digests: dict[str, str] | None = None,
          found: list[Issue] | None = None) -> PlanFacts:
    return PlanFacts(build_command.request_of(build_args(tmp_path, *argv)), Discovery([], found or []), digests)


def test_build_plan_rules(tmp_path: Path, make_docs: Callable[[dict[str, str]], Path]) -> None:
    assert PLAN_RULES.names == (
        "check_requested", "force_requested", "discovery_problem", "inputs_current", "inputs_changed")
    assert PLAN_RULES.decide(facts(tmp_path, "--check", digests={})) == Decision(
        Mode.CHECK, "--check compares a fresh build with --out")
    assert PLAN_RULES.decide(facts(tmp_path, "--force")) == Decision(Mode.INCREMENTAL, "--force rebuilds every page")
    link = problems.SYMLINK_SKIPPED.at(Location("nat/link.md"), "symbolic link not followed")
    assert discovery_problem(facts(tmp_path, digests={}, found=[link])) == Decision(
        Mode.INCREMENTAL, "discovery found problems, which no page digest records")
    assert PLAN_RULES.decide(facts(tmp_path, digests={"nat/a.md": "0" * 64})).mode is Mode.INCREMENTAL
    # A dataset built from these very pages is current: nothing to do, and the plan says so.
    docs = make_docs({"nat/status-codes.md": "| Status Code | Description |\n|---|---|\n| 200 | OK |\n"})
    out = tmp_path / "out"
    assert main(["build", str(docs), "--out", str(out), "--no-cache", "-q"]) == 0
    request = BuildRequest(docs, out, store_dir=None)
    assert inputs_current(PlanFacts(request, discover(docs), input_digests(docs, discover(docs), None))) == \
        Decision(Mode.UP_TO_DATE, "every page is as --out was built from")
    plan = plan_build(request, discover(docs))
    assert (plan.mode, plan.store) == (Mode.UP_TO_DATE, None) and plan.digests is not None
    assert plan_build(BuildRequest(docs, out, csv_safe=True, store_dir=None), discover(docs)).mode is \
        Mode.INCREMENTAL  # written without --csv-safe
    stored = plan_build(BuildRequest(docs, out, check=True, store_dir=tmp_path / "c"), discover(docs))
    assert stored.mode is Mode.CHECK and stored.store is not None and stored.digests is not None
    assert plan_build(BuildRequest(docs, out, check=True, store_dir=None), discover(docs)).digests is None


# --- RST: the line rules of find_table_blocks ---------------------------------------------------


def scan_at(lines: list[str], i: int = 0) -> rst.BlockScan:
    scan = rst.BlockScan(lines, "obs/status_codes.rst")
    scan.look_at(i)
    return scan


def test_line_rules_order() -> None:
    assert rst.LINE_RULES.names == (
        "opaque_directive", "table_directive", "other_directive", "literal_block", "cut_off_table", "table_block",
        "text_line")


def test_opaque_directive_skips_its_body_and_reports_what_would_insert() -> None:
    code = [".. code-block:: json", "", "   +---+", "   | x |", "   +---+", "", "after"]
    scan = scan_at(code)
    assert rst.opaque_directive(scan) == 6 and scan.problems == []
    include = scan_at([".. include:: /etc/passwd", "next"])
    assert rst.opaque_directive(include) == 1
    assert [(p.slug, p.location.line) for p in include.problems] == [("directive-not-executed", 1)]
    assert rst.opaque_directive(scan_at([".. note::", "   text"])) is None


def test_table_directive_titles_the_table_under_it() -> None:
    # obs/status_codes.rst
    scan = scan_at([".. table:: **Table 1** Status codes", "", "   +---+"])
    assert rst.table_directive(scan) == 1 and scan.pending_title == (0, "Status codes")
    assert rst.table_directive(scan_at([".. note::"])) is None


def test_other_directive_is_one_line_of_markup() -> None:
    assert rst.other_directive(scan_at([".. note::", "   The body is text."])) == 1
    assert rst.other_directive(scan_at(["Status Codes"])) is None


def test_literal_block_is_skipped() -> None:
    assert rst.literal_block(scan_at(["Example request::", "", "   +---+", "   | a |", "", "Text"])) == 5
    assert rst.literal_block(scan_at([".. code::"])) is None  # a directive is the directive rules' business
    assert rst.literal_block(scan_at(["Status Codes"])) is None


def test_table_block_cuts_the_table_out_with_its_title() -> None:
    lines = [".. table:: **Table 1** Status codes", "", "   +-----+----+", "   | 200 | OK |", "   +-----+----+", "x"]
    scan = scan_at(lines)
    scan.i = rst.table_directive(scan) or 0
    scan.look_at(2)
    assert rst.table_block(scan) == 5
    (block,) = scan.blocks
    assert (block.kind, block.start, block.lines, block.title) == (
        "grid", 2, ["+-----+----+", "| 200 | OK |", "+-----+----+"], "Status codes")
    assert scan.pending_title is None


def test_cut_off_table_is_reported_and_skipped() -> None:
    scan = scan_at(["+-----+----+", "| 200 | OK |", "| 404 | No |", "", "text"])
    assert rst.table_block(scan) is None
    assert rst.cut_off_table(scan) == 3 and scan.blocks == []
    assert [(p.slug, p.location.line) for p in scan.problems] == [("unterminated-table", 1)]
    lone = scan_at(["+-----+", "", "text"])  # a border that starts no table is text
    assert rst.cut_off_table(lone) is None and rst.table_block(lone) is None and lone.problems == []
    closed = scan_at(["+-----+----+", "| 200 | OK |", "+-----+----+"])
    assert rst.cut_off_table(closed) is None


def test_table_block_reports_rows_after_its_last_border() -> None:
    scan = scan_at(["+-----+----+", "| 200 | OK |", "+-----+----+", "| 404 | No |", "", "text"])
    assert rst.table_block(scan) == 3 and len(scan.blocks) == 1
    assert [(p.slug, p.location.line) for p in scan.problems] == [("unterminated-table", 4)]


def test_text_line_remembers_the_table_label() -> None:
    scan = scan_at(["**Table 2** Error codes"])
    assert rst.text_line(scan) == 1 and scan.last_paragraph == "**Table 2** Error codes"


# --- RST: why a grid is not plain ---------------------------------------------------------------

PLAIN = ["+-----+----+", "| 200 | OK |", "+=====+====+", "| 404 | No |", "+-----+----+"]


def test_plain_grid_refusals_order() -> None:
    assert rst.PLAIN_GRID_REFUSALS.names == (
        "too_few_boundaries", "wide_characters", "ragged_edge", "spanning_border", "spanning_cell",
        "misplaced_header_border", "empty_row", "open_bottom")
    assert rst.PLAIN_GRID_REFUSALS.first(rst.PlainGrid(PLAIN)) is None
    assert rst.parse_plain_grid(PLAIN) == ([[(0, 0, 1, ["200"]), (0, 0, 1, ["OK"])]],
                                           [[(0, 0, 3, ["404"]), (0, 0, 3, ["No"])]])


@pytest.mark.parametrize(("rule", "lines"), [
    ("too_few_boundaries", ["+----------", "| x"]),
    ("wide_characters", ["+------+", "| 中文 |", "+------+"]),
    ("ragged_edge", ["+-----+----+", "| 200 | OK  |", "+-----+----+"]),
    # docutils' own example of a cell spanning rows: its border stops at the cell
    ("spanning_border", ["+-----+----+", "| 400 | a  |", "+-----+    |", "|     | b  |", "+-----+----+"]),
    ("spanning_cell", ["+-----+----+", "| spans two|", "+-----+----+"]),
    ("misplaced_header_border", ["+-----+----+", "| a   | b  |", "+=====+====+", "| c   | d  |", "+=====+====+"]),
    ("empty_row", ["+-----+----+", "+-----+----+", "| a   | b  |", "+-----+----+"]),
    ("open_bottom", ["+-----+----+", "| a   | b  |", "+-----+----+", "| c   | d  |"]),
])
def test_plain_grid_refusal(rule: str, lines: list[str]) -> None:
    grid = rst.PlainGrid(lines)
    assert getattr(rst, rule)(grid) is not None
    assert rst.PLAIN_GRID_REFUSALS.first(grid) == getattr(rst, rule)(grid)
    assert rst.parse_plain_grid(lines) is None


# --- grid.py: spans and headers for both parsers ------------------------------------------------


def test_merge_header_rows() -> None:
    # Two header rows, the first spanning two columns: "Status Code | Reason" under "HTTP".
    grid = expand_spans([[("HTTP", 1, 2), ("Description", 2, 1)], [("Status Code", 1, 1), ("Reason", 1, 1)]])
    assert merge_header_rows(grid) == ("HTTP Status Code", "HTTP Reason", "Description")


def rst_spans_page() -> str:
    """A grid whose one cell spans 499 columns and 500 rows: 250,500 cells once expanded."""
    columns, rows = 500, 500
    lines = ["Spans", "=====", "", "+" + "-+" * columns, "|" + "a|" * columns, "+" + "-+" * columns]
    inner = " " * (2 * columns - 3)
    for number in range(rows):
        lines.append("|x|" + inner + "|")
        lines.append("+-+" + (inner + "|" if number < rows - 1 else "-" * (2 * columns - 3) + "+"))
    border = "+-------------+-------------+"
    return "\n".join([*lines, "", border, "| Status Code | Description |", border.replace("-", "="),
                      "| 404         | Not Found   |", border, ""])


def test_rst_table_too_large_is_reported_per_table(make_docs: Callable[[dict[str, str]], Path]) -> None:
    """Before: SpanLimitError failed the whole page, reported with the unregistered slug ``error``."""
    dataset = build(make_docs({"svc/spans.rst": rst_spans_page()}))
    assert [(i.slug, i.severity, i.location.line, i.location.table_index) for i in dataset.issues] == [
        ("table-too-large", "error", 4, 0)]
    assert [r.status_code for r in dataset.records_of(STATUS_CODES)] == [404]

"""Unit tests for each named piece of vendor knowledge, with the real examples from the corpus."""

from __future__ import annotations

import pytest
from lxml import etree

from pipeline.model import Cell, RawRow, RawTable
from pipeline.normalize.characters import skeleton, suspicious_characters
from pipeline.normalize.columns import (
    header_key,
    is_status_column_by_header,
    looks_like_error_code,
    plan_table,
    profile,
)
from pipeline.normalize.httpstatus import (
    StatusCell,
    canonical_reason,
    category,
    is_known_phrase,
    looks_like_reason_phrase,
    parse_status_cell,
)
from pipeline.normalize.status_rows import is_continuation_row, is_section_divider
from pipeline.parsers.common import strip_table_label
from pipeline.parsers.grid import expand_spans
from pipeline.parsers.html import cell_text
from pipeline.parsers.rst import rst_inline_text
from pipeline.text import clean_cell, collapse_whitespace


@pytest.mark.parametrize(("cell", "expected"), [
    ("200", StatusCell((200,))),
    ("400 Bad Request", StatusCell((400,), "Bad Request")),
    ("201 OK", StatusCell((201,), "OK")),
    ("300 multiple choices", StatusCell((300,), "multiple choices")),
    ("401Unauthorized", StatusCell((401,), "Unauthorized")),  # html/obs/error-code-list.md
    ("500 internal Server Error", StatusCell((500,), "internal Server Error")),
    ("400/404", StatusCell((400, 404))),
    ("400/409/500", StatusCell((400, 409, 500))),
    ("400, 409", StatusCell((400, 409))),
    ("2xx", StatusCell(code_class="2xx")),
    ("4XX", StatusCell(code_class="4XX")),
])
def test_parse_status_cell(cell: str, expected: StatusCell) -> None:
    assert parse_status_cell(cell) == expected


@pytest.mark.parametrize("cell", ["", "4000", "N/A", "-", "Bad Request", "VPC.0002", "10000000", "4.5",
                                  # only ASCII digits are digits (issue 12, item 7)
                                  "\u0664\u0660\u0664", "\uff14\uff10\uff14", "40\u0664", "\u200b404",
                                  "400/\u0664\u0660\u0664"])
def test_parse_status_cell_rejects(cell: str) -> None:
    assert parse_status_cell(cell) is None


def test_canonical_reason_and_category() -> None:
    assert canonical_reason(500, "internal Server Error") == "Internal Server Error"
    assert canonical_reason(413, "Payload Too Large") == "Content Too Large"  # the IANA registry since RFC 9110
    assert canonical_reason(599, "Network Timeout") == "Network Timeout"
    assert canonical_reason(599, None) == "Unassigned"
    assert [category(c) for c in (101, 204, 307, 404, 503)] == [
        "informational", "success", "redirection", "client_error", "server_error"]


@pytest.mark.parametrize("code, phrase", [
    (413, "Content Too Large"), (414, "URI Too Long"), (416, "Range Not Satisfiable"), (418, "(Unused)"),
    (422, "Unprocessable Content"), (306, "(Unused)"), (510, "Not Extended (OBSOLETED)")])
def test_reasons_follow_the_iana_registry_of_rfc_9110(code: int, phrase: str) -> None:
    """The registry's wording today, whatever phrase the page prints (issue 17 item 5: the 3.11 phrases were
    RFC 7231's)."""
    assert canonical_reason(code, "Whatever The Page Says") == phrase


def test_every_older_python_phrase_is_todays_or_a_listed_earlier_one() -> None:
    """CPython 3.11's ``http.HTTPStatus`` (RFC 7231's wording) differs from the frozen table only where
    ``EARLIER_REASONS`` says so: no code was dropped or renamed by accident."""
    from http import HTTPStatus

    from pipeline.normalize.httpstatus import CANONICAL_REASONS, EARLIER_REASONS

    for status in HTTPStatus:
        assert status.value in CANONICAL_REASONS, status
        assert status.phrase == CANONICAL_REASONS[status.value] or \
            status.phrase in EARLIER_REASONS.get(status.value, ()), status


@pytest.mark.parametrize("code, wording, verdict", [
    (500, "Internal Server Error", "registry"), (500, "internal Server Error", "spelling"),
    (204, "NoContent", "spelling"), (408, "Request Time-out", "earlier_registry"),
    (413, "Request Entity Too Large", "earlier_registry"), (422, "Unprocessable Entity", "earlier_registry"),
    (429, "overLimit", "non_standard"), (504, "Server Timeout", "non_standard"), (499, "Closed", "unregistered_code"),
])
def test_wording_verdict(code: int, wording: str, verdict: str) -> None:
    from pipeline.normalize.httpstatus import wording_verdict

    assert wording_verdict(code, wording) == verdict


@pytest.mark.parametrize("phrase", ["Method Not  Allowed", "NoContent", "Request Time-out", "ServerTimeout",
                                    "overLimit", "Bad request", "Request Entity Too Large", "Unprocessable Entity",
                                    "I'm a Teapot", "Range Not Satisfiable"])
def test_known_phrases(phrase: str) -> None:
    """Today's registry phrases and the earlier ones both read as phrases (a column of them is a reason column)."""
    assert is_known_phrase(phrase)


def test_reason_phrase_vs_sentence() -> None:
    assert looks_like_reason_phrase("Bad Request")
    assert looks_like_reason_phrase("Continue")
    assert not looks_like_reason_phrase("The server failed to process the request.")
    assert not looks_like_reason_phrase("Internal IaaS OpenStack network error.")


@pytest.mark.parametrize("code", ["VPC.0002", "APIGW.0101", "Ecs.0001", "badRequest", "SVCSTG_AMS_4000001",
                                  "CCI.01.400101", "10000000", "AccessDenied", "DRS.M00002"])
def test_error_code_tokens(code: str) -> None:
    assert looks_like_error_code(code)


@pytest.mark.parametrize("text", ["404", "The VPC does not exist.", "Bad Request", "OK", "Continue",
                                  "VPC.\u0660\u0660\u0660\u0662", "\u0661\u0660\u0660\u0660\u0660"])
def test_not_error_code_tokens(text: str) -> None:
    assert not looks_like_error_code(text)


def test_header_key() -> None:
    assert header_key("Handling Suggestions (Optional)") == "handling suggestions"
    assert header_key(" Status Code & Message ") == "status code & message"
    assert header_key("Description.") == "description"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> RawTable:
    return RawTable(0, 1, None, header, tuple(RawRow(i + 2, tuple(Cell(t) for t in r)) for i, r in enumerate(rows)))


def test_column_roles_vpcep_error_code_column_is_description() -> None:
    # html/vpcep/status-code.md: the "Error Code" column holds descriptions.
    plan = plan_table(_table(("Status Code", "Returned Value", "Error Code"), [
        ("200", "OK", "The results of POST, GET, and PUT operations are returned as expected."),
        ("204", "No Content", "The results of the DELETE operation are returned as expected."),
    ]))
    assert plan.kind == "status_codes"
    assert plan.roles == ("status", "reason", "description")


def test_column_roles_description_holding_phrases_is_reason() -> None:
    # Status Code | Description with values OK, Bad Request, overLimit.
    plan = plan_table(_table(("Status Code", "Description"), [("200", "OK"), ("400", "Bad Request"),
                                                            ("413", "overLimit")]))
    assert plan.roles == ("status", "reason")


def test_column_roles_duplicate_description_headers() -> None:
    # rst/cfw/status_code.rst: Status Code | Description | Description.
    plan = plan_table(_table(("Status Code", "Description", "Description"), [
        ("200", "OK", "The request has succeeded."), ("204", "No Content", "The server has fulfilled it."),
    ]))
    assert plan.roles == ("status", "reason", "description")


def test_column_roles_returned_value_holding_error_codes() -> None:
    # html/bms/error-codes.md: "Returned Value" holds BMS.0001.
    plan = plan_table(_table(("HTTP Status Code", "Returned Value", "Description", "Error Message",
                              "Handling Measure"), [
        ("400", "BMS.0001", "Invalid parameter.", "Parameter error.", "Check the parameter."),
        ("500", "BMS.0002", "System error.", "Internal error.", "Contact support."),
    ]))
    assert plan.kind == "error_codes"
    assert plan.roles == ("status", "error_code", "description", "message", "solution")


def test_is_status_column_by_header() -> None:
    # The docstring's example: HTTP Status Code | 400, 4O4, 5OO (letters O for zeros).
    damaged = profile(["400", "4O4", "5OO"])
    assert damaged.status < 0.6 and is_status_column_by_header("http status code", damaged)
    # A generic header still needs the 60 % content rule; no readable cell, no status column.
    assert not is_status_column_by_header("status", damaged)
    assert not is_status_column_by_header("status code", profile(["ACTIVE", "ERROR", "BUILD"]))
    assert not is_status_column_by_header("status code", profile(["4O4", "\u0664\u0660\u0664", "999"]))
    plan = plan_table(_table(("HTTP Status Code", "Description"), [
        ("400", "The request is invalid."), ("4O4", "Not there."), ("5OO", "The server failed.")]))
    assert plan.kind == "status_codes" and plan.roles == ("status", "description")
    assert plan.rule.startswith("status column 'HTTP Status Code' by its header: 33%")


def test_suspicious_characters_and_skeleton() -> None:
    assert suspicious_characters("VPC.0002") == [] and suspicious_characters("Caf\u00e9") == []
    assert suspicious_characters("\u200b4\u200b04\u202e") == ["U+200B ZERO WIDTH SPACE",
                                                               "U+202E RIGHT-TO-LEFT OVERRIDE"]
    assert suspicious_characters("\uff14\u00ad") == ["U+FF14 FULLWIDTH DIGIT FOUR", "U+00AD SOFT HYPHEN"]
    assert skeleton("\u0664\u0660\u0664") == "404" and skeleton("\uff36PC.00\u200b02") == "VPC.0002"
    # A column of look-alike status cells is found (and each row then reported, not read).
    plan = plan_table(_table(("Code", "Description"), [("\u0664\u0660\u0664", "Not Found")]))
    assert plan.kind == "status_codes"


def test_table_without_codes_is_other() -> None:
    plan = plan_table(_table(("Parameter", "Mandatory", "Type"), [("name", "Yes", "String")]))
    assert plan.kind == "other"
    assert "no column" in plan.rule


def test_clean_cell() -> None:
    assert clean_cell(" - ") is None
    assert clean_cell("\u00a0OK\n") == "OK"
    # A zero-width space is not whitespace: cleanup never deletes it (issue 12, item 7).
    assert collapse_whitespace(" VPC.00\u200b02 ") == "VPC.00\u200b02"
    assert collapse_whitespace("Method Not  Allowed") == "Method Not Allowed"


def test_cell_text_joins_paragraphs_with_one_space() -> None:
    cell = etree.fromstring("<td><p>Bad</p><p>Request</p><ul><li>one</li><li>two</li></ul>x<br/>y</td>")
    assert cell_text(cell) == "Bad Request one two x y"
    assert cell_text(etree.fromstring("<th><strong>Status</strong> Code</th>")) == "Status Code"


def test_expand_spans_rowspan_marks_copies() -> None:
    grid = expand_spans([[("400", 3, 1), ("a", 1, 1)], [("b", 1, 1)], [("c", 1, 1)]])
    assert [[c.text for c in row] for row in grid] == [["400", "a"], ["400", "b"], ["400", "c"]]
    assert [row[0].spanned for row in grid] == [False, True, True]


def test_expand_spans_colspan_divider() -> None:
    (row,) = expand_spans([[("Common errors", 1, 3)]])
    assert is_section_divider(RawRow(1, tuple(row)))


def test_expand_spans_caps_huge_rowspan() -> None:
    grid = expand_spans([[("x", 1000, 1)], []])
    assert len(grid) == 2 and grid[1][0].spanned


def test_rst_inline_text() -> None:
    assert rst_inline_text("Check the **availability_zone** field.") == "Check the availability_zone field."
    assert rst_inline_text("Invalid **admin \\_state_up** value.") == "Invalid admin _state_up value."
    assert rst_inline_text("See :ref:`Table 2 <obs_04_0115__d0e843>`.") == "See Table 2."
    assert rst_inline_text("Use ``GET`` and `docs <https://x.invalid>`__") == "Use GET and docs"
    assert rst_inline_text("-  first\n-  second") == "first second"
    assert rst_inline_text("a\n\nb") == "a b"


def test_strip_table_label() -> None:
    assert strip_table_label("Table  1  Return values for successful requests") == \
        "Return values for successful requests"
    assert strip_table_label("**Table 2** Error codes") == "Error codes"
    assert strip_table_label("Table 3") is None


def test_is_continuation_row() -> None:
    # rst/elb/status_codes.rst table 2: | 400 | Bad Request | Invalid request URI. | then | | | Too long ... |
    row = RawRow(30, (Cell(""), Cell(""), Cell("Too long request header.")))
    assert is_continuation_row(row, 0)
    assert not is_continuation_row(RawRow(31, (Cell("400"), Cell(""), Cell("x"))), 0)
    assert not is_continuation_row(RawRow(32, (Cell(""), Cell(""), Cell(""))), 0)


def test_error_code_cell_sentence() -> None:
    from pipeline.normalize.error_rows import is_sentence

    assert is_sentence("If other error codes cannot be rectified, contact technical support.")
    assert not is_sentence("DIS.5000 to DIS.5999")
    assert not is_sentence("System Capacity Not enough")


def test_append_text_skips_repeats() -> None:
    from pipeline.normalize.error_rows import append_text

    same = "Set the parameter by following the instructions in this guide."
    assert append_text(append_text(same, same), same) == same
    assert append_text("Malformed request URI or body.", "Invalid parameters.") == \
        "Malformed request URI or body. Invalid parameters."
    assert append_text(None, "x") == "x"


def test_second_column_with_a_taken_role_gets_the_next_free_one() -> None:
    # cts/error-code.md: Response Code | Error Code | Description | Error Message | Description.
    plan = plan_table(_table(("Response Code", "Error Code", "Description", "Error Message", "Description."), [
        ("400", "CTS.0001", "The API version number is empty.", "Invalid version.",
         "The API version in the URL is empty. Check it."),
    ]))
    assert plan.roles == ("status", "error_code", "description", "message", "solution")


def test_status_cell_phrase_beats_a_phrase_like_column() -> None:
    # html/obs/error-code-list.md: Error Code (Swift names) | Description | HTTP Status Code (411 Length Required)
    plan = plan_table(_table(("Error Code", "Description", "HTTP Status Code"), [
        ("Missing Content Length", "The Content-Length header is missing.", "411 Length Required"),
        ("Invalid Range", "The range is invalid.", "416 Client Requested Range Not Satisfiable"),
    ]))
    assert plan.kind == "status_codes"
    assert plan.roles == ("ignored", "description", "status")


def test_rst_literals_are_verbatim_and_lists_are_joined() -> None:
    assert rst_inline_text("``'********-****-****'``") == "'********-****-****'"
    assert rst_inline_text("``=*<>\\\\,|/.``") == "=*<>\\\\,|/."
    assert rst_inline_text("Apply.\n\n.. note::\n\n   When applying, do X.") == "Apply. When applying, do X."
    assert rst_inline_text("Causes:\n\n#. Malformed\n#. Invalid") == "Causes: Malformed Invalid"
    assert rst_inline_text("1. first\n   wrapped a. x") == "first wrapped a. x"
    # docutils' enumerators are ASCII ([0-9]+): an Arabic-Indic "٣." is text, as docutils keeps it.
    assert rst_inline_text("\u0663. first") == "\u0663. first"

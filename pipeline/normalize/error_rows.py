"""Rows of an error-code table to ``ErrorCodeRecord`` objects: carry-down, merging and multi-code cells.

Merged cells, as rst/elb/http_status_codes_for_dedicated_load_balancers.rst shows them:

    | Public | 400 | Bad request | ELB.8902 | Malformed request URI or body. |
    |        |     |             |          | Invalid parameters.            |   <- no error code: merged above
    |        | 403 | Forbidden   | ELB.8903 | The URI does not exist.        |   <- own code: Module carried
    |        |     |             | SYS.0403 | Authentication required.       |   <- own code: Module, 403 carried

* a row with its own error code takes, for each blank cell (RST) or ``rowspan`` copy
  (HTML) of a *grouping* column (Module, status), the value of the row above. Text columns
  (message, description, solution) are never carried: no HTML page spans them, and a blank
  one means "nothing documented";
* a row whose error-code cell is blank (or a ``rowspan`` copy) and whose other cells have
  text continues the row above: its text is appended to that record's fields, unless the
  field already holds that very text;
* a row with no error code that continues nothing (a section divider, a first row), a row
  whose code cell is an explicit placeholder (``-``: elb's ``500 | - | ...`` row documents a
  status without a service code) and a row whose code cell is a sentence are skipped with a
  stated reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.model import ErrorCodeRecord, Issue, Location, Page, RawRow, RawTable
from pipeline.normalize import characters
from pipeline.normalize.columns import Role, TablePlan
from pipeline.normalize.httpstatus import is_valid_status, parse_status_cell
from pipeline.normalize.status_rows import RowOutcome, is_blank_row, is_section_divider, joined
from pipeline.text import clean_cell, collapse_whitespace

TEXT_ROLES: tuple[Role, ...] = ("message", "description", "solution", "module")
#: Roles whose blank cells under a merged cell take the value of the row above.
GROUPING_ROLES: frozenset[Role] = frozenset({"module"})


@dataclass(slots=True)
class _Open:
    """The record group being built from a row and the rows merged into it."""

    row_index: int
    line: int | None
    error_code: str
    codes: tuple[int | None, ...]
    status_text: str | None
    fields: dict[Role, str | None]


def error_records(page: Page, table: RawTable, plan: TablePlan) -> tuple[list[ErrorCodeRecord], RowOutcome]:
    """Records of an error-code table, with the outcome of every row."""
    outcome = RowOutcome()
    code_col = plan.columns("error_code")[0]
    status_cols = plan.columns("status")
    columns = {role: plan.columns(role) for role in TEXT_ROLES}
    groups: list[_Open] = []
    for row_index, row in enumerate(table.rows):
        where = Location(page.source_path, row.line, table.index, row_index)
        if is_blank_row(row):
            outcome.skip("empty-row", where, "row has no text")
            continue
        code_cell = row.cells[code_col] if code_col < len(row.cells) else None
        own_code = code_cell is not None and not code_cell.spanned and not code_cell.colspan_copy \
            and clean_cell(code_cell.text) is not None
        if is_section_divider(row):
            outcome.skip("section-divider", where, f"section divider {row.cells[0].text!r}, not an error code")
            continue
        if code_cell is not None and not code_cell.spanned and not own_code and code_cell.text.strip():
            outcome.skip("no-error-code", where, f"the error-code cell says {code_cell.text.strip()!r}: this row "
                                                 "documents no service error code")
            continue
        if own_code and code_cell is not None and is_sentence(code_cell.text):
            outcome.skip("not-an-error-code", where, f"the error-code cell holds a sentence, not a code: "
                                                     f"{collapse_whitespace(code_cell.text)!r}")
            continue
        above = groups[-1] if groups else None
        if not own_code:
            own_text = {role: _own(row, cols) for role, cols in columns.items()}
            if above is None or not any(own_text.values()):
                outcome.skip("no-error-code", where, "row has no error code and continues no row above")
                continue
            for role, text in own_text.items():
                if text:
                    above.fields[role] = append_text(above.fields[role], text)
            outcome.merged += 1
            continue
        assert code_cell is not None
        error_code = collapse_whitespace(code_cell.text)
        suspicious = characters.suspicious_characters(error_code)
        if suspicious:
            outcome.issues.append(Issue(characters.SLUG, where,
                                        f"error code {characters.describe(error_code, suspicious)}; kept verbatim, "
                                        "but it is not the code a reader sees"))
        fields = {role: _carried(row, cols, above.fields[role] if above and role in GROUPING_ROLES else None)
                  for role, cols in columns.items()}
        status_text = _status_text(row, status_cols, above)
        codes = _status_codes(status_text, where, outcome) if status_cols else (None,)
        groups.append(_Open(row_index, row.line, error_code, codes, status_text, fields))
        outcome.emitted += 1
    records = [
        ErrorCodeRecord(
            service=page.service, source_path=page.source_path, source_format=page.source_format,
            page_title=page.title, page_id=page.page_id, table_index=table.index, table_title=table.title,
            row_index=g.row_index, line=g.line, error_code=g.error_code, status_code=code,
            message=g.fields["message"], description=g.fields["description"], solution=g.fields["solution"],
            module=g.fields["module"],
        )
        for g in groups for code in g.codes
    ]
    return records, outcome


def is_sentence(text: str) -> bool:
    """Prose in a code cell: ocr's ``If other error codes cannot be rectified, contact technical support.``

    Codes with spaces stay codes: ``DIS.5000 to DIS.5999``, ``System Capacity Not enough``.
    """
    value = collapse_whitespace(text)
    return len(value.split()) >= 4 and value.endswith((".", "!", "?"))


def append_text(previous: str | None, text: str) -> str:
    """``previous`` continued by ``text``; a repeat of what is already there is not appended.

    elb's ELB.0002 spans four rows that each say ``Set the parameter by following ...``.
    """
    if not previous:
        return text
    if text == previous or previous.endswith(" " + text) or previous.startswith(text + " ") \
            or f" {text} " in f" {previous} ":
        return previous
    return f"{previous} {text}"


def _own(row: RawRow, columns: list[int]) -> str | None:
    """Text the row holds in its own right in these columns (rowspan copies excluded)."""
    texts = [t for c in columns if c < len(row.cells) and not row.cells[c].spanned
             and (t := clean_cell(row.cells[c].text))]
    return " ".join(texts) or None


def _carried(row: RawRow, columns: list[int], above: str | None) -> str | None:
    """The row's value for a role, or the value carried down from the row above when its cells are blank."""
    if not columns:
        return None
    if all(c < len(row.cells) and not row.cells[c].text.strip() for c in columns):
        return above
    return joined(row, columns)


def _status_text(row: RawRow, columns: list[int], above: _Open | None) -> str | None:
    if not columns:
        return None
    cell = row.cells[columns[0]] if columns[0] < len(row.cells) else None
    if cell is None or not cell.text.strip():
        return above.status_text if above else None
    return collapse_whitespace(cell.text)


def _status_codes(text: str | None, where: Location, outcome: RowOutcome) -> tuple[int | None, ...]:
    """``400/404`` gives (400, 404); empty, ``-`` or ``N/A`` gives (None,); junk is reported.

    A cell with a suspicious character (``٤٠٤``, a zero-width space) is not read: (None,) and a
    ``suspicious-character`` warning.
    """
    value = clean_cell(text)
    if value is None or value.upper() in ("N/A", "NA", "NONE"):
        return (None,)
    suspicious = characters.suspicious_characters(value)
    if suspicious:
        outcome.issues.append(Issue(characters.SLUG, where, f"status cell {characters.describe(value, suspicious)}; "
                                    "only ASCII digits make a status code: status_code left empty"))
        return (None,)
    cell = parse_status_cell(value)
    if cell is None or not cell.codes or not all(is_valid_status(c) for c in cell.codes):
        outcome.issues.append(Issue("invalid-status-code", where,
                                    f"status cell {value!r} is not an HTTP status code; status_code left empty"))
        return (None,)
    return cell.codes

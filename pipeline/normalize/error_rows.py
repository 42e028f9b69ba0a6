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
  whose code cell is an explicit placeholder (``-``, ``N/A``: elb's ``500 | - | ...`` row
  documents a status without a service code) and a row whose code cell is a sentence are
  skipped with a stated reason;
* a row whose code cell holds something that is no code (``TBD``, ``see note``, ``VPC 0009``:
  ``columns.reads_as_error_code``) is not a record: it is reported as ``invalid-error-code``
  (a warning, so ``--strict`` fails), and the rows after it continue nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from pipeline.model import Cell, ErrorCodeRecord, Location, Page, RawRow, RawTable
from pipeline.normalize import characters
from pipeline.normalize.columns import Role, TablePlan, column_values, named_codes, reads_as_error_code
from pipeline.normalize.httpstatus import is_valid_status, parse_status_cell
from pipeline.normalize.status_rows import RowOutcome, Skip, is_blank_row, is_section_divider, joined
from pipeline.problems import (
    EMPTY_ROW,
    INVALID_ERROR_CODE,
    INVALID_STATUS_CODE,
    NO_ERROR_CODE,
    NOT_AN_ERROR_CODE,
    SECTION_DIVIDER,
    SUSPICIOUS_CHARACTER,
)
from pipeline.rules import Rules
from pipeline.text import clean_cell, collapse_whitespace

TEXT_ROLES: tuple[Role, ...] = ("message", "description", "solution", "module")
#: Code cells that say "no code here", as ``-`` does (compared upper-cased).
PLACEHOLDERS = frozenset({"N/A", "NA", "NONE"})
#: Roles whose blank cells under a merged cell take the value of the row above.
GROUPING_ROLES: frozenset[Role] = frozenset({"module"})


@dataclass(slots=True)
class RecordGroup:
    """The record group being built from a row and the rows merged into it."""

    row_index: int
    line: int | None
    error_code: str
    codes: tuple[int | None, ...]
    status_text: str | None
    fields: dict[Role, str | None]


def error_records(page: Page, table: RawTable, plan: TablePlan) -> tuple[list[ErrorCodeRecord], RowOutcome]:
    """Records of an error-code table, with the outcome of every row (see ``ERROR_ROW_RULES``)."""
    outcome = RowOutcome()
    code_col = plan.columns("error_code")[0]
    status_cols = plan.columns("status")
    columns = {role: plan.columns(role) for role in TEXT_ROLES}
    named = named_codes(column_values(table, code_col))
    groups: list[RecordGroup] = []
    broken = False  # a row with an unreadable code ended the group above: blank rows after it continue nothing
    for row_index, row in enumerate(table.rows):
        where = Location(page.source_path, row.line, table.index, row_index)
        above = groups[-1] if groups and not broken else None
        decision = ERROR_ROW_RULES.decide(ErrorRow(row, code_col, columns, above, named))
        if isinstance(decision, Skip):
            outcome.record(decision, where)
            broken = broken or decision.ends_group
        elif isinstance(decision, Merge):
            assert above is not None
            for role, text in decision.texts.items():
                if text:
                    above.fields[role] = append_text(above.fields[role], text)
            outcome.merged += 1
        else:
            groups.append(_open(row, row_index, decision.error_code, columns, status_cols, above, where, outcome))
            outcome.emitted += 1
            broken = False
    records = [
        ErrorCodeRecord(
            service=page.service, source_path=page.source_path, source_format=page.source_format,
            page_title=page.title, page_id=page.page_id, table_index=table.index, table_title=table.title,
            row_index=g.row_index, line=g.line, source_repo=None, source_commit=None, source_url=None,
            error_code=g.error_code, status_code=code,
            message=g.fields["message"], description=g.fields["description"], solution=g.fields["solution"],
            module=g.fields["module"],
        )
        for g in groups for code in g.codes
    ]
    return records, outcome


def _open(row: RawRow, row_index: int, error_code: str, columns: dict[Role, list[int]], status_cols: list[int],
          above: RecordGroup | None, where: Location, outcome: RowOutcome) -> RecordGroup:
    """The record group a row with its own error code opens; grouping columns left blank are carried down."""
    suspicious = characters.code_findings(error_code)
    if suspicious:
        outcome.issues.append(SUSPICIOUS_CHARACTER.at(where, f"error code {characters.describe(error_code, suspicious)}"
                                                             "; kept verbatim, but it is not the code a reader sees"))
    fields = {role: _carried(row, cols, above.fields[role] if above and role in GROUPING_ROLES else None)
              for role, cols in columns.items()}
    status_text = _status_text(row, status_cols, above)
    codes = _status_codes(status_text, where, outcome) if status_cols else (None,)
    return RecordGroup(row_index, row.line, error_code, codes, status_text, fields)


# --- the rules for one row of an error-code table, in the order they are tried -----------------


@dataclass(frozen=True, slots=True)
class Merge:
    """A rule's decision: the row continues the record above; these texts are appended to its fields."""

    texts: dict[Role, str | None]


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """A rule's decision: the row documents this error code (verbatim, whitespace collapsed)."""

    error_code: str


@dataclass(frozen=True)
class ErrorRow:
    """What the rules look at: the row, its error-code column, the text columns, the record group above."""

    row: RawRow
    code_col: int
    columns: dict[Role, list[int]]
    above: RecordGroup | None
    named: bool = False  # the column's codes are names (AccessDenied), see ``columns.named_codes``

    @cached_property
    def code_cell(self) -> Cell | None:
        return self.row.cells[self.code_col] if self.code_col < len(self.row.cells) else None

    @cached_property
    def own_code(self) -> bool:
        """The code cell has text written in this row (not a ``rowspan``/``colspan`` copy, not a placeholder)."""
        cell = self.code_cell
        if cell is None or cell.spanned or cell.colspan_copy:
            return False
        value = clean_cell(cell.text)
        return value is not None and value.upper() not in PLACEHOLDERS

    @cached_property
    def own_texts(self) -> dict[Role, str | None]:
        """Per text role, what the row writes in its own right (``rowspan`` copies excluded)."""
        return {role: _own(self.row, cols) for role, cols in self.columns.items()}


def blank_row(r: ErrorRow) -> Skip | None:
    """A row with no text at all: skipped, ``empty-row``."""
    return Skip(EMPTY_ROW, "row has no text") if is_blank_row(r.row) else None


def section_divider(r: ErrorRow) -> Skip | None:
    """``<td colspan="5">Common errors</td>``, a heading inside the table: skipped, ``section-divider``."""
    if not is_section_divider(r.row):
        return None
    return Skip(SECTION_DIVIDER, f"section divider {r.row.cells[0].text!r}, not an error code")


def placeholder_code(r: ErrorRow) -> Skip | None:
    """elb/elb_zq_bq_0013.html: ``| 500 | - | ... |`` documents a status with no service code: skipped."""
    cell = r.code_cell
    if cell is None or cell.spanned or r.own_code or not cell.text.strip():
        return None
    return Skip(NO_ERROR_CODE, f"the error-code cell says {cell.text.strip()!r}: this row documents no service "
                               "error code")


def sentence_in_code_cell(r: ErrorRow) -> Skip | None:
    """ocr/error_codes.rst: ``If other error codes cannot be rectified, contact technical support.``: skipped."""
    if not r.own_code or r.code_cell is None or not is_sentence(r.code_cell.text):
        return None
    return Skip(NOT_AN_ERROR_CODE, f"the error-code cell holds a sentence, not a code: "
                                   f"{collapse_whitespace(r.code_cell.text)!r}")


def unreadable_code(r: ErrorRow) -> Skip | None:
    """``TBD``, ``see note``, ``VPC 0009`` in the code cell: no code a machine can match; not a record, a warning.

    A cell with an invisible or look-alike character (``VPC.00\u200b02``, a Cyrillic ``Р``) is
    not decided here: it is kept verbatim and reported as ``suspicious-character``.
    """
    if not r.own_code or r.code_cell is None:
        return None
    value = collapse_whitespace(r.code_cell.text)
    if reads_as_error_code(value, r.named) or characters.code_findings(value):
        return None
    return Skip(INVALID_ERROR_CODE, f"the error-code cell {characters.escape_suspicious(value)} holds no service "
                "error code; row not extracted", ends_group=True)


def continues_nothing(r: ErrorRow) -> Skip | None:
    """A row with no error code and no text of its own, or with no record above to continue: skipped."""
    if r.own_code or (r.above is not None and any(r.own_texts.values())):
        return None
    return Skip(NO_ERROR_CODE, "row has no error code and continues no row above")


def continues_row_above(r: ErrorRow) -> Merge | None:
    """elb/http_status_codes_for_dedicated_load_balancers.rst: ELB.8902 ``Malformed request URI or body.``
    then a row with a blank code cell and ``Invalid parameters.``: appended to ELB.8902's description.
    """
    return None if r.own_code else Merge(r.own_texts)


def own_error_code(r: ErrorRow) -> ErrorCode | None:
    """``| Public | 400 | Bad request | ELB.8902 | Malformed request URI or body. |``: a record for ELB.8902."""
    return ErrorCode(collapse_whitespace(r.code_cell.text)) if r.own_code and r.code_cell is not None else None


#: Tried in order; the first rule that decides wins (``own_error_code`` decides every row the others pass).
ERROR_ROW_RULES: Rules[ErrorRow, Skip | Merge | ErrorCode] = Rules((
    blank_row, section_divider, placeholder_code, sentence_in_code_cell, unreadable_code, continues_nothing,
    continues_row_above, own_error_code,
))


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


def _status_text(row: RawRow, columns: list[int], above: RecordGroup | None) -> str | None:
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
        outcome.issues.append(SUSPICIOUS_CHARACTER.at(where, f"status cell {characters.describe(value, suspicious)}; "
                                                             "only ASCII digits make a status code: status_code "
                                                             "left empty"))
        return (None,)
    cell = parse_status_cell(value)
    if cell is None or not cell.codes or not all(is_valid_status(c) for c in cell.codes):
        outcome.issues.append(INVALID_STATUS_CODE.at(where, f"status cell {value!r} is not an HTTP status code; "
                                                            "status_code left empty"))
        return (None,)
    return cell.codes

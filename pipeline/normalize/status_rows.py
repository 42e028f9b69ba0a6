"""Rows of a status-code table to ``StatusCodeRecord`` objects, each row accounted for."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from pipeline.model import Issue, Location, Page, RawRow, RawTable, StatusCodeRecord
from pipeline.normalize import characters
from pipeline.normalize.columns import TablePlan
from pipeline.normalize.httpstatus import (
    StatusCell,
    canonical_reason,
    category,
    is_valid_status,
    parse_status_cell,
)
from pipeline.problems import (
    EMPTY_ROW,
    INVALID_STATUS_CODE,
    NO_STATUS_CODE,
    NOT_A_STATUS_CODE,
    SECTION_DIVIDER,
    STATUS_CLASS,
    SUSPICIOUS_CHARACTER,
    ProblemKind,
)
from pipeline.rules import Rules
from pipeline.text import clean_cell


@dataclass(slots=True)
class RowOutcome:
    """Per-table tallies: every row is emitted, merged into the row above, or skipped."""

    emitted: int = 0
    merged: int = 0
    skipped: int = 0
    issues: list[Issue] = field(default_factory=list)

    def record(self, skip: Skip, location: Location) -> None:
        """Count a skipped row and report it, as the kind its rule gave."""
        self.skipped += 1
        self.issues.append(skip.kind.at(location, skip.message))


@dataclass(frozen=True, slots=True)
class Skip:
    """A rule's decision: the row is not a record, for this reason.

    ``ends_group`` is true where the row breaks a run of continuation rows (a bad status cell):
    a blank status cell after it continues nothing.
    """

    kind: ProblemKind
    message: str
    ends_group: bool = False


def joined(row: RawRow, columns: list[int]) -> str | None:
    """The cleaned text of several columns that share a role, joined by one space."""
    texts = [t for c in columns if c < len(row.cells) and (t := clean_cell(row.cells[c].text))]
    return " ".join(dict.fromkeys(texts)) or None


def is_blank_row(row: RawRow) -> bool:
    return all(not clean_cell(c.text) for c in row.cells)


def is_section_divider(row: RawRow) -> bool:
    """One cell spread over the whole row by ``colspan`` (``<td colspan="3">Common errors</td>``)."""
    return len(row.cells) > 1 and all(c.colspan_copy for c in row.cells[1:])


def is_continuation_row(row: RawRow, column: int) -> bool:
    """A row whose code cell is blank, written by the HTML-to-RST converter under a merged cell.

    rst/elb/status_codes.rst, table 2: ``| 400 | Bad Request | Invalid request URI. |``
    followed by ``|     |             | Too long request header. |``: the second row
    documents another cause of the same 400 Bad Request.
    """
    cell = row.cells[column] if column < len(row.cells) else None
    return cell is not None and not cell.spanned and not clean_cell(cell.text) and not is_blank_row(row)


def status_records(page: Page, table: RawTable, plan: TablePlan) -> tuple[list[StatusCodeRecord], RowOutcome]:
    """Records of a status-code table, with the outcome of every row."""
    outcome = RowOutcome()
    records = list(_records(page, table, plan, outcome))
    return records, outcome


def _records(page: Page, table: RawTable, plan: TablePlan, outcome: RowOutcome) -> Iterator[StatusCodeRecord]:
    status_col = plan.columns("status")[0]
    reason_cols = plan.columns("reason")
    description_cols = plan.columns("description")
    previous: Codes | None = None  # codes and reason carried down to continuation rows
    for row_index, row in enumerate(table.rows):
        where = Location(page.source_path, row.line, table.index, row_index)
        decision = STATUS_ROW_RULES.decide(StatusRow(row, status_col, joined(row, reason_cols), previous))
        if isinstance(decision, Skip):
            outcome.record(decision, where)
            if decision.ends_group:
                previous = None
            continue
        previous = decision
        outcome.emitted += 1
        codes, documented = decision.codes, decision.documented
        phrase = documented if len(codes) == 1 else decision.own_reason
        description = joined(row, description_cols)
        for code in codes:
            yield StatusCodeRecord(
                service=page.service, source_path=page.source_path, source_format=page.source_format,
                page_title=page.title, page_id=page.page_id, table_index=table.index,
                table_title=table.title, row_index=row_index, line=row.line, source_repo=None, source_commit=None,
                source_url=None, status_code=code,
                documented_reason=phrase, reason=canonical_reason(code, phrase),
                description=description, category=category(code),
            )


# --- the rules for one row of a status-code table, in the order they are tried -----------------


@dataclass(frozen=True, slots=True)
class Codes:
    """A row's decision: it documents these status codes, with this reason phrase.

    ``own_reason`` is the row's own reason-column text (a multi-code row keeps only that).
    """

    codes: tuple[int, ...]
    documented: str | None
    own_reason: str | None


@dataclass(frozen=True)
class StatusRow:
    """What the rules look at: the row, its status column, its reason text, the codes carried down to it."""

    row: RawRow
    status_col: int
    own_reason: str | None
    previous: Codes | None

    @cached_property
    def cell_text(self) -> str:
        return self.row.cells[self.status_col].text if self.status_col < len(self.row.cells) else ""

    @cached_property
    def cell(self) -> StatusCell | None:
        return parse_status_cell(self.cell_text)


def blank_row(r: StatusRow) -> Skip | None:
    """A row with no text at all (an HTML ``<tr>`` of empty ``<td>``): skipped, ``empty-row``."""
    return Skip(EMPTY_ROW, "row has no text") if is_blank_row(r.row) else None


def section_divider(r: StatusRow) -> Skip | None:
    """``<td colspan="3">Common errors</td>``, a heading inside the table: skipped, ``section-divider``."""
    if not is_section_divider(r.row):
        return None
    return Skip(SECTION_DIVIDER, f"section divider {r.row.cells[0].text!r}, not a status code")


def continuation(r: StatusRow) -> Codes | Skip | None:
    """A blank status cell continues the row above: its codes, and its reason unless the row has its own.

    rst/elb/status_codes.rst table 0: ``| 400 | Bad Request | Invalid request URI. |`` then
    ``|     |             | Too long request header. |`` gives a second 400 Bad Request record.
    With no row above to continue, the row is skipped (``no-status-code``).
    """
    if not is_continuation_row(r.row, r.status_col):
        return None
    if r.previous is None:
        return Skip(NO_STATUS_CODE, "row has no status code and no row above to continue")
    return Codes(r.previous.codes, r.own_reason or r.previous.documented, r.own_reason)


def suspicious_status_cell(r: StatusRow) -> Skip | None:
    """``٤٠٤`` (Arabic-Indic digits) or ``40\u200b4``: only ASCII digits make a code; skipped with a warning.

    No corpus page has one; tests/test_code_characters.py builds them.
    """
    suspicious = characters.suspicious_characters(r.cell_text)
    if not suspicious:
        return None
    return Skip(SUSPICIOUS_CHARACTER, f"status cell {characters.describe(r.cell_text, suspicious)}; "
                "only ASCII digits make a status code: row not extracted", ends_group=True)


def no_status_code(r: StatusRow) -> Skip | None:
    """A status cell that reads as no code (``4O4``, ``Bad Request``): skipped with a warning."""
    if r.cell is not None:
        return None
    return Skip(NOT_A_STATUS_CODE, f"status cell {r.cell_text!r} holds no HTTP status code", ends_group=True)


def status_class(r: StatusRow) -> Skip | None:
    """obs/status_codes.rst: ``| 2xx | Indicates that the server has successfully ... |`` names a class."""
    if r.cell is None or r.cell.code_class is None:
        return None
    return Skip(STATUS_CLASS, f"{r.cell.code_class!r} is a class of status codes, not one code; the dataset "
                "lists individual codes only", ends_group=True)


def status_out_of_range(r: StatusRow) -> Skip | None:
    """Three digits outside 100-599 (``600``, ``000``): skipped with a warning. No corpus page has one."""
    invalid = [c for c in r.cell.codes if not is_valid_status(c)] if r.cell is not None else []
    if not invalid:
        return None
    return Skip(INVALID_STATUS_CODE, f"{invalid[0]} is outside 100-599", ends_group=True)


def own_status_codes(r: StatusRow) -> Codes | None:
    """``| 400 | Bad Request | Invalid request URI. |``: the row's codes; a reason column beats the cell's phrase.

    ``400 Bad Request`` in the cell gives the phrase when there is no reason column.
    """
    if r.cell is None:
        return None
    return Codes(r.cell.codes, r.own_reason or r.cell.phrase, r.own_reason)


#: Tried in order; the first rule that decides wins (``own_status_codes`` decides every row the others pass).
STATUS_ROW_RULES: Rules[StatusRow, Codes | Skip] = Rules((
    blank_row, section_divider, continuation, suspicious_status_cell, no_status_code, status_class,
    status_out_of_range, own_status_codes,
))


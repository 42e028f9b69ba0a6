"""Rows of a status-code table to ``StatusCodeRecord`` objects, each row accounted for."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pipeline.model import Issue, Location, Page, RawRow, RawTable, Severity, StatusCodeRecord
from pipeline.normalize import characters
from pipeline.normalize.columns import TablePlan
from pipeline.normalize.httpstatus import (
    canonical_reason,
    category,
    is_valid_status,
    parse_status_cell,
)
from pipeline.text import clean_cell


@dataclass(slots=True)
class RowOutcome:
    """Per-table tallies: every row is emitted, merged into the row above, or skipped."""

    emitted: int = 0
    merged: int = 0
    skipped: int = 0
    issues: list[Issue] = field(default_factory=list)

    def skip(self, slug: str, location: Location, message: str, severity: Severity = "skip") -> None:
        self.skipped += 1
        self.issues.append(Issue(slug, location, message, severity))


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
    previous: tuple[tuple[int, ...], str | None] | None = None  # codes and reason carried down
    for row_index, row in enumerate(table.rows):
        where = Location(page.source_path, row.line, table.index, row_index)
        if is_blank_row(row):
            outcome.skip("empty-row", where, "row has no text")
            continue
        if is_section_divider(row):
            outcome.skip("section-divider", where, f"section divider {row.cells[0].text!r}, not a status code")
            continue
        description = joined(row, description_cols)
        own_reason = joined(row, reason_cols)
        if is_continuation_row(row, status_col):
            if previous is None:
                outcome.skip("no-status-code", where, "row has no status code and no row above to continue")
                continue
            codes, carried_reason = previous
            documented = own_reason or carried_reason
        else:
            cell_text = row.cells[status_col].text if status_col < len(row.cells) else ""
            suspicious = characters.suspicious_characters(cell_text)
            if suspicious:
                outcome.skip(characters.SLUG, where, f"status cell {characters.describe(cell_text, suspicious)}; "
                             "only ASCII digits make a status code: row not extracted", "warning")
                previous = None
                continue
            cell = parse_status_cell(cell_text)
            if cell is None:
                outcome.skip("not-a-status-code", where, f"status cell {cell_text!r} holds no HTTP status code",
                             "warning")
                previous = None
                continue
            if cell.code_class is not None:
                outcome.skip("status-class", where,
                             f"{cell.code_class!r} is a class of status codes, not one code; the dataset "
                             "lists individual codes only")
                previous = None
                continue
            invalid = [c for c in cell.codes if not is_valid_status(c)]
            if invalid:
                outcome.skip("invalid-status-code", where, f"{invalid[0]} is outside 100-599", "warning")
                previous = None
                continue
            codes = cell.codes
            documented = own_reason or cell.phrase  # a reason column wins over the cell's own phrase
        previous = (codes, documented)
        outcome.emitted += 1
        phrase = documented if len(codes) == 1 else own_reason
        for code in codes:
            yield StatusCodeRecord(
                service=page.service, source_path=page.source_path, source_format=page.source_format,
                page_title=page.title, page_id=page.page_id, table_index=table.index,
                table_title=table.title, row_index=row_index, line=row.line, status_code=code,
                documented_reason=phrase, reason=canonical_reason(code, phrase),
                description=description, category=category(code),
            )

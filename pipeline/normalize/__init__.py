"""The normalizer: parsed pages in, records plus an account of every table and row out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pipeline.datasets import ERROR_CODES, STATUS_CODES, Record
from pipeline.model import (
    ErrorCodeRecord,
    Issue,
    Location,
    Page,
    PageResult,
    StatusCodeRecord,
    TableReport,
)
from pipeline.normalize.columns import plan_table
from pipeline.normalize.error_rows import error_records
from pipeline.normalize.status_rows import RowOutcome, status_records
from pipeline.problems import DUPLICATE_ERROR_CODE, RAGGED_ROW, TABLE_NOT_EXTRACTED


def normalize_page(page: Page, sha256: str) -> PageResult:
    """Classify every table of a page, extract its records and account for every row."""
    status: list[StatusCodeRecord] = []
    errors: list[ErrorCodeRecord] = []
    reports: list[TableReport] = []
    issues: list[Issue] = list(page.problems)
    for table in page.tables:
        plan = plan_table(table)
        for row_index, row in enumerate(table.rows):
            if len(row.cells) != len(table.header):
                issues.append(RAGGED_ROW.at(
                    Location(page.source_path, row.line, table.index, row_index),
                    f"row has {len(row.cells)} cells but the header has {len(table.header)}"
                    + ("; cells beyond the header are not read" if len(row.cells) > len(table.header) else ""),
                ))
        records: int
        if plan.kind == "status_codes":
            found_s, outcome = status_records(page, table, plan)
            status.extend(found_s)
            records = len(found_s)
        elif plan.kind == "error_codes":
            found_e, outcome = error_records(page, table, plan)
            errors.extend(found_e)
            records = len(found_e)
        else:
            outcome = RowOutcome(skipped=len(table.rows))
            records = 0
            if table.rows:
                outcome.issues.append(TABLE_NOT_EXTRACTED.at(
                    Location(page.source_path, table.line, table.index),
                    f"{len(table.rows)} rows not extracted: {plan.rule} (header: {' | '.join(table.header)})"))
        issues.extend(outcome.issues)
        reports.append(TableReport(
            source_path=page.source_path, table_index=table.index, line=table.line, title=table.title,
            header=table.header, kind=plan.kind, rule=plan.rule, roles=plan.roles, rows=len(table.rows),
            records=records, rows_emitted=outcome.emitted, rows_merged=outcome.merged,
            rows_skipped=outcome.skipped,
        ))
    status.sort(key=STATUS_CODES.sort_key)  # each dataset's declared order (sorts are stable)
    errors.sort(key=ERROR_CODES.sort_key)
    issues.extend(duplicate_error_codes(errors))
    found: dict[str, tuple[Record, ...]] = {STATUS_CODES.name: tuple(status), ERROR_CODES.name: tuple(errors)}
    return PageResult(page.source_path, sha256, found, tuple(reports), tuple(issues))


def duplicate_error_codes(records: Iterable[ErrorCodeRecord]) -> list[Issue]:
    """Report every error code (with its status) documented more than once in one table.

    rst/vpc/error_codes.rst documents VPC.0101/400 once for creating and once for querying
    a VPC: both records stay in the dataset; the repeat is reported as a notice.
    """
    seen: dict[tuple[int, str, int | None], list[ErrorCodeRecord]] = defaultdict(list)
    for record in records:
        seen[(record.table_index, record.error_code, record.status_code)].append(record)
    issues = []
    for (_table, code, status), group in seen.items():
        if len(group) > 1:
            first = group[0]
            rows = ", ".join(str(r.row_index) for r in group)
            issues.append(DUPLICATE_ERROR_CODE.at(
                Location(first.source_path, first.line, first.table_index, first.row_index),
                f"error code {code} (status {status}) is documented {len(group)} times in this table (rows {rows}); "
                "all are kept",
            ))
    return issues

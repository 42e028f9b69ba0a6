"""The normalizer: parsed pages in, records plus an account of every table and row out."""

from __future__ import annotations

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
                issues.append(Issue(
                    "ragged-row", Location(page.source_path, row.line, table.index, row_index),
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
                outcome.issues.append(Issue(
                    "table-not-extracted", Location(page.source_path, table.line, table.index),
                    f"{len(table.rows)} rows not extracted: {plan.rule} (header: {' | '.join(table.header)})", "skip"))
        issues.extend(outcome.issues)
        reports.append(TableReport(
            source_path=page.source_path, table_index=table.index, line=table.line, title=table.title,
            header=table.header, kind=plan.kind, rule=plan.rule, roles=plan.roles, rows=len(table.rows),
            records=records, rows_emitted=outcome.emitted, rows_merged=outcome.merged,
            rows_skipped=outcome.skipped,
        ))
    return PageResult(page.source_path, sha256, tuple(status), tuple(errors), tuple(reports), tuple(issues))

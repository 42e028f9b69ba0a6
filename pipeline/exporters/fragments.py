"""A page's share of every output file, rendered once where the page is parsed (``RenderedPage``).

``render_page`` turns a normalizer result into JSON object bodies, CSV lines, an Arrow IPC
stream per dataset and the page's items of ``tables.json`` and ``issues.json``;
``page_result`` reads the records back for callers that want them in memory.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pipeline.datasets import ERROR_CODES, STATUS_CODES, Record, Resource
from pipeline.exporters.csv import csv_lines
from pipeline.exporters.json import array_items, objects
from pipeline.exporters.parquet import from_ipc, table_rows, to_ipc
from pipeline.exporters.rows import record_rows
from pipeline.model import Issue, Location, PageResult, RenderedPage, RenderedRecords, TableReport


def issue_dict(issue: Issue) -> dict[str, Any]:
    """An issue as an item of ``issues.json``."""
    loc = issue.location
    return {"slug": issue.slug, "severity": issue.severity, "path": loc.path, "line": loc.line,
            "table_index": loc.table_index, "row_index": loc.row_index, "message": issue.message,
            "where": str(issue)}


def table_dict(table: TableReport) -> dict[str, Any]:
    """A table verdict as an item of ``tables.json``."""
    return {"source_path": table.source_path, "table_index": table.table_index, "line": table.line,
            "title": table.title, "header": list(table.header), "kind": table.kind, "rule": table.rule,
            "roles": list(table.roles), "rows": table.rows, "records": table.records,
            "rows_emitted": table.rows_emitted, "rows_merged": table.rows_merged,
            "rows_skipped": table.rows_skipped}


def tables_from_items(piece: bytes) -> tuple[TableReport, ...]:
    """The table verdicts of a page's ``tables_json`` (the inverse of ``table_dict``)."""
    return tuple(TableReport(**{**item, "header": tuple(item["header"]), "roles": tuple(item["roles"])})
                 for item in _items(piece))


def issues_from_items(piece: bytes) -> tuple[Issue, ...]:
    """The issues of a page's ``issues_json`` (the inverse of ``issue_dict``; ``where`` is derived)."""
    return tuple(Issue(item["slug"], Location(item["path"], item["line"], item["table_index"], item["row_index"]),
                       item["message"], item["severity"]) for item in _items(piece))


def _items(piece: bytes) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(b"[" + piece + b"]") if piece else []
    return items


def render_page(result: PageResult) -> RenderedPage:
    """The page's share of every output file (see ``RenderedPage``)."""
    return RenderedPage(
        source_path=result.source_path,
        sha256=result.sha256,
        tables=result.tables,
        issues=result.issues,
        status_codes=render_records(STATUS_CODES, result.status_codes),
        error_codes=render_records(ERROR_CODES, result.error_codes),
        tables_json=array_items(table_dict(t) for t in result.tables).encode("utf-8"),
        issues_json=array_items(issue_dict(i) for i in result.issues).encode("utf-8"),
    )


def render_records(resource: Resource, records: Sequence[Record]) -> RenderedRecords:
    """A page's records of one dataset in the form of each export file."""
    rows = list(record_rows(records))
    return RenderedRecords(
        count=len(rows),
        json_objects=objects(records),
        csv_lines=csv_lines(resource, rows)[0].encode("utf-8"),
        arrow=to_ipc(resource, rows),
    )


def page_result(page: RenderedPage) -> PageResult:
    """The normalizer result a rendered page was made from (records read back from its Arrow stream)."""
    status = tuple(map(STATUS_CODES.from_row, record_tuples(STATUS_CODES, page.status_codes)))
    errors = tuple(map(ERROR_CODES.from_row, record_tuples(ERROR_CODES, page.error_codes)))
    return PageResult(page.source_path, page.sha256, status, errors, page.tables, page.issues)


def record_tuples(resource: Resource, records: RenderedRecords) -> list[tuple[Any, ...]]:
    """The rendered records as tuples in column order, from their Arrow table or batch message."""
    return table_rows(records.table if records.table is not None else from_ipc(resource, records.arrow))

"""The items of ``tables.json`` and ``issues.json``: a table verdict or an issue as a JSON object."""

from __future__ import annotations

from typing import Any

from pipeline.model import Issue, Location, TableReport


def issue_dict(issue: Issue) -> dict[str, Any]:
    """An issue as an item of ``issues.json``."""
    loc = issue.location
    return {"slug": issue.slug, "severity": issue.severity, "path": loc.path, "line": loc.line,
            "table_index": loc.table_index, "row_index": loc.row_index, "message": issue.message,
            "where": str(issue)}


def issue_from_dict(item: dict[str, Any]) -> Issue:
    """The issue of an item of ``issues.json`` (the inverse of ``issue_dict``; ``where`` is derived).

    Raises ``KeyError`` or ``TypeError`` for an item that is not one.
    """
    return Issue(item["slug"], Location(item["path"], item["line"], item["table_index"], item["row_index"]),
                 item["message"], item["severity"])


def table_dict(table: TableReport) -> dict[str, Any]:
    """A table verdict as an item of ``tables.json``."""
    return {"source_path": table.source_path, "table_index": table.table_index, "line": table.line,
            "title": table.title, "header": list(table.header), "kind": table.kind, "rule": table.rule,
            "roles": list(table.roles), "rows": table.rows, "records": table.records,
            "rows_emitted": table.rows_emitted, "rows_merged": table.rows_merged,
            "rows_skipped": table.rows_skipped, "page_role": table.page_role, "section": table.section,
            "dataset": table.dataset, "placement": table.placement}

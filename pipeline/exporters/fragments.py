"""A page's records pre-rendered for the JSON and CSV exports (see ``RenderedRecords``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pipeline.exporters.csv import csv_line
from pipeline.exporters.rows import JSON_SEPARATOR, json_objects, record_rows
from pipeline.model import ErrorCodeRecord, RenderedRecords, StatusCodeRecord


def render_records(names: tuple[str, ...], records: Iterable[StatusCodeRecord | ErrorCodeRecord]) -> RenderedRecords:
    """A page's records as JSON object bodies and CSV lines (see ``RenderedRecords``)."""
    return render_rows(names, list(record_rows(records)))


def render_rows(names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> RenderedRecords:
    """Rows (in column order) as JSON object bodies and CSV lines."""
    return RenderedRecords(JSON_SEPARATOR.join(json_objects(names, rows)), "".join(csv_line(row) for row in rows))

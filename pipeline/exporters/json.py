"""JSON: an array of records, UTF-8, keys in contract order, one stable formatting."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.exporters.rows import record_rows
from pipeline.model import ErrorCodeRecord, StatusCodeRecord
from pipeline.schema import Resource


def dumps(value: Any) -> str:
    """The one JSON formatting of every file we write: 2-space indent, UTF-8 text, newline at the end."""
    return json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def records_to_dicts(resource: Resource,
                     records: Sequence[StatusCodeRecord] | Sequence[ErrorCodeRecord]) -> list[dict[str, Any]]:
    names = resource.column_names
    return [dict(zip(names, row, strict=True)) for row in record_rows(records)]


def write_json_records(path: Path, resource: Resource,
                       records: Sequence[StatusCodeRecord] | Sequence[ErrorCodeRecord]) -> None:
    path.write_text(dumps(records_to_dicts(resource, records)), encoding="utf-8")


def write_json(path: Path, value: Any) -> None:
    path.write_text(dumps(value), encoding="utf-8")

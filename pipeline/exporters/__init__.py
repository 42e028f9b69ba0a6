"""Exporters: one module per format, one registry; they are the only place records become dicts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline.exporters.csv import write_csv
from pipeline.exporters.json import write_json_records
from pipeline.exporters.parquet import write_parquet
from pipeline.model import ErrorCodeRecord, StatusCodeRecord
from pipeline.schema import Resource

Records = Sequence[StatusCodeRecord] | Sequence[ErrorCodeRecord]
Exporter = Callable[[Path, Resource, Records], None]

#: File extension -> exporter. A new format is a module plus one line here.
EXPORTERS: dict[str, Exporter] = {
    "json": write_json_records,
    "csv": write_csv,
    "parquet": write_parquet,
}

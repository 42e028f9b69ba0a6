"""Exporters: pure functions ``(resource, records) -> bytes``, one module per format, one registry.

``FORMATS`` maps a format name to its exporter. ``pipeline.output.DatasetWriter`` streams the
same encodings page by page (``fragments.render_page`` makes each page's pieces with these
modules); a test checks that the streamed files equal what the exporters give.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.datasets import Record, Resource
from pipeline.exporters import csv, json, parquet


@dataclass(frozen=True, slots=True)
class Format:
    """An export format: its name, the file extension, and the exporter."""

    name: str
    extension: str
    export: Callable[[Resource, Sequence[Record]], bytes]

    def file_name(self, resource: Resource) -> str:
        return f"{resource.name}.{self.extension}"


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("json", "json", json.export),
    Format("csv", "csv", csv.export),
    Format("csv-safe", "csv", csv.export_safe),
    Format("parquet", "parquet", parquet.export),
)}

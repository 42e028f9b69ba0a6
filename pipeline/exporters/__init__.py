"""Exporters: pure functions ``(resource, records) -> bytes``, one module per format, one registry.

``FORMATS`` maps a format name to its exporter. ``DOCUMENT_SETS`` maps a name to an exporter
of several datasets at once, ``(records by dataset name) -> {relative path: bytes}``: the
OpenAPI documents, one per service. ``pipeline.output.DatasetWriter`` streams the
same encodings page by page (``fragments.render_page`` makes each page's pieces with these
modules); a test checks that the streamed files equal what the exporters give.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.datasets import Record, Resource
from pipeline.exporters import csv, json, openapi, parquet


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

#: Exporters of several datasets at once: records by dataset name in, files by relative path out.
DocumentSet = Callable[[Mapping[str, Iterable[Any]]], dict[str, bytes]]
DOCUMENT_SETS: dict[str, DocumentSet] = {"openapi": openapi.export}

"""Exporters: pure functions ``(resource, records) -> bytes``, one module per format, one registry.

``FORMATS`` maps a format name to its exporter; ``WHOLE_FORMATS`` the formats that hold every
dataset in one file (``sqlite``: ``pipeline.db``), written once all records are known
(``pipeline.exporters.whole``). ``pipeline.output.DatasetWriter`` streams the
same encodings page by page (``fragments.render_page`` makes each page's pieces with these
modules); a test checks that the streamed files equal what the exporters give.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.datasets import DatasetRecord, Resource
from pipeline.exporters import csv, json, jsonl, parquet, sqlite


@dataclass(frozen=True, slots=True)
class Format:
    """An export format: its name, the file extension, and the exporter."""

    name: str
    extension: str
    export: Callable[[Resource, Sequence[DatasetRecord]], bytes]

    def file_name(self, resource: Resource) -> str:
        return f"{resource.name}.{self.extension}"


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("json", "json", json.export),
    Format("csv", "csv", csv.export),
    Format("csv-safe", "csv", csv.export_safe),
    Format("parquet", "parquet", parquet.export),
    Format("jsonl", "jsonl", jsonl.export),
)}


@dataclass(frozen=True, slots=True)
class WholeFormat:
    """A format holding every dataset in one file: its name, the file, and the exporter of (dataset, records) pairs."""

    name: str
    file_name: str
    export: Callable[[Sequence[tuple[Resource, Sequence[DatasetRecord]]]], bytes]


WHOLE_FORMATS: dict[str, WholeFormat] = {f.name: f for f in (
    WholeFormat("sqlite", sqlite.FILE_NAME, sqlite.export_database),
)}


def exporter(name: str) -> Format:
    """The format called ``name``; an unknown name raises ``KeyError`` listing the known ones."""
    try:
        return FORMATS[name]
    except KeyError:
        raise KeyError(f"unknown format {name!r}: choose one of {', '.join(FORMATS)}") from None

"""Exporters: pure functions ``(resource, records) -> bytes``, one module per format, one registry.

``FORMATS`` maps a format name to its ``Format``; ``Format.export`` is the pure function.
Each format is an ``Encoder`` (``pipeline.exporters.encoder``) that the dataset writer
(``pipeline.output``) feeds page by page, and ``export`` feeds all at once: one code path.
The SQLite database (``pipeline.exporters.sqlite``) holds every dataset in one file, made once
all records are known (``pipeline.exporters.whole``).
``DOCUMENT_SETS`` maps a name to an exporter of several datasets at once, ``(records by
dataset name) -> {relative path: bytes}``: the OpenAPI documents, one per service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.datasets import DatasetRecord, Resource
from pipeline.exporters import openapi
from pipeline.exporters.csv import CsvEncoder, SafeCsvEncoder
from pipeline.exporters.encoder import Encoder, EncoderFactory, encode
from pipeline.exporters.json import JsonEncoder
from pipeline.exporters.jsonl import JsonlEncoder
from pipeline.exporters.parquet import ParquetEncoder


@dataclass(frozen=True, slots=True)
class Format:
    """An export format: its name, the file extension, and its encoder."""

    name: str
    extension: str
    encoder: EncoderFactory

    def file_name(self, resource: Resource) -> str:
        return f"{resource.name}.{self.extension}"

    def export(self, resource: Resource, records: Sequence[DatasetRecord]) -> bytes:
        """The whole file of ``resource`` holding ``records``."""
        return encode(self.encoder, resource, records)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("json", "json", JsonEncoder),
    Format("csv", "csv", CsvEncoder),
    Format("csv-safe", "csv", SafeCsvEncoder),
    Format("parquet", "parquet", ParquetEncoder),
    Format("jsonl", "jsonl", JsonlEncoder),
)}


def dataset_formats(csv_safe: bool) -> tuple[Format, ...]:
    """The files a dataset directory holds for each dataset: JSON, CSV (safe with ``--csv-safe``), Parquet,
    JSON Lines."""
    return FORMATS["json"], FORMATS["csv-safe" if csv_safe else "csv"], FORMATS["parquet"], FORMATS["jsonl"]

#: Exporters of several datasets at once: records by dataset name in, files by relative path out.
DocumentSet = Callable[[Mapping[str, Iterable[Any]]], dict[str, bytes]]
DOCUMENT_SETS: dict[str, DocumentSet] = {"openapi": openapi.export}


__all__ = ["DOCUMENT_SETS", "FORMATS", "DocumentSet", "Encoder", "Format", "dataset_formats"]

"""What is made from the whole dataset once every page is written, from the JSON Lines copies of its datasets.

The dataset writer (``pipeline.output.DatasetWriter``) streams each page's parts to the files
and appends each dataset's JSON Lines part to a copy in its scratch folder (``Scratch``), never
holding the records. What needs every record is made from those copies at the end:

- the derived datasets (``DERIVED_RESOURCES``), partition by partition (``Derivation.partition``:
  the error catalog of one service family), from the segments ``Scratch`` noted
  (``pipeline.incremental.derived`` keeps a partition's parts for the next build);
- the OpenAPI documents, service by service (``api_services``);
- the Parquet files and ``pipeline.db``, from the copies (``pipeline.exporters.parquet``,
  ``pipeline.exporters.sqlite``);
- ``datapackage.json`` and the data dictionary ``README.md`` (``texts``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from pipeline.datasets import ALL_RESOURCES, DERIVED_RESOURCES, Resource, resource_named
from pipeline.exporters import dataset_formats
from pipeline.exporters.datapackage import datapackage
from pipeline.exporters.dictionary import data_dictionary
from pipeline.exporters.json import dumps
from pipeline.exporters.sqlite import FILE_NAME as DATABASE
from pipeline.incremental.encoded import decode_records
from pipeline.incremental.row_cache import Segment
from pipeline.openapi import API_DATASETS, ApiRecords, grouped_by_service
from pipeline.schema import json_schema

#: The data dictionary's file name.
DICTIONARY = "README.md"
#: Files whose bytes are not text (compared by content, not byte for byte; never decoded).
BINARY_SUFFIXES = (".parquet", ".db")
#: Lines of a JSON Lines copy decoded at a time where a whole copy is read back.
BATCH_BYTES = 1 << 22


def file_names() -> tuple[str, ...]:
    """Every file made from the whole dataset, by its path in the dataset directory."""
    names = [fmt.file_name(r) for r in DERIVED_RESOURCES for fmt in dataset_formats(False)]
    names += [f"schemas/{r.name}.schema.json" for r in DERIVED_RESOURCES]
    return (*names, DATABASE, "datapackage.json", DICTIONARY)


class Scratch:
    """The JSON Lines copy of every dataset, in a scratch folder, as pages (then derived records) are added."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.handles: dict[str, BinaryIO] = {}
        self.sizes: dict[str, int] = {}
        self.segments: dict[str, list[Segment]] = {r.name: [] for r in ALL_RESOURCES}
        try:
            for resource in ALL_RESOURCES:
                self.handles[resource.name] = open(self.path(resource), "wb")  # noqa: SIM115 (closed in close)
                self.sizes[resource.name] = 0
        except BaseException:
            self.close()
            raise

    def path(self, resource: Resource) -> Path:
        return self.folder / f"{resource.name}.jsonl"

    def add(self, resource: Resource, part: bytes, count: int, name: str, key: str) -> None:
        """Append ``resource``'s JSON Lines ``part`` of ``count`` records (of the page or partition ``name``,
        cache key ``key``), noting where it lies (``segments``: for the database and the derived datasets)."""
        if not part:
            return
        offset = self.sizes[resource.name]
        self.handles[resource.name].write(part)
        self.sizes[resource.name] += len(part)
        self.segments[resource.name].append(Segment(key, name, offset, len(part), count))

    def finish(self, resource: Resource) -> Path:
        """The copy of ``resource``, complete (flushed; nothing more is added to it)."""
        self.handles[resource.name].flush()
        return self.path(resource)

    def records_in(self, resource: Resource, segments: Sequence[Segment]) -> Iterator[Any]:
        """The records of ``segments`` of ``resource``'s copy, in order, decoded about ``BATCH_BYTES`` of lines at
        a time (a whole copy decoded at once held every line's object beside every record)."""
        self.handles[resource.name].flush()
        with open(self.path(resource), "rb") as handle:
            batch: list[bytes] = []
            size = 0
            for segment in segments:
                handle.seek(segment.offset)
                batch.append(handle.read(segment.size))
                size += segment.size
                if size >= BATCH_BYTES:
                    yield from decode_records(resource, b"".join(batch))
                    batch, size = [], 0
            if batch:
                yield from decode_records(resource, b"".join(batch))

    def records(self, resource: Resource) -> Iterator[Any]:
        """Every record of ``resource``'s copy, in dataset order."""
        return self.records_in(resource, self.segments[resource.name])

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


def api_services(scratch: Scratch) -> Iterator[tuple[str, ApiRecords]]:
    """The operations, parameters and operation status codes of each service with an operation, one
    service at a time (services sorted, records in dataset order): what its OpenAPI document is made of.

    The page datasets' records are in page order, which sorts by service first (``page_order``).
    """
    operations, parameters, codes = (scratch.records(resource_named(name)) for name in API_DATASETS)
    return grouped_by_service(operations, parameters, codes)


def texts(counts: dict[str, int], documents: Sequence[str] = ()) -> dict[str, bytes]:
    """The derived datasets' schemas, ``datapackage.json`` and ``README.md``, which lists the OpenAPI
    ``documents`` written (their paths)."""
    files = {f"schemas/{r.name}.schema.json": dumps(json_schema(r)).encode("utf-8") for r in DERIVED_RESOURCES}
    files["datapackage.json"] = dumps(datapackage(counts)).encode("utf-8")
    files[DICTIONARY] = data_dictionary(counts, documents).encode("utf-8")
    return files


def text_checksums(files: Mapping[str, bytes]) -> dict[str, str]:
    """The sha256 of each text file (binary ones aside: their bytes carry library versions)."""
    return {name: hashlib.sha256(data).hexdigest() for name, data in files.items()
            if not name.endswith(BINARY_SUFFIXES)}

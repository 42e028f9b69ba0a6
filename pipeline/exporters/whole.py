"""The files made from the whole dataset once every page is written (``WholeDataset``).

The page datasets are streamed page by page (``pipeline.output.DatasetWriter``), and their
records staged on disk in a scratch SQLite database (``pipeline.exporters.sqlite.Staging``) rather
than held in memory. What needs every record comes at the end: the derived datasets
(``DERIVED_RESOURCES``), made in one pass over their source's records as SQLite sorts them and
streamed to their files like the page datasets'; the SQLite database ``pipeline.db``, laid out
from the staged tables; the OpenAPI documents (``openapi/<service>.json``), made service by
service from the staged API datasets (``api_services``); ``datapackage.json`` and the data
dictionary ``README.md``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from pipeline.datasets import ALL_RESOURCES, DERIVED_RESOURCES, RESOURCES, Resource, resource_named
from pipeline.exporters import dataset_formats
from pipeline.exporters.datapackage import datapackage
from pipeline.exporters.dictionary import data_dictionary
from pipeline.exporters.json import dumps
from pipeline.exporters.sqlite import FILE_NAME as DATABASE
from pipeline.exporters.sqlite import Staging, quote
from pipeline.model import PageResult
from pipeline.openapi import API_DATASETS, ApiRecords, grouped_by_service
from pipeline.schema import json_schema

#: The data dictionary's file name.
DICTIONARY = "README.md"
#: Files whose bytes are not text (compared by content, not byte for byte; never decoded).
BINARY_SUFFIXES = (".parquet", ".db")
#: Derived records made and handed on at a time.
CHUNK = 8192
#: The scratch database's name in the writer's scratch folder.
STAGING = "staging.db"


def file_names() -> tuple[str, ...]:
    """Every file made from the whole dataset, by its path in the dataset directory."""
    names = [fmt.file_name(r) for r in DERIVED_RESOURCES for fmt in dataset_formats(False)]
    names += [f"schemas/{r.name}.schema.json" for r in DERIVED_RESOURCES]
    return (*names, DATABASE, "datapackage.json", DICTIONARY)


class WholeDataset:
    """Every record of the dataset, staged in ``scratch/staging.db`` as pages are added; what is made of them."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.staging = Staging(scratch / STAGING, ALL_RESOURCES)
        self.counts = dict.fromkeys((r.name for r in ALL_RESOURCES), 0)

    def add(self, page: PageResult) -> None:
        for resource in RESOURCES:
            records = page.records_of(resource)
            if records:
                self.staging.add(resource, records)
                self.counts[resource.name] += len(records)

    def derived(self, resource: Resource) -> Iterator[list[Any]]:
        """The records of a derived dataset, in chunks of ``CHUNK`` in dataset order (each staged as it goes)."""
        derivation = resource.derive
        if derivation is None:
            raise ValueError(f"{resource.name} is not a derived dataset")
        source = resource_named(derivation.source)
        rows = derivation.rows(self.staging.ordered(source, derivation.sql_order, derivation.sql_functions))
        while chunk := list(islice(rows, CHUNK)):
            self.staging.add(resource, chunk)
            self.counts[resource.name] += len(chunk)
            yield chunk

    def api_services(self) -> Iterator[tuple[str, ApiRecords]]:
        """The operations, parameters and operation status codes of each service with an operation, one
        service at a time (services sorted, records in dataset order): what its OpenAPI document is made of."""
        operations, parameters, codes = (self.staging.ordered(resource_named(name), quote("service"))
                                         for name in API_DATASETS)
        return grouped_by_service(operations, parameters, codes)

    def write_database(self, path: Path) -> None:
        """``pipeline.db`` of every dataset (the derived ones made first: see ``derived``) at ``path``."""
        self.staging.write_staged(path, ALL_RESOURCES)

    def texts(self, documents: Sequence[str] = ()) -> dict[str, bytes]:
        """The derived datasets' schemas, ``datapackage.json`` and ``README.md`` (after ``derived``), which
        lists the OpenAPI ``documents`` written (their paths)."""
        files = {f"schemas/{r.name}.schema.json": dumps(json_schema(r)).encode("utf-8") for r in DERIVED_RESOURCES}
        files["datapackage.json"] = dumps(datapackage(self.counts)).encode("utf-8")
        files[DICTIONARY] = data_dictionary(self.counts, documents).encode("utf-8")
        return files

    def close(self) -> None:
        """Close the scratch database (the caller removes the scratch folder)."""
        self.staging.close()


def text_checksums(files: Mapping[str, bytes]) -> dict[str, str]:
    """The sha256 of each text file (binary ones aside: their bytes carry library versions)."""
    return {name: hashlib.sha256(data).hexdigest() for name, data in files.items()
            if not name.endswith(BINARY_SUFFIXES)}

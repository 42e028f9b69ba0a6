"""The files made from the whole dataset once every page is written (``dataset_files``).

The page datasets are streamed page by page (``pipeline.output``); what needs every record
at once comes after, from their JSON files: the derived datasets (``DERIVED_RESOURCES``:
JSON, CSV, Parquet, schema), the JSON Lines file of every dataset, the SQLite database,
``datapackage.json`` and the data dictionary ``README.md``. The dataset writer calls
``whole_dataset_files`` once, when it closes; ``pipeline.build`` (the API) calls
``dataset_files`` on records in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from pipeline.datasets import ALL_RESOURCES, DERIVED_RESOURCES, RESOURCES, Resource, derive_all
from pipeline.exporters import WHOLE_FORMATS, exporter
from pipeline.exporters.datapackage import datapackage
from pipeline.exporters.dictionary import data_dictionary
from pipeline.exporters.json import dumps
from pipeline.schema import json_schema

#: The data dictionary's file name.
DICTIONARY = "README.md"
#: Files whose bytes are not text (compared by content, not byte for byte; never decoded).
BINARY_SUFFIXES = (".parquet", ".db")


def file_names() -> tuple[str, ...]:
    """Every file ``dataset_files`` writes, by its path in the dataset directory."""
    names = [f"{r.name}.{ext}" for r in DERIVED_RESOURCES for ext in ("json", "csv", "parquet")]
    names += [f"schemas/{r.name}.schema.json" for r in DERIVED_RESOURCES]
    names += [f"{r.name}.jsonl" for r in ALL_RESOURCES]
    names += [f.file_name for f in WHOLE_FORMATS.values()]
    return (*names, "datapackage.json", DICTIONARY)


def read_page_datasets(directory: Path) -> dict[str, list[Any]]:
    """The records of every page dataset, read back from the JSON files just written in ``directory``."""
    return {r.name: [r.from_dict(item) for item in orjson.loads((directory / f"{r.name}.json").read_bytes())]
            for r in RESOURCES}


def dataset_files(records: Mapping[str, Sequence[Any]], csv_safe: bool = False) -> dict[str, bytes]:
    """Every file of ``file_names()`` from the page datasets' records (by dataset name)."""
    everything: dict[str, Sequence[Any]] = {**records, **derive_all(records)}
    files: dict[str, bytes] = {}
    for resource in DERIVED_RESOURCES:
        found = everything[resource.name]
        for name in ("json", "csv-safe" if csv_safe else "csv", "parquet"):
            form = exporter(name)
            files[form.file_name(resource)] = form.export(resource, found)
        files[f"schemas/{resource.name}.schema.json"] = dumps(json_schema(resource)).encode("utf-8")
    jsonl = exporter("jsonl")
    for resource in ALL_RESOURCES:
        files[jsonl.file_name(resource)] = jsonl.export(resource, everything[resource.name])
    pairs: list[tuple[Resource, Sequence[Any]]] = [(r, everything[r.name]) for r in ALL_RESOURCES]
    for whole in WHOLE_FORMATS.values():
        files[whole.file_name] = whole.export(pairs)
    counts = {r.name: len(everything[r.name]) for r in ALL_RESOURCES}
    files["datapackage.json"] = dumps(datapackage(counts)).encode("utf-8")
    files[DICTIONARY] = data_dictionary(counts).encode("utf-8")
    return files


def whole_dataset_files(directory: Path, csv_safe: bool = False) -> dict[str, bytes]:
    """``dataset_files`` of the page datasets written in ``directory`` (the dataset writer's last step)."""
    return dataset_files(read_page_datasets(directory), csv_safe)


def text_checksums(files: Mapping[str, bytes]) -> dict[str, str]:
    """The sha256 of each text file (binary ones aside: their bytes carry library versions)."""
    return {name: hashlib.sha256(data).hexdigest() for name, data in files.items()
            if not name.endswith(BINARY_SUFFIXES)}

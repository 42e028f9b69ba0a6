"""The Frictionless Data Package descriptor, the JSON Schemas and the manifest of a dataset directory."""

from __future__ import annotations

import hashlib
from typing import Any

from pipeline import __version__
from pipeline.datasets import ALL_RESOURCES
from pipeline.datasets.provenance import LICENSES, SOURCES
from pipeline.exporters import FORMATS
from pipeline.exporters.sqlite import FILE_NAME as DATABASE
from pipeline.schema import Resource, table_schema

#: ``datapackage.json``'s name for the dataset directory.
PACKAGE_NAME = "vendor-api-status-and-error-codes"


def datapackage(counts: dict[str, int]) -> dict[str, Any]:
    """``datapackage.json``: each dataset's CSV file as a tabular resource typed by its Table Schema, its
    JSON, JSON Lines and Parquet files and the SQLite database as files; with sources and licences."""
    resources: list[dict[str, Any]] = []
    for resource in ALL_RESOURCES:
        resources.extend(_resources(resource, counts.get(resource.name, 0)))
    resources.append(_file("database", "Every dataset in one SQLite database", DATABASE, "sqlite",
                           "application/vnd.sqlite3", "One table per dataset, indexes on codes, full-text "
                           "search (<dataset>_fts tables), foreign keys where datasets are related."))
    return {
        "profile": "data-package",  # the Parquet file and the database are not tabular resources
        "name": PACKAGE_NAME,
        "title": "HTTP status codes and service error codes from vendor API documentation",
        "version": __version__,
        "licenses": list(LICENSES),
        "sources": list(SOURCES),
        "resources": resources,
    }


def _resources(resource: Resource, count: int) -> list[dict[str, Any]]:
    name = resource.name.replace("_", "-")
    files = {form: FORMATS[form].file_name(resource) for form in ("json", "csv", "parquet", "jsonl")}
    schema = table_schema(resource)
    about = f"{count} records; {files['json']} is validated by schemas/{resource.name}.schema.json."
    csv = {
        "name": name, "title": resource.title, "profile": "tabular-data-resource",
        "path": files["csv"], "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "dialect": {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True,
                    "lineTerminator": "\r\n"},
        "schema": schema, "description": about,
    }
    # The other files hold the same records; they are listed as files ("type": "file"), which
    # frictionless does not read: it cannot read an empty JSON array as a table, and reads
    # Parquet through pandas, which turns a null integer into NaN.
    json = _file(f"{name}-json", f"{resource.title} (JSON)", files["json"], "json", "application/json",
                 f"{count} records, an array of objects; its JSON Schema is schemas/{resource.name}.schema.json.")
    jsonl = _file(f"{name}-jsonl", f"{resource.title} (JSON Lines)", files["jsonl"], "jsonl",
                  "application/jsonl", f"{count} records, one object per line.")
    parquet = _file(f"{name}-parquet", f"{resource.title} (Parquet)", files["parquet"], "parquet",
                    "application/vnd.apache.parquet",
                    f"{count} records; column statistics, and the footer's pipeline.json_sha256 is the sha256 of "
                    f"{files['json']}.")
    return [csv, json, jsonl, parquet]


def _file(name: str, title: str, path: str, form: str, mediatype: str, description: str) -> dict[str, Any]:
    found = {"name": name, "title": title, "type": "file", "profile": "data-resource", "path": path, "format": form,
             "mediatype": mediatype, "description": description}
    if form in ("json", "jsonl"):
        found["encoding"] = "utf-8"
    return found


def content_hash(file_hashes: dict[str, str]) -> str:
    """The dataset hash: sha256 over the sorted ``name sha256`` lines of its canonical JSON files.

    Only the JSON files count (Parquet bytes embed library versions); hashing their hashes
    lets a streaming writer compute it without holding any file in memory.
    """
    lines = "".join(f"{name} {file_hashes[name]}\n" for name in sorted(file_hashes))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()

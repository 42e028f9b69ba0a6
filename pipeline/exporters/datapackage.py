"""The Frictionless Data Package descriptor, the JSON Schemas and the manifest of a dataset directory."""

from __future__ import annotations

import hashlib
from typing import Any

from pipeline import __version__
from pipeline.exporters import FORMATS
from pipeline.schema import RESOURCES, Resource, table_schema


def datapackage(counts: dict[str, int]) -> dict[str, Any]:
    """``datapackage.json``: one tabular resource per CSV file, typed by its Table Schema."""
    return {
        "profile": "tabular-data-package",
        "name": "vendor-api-status-and-error-codes",
        "title": "HTTP status codes and service error codes from vendor API documentation",
        "version": __version__,
        "resources": [_resource(r, counts.get(r.name, 0)) for r in RESOURCES],
    }


def _resource(resource: Resource, count: int) -> dict[str, Any]:
    return {
        "name": resource.name.replace("_", "-"),
        "title": resource.title,
        "profile": "tabular-data-resource",
        "path": FORMATS["csv"].file_name(resource),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True,
                    "lineTerminator": "\r\n"},
        "schema": table_schema(resource),
        "description": f"{count} records. Also as {FORMATS['json'].file_name(resource)} (validated by "
                       f"schemas/{resource.name}.schema.json) and {FORMATS['parquet'].file_name(resource)}.",
    }


def content_hash(file_hashes: dict[str, str]) -> str:
    """The dataset hash: sha256 over the sorted ``name sha256`` lines of its canonical JSON files.

    Only the JSON files count (Parquet bytes embed library versions); hashing their hashes
    lets a streaming writer compute it without holding any file in memory.
    """
    lines = "".join(f"{name} {file_hashes[name]}\n" for name in sorted(file_hashes))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()

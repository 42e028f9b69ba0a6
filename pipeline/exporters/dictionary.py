"""``README.md`` of a dataset directory: the data dictionary, generated from the declarations.

What each file holds, then each dataset: its record count, key, primary key, lookups,
full-text fields, relations, and a table of its fields (type, required, constraints,
description). Only counts vary with the data: no dates, so the file is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline import __version__
from pipeline.datasets import ALL_RESOURCES, DERIVED_RESOURCES, Field, Resource
from pipeline.datasets.provenance import LICENSE_EVIDENCE, LICENSES, SOURCES
from pipeline.exporters.sqlite import FILE_NAME as DATABASE


def field_type_text(field: Field) -> str:
    """``string``, ``integer (16-bit)``, ``list of string``, ``one of a, b``."""
    kind = {"small_integer": "integer (16-bit)"}.get(field.type, field.type)
    if field.enum:
        kind = "one of " + ", ".join(f"`{v}`" for v in field.enum)
    return f"list of {kind}" if field.is_list else kind


def constraints_text(field: Field) -> str:
    parts = ["required" if field.required else "may be null"]
    if field.minimum is not None:
        parts.append(f"{field.minimum}–{field.maximum}")
    if field.searchable:
        parts.append("full-text")
    return ", ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def resource_section(resource: Resource, count: int) -> list[str]:
    lines = [f"## `{resource.name}`", "", f"{resource.title}: **{count} records**.", ""]
    facts = [("files", ", ".join(f"`{resource.name}.{ext}`" for ext in ("json", "csv", "parquet", "jsonl"))
              + f", table `{resource.name}` of `{DATABASE}`"),
             ("key (what a record is)", ", ".join(resource.key)),
             ("primary key", ", ".join(resource.primary_key) or "none (the docs repeat records)"),
             ("order", ", ".join(resource.order))]
    if resource.lookups:
        facts.append(("`pipeline show` matches", "; ".join(" + ".join(x) for x in resource.lookups)))
    if resource.searchable:
        facts.append(("full-text search", f"{', '.join(resource.searchable)} (table `{resource.name}_fts`)"))
    for relation in resource.relations:
        facts.append(("relation", f"{', '.join(relation.fields)} → {relation.resource} "
                                  f"({', '.join(relation.reference)})"))
    if resource in DERIVED_RESOURCES:
        facts.append(("derived", "from the other datasets' records once every page is read"))
    lines += [f"* {what}: {value}" for what, value in facts]
    lines += ["", "| field | type | constraints | description |", "|---|---|---|---|"]
    lines += [f"| `{f.name}` | {field_type_text(f)} | {constraints_text(f)} | {_cell(f.description)} |"
              for f in resource.fields]
    return [*lines, ""]


def documents_text(documents: Sequence[str]) -> list[str]:
    """The paragraph on the OpenAPI documents (none when no service has an operation)."""
    if not documents:
        return []
    listed = ", ".join(f"`{name}`" for name in documents)
    return [f"`openapi/<service>.json`: one OpenAPI 3.1 document per service with an operation, made from "
            "the `operations`, `parameters` and `operation_status_codes` records (the docs defects met are "
            f"in `issues.json`); {len(documents)} here: {listed}.", ""]


def data_dictionary(counts: dict[str, int], documents: Sequence[str] = ()) -> str:
    """The text of ``README.md`` for a dataset directory with these record counts and OpenAPI documents."""
    lines = [
        "# Data dictionary",
        "",
        f"Written by `pipeline` {__version__} from the dataset declarations (`pipeline/datasets/`); "
        "do not edit: every build rewrites it.",
        "",
        "Every dataset is in four files with the same records in the same order: JSON (an array, "
        "validated by `schemas/<dataset>.schema.json`), CSV (RFC 4180, null is the empty field, a list "
        "is its JSON array), Parquet (typed columns with statistics) and JSON Lines (one object per line); "
        f"and a table of the SQLite database `{DATABASE}`. `datapackage.json` describes them all "
        "(Frictionless), `manifest.json` says how they were made, `issues.json` and `tables.json` "
        "report every problem and every table read.",
        "",
        "Sources: " + "; ".join(f"{s['title']} <{s['path']}>" for s in SOURCES) + ".",
        "",
        f"Licence: {', '.join(lic['name'] for lic in LICENSES)}, as stated by {LICENSE_EVIDENCE}.",
        "",
        *documents_text(documents),
    ]
    for resource in ALL_RESOURCES:
        lines += resource_section(resource, counts.get(resource.name, 0))
    return "\n".join(lines)

"""The JSON Schema and the Frictionless Table Schema of a dataset, derived from its declaration.

The datasets themselves are declared in ``pipeline.datasets``; their names are
re-exported here for the modules that import them from ``pipeline.schema``.
"""

from __future__ import annotations

from typing import Any

from pipeline.datasets import ERROR_CODES as ERROR_CODES
from pipeline.datasets import RESOURCES as RESOURCES
from pipeline.datasets import STATUS_CODES as STATUS_CODES
from pipeline.datasets import Field as Field
from pipeline.datasets import Resource as Resource
from pipeline.datasets.types import LIST_TABLE_TYPE


def json_schema(resource: Resource) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for the JSON export of ``resource``: an array of records."""
    properties: dict[str, Any] = {}
    for f in resource.fields:
        kind = "array" if f.is_list else f.storage.json
        prop: dict[str, Any] = {"type": kind if f.required else [kind, "null"], "description": f.description}
        item: dict[str, Any] = {"type": f.storage.json} if f.is_list else prop
        if f.enum:
            item["enum"] = list(f.enum)
        if f.type == "string" and (f.required or f.is_list):
            item["minLength"] = 1
        if f.minimum is not None:
            item["minimum"], item["maximum"] = f.minimum, f.maximum
        if f.is_list:
            prop["items"] = item
        properties[f.name] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://pipeline.invalid/schemas/{resource.name}.schema.json",
        "title": resource.title,
        "type": "array",
        "items": {
            "type": "object",
            "properties": properties,
            "required": list(resource.column_names),
            "additionalProperties": False,
        },
    }


def table_schema(resource: Resource) -> dict[str, Any]:
    """A Frictionless Table Schema for the CSV export of ``resource``."""
    columns: list[dict[str, Any]] = []
    for f in resource.fields:
        kind = LIST_TABLE_TYPE if f.is_list else f.storage.table
        column: dict[str, Any] = {"name": f.name, "type": kind, "description": f.description}
        constraints: dict[str, Any] = {}
        if f.required:
            constraints["required"] = True
        if f.enum and not f.is_list:
            constraints["enum"] = list(f.enum)
        if f.minimum is not None and not f.is_list:
            constraints["minimum"], constraints["maximum"] = f.minimum, f.maximum
        if constraints:
            column["constraints"] = constraints
        columns.append(column)
    schema: dict[str, Any] = {"fields": columns, "missingValues": [""]}
    if resource.primary_key:
        schema["primaryKey"] = list(resource.primary_key)
    if resource.relations:
        schema["foreignKeys"] = [{"fields": list(r.fields), "reference": {
            "resource": r.resource.replace("_", "-"), "fields": list(r.reference)}} for r in resource.relations]
    return schema

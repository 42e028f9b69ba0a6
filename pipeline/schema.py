"""The dataset contract in one place: columns, types, nullability, descriptions.

Every exporter (JSON, CSV, Parquet), the Frictionless Table Schema and the JSON Schema
are derived from these definitions, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

from pipeline.model import ErrorCodeRecord, StatusCodeRecord

FieldType = Literal["string", "integer"]


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: FieldType
    required: bool
    description: str
    enum: tuple[str, ...] = ()


_LOCATION = (
    Field("service", "string", True, "The service: the folder name under the input root."),
    Field("source_path", "string", True, "The page's path relative to the input root, POSIX separators."),
    Field("source_format", "string", True, "The page's sniffed format.", ("html", "rst")),
    Field("page_title", "string", False, "The page's title."),
    Field("page_id", "string", False, "The page's anchor, or the stem of the RST :original_name:."),
    Field("table_index", "integer", True, "0-based index of the table among all tables of the page."),
    Field("table_title", "string", False, "The table's title without its 'Table N' prefix."),
    Field("row_index", "integer", True, "0-based index of the data row within its table."),
    Field("line", "integer", False, "The line of the source page where the row starts."),
)

STATUS_FIELDS: tuple[Field, ...] = (
    *_LOCATION,
    Field("status_code", "integer", True, "The HTTP status code."),
    Field("documented_reason", "string", False, "The reason phrase as the page words it, whitespace collapsed."),
    Field("reason", "string", True, "The canonical IANA phrase; for unregistered codes the documented one."),
    Field("description", "string", False, "The description text, markup removed, whitespace collapsed."),
    Field("category", "string", True, "The class of the code, from its first digit.",
          ("informational", "success", "redirection", "client_error", "server_error")),
)

ERROR_FIELDS: tuple[Field, ...] = (
    *_LOCATION,
    Field("error_code", "string", True,
          "The service error code, verbatim. Always a string: leading zeros matter; never read it as a number."),
    Field("status_code", "integer", False, "The HTTP status returned with the error, where documented."),
    Field("message", "string", False, "Message / Error Message / Error Information."),
    Field("description", "string", False, "Description / Cause / Error Code Description."),
    Field("solution", "string", False, "Handling Measure / Solution / Measure / Suggestion."),
    Field("module", "string", False, "Module."),
)


@dataclass(frozen=True, slots=True)
class Resource:
    """One dataset: its name, record type, columns, key and description."""

    name: str
    record_type: type[StatusCodeRecord] | type[ErrorCodeRecord]
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    title: str

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


STATUS_CODES = Resource(
    "status_codes", StatusCodeRecord, STATUS_FIELDS, ("source_path", "table_index", "row_index", "status_code"),
    "HTTP status codes documented by each service",
)
ERROR_CODES = Resource(
    "error_codes", ErrorCodeRecord, ERROR_FIELDS, (), "Service error codes documented by each service",
)
RESOURCES: tuple[Resource, ...] = (STATUS_CODES, ERROR_CODES)

assert tuple(f.name for f in fields(StatusCodeRecord)) == STATUS_CODES.column_names
assert tuple(f.name for f in fields(ErrorCodeRecord)) == ERROR_CODES.column_names


def json_schema(resource: Resource) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for the JSON export of ``resource``: an array of records."""
    properties: dict[str, Any] = {}
    for f in resource.fields:
        kind: Any = f.type if f.required else [f.type, "null"]
        prop: dict[str, Any] = {"type": kind, "description": f.description}
        if f.enum:
            prop["enum"] = list(f.enum)
        if f.type == "string" and f.required:
            prop["minLength"] = 1
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
        column: dict[str, Any] = {"name": f.name, "type": f.type, "description": f.description}
        constraints: dict[str, Any] = {}
        if f.required:
            constraints["required"] = True
        if f.enum:
            constraints["enum"] = list(f.enum)
        if constraints:
            column["constraints"] = constraints
        columns.append(column)
    schema: dict[str, Any] = {"fields": columns, "missingValues": [""]}
    if resource.primary_key:
        schema["primaryKey"] = list(resource.primary_key)
    return schema

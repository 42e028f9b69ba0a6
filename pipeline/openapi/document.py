"""One OpenAPI 3.1 document per service, from its operations, parameters and operation status codes.

``openapi_export(records)`` takes the build's records (dataset name -> records, see
``pipeline.openapi.inputs``) and gives ``openapi/<service>.json`` for every service with an
operation, as deterministic bytes, with the docs defects met on the way as ``Issue`` records:

* one path item per path (paths sorted), one operation per method and path, in the order
  ``get put post delete options head patch trace``; an operation documented twice (another
  page, another line) is kept once, at its first place, and reported (``duplicate-operation``);
* ``operationId``: the method and the path in lower snake case (``get_v1_project_id_vpcs``),
  a repeat (``/a-b`` and ``/a_b``) numbered in path order (``_2``);
* ``parameters``: the path's placeholders in template order (``required: true``; one no
  parameter documents is declared as a string and reported, ``undocumented-path-parameter``;
  a documented path parameter with no placeholder is left out and reported,
  ``path-parameter-not-in-path``), then query and header parameters in page order;
* ``requestBody``: the body parameters as one object schema, nested fields as properties;
* ``responses``: every documented status code and every status a response table is
  documented for; response fields and headers with no status go to the lowest documented
  2xx code, else to ``2XX`` (the page names no success code);
* ``x-source``: the page and line of the operation's request line; ``x-documented-again``: the
  places of its repeats (OpenStack's ``POST .../servers/{server_id}/action`` is one path for
  many actions, one page each: OpenAPI has one operation for them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from pipeline.datasets.parameters import ParameterRecord
from pipeline.model import Issue, Location
from pipeline.normalize.httpstatus import canonical_reason
from pipeline.openapi.inputs import ApiRecords, OperationLike, OperationStatusLike
from pipeline.openapi.names import document_path
from pipeline.openapi.schema import JsonObject, field_tree, node_schema, object_schema
from pipeline.problems import (
    AMBIGUOUS_PATHS,
    DUPLICATE_OPERATION,
    PATH_PARAMETER_NOT_IN_PATH,
    REPEATED_PATH_PARAMETER,
    UNDOCUMENTED_PATH_PARAMETER,
)

OPENAPI_VERSION = "3.1.0"
#: The document's ``info.version``: the docs carry no version of the API they describe.
INFO_VERSION = "unversioned"
#: The operations of a path item, in the order OpenAPI lists them.
METHOD_ORDER = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: The response that holds response fields documented without a status, when no 2xx code is documented.
SUCCESS_RANGE = "2XX"
MEDIA_TYPE = "application/json"
#: The description of a path parameter the page does not document.
UNDOCUMENTED = "Not documented: the path has this placeholder, the page no path parameter for it."
#: The extension holding an operation's source location.
SOURCE_EXTENSION = "x-source"
#: The extension listing where the same method and path is documented again (not read into the document).
REPEATS_EXTENSION = "x-documented-again"
#: Runs of characters an operationId leaves out (linear: one character class).
_NOT_WORD = re.compile(r"[^A-Za-z0-9]++")


@dataclass(frozen=True, slots=True)
class OpenApiExport:
    """The documents (``openapi/<service>.json`` -> bytes) and the docs defects met building them."""

    documents: dict[str, bytes]
    issues: tuple[Issue, ...]


def openapi_export(records: Mapping[str, Iterable[Any]]) -> OpenApiExport:
    """Every service's OpenAPI document and the defects found, from the build's records (see the module doc)."""
    documents: dict[str, bytes] = {}
    issues: list[Issue] = []
    for name, data, found in service_files(ApiRecords.of(records).by_service().items()):
        documents[name] = data
        issues.extend(found)
    return OpenApiExport(documents, tuple(issues))


def service_files(services: Iterable[tuple[str, ApiRecords]]) -> Iterator[tuple[str, bytes, list[Issue]]]:
    """For each service given (with its records) that has an operation: its document's path, bytes and
    defects, one service at a time (the dataset writer feeds it the staged records service by service)."""
    taken: set[str] = set()  # the names given: see pipeline.openapi.names
    for service, mine in services:
        if mine.operations:
            document, found = service_document(service, mine)
            yield document_path(service, taken), document_bytes(document), found


def openapi_documents(records: Mapping[str, Iterable[Any]]) -> dict[str, bytes]:
    """``openapi/<service>.json`` -> its bytes, for every service with an operation."""
    return openapi_export(records).documents


def document_bytes(document: JsonObject) -> bytes:
    """The document as the project writes JSON: 2-space indent, UTF-8, a newline at the end; keys as built."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def operation_id(method: str, path: str) -> str:
    """``get_v1_project_id_vpcs`` for ``GET /v1/{project_id}/vpcs``: the method and path in lower snake case.

    >>> operation_id("DELETE", "/v2/reverse/floatingips/{region}:{floatingip_id}")
    'delete_v2_reverse_floatingips_region_floatingip_id'
    """
    return _NOT_WORD.sub("_", f"{method} {path}").strip("_").lower()


def placeholders(path: str) -> tuple[str, ...]:
    """The ``{name}`` placeholders of a path, in order, as printed (a repeat too).

    >>> placeholders("/v2/reverse/floatingips/{region}:{floatingip_id}")
    ('region', 'floatingip_id')
    """
    names: list[str] = []
    start = path.find("{")
    while start >= 0:
        end = path.find("}", start + 1)
        if end < 0:
            break
        name = path[start + 1:end]
        if "{" not in name:
            names.append(name)
        start = path.find("{", end + 1)
    return tuple(names)


def path_shape(path: str) -> str:
    """The path with every placeholder emptied: two paths of one shape are the same to a client.

    >>> path_shape("/v2/{project_id}/{resource_type}/tags") == path_shape("/v2/{resource_type}/{resource_id}/tags")
    True
    """
    for name in placeholders(path):
        path = path.replace("{" + name + "}", "{}", 1)
    return path


@dataclass(frozen=True, slots=True)
class _Operation:
    """One operation of the document and its records (those of its page only)."""

    op: OperationLike
    parameters: tuple[ParameterRecord, ...]
    status_codes: tuple[OperationStatusLike, ...]
    repeats: tuple[OperationLike, ...] = ()  # the same method and path documented elsewhere, not read

    @property
    def location(self) -> Location:
        return Location(self.op.source_path, self.op.line)


def service_document(service: str, records: ApiRecords) -> tuple[JsonObject, list[Issue]]:
    """The OpenAPI document of one service's records, and the defects found (see the module doc)."""
    kept, issues = _unique_operations(records)
    paths: dict[str, dict[str, JsonObject]] = {}
    ids: set[str] = set()
    for item in sorted(kept, key=lambda o: (o.op.path, _method_rank(o.op.method))):
        operation, found = operation_object(item, _unique_id(operation_id(item.op.method, item.op.path), ids))
        paths.setdefault(item.op.path, {})[item.op.method.lower()] = operation
        issues.extend(found)
    issues.extend(path_issues(kept))
    document: JsonObject = {
        "openapi": OPENAPI_VERSION,
        "info": {"title": service, "version": INFO_VERSION,
                 "description": f"The operations the {service} documentation pages print, read by pipeline."},
        "paths": paths,
    }
    return document, issues


def path_issues(kept: Iterable[_Operation]) -> list[Issue]:
    """A placeholder printed twice in a path; paths of one shape (at the later path's first operation)."""
    first_of: dict[str, _Operation] = {}
    for item in sorted(kept, key=lambda o: (o.op.path, _method_rank(o.op.method))):
        first_of.setdefault(item.op.path, item)
    issues: list[Issue] = []
    shapes: dict[str, str] = {}
    for path, item in first_of.items():
        names = placeholders(path)
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            shown = ", ".join("{" + name + "}" for name in repeated)
            issues.append(REPEATED_PATH_PARAMETER.at(item.location, f"{path} prints {shown} more than once"))
        other = shapes.setdefault(path_shape(path), path)
        if other != path:
            where = first_of[other].location
            issues.append(AMBIGUOUS_PATHS.at(item.location, f"{path} and {other} (at {where}) differ only in "
                                                            "their placeholders' names"))
    return issues


def _method_rank(method: str) -> int:
    lower = method.lower()
    return METHOD_ORDER.index(lower) if lower in METHOD_ORDER else len(METHOD_ORDER)


def _unique_id(candidate: str, taken: set[str]) -> str:
    found, number = candidate, 1
    while found in taken:
        number += 1
        found = f"{candidate}_{number}"
    taken.add(found)
    return found


def _unique_operations(records: ApiRecords) -> tuple[list[_Operation], list[Issue]]:
    """Each method and path once, at its first place (page, line); the repeats reported."""
    parameters: dict[tuple[str, str, str], list[ParameterRecord]] = {}
    codes: dict[tuple[str, str, str], list[OperationStatusLike]] = {}
    for parameter in records.parameters:
        parameters.setdefault((parameter.source_path, parameter.method, parameter.path), []).append(parameter)
    for code in records.status_codes:
        codes.setdefault((code.source_path, code.method, code.path), []).append(code)
    first: dict[tuple[str, str], OperationLike] = {}
    repeats: dict[tuple[str, str], list[OperationLike]] = {}
    issues: list[Issue] = []
    for op in sorted(records.operations, key=lambda o: (o.source_path, o.line or 0)):
        key = (op.method.upper(), op.path)
        if key in first:
            where = first[key]
            issues.append(DUPLICATE_OPERATION.at(
                Location(op.source_path, op.line),
                f"{op.method} {op.path} is documented again here (first at {Location(where.source_path, where.line)})"
                "; the OpenAPI document keeps the first"))
            repeats.setdefault(key, []).append(op)
            continue
        first[key] = op
    kept = []
    for key, op in first.items():
        place = (op.source_path, op.method, op.path)
        kept.append(_Operation(op, tuple(parameters.get(place, ())), tuple(codes.get(place, ())),
                               tuple(repeats.get(key, ()))))
    return kept, issues


def operation_object(item: _Operation, identifier: str) -> tuple[JsonObject, list[Issue]]:
    """The Operation Object of one operation, and the defects of its path parameters."""
    op = item.op
    parameters, issues = _parameters(item)
    operation: JsonObject = {"operationId": identifier}
    if op.summary:
        operation["summary"] = op.summary
    operation["deprecated"] = bool(op.deprecated)
    if parameters:
        operation["parameters"] = parameters
    body = [r for r in item.parameters if r.in_ == "body"]
    if body:
        tree = field_tree(body)
        operation["requestBody"] = {"content": {MEDIA_TYPE: {"schema": object_schema(tree)}},
                                    "required": any(node.required for node in tree.values())}
    responses = _responses(item)
    if responses:
        operation["responses"] = responses
    operation[SOURCE_EXTENSION] = {"source_path": op.source_path, "line": op.line}
    if item.repeats:
        operation[REPEATS_EXTENSION] = [{"source_path": r.source_path, "line": r.line} for r in item.repeats]
    return operation, issues


def _parameters(item: _Operation) -> tuple[list[JsonObject], list[Issue]]:
    """Path parameters in template order, then query and header parameters in page order."""
    op = item.op
    issues: list[Issue] = []
    documented = field_tree(r for r in item.parameters if r.in_ == "path")
    template = tuple(dict.fromkeys(placeholders(op.path)))
    found: list[JsonObject] = []
    for name in template:
        node = documented.get(name)
        if node is None:
            issues.append(UNDOCUMENTED_PATH_PARAMETER.at(
                item.location, f"{op.method} {op.path}: no path parameter documents {{{name}}}; declared as a string"))
            found.append({"name": name, "in": "path", "required": True, "description": UNDOCUMENTED,
                          "schema": {"type": "string"}})
        else:
            found.append(_parameter(name, "path", node_schema(node), True))
    for name, node in documented.items():
        if name not in template:
            record = node.record
            issues.append(PATH_PARAMETER_NOT_IN_PATH.at(
                Location(op.source_path, record.line if record else op.line,
                         record.table_index if record else None, record.row_index if record else None),
                f"{op.method} {op.path}: path parameter {name!r} has no {{placeholder}} in the path; left out"))
    for where in ("query", "header"):
        tree = field_tree(r for r in item.parameters if r.in_ == where)
        found.extend(_parameter(name, where, node_schema(node), node.required) for name, node in tree.items())
    return found, issues


def _parameter(name: str, where: str, schema: JsonObject, required: bool) -> JsonObject:
    """A Parameter Object; the description moves from the schema to the parameter."""
    description = schema.pop("description", None)
    parameter: JsonObject = {"name": name, "in": where, "required": required}
    if description:
        parameter["description"] = description
    parameter["schema"] = schema
    return parameter


def _responses(item: _Operation) -> JsonObject:
    """Per status: its description, headers and body; numeric codes in order, then ``2XX``."""
    described: dict[str, str] = {}
    for record in item.status_codes:
        text = record.description or record.documented_reason or record.reason
        if str(record.status_code) not in described or (text and not described[str(record.status_code)]):
            described[str(record.status_code)] = text or ""
    fields: dict[str, list[ParameterRecord]] = {}
    loose = [r for r in item.parameters if r.in_ in ("response_body", "response_header") and r.status_code is None]
    for parameter in item.parameters:
        if parameter.in_ in ("response_body", "response_header") and parameter.status_code is not None:
            fields.setdefault(str(parameter.status_code), []).append(parameter)
    codes = sorted({*described, *fields}, key=int)
    if loose:
        success = next((code for code in codes if code.startswith("2")), SUCCESS_RANGE)
        fields.setdefault(success, [])[:0] = loose
        if success == SUCCESS_RANGE:
            codes.append(success)
    return {code: _response(code, described.get(code), fields.get(code, [])) for code in codes}


def _response(code: str, description: str | None, records: list[ParameterRecord]) -> JsonObject:
    """A Response Object: the documented description (else the code's reason phrase), headers, body schema."""
    if not description:
        description = canonical_reason(int(code), None) if code.isdigit() else "Successful response"
    response: JsonObject = {"description": description}
    headers = field_tree(r for r in records if r.in_ == "response_header")
    if headers:
        response["headers"] = {name: _header(node_schema(node), node.required) for name, node in headers.items()}
    body = field_tree(r for r in records if r.in_ == "response_body")
    if body:
        response["content"] = {MEDIA_TYPE: {"schema": object_schema(body)}}
    return response


def _header(schema: JsonObject, required: bool) -> JsonObject:
    description = schema.pop("description", None)
    header: JsonObject = {"description": description} if description else {}
    if required:
        header["required"] = True
    header["schema"] = schema
    return header


#: The exporter the writer calls: records by dataset -> files by relative path.
ServiceDocuments = Callable[[Mapping[str, Iterable[Any]]], dict[str, bytes]]

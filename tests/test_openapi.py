"""OpenAPI per service (issue 15): every document validates, its parts follow the records, bytes are deterministic.

The fixture pages (``tests/fixtures/operations`` and ``tests/fixtures/parameters``, copies of
real pages) are grouped by service and exported; each document is checked with
``openapi-spec-validator``. The rules (operationId, path parameters, responses, nesting,
the docs defects) are checked on small records made here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from api_records import OperationRow, OperationStatusRow, merged, page_api_records
from openapi_spec_validator import validate

from pipeline.datasets.parameters import ParameterRecord
from pipeline.exporters import DOCUMENT_SETS
from pipeline.openapi import OPERATION_STATUS_CODES, OPERATIONS, PARAMETERS, openapi_documents, openapi_export
from pipeline.sources import SourceFile

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _tree_root(path: Path) -> Path:
    """The docs tree a fixture page lies in: ``.../rst`` or ``.../md/doc/source``."""
    for parent in path.parents:
        if parent.name == "rst" or (parent.name == "source" and parent.parent.name == "doc"):
            return parent
    raise AssertionError(path)


def fixture_records() -> dict[str, list[Any]]:
    pages = sorted(p for folder in ("operations", "parameters") for p in (FIXTURES / folder).rglob("*")
                   if p.is_file())
    parts = []
    for path in pages:
        rel = path.relative_to(_tree_root(path)).as_posix()
        parts.append(page_api_records(SourceFile(rel.split("/", 1)[0], rel, path)))
    return merged(parts)


FIXTURE_RECORDS = fixture_records()
FIXTURE_EXPORT = openapi_export(FIXTURE_RECORDS)


def test_the_fixture_pages_give_a_document_per_service_of_both_formats() -> None:
    services = {path.split("/")[1][:-len(".json")] for path in FIXTURE_EXPORT.documents}
    assert {"virtual-private-cloud", "elastic-cloud-server", "vpc", "ecs", "smn"} <= services
    assert len(services) >= 14


@pytest.mark.parametrize("path", sorted(FIXTURE_EXPORT.documents))
def test_every_fixture_document_validates(path: str) -> None:
    document = json.loads(FIXTURE_EXPORT.documents[path])
    validate(document)  # raises on any violation of OpenAPI 3.1
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert operations and all(op["x-source"]["source_path"] for op in operations)


def test_a_real_page_by_eye() -> None:
    """smn/api-reference/adding-a-resource-tag.md: three path parameters, a body ``tag`` with required fields."""
    document = json.loads(FIXTURE_EXPORT.documents["openapi/smn.json"])
    operation = document["paths"]["/v2/{project_id}/{resource_type}/{resource_id}/tags"]["post"]
    assert operation["operationId"] == "post_v2_project_id_resource_type_resource_id_tags"
    assert [(p["name"], p["in"], p["required"]) for p in operation["parameters"]] == [
        ("project_id", "path", True), ("resource_type", "path", True), ("resource_id", "path", True)]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["tag"] and operation["requestBody"]["required"] is True
    tag = body["properties"]["tag"]
    assert tag["type"] == "object" and tag["required"] == ["key", "value"]
    assert tag["properties"]["key"] == {"type": "string", "description": "Tag key"}
    assert operation["x-source"] == {"source_path": "smn/api-reference/adding-a-resource-tag.md", "line": 21}
    assert "responses" not in operation  # the page sends the reader to the catalog


def test_the_writer_finds_the_exporter_in_the_registry() -> None:
    assert DOCUMENT_SETS["openapi"](FIXTURE_RECORDS) == FIXTURE_EXPORT.documents


# --- the rules, on records made here ------------------------------------------------------------

def op(path: str, method: str = "GET", page: str = "svc/a.rst", line: int = 10, summary: str | None = "Does it.",
       deprecated: bool = False) -> OperationRow:
    return OperationRow("svc", page, "rst", None, None, 0, line, method, path, None, summary, deprecated)


def param(path: str, name: str, where: str, method: str = "GET", parent: str | None = None,
          required: bool | None = None, type_: str | None = "String", schema: str | None = "string",
          status: int | None = None, page: str = "svc/a.rst", row: int = 0) -> ParameterRecord:
    return ParameterRecord("svc", page, "rst", None, None, 0, None, row, 20 + row, None, None, None, method, path,
                           where, status, name, parent, required, type_, schema, f"The {name}.")


def code(path: str, status: int, method: str = "GET", description: str | None = None,
         page: str = "svc/a.rst") -> OperationStatusRow:
    return OperationStatusRow("svc", page, 1, 0, 40, method, path, status, None, "OK", description)


def export(ops: Iterable[OperationRow], params: Iterable[ParameterRecord] = (),
           codes: Iterable[OperationStatusRow] = ()) -> tuple[dict[str, Any], list[str]]:
    result = openapi_export({OPERATIONS: list(ops), PARAMETERS: list(params), OPERATION_STATUS_CODES: list(codes)})
    document = json.loads(result.documents["openapi/svc.json"])
    validate(document)
    return document, [f"{i.slug}: {i}" for i in result.issues]


def test_operation_ids_are_method_and_path_and_a_repeat_is_numbered_in_path_order() -> None:
    document, _ = export([op("/v1/a_b"), op("/v1/a-b"), op("/v1/a-b", "POST")])
    ids = {(path, method): o["operationId"] for path, item in document["paths"].items() for method, o in item.items()}
    assert ids == {("/v1/a-b", "get"): "get_v1_a_b", ("/v1/a-b", "post"): "post_v1_a_b",
                   ("/v1/a_b", "get"): "get_v1_a_b_2"}


def test_an_undocumented_placeholder_is_declared_and_reported() -> None:
    document, issues = export([op("/v1/{project_id}/vpcs/{vpc_id}")],
                              [param("/v1/{project_id}/vpcs/{vpc_id}", "project_id", "path", required=True)])
    parameters = document["paths"]["/v1/{project_id}/vpcs/{vpc_id}"]["get"]["parameters"]
    assert [(p["name"], p["required"], p["schema"]) for p in parameters] == [
        ("project_id", True, {"type": "string"}), ("vpc_id", True, {"type": "string"})]
    assert parameters[1]["description"].startswith("Not documented")
    assert issues == ["undocumented-path-parameter: svc/a.rst:10: GET /v1/{project_id}/vpcs/{vpc_id}: no path "
                      "parameter documents {vpc_id}; declared as a string"]


def test_a_path_parameter_without_placeholder_is_left_out_and_reported() -> None:
    document, issues = export([op("/v1/vpcs")], [param("/v1/vpcs", "vpc_id", "path", required=False)])
    assert "parameters" not in document["paths"]["/v1/vpcs"]["get"]
    assert issues == ["path-parameter-not-in-path: svc/a.rst:20: table 0 row 0: GET /v1/vpcs: path parameter "
                      "'vpc_id' has no {placeholder} in the path; left out"]


def test_a_path_parameter_is_required_even_where_the_page_says_optional() -> None:
    document, issues = export([op("/v1/{id}")], [param("/v1/{id}", "id", "path", required=False)])
    assert document["paths"]["/v1/{id}"]["get"]["parameters"][0]["required"] is True and not issues


def test_a_duplicate_operation_keeps_the_first_and_lists_the_repeat() -> None:
    document, issues = export(
        [op("/v2/{id}/action", "POST", "svc/b.rst", 5), op("/v2/{id}/action", "POST", "svc/a.rst", 7)],
        [param("/v2/{id}/action", "id", "path", "POST", page=p) for p in ("svc/a.rst", "svc/b.rst")]
        + [param("/v2/{id}/action", "reboot", "body", "POST", page="svc/b.rst", schema="object")])
    operation = document["paths"]["/v2/{id}/action"]["post"]
    assert operation["x-source"] == {"source_path": "svc/a.rst", "line": 7}
    assert operation["x-documented-again"] == [{"source_path": "svc/b.rst", "line": 5}]
    assert "requestBody" not in operation  # b.rst's body is b.rst's operation's, not a.rst's
    assert issues == ["duplicate-operation: svc/b.rst:5: POST /v2/{id}/action is documented again here (first at "
                      "svc/a.rst:7); the OpenAPI document keeps the first"]


def test_repeated_placeholders_and_ambiguous_paths_are_reported() -> None:
    _, issues = export([op("/v2/{project_id}/quota/{project_id}"), op("/v2/{a}/tags", line=3),
                        op("/v2/{b}/tags", page="svc/b.rst")],
                       [param(p, n, "path") for p, n in (("/v2/{project_id}/quota/{project_id}", "project_id"),
                                                         ("/v2/{a}/tags", "a"))]
                       + [param("/v2/{b}/tags", "b", "path", page="svc/b.rst")])
    assert issues == [
        "ambiguous-paths: svc/b.rst:10: /v2/{b}/tags and /v2/{a}/tags (at svc/a.rst:3) differ only in their "
        "placeholders' names",
        "repeated-path-parameter: svc/a.rst:10: /v2/{project_id}/quota/{project_id} prints {project_id} more than "
        "once"]


def test_nested_fields_become_properties_and_array_items() -> None:
    path = "/v1/servers"
    document, _ = export([op(path, "POST")], [
        param(path, "server", "body", "POST", required=True, type_="Object", schema="object", row=0),
        param(path, "name", "body", "POST", "server", True, row=1),
        param(path, "nics", "body", "POST", "server", False, "Array of nic objects", "array", row=2),
        param(path, "subnet_id", "body", "POST", "server.nics", True, row=3),
        param(path, "tags", "body", "POST", "server", None, "Array of strings", "array", row=4),
        param(path, "metadata", "body", "POST", "server.extra", None, "Map", "object", row=5),
    ])
    body = document["paths"][path]["post"]["requestBody"]
    server = body["content"]["application/json"]["schema"]["properties"]["server"]
    assert body["required"] is True
    assert server["required"] == ["name"] and list(server["properties"]) == ["name", "nics", "tags", "extra"]
    assert server["properties"]["nics"]["items"] == {
        "type": "object", "properties": {"subnet_id": {"type": "string", "description": "The subnet_id."}},
        "required": ["subnet_id"]}
    assert server["properties"]["tags"]["items"] == {"type": "string"}
    # a parent no record names (its row was not read) is an object without a description
    assert server["properties"]["extra"] == {"type": "object", "properties": {
        "metadata": {"type": "object", "description": "The metadata."}}}


def test_responses_per_status_code_with_headers_and_fields_without_status_to_the_first_2xx() -> None:
    path = "/v1/vpcs"
    document, _ = export([op(path)], [
        param(path, "vpcs", "response_body", type_="Array", schema="array"),
        param(path, "X-Request-Id", "response_header", required=True, row=1),
        param(path, "error_msg", "response_body", status=400, row=2),
    ], [code(path, 200, description="OK: the VPCs."), code(path, 400), code(path, 201)])
    responses = document["paths"][path]["get"]["responses"]
    assert list(responses) == ["200", "201", "400"]
    assert responses["200"]["description"] == "OK: the VPCs."
    assert responses["200"]["headers"] == {"X-Request-Id": {"description": "The X-Request-Id.", "required": True,
                                                            "schema": {"type": "string"}}}
    assert responses["200"]["content"]["application/json"]["schema"]["properties"] == {
        "vpcs": {"type": "array", "description": "The vpcs."}}
    assert responses["400"]["description"] == "OK"  # the record's reason where it has no description
    assert list(responses["400"]["content"]["application/json"]["schema"]["properties"]) == ["error_msg"]
    assert "content" not in responses["201"]


def test_response_fields_with_no_documented_status_go_to_2xx() -> None:
    document, _ = export([op("/v1/x")], [param("/v1/x", "id", "response_body")])
    responses = document["paths"]["/v1/x"]["get"]["responses"]
    assert list(responses) == ["2XX"] and "id" in responses["2XX"]["content"]["application/json"]["schema"][
        "properties"]


def test_query_and_header_parameters_and_deprecation() -> None:
    path = "/v1/x"
    document, _ = export([op(path, summary=None, deprecated=True)], [
        param(path, "limit", "query", type_="Integer", schema="integer"),
        param(path, "X-Auth-Token", "header", required=True, row=1),
    ])
    operation = document["paths"][path]["get"]
    assert operation["deprecated"] is True and "summary" not in operation
    assert [(p["name"], p["in"], p["required"], p["schema"]) for p in operation["parameters"]] == [
        ("limit", "query", False, {"type": "integer"}), ("X-Auth-Token", "header", True, {"type": "string"})]


def test_the_bytes_do_not_depend_on_the_order_of_operations() -> None:
    ops = [o for o in FIXTURE_RECORDS[OPERATIONS]]
    shuffled = {**FIXTURE_RECORDS, OPERATIONS: list(reversed(ops))}
    assert openapi_documents(shuffled) == openapi_documents(FIXTURE_RECORDS) == FIXTURE_EXPORT.documents


def test_no_operation_no_document() -> None:
    assert openapi_documents({}) == {}
    assert openapi_documents({PARAMETERS: [param("/v1/x", "id", "query")]}) == {}

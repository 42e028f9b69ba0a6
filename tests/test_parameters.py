"""Unit tests of the parameter rules (issue 15): columns, cells, places, nesting, section reports, declaration."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from guards import hang_guard
from records import read_parquet_rows

from pipeline.datasets.operation_sections import OPERATION_SECTIONS
from pipeline.datasets.parameters import PARAMETERS, ParameterRecord
from pipeline.exporters import FORMATS
from pipeline.exporters.json import JsonEncoder
from pipeline.model import Page
from pipeline.normalize.operations import Operation, operations
from pipeline.normalize.parameter_columns import (
    object_type_name,
    parameter_columns,
    required_flag,
    schema_type,
)
from pipeline.normalize.parameter_nesting import (
    RowFacts,
    TableFacts,
    caption_field,
    cited_numbers,
    external_citations,
    page_labels,
    resolve,
    table_numbers,
    top_level_objects,
)
from pipeline.normalize.parameter_places import (
    MAX_EXAMPLE_QUERIES,
    place_of_words,
    same_path,
    template_names,
    uri_location,
)
from pipeline.normalize.parameters import PageParameters, parameters_of_page
from pipeline.outline import outline
from pipeline.parsers import parse_page
from pipeline.problems import KINDS
from pipeline.schema import json_schema
from pipeline.sources import SourceFile
from pipeline.sources.decode import decode_page


def _op(method: str, path: str, query: str | None = None) -> Operation:
    return Operation(0, 1, method, path, query, None, False, "request-line")


def read(text: str, name: str = "svc/page.rst") -> tuple[Page, PageParameters]:
    """Parse a page given as text and read its parameters."""
    source = SourceFile("svc", name, Path(name))
    page_text = decode_page(source, text.encode("utf-8"))
    page_outline = outline(page_text.text, page_text.format)
    page = parse_page(page_text)
    return page, parameters_of_page(page, page_text.text, page_outline, operations(page_outline))


def grid(header: list[str], *rows: list[str], indent: str = "") -> str:
    """An RST grid table."""
    widths = [max(len(c) for c in col) + 2 for col in zip(header, *rows, strict=True)]
    border = indent + "+" + "+".join("-" * w for w in widths) + "+"
    head = indent + "+" + "+".join("=" * w for w in widths) + "+"

    def line(cells: list[str]) -> str:
        return indent + "|" + "|".join(f" {c:<{w - 1}}" for c, w in zip(cells, widths, strict=True)) + "|"

    return "\n".join([border, line(header), head, *[x for r in rows for x in (line(r), border)]])


# --- columns and cells ---------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "expected"), [
    (("Parameter", "Mandatory", "Type", "Description"), (0, 1, 2, 3)),
    (("Name", "Type", "Mandatory", "Description"), (0, 2, 1, 3)),  # Type before Mandatory
    (("Parameter", "Mandatory or Not", "Description"), (0, 1, None, 2)),
    (("Attribute", "Type", "CRUD", "Default Value", "Constraint", "Remarks"), (0, None, 1, 5)),
    (("Parameter", "Mandatory", "Type", "Description", "Description"), (0, 1, 2, 3)),
])
def test_parameter_columns_in_any_order_and_wording(header: tuple[str, ...], expected: tuple[int | None, ...]) -> None:
    columns = parameter_columns(header)
    assert columns is not None
    assert (columns.name, columns.required, columns.type, columns.description) == expected


@pytest.mark.parametrize("header", [("OS", "Version"), ("Security Policy", "TLS Version", "Cipher Suite"),
                                    ("Cluster Type", "Metric Name", "Value Type", "Description"), ("Parameter",)])
def test_tables_that_are_not_parameter_tables(header: tuple[str, ...]) -> None:
    assert parameter_columns(header) is None


@pytest.mark.parametrize(("cell", "expected"), [
    ("Yes", True), ("No", False), ("Mandatory", True), ("Optional", False), ("true", True), ("false", False),
    ("No This parameter is mandatory to create an interface VPC endpoint.", False),
    ("Yes (If the volume is created from a snapshot, this parameter is optional.)", True),
    ("Yes (when the value of action is create) No (when the value of action is delete)", None),
    ("value is mandatory when action is set to create.", None), ("String", None),
])
def test_required_flag(cell: str, expected: bool | None) -> None:
    assert required_flag(cell) is expected


@pytest.mark.parametrize(("printed", "expected", "named"), [
    ("String", "string", None), ("String(255)", "string", None), ("Integer", "integer", None),
    ("Long", "integer", None), ("Float", "number", None), ("Boolean", "boolean", None), ("Bool", "boolean", None),
    ("Object", "object", None), ("Map<String,String>", "object", None), ("Array of strings", "array", None),
    ("List<String>", "array", None), ("Array", "array", None), ("String list", "array", None),
    ("UpdatePoolOption object", "object", "UpdatePoolOption"), ("Array of ListenerRef objects", "array", "ListenerRef"),
    ("List<resource_tag>", "array", "resource_tag"), ("Tags structure array", "array", "Tags"),
    ("master_eip", None, "master_eip"), ("Null", None, "Null"), ("Integer (int32)", "integer", None),
    # a leading List makes a list (md/doc/source/dns/api-reference/querying-all-ptr-records.md: floatingips)
    ("List object", "array", None), ("List data structure", "array", None), ("Listener object", "object", "Listener"),
])
def test_schema_type_and_the_object_type_named(printed: str, expected: str | None, named: str | None) -> None:
    assert schema_type(printed) == expected
    assert object_type_name(printed) == named


# --- places --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("words", "expected"), [
    ("Path Parameters", "path"), ("Query Parameters", "query"), ("Request header parameters", "header"),
    ("Request body parameters", "body"), ("Response body parameters", "response_body"),
    ("Response header parameters", "response_header"), ("Parameters in the URI", "uri"),
    ("Parameters in the response", "response_body"), ("Request Message", "body"), ("Response", "response_body"),
    ("Description of the bandwidth field", None), ("ListenerInsertHeaders", None),
])
def test_place_of_words(words: str, expected: str | None) -> None:
    assert place_of_words(words) == expected


def test_uri_template_decides_path_and_query() -> None:
    op = _op("GET", "/v2/{project_id}/zones", "type={type}&limit={limit}{?marker}")
    assert template_names(op) == (frozenset({"project_id"}), frozenset({"type", "limit", "marker"}))
    assert uri_location("project_id", op)[0] == "path"
    assert uri_location("marker", op)[0] == "query"
    assert uri_location("name", op)[0] == "query"  # a GET has no body
    post = _op("POST", "/v1.0/{project_id}/elbaas/listeners")
    assert uri_location("protocol", post)[0] == "body"  # the page's URI table lists its body
    assert uri_location("limit", post, body_table=True)[0] == "query"  # the body has a table of its own


# --- nesting -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("caption", "expected"), [
    ("Description of the bandwidths field", "bandwidths"), ("transfer field description", "transfer"),
    ("publicip_info object", "publicip_info"), ("route objects", "route"), ("UpdatePoolOption", "UpdatePoolOption"),
    ("security group rule objects", "security group rule"), ("Data structure of field resource_tag", "resource_tag"),
    ("floating_ip attributes", "floating_ip"), ("Parameters in the links field", "links"),
    ("Request body parameters", None), ("Parameter description", None), ("URI parameter description", None),
    ("Response parameters", None), ("OSs supporting EVS disk detachment from a running ECS", None),
])
def test_caption_field(caption: str, expected: str | None) -> None:
    assert caption_field(caption) == expected


def test_a_sentence_names_a_field_only_in_so_many_words() -> None:
    assert caption_field("Parameters in the transfer field", strict=True) == "transfer"
    assert caption_field("Table 1 describes the parameters in the URI.", strict=True) is None
    assert caption_field("UpdatePoolOption", strict=True) is None


def test_table_numbers_from_rst_labels_markdown_labels_and_captions() -> None:
    lines = [".. table:: **Table 3** Description", "", "   +---+", "   | a |", "   +---+", "",
             "**Table  4**  Parameters", "", '<a name="table1"></a>', "<table>", "<tr><td>x</td></tr>", "</table>",
             "For details, see Table 9.", "<table><caption><b>Table 5</b> Tags</caption>", "</table>"]
    found = table_numbers(lines, [(0, 3, 4), (1, 10, 11), (2, 14, 14)])
    assert found == {0: 3, 1: 4, 2: 5}


def test_a_reference_to_another_pages_table_is_not_this_pages() -> None:
    labels = page_labels([".. _page__table3:", ".. table:: **Table 3** x"])
    assert labels == frozenset({"page__table3"})
    assert external_citations(["see :ref:`Table 1 <other_page__table41869715>`."], labels) == frozenset({1})
    assert external_citations(["see :ref:`Table 3 <page__table3>`."], labels) == frozenset()
    assert external_citations(['see <a href="status.md#table13906">Table 1</a>'], labels) == frozenset({1})
    assert external_citations(['see <a href="#table13906">Table 1</a>'], labels) == frozenset()
    assert cited_numbers(["Array of Table 1 objects", "see Table 5 and Table 1."]) == (1, 5)


def test_resolve_by_citation_caption_and_type_and_report_what_it_cannot() -> None:
    tables = [TableFacts(0, 2, None, "", "response"), TableFacts(1, 3, "servers", "caption", "response"),
              TableFacts(2, 4, "ListenerRef", "caption", "response"), TableFacts(3, 5, "lost", "caption", "response"),
              TableFacts(4, 6, "links", "caption", "response")]
    rows = [RowFacts(0, 0, "servers", None, (3,)), RowFacts(0, 1, "listeners", "ListenerRef", ()),
            RowFacts(0, 2, "links", None, ()), RowFacts(1, 0, "links", None, ()), RowFacts(1, 1, "x", None, (9, 7))]
    nesting = resolve(tables, rows, numbers=[2, 3, 4, 5, 6, 7])
    assert [p.row for p in nesting.parents[1]] == [0]  # cited as Table 3
    assert [(p.table, p.row) for p in nesting.parents[2]] == [(0, 1)]  # its type names the table
    assert [(p.table, p.row) for p in nesting.parents[4]] == [(0, 2), (1, 0)]  # two parents: listed under each
    assert set(nesting.lost) == {3}
    assert [(r.name, n) for r, n in nesting.unresolved] == [("x", 9)]  # Table 7 is a table of the page


def test_a_caption_naming_the_item_of_one_array_row_nests_under_it_and_only_then() -> None:
    """``Description of field tag`` under the Array<Object> row ``tags``.

    Real page: rst/nat-gateway/api-ref/source/apis_for_public_nat_gateways_v2.0/tags/querying_nat_gateways_by_tag.rst.
    """
    tag = TableFacts(2, 3, "tag", "caption", "request")
    request = TableFacts(1, 2, None, "", "request")
    response = TableFacts(3, 5, None, "", "response")
    tags = RowFacts(1, 0, "tags", None, (), array=True)
    tags_any = RowFacts(1, 1, "tags_any", None, (), array=True)
    answer = RowFacts(3, 0, "tags", None, (), array=True)  # the response's tags: the other side
    nesting = resolve([request, tag, response], [tags, tags_any, answer])
    assert [(p.table, p.row) for p in nesting.parents[2]] == [(1, 0)] and not nesting.lost
    # two array rows so named on the table's side, or one that is no array: no answer, the table stays reported
    twice = resolve([request, tag], [tags, RowFacts(1, 2, "tags", None, (), array=True)])
    not_array = resolve([request, tag], [RowFacts(1, 0, "tags", None, ())])
    assert set(twice.lost) == set(not_array.lost) == {2} and 2 not in twice.parents and 2 not in not_array.parents
    # an example showing the field as a top-level object is the only other way out
    shown = resolve([request, TableFacts(2, 3, "policy", "caption", "request", example_object=True)], [tags])
    assert shown.from_example == {2: "policy"} and not shown.lost


# --- whole pages ---------------------------------------------------------------------------------


PAGE = "\n".join([
    "Updating a Pool", "===============", "", "URI", "---", "", "PUT /v3/{project_id}/pools/{pool_id}", "",
    ".. table:: **Table 1** Path Parameters", "",
    grid(["Parameter", "Mandatory", "Type", "Description"], ["project_id", "Yes", "String", "Project."],
         ["pool_id", "Yes", "String", "Pool."], indent="   "), "",
    "Request Parameters", "------------------", "",
    ".. table:: **Table 2** Request body parameters", "",
    grid(["Parameter", "Type", "Mandatory", "Description"], ["pool", "UpdatePoolOption object", "Yes", "The pool."],
         indent="   "), "",
    ".. table:: **Table 3** UpdatePoolOption", "",
    grid(["Parameter", "Mandatory", "Type", "Description"], ["name", "No", "String", "Name."],
         ["transfer", "No", "Object", "Transfer."], ["", "", "", ""], indent="   "), "",
    "Parameters in the **transfer** field", "",
    grid(["Parameter", "Mandatory", "Type", "Description"], ["mode", "N/A", "String", "Mode."]), "",
    "Response Parameters", "-------------------", "", "**Status code: 200**", "",
    ".. table:: **Table 5** Response body parameters", "",
    grid(["Parameter", "Type", "Description"], ["request_id", "String", "The request."],
         ["tags", "Array of objects", "See Table 6."], ["extra", "Object", "See Table 8."], indent="   "), "",
    ".. table:: **Table 6** tag objects", "",
    grid(["Parameter", "Type", "Description"], ["key", "String", "Key."], indent="   "), "",
    ".. table:: **Table 7** metadata field description", "",
    grid(["Parameter", "Type", "Description"], ["size", "Integer", "Size."], indent="   "), "",
    "Example Request", "---------------", "",
    ".. table:: **Table 9** Request parameter", "",
    grid(["Parameter", "Mandatory", "Type", "Description"], ["eip", "Yes", "String", "Another API's."],
         indent="   "), "",
])


def test_a_page_read_whole() -> None:
    _, result = read(PAGE)
    got = [(getattr(r, "in"), r.status_code, r.parent, r.name, r.required, r.type, r.schema_type)
           for r in result.records]
    assert got == [
        ("path", None, None, "project_id", True, "String", "string"),
        ("path", None, None, "pool_id", True, "String", "string"),
        ("body", None, None, "pool", True, "UpdatePoolOption object", "object"),
        ("body", None, "pool", "name", False, "String", "string"),
        ("body", None, "pool", "transfer", False, "Object", "object"),
        ("body", None, "pool.transfer", "mode", None, "String", "string"),  # the sentence before names transfer
        ("response_body", 200, None, "request_id", None, "String", "string"),
        ("response_body", 200, None, "tags", None, "Array of objects", "array"),
        ("response_body", 200, None, "extra", None, "Object", "object"),
        ("response_body", 200, "tags", "key", None, "String", "string"),
    ]
    sections = {s.section: s for s in result.sections}
    assert {name: s.status for name, s in sections.items()} == {
        "path": "ok", "query": "missing", "header": "missing", "body": "partial", "response": "partial"}
    body, response = sections["body"], sections["response"]
    assert (body.rows, body.rows_read, body.rows_skipped) == (6, 4, 2)  # the empty row; the example table
    assert (response.rows, response.rows_read, response.rows_skipped) == (5, 4, 1)  # the metadata table
    assert any("example section" in r for r in body.reasons)
    assert any("metadata" in r for r in response.reasons)
    slugs = sorted(i.slug for i in result.issues)
    assert slugs == ["example-parameters", "not-a-parameter", "parameter-parent-not-found",
                     "unresolved-table-reference"]
    assert all(i.slug in KINDS and KINDS[i.slug].severity == i.severity for i in result.issues)
    unresolved = next(i for i in result.issues if i.slug == "unresolved-table-reference")
    assert "Table 8" in unresolved.message and unresolved.location.table_index == 4


def test_a_page_without_operations_has_no_parameters() -> None:
    _, result = read("Overview\n========\n\n" + grid(["Parameter", "Type", "Description"], ["a", "String", "x"]))
    assert result == PageParameters()


def test_descriptions_lose_their_markup_and_join_their_paragraphs() -> None:
    text = "\n".join([
        "Get", "===", "", "URI", "---", "", "GET /v1/{project_id}/x", "",
        "+------------+-----------+---------+---------------------+",
        "| Parameter  | Mandatory | Type    | Description         |",
        "+============+===========+=========+=====================+",
        "| project_id | Yes       | String  | The **project** ID. |",
        "+------------+-----------+---------+---------------------+",
        "| limit      | No        | Integer | -  A.               |",
        "|            |           |         |                     |",
        "|            |           |         | -  B.               |",
        "+------------+-----------+---------+---------------------+", ""])
    _, result = read(text)
    assert [r.description for r in result.records] == ["The project ID.", "A. B."]


# --- the declaration -----------------------------------------------------------------------------


def test_the_parameters_dataset_has_a_column_named_in() -> None:
    assert PARAMETERS.column_names[14] == "in" and "in_" not in PARAMETERS.column_names
    record = ParameterRecord("svc", "svc/p.rst", "rst", None, None, 0, None, 0, 3, None, None, None, "GET", "/v1/x",
                             "query", None, "limit", None, False, "Integer", "integer", "How many.")
    assert getattr(record, "in") == "query" and PARAMETERS.key[3] == "in"
    data = json.loads(FORMATS["json"].export(PARAMETERS, [record]))
    assert data[0]["in"] == "query" and PARAMETERS.from_dict(data[0]) == record
    assert json_schema(PARAMETERS)["items"]["properties"]["in"]["enum"] == [
        "path", "query", "header", "body", "response_header", "response_body"]
    assert FORMATS["csv"].export(PARAMETERS, [record]).decode().splitlines()[0].split(",")[14] == "in"
    # the encoders the dataset writer feeds page by page name it the same way
    sink = io.BytesIO()
    encoder = JsonEncoder(PARAMETERS, sink)
    encoder.write([record])
    encoder.write([record])
    encoder.close()
    assert [row["in"] for row in json.loads(sink.getvalue())] == ["query", "query"]
    assert sink.getvalue() == FORMATS["json"].export(PARAMETERS, [record, record])
    assert read_parquet_rows(io.BytesIO(FORMATS["parquet"].export(PARAMETERS, [record])))[0]["in"] == "query"


def test_the_section_report_is_declared() -> None:
    assert OPERATION_SECTIONS.name == "operation_sections"
    schema = json_schema(OPERATION_SECTIONS)["items"]["properties"]
    assert schema["status"]["enum"] == ["ok", "partial", "failed", "missing"]
    assert schema["section"]["enum"] == ["path", "query", "header", "body", "response"]


# --- defects the golden review found (issue 15): real excerpts -------------------------------------


def html_table(header: list[str], *rows: list[str]) -> str:
    """A markdown page's HTML table, one row per line."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n"


MD_HEADER = ["Parameter", "Mandatory", "Type", "Description"]


def test_returned_status_code_line_gives_the_status_of_the_response_tables() -> None:
    """rst/virtual-private-network/.../customer_gateway/creating_a_customer_gateway.rst: ``Returned status code 201``
    before the response tables; a status line only under ``Example Response`` (rst/virtual-private-cloud/.../
    floating_ip_address/querying_floating_ip_addresses.rst) is the example's."""
    page = "\n".join([
        "Creating a Customer Gateway", "===========================", "", "URI", "---", "",
        "POST /v5/{project_id}/customer-gateways", "", "Response", "--------", "", "-  Response parameters", "",
        "   Returned status code 201: successful creation", "",
        "   .. table:: **Table 5** Parameters in the response body", "",
        grid(["Parameter", "Type", "Description"], ["customer_gateway", "ResponseCustomerGateway object", "Gateway."],
             ["request_id", "String", "Specifies a request ID."], indent="      "), "",
        "   .. table:: **Table 6** ResponseCustomerGateway", "",
        grid(["Parameter", "Type", "Description"], ["id", "String", "Specifies a customer gateway ID."],
             indent="      "), ""])
    _, result = read(page)
    assert [(r.parent, r.name, r.status_code) for r in result.records] == [
        (None, "customer_gateway", 201), (None, "request_id", 201), ("customer_gateway", "id", 201)]
    example_only = "\n".join([
        "Querying Floating IP Addresses", "==============================", "", "URI", "---", "",
        "GET /v2.0/floatingips", "", "Response Parameters", "-------------------", "",
        ".. table:: **Table 2** Response parameter", "",
        grid(["Parameter", "Type", "Description"], ["floatingips", "Array of floatingip objects", "List."],
             indent="   "), "",
        "Example Response", "----------------", "", "**Status code: 200**", "", ".. code-block::", "", "   {}", ""])
    _, result = read(example_only)
    assert [(r.name, r.status_code) for r in result.records] == [("floatingips", None)]


def test_a_caption_naming_the_item_of_an_array_row_nests_under_it() -> None:
    """rst/nat-gateway/api-ref/source/apis_for_public_nat_gateways_v2.0/tags/querying_nat_gateways_by_tag.rst."""
    page = "\n".join([
        "Querying NAT Gateways by Tag", "============================", "", "URI", "---", "",
        "POST /v2.0/{project_id}/nat_gateways/resource_instances/action", "", "Request", "-------", "",
        ".. table:: **Table 2** Request parameters", "",
        grid(["Parameter", "Mandatory", "Type", "Description"],
             ["tags", "No", "Array<Object>", "Specifies the included tags."],
             ["tags_any", "No", "Array<Object>", "Specifies any included tags."], indent="   "), "",
        ".. table:: **Table 3** Description of field **tag**", "",
        grid(["Parameter", "Mandatory", "Type", "Description"], ["key", "Yes", "String", "Specifies the tag key."],
             ["values", "Yes", "Array<String>", "Specifies the tag values."], indent="   "), "",
        "Response", "--------", "", ".. table:: **Table 5** Response parameters", "",
        grid(["Parameter", "Type", "Description"], ["tags", "Array<resource_tag>", "The tags."], indent="   "), ""])
    _, result = read(page)
    got = [(getattr(r, "in"), r.parent, r.name) for r in result.records if r.parent]
    assert got == [("body", "tags", "key"), ("body", "tags", "values")]
    assert not [i for i in result.issues if i.slug == "parameter-parent-not-found"]


def test_a_caption_naming_its_own_row_under_an_array_row_nests_under_the_array() -> None:
    """md/doc/source/ecs/api-reference/querying-floating-ip-addresses-(discarded).md: ``floating_ip objects`` holds
    the one row ``floating_ip``, the item of the response's ``floating_ips`` (Array of objects)."""
    page = "\n".join([
        "# Querying Floating IP Addresses", "", "## URI", "", "GET /v2/\\{project\\_id\\}/os-floating-ips", "",
        "## Response", "", "**Table  2**  Response parameters", "",
        html_table(MD_HEADER, ["floating_ips", "Yes", "Array of objects", "Specifies the floating IP addresses."]),
        "**Table  3** **floating\\_ip**  objects", "",
        html_table(MD_HEADER, ["floating_ip", "Yes", "Object", "Specifies the floating IP address."]),
        "**Table  4** **floating\\_ip**  attributes", "",
        html_table(MD_HEADER, ["fixed_ip", "Yes", "String", "Private IP."], ["id", "Yes", "String", "ID."])])
    _, result = read(page, "svc/page.md")
    assert [(r.parent, r.name) for r in result.records] == [
        (None, "floating_ips"), ("floating_ips", "floating_ip"), ("floating_ips.floating_ip", "fixed_ip"),
        ("floating_ips.floating_ip", "id")]


AUTO_SCALING = [
    "# Configuring an Auto Scaling Rule", "", "## URI", "", "POST /v1.1/\\{project\\_id\\}/autoscaling-policy", "",
    "## Request", "", "**Table  2** **node\\_group**  parameter description", "",
    html_table(MD_HEADER, ["node_group", "Yes", "String", "Type of the node."]),
    "**Table  3** **auto\\_scaling\\_policy**  parameter description", "",
    html_table(MD_HEADER, ["auto_scaling_enable", "Yes", "Boolean", "Whether to enable."],
               ["resources_plans", "No", "List", "Resource plans."], ["rules", "No", "List", "Rules."]),
    "**Table  4** **resources\\_plan**  parameter description", "",
    html_table(MD_HEADER, ["period_type", "Yes", "String", "Cycle type."]),
    "**Table  6** **rules**  parameter description", "",
    html_table(MD_HEADER, ["name", "Yes", "String", "Rule name."], ["trigger", "Yes", "Trigger", "Trigger."]),
    "**Table  7** **trigger**  parameter description", "",
    html_table(MD_HEADER, ["metric_name", "Yes", "String", "Metric name."]),
    "## Example", "", "-   Example request", "", "    ```"]
AUTO_SCALING_BODY = [
    "    {", '      "node_group":"task_node_default_group",', '      "auto_scaling_policy": {',
    '          "auto_scaling_enable": true,', '          "resources_plans": [{"period_type": "daily"}],',
    '          "rules": [{"name": "default-expand-1", "trigger": {"metric_name": "YARNMemoryAvailablePercentage"}}]',
    "      }", "    }", "    ```", "", "-   Example response", "", "    ```", '    {"result": "succeeded"}', "    ```",
    ""]


def test_a_caption_naming_a_field_no_row_names_follows_the_example_and_says_so() -> None:
    """md/doc/source/mrs/api-reference/configuring-an-auto-scaling-rule.md: no row ``auto_scaling_policy``, but the
    example request has it as a top-level object; the tables under it resolve too."""
    _, result = read("\n".join(AUTO_SCALING + AUTO_SCALING_BODY), "svc/page.md")
    assert [(r.parent, r.name) for r in result.records] == [
        (None, "node_group"), ("auto_scaling_policy", "auto_scaling_enable"),
        ("auto_scaling_policy", "resources_plans"), ("auto_scaling_policy", "rules"),
        ("auto_scaling_policy.resources_plans", "period_type"),
        ("auto_scaling_policy.rules", "name"), ("auto_scaling_policy.rules", "trigger"),
        ("auto_scaling_policy.rules.trigger", "metric_name")]
    assert [(i.slug, i.location.table_index) for i in result.issues] == [("parameter-parent-from-example", 1)]
    assert all(i.slug in KINDS and KINDS[i.slug].severity == i.severity for i in result.issues)
    # an example that does not show it (only in the response, or nested): still reported, never guessed
    elsewhere = [line.replace('"auto_scaling_policy"', '"policy"') for line in AUTO_SCALING_BODY]
    elsewhere[-3] = '    {"auto_scaling_policy": {"result": "succeeded"}}'
    _, result = read("\n".join(AUTO_SCALING + elsewhere), "svc/page.md")
    assert not [r for r in result.records if r.parent and r.parent.startswith("auto_scaling_policy")]
    assert "parameter-parent-not-found" in {i.slug for i in result.issues}


def test_top_level_objects_of_an_example() -> None:
    text = 'POST /v1/{id}/x HTTP/1.1\n{"a": {"b": {}}, "c": "x\\"{", "d" : { }, "e": [{}], "f": "g"}\n{"h": {}}'
    assert top_level_objects(text) == frozenset({"a", "d", "h"})
    assert top_level_objects('{"a": "unterminated\n, "b": {}}') == frozenset({"b"})  # a line break ends a string


PASSWORD = [
    "# Modifying the Password of the Current Login User", "", "## URI", "", "-   Format", "",
    "POST /web/v1/access/modify\\_self\\_password", "", "-   Parameter description", "",
    html_table(["Parameter", "Mandatory", "Description"], ["old_password", "Yes", "Old password"],
               ["confirm_password", "Yes", "New password for confirmation"]),
    "## Request", "", "-   Example:", "", "    ```"]


def test_uri_rows_of_a_post_go_to_the_query_when_its_example_request_puts_them_there() -> None:
    """md/doc/source/mrs/api-reference/modifying-the-password-of-the-current-login-user.md (a POST whose example
    request carries the URI table's fields in its query string); without that line they stay in the body, as on
    md/doc/source/elb/api-reference/adding-a-listener-classic.md."""
    example = ["    POST /web/v1/access/modify_self_password?old_password=null&new_password=null& confirm_password=null"
               " HTTP/1.1", "    Host: example.com", "    ```", "", "-   Parameter description", "", "    None", ""]
    _, result = read("\n".join(PASSWORD + example), "svc/page.md")
    assert sorted((getattr(r, "in"), r.name) for r in result.records) == [
        ("query", "confirm_password"), ("query", "old_password")]
    body = [line.replace("?old_password=null&new_password=null& confirm_password=null", "") for line in example]
    _, result = read("\n".join(PASSWORD + body), "svc/page.md")
    assert {getattr(r, "in") for r in result.records} == {"body"}
    assert same_path("/v1/abc/x", "/v1/{project_id}/x") and not same_path("/v1/abc/x/y", "/v1/{project_id}/x")


def test_example_requests_are_read_once_per_page_not_once_per_operation() -> None:
    """A URI section of 2,000 request lines sharing one table, an example block of 20,000 request lines with a
    query string: each operation used to re-read every literal line (40 million request-line matches, minutes);
    now the page's example requests are read once, the first ``MAX_EXAMPLE_QUERIES`` of them kept."""
    ops = 2000
    page = "\n".join([
        "Hostile", "=======", "", "URI", "---", "", *(f"POST /v1/x{i}\n" for i in range(ops)),
        ".. table:: **Table 1** Parameter description", "",
        grid(["Parameter", "Mandatory", "Type", "Description"], ["limit", "No", "Integer", "Page size."],
             indent="   "), "",
        "Example Request", "---------------", "", ".. code-block:: text", "",
        *(f"   POST /v1/x{i % ops}?limit=1&offset{i}=2 HTTP/1.1" for i in range(20000)), ""])
    with hang_guard("reading a page of 2,000 operations and 20,000 example request lines"):
        _, result = read(page)
    places = {(r.path, getattr(r, "in")) for r in result.records}
    assert len(places) == ops  # one row per operation: in the query for those the kept examples show
    assert ("/v1/x0", "query") in places and (f"/v1/x{MAX_EXAMPLE_QUERIES - 1}", "query") in places
    assert (f"/v1/x{MAX_EXAMPLE_QUERIES}", "body") in places


def test_the_side_of_each_example_block_is_found_without_walking_the_section() -> None:
    """A table whose caption names a field only the example shows, then 40,000 example blocks: finding each
    block's side walked every block of the section (quadratic: 26 s for 2.4 MB, minutes for more)."""
    page = "\n".join([
        "Hostile", "=======", "", "URI", "---", "", "POST /v1/x", "", "Request", "-------", "",
        ".. table:: **Table 1** foo field description", "",
        grid(["Parameter", "Mandatory", "Type", "Description"], ["name", "Yes", "String", "The name."],
             indent="   "), "",
        "Example Request", "---------------", "",
        *(["Example request", "", ".. code-block:: text", "", '   {"foo": {"name": "x"}}', ""] * 40000)])
    with hang_guard("reading a page of 40,000 example blocks"):
        _, result = read(page)
    assert [(r.parent, r.name) for r in result.records] == [("foo", "name")]
    assert [i.slug for i in result.issues] == ["parameter-parent-from-example"]


def test_a_field_two_tables_give_one_parent_is_read_once() -> None:
    """Two tables of one section giving one parent the same field: read once (``duplicate-parameter``).

    No page of the shared trees does it now: the one that did, rst/elastic-load-balancing/api-ref/source/
    apis_v2.0/backend_server/querying_all_backend_servers_extension_api.rst (the query row ``members_links``
    citing the response's Table 5), is a cross-section citation, not followed (the test below); here its
    query section has both tables.
    """
    page = "\n".join([
        "Querying Backend Servers", "========================", "", "URI", "---", "", "GET /v2.0/lbaas/members", "",
        "Request", "-------", "", ".. table:: **Table 1** Parameter description", "",
        grid(["Parameter", "Mandatory", "Type", "Description"],
             ["members_links", "No", "Array", "For details, see Table 5."], indent="   "), "",
        ".. table:: **Table 2** **members_links** parameter description", "",
        grid(["Parameter", "Type", "Description"], ["href", "String", "Link."], indent="   "), "",
        ".. table:: **Table 5** **members_links** parameter description", "",
        grid(["Parameter", "Type", "Description"], ["href", "String", "Link."], indent="   "), ""])
    _, result = read(page)
    assert [(getattr(r, "in"), r.parent, r.name, r.table_index) for r in result.records] == [
        ("query", None, "members_links", 0), ("query", "members_links", "href", 1)]
    query = next(s for s in result.sections if s.section == "query")
    assert (query.rows, query.rows_read, query.rows_skipped, query.parameters) == (3, 2, 1, 2)
    assert query.status == "ok"  # the repeated row loses nothing: the section is whole
    duplicate = next(i for i in result.issues if i.slug == "duplicate-parameter")
    assert duplicate.location.table_index == 2 and "table 1" in duplicate.message
    # the second table describing the field otherwise is no repeat: both kept, nothing said to be read once
    before, row, after = page.rpartition("| href      | String | Link.       |")  # Table 5's row
    other = before + row.replace("Link.     ", "Next page.") + after
    _, result = read(other)
    assert [(r.parent, r.name, r.description, r.table_index) for r in result.records] == [
        (None, "members_links", "For details, see Table 5.", 0), ("members_links", "href", "Link.", 1),
        ("members_links", "href", "Next page.", 2)]
    assert "duplicate-parameter" not in {i.slug for i in result.issues}


#: An excerpt of rst/elastic-load-balancing/api-ref/source/apis_v2.0/backend_server_group/
#: updating_a_backend_server_group.rst: the request's ``session_persistence`` cites the response's Table 10
#: (its own is Table 4); the response's ``session_persistence`` cites Table 9, captioned ``loadbalancers``
#: (on the real page that citation's label is another page's; here it is this page's).
SLIPS = "\n".join([
    "Updating a Backend Server Group", "===============================", "", "URI", "---", "",
    "PUT /v2.0/lbaas/pools/{pool_id}", "", "Request", "-------", "",
    ".. table:: **Table 2** Parameter description", "",
    grid(["Parameter", "Mandatory", "Type", "Description"],
         ["pool", "Yes", "Object", "Specifies the backend server group. For details, see Table 3."], indent="   "), "",
    ".. table:: **Table 3** **pool** parameter description", "",
    grid(["Parameter", "Mandatory", "Type", "Description"], ["name", "No", "String", "Specifies the name."],
         ["session_persistence", "No", "Object", "For details, see :ref:`Table 10 <elb__table112431127175217>`."],
         indent="   "), "",
    ".. table:: **Table 4** **session_persistence** parameter description", "",
    grid(["Parameter", "Mandatory", "Type", "Description"],
         ["type", "No", "String", "Specifies the sticky session type."], indent="   "), "",
    "Response", "--------", "", ".. table:: **Table 5** Parameter description", "",
    grid(["Parameter", "Type", "Description"], ["pool", "Object", "For details, see Table 6."], indent="   "), "",
    ".. table:: **Table 6** **pools** parameter description", "",
    grid(["Parameter", "Type", "Description"],
         ["loadbalancers", "Array", "Specifies the IDs of the load balancers. For details, see Table 9."],
         ["session_persistence", "Object", "Specifies whether to enable sticky sessions. For details, see Table 9."],
         indent="   "), "",
    ".. table:: **Table 9** **loadbalancers** parameter description", "",
    grid(["Parameter", "Type", "Description"], ["id", "String", "Specifies the ID."], indent="   "), "",
    ".. _elb__table112431127175217:", "",
    ".. table:: **Table 10** **session_persistence** parameter description", "",
    grid(["Parameter", "Type", "Description"], ["type", "String", "The value can be one of the following."],
         indent="   "), ""])


def test_a_citation_of_a_table_captioned_for_another_row_is_not_followed_when_the_row_has_its_own() -> None:
    """A citation of the other section's table, or of one captioned for another row, when a table captioned for
    the citing row exists: each table goes where its caption says, and the citation is reported."""
    _, result = read(SLIPS)
    assert [(getattr(r, "in"), r.parent, r.name, r.table_index) for r in result.records] == [
        ("body", None, "pool", 0), ("body", "pool", "name", 1), ("body", "pool", "session_persistence", 1),
        ("body", "pool.session_persistence", "type", 2),
        ("response_body", None, "pool", 3), ("response_body", "pool", "loadbalancers", 4),
        ("response_body", "pool", "session_persistence", 4), ("response_body", "pool.loadbalancers", "id", 5),
        ("response_body", "pool.session_persistence", "type", 6)]
    slips = [(i.slug, i.location.table_index, i.location.row_index) for i in result.issues]
    assert slips == [("cross-section-table-reference", 1, 1), ("mismatched-table-reference", 4, 1)]
    assert "Table 10, a table of the response" in result.issues[0].message


def test_a_citation_is_followed_when_the_row_has_no_table_of_its_own() -> None:
    """One table serving two rows (or both sections) is the page's design, not a slip.

    Real pages: md/doc/source/vpc/api-reference/creating-a-port.md (the request's ``fixed_ips`` cites the
    response's ``fixed_ip objects``), md/doc/source/ecs/api-reference/querying-ecs-flavors.md (``flavors_links``
    cites ``links``, the table the row ``links`` cites too); md/doc/source/vpc/api-reference/querying-a-subnet.md
    (``allocation_pools`` cites Table 4 ``host_route objects`` though Table 3 is ``allocation_pool objects``)
    is the slip.
    """
    request, port = TableFacts(0, 1, None, "", "request"), TableFacts(1, 2, "port", "caption", "request")
    response, answer = TableFacts(4, 5, None, "", "response"), TableFacts(5, 6, "port", "caption", "response")
    fixed = TableFacts(6, 7, "fixed_ip", "caption", "response")
    rows = [RowFacts(0, 0, "port", None, (2,)), RowFacts(1, 0, "fixed_ips", "fixed_ip", (7,), array=True),
            RowFacts(4, 0, "port", None, (6,)), RowFacts(5, 0, "fixed_ips", "fixed_ip", (7,), array=True)]
    shared = resolve([request, port, response, answer, fixed], rows)
    assert [(p.table, p.row) for p in shared.parents[6]] == [(1, 0), (5, 0)] and not shared.misdirected
    flavors, links = TableFacts(2, 3, None, "", "response"), TableFacts(4, 5, "links", "caption", "response")
    rows = [RowFacts(2, 0, "flavors", None, ()), RowFacts(2, 1, "flavors_links", None, (5,), array=True),
            RowFacts(3, 0, "links", None, (5,), array=True)]
    both = resolve([flavors, TableFacts(3, 4, "flavor", "caption", "response"), links], rows)
    assert [(p.table, p.row) for p in both.parents[4]] == [(2, 1), (3, 0)] and not both.misdirected
    subnet = TableFacts(1, 2, "subnet", "caption", "response")
    pools, routes = (TableFacts(2, 3, "allocation_pool", "caption", "response"),
                     TableFacts(3, 4, "host_route", "caption", "response"))
    rows = [RowFacts(1, 8, "allocation_pools", "allocation_pool", (4,), array=True),
            RowFacts(1, 10, "host_routes", "host_route", (4,), array=True)]
    slip = resolve([subnet, pools, routes], rows)
    assert [(p.table, p.row) for p in slip.parents[3]] == [(1, 10)]
    assert [(p.table, p.row) for p in slip.parents[2]] == [(1, 8)]  # by its caption
    assert [(m.row.name, m.number, m.other_side) for m in slip.misdirected] == [("allocation_pools", 4, False)]


def test_thousands_of_rows_citing_one_table_are_told_slip_or_not_in_one_pass() -> None:
    """Each citation's check reads the page's captions and rows once per cited table, not once per row."""
    request, own, cited = (TableFacts(0, 1, None, "", "request"), TableFacts(1, 2, "x", "caption", "request"),
                           TableFacts(2, 3, "x", "caption", "response"))
    rows = [RowFacts(0, i, "x", None, (3,)) for i in range(20000)] + [RowFacts(3, 0, "x", None, ())]
    with hang_guard("resolving 20,000 rows citing the other section's table"):
        nesting = resolve([request, own, cited, TableFacts(3, 4, None, "", "response")], rows)
    assert len(nesting.misdirected) == 20000 and [(p.table, p.row) for p in nesting.parents[2]] == [(3, 0)]

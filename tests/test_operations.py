"""Unit tests of the page outline and of the operation, status-section and page-role rules (issue 14).

Each vendor rule is tested on the shape of its real example (named in the rule's docstring);
the whole pages are in ``test_operations_golden.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.model import TableReport
from pipeline.normalize.operation_status import StatusSections, status_line, status_lines, status_scope
from pipeline.normalize.operations import is_deprecated, operations, page_summary
from pipeline.normalize.page_roles import page_role
from pipeline.normalize.uri import RequestTarget, request_line, request_target
from pipeline.outline import outline
from pipeline.outline.markdown import markdown_inline_text
from pipeline.parsers.html import parse_html
from pipeline.parsers.rst import parse_rst
from pipeline.sources import PageText, SourceFile

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "operations"


def _page(text: str, fmt: str) -> PageText:
    source = SourceFile("svc", f"svc/page.{'rst' if fmt == 'rst' else 'md'}", Path("unused"))
    return PageText(source, text, "rst" if fmt == "rst" else "html", "0" * 64, "utf-8")


# --- outline: RST ---------------------------------------------------------------------------

RST_PAGE = """\
:original_name: x.html

.. _x:

=====
Title
=====

Function
--------

This API is used to
query things.

.. note::

   A note's text is text.

URI
---

-  URI format

   GET /v1/{*project_id*}/things

.. table:: **Table 1** Parameters

   ========== =========
   Parameter  Mandatory
   ========== =========
   project_id Yes
   ========== =========

Example Request
~~~~~~~~~~~~~~~

.. code-block:: text

   GET https://{Endpoint}/v1/abc/things

Status Codes
------------

Normal 200
"""


def test_rst_outline_titles_levels_and_blocks() -> None:
    o = outline(RST_PAGE, "rst")
    assert [(s.title, s.level, s.line) for s in o.sections] == [
        ("", 0, 0), ("Title", 1, 6), ("Function", 2, 9), ("URI", 2, 19), ("Example Request", 3, 34),
        ("Status Codes", 2, 41)]
    function = o.sections[2]
    assert [(b.kind, b.line, b.text) for b in function.blocks] == [
        ("paragraph", 12, "This API is used to query things."), ("paragraph", 17, "A note's text is text.")]
    assert function.blocks[0].lines == ("This API is used to", "query things.")
    uri = o.sections[3]
    assert [(b.kind, b.line, b.text) for b in uri.blocks] == [
        ("item", 22, "URI format"), ("paragraph", 24, "GET /v1/{project_id}/things")]
    assert o.sections[4].blocks[0].kind == "literal" and o.sections[4].blocks[0].line == 39
    assert o.title == "Title"


def test_a_table_finds_its_section_by_the_line_the_parser_gives_it() -> None:
    o = outline(RST_PAGE, "rst")
    (table,) = parse_rst(_page(RST_PAGE, "rst")).tables
    assert o.section_at(table.line).title == "URI"
    assert [s.title for s in o.parents(o.section_at(39))] == ["Title", "URI"]
    assert o.section_at(None).level == 0 and o.section_at(1).level == 0


def test_rst_literal_block_after_double_colon_is_not_text_and_table_rows_are_not_blocks() -> None:
    o = outline("Title\n=====\n\nExample::\n\n   GET /v1/x\n\n+---+\n| a |\n+===+\n| b |\n+---+\n", "rst")
    blocks = o.sections[1].blocks
    assert [(b.kind, b.text) for b in blocks] == [("paragraph", "Example:"), ("literal", "GET /v1/x")]


# --- outline: markdown + HTML ---------------------------------------------------------------

MD_PAGE = """\
# Deleting a Subscription<a name="smn_api_52004"></a>

## Description<a name="s1"></a>

-   API name

    Unsubscribe

-   Function

    Delete a specified subscription.

## URI<a name="s2"></a>

-   URI format

    DELETE /v2/\\{project\\_id\\}/notifications/subscriptions/\\{subscription\\_urn\\}

    <a name="t1"></a>
    <table><tr><th>Parameter</th></tr>

    <tr><td><p>GET /v9/not-text</p></td></tr>
    </table>

<h2>Returned Value</h2>
<p>See <a href="x.md">Returned Value</a>.</p>

```
GET https://{Endpoint}/v2/x
# not a heading
```
"""


def test_markdown_outline_headings_items_html_and_fences() -> None:
    o = outline(MD_PAGE, "html")
    assert [(s.title, s.level, s.line) for s in o.sections] == [
        ("", 0, 0), ("Deleting a Subscription", 1, 1), ("Description", 2, 3), ("URI", 2, 13),
        ("Returned Value", 2, 25)]
    assert [(b.kind, b.line, b.text) for b in o.sections[2].blocks] == [
        ("item", 5, "API name"), ("paragraph", 7, "Unsubscribe"), ("item", 9, "Function"),
        ("paragraph", 11, "Delete a specified subscription.")]
    uri = o.sections[3].blocks
    assert [(b.line, b.text) for b in uri] == [
        (15, "URI format"), (17, "DELETE /v2/{project_id}/notifications/subscriptions/{subscription_urn}")]
    returned = o.sections[4].blocks
    assert [(b.kind, b.line, b.text) for b in returned] == [
        ("paragraph", 26, "See Returned Value."), ("literal", 29, "GET https://{Endpoint}/v2/x\n# not a heading")]


def test_markdown_table_line_from_the_html_parser_lands_in_its_section() -> None:
    o = outline(MD_PAGE, "html")
    (table,) = parse_html(_page(MD_PAGE, "html")).tables
    assert o.section_at(table.line).title == "URI"


def test_a_whole_html_document_is_read_as_html() -> None:
    page = ("<!DOCTYPE html>\n<html><body>\n<h1 class=\"topictitle1\">Status Code</h1>\n\n"
            "<div class=\"section\"><h4 class=\"sectiontitle\">URI</h4>\n<p>GET /v1/x</p>\n</div>\n"
            "<table><tr><td>GET /v2/y</td></tr></table></body></html>\n")
    o = outline(page, "html")
    assert [(s.title, s.level, s.line) for s in o.sections] == [("", 0, 0), ("Status Code", 1, 3), ("URI", 4, 5)]
    assert [(b.line, b.text) for b in o.sections[2].blocks] == [(6, "GET /v1/x")]
    assert [(op.method, op.path) for op in operations(o)] == [("GET", "/v1/x")]


@pytest.mark.parametrize(("text", "plain"), [
    ("GET /v1/\\{project\\_id\\}/vpcs", "GET /v1/{project_id}/vpcs"),
    ("See  [Status Codes](status-codes.md).", "See Status Codes."),
    (">![](/images/note.gif) **NOTE:**", "> NOTE:"),
    ("a&nbsp;b &lt;c&gt; &#65;", "a b <c> A"),
    ("\\*\\*literal stars\\*\\*", "**literal stars**"),
])
def test_markdown_inline_text(text: str, plain: str) -> None:
    assert markdown_inline_text(text) == plain


# --- request lines --------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "method", "path", "query"), [
    ("GET /v2/zones?type={type}&limit={limit}", "GET", "/v2/zones", "type={type}&limit={limit}"),
    ("GET/{api_version}", "GET", "/{api_version}", None),
    ("Usage: DELETE /v2/{project_id}/servers/{server_id}", "DELETE", "/v2/{project_id}/servers/{server_id}", None),
    ("URI format: POST /v2/{tenant_id}/volumes", "POST", "/v2/{tenant_id}/volumes", None),
    ("GET https://{Endpoint}/v1/{project_id}/bandwidths?limit={limit}", "GET", "/v1/{project_id}/bandwidths",
     "limit={limit}"),
    ("POST  https://{VPC_endpoint}/v2.0/abc/nat_gateways/x/tags/action", "POST", "/v2.0/abc/nat_gateways/x/tags/action",
     None),
    ("PUT https://{endpoint}/v2.1/{project_id}/servers/{server_id}/tags/{tag}", "PUT",
     "/v2.1/{project_id}/servers/{server_id}/tags/{tag}", None),
    ("GET {endpoint}/v1/x", "GET", "/v1/x", None),
    ("GET https://{Endpoint}/", "GET", "/", None),
    ("DELETE /v2.1/{project_id}/os-interface/{port_id}{?reserve_port}", "DELETE",
     "/v2.1/{project_id}/os-interface/{port_id}", "{?reserve_port}"),
    ("GET /v2.0/dnat_rules/{dnat_rule_id }", "GET", "/v2.0/dnat_rules/{dnat_rule_id}", None),
    ("GET /v1/{*project_id*}/vpcs.", "GET", "/v1/{project_id}/vpcs", None),
])
def test_request_line_shapes(line: str, method: str, path: str, query: str | None) -> None:
    found = request_line(line)
    assert found is not None
    assert (found.method, found.target) == (method, RequestTarget(path, query))


@pytest.mark.parametrize("line", [
    "GET requests return the list.", "Get /v1/x", "GET", "POST the body to the endpoint", "GETTING /v1/x",
    "The method is GET /v1/x",
])
def test_text_that_is_not_a_request_line(line: str) -> None:
    assert request_line(line) is None


def test_request_target_rejects_what_is_no_path() -> None:
    assert request_target("vpcs") is None and request_target("") is None


# --- operations ------------------------------------------------------------------------------

def _rst(body: str, title: str = "Querying Things") -> str:
    return f"{title}\n{'=' * len(title)}\n\n{body}"


def test_rst_emphasis_in_a_placeholder_is_removed() -> None:
    (op,) = operations(outline(_rst("URI\n---\n\nGET /v1/{*project_id*}/vpcs\n"), "rst"))
    assert (op.method, op.path, op.line) == ("GET", "/v1/{project_id}/vpcs", 7)


def test_several_uris_on_a_page_and_a_repeated_usage_line() -> None:
    page = _rst("URI\n---\n\nDELETE /v2.1/{p}/x/{id}\n\nDELETE /v2/{p}/x/{id}\n\n"
                "Usage: DELETE /v2/{p}/x/{id}\n")
    ops = operations(outline(page, "rst"))
    assert [(op.operation_index, op.line, op.path) for op in ops] == [
        (0, 7, "/v2.1/{p}/x/{id}"), (1, 9, "/v2/{p}/x/{id}")]


def test_method_and_path_lines() -> None:
    ops = operations(outline(_rst("URI\n---\n\nMethod: GET\n\nPATH: /v1/{project_id}/vpcs?limit=1\n"), "rst"))
    assert [(op.method, op.path, op.query, op.line, op.rule) for op in ops] == [
        ("GET", "/v1/{project_id}/vpcs", "limit=1", 9, "method-and-path-lines")]
    reverse = operations(outline(_rst("URI\n---\n\nPATH: /v1/x\nMethod: delete\n"), "rst"))
    assert [(op.method, op.path, op.line) for op in reverse] == [("DELETE", "/v1/x", 7)]


def test_examples_in_the_uri_section_are_not_operations_when_it_prints_one() -> None:
    page = "# Querying Bandwidths\n\n## URI\n\nGET /v1/\\{project\\_id\\}/bandwidths\n\nExample:\n\n```\n" \
           "GET https://{Endpoint}/v1/{project_id}/bandwidths?limit={limit}\n```\n"
    ops = operations(outline(page, "html"))
    assert [(op.path, op.query, op.rule) for op in ops] == [("/v1/{project_id}/bandwidths", None, "request-line")]


def test_uri_printed_only_in_a_code_block() -> None:
    ops = operations(outline((FIXTURES / "md/doc/source/css/api-reference/deleting-a-cluster.md").read_text(), "html"))
    assert [(op.method, op.path, op.line, op.rule) for op in ops] == [
        ("DELETE", "/v1.0/{project_id}/clusters/{cluster_id}", 10, "request-line-in-uri-example")]


def test_uri_section_with_only_a_method_takes_the_path_of_the_example() -> None:
    rel = "rst/virtual-private-network/api-ref/source/api_reference_classic_vpn/api/api_version_information/" \
          "querying_api_versions.rst"
    ops = operations(outline((FIXTURES / rel).read_text(), "rst"))
    assert [(op.method, op.path, op.line, op.rule) for op in ops] == [("GET", "/", 16, "method-only-uri-with-example")]


def test_request_lines_outside_a_uri_section_are_not_operations() -> None:
    page = _rst("Example Request\n---------------\n\nGET /v1/x\n\nRequest\n-------\n\nPOST /v1/y\n")
    assert operations(outline(page, "rst")) == ()


# --- summary and deprecation ------------------------------------------------------------------


def test_summary_rules() -> None:
    labelled = "# X\n\n## Description\n\n-   API name\n\n    Unsubscribe\n\n-   Function\n\n    Delete it.\n"
    assert page_summary(outline(labelled, "html")) == "Delete it."
    plain = _rst("Function\n--------\n\nThis API is used to query things.\n\nMore.\n")
    assert page_summary(outline(plain, "rst")) == "This API is used to query things."
    under_title = _rst("This API is used to add a tag.\n\nURI\n---\n\nPUT /v1/x\n")
    assert page_summary(outline(under_title, "rst")) == "This API is used to add a tag."
    assert page_summary(outline(_rst("URI\n---\n\nPUT /v1/x\n"), "rst")) is None


def test_deprecation_rules() -> None:
    assert is_deprecated(outline(_rst("Text.\n", "Creating a Security Group (Discarded)"), "rst"))
    assert is_deprecated(outline(_rst("This API has been discarded. Use the other one.\n"), "rst"))
    assert is_deprecated(outline(_rst("This API is deprecated.\n"), "rst"))
    border = "+------+-------------------------------------+\n"
    table = border + "| a    | This parameter has been deprecated. |\n" + border
    assert not is_deprecated(outline(_rst(table), "rst"))
    assert not is_deprecated(outline(_rst("Deprecated parameters are ignored by this API.\n"), "rst"))


# --- status sections and bare status lines ------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Normal 204", ((204, None),)),
    ("Normal: 200 OK", ((200, "OK"),)),
    ("Returned value: 200", ((200, None),)),
    ("200", ((200, None),)),
    ("400 Bad Request", ((400, "Bad Request"),)),
    ("200/204", ((200, None), (204, None))),
    ("Status code 200, indicating that the operation is successful", ()),
    ("999", ()),
    ("2xx", ()),
    ("Normal", ()),
])
def test_status_line(text: str, expected: tuple[tuple[int, str | None], ...]) -> None:
    assert status_line(text) == expected


TWO_OPERATIONS = """\
Tags
====

Adding a Tag
------------

URI
~~~

POST /v1/tags

Status Codes
~~~~~~~~~~~~

Normal 201

Deleting a Tag
--------------

URI
~~~

DELETE /v1/tags/{key}

Status Codes
~~~~~~~~~~~~

Normal: 204 No Content

Response
~~~~~~~~

200
"""


def test_each_status_section_belongs_to_the_operations_printed_above_it() -> None:
    o = outline(TWO_OPERATIONS, "rst")
    ops = operations(o)
    assert [(op.method, op.line) for op in ops] == [("POST", 10), ("DELETE", 23)]
    lines = status_lines(o, ops)
    assert [(s.status_code, s.documented_reason, s.line, s.operations) for s in lines] == [
        (201, None, 15, (0,)), (204, "No Content", 28, (1,))]
    sections = StatusSections(o, ops)
    scope = sections.scope(28)
    assert scope is not None and (scope.section, scope.operations, scope.rule) == ("Status Codes", (1,),
                                                                                   "in the status section")
    assert sections.scope(33) is None  # the 200 under "Response" is not a status line
    titled = status_scope(o, ops, 33, "**Table 4** Status code")
    assert titled is not None and titled.rule == "table title names status codes" and titled.operations == (1,)


def test_no_status_scope_without_operations() -> None:
    page = "Status Codes\n============\n\nNormal 200\n"
    o = outline(page, "rst")
    assert status_scope(o, (), 4) is None and status_lines(o, ()) == ()


# --- page roles -------------------------------------------------------------------------------


@dataclass
class _Table:
    line: int | None
    kind: str


def _role(page: str, kinds: list[str], fmt: str = "rst") -> tuple[str, str]:
    o = outline(page, fmt)
    decision = page_role(o, operations(o), [_Table(i, k) for i, k in enumerate(kinds)])
    return decision.role, decision.rule


def test_role_rules() -> None:
    role, rule = _role(_rst("URI\n---\n\nGET /v1/x\n"), ["status_codes"])
    assert role == "operation" and rule == "prints 1 operation in its URI section: GET /v1/x"
    assert _role(_rst("Text.\n", "Error Codes"), ["error_codes"])[0] == "error_codes"
    assert _role(_rst("Text.\n", "Returned Values for General Requests"), ["status_codes"])[0] == "status_codes"
    role, rule = _role(_rst("Text.\n", "Error Code List"), ["status_codes"])
    assert role == "status_codes" and "names codes" in rule
    role, rule = _role(_rst("Text.\n", "Codes"), ["status_codes", "status_codes"])
    assert role == "status_codes" and "names no codes, but 2 table(s) hold status codes" in rule
    assert _role(_rst("Text.\n", "Returned Values"), ["other"]) == (
        "other", "no operation and no status-code or error-code table")


def test_table_reports_are_classified_tables() -> None:
    report = TableReport("svc/p.rst", 0, 3, None, ("Status Code",), "status_codes", "rule", ("status",), 1, 1, 1, 0, 0)
    o = outline(_rst("Text.\n", "Status Codes"), "rst")
    assert page_role(o, (), [report]).role == "status_codes"

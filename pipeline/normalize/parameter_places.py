"""Where a parameter table's parameters go: path, query, header, body, response header or response body.

A table says it in its caption (``**Table 2** Request header parameters``), in the line of text
before it (``-  Response parameter``), or by the section it lies in (``URI``, ``Request
Parameters``, ``Response Message``); rules tried in that order. A table of the URI section
(``**Table 1** Parameter description`` under ``URI``) mixes path and query parameters: each
row follows the operation's URI template (``uri_location``). A response table may be
documented per status, after a ``**Status code: 200**`` line. Tables in a status section or
an example section hold no parameters of the operation.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from pipeline.normalize.operations import Operation, is_uri_section
from pipeline.normalize.uri import request_line
from pipeline.outline import Block, Outline, Section

#: Where a parameter is: the ``in`` of the ``parameters`` dataset.
ParameterIn = Literal["path", "query", "header", "body", "response_header", "response_body"]
#: Where a table's parameters are: one ``ParameterIn``, or ``uri`` (path or query, as the URI template says).
TableIn = Literal["path", "query", "header", "body", "response_header", "response_body", "uri"]

_PATH = re.compile(r"\bpath[ \t]++param", re.IGNORECASE)
_QUERY = re.compile(r"\bquery[ \t]++(?:param|string)", re.IGNORECASE)
_URI = re.compile(r"\bURIs?\b|\burl[ \t]++param", re.IGNORECASE)
_RESPONSE_HEADER = re.compile(r"\bresponse[ \t]++header", re.IGNORECASE)
_HEADER = re.compile(r"\bheaders?\b", re.IGNORECASE)
_RESPONSE = re.compile(r"\bresponses?\b", re.IGNORECASE)
_REQUEST = re.compile(r"\brequests?\b", re.IGNORECASE)
#: A section of examples (``Example Request``, ``Examples``): its tables are not the operation's parameters.
_EXAMPLE = re.compile(r"\bexamples?\b", re.IGNORECASE)
#: ``**Status code: 200**``, ``Returned status code 201: successful creation``: the response parameters
#: after it are those of that status.
_STATUS_BLOCK = re.compile(r"(?:returned[ \t]++)?status[ \t]++code[ \t]*+:?[ \t]*+([1-5][0-9][0-9])\b", re.IGNORECASE)
#: ``{?reserve_port,limit}`` and ``limit={limit}&marker={marker}``: the names a query template lists.
_QUERY_EXPANSION = re.compile(r"\{\?([^{}]*+)\}")
_PLACEHOLDER = re.compile(r"\{([^{}?]*+)\}")


@dataclass(frozen=True, slots=True)
class TablePlace:
    """Where a table's parameters are, the status they document (response tables), and the rule that said so."""

    where: TableIn
    status_code: int | None
    rule: str


def place_of_words(text: str) -> TableIn | None:
    """The place a caption, a line of text or a section title names, or ``None``.

    >>> [place_of_words(t) for t in ("Request header parameters", "Parameters in the response", "Path Parameters")]
    ['header', 'response_body', 'path']
    >>> place_of_words("Description of the bandwidth field") is None
    True
    """
    for pattern, where in _WORD_RULES:
        if pattern.search(text):
            return where
    return None


_WORD_RULES: tuple[tuple[re.Pattern[str], TableIn], ...] = (
    (_PATH, "path"), (_QUERY, "query"), (_RESPONSE_HEADER, "response_header"), (_HEADER, "header"),
    (_RESPONSE, "response_body"), (_URI, "uri"), (_REQUEST, "body"),
)


def side_of(where: TableIn) -> Literal["request", "response"]:
    """Whether a place is in the request or in the response."""
    return "response" if where in ("response_header", "response_body") else "request"


def is_example_section(section: Section) -> bool:
    """``Example Request``, ``Example Responses``, ``Examples``: tables there belong to the example."""
    return section.level > 0 and bool(_EXAMPLE.search(section.title))


class PlaceFinder:
    """Says where each table of a page puts its parameters (built once per page, asked per table)."""

    def __init__(self, outline: Outline, table_lines: list[int]) -> None:
        self.outline = outline
        self._table_lines = sorted(table_lines)
        self._text_by_section: dict[int, tuple[list[int], list[Block]]] = {}

    def chain(self, line: int) -> tuple[Section, ...]:
        """The section holding ``line`` and the sections enclosing it, innermost first."""
        section = self.outline.section_at(line)
        return (section, *reversed(self.outline.parents(section)))

    def in_example(self, line: int) -> bool:
        """The table at ``line`` lies in an example section (or one nested under it)."""
        return any(is_example_section(s) for s in self.chain(line))

    def place(self, line: int, title: str | None) -> TablePlace | None:
        """Where the table at ``line`` titled ``title`` puts its parameters; ``None`` when nothing says.

        When the caption or the text before the table names the request and the section the
        response (or the reverse), the section decides: rst/virtual-private-cloud/api-ref/source/
        vpc_apis_v1_v2/private_ip_address/querying_private_ip_addresses.rst captions its response
        table ``Request parameter`` under ``Response Parameters``.
        """
        section = section_names_place(self, line, title)
        for rule in _PLACE_RULES:
            found = rule(self, line, title)
            if found is None:
                continue
            where, reason = found
            if section is not None and side_of(where) != side_of(section[0]):
                where, reason = section[0], f"{section[1]} (the {reason} names the other side)"
            elif section is not None and section[0] == "uri" and where == "body":
                where, reason = "uri", f"{section[1]} ({reason})"
            status = self.status_code(line) if where in ("response_body", "response_header") else None
            return TablePlace(where, status, reason)
        return None

    def example_side(self, line: int) -> Literal["request", "response"] | None:
        """Whether the example (a literal block) at ``line`` is a request's or a response's; ``None`` if unsaid.

        The short text before it says (``-   Example response``, in md/doc/source/mrs/api-reference/
        configuring-an-auto-scaling-rule.md), else its section (``Example Request``).
        """
        found = text_before_names_place(self, line, None) or section_names_place(self, line, None)
        return side_of(found[0]) if found else None

    def literal_blocks(self) -> Iterator[Block]:
        """The page's literal blocks (examples, request lines), in page order."""
        for section in self.outline.sections:
            yield from (block for block in section.blocks if block.kind == "literal")

    def blocks_before(self, line: int) -> Iterator[Block]:
        """The text blocks between the previous table and the table at ``line``, nearest first.

        Found by bisection (the example blocks of a page are asked about one by one: a walk of the
        section's blocks each time would be quadratic on a page of thousands of them).
        """
        below = bisect_left(self._table_lines, line)
        previous = self._table_lines[below - 1] if below else 0
        lines, blocks = self._text_blocks(self.outline.section_at(line))
        for index in range(bisect_left(lines, line) - 1, -1, -1):
            if lines[index] <= previous:
                break
            yield blocks[index]

    def _text_blocks(self, section: Section) -> tuple[list[int], list[Block]]:
        """The section's blocks that are not literal, and their lines (in order), made once per section."""
        if id(section) not in self._text_by_section:  # the outline holds every section while this finder lives
            blocks = sorted((b for b in section.blocks if b.kind != "literal"), key=lambda b: b.line)
            self._text_by_section[id(section)] = ([b.line for b in blocks], blocks)
        return self._text_by_section[id(section)]

    def status_code(self, line: int) -> int | None:
        """The status of the nearest ``Status code: 200`` line before the table, in its response section.

        The line may read ``Returned status code 201: successful creation`` (rst/virtual-private-network/
        api-ref/source/api_reference_enterprise_edition_vpn/api/customer_gateway/creating_a_customer_gateway.rst,
        before its response tables). A status line under ``Example Response`` is the example's: the
        sections searched are the table's own and those enclosing it.
        """
        for section in self.chain(line):
            for block in reversed(section.blocks):
                if block.line < line and block.kind != "literal":
                    match = _STATUS_BLOCK.match(block.text.strip(" *"))
                    if match:
                        return int(match.group(1))
            if _RESPONSE.search(section.title):
                return None
        return None


PlaceRule = Callable[[PlaceFinder, int, "str | None"], "tuple[TableIn, str] | None"]


def caption_names_place(finder: PlaceFinder, line: int, title: str | None) -> tuple[TableIn, str] | None:
    """``**Table 3** Request body parameters``: the caption says.

    Real page: rst/elastic-load-balancing/api-ref/source/apis_v3/backend_server_group/
    updating_a_backend_server_group.rst (``Path Parameters``, ``Request header parameters``,
    ``Request body parameters``, ``Response body parameters``).
    """
    where = place_of_words(title) if title else None
    return (where, f"caption {title!r}") if where else None


def text_before_names_place(finder: PlaceFinder, line: int, title: str | None) -> tuple[TableIn, str] | None:
    """``-  Request parameter`` (or ``Response header``) just before the table: that line says.

    Only the two blocks nearest the table (after the previous table) are read, and only short
    ones: a label, not a paragraph that mentions a request in passing.
    Real page: md/doc/source/vpc/api-reference/querying-bandwidths.md (``-   Response parameter``).
    """
    for count, block in enumerate(finder.blocks_before(line)):
        if count >= 2:
            break
        if len(block.text) <= 60:
            where = place_of_words(block.text)
            if where:
                return where, f"text before the table {block.text!r}"
    return None


def section_names_place(finder: PlaceFinder, line: int, title: str | None) -> tuple[TableIn, str] | None:
    """The table's section (or one enclosing it) is ``URI``, ``Request ...`` or ``Response ...``.

    Real page: rst/virtual-private-cloud/api-ref/source/vpc_apis_v1_v2/bandwidth/querying_bandwidths.rst
    (``**Table 1** Parameter description`` under ``URI``: path and query parameters).
    """
    for section in finder.chain(line):
        if section.level == 0:
            continue
        where: TableIn | None = "uri" if is_uri_section(section) else place_of_words(section.title)
        if where:
            return where, f"section {section.title!r}"
    return None


_PLACE_RULES: tuple[PlaceRule, ...] = (caption_names_place, text_before_names_place, section_names_place)


def template_names(op: Operation) -> tuple[frozenset[str], frozenset[str]]:
    """The placeholder names of an operation's path, and the parameter names of its query template.

    >>> from pipeline.normalize.operations import Operation
    >>> op = Operation(0, 1, "GET", "/v2/{project_id}/zones", "type={type}&limit={limit}", None, False, "")
    >>> sorted(template_names(op)[0]), sorted(template_names(op)[1])
    (['project_id'], ['limit', 'type'])
    """
    path = frozenset(m.group(1).strip() for m in _PLACEHOLDER.finditer(op.path))
    query: set[str] = set()
    if op.query:
        for expansion in _QUERY_EXPANSION.finditer(op.query):
            query.update(n.strip() for n in expansion.group(1).split(","))
        for pair in _QUERY_EXPANSION.sub("", op.query).split("&"):
            name = pair.split("=", 1)[0].strip()
            if name:
                query.add(name)
    return path, frozenset(query)


#: Methods whose requests carry no body: their request parameters go in the path or the query.
BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})


#: The example request lines with a query string read from a page: the first ones, far more than a real page
#: prints (one or two), so that the work per operation stays bounded on a page of thousands of them.
MAX_EXAMPLE_QUERIES = 100


@dataclass(frozen=True, slots=True)
class ExampleQuery:
    """An example request line with a query string: its method, path and the names its query carries."""

    method: str
    path: str
    names: frozenset[str]


def example_queries(blocks: Iterable[Block]) -> tuple[ExampleQuery, ...]:
    """The request lines with a query string in the page's literal blocks (the first ``MAX_EXAMPLE_QUERIES``),
    read once per page."""
    found: list[ExampleQuery] = []
    for block in blocks:
        for _, text in block.numbered():
            if "?" not in text:
                continue
            request = request_line(text)
            if request is None:
                continue
            query = text.split("?", 1)[1].split(" HTTP/", 1)[0]
            names = (pair.split("=", 1)[0].strip() for pair in query.split("&"))
            found.append(ExampleQuery(request.method, request.target.path, frozenset(
                name for name in names if name and name.replace("_", "").replace("-", "").replace(".", "").isalnum())))
            if len(found) == MAX_EXAMPLE_QUERIES:
                return tuple(found)
    return tuple(found)


def example_query_names(queries: Iterable[ExampleQuery], op: Operation) -> frozenset[str]:
    """The names the query string of the page's example request of ``op`` carries (``queries``, from
    ``example_queries``).

    Real page: md/doc/source/mrs/api-reference/modifying-the-password-of-the-current-login-user.md
    (``POST /web/v1/access/modify_self_password?old_password=null&new_password=null& confirm_password=null
    HTTP/1.1``: the three fields of its URI table are query parameters, though the method is POST).
    """
    return frozenset(name for query in queries if query.method == op.method and same_path(query.path, op.path)
                     for name in query.names)


def same_path(printed: str, template: str) -> bool:
    """An example's path is the template's with values in its placeholders.

    >>> same_path("/v1/abc/clusters/42", "/v1/{project_id}/clusters/{cluster_id}"), same_path("/v1/x", "/v2/x")
    (True, False)
    """
    ours, theirs = printed.strip("/").split("/"), template.strip("/").split("/")
    return len(ours) == len(theirs) and all(
        a == b or (b.startswith("{") and b.endswith("}") and a != "") for a, b in zip(ours, theirs, strict=True))


def uri_location(name: str, op: Operation, body_table: bool = False,
                 example_query: frozenset[str] = frozenset()) -> tuple[ParameterIn, str]:
    """A parameter of a URI table: the operation's URI template says where it goes.

    A placeholder of the path is a ``path`` parameter, a name of the query template a ``query``
    one. A name neither lists is a ``query`` parameter, except on an operation with a body
    whose page has no body table (``body_table``): there the URI table lists the body too
    (md/doc/source/elb/api-reference/adding-a-listener-classic.md lists ``name`` and ``protocol``
    with ``project_id`` under ``POST /v1.0/{project_id}/elbaas/listeners``, and its ``Request``
    section no table), unless the page's example request carries the name in its query string
    (``example_query``, from ``example_query_names``); rst/virtual-private-network/api-ref/source/
    api_reference_enterprise_edition_vpn/api/vpn_tag/querying_the_resource_instance_list.rst lists
    ``limit`` and ``offset`` of a POST in its URI section and the body in a table of its own.
    """
    path, query = template_names(op)
    if name in path:
        return "path", "a placeholder of the path"
    if name in query:
        return "query", "a name of the query template"
    if op.method in BODILESS_METHODS or body_table:
        return "query", "in neither template"
    if name in example_query:
        return "query", "in the query string of the page's example request"
    return "body", f"in neither template, on a {op.method} operation whose page has no body table"


def request_location(name: str, op: Operation) -> tuple[ParameterIn, str]:
    """A request parameter of an operation without a body (``GET``): the URI template says where it goes.

    Real page: rst/elastic-load-balancing/api-ref/source/apis_v2.0/backend_server/
    querying_all_backend_servers_extension_api.rst (``GET /v2.0/lbaas/members``; its ``Request``
    section lists the filters ``marker``, ``limit``, ``name``...: query parameters).
    """
    if op.method in BODILESS_METHODS - {"DELETE"}:
        return uri_location(name, op)
    return "body", "a request parameter"

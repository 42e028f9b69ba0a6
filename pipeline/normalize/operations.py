"""The API operations an operation page documents, read from its outline.

An operation page prints each operation's request line in its URI section (``URI``,
``**URI**``): ``DELETE /v3/{project_id}/backups/{backup_id}``. Literal blocks there are
examples of the same operations (``GET https://{Endpoint}/v1/...?limit=10``) and are read only
when the section prints no request line outside them. A line repeating an operation already
found (``Usage: DELETE /v2/...`` under the parameter table) is not another operation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise

from pipeline.normalize.uri import (
    RequestLine,
    RequestTarget,
    method_label,
    method_only,
    path_label,
    request_line,
)
from pipeline.outline import Block, Outline, Section

#: A section holding request lines: ``URI``, ``URIs``, ``Request URI``.
_URI_SECTION = re.compile(r"\bURIs?\b")
#: The section whose first paragraph says what the operation does.
_SUMMARY_SECTION = re.compile(r"(?:API |Function |Interface )?(?:Function|Functions|Description|Functionality)\b:?",
                              re.IGNORECASE)
#: Labels of the ``-  API name`` / ``-  Function`` items in a Description section: not a summary.
SUMMARY_LABELS = frozenset({"api name", "function", "description", "function description"})
_DEPRECATED_TITLE = re.compile(r"\b(?:deprecated|discarded|obsolete)\b", re.IGNORECASE)
_DEPRECATED_TEXT = re.compile(
    r"\b(?:this|the)[ \t]++(?:API|APIs|interface|operation)\b[^.\n]{0,60}\b(?:deprecated|discarded|obsolete|"
    r"no longer (?:supported|maintained|available))\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Operation:
    """One HTTP operation printed on a page (the ``operations`` dataset's fields that come from the page).

    ``line`` is the line of its request line; ``rule`` names the rule that read it.
    """

    operation_index: int
    line: int
    method: str
    path: str
    query: str | None
    summary: str | None
    deprecated: bool
    rule: str


def operations(outline: Outline) -> tuple[Operation, ...]:
    """Every operation the page prints in its URI sections, in page order, with summary and deprecation."""
    found: list[tuple[int, RequestLine]] = []
    seen: set[tuple[str, str, str | None]] = set()
    for rule in URI_RULES:
        for line, request in rule(outline):
            key = (request.method, request.target.path, request.target.query)
            if key not in seen:
                seen.add(key)
                found.append((line, request))
        if found:
            break
    if not found:
        return ()
    summary = page_summary(outline)
    deprecated = is_deprecated(outline)
    return tuple(Operation(index, line, request.method, request.target.path, request.target.query, summary,
                           deprecated, request.rule)
                 for index, (line, request) in enumerate(found))


def is_uri_section(section: Section) -> bool:
    """A section titled ``URI`` (``**URI**``, ``URIs``, ``Request URI``)."""
    return section.level > 0 and bool(_URI_SECTION.search(section.title))


def uri_sections(outline: Outline) -> list[Section]:
    """The sections titled ``URI`` (and the sections nested under them)."""
    found: list[Section] = []
    end = 0  # the index after the last section already taken
    for section in outline.sections:
        if section.index >= end and is_uri_section(section):
            subtree = outline.subtree(section)
            found.extend(subtree)
            end = section.index + len(subtree)
    return found


def _uri_blocks(outline: Outline, literal: bool) -> Iterator[Block]:
    for section in uri_sections(outline):
        for block in section.blocks:
            if (block.kind == "literal") == literal:
                yield block


# --- the rules, tried in order until one finds an operation -----------------------------------


def request_lines_in_uri_section(outline: Outline) -> Iterator[tuple[int, RequestLine]]:
    """Each line of running text in a URI section that is a request line (``GET /v1/{project_id}/vpcs``).

    Real page: rst/virtual-private-cloud/api-ref/source/vpc_apis_v3/common_pools/querying_common_pools.rst;
    the URI-format bullet variant: rst/simple-message-notification/api-ref/source/apis/template_operations/
    querying_message_templates.rst (``-  URI format`` then ``GET /v2/...``).
    """
    for block in _uri_blocks(outline, literal=False):
        for line, text in block.numbered():
            request = request_line(text)
            if request is not None:
                yield line, request


def labelled_request_in_uri_section(outline: Outline) -> Iterator[tuple[int, RequestLine]]:
    """A ``Method: GET`` line and a ``PATH: /v1/...`` line next to each other (either order) in a URI section.

    No page of the shared trees prints this shape (0 of 3,548 files); the issue names it, so it
    is read, at the line of the ``PATH:`` line.
    """
    lines = [numbered for block in _uri_blocks(outline, literal=False) for numbered in block.numbered()]
    for (first_line, first), (second_line, second) in pairwise(lines):
        for method_text, path_text, line in ((first, second, second_line), (second, first, first_line)):
            method, target = method_label(method_text), path_label(path_text)
            if method and target:
                yield line, RequestLine(method, target, "method-and-path-lines")


def request_lines_in_uri_examples(outline: Outline) -> Iterator[tuple[int, RequestLine]]:
    """Request lines inside literal blocks of a URI section, when it prints none outside them.

    Real page: md/doc/source/css/api-reference/deleting-a-cluster.md (``URI`` holds a fenced block
    with ``DELETE /v1.0/{project_id}/clusters/{cluster_id}``); a full URL there loses its host.
    """
    for block in _uri_blocks(outline, literal=True):
        for line, text in block.numbered():
            request = request_line(text)
            if request is not None:
                yield line, RequestLine(request.method, request.target, "request-line-in-uri-example")


def method_only_with_example(outline: Outline) -> Iterator[tuple[int, RequestLine]]:
    """A URI section that prints only a method (``GET``); the path comes from the page's example request.

    Real page: rst/virtual-private-network/api-ref/source/api_reference_classic_vpn/api/api_version_information/
    querying_api_versions.rst (``URI`` holds ``GET``; ``Example request`` is ``GET https://{Endpoint}/``,
    so the operation is ``GET /``).
    """
    for block in _uri_blocks(outline, literal=False):
        for line, text in block.numbered():
            method = method_only(text)
            if method is None:
                continue
            example = _example_request(outline, method)
            if example is not None:
                yield line, RequestLine(method, example, "method-only-uri-with-example")
                return


def _example_request(outline: Outline, method: str) -> RequestTarget | None:
    for section in outline.sections:
        for block in section.blocks:
            if block.kind != "literal":
                continue
            for _, text in block.numbered():
                request = request_line(text)
                if request is not None and request.method == method:
                    return request.target
    return None

#: The URI rules in the order they are tried; the first that finds an operation decides.
URI_RULES: tuple[Callable[[Outline], Iterator[tuple[int, RequestLine]]], ...] = (
    request_lines_in_uri_section,
    labelled_request_in_uri_section,
    request_lines_in_uri_examples,
    method_only_with_example,
)


# --- summary and deprecation ----------------------------------------------------------------


def page_summary(outline: Outline) -> str | None:
    """What the operation does: the Function (or Description) section's first paragraph.

    Real pages: rst/virtual-private-cloud/api-ref/source/vpc_apis_v3/common_pools/querying_common_pools.rst
    (``Function`` then a paragraph); rst/simple-message-notification/api-ref/source/apis/template_operations/
    querying_message_templates.rst (``Description`` holds ``-  API name`` / ``ListMessageTemplates`` /
    ``-  Function`` / the summary: the paragraph after the ``Function`` item). A page with no such
    section says it under its title: rst/elastic-cloud-server/api-ref/source/native_openstack_nova_apis/
    tag_management/adding_a_tag_to_an_ecs.rst (``Adding a Tag to an ECS`` then ``This API is used to add a
    tag to an ECS.``): the title section's first paragraph.
    """
    for section in outline.sections:
        if section.level == 0 or not _SUMMARY_SECTION.fullmatch(section.title.strip()):
            continue
        labelled = _after_function_label(section.blocks)
        if labelled is not None:
            return labelled
        for block in section.blocks:
            if block.kind != "literal" and block.text.strip(" :").lower() not in SUMMARY_LABELS:
                return block.text
    title = next((s for s in outline.sections if s.level > 0), None)
    if title is not None:
        return next((b.text for b in title.blocks if b.kind == "paragraph"), None)
    return None


def _after_function_label(blocks: tuple[Block, ...]) -> str | None:
    for block, following in pairwise(blocks):
        if block.kind == "item" and block.text.strip(" :").lower() == "function" and following.kind != "literal":
            return following.text
    return None


def is_deprecated(outline: Outline) -> bool:
    """The title says deprecated or discarded, or the page's text says the API is.

    Real pages: rst/elastic-cloud-server/api-ref/source/out-of-date_apis/security_group_management_openstack_nova_apis/
    creating_a_security_group_discarded.rst (title ``Creating a Security Group (Discarded)``; text ``This API
    has been discarded.``). A parameter said to be deprecated (in a table) does not count.
    """
    title = outline.title or ""
    if _DEPRECATED_TITLE.search(title):
        return True
    return any(_DEPRECATED_TEXT.search(block.text) for section in outline.sections for block in section.blocks
               if block.kind != "literal")

"""The status codes an operation page documents: which tables are its status tables, and its bare status lines.

An operation page lists the codes its operations return in a section titled ``Status Codes``,
``Status Code``, ``Returned Values`` or ``**Returned Value**``: in tables, or as bare lines
(``-  Normal`` then ``200``). The tables are read by the normalizer like the catalog's; this
module says which tables belong to that section and to which operations, and reads the bare
lines into simple records the normalizer turns into status-code records.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.normalize.httpstatus import is_valid_status, looks_like_reason_phrase, parse_status_cell
from pipeline.normalize.operations import Operation, is_uri_section
from pipeline.outline import Outline, Section

#: A section listing an operation's status codes.
_STATUS_SECTION = re.compile(
    r"\b(?:status[ \t]++codes?|returned[ \t]++values?|return[ \t]++(?:codes?|values?)|response[ \t]++codes?)\b",
    re.IGNORECASE)
#: A table titled as a status-code table: ``**Table 2** Status code``, ``Return code for successful requests``.
_STATUS_TABLE_TITLE = re.compile(r"\b(?:status[ \t]++codes?|return(?:ed)?[ \t]++(?:codes?|values?))\b",
                                 re.IGNORECASE)
#: The label before a bare status line: ``Normal 204``, ``Normal: 200 OK``, ``Returned value: 200``.
_STATUS_LABEL = re.compile(
    r"(?:(?:Normal|Abnormal|Successful|Success|Error)(?:[ \t]++(?:response|responses|status|code))?"
    r"|Returned[ \t]++values?|Return[ \t]++(?:codes?|values?)|Status[ \t]++codes?|Response[ \t]++codes?)"
    r"[ \t]*+:?[ \t]*+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class StatusScope:
    """A table or line is in an operation page's status section: which section, which operations.

    ``operations`` holds the ``operation_index`` of each operation the section documents (all of
    the page's operations when they share one URI section, as ``GET /v2.1/...`` and ``GET /v2/...``).
    """

    section: str
    line: int
    operations: tuple[int, ...]
    rule: str


@dataclass(frozen=True, slots=True)
class StatusLine:
    """A status code printed as a line of text in a status section, not in a table."""

    status_code: int
    documented_reason: str | None
    line: int
    operations: tuple[int, ...]


def is_status_section(section: Section) -> bool:
    """``Status Codes``, ``Status Code``, ``Returned Values``, ``Return Code``: a section listing status codes.

    Real pages: rst/virtual-private-cloud/api-ref/source/vpc_apis_v3/common_pools/querying_common_pools.rst
    (``Status Codes``); md/doc/source/dns/api-reference/adding-or-deleting-resource-tags-in-batches.md
    (``## **Returned Value**``).
    """
    return section.level > 0 and bool(_STATUS_SECTION.search(section.title))


class StatusSections:
    """Says which tables and lines of a page belong to its operations' status sections.

    Built once per page (``StatusSections(outline, ops)``), then asked per table: the URI
    sections are found once, so a page of many tables and headings costs linear time.
    """

    def __init__(self, outline: Outline, ops: Sequence[Operation]) -> None:
        self.outline = outline
        self.ops = tuple(ops)
        self._uri_lines = [s.line for s in outline.sections if is_uri_section(s)]

    def scope(self, line: int | None, table_title: str | None = None) -> StatusScope | None:
        """Whether the table (or text) at ``line`` belongs to the status section of the page's operations.

        ``None`` on a page without operations, or for a table elsewhere on the page (a parameter
        table, a response-body table). Rules, in order: the table lies in a status section or a
        section nested under one; or its title names status codes (``**Table 2** Status code``
        under another heading).
        """
        if not self.ops or line is None:
            return None
        section = self.outline.section_at(line)
        for candidate in (section, *reversed(self.outline.parents(section))):
            if is_status_section(candidate):
                return StatusScope(candidate.title, candidate.line, self.operations_of(candidate.line),
                                   "in the status section")
        if table_title and _STATUS_TABLE_TITLE.search(table_title):
            return StatusScope(section.title, section.line, self.operations_of(line),
                               "table title names status codes")
        return None

    def operations_of(self, line: int) -> tuple[int, ...]:
        """The operations a status section starting at ``line`` documents: those of the last URI section before it.

        Every page of the shared trees prints all its operations in one URI section, so this is all
        of them; a page documenting operations one after the other (``URI`` ... ``Status Codes``,
        ``URI`` ... ``Status Codes``) gives each status section the operations printed above it.
        """
        last = self._uri_lines[max(0, bisect_right(self._uri_lines, line) - 1)] if self._uri_lines else 0
        mine = tuple(op.operation_index for op in self.ops if last <= op.line <= line)
        return mine or tuple(op.operation_index for op in self.ops)


def status_scope(outline: Outline, ops: Sequence[Operation], line: int | None,
                 table_title: str | None = None) -> StatusScope | None:
    """``StatusSections(outline, ops).scope(line, table_title)``, for one table."""
    return StatusSections(outline, ops).scope(line, table_title)


def status_lines(outline: Outline, ops: Sequence[Operation]) -> tuple[StatusLine, ...]:
    """The bare status lines of the page's status sections, with their lines.

    Real page: md/doc/source/elb/api-reference/adding-a-listener-classic.md (``## Status Code``,
    ``-   Normal``, then ``200`` alone on its line). A line holding a code and a sentence
    (``Status code 200, indicating that the operation is successful``) is prose, not a status line.
    """
    if not ops:
        return ()
    found: list[StatusLine] = []
    sections = StatusSections(outline, ops)
    for section in outline.sections:
        scope = sections.scope(section.line) if section.level > 0 else None
        if scope is None:
            continue
        for block in section.blocks:
            if block.kind == "literal":
                continue
            for line, text in block.numbered():
                found.extend(StatusLine(code, reason, line, scope.operations) for code, reason in status_line(text))
    return tuple(found)


def status_line(text: str) -> tuple[tuple[int, str | None], ...]:
    """The ``(status code, documented reason)`` pairs of one bare status line; empty when it is not one.

    >>> status_line("Normal 204"), status_line("Normal: 200 OK"), status_line("Returned value: 200")
    (((204, None),), ((200, 'OK'),), ((200, None),))
    >>> status_line("Status code 200, indicating that the operation is successful")
    ()
    """
    value = text.strip()
    label = _STATUS_LABEL.match(value)
    if label and label.end() < len(value):
        value = value[label.end():]
    cell = parse_status_cell(value)
    if cell is None or not cell.codes or not all(is_valid_status(code) for code in cell.codes):
        return ()
    if cell.phrase is not None and not looks_like_reason_phrase(cell.phrase):
        return ()
    return tuple((code, cell.phrase) for code in cell.codes)

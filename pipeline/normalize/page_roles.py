"""Every page gets a role, decided by small ordered rules that each say why.

``operation``: the page documents HTTP operations (its URI section prints them);
``error_codes``: a service's catalog of error codes; ``status_codes``: a service's catalog of
HTTP status codes; ``other``: anything else (user guides, overviews, change history).
The table kinds come from the table classifier (``normalize.columns``); a page's role never
changes a table's kind, it says where the table's records belong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from pipeline.datasets import PageRole
from pipeline.normalize.operations import Operation
from pipeline.outline import Outline
from pipeline.rules import Rules

_ERROR_TITLE = re.compile(r"\berror[ \t]++codes?\b|\bfault|\bexception", re.IGNORECASE)
_STATUS_TITLE = re.compile(
    r"\bstatus[ \t]++codes?\b|\breturn(?:ed)?[ \t]++(?:values?|codes?)\b|\bresponse[ \t]++codes?\b", re.IGNORECASE)


class ClassifiedTable(Protocol):
    """A table and the kind the classifier gave it (``TableReport`` is one)."""

    @property
    def line(self) -> int | None: ...

    @property
    def kind(self) -> str: ...


@dataclass(frozen=True, slots=True)
class RoleDecision:
    """A page's role and the rule that decided it, in words."""

    role: PageRole
    rule: str


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What the role rules look at: the title, the operations, the count of tables of each kind."""

    title: str
    operations: tuple[Operation, ...]
    status_tables: int
    error_tables: int


def page_role(outline: Outline, ops: Sequence[Operation], tables: Sequence[ClassifiedTable],
              title: str | None = None) -> RoleDecision:
    """The role of a page: the first rule of ``ROLE_RULES`` that decides.

    ``title``: the page's title where the outline has none (a page built without its text).
    """
    facts = PageFacts(outline.title or title or "", tuple(ops), sum(1 for t in tables if t.kind == "status_codes"),
                      sum(1 for t in tables if t.kind == "error_codes"))
    return ROLE_RULES.decide(facts)


def operation_page(facts: PageFacts) -> RoleDecision | None:
    """The page prints at least one operation in a URI section.

    Real page: rst/virtual-private-cloud/api-ref/source/vpc_apis_v3/common_pools/querying_common_pools.rst
    (``GET /v3/{project_id}/eip/publicip-pools/common-pools``): its status table documents that operation.
    """
    if not facts.operations:
        return None
    shown = ", ".join(f"{op.method} {op.path}" for op in facts.operations[:3])
    more = f" and {len(facts.operations) - 3} more" if len(facts.operations) > 3 else ""
    count = len(facts.operations)
    return RoleDecision("operation", f"prints {count} operation{'s' if count > 1 else ''} in its URI section: "
                                     f"{shown}{more}")


def error_catalog_by_title(facts: PageFacts) -> RoleDecision | None:
    """No operation, a title naming error codes, and an error-code table.

    Real page: rst/virtual-private-cloud/api-ref/source/appendix/error_codes.rst (``Error Codes``).
    """
    if facts.error_tables and _ERROR_TITLE.search(facts.title):
        return RoleDecision("error_codes", f"no operation; title {facts.title!r} names error codes and "
                                           f"{facts.error_tables} table(s) hold error codes")
    return None


def status_catalog_by_title(facts: PageFacts) -> RoleDecision | None:
    """No operation, a title naming status codes, and a status-code table.

    Real page: rst/virtual-private-cloud/api-ref/source/appendix/status_codes.rst (``Status Codes``).
    """
    if facts.status_tables and _STATUS_TITLE.search(facts.title):
        return RoleDecision("status_codes", f"no operation; title {facts.title!r} names status codes and "
                                            f"{facts.status_tables} table(s) hold status codes")
    return None


def catalog_by_title_and_tables(facts: PageFacts) -> RoleDecision | None:
    """No operation; the title names status or error codes, the tables hold the other kind: the tables decide.

    Real page: raw_docs/obs/error-code-list.md (``Error Code List``): its table reads as status codes
    (each OBS error name comes with its status). More error-code tables than status-code tables make an
    error-code catalog.
    """
    if not (facts.status_tables or facts.error_tables) or not (_ERROR_TITLE.search(facts.title)
                                                               or _STATUS_TITLE.search(facts.title)):
        return None
    role: PageRole = "error_codes" if facts.error_tables > facts.status_tables else "status_codes"
    return RoleDecision(role, f"no operation; title {facts.title!r} names codes; {facts.status_tables} table(s) "
                              f"read as status codes and {facts.error_tables} as error codes")


def catalog_by_tables(facts: PageFacts) -> RoleDecision | None:
    """No operation, a title naming no codes, but tables that hold codes by header and content: the tables decide.

    The table classifier already asks the header: a status column is headed as one (``Status Code``,
    ``Returned Value``), so a user guide's flavor tables (rst/elastic-cloud-server/umn/source/
    service_overview/ecs_types_and_specifications/ecs_specifications/gpu-accelerated_ecss.rst,
    ``Flavor | vCPUs | Memory (GiB)``: 128, 256) never get here. What does is a page that is nothing
    but a table of codes under a plain title (``Codes``), or none at all.
    """
    if not (facts.status_tables or facts.error_tables):
        return None
    role: PageRole = "error_codes" if facts.error_tables > facts.status_tables else "status_codes"
    return RoleDecision(role, f"no operation; the title {facts.title!r} names no codes, but {facts.status_tables} "
                              f"table(s) hold status codes and {facts.error_tables} error codes by header and "
                              "content")


def other_page(facts: PageFacts) -> RoleDecision:
    """Anything else: no operation and no status-code or error-code table."""
    return RoleDecision("other", "no operation and no status-code or error-code table")


#: The role rules in the order they are tried; ``other_page`` always decides.
ROLE_RULES: Rules[PageFacts, RoleDecision] = Rules((
    operation_page,
    error_catalog_by_title,
    status_catalog_by_title,
    catalog_by_title_and_tables,
    catalog_by_tables,
    other_page,
))

"""Where a code table's records go, decided by small ordered rules from its kind, its page's role and its section.

The table classifier (``normalize.columns``) says what a table holds; the page's role
(``normalize.page_roles``) says what the page is. A status-code table on a catalog page gives
``status_codes``; one in the Status Codes section of an operation page gives that operation's
``operation_status_codes`` (not the catalog: ``200 OK`` of every operation is no catalog entry);
an error-code table gives ``error_codes`` on a catalog or an operation page. What none of these
takes is not extracted, and the rule says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.datasets import ERROR_CODES, OPERATION_STATUS_CODES, STATUS_CODES
from pipeline.normalize.operation_status import StatusScope
from pipeline.normalize.page_roles import RoleDecision
from pipeline.rules import Rules


@dataclass(frozen=True, slots=True)
class CodeTable:
    """What the placement rules look at: the table's kind, its page's role, its status scope (if any)."""

    kind: str
    role: RoleDecision
    scope: StatusScope | None


@dataclass(frozen=True, slots=True)
class Placement:
    """The dataset a table's records go to (``None``: not extracted) and the rule that said so, in words."""

    dataset: str | None
    rule: str


def not_a_code_table(table: CodeTable) -> Placement | None:
    """A table that holds no status or error codes gives none (its rows may still be parameters)."""
    if table.kind in ("status_codes", "error_codes"):
        return None
    return Placement(None, "holds no status or error codes")


def operation_status_section(table: CodeTable) -> Placement | None:
    """A status-code table in an operation's status section documents that operation's status codes.

    Real page: rst/virtual-private-cloud/api-ref/source/vpc_apis_v3/common_pools/querying_common_pools.rst
    (``Status Codes`` after the parameter tables: ``200 | OK``).
    """
    if table.kind != "status_codes" or table.role.role != "operation" or table.scope is None:
        return None
    ops = ", ".join(str(i) for i in table.scope.operations)
    return Placement(OPERATION_STATUS_CODES.name, f"status codes of operation {ops}: {table.scope.rule} "
                                                  f"{table.scope.section!r}")


def status_table_elsewhere_on_operation_page(table: CodeTable) -> Placement | None:
    """A status-code table of an operation page outside its status sections is neither a catalog nor the
    operation's list of status codes: not extracted."""
    if table.kind != "status_codes" or table.role.role != "operation":
        return None
    return Placement(None, "a table of status codes on an operation page, outside its status sections")


def catalog_page(table: CodeTable) -> Placement | None:
    """A code table on a catalog page (role ``status_codes`` or ``error_codes``) is the service's catalog."""
    if table.role.role not in ("status_codes", "error_codes"):
        return None
    dataset = STATUS_CODES.name if table.kind == "status_codes" else ERROR_CODES.name
    catalog = "a status-code" if table.role.role == "status_codes" else "an error-code"
    return Placement(dataset, f"on {catalog} catalog page")


def error_codes_outside_catalogs(table: CodeTable) -> Placement | None:
    """An error-code table on an operation page lists service error codes all the same: they belong to the
    service's catalog (the error-code column was found by its header and its cells).

    Real page: md/doc/source/css/api-reference/obtaining-the-list-of-instance-flavors.md (``GET
    /v1.0/{project_id}/flavors``; its error table lists ``BadRequest``, ``NotFound``). A user guide's
    error table (``Error Code | Message Displayed on the Management Console | Solution Suggestion``)
    makes its page an error-code catalog (``page_roles.catalog_by_tables``) and is placed as one.
    """
    if table.kind != "error_codes":
        return None
    return Placement(ERROR_CODES.name, f"error codes listed on a page of role {table.role.role!r}")


def not_a_catalog(table: CodeTable) -> Placement:
    """Status codes on a page that is neither a catalog nor an operation page (a user guide) are not extracted."""
    return Placement(None, f"the page is no catalog and documents no operation ({table.role.rule})")


#: The placement rules in the order they are tried; ``not_a_catalog`` always decides.
PLACEMENT_RULES: Rules[CodeTable, Placement] = Rules((
    not_a_code_table,
    operation_status_section,
    status_table_elsewhere_on_operation_page,
    catalog_page,
    error_codes_outside_catalogs,
    not_a_catalog,
))

"""The normalizer: parsed pages in, records of every dataset plus an account of every table and row out.

A page's outline (``pipeline.outline``) gives its operations (``operations``); each table is
classified (``columns.plan_table``, knowing its section), the page gets its role
(``page_roles.page_role``) and each code table's records go where ``placement.PLACEMENT_RULES``
sends them: the catalogs, an operation's status codes, or nowhere (with the reason). An
operation page's parameter tables give its parameters (``parameters.parameters_of_page``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from pipeline.datasets import (
    ERROR_CODES,
    OPERATION_SECTIONS,
    OPERATION_STATUS_CODES,
    OPERATIONS,
    PAGES,
    PARAMETERS,
    RESOURCES,
    STATUS_CODES,
    OperationRecord,
    OperationStatusCodeRecord,
    PageRecord,
    Record,
)
from pipeline.model import (
    ErrorCodeRecord,
    Issue,
    Location,
    Page,
    PageResult,
    RawTable,
    StatusCodeRecord,
    TableKind,
    TableReport,
)
from pipeline.normalize.columns import TablePlan, plan_table
from pipeline.normalize.error_rows import error_records
from pipeline.normalize.httpstatus import canonical_reason, category
from pipeline.normalize.limits import cap_issues
from pipeline.normalize.operation_status import StatusLine, StatusScope, StatusSections, status_lines
from pipeline.normalize.operations import Operation, operations
from pipeline.normalize.page_roles import RoleDecision, page_role
from pipeline.normalize.parameters import PageParameters, parameters_of_page
from pipeline.normalize.placement import PLACEMENT_RULES, CodeTable, Placement
from pipeline.normalize.status_rows import RowOutcome, status_records
from pipeline.outline import Outline, page_outline
from pipeline.problems import DUPLICATE_ERROR_CODE, RAGGED_ROW, TABLE_NOT_EXTRACTED


@dataclass(frozen=True, slots=True)
class _Classified:
    """A table's line and kind, as ``page_role`` reads them."""

    line: int | None
    kind: str


@dataclass
class _Found:
    """The records of one page, per dataset, while its tables are read."""

    records: dict[str, list[Record]] = field(default_factory=lambda: {r.name: [] for r in RESOURCES})
    reports: list[TableReport] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def normalize_page(page: Page, sha256: str, text: str) -> PageResult:
    """Classify every table of a page, extract its records, give the page its role; account for every row.

    ``text`` is the page's decoded text (what the outline reads).
    """
    outline = page_outline(page, text)
    ops = operations(outline)
    sections = StatusSections(outline, ops)
    plans = [plan_table(table, section_titles(outline, table.line)) for table in page.tables]
    role = page_role(outline, ops, [_Classified(t.line, p.kind) for t, p in zip(page.tables, plans, strict=True)],
                     page.title)
    params = parameters_of_page(page, text, outline, ops)
    found = _Found(issues=list(page.problems))
    parameter_tables = dict(params.tables)
    for table, plan in zip(page.tables, plans, strict=True):
        found.issues.extend(ragged_rows(page, table))
        section = outline.section_at(table.line).title if table.line is not None else None
        scope = sections.scope(table.line, table.title)
        placement = PLACEMENT_RULES.decide(CodeTable(plan.kind, role, scope))
        if placement.dataset is None and table.index in parameter_tables:
            found.reports.append(_parameter_report(page, table, role, section, params, parameter_tables[table.index]))
        else:
            found.reports.append(_extract(page, table, plan, role, section, (placement, scope), ops, found))
    for line in status_lines(outline, ops):
        found.records[OPERATION_STATUS_CODES.name].extend(_line_records(page, line, ops))
    found.records[OPERATIONS.name] = [_operation_record(page, op) for op in ops]
    found.records[PARAMETERS.name] = list(params.records)
    found.records[OPERATION_SECTIONS.name] = list(params.sections)
    found.issues.extend(params.issues)
    for resource in (STATUS_CODES, ERROR_CODES, OPERATION_STATUS_CODES):
        found.records[resource.name].sort(key=resource.sort_key)  # each dataset's declared order (stable sorts)
    found.issues.extend(duplicate_error_codes(r for r in found.records[ERROR_CODES.name]
                                              if isinstance(r, ErrorCodeRecord)))
    given = sum(len(records) for records in found.records.values())
    found.records[PAGES.name] = [PageRecord(page.service, page.source_path, page.source_format, page.title,
                                            page.page_id, None, None, None, role.role, role.rule, len(page.tables),
                                            given)]
    capped = cap_issues(found.issues, page.source_path)  # a page's issues stay proportional to what it documents
    return PageResult(page.source_path, sha256, {name: tuple(records) for name, records in found.records.items()},
                      tuple(found.reports), tuple(capped))


def section_titles(outline: Outline, line: int | None) -> tuple[str, ...]:
    """The titles of the section holding ``line`` and of the sections enclosing it, innermost first."""
    section = outline.section_at(line)
    return (section.title, *(s.title for s in reversed(outline.parents(section))))


def ragged_rows(page: Page, table: RawTable) -> Iterable[Issue]:
    """A warning for every row with more or fewer cells than the header."""
    for row_index, row in enumerate(table.rows):
        if len(row.cells) != len(table.header):
            yield RAGGED_ROW.at(
                Location(page.source_path, row.line, table.index, row_index),
                f"row has {len(row.cells)} cells but the header has {len(table.header)}"
                + ("; cells beyond the header are not read" if len(row.cells) > len(table.header) else ""),
            )


def _extract(page: Page, table: RawTable, plan: TablePlan, role: RoleDecision, section: str | None,
             placed: tuple[Placement, StatusScope | None], ops: Sequence[Operation], found: _Found) -> TableReport:
    """Read a table's rows into the dataset its placement names (or skip them all, saying why); its report."""
    placement, scope = placed
    records: Sequence[Record]
    if placement.dataset == ERROR_CODES.name:
        records, outcome = error_records(page, table, plan)
    elif placement.dataset is not None:
        statuses, outcome = status_records(page, table, plan)
        records = statuses
        if placement.dataset == OPERATION_STATUS_CODES.name and scope is not None:
            records = [_operation_status(s, ops[i]) for s in statuses for i in scope.operations]
    else:
        outcome = RowOutcome(skipped=len(table.rows))
        records = []
        if table.rows:
            why = plan.rule if plan.kind == "other" else f"{plan.rule}; {placement.rule}"
            outcome.issues.append(TABLE_NOT_EXTRACTED.at(
                Location(page.source_path, table.line, table.index),
                f"{len(table.rows)} rows not extracted: {why} (header: {' | '.join(table.header)})"))
    if placement.dataset is not None:
        found.records[placement.dataset].extend(records)
    found.issues.extend(outcome.issues)
    return TableReport(
        source_path=page.source_path, table_index=table.index, line=table.line, title=table.title,
        header=table.header, kind=plan.kind, rule=plan.rule, roles=plan.roles, rows=len(table.rows),
        records=len(records), rows_emitted=outcome.emitted, rows_merged=outcome.merged,
        rows_skipped=outcome.skipped, page_role=role.role, section=section, dataset=placement.dataset,
        placement=placement.rule)


def _parameter_report(page: Page, table: RawTable, role: RoleDecision, section: str | None,
                      params: PageParameters, placement: str) -> TableReport:
    """The report of a parameter table: rows that gave parameters are emitted, the others skipped (reported by
    ``parameters_of_page``: per row, or for the whole table)."""
    mine = [r for r in params.records if r.table_index == table.index]
    emitted = len({r.row_index for r in mine})
    kind: TableKind = "parameters"
    return TableReport(
        source_path=page.source_path, table_index=table.index, line=table.line, title=table.title,
        header=table.header, kind=kind, rule="a parameter table: its first column names parameters",
        roles=tuple("ignored" for _ in table.header), rows=len(table.rows), records=len(mine), rows_emitted=emitted,
        rows_merged=0, rows_skipped=len(table.rows) - emitted, page_role=role.role, section=section,
        dataset=PARAMETERS.name, placement=placement)


def _operation_status(record: StatusCodeRecord, op: Operation) -> OperationStatusCodeRecord:
    """A status-code row of an operation's status table, as that operation's record."""
    return OperationStatusCodeRecord(
        record.service, record.source_path, record.source_format, record.page_title, record.page_id, None, None, None,
        op.operation_index, op.method, op.path, record.table_index, record.table_title, record.row_index, record.line,
        record.status_code, record.documented_reason, record.reason, record.description, record.category)


def _line_records(page: Page, line: StatusLine, ops: Sequence[Operation]) -> Iterator[OperationStatusCodeRecord]:
    """The records of a bare status line (``Normal 204``), one per operation its section documents."""
    for index in line.operations:
        op = ops[index]
        yield OperationStatusCodeRecord(
            page.service, page.source_path, page.source_format, page.title, page.page_id, None, None, None,
            op.operation_index, op.method, op.path, None, None, None, line.line, line.status_code,
            line.documented_reason, canonical_reason(line.status_code, line.documented_reason), None,
            category(line.status_code))


def _operation_record(page: Page, op: Operation) -> OperationRecord:
    return OperationRecord(page.service, page.source_path, page.source_format, page.title, page.page_id, None, None,
                           None, op.operation_index, op.line, op.method, op.path, op.query, op.summary, op.deprecated)


def duplicate_error_codes(records: Iterable[ErrorCodeRecord]) -> list[Issue]:
    """Report every error code (with its status) documented more than once in one table.

    rst/vpc/error_codes.rst documents VPC.0101/400 once for creating and once for querying
    a VPC: both records stay in the dataset; the repeat is reported as a notice.
    """
    seen: dict[tuple[int, str, int | None], list[ErrorCodeRecord]] = defaultdict(list)
    for record in records:
        seen[(record.table_index, record.error_code, record.status_code)].append(record)
    issues = []
    for (_table, code, status), group in seen.items():
        if len(group) > 1:
            first = group[0]
            rows = ", ".join(str(r.row_index) for r in group)
            issues.append(DUPLICATE_ERROR_CODE.at(
                Location(first.source_path, first.line, first.table_index, first.row_index),
                f"error code {code} (status {status}) is documented {len(group)} times in this table (rows {rows}); "
                "all are kept",
            ))
    return issues

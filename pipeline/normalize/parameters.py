"""The parameters of an operation page, and how well each of its parameter sections was read.

``parameters_of_page(page, text, outline, operations)`` reads every parameter table of the page
(``parameter_columns``), places it (``parameter_places``: path, query, header, body, response),
ties nested tables to their parent rows (``parameter_nesting``) and gives one
``ParameterRecord`` per operation, placement and row; per operation and section (path, query,
header, body, response) one ``OperationSectionRecord`` whose counts reconcile: rows seen =
rows read + rows skipped, each skip with its reason (and an ``Issue``). Status tables, example
tables and tables that are not parameter tables (``OS | Version``) are not parameter tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from pipeline.datasets.operation_sections import OperationSectionRecord, SectionName, SectionStatus
from pipeline.datasets.parameters import PARAMETERS, ParameterRecord
from pipeline.model import Issue, Location, Page, RawRow, RawTable
from pipeline.normalize.operation_status import StatusSections
from pipeline.normalize.operations import Operation
from pipeline.normalize.parameter_columns import (
    ParameterColumns,
    SchemaType,
    object_type_name,
    parameter_columns,
    required_flag,
    schema_type,
)
from pipeline.normalize.parameter_nesting import (
    Nesting,
    Parent,
    RowFacts,
    TableFacts,
    caption_field,
    cited_numbers,
    external_citations,
    page_labels,
    resolve,
    row_source,
    table_numbers,
    top_level_objects,
)
from pipeline.normalize.parameter_places import (
    ParameterIn,
    PlaceFinder,
    TableIn,
    TablePlace,
    example_queries,
    example_query_names,
    request_location,
    side_of,
    template_names,
    uri_location,
)
from pipeline.outline import Outline
from pipeline.problems import (
    CROSS_SECTION_TABLE_REFERENCE,
    DUPLICATE_PARAMETER,
    EXAMPLE_PARAMETERS,
    MISMATCHED_TABLE_REFERENCE,
    NOT_A_PARAMETER,
    PARAMETER_PARENT_FROM_EXAMPLE,
    PARAMETER_PARENT_NOT_FOUND,
    PARAMETER_TABLE_UNPLACED,
    UNRESOLVED_TABLE_REFERENCE,
)
from pipeline.text import clean_cell, collapse_whitespace

#: The parameter sections of an operation, in report order; ``response`` holds headers and body.
SECTIONS: tuple[SectionName, ...] = ("path", "query", "header", "body", "response")
SECTION_OF: dict[ParameterIn, SectionName] = {
    "path": "path", "query": "query", "header": "header", "body": "body",
    "response_header": "response", "response_body": "response",
}
#: Cells that say "nothing here": ``N/A``, ``None``, a dash.
NOTHING = frozenset({"n/a", "na", "none", "null", "-", "--", "\u2013", "\u2014", "/"})
#: How deep nested tables are followed (a page's objects nest 4 levels at most in the shared trees).
MAX_DEPTH = 16


@dataclass(frozen=True, slots=True)
class PageParameters:
    """Everything read from one page: its parameter records, its section reports, its issues."""

    records: tuple[ParameterRecord, ...] = ()
    sections: tuple[OperationSectionRecord, ...] = ()
    issues: tuple[Issue, ...] = ()
    #: Each parameter table of the page (``table_index``) and, in words, where its rows went or why not.
    tables: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ParameterRow:
    """One row of a parameter table, its cells read; ``skip`` says why it gives no parameter."""

    row_index: int
    line: int | None
    name: str
    required: bool | None
    type: str | None
    schema_type: SchemaType | None
    description: str | None
    skip: str | None = None


@dataclass(frozen=True, slots=True)
class ParameterTable:
    """A parameter table of the page: its rows read, where it is, what its caption names."""

    table: RawTable
    columns: ParameterColumns
    rows: tuple[ParameterRow, ...]
    place: TablePlace | None
    example: bool
    facts: TableFacts


@dataclass(frozen=True, slots=True)
class Placement:
    """One place a table's rows go: where, for which status, under which parent (``root``: its top-level name)."""

    where: TableIn
    status_code: int | None
    parent: str | None
    root: str | None


def read_row(index: int, row: RawRow, columns: ParameterColumns) -> ParameterRow:
    """A row's cells as a parameter; ``skip`` set for a row naming no parameter (empty, ``None``, a divider)."""

    def cell(position: int | None) -> str | None:
        if position is None or position >= len(row.cells):
            return None
        value = clean_cell(row.cells[position].text)
        return None if value is None or value.lower() in NOTHING else value

    name = collapse_whitespace(row.cells[columns.name].text) if row.cells else ""
    type_text = cell(columns.type)
    required_text = cell(columns.required)
    skip = None
    texts = {collapse_whitespace(c.text) for c in row.cells}
    if not name or name.lower() in NOTHING:
        skip = "the row names no parameter"
    elif len(row.cells) > 1 and len(texts) == 1:
        skip = "one text across the whole row: a divider, not a parameter"
    return ParameterRow(index, row.line, name, required_flag(required_text) if required_text else None, type_text,
                        schema_type(type_text) if type_text else None, cell(columns.description), skip)


class _PageReader:
    """Reads one page's parameter tables (one instance per call of ``parameters_of_page``)."""

    def __init__(self, page: Page, text: str, outline: Outline, ops: Sequence[Operation]) -> None:
        self.page, self.outline, self.ops = page, outline, tuple(ops)
        self.status = StatusSections(outline, ops)
        self.finder = PlaceFinder(outline, [t.line for t in page.tables if t.line is not None])
        lines = self.lines = text.splitlines()
        self.labels = page_labels(lines) if page.source_format == "rst" else frozenset()
        self.numbers = table_numbers(lines, [(t.index, t.line, t.rows[-1].line if t.rows else t.line)
                                             for t in page.tables])
        self.tables = [t for t in (self._parameter_table(raw) for raw in page.tables) if t is not None]
        self.by_index = {t.table.index: t for t in self.tables}
        self.issues: list[Issue] = []

    def _parameter_table(self, raw: RawTable) -> ParameterTable | None:
        if raw.line is None or self.status.scope(raw.line, raw.title) is not None:
            return None
        columns = parameter_columns(raw.header)
        if columns is None:
            return None
        place = self.finder.place(raw.line, raw.title)
        field_name, rule = self._field_named(raw)
        side = side_of(place.where) if place else None
        facts = TableFacts(raw.index, self.numbers.get(raw.index), field_name, rule, side,
                           side is not None and field_name is not None
                           and field_name in self.example_objects.get(side, ()))
        rows = tuple(read_row(i, row, columns) for i, row in enumerate(raw.rows))
        return ParameterTable(raw, columns, rows, place, self.finder.in_example(raw.line), facts)

    @cached_property
    def example_objects(self) -> dict[str, frozenset[str]]:
        """The top-level object fields of the page's request and response examples, by side."""
        found: dict[str, set[str]] = {}
        for block in self.finder.literal_blocks():
            if "{" in block.text:
                side = self.finder.example_side(block.line)
                if side is not None:
                    found.setdefault(side, set()).update(top_level_objects(block.text))
        return {side: frozenset(names) for side, names in found.items()}

    def _field_named(self, raw: RawTable) -> tuple[str | None, str]:
        """The parent field the caption names, else the one a sentence right before the table names."""
        if raw.title:
            found = caption_field(raw.title)
            if found:
                return found, "caption"
        assert raw.line is not None
        for count, block in enumerate(self.finder.blocks_before(raw.line)):
            if count >= 2:
                break
            found = caption_field(block.text, strict=True)
            if found:
                return found, "text before the table"
        return None, ""

    def nesting(self) -> Nesting:
        readable = [t for t in self.tables if not t.example]
        rows = [RowFacts(t.table.index, r.row_index, r.name, object_type_name(r.type) if r.type else None,
                         self._citations(t, r), r.schema_type == "array")
                for t in readable for r in t.rows if r.skip is None]
        return resolve([t.facts for t in readable], rows, self.numbers.values())

    def _citations(self, table: ParameterTable, row: ParameterRow) -> tuple[int, ...]:
        """The numbers of the tables of this page the row cites (not those of other pages)."""
        cited = cited_numbers(x for x in (row.type, row.description) if x)
        if not cited:
            return ()
        rows = table.table.rows
        following = rows[row.row_index + 1].line if row.row_index + 1 < len(rows) else None
        external = external_citations(row_source(self.lines, row.line, following), self.labels)
        return tuple(n for n in cited if n not in external)


@dataclass
class _Tally:
    """The counts of one operation's section while the page is read."""

    tables: set[int] = field(default_factory=set)
    rows: int = 0
    read: int = 0
    records: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    #: Skipped rows whose fields another table already gave (nothing lost: the section can still be ok).
    repeated: int = 0


def parameters_of_page(page: Page, text: str, outline: Outline, ops: Sequence[Operation]) -> PageParameters:
    """The parameters of every operation of the page, its section reports and its issues (see the module doc)."""
    if not ops:
        return PageParameters()
    reader = _PageReader(page, text, outline, ops)
    nesting = reader.nesting()
    placements = _Placements(reader, nesting)
    issues = _table_issues(reader, nesting, placements)
    body_table = any(t.place is not None and t.place.where == "body" for t in reader.tables if not t.example)
    records: list[ParameterRecord] = []
    tallies: dict[tuple[int, SectionName], _Tally] = {}
    filled = _Filled()
    example_query: dict[int, frozenset[str]] = {}
    queries = example_queries(reader.finder.literal_blocks())  # read once: a page may print thousands
    for table in reader.tables:
        for op_index in reader.status.operations_of(table.table.line or 0):
            op = ops[op_index]
            if op_index not in example_query:
                example_query[op_index] = example_query_names(queries, op)
            index = table.table.index
            records.extend(_table_records(page, op, table, placements.of(index), nesting.parents.get(index, ()),
                                          _skip_reason(table, nesting), _Where(body_table, example_query[op_index]),
                                          tallies, filled))
    sections = tuple(_section_record(page, op, name, tallies.get((op.operation_index, name), _Tally()))
                     for op in ops for name in SECTIONS)
    records.sort(key=PARAMETERS.sort_key)  # the dataset's declared order (the sort is stable)
    tables = tuple((t.table.index, _placement_words(t, nesting, placements)) for t in reader.tables)
    return PageParameters(tuple(records), sections, tuple(issues + filled.issues(reader)), tables)


def _placement_words(table: ParameterTable, nesting: Nesting, placements: _Placements) -> str:
    """Where a parameter table's rows go, or why none is read, in words (``tables.json``'s ``placement``)."""
    reason = _skip_reason(table, nesting)
    if reason is not None:
        return reason
    parents = nesting.parents.get(table.table.index)
    if parents is not None:
        cited = ", ".join(f"table {i}" for i in sorted({p.table for p in parents}))
        if not placements.of(table.table.index):
            return f"nested under rows of {cited}, which are not read"
        return f"nested under rows of {cited}"
    assert table.place is not None  # a table with neither place nor parents has a skip reason
    if table.table.index in nesting.from_example:
        return (f"{table.place.where}: {table.place.rule}, under the field "
                f"{nesting.from_example[table.table.index]!r} the page's example shows (no row names it)")
    return f"{table.place.where}: {table.place.rule}"


def _skip_reason(table: ParameterTable, nesting: Nesting) -> str | None:
    """Why none of a table's rows is read, or ``None`` when they are."""
    number = f"table {table.table.index}"
    if table.example:
        return f"{number} lies in an example section: the example's parameters, not the operation's"
    if table.table.index in nesting.lost:
        return f"{number}: {nesting.lost[table.table.index]}"
    if table.place is None and table.table.index not in nesting.parents:
        return f"{number}: no caption, text or section says where its parameters go"
    return None


class _Placements:
    """The placements of each table: its own place at the top level, else one per parent row's placement."""

    def __init__(self, reader: _PageReader, nesting: Nesting) -> None:
        self.reader, self.nesting = reader, nesting
        self._done: dict[int, tuple[Placement, ...]] = {}
        self._open: set[int] = set()

    def of(self, index: int) -> tuple[Placement, ...]:
        if index in self._done:
            return self._done[index]
        if index in self._open or len(self._open) > MAX_DEPTH:
            return ()  # a cycle (a type that contains itself): this path ends here
        self._open.add(index)
        found = tuple(dict.fromkeys(self._compute(index)))
        self._open.discard(index)
        self._done[index] = found
        return found

    def _compute(self, index: int) -> Iterator[Placement]:
        table = self.reader.by_index[index]
        if index in self.nesting.lost or table.example:
            return
        parents = self.nesting.parents.get(index)
        if parents is None:
            if table.place is not None:
                field_name = self.nesting.from_example.get(index)  # a field no row names, the example's object
                yield Placement(table.place.where, table.place.status_code, field_name, field_name)
            return
        for parent in parents:
            row = self.reader.by_index[parent.table].rows[parent.row]
            for above in self.of(parent.table):
                path = f"{above.parent}.{row.name}" if above.parent else row.name
                yield Placement(above.where, above.status_code, path, above.root or row.name)


@dataclass(frozen=True, slots=True)
class _Where:
    """What decides a URI table row's place besides its operation: whether the page has a body table, and
    the names the query string of the operation's example request carries."""

    body_table: bool
    example_query: frozenset[str]


def _where(placement: Placement, name: str, op: Operation, facts: _Where) -> ParameterIn:
    """Where a row goes for one operation: a URI table's and a bodiless request's rows follow the URI template."""
    if placement.where == "uri":
        return uri_location(placement.root or name, op, facts.body_table, facts.example_query)[0]
    if placement.where == "body":
        return request_location(placement.root or name, op)[0]
    return placement.where


class _Filled:
    """The nested fields read so far on a page, per operation and parent: a field another table already
    gave the same parent, with the same type, required flag and description, is read once.

    Seen on rst/elastic-load-balancing/api-ref/source/apis_v2.0/backend_server/
    querying_all_backend_servers_extension_api.rst (the query row ``members_links`` is named by Table 2's
    caption and cites Table 5; both list ``href`` and ``rel``, word for word) until that citation, of a
    response table, was found a slip and not followed (``parameter_nesting``). A row that says something
    else is no repeat: both are kept, as printed (md/doc/source/mrs/api-reference/adding-a-job-and-executing-
    the-job.md gives ``job_name`` in its DistCp and its Spark SQL table, each with its own description).
    """

    def __init__(self) -> None:
        self._first: dict[tuple[int, ParameterIn, int | None, str, str], tuple[int, tuple[object, ...]]] = {}
        self._repeats: dict[tuple[int, int], tuple[int | None, str, int]] = {}

    def earlier(self, op: Operation, where: ParameterIn, placement: Placement, table: int,
                row: ParameterRow) -> int | None:
        """The table that gave this nested field first, when another one gave it the same; else ``None`` (the
        record is new)."""
        if placement.parent is None:
            return None  # a top-level field printed twice is the page's own repetition: kept as printed
        key = (op.operation_index, where, placement.status_code, placement.parent, row.name)
        said = (row.required, row.type, row.schema_type, row.description)
        first, first_said = self._first.setdefault(key, (table, said))
        if first == table or first_said != said:
            return None
        self._repeats.setdefault((table, row.row_index), (row.line, f"{row.name!r} under {placement.parent!r} "
                                                                    f"({where})", first))
        return first

    def issues(self, reader: _PageReader) -> list[Issue]:
        """One ``duplicate-parameter`` issue per repeated row."""
        return [DUPLICATE_PARAMETER.at(Location(reader.page.source_path, line, table, row),
                                       f"{what} repeats the field table {first} gives the same parent: read once")
                for (table, row), (line, what, first) in sorted(self._repeats.items())]


def _table_records(page: Page, op: Operation, table: ParameterTable, placements: tuple[Placement, ...],
                   parents: tuple[Parent, ...], skip: str | None, facts: _Where,
                   tallies: dict[tuple[int, SectionName], _Tally], filled: _Filled) -> Iterator[ParameterRecord]:
    """The records of one table for one operation; every row counted once in each section it goes to."""
    raw = table.table
    parents_not_read = ("its parent rows lie in tables not read (" + ", ".join(
        f"table {i}" for i in sorted({p.table for p in parents})) + ")") if parents else "no parent row is read"
    own = (Placement(table.place.where, table.place.status_code, None, None),) if table.place else ()
    for row in table.rows:
        reason = skip or row.skip
        targets = placements if reason is None else own or (Placement("body", None, None, None),)
        if reason is None and not targets:
            reason = f"table {raw.index}: {parents_not_read}"
            targets = own or (Placement("body", None, None, None),)
        by_section: dict[SectionName, list[tuple[Placement, ParameterIn]]] = {}
        for placement in targets:
            where = _where(placement, row.name, op, facts)
            by_section.setdefault(SECTION_OF[where], []).append((placement, where))
        for section, found in by_section.items():
            tally = tallies.setdefault((op.operation_index, section), _Tally())
            tally.rows += 1
            tally.tables.add(raw.index)
            if reason is not None:
                tally.skipped[reason] += 1
                continue
            earlier = [filled.earlier(op, where, placement, raw.index, row) for placement, where in found]
            if all(e is not None for e in earlier):
                tally.skipped[f"table {raw.index}: repeats the fields table {earlier[0]} gives the same parent"] += 1
                tally.repeated += 1
                continue
            tally.read += 1
            for (placement, where), first in zip(found, earlier, strict=True):
                if first is None:
                    tally.records += 1
                    yield ParameterRecord(
                        page.service, page.source_path, page.source_format, page.title, page.page_id, raw.index,
                        raw.title, row.row_index, row.line, None, None, None, op.method, op.path, where,
                        placement.status_code, row.name, placement.parent, row.required, row.type, row.schema_type,
                        row.description)


def _section_record(page: Page, op: Operation, name: SectionName, tally: _Tally) -> OperationSectionRecord:
    """The report of one section of one operation: status, counts, reasons."""
    reasons = [f"{count} row{'s' if count > 1 else ''} skipped: {reason}" for reason, count in
               sorted(tally.skipped.items())]
    status: SectionStatus
    if not tally.tables:
        status = "missing"
        reasons.append(f"the page has no {name} parameter table")
    elif tally.read + tally.repeated == tally.rows and tally.read:
        status = "ok"  # every row read, or repeating fields read from another table
    elif tally.read == 0:
        status = "failed"
        if not tally.rows:
            reasons.append("its tables have no data rows")
    else:
        status = "partial"
    if name == "path":
        reasons.extend(_undocumented_placeholders(op, tally))
    skipped = sum(tally.skipped.values())
    return OperationSectionRecord(page.service, page.source_path, page.source_format, page.title, page.page_id,
                                  None, None, None,
                                  op.operation_index, op.method, op.path, name, status, len(tally.tables),
                                  tally.rows, tally.read, skipped, tally.records, tuple(reasons))


def _undocumented_placeholders(op: Operation, tally: _Tally) -> list[str]:
    placeholders = template_names(op)[0]
    if placeholders and not tally.tables:
        return [f"the path has placeholders {', '.join('{' + p + '}' for p in sorted(placeholders))}"]
    return []


def _table_issues(reader: _PageReader, nesting: Nesting, placements: _Placements) -> list[Issue]:
    """The page's issues: example, unplaced and lost tables, rows naming no parameter, unresolved references.

    A nested table whose parent rows all lie in tables not read (an example's) is unplaced too.
    """
    path = reader.page.source_path
    issues: list[Issue] = []
    for table in reader.tables:
        raw = table.table
        where = Location(path, raw.line, raw.index)
        reason = _skip_reason(table, nesting)
        if table.example:
            issues.append(EXAMPLE_PARAMETERS.at(where, f"{reason}; {len(raw.rows)} rows not read"))
        elif raw.index in nesting.lost:
            issues.append(PARAMETER_PARENT_NOT_FOUND.at(where, f"{reason}; {len(raw.rows)} rows not read"))
        elif reason is not None:
            issues.append(PARAMETER_TABLE_UNPLACED.at(where, f"{reason}; {len(raw.rows)} rows not read"))
        elif raw.index in nesting.parents and not placements.of(raw.index):
            issues.append(PARAMETER_TABLE_UNPLACED.at(where, f"table {raw.index}: "
                                                             f"{_placement_words(table, nesting, placements)}; "
                                                             f"{len(raw.rows)} rows not read"))
        else:
            if raw.index in nesting.from_example:
                issues.append(PARAMETER_PARENT_FROM_EXAMPLE.at(where, (
                    f"its {table.facts.field_rule} names the field "
                    f"{nesting.from_example[raw.index]!r}, which no row names; its rows are placed under it, "
                    "as the page's example shows it")))
            issues.extend(NOT_A_PARAMETER.at(Location(path, row.line, raw.index, row.row_index), row.skip)
                          for row in table.rows if row.skip)
    for row, number in nesting.unresolved:
        raw = reader.by_index[row.table].table
        line = raw.rows[row.row].line
        issues.append(UNRESOLVED_TABLE_REFERENCE.at(
            Location(path, line, row.table, row.row),
            f"parameter {row.name!r} cites Table {number}, which the page does not have: its fields are not read"))
    for slip in nesting.misdirected:
        row = slip.row
        where = Location(path, reader.by_index[row.table].table.rows[row.row].line, row.table, row.row)
        if slip.other_side:
            issues.append(CROSS_SECTION_TABLE_REFERENCE.at(where, (
                f"parameter {row.name!r} of the {slip.row_side} cites Table {slip.number}, a table of the "
                f"{slip.table_side} whose caption names {slip.field!r}, a field of the {slip.table_side}: placed by "
                "its caption, the citation not followed")))
        else:
            issues.append(MISMATCHED_TABLE_REFERENCE.at(where, (
                f"parameter {row.name!r} cites Table {slip.number}, whose caption names another row's field "
                f"{slip.field!r}, while a table of its own is captioned for it: placed by the captions, the "
                "citation not followed")))
    return issues

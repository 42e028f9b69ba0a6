"""The record types every stage speaks: frozen, slotted dataclasses.

Pages become ``RawTable`` objects (parsers), tables become ``StatusCodeRecord`` /
``ErrorCodeRecord`` objects plus ``Issue`` and ``TableReport`` objects (normalizer),
and only the exporters turn them into dicts. The record types of the datasets are
declared with their datasets in ``pipeline.datasets`` and re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from pipeline.datasets import RESOURCES, Record, Resource, resource_of

# re-exported: the record types of the datasets, declared with them
from pipeline.datasets import Category as Category
from pipeline.datasets import ErrorCodeRecord as ErrorCodeRecord
from pipeline.datasets import SourceFormat as SourceFormat
from pipeline.datasets import StatusCodeRecord as StatusCodeRecord

#: What a table holds, as the classifiers read it: status codes, error codes, an operation's parameters, other.
TableKind = Literal["status_codes", "error_codes", "parameters", "other"]
#: skip: a row or table not extracted, with the reason; notice: a fact about the docs worth knowing
#: (a duplicated code); warning: odd input that was handled; error: content that could not be read.
Severity = Literal["skip", "notice", "warning", "error"]
#: The severities that are problems: what ``--strict`` fails on and stderr lists.
PROBLEM_SEVERITIES: frozenset[str] = frozenset({"warning", "error"})
HeaderOrigin = Literal["thead", "th", "first_row", "rst_header", "none"]


@dataclass(frozen=True, slots=True)
class Location:
    """Where something came from: page path (relative to the input root), line, table, row."""

    path: str
    line: int | None = None
    table_index: int | None = None
    row_index: int | None = None

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}" if self.line is not None else self.path
        parts = []
        if self.table_index is not None:
            parts.append(f"table {self.table_index}")
        if self.row_index is not None:
            parts.append(f"row {self.row_index}")
        return f"{text}: {' '.join(parts)}" if parts else text


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a table grid after span expansion.

    ``spanned`` is true where the value was copied from a cell above (HTML ``rowspan``)
    or from the left (``colspan``) rather than written in this row.
    """

    text: str
    spanned: bool = False
    colspan_copy: bool = False


@dataclass(frozen=True, slots=True)
class RawRow:
    """A data row of a table, its cells already expanded to the table's width."""

    line: int | None
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class RawTable:
    """A table as the parser saw it: header texts, data rows, where it starts."""

    index: int
    line: int | None
    title: str | None
    header: tuple[str, ...]
    rows: tuple[RawRow, ...]
    header_origin: HeaderOrigin = "thead"


@dataclass(frozen=True, slots=True)
class Page:
    """One parsed documentation page with its tables."""

    service: str
    source_path: str
    source_format: SourceFormat
    title: str | None
    page_id: str | None
    tables: tuple[RawTable, ...]
    problems: tuple[Issue, ...] = ()
    #: RST: the 0-based ``(first, end)`` line range of every table block the parser cut out (what the
    #: outline does not read as text, so it need not find the tables again); empty for HTML.
    table_lines: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem or an explained skip, reported as data (``output/issues.json``)."""

    slug: str
    location: Location
    message: str
    severity: Severity = "warning"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(frozen=True, slots=True)
class TableReport:
    """How one table was classified, where its records went and what became of each of its rows.

    ``kind`` and ``rule``: what the table holds and the rule that said so; ``page_role``: the role of its
    page; ``section``: the title of the section it lies in; ``dataset``: the dataset its rows went to
    (null when none) and ``placement``: the rule that sent them there, or why they were not extracted.
    """

    source_path: str
    table_index: int
    line: int | None
    title: str | None
    header: tuple[str, ...]
    kind: TableKind
    rule: str
    roles: tuple[str, ...]
    rows: int
    records: int
    rows_emitted: int
    rows_merged: int
    rows_skipped: int
    page_role: str = "other"
    section: str | None = None
    dataset: str | None = None
    placement: str = ""


#: Records by dataset name (``Resource.name``), each dataset's in its declared order.
RecordsByDataset = Mapping[str, tuple[Record, ...]]


@dataclass(frozen=True, slots=True)
class PageResult:
    """Everything the normalizer made of one page: its records of each dataset, tables and issues.

    ``records`` is keyed by the dataset's name (``pipeline.datasets.RESOURCES``); it is made to
    hold every declared dataset, in declared order (a dataset given no records has none), so
    two results with the same records are equal however they were made. ``records_of`` reads it.
    """

    source_path: str
    sha256: str
    records: RecordsByDataset = field(default_factory=dict)
    tables: tuple[TableReport, ...] = ()
    issues: tuple[Issue, ...] = ()

    def __post_init__(self) -> None:
        unknown = set(self.records) - {r.name for r in RESOURCES}
        if unknown:
            raise ValueError(f"records of undeclared datasets: {', '.join(sorted(unknown))}")
        object.__setattr__(self, "records", {r.name: tuple(self.records.get(r.name, ())) for r in RESOURCES})

    def records_of(self, resource: Resource) -> tuple[Record, ...]:
        return self.records.get(resource.name, ())

    @classmethod
    def of(cls, source_path: str, sha256: str, records: Iterable[Record] = (),
           tables: tuple[TableReport, ...] = (), issues: tuple[Issue, ...] = ()) -> PageResult:
        """The result holding ``records`` of any datasets, each dataset's kept in the order given."""
        by_name: dict[str, list[Record]] = {}
        for record in records:
            by_name.setdefault(resource_of(record).name, []).append(record)
        return cls(source_path, sha256, {name: tuple(found) for name, found in by_name.items()}, tables, issues)


def page_order(source_path: str) -> tuple[str, str]:
    """The order of pages in every output file: by service, then by path.

    (``elb-swiss/x`` sorts after ``elb/y``: its service, not its path, decides.)
    """
    return source_path.split("/", 1)[0], source_path


@dataclass(frozen=True, slots=True)
class Census:
    """What discovery met besides the pages it hands on: the files skipped, by reason and kind.

    ``files`` counts every file (not folder) in the folders walked: the ``pages`` to read,
    the skipped ones, and those reported as problems (a symbolic link, a FIFO).
    """

    files: int = 0
    pages: int = 0
    #: Files that are not documentation, by kind (``png``, ``py``, ``no extension``): (kind, count), most first.
    not_documentation: tuple[tuple[str, int], ...] = ()
    #: Dot files (``.gitignore``, ``.zuul.yaml``).
    hidden: int = 0
    #: Files left out by ``--include`` / ``--exclude``.
    excluded: int = 0
    #: Documentation files lying in a root itself, outside any service folder (``doc/source/index.rst``).
    outside_service_folder: int = 0
    #: Folders not entered, by reason (``hidden``, ``build output``, ``excluded``): (reason, count).
    folders: tuple[tuple[str, int], ...] = ()
    #: The declared git sources read, each as (name, repository, commit); none for folders.
    sources: tuple[tuple[str, str, str], ...] = ()

    @property
    def skipped(self) -> int:
        """Files skipped on purpose: neither read nor reported."""
        return (sum(n for _, n in self.not_documentation) + self.hidden + self.excluded
                + self.outside_service_folder)


@dataclass(frozen=True, slots=True)
class Dataset:
    """The whole build: the result of every page in output order (see ``page_order``).

    A result with an empty ``source_path`` holds the problems of no single page (discovery:
    a symbolic link, an unreadable folder); it comes last. Within a page,
    records are already in output order (table, row, then status code).
    """

    pages: tuple[PageResult, ...] = field(default_factory=tuple)
    #: What discovery skipped (``None`` for a dataset not built from folders).
    census: Census | None = None

    def records_of(self, resource: Resource) -> list[Record]:
        """Every record of one dataset, in output order."""
        return [r for p in self.pages for r in p.records_of(resource)]

    @property
    def tables(self) -> list[TableReport]:
        return [t for p in self.pages for t in p.tables]

    @property
    def issues(self) -> list[Issue]:
        return [i for p in self.pages for i in p.issues]

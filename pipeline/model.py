"""The record types every stage speaks: frozen, slotted dataclasses.

Pages become ``RawTable`` objects (parsers), tables become ``StatusCodeRecord`` /
``ErrorCodeRecord`` objects plus ``Issue`` and ``TableReport`` objects (normalizer),
and only the exporters turn them into dicts. The record types of the datasets are
declared with their datasets in ``pipeline.datasets`` and re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# re-exported: the record types of the datasets, declared with them
from pipeline.datasets import Category as Category
from pipeline.datasets import ErrorCodeRecord as ErrorCodeRecord
from pipeline.datasets import SourceFormat as SourceFormat
from pipeline.datasets import StatusCodeRecord as StatusCodeRecord

TableKind = Literal["status_codes", "error_codes", "other"]
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
    """How one table was classified and what became of each of its rows."""

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


@dataclass(frozen=True, slots=True)
class PageResult:
    """Everything the normalizer made of one page."""

    source_path: str
    sha256: str
    status_codes: tuple[StatusCodeRecord, ...] = ()
    error_codes: tuple[ErrorCodeRecord, ...] = ()
    tables: tuple[TableReport, ...] = ()
    issues: tuple[Issue, ...] = ()


@dataclass(frozen=True, slots=True)
class RenderedRecords:
    """One page's records of one dataset, already in the form of each export file.

    ``json_objects`` is the objects of the JSON array joined by its separator (no brackets),
    ``csv_lines`` the CSV data lines, both UTF-8; ``arrow`` the records as an Arrow record batch
    message (the Parquet export's columns, and the records themselves for readers in memory).
    """

    count: int
    json_objects: bytes
    csv_lines: bytes
    arrow: bytes
    #: The records as a ``pyarrow.Table`` where they are already decoded: the checked batch of a
    #: cache entry, or rows of a previous dataset's Parquet file (main process only; never cached).
    table: Any = None


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """A page's result as the dataset writer consumes it: its share of every output file.

    Rendered where the page is parsed (a worker, in parallel) and kept as such in the cache,
    so a rebuild concatenates bytes instead of re-encoding records. ``tables_json`` and
    ``issues_json`` are the page's items of ``tables.json`` / ``issues.json``, laid out and
    joined as they appear in those arrays (empty when the page has none).
    """

    source_path: str
    sha256: str
    tables: tuple[TableReport, ...]
    issues: tuple[Issue, ...]
    status_codes: RenderedRecords
    error_codes: RenderedRecords
    tables_json: bytes
    issues_json: bytes


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

    @property
    def status_codes(self) -> list[StatusCodeRecord]:
        return [r for p in self.pages for r in p.status_codes]

    @property
    def error_codes(self) -> list[ErrorCodeRecord]:
        return [r for p in self.pages for r in p.error_codes]

    @property
    def tables(self) -> list[TableReport]:
        return [t for p in self.pages for t in p.tables]

    @property
    def issues(self) -> list[Issue]:
        return [i for p in self.pages for i in p.issues]

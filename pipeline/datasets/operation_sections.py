"""The ``operation_sections`` dataset: for each operation, how well each parameter section was read (issue 15)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pipeline.datasets.declaration import Resource, column
from pipeline.datasets.located import ON_PAGE, OnPage
from pipeline.datasets.operations import OF_OPERATION

#: The sections of an operation's parameters; ``response`` holds its headers and body.
SectionName = Literal["path", "query", "header", "body", "response"]
#: ok: every parameter row read (or skipped as a repeat of fields another table gave); partial: some rows
#: skipped; failed: rows, none read; missing: no such section.
SectionStatus = Literal["ok", "partial", "failed", "missing"]


@dataclass(frozen=True, slots=True)
class OperationSectionRecord(OnPage):
    """One parameter section of one operation: its status, its counts (which reconcile), the reasons."""

    source_url: str | None = field(metadata=column(
        "A link to the page at that commit (the source's url_template, without a line); null for a folder."))
    operation_index: int = field(metadata=column("0-based index of the operation on its page."))
    method: str = field(metadata=column("The operation's HTTP method, upper case."))
    path: str = field(metadata=column("The operation's URI template."))
    section: SectionName = field(metadata=column("The parameter section: path, query, header, body or response."))
    status: SectionStatus = field(metadata=column(
        "ok (every row read, or skipped only as a repeat of fields another table gave), partial (some rows "
        "skipped), failed (no row read) or missing (the page has no such section).",
        compared=True))
    tables: int = field(metadata=column("Parameter tables read for the section.", compared=True))
    rows: int = field(metadata=column("Parameter rows seen: rows_read + rows_skipped.", compared=True))
    rows_read: int = field(metadata=column("Rows that gave at least one parameter.", compared=True))
    rows_skipped: int = field(metadata=column("Rows skipped, each with a reason.", compared=True))
    parameters: int = field(metadata=column(
        "Parameter records emitted (a row under two parents gives two).", compared=True))
    reasons: tuple[str, ...] = field(metadata=column("Why the status is what it is, one sentence each.",
                                                     compared=True))


OPERATION_SECTIONS = Resource(
    "operation_sections", OperationSectionRecord, "Per operation and parameter section: ok, partial, failed, missing",
    key=("service", "source_path", "method", "path", "section"),
    primary_key=("source_path", "operation_index", "section"),
    order=("service", "source_path", "operation_index"),  # then the sections in report order: path ... response
    headline=("method", "path", "section", "status"),
    relations=(ON_PAGE, OF_OPERATION),
)

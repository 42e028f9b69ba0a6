"""The ``operation_status_codes`` dataset: the HTTP status codes each operation documents."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.datasets.declaration import Resource, column
from pipeline.datasets.located import ON_PAGE, OnPage
from pipeline.datasets.operations import OF_OPERATION
from pipeline.datasets.status_codes import Category
from pipeline.datasets.types import HttpStatus


@dataclass(frozen=True, slots=True)
class OperationStatusCodeRecord(OnPage):
    """One status code of one operation, from its Status Codes section: a table row or a bare line."""

    source_url: str | None = field(metadata=column(
        "A link to the page at that commit, at the row or line (the source's url_template); null for a page read "
        "from a folder."))
    operation_index: int = field(metadata=column("0-based index of the operation on its page."))
    method: str = field(metadata=column("The operation's HTTP method, upper case."))
    path: str = field(metadata=column("The operation's URI template, as in the operations dataset."))
    table_index: int | None = field(metadata=column(
        "0-based index of the table among all tables of the page; null for a bare status line."))
    table_title: str | None = field(metadata=column("The table's title without its 'Table N' prefix."))
    row_index: int | None = field(metadata=column(
        "0-based index of the data row within its table; null for a bare status line."))
    line: int | None = field(metadata=column("The line of the source page where the row or line starts."))
    status_code: HttpStatus = field(metadata=column("The HTTP status code."))
    documented_reason: str | None = field(metadata=column(
        "The reason phrase as the page words it, whitespace collapsed.", compared=True))
    reason: str = field(metadata=column(
        "The canonical IANA phrase; for unregistered codes the documented one.", compared=True))
    description: str | None = field(metadata=column(
        "The description text, markup removed, whitespace collapsed.", compared=True))
    category: Category = field(metadata=column("The class of the code, from its first digit.", compared=True))


OPERATION_STATUS_CODES = Resource(
    "operation_status_codes", OperationStatusCodeRecord, "HTTP status codes documented per API operation",
    # a status code of an operation: the same code of another operation is another fact
    key=("service", "method", "path", "status_code"),
    primary_key=(),  # a bare status line has no table and row; the docs repeat a code in two tables
    order=("service", "source_path", "operation_index", "table_index", "row_index", "line", "status_code"),
    headline=("method", "path", "status_code", "documented_reason", "reason"),
    relations=(ON_PAGE, OF_OPERATION),
)

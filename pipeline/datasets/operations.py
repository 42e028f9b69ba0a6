"""The ``operations`` dataset: one record per HTTP operation an operation page prints."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.datasets.declaration import Relation, Resource, column
from pipeline.datasets.located import ON_PAGE, OnPage


@dataclass(frozen=True, slots=True)
class OperationRecord(OnPage):
    """One HTTP operation: its method and URI template as the page's URI section prints them."""

    source_url: str | None = field(metadata=column(
        "A link to the page at that commit, at the request line (the source's url_template); null for a page read "
        "from a folder."))
    operation_index: int = field(metadata=column("0-based index of the operation on its page."))
    line: int = field(metadata=column("The line of the source page that prints the request line."))
    method: str = field(metadata=column("The HTTP method, upper case."))
    path: str = field(metadata=column(
        "The URI template as printed, markup and escapes removed ({project_id}), the query string cut off."))
    query: str | None = field(metadata=column(
        "The query string printed after the path, without its '?'; null when there is none.", compared=True))
    summary: str | None = field(metadata=column(
        "What the operation does: the Function section's first paragraph; null when the page says nothing.",
        compared=True))
    deprecated: bool = field(metadata=column(
        "Whether the title or the text says the operation is deprecated or discarded.", compared=True))


OPERATIONS = Resource(
    "operations", OperationRecord, "HTTP operations documented by each service",
    # an operation is its method and path in its service: moving it to another page is no change
    key=("service", "method", "path"),
    primary_key=("source_path", "operation_index"),
    order=("service", "source_path", "operation_index"),
    headline=("method", "path"),
    relations=(ON_PAGE,),
)


#: A record's operation is a record of ``operations`` (a foreign key, like ``ON_PAGE``).
OF_OPERATION = Relation(("source_path", "operation_index"), "operations", ("source_path", "operation_index"))

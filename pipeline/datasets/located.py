"""The location fields every record starts with: where in the docs it was found, and from which commit.

The last three, the provenance, are set on records built from a declared git source
(``pipeline.upstream``) and null for pages read from a folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pipeline.datasets.declaration import Relation, column

SourceFormat = Literal["html", "rst"]

#: The page-location columns, described once for every dataset that has them.
SERVICE = column("The service: the folder name under the input root.")
SOURCE_PATH = column("The page's path relative to the input root, POSIX separators.")
SOURCE_FORMAT = column("The page's sniffed format.")
PAGE_TITLE = column("The page's title.")
PAGE_ID = column("The page's anchor, or the stem of the RST :original_name:.")
SOURCE_REPO = column("The git repository of the page's declared source; null for a page read from a folder.")
SOURCE_COMMIT = column("The commit the page was read at (full id); null for a page read from a folder.")


@dataclass(frozen=True, slots=True)
class OnPage:
    """The page a record describes or comes from, and its commit: the first fields of the records of a page or
    an operation (``pages``, ``operations``, ``operation_status_codes``, ``operation_sections``)."""

    service: str = field(metadata=SERVICE)
    source_path: str = field(metadata=SOURCE_PATH)
    source_format: SourceFormat = field(metadata=SOURCE_FORMAT)
    page_title: str | None = field(metadata=PAGE_TITLE)
    page_id: str | None = field(metadata=PAGE_ID)
    source_repo: str | None = field(metadata=SOURCE_REPO)
    source_commit: str | None = field(metadata=SOURCE_COMMIT)


@dataclass(frozen=True, slots=True)
class Located:
    """The page, table and row a record comes from (the base of every record type)."""

    service: str = field(metadata=SERVICE)
    source_path: str = field(metadata=SOURCE_PATH)
    source_format: SourceFormat = field(metadata=SOURCE_FORMAT)
    page_title: str | None = field(metadata=PAGE_TITLE)
    page_id: str | None = field(metadata=PAGE_ID)
    table_index: int = field(metadata=column("0-based index of the table among all tables of the page."))
    table_title: str | None = field(metadata=column("The table's title without its 'Table N' prefix."))
    row_index: int = field(metadata=column("0-based index of the data row within its table."))
    line: int | None = field(metadata=column("The line of the source page where the row starts."))
    source_repo: str | None = field(metadata=SOURCE_REPO)
    source_commit: str | None = field(metadata=SOURCE_COMMIT)
    source_url: str | None = field(metadata=column(
        "A link to the page at that commit, at the record's line (the source's url_template); null for a folder."))


#: A record's page is a record of ``pages`` (a foreign key in ``datapackage.json`` and ``pipeline.db``).
ON_PAGE = Relation(("source_path",), "pages", ("source_path",))

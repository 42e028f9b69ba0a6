"""The nine location fields every record starts with: where in the docs it was found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pipeline.datasets.declaration import column

SourceFormat = Literal["html", "rst"]


@dataclass(frozen=True, slots=True)
class Located:
    """The page, table and row a record comes from (the base of every record type)."""

    service: str = field(metadata=column("The service: the folder name under the input root."))
    source_path: str = field(metadata=column("The page's path relative to the input root, POSIX separators."))
    source_format: SourceFormat = field(metadata=column("The page's sniffed format."))
    page_title: str | None = field(metadata=column("The page's title."))
    page_id: str | None = field(metadata=column("The page's anchor, or the stem of the RST :original_name:."))
    table_index: int = field(metadata=column("0-based index of the table among all tables of the page."))
    table_title: str | None = field(metadata=column("The table's title without its 'Table N' prefix."))
    row_index: int = field(metadata=column("0-based index of the data row within its table."))
    line: int | None = field(metadata=column("The line of the source page where the row starts."))

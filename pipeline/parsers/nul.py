"""NUL characters in a page's text: the rows holding one are not read, the rest of the page is.

A NUL byte is no text a writer meant, and the HTML parser would turn it into U+FFFD without
a word. So before parsing, every NUL is replaced by a private-use character the page does not
hold (the *marker*); after parsing, each row holding the marker has its cells emptied (the
normalizer then skips it as an empty row, so row numbers stay those of the page) and is
reported with its location, and the marker is removed from titles and headers, reported too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from pipeline.errors import UnsupportedInput
from pipeline.model import Cell, Issue, Location, Page, RawRow, RawTable
from pipeline.problems import NUL_CHARACTER
from pipeline.sources import PageText

NUL = "\x00"
#: Candidates for the marker: Unicode's private use area (no page of ours uses it).
_MARKERS = range(0xE000, 0xF900)
_ROW = "NUL byte (\\x00) in this row: its cells are not read"
_TEXT = "NUL byte (\\x00) removed from the {what}"


def parse_with_nul(page: PageText, parse: Callable[[PageText], Page]) -> Page:
    """``parse(page)`` for a page whose text holds NUL characters; see the module docstring."""
    path = page.source.source_path
    present = set(page.text)
    marker = next((chr(c) for c in _MARKERS if chr(c) not in present), None)
    if marker is None:  # a page holding all 6,400 private-use characters: read nothing rather than guess
        line = page.text.count("\n", 0, page.text.index(NUL)) + 1
        raise UnsupportedInput("NUL byte in the text, and no private-use character left to mark it", path, line)
    parsed = parse(replace(page, text=page.text.replace(NUL, marker)))
    problems: list[Issue] = []
    tables = tuple(_table_without(table, marker, path, problems) for table in parsed.tables)
    title = parsed.title
    if title is not None and marker in title:
        problems.append(NUL_CHARACTER.at(Location(path), _TEXT.format(what="page title")))
        title = title.replace(marker, "") or None
    return replace(parsed, title=title, tables=tables, problems=parsed.problems + tuple(problems))


def _table_without(table: RawTable, marker: str, path: str, problems: list[Issue]) -> RawTable:
    """The table with the marker out of its title and header, and the rows holding it emptied."""
    title, header = table.title, table.header
    if (title is not None and marker in title) or any(marker in text for text in header):
        problems.append(NUL_CHARACTER.at(Location(path, table.line, table.index),
                              _TEXT.format(what="table title or header")))
        title = (title.replace(marker, "") or None) if title is not None else None
        header = tuple(text.replace(marker, "") for text in header)
    rows = list(table.rows)
    for row_index, row in enumerate(rows):
        if any(marker in cell.text for cell in row.cells):
            problems.append(NUL_CHARACTER.at(Location(path, row.line, table.index, row_index), _ROW))
            rows[row_index] = RawRow(row.line, tuple(Cell("") for _ in row.cells))
    return replace(table, title=title, header=header, rows=tuple(rows))

"""Tables as rectangles: cell spans expanded and header rows merged, the same for HTML and RST.

Both parsers give each row as ``(text, rowspan, colspan)`` cells (HTML from its attributes,
RST from docutils' ``morerows``/``morecols``); ``expand_spans`` turns them into a grid of
``Cell`` in which copies are marked, before any column gets a meaning.
"""

from __future__ import annotations

from pipeline.errors import ParseError
from pipeline.model import Cell
from pipeline.problems import TABLE_TOO_LARGE

#: Span expansion may give a table at most this many cells, or 4 per cell written if that is more:
#: a 400 KB page of ``colspan="100" rowspan="100"`` cells would otherwise expand to 50 million.
MAX_GRID_CELLS = 250_000


class SpanLimitError(ParseError):
    """A table whose spans would expand it beyond ``MAX_GRID_CELLS``; reported as ``table-too-large``."""

    default_kind = TABLE_TOO_LARGE


def expand_spans(rows: list[list[tuple[str, int, int]]]) -> list[list[Cell]]:
    """Expand ``(text, rowspan, colspan)`` cells into a grid of ``Cell``.

    A cell with ``rowspan="9"`` (html/rts/return-code.md) is copied into the 8 rows below,
    marked ``spanned=True``; a ``colspan`` copy is marked ``colspan_copy=True``. Raises
    ``SpanLimitError`` rather than build a grid larger than ``MAX_GRID_CELLS``.
    """
    grid: list[list[Cell]] = []
    pending: dict[int, tuple[int, str]] = {}  # column -> (rows still covered, text)
    budget = max(MAX_GRID_CELLS, 4 * sum(len(row) for row in rows))
    total = 0
    for index, row in enumerate(rows):
        out: list[Cell] = []
        remaining_rows = len(rows) - index
        for text, rowspan, colspan in row:
            _fill_spanned(out, pending)
            if total + len(out) + colspan > budget:
                raise SpanLimitError(f"rowspan/colspan would expand the table beyond {budget} cells; not read")
            rowspan = min(rowspan, remaining_rows)
            for k in range(colspan):
                if rowspan > 1:
                    pending[len(out)] = (rowspan - 1, text)
                out.append(Cell(text, colspan_copy=k > 0))
        _fill_spanned(out, pending)
        # Spans that reach past the last written cell of a short row.
        for column in sorted(c for c in pending if c >= len(out)):
            while len(out) < column:
                out.append(Cell(""))
            _fill_spanned(out, pending)
        total += len(out)
        if total > budget:
            raise SpanLimitError(f"rowspan/colspan would expand the table beyond {budget} cells; not read")
        grid.append(out)
    return grid


def _fill_spanned(out: list[Cell], pending: dict[int, tuple[int, str]]) -> None:
    """Append the copies of cells spanning down into the next free columns of ``out``."""
    while len(out) in pending:
        column = len(out)
        left, text = pending[column]
        out.append(Cell(text, spanned=True))
        if left <= 1:
            del pending[column]
        else:
            pending[column] = (left - 1, text)


def merge_header_rows(grid: list[list[Cell]]) -> tuple[str, ...]:
    """One header text per column; several header rows are joined top to bottom, repeats once."""
    width = max((len(r) for r in grid), default=0)
    header: list[str] = []
    for column in range(width):
        texts: list[str] = []
        for row in grid:
            if column < len(row) and row[column].text and row[column].text not in texts:
                texts.append(row[column].text)
        header.append(" ".join(texts))
    return tuple(header)

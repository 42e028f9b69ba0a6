"""reStructuredText pages: table blocks are cut out of the text and given to docutils' table parser.

Building a whole docutils document tree costs ~20x more than the tables need and would
execute directives (``include``, ``raw``, ``csv-table :file:``) of an untrusted page. So
this module finds the grid and simple tables itself, hands each block to
``docutils.parsers.rst.tableparser`` (the same code docutils uses) and turns cell
markup into text with ``rst_inline_text``. Nothing on the page is ever executed or
included. ``tests/rst_reference.py`` holds the full-docutils reader the tests
compare this one against on the whole corpus.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise

from docutils.parsers.rst.tableparser import GridTableParser, SimpleTableParser, TableMarkupError, TableParser
from docutils.statemachine import StringList
from docutils.utils import strip_combining_chars

from pipeline.model import HeaderOrigin, Issue, Location, Page, RawRow, RawTable
from pipeline.parsers.common import strip_table_label
from pipeline.parsers.grid import SpanLimitError, expand_spans, merge_header_rows
from pipeline.problems import DIRECTIVE_NOT_EXECUTED, EMPTY_TABLE, MALFORMED_TABLE, UNTERMINATED_TABLE
from pipeline.rules import Rules
from pipeline.sources import PageText
from pipeline.text import collapse_whitespace

_GRID_BORDER = re.compile(r"^\+(?:[-=]++\+)++$")
#: docutils' ``grid_table_top_pat``: the top border of a grid table has no ``=``.
_GRID_TOP = re.compile(r"^\+-(?=[-+]{3})[-+]*+(?<=-\+) *+$")
_SIMPLE_BORDER = re.compile(r"^=++(?: ++=++)++ *+$")
_DIRECTIVE = re.compile(r"^(\s*)\.\.\s+([A-Za-z0-9_:+-]+)::\s*(.*)$")
_ORIGINAL_NAME = re.compile(r"^:original_name:\s*(\S+)", re.MULTILINE)
_LABEL = re.compile(r"^\.\.[^\S\n]+_([^:\n]+):[^\S\n]*$", re.MULTILINE)
_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+<>:._])\1{2,}\s*$")
_TABLE_LABEL_LINE = re.compile(r"^\s*\*\*\s*Table\s+\d+", re.IGNORECASE)
#: Directives whose indented body is not document text (code, raw output, data to include).
_OPAQUE_DIRECTIVES = frozenset({
    "code", "code-block", "sourcecode", "literalinclude", "raw", "include", "csv-table", "list-table", "math",
    "parsed-literal", "highlight", "image", "figure", "only", "ifconfig", "graphviz", "uml",
})
#: Directives that would insert outside content (a file, a URL, raw markup) or hold a table in a
#: form we do not read: never executed; each one is reported, so nothing goes missing silently.
_UNREAD_DIRECTIVES = frozenset({"include", "literalinclude", "raw", "csv-table", "list-table"})


@dataclass(frozen=True, slots=True)
class TableBlock:
    """A grid or simple table cut out of a page: its dedented lines, where it starts, its title."""

    kind: str  # "grid" | "simple"
    start: int  # 0-based line index of the top border
    lines: list[str]  # dedented
    title: str | None


def parse_rst(page: PageText) -> Page:
    """Parse an RST page into a ``Page`` with all its grid and simple tables in document order."""
    path = page.source.source_path
    lines = page.text.splitlines()
    tables: list[RawTable] = []
    blocks, problems = find_table_blocks(lines, path)
    for index, block in enumerate(blocks):
        try:
            tables.append(_read_block(block, index, path, problems))
        except TableMarkupError as exc:
            offset = getattr(exc, "offset", 0) or 0
            problems.append(MALFORMED_TABLE.at(Location(path, block.start + 1 + offset, index),
                                               f"malformed RST table, its rows cannot be read: {exc}"))
        except SpanLimitError as exc:
            problems.append(exc.kind.at(Location(path, block.start + 1, index), exc.message))
    for table in tables:
        if not table.rows:
            problems.append(EMPTY_TABLE.at(Location(path, table.line, table.index), "table has no data rows"))
    return Page(page.source.service, path, "rst", page_title(lines), page_id(page.text), tuple(tables),
                tuple(problems), tuple((block.start, block.start + len(block.lines)) for block in blocks))


def page_id(text: str) -> str | None:
    """``:original_name: vpn_api_0052.html`` gives ``vpn_api_0052``; else the first ``.. _label:``."""
    original = _ORIGINAL_NAME.search(text)
    if original:
        name = original.group(1).rsplit("/", 1)[-1]
        return name.rsplit(".", 1)[0] if "." in name else name
    label = _LABEL.search(text)
    return label.group(1) if label else None


def page_title(lines: list[str]) -> str | None:
    """The first section title (a line underlined, and maybe overlined, by punctuation)."""
    for i in range(len(lines) - 1):
        text, under = lines[i].rstrip(), lines[i + 1].rstrip()
        if (text and not text[0].isspace() and _UNDERLINE.match(under) and len(under) >= len(text.strip())
                and not _UNDERLINE.match(text) and not text.startswith("..")):
            return rst_inline_text(text.strip()) or None
    return None


def find_table_blocks(lines: list[str], path: str) -> tuple[list[TableBlock], list[Issue]]:
    """Cut grid and simple table blocks out of the page, in document order, with what was not read.

    Each line is given to ``LINE_RULES`` in order; the first that decides says which line to
    look at next. Bodies of code/raw/include-like directives and literal blocks (after ``::``)
    are skipped, so a table-looking drawing in a code sample is not a table. What is not read
    is reported: directives that would insert outside content (``include``, ``raw``,
    ``csv-table``, ...), and grid or simple tables cut off before their bottom border.
    """
    scan = BlockScan(lines, path)
    while scan.i < len(lines):
        scan.look_at(scan.i)
        scan.i = LINE_RULES.decide(scan)
    return scan.blocks, scan.problems


@dataclass(slots=True)
class BlockScan:
    """A scan over a page's lines (markdown-it-py's ``StateBlock``): what is found, and the line looked at."""

    lines: list[str]
    path: str
    blocks: list[TableBlock] = field(default_factory=list)
    problems: list[Issue] = field(default_factory=list)
    #: The indent of the ``.. table::`` directive seen last, and the title it gives the table inside it.
    pending_title: tuple[int, str | None] | None = None
    #: The last line of text outside a table (``**Table 1** Status codes`` titles the table after it).
    last_paragraph: str = ""
    i: int = 0
    stripped: str = ""
    indent: int = 0
    directive: re.Match[str] | None = None
    #: The table measured at a line, kept for the next rule looking at the same line.
    span: tuple[int, TableSpan | None] | None = None

    def look_at(self, i: int) -> None:
        line = self.lines[i]
        self.i, self.stripped, self.indent = i, line.strip(), len(line) - len(line.lstrip())
        self.directive = _DIRECTIVE.match(line)

    def unterminated(self, line_index: int) -> None:
        """Report table rows from ``line_index`` on that no bottom border closes."""
        self.problems.append(UNTERMINATED_TABLE.at(Location(self.path, line_index + 1), "table lines without a "
                                                   "bottom border after them (the page may be cut off): these "
                                                   "lines are not read"))

    def not_executed(self, line_index: int, name: str) -> None:
        """Report a directive that would insert outside content: it is kept as text, never run."""
        self.problems.append(DIRECTIVE_NOT_EXECUTED.at(
            Location(self.path, line_index + 1), f"'.. {name}::' directive not executed: pages are untrusted, so "
            "no file, URL or raw markup is ever inserted, and its content is not read"))


def opaque_directive(scan: BlockScan) -> int | None:
    """``.. code-block:: json`` and the like: the indented body is not document text, skipped whole.

    ``.. include::``, ``.. raw::``, ``.. csv-table::``, ``.. list-table::`` are reported as not executed.
    """
    if scan.directive is None or (name := scan.directive.group(2).lower()) not in _OPAQUE_DIRECTIVES:
        return None
    if name in _UNREAD_DIRECTIVES:
        scan.not_executed(scan.i, name)
    return _skip_body(scan.lines, scan.i, scan.indent)


def table_directive(scan: BlockScan) -> int | None:
    """obs/status_codes.rst: ``.. table:: **Table 1** Status codes`` titles the table indented under it."""
    if scan.directive is None or scan.directive.group(2).lower() != "table":
        return None
    scan.pending_title = (scan.indent, strip_table_label(rst_inline_text(scan.directive.group(3))))
    return scan.i + 1


def other_directive(scan: BlockScan) -> int | None:
    """``.. note::``, ``.. _label:``-like lines: the line itself is markup; its body is read as text."""
    return scan.i + 1 if scan.directive is not None else None


def literal_block(scan: BlockScan) -> int | None:
    """``Example request::`` followed by an indented block: a literal, never a table, skipped."""
    if not scan.stripped.endswith("::") or scan.stripped.startswith(".."):
        return None
    return _skip_body(scan.lines, scan.i, scan.indent)


def cut_off_table(scan: BlockScan) -> int | None:
    """A table border with rows after it and no bottom border at all (the page cut off mid-table).

    Reported (``unterminated-table``) and skipped up to the next blank line, so none of its
    borders starts another table.
    """
    span = _table_span(scan)
    if span is None or span.end is not None or span.cut is None:
        return None
    scan.unterminated(span.cut)
    i = scan.i
    while i < len(scan.lines) and scan.lines[i].strip():
        i += 1
    return i


def table_block(scan: BlockScan) -> int | None:
    """obs/status_codes.rst: a grid (``+---+``) or simple (``=== ===``) table, cut out up to its last border.

    Rows after the last border are reported (``unterminated-table``); so is a directive in a cell
    that would insert outside content. A border that starts no table (a lone ``+--+``) passes.
    """
    span = _table_span(scan)
    if span is None or span.end is None:
        return None
    if span.cut is not None:
        scan.unterminated(span.cut)
    i, indent = scan.i, scan.indent
    block_lines = [ln[indent:] if ln[:indent].strip() == "" else ln.strip() for ln in scan.lines[i:span.end + 1]]
    scan.blocks.append(TableBlock("grid" if span.grid else "simple", i, [ln.rstrip() for ln in block_lines],
                                  _block_title(scan)))
    for offset, line in enumerate(block_lines):
        for match in _DIRECTIVE_IN_CELL.finditer(line):
            if match.group(1).lower() in _UNREAD_DIRECTIVES:
                scan.not_executed(i + offset, match.group(1).lower())
    scan.pending_title = None
    scan.last_paragraph = ""
    return span.end + 1


@dataclass(frozen=True, slots=True)
class TableSpan:
    """Where the table whose border is the line looked at ends (``None``: no bottom border), and where
    rows begin that no border closes (``cut``, else ``None``).
    """

    grid: bool
    end: int | None
    cut: int | None


def _table_span(scan: BlockScan) -> TableSpan | None:
    """The table starting at the line looked at, when it is a border; measured once per line."""
    if scan.span is not None and scan.span[0] == scan.i:
        return scan.span[1]
    span = None
    if _GRID_BORDER.match(scan.stripped) or _SIMPLE_BORDER.match(scan.stripped):
        grid = scan.stripped.startswith("+")
        end = _grid_end(scan.lines, scan.i, scan.indent) if grid else _simple_end(scan.lines, scan.i)
        span = TableSpan(grid, end, _unterminated_table(scan.lines, scan.i, end, scan.indent, grid))
    scan.span = (scan.i, span)
    return span


def text_line(scan: BlockScan) -> int:
    """Any other line: text, remembered in case it is a ``**Table 1** Title`` line before a table."""
    if scan.stripped:
        scan.last_paragraph = scan.stripped
    return scan.i + 1


#: Tried in order on each line; ``text_line`` decides every line the others pass.
LINE_RULES: Rules[BlockScan, int] = Rules((
    opaque_directive, table_directive, other_directive, literal_block, cut_off_table, table_block, text_line,
))


def _block_title(scan: BlockScan) -> str | None:
    """The title of the table starting at the line looked at: its ``.. table::`` directive's, else the
    ``**Table 1** Title`` line before it.
    """
    if scan.pending_title is not None and scan.indent > scan.pending_title[0]:
        return scan.pending_title[1]
    if _TABLE_LABEL_LINE.match(scan.last_paragraph):
        return strip_table_label(rst_inline_text(scan.last_paragraph))
    return None


_DIRECTIVE_IN_CELL = re.compile(r"\.\.\s+([A-Za-z0-9_:+-]+)::")


def _unterminated_table(lines: list[str], start: int, end: int | None, indent: int, grid: bool) -> int | None:
    """The 0-based line where table rows begin that no bottom border closes, else ``None``.

    A grid table's run of ``+``/``|`` lines must end with a border, and a simple table
    needs its closing ``=`` border: rows after the last border (a page cut off mid-table)
    would otherwise be dropped without a word.
    """
    if not grid:
        return start if end is None and start + 1 < len(lines) and lines[start + 1].strip() else None
    if end is None:
        return start if start + 1 < len(lines) and lines[start + 1].strip()[:1] == "|" else None
    after = lines[end + 1] if end + 1 < len(lines) else ""
    if after.strip()[:1] in ("+", "|") and len(after) - len(after.lstrip()) == indent:
        return end + 1
    return None


def _skip_body(lines: list[str], i: int, indent: int) -> int:
    """Index of the first line after the indented body that follows line ``i``."""
    j = i + 1
    while j < len(lines):
        text = lines[j]
        if text.strip() and len(text) - len(text.lstrip()) <= indent:
            break
        j += 1
    return j


def _grid_end(lines: list[str], start: int, indent: int) -> int | None:
    """Last line of the grid table starting at ``start``: the last border of the run of ``+``/``|`` lines."""
    last_border = None
    j = start
    while j < len(lines):
        text = lines[j].strip()
        if not text or text[0] not in "+|" or len(lines[j]) - len(lines[j].lstrip()) != indent:
            break
        if _GRID_BORDER.match(text):
            last_border = j
        j += 1
    return last_border if last_border is not None and last_border > start else None


def _simple_end(lines: list[str], start: int) -> int | None:
    """Last line of a simple table, following docutils' ``isolate_simple_table``."""
    width = len(lines[start].strip())
    found = 0
    for j in range(start + 1, len(lines)):
        if _SIMPLE_BORDER.match(lines[j].strip()):
            if len(lines[j].strip()) != width:
                return None
            found += 1
            if found == 2 or j == len(lines) - 1 or not lines[j + 1].strip():
                return j
    return None


Cells = list[list[tuple[int, int, int, list[str]] | None]]


def parse_plain_grid(lines: list[str]) -> tuple[Cells, Cells] | None:
    """Parse a grid table without merged cells, as docutils' ``GridTableParser`` would; else ``None``.

    docutils measures every character's display width, which makes its grid parser the
    slowest step of a build. The converter's tables have no merged cells (it writes blank
    cells instead), so a grid that none of ``PLAIN_GRID_REFUSALS`` turns away is read here
    with plain slicing. Anything else (spans, wide or combining characters, a ragged edge)
    goes to docutils. The reference test checks the result against full docutils on every
    corpus page.
    """
    grid = PlainGrid(lines)
    if PLAIN_GRID_REFUSALS.first(grid) is not None:
        return None
    rows: Cells = []
    head_end: int | None = None
    start = 1
    for number in grid.borders[1:]:
        if "=" in lines[number]:
            head_end = len(rows) + 1
        rows.append([(0, 0, start, _cell_lines(lines[start:number], left + 1, right))
                     for left, right in pairwise(grid.bounds)])
        start = number + 1
    if head_end is None:
        return [], rows
    return rows[:head_end], rows[head_end:]


@dataclass(frozen=True)
class PlainGrid:
    """A grid table's lines, with the column boundaries of its top border and the indexes of its borders."""

    lines: list[str]

    @cached_property
    def bounds(self) -> list[int]:
        return [i for i, ch in enumerate(self.lines[0]) if ch == "+"]

    @cached_property
    def borders(self) -> list[int]:
        """Indexes of the border lines (``+---+``), the top one included."""
        return [0, *(number for number in range(1, len(self.lines)) if self.lines[number][:1] == "+")]


# --- why a grid is not plain, checked in order: each rule returns its reason, or None -----------


def too_few_boundaries(g: PlainGrid) -> str | None:
    """``+----`` with no second ``+``: no column to read."""
    return "fewer than two column boundaries" if len(g.bounds) < 2 else None


def wide_characters(g: PlainGrid) -> str | None:
    """``| 中文 |`` or a combining accent: columns are display cells, not characters (docutils pads them)."""
    return None if all(_narrow(line) for line in g.lines) else "a wide or combining character"


def ragged_edge(g: PlainGrid) -> str | None:
    """A line longer or shorter than the top border: docutils reports it, or reads it its own way."""
    width = len(g.lines[0])
    return None if all(len(line) == width for line in g.lines) else "a line is not as wide as the top border"


def spanning_border(g: PlainGrid) -> str | None:
    """``+-----+     |``: a border that stops at a cell spanning rows, or holds other characters."""
    for number in g.borders[1:]:
        line = g.lines[number]
        if [i for i, ch in enumerate(line) if ch == "+"] != g.bounds or line.strip("+-=") != "":
            return f"border line {number} does not cross every column boundary"
    return None


def spanning_cell(g: PlainGrid) -> str | None:
    """``| cell spanning two columns |`` where the top border has a ``+`` in between."""
    borders = set(g.borders)
    for number in range(1, len(g.lines)):
        if number not in borders and any(g.lines[number][b] != "|" for b in g.bounds):
            return f"line {number} has no '|' at a column boundary"
    return None


def misplaced_header_border(g: PlainGrid) -> str | None:
    """A second ``+===+`` header border, or one mixing ``=`` and ``-``: docutils decides what it means."""
    heads = [number for number in g.borders[1:] if "=" in g.lines[number]]
    if len(heads) > 1 or any("-" in g.lines[number] for number in heads):
        return "more than one header border, or one mixing '=' and '-'"
    return None


def empty_row(g: PlainGrid) -> str | None:
    """Two borders one after the other: a row of no line."""
    return "two borders with no row between them" if any(b - a == 1 for a, b in pairwise(g.borders)) else None


def open_bottom(g: PlainGrid) -> str | None:
    """Lines after the last border: the table has no bottom border."""
    return "no bottom border" if g.borders[-1] != len(g.lines) - 1 else None


#: Checked in order (``spanning_cell`` indexes lines by the boundaries, so ``ragged_edge`` comes first).
PLAIN_GRID_REFUSALS: Rules[PlainGrid, str] = Rules((
    too_few_boundaries, wide_characters, ragged_edge, spanning_border, spanning_cell, misplaced_header_border,
    empty_row, open_bottom,
))


def _narrow(line: str) -> bool:
    """Every character is one column wide (ASCII, or no wide/combining character)."""
    return line.isascii() or not any(
        unicodedata.combining(ch) or unicodedata.east_asian_width(ch) in "WF" for ch in line if ord(ch) > 127)


def _cell_lines(lines: list[str], left: int, right: int) -> list[str]:
    """A cell's text lines, with the indentation common to them removed (docutils' ``get_2D_block``)."""
    cell = [line[left:right].rstrip() for line in lines]
    indents = [len(text) - len(text.lstrip()) for text in cell if text]
    indent = min(indents, default=0)
    return [text[indent:] for text in cell] if 0 < indent < right else cell


def docutils_table_block(block: TableBlock) -> StringList:
    """The block's lines prepared as docutils prepares them before calling its table parsers.

    As ``isolate_grid_table``/``isolate_simple_table`` do, every wide (East Asian) character
    is followed by a pad character, so columns are measured in display cells (the parsers
    remove the padding from the cell text); and a grid table whose right border is ragged
    raises ``TableMarkupError``, since ``GridTableParser`` itself would fail with an
    ``IndexError`` on a line that is too short.
    """
    lines = StringList(list(block.lines))
    lines.pad_double_width(TableParser.double_width_pad_char)
    if block.kind == "grid":
        width = len(strip_combining_chars(lines[0]))
        for offset, line in enumerate(lines):
            if len(strip_combining_chars(line)) != width or line[-1:] not in ("+", "|"):
                raise TableMarkupError("Malformed table. Right border not aligned or missing.", offset=offset)
    return lines


def _read_block(block: TableBlock, index: int, path: str, problems: list[Issue]) -> RawTable:
    if block.kind == "grid" and not _GRID_TOP.match(block.lines[0]):
        # docutils does not take such a line for the top of a table (its GridTableParser
        # would fail an assertion on it): a malformed table, reported.
        raise TableMarkupError("Malformed table. The top border may hold only '-' and '+'.")
    fast = parse_plain_grid(block.lines) if block.kind == "grid" else None
    if fast is not None:
        headrows, bodyrows = fast
    else:
        headrows, bodyrows = _docutils_rows(block, index, path, problems)
    first_line = block.start + 1  # 1-based line of the top border

    def to_cells(rows: Cells) -> list[list[tuple[str, int, int]]]:
        return [[(rst_inline_text("\n".join(c[3])), c[0] + 1, c[1] + 1) for c in row if c is not None]
                for row in rows]

    header_grid = expand_spans(to_cells(headrows))
    body_grid = expand_spans(to_cells(bodyrows))
    header = merge_header_rows(header_grid)
    rows = []
    for raw, cells in zip(bodyrows, body_grid, strict=True):
        offsets = [c[2] for c in raw if c is not None]
        line = first_line + min(offsets) if offsets else None
        rows.append(RawRow(line, tuple(cells)))
    origin: HeaderOrigin = "rst_header" if headrows else "first_row"
    if not headrows and rows:
        header = tuple(c.text for c in rows[0].cells)
        rows = rows[1:]
    return RawTable(index, first_line, block.title, header, tuple(rows), origin)


def _docutils_rows(block: TableBlock, index: int, path: str, problems: list[Issue]) -> tuple[Cells, Cells]:
    """The rows docutils' table parsers read; for a grid they refuse, the rows ``salvage_grid`` can read."""
    parser = GridTableParser() if block.kind == "grid" else SimpleTableParser()
    try:
        _colspecs, headrows, bodyrows = parser.parse(docutils_table_block(block))
    except (TableMarkupError, AssertionError, IndexError) as exc:  # its parsers trust the checks of states.py
        salvaged = salvage_grid(block.lines) if block.kind == "grid" else None
        if salvaged is None:
            if isinstance(exc, TableMarkupError):
                raise
            raise TableMarkupError(f"Malformed table ({type(exc).__name__} in docutils' table parser).") from exc
        headrows, bodyrows, lost = salvaged
        problems.extend(MALFORMED_TABLE.at(
            Location(path, block.start + 1 + offset, index),
            "the '|' of this row do not line up with the table's column boundaries, counted in characters or "
            "in display width (a wide character such as '４' takes two); this row is not read") for offset in lost)
    return headrows, bodyrows


def salvage_grid(lines: list[str]) -> tuple[Cells, Cells, list[int]] | None:
    """A grid table docutils refused, read row by row at its top border's column boundaries.

    docutils measures columns in display width (``４`` takes two) and refuses the whole
    table when one row's right border does not line up. A converter that counted characters
    wrote such a row; so each row is read where its ``|`` sit at the boundaries counted in
    characters, else in display width, else it is not read (its line offset is returned, to
    be reported). The borders must be plain (no merged cell, one header border, a bottom
    border) and the header rows readable; else ``None``: the table stays malformed.
    """
    grid = PlainGrid(lines)
    if SALVAGE_REFUSALS.first(grid) is not None:
        return None
    rows: Cells = []
    lost: list[int] = []
    head_end: int | None = None
    start = 1
    for number in grid.borders[1:]:
        texts = _row_at_bounds(lines[start:number], grid.bounds)
        if texts is not None:
            rows.append([(0, 0, start, text) for text in texts])
        elif head_end is None and any("=" in lines[b] for b in grid.borders[1:]):
            return None  # a header row that cannot be read: the columns have no names
        else:
            lost.append(start)
        if "=" in lines[number]:
            head_end = len(rows)
        start = number + 1
    if head_end is None:
        return [], rows, lost
    return rows[:head_end], rows[head_end:], lost


def _row_at_bounds(lines: list[str], bounds: list[int]) -> list[list[str]] | None:
    """The cells of one row whose ``|`` sit at ``bounds``, in characters or in display width; else ``None``."""
    width = bounds[-1] + 1
    for padded in (lines, [_pad_wide(line) for line in lines]):
        if all(len(line) == width and all(line[b] == "|" for b in bounds) for line in padded):
            return [[text.replace(_PAD, "") for text in _cell_lines(padded, left + 1, right)]
                    for left, right in pairwise(bounds)]
    return None


_PAD = TableParser.double_width_pad_char


def _pad_wide(line: str) -> str:
    """``line`` with a pad character after each wide character: one character per display column."""
    if line.isascii():
        return line
    return "".join(ch + _PAD if unicodedata.east_asian_width(ch) in "WF" else ch for ch in line)


#: What a grid must not have for ``salvage_grid`` to read it row by row.
SALVAGE_REFUSALS: Rules[PlainGrid, str] = Rules((
    too_few_boundaries, spanning_border, misplaced_header_border, empty_row, open_bottom,
))


# --- inline markup -------------------------------------------------------------------------

_ROLE = re.compile(r":[A-Za-z0-9_.+-]++:`((?:[^`\\]|\\.)*+)`")
#: Applied after escapes are replaced (no backslash is left but a last one), so an escaped backtick need not be
#: skipped: ``(?:[^`\\]|\\.)+?`` did, and restarted at every ``\\``` of a long run, in quadratic time.
_REFERENCE = re.compile(r"`([^`]+?)`__?")
_LITERAL = re.compile(r"``(.+?)``", re.DOTALL)
_STRONG = re.compile(r"(?<![\w*\\])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w*])", re.DOTALL)
_EMPHASIS = re.compile(r"(?<![\w*\\])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])", re.DOTALL)
#: The closing marks of ``_STRONG`` and ``_EMPHASIS`` alone (see ``_unwrap``).
_STRONG_CLOSE = re.compile(r"(?<=\S)\*\*(?![\w*])")
_EMPHASIS_CLOSE = re.compile(r"(?<=[^\s*])\*(?![\w*])")
_INTERPRETED = re.compile(r"(?<![\w`])`(?=\S)([^`]+?)(?<=\S)`(?![\w`])")
_BULLET = re.compile(r"^\s*[-*+\u2022\u2023\u2043]\s+")
_ENUMERATOR = re.compile(r"^\s*(?:#\.|\(?[0-9]{1,2}[.)]|\(?[a-zA-Z][.)])\s+")  # ASCII, as docutils
_ADMONITION = re.compile(r"^\s*\.\.\s+(?:note|important|caution|warning|tip|hint|attention|danger|error|"
                         r"admonition)::\s*", re.IGNORECASE)
_LITERAL_ROLE = re.compile(r":(?:literal|code|samp):`((?:[^`\\]|\\.)*+)`")
_SUBSTITUTION = re.compile(r"\|(br|nbsp)\|", re.IGNORECASE)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _role_text(match: re.Match[str]) -> str:
    return without_target(match.group(1)) or match.group(1)


def without_target(text: str) -> str:
    """The text of a reference without its ``<target>`` and the spaces before it.

    ``Status Codes <status_codes>`` gives ``Status Codes``. (String methods, not the regex
    ``\\s*<[^<>]*>$``: searched for at every space of a long run, it took quadratic time.)
    """
    if not text.endswith(">"):
        return text
    start = text.rfind("<", 0, len(text) - 1)
    if start < 0 or ">" in text[start + 1:-1]:
        return text
    return text[:start].rstrip()


def _unwrap(pattern: re.Pattern[str], closer: re.Pattern[str], value: str) -> str:
    """``pattern.sub(group 1)``, in linear time.

    Every opening ``*``/``**`` with no closing mark after it makes the regex scan to the end
    of the text: a cell of ``**a **a **a ...`` took minutes. Nothing after the last
    possible closing mark can match, so the substitution runs only up to it; the result
    is the same (a closing mark never overlaps the next one).
    """
    cut = max((m.end() for m in closer.finditer(value)), default=0)
    if not cut:
        return value
    return pattern.sub(lambda m: m.group(1), value[:cut]) + value[cut:]


def rst_inline_text(text: str) -> str:
    """Turn the RST markup of one cell into plain text, paragraphs and list items joined by a space.

    ``**availability_zone**`` gives ``availability_zone``; ``:ref:`Status Codes <x>``` gives
    ``Status Codes``; bullet markers (``-  item``) and, where a paragraph starts, enumerators
    (``1.``) are dropped, as are admonition markers (``.. note::``, keeping the note's text);
    backslash escapes are resolved outside literals; ````literal```` content stays verbatim.
    """
    if not text:
        return ""
    lines: list[str] = []
    block_start, in_list = True, False
    for line in text.splitlines():
        if not line.strip():
            block_start = True
            continue
        line = _ADMONITION.sub("", line, count=1)
        line = _BULLET.sub("", line, count=1)
        if block_start or in_list:  # an enumerator opens a paragraph or continues a list
            stripped = _ENUMERATOR.sub("", line, count=1)
            in_list = stripped != line or (in_list and line[:1].isspace())
            line = stripped
        block_start = False
        lines.append(line)
    value = " ".join(lines)
    # Literals are verbatim: cut them out first; escapes are protected from the markup
    # patterns too. Both are restored at the end.
    kept: list[str] = []

    def keep(content: str) -> str:
        kept.append(content)
        return f"\x00{len(kept) - 1}\x00"

    value = _LITERAL.sub(lambda m: keep(m.group(1)), value)
    # In a role (unlike an inline literal) docutils resolves backslash escapes: :literal:`\`~` is `~.
    value = _LITERAL_ROLE.sub(lambda m: keep(_ESCAPE.sub(lambda e: "" if e.group(1) == " " else e.group(1),
                                                          m.group(1))), value)
    value = _ESCAPE.sub(lambda m: keep("" if m.group(1) == " " else m.group(1)), value)
    value = _ROLE.sub(_role_text, value)
    value = _REFERENCE.sub(_role_text, value)
    value = _unwrap(_STRONG, _STRONG_CLOSE, value)
    value = _unwrap(_EMPHASIS, _EMPHASIS_CLOSE, value)
    value = _INTERPRETED.sub(lambda m: m.group(1), value)
    value = _SUBSTITUTION.sub(" ", value)
    value = re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], value)
    return collapse_whitespace(value)

"""reStructuredText pages: table blocks are cut out of the text and given to docutils' table parser.

Building a whole docutils document tree costs ~20x more than the tables need and would
execute directives (``include``, ``raw``, ``csv-table :file:``) of an untrusted page. So
this module finds the grid and simple tables itself, hands each block to
``docutils.parsers.rst.tableparser`` (the same code docutils uses) and turns cell
markup into text with ``rst_inline_text``. Nothing on the page is ever executed or
included. ``pipeline.parsers.rst_reference`` holds the full-docutils reader the tests
compare this one against on the whole corpus.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import pairwise

from docutils.parsers.rst.tableparser import GridTableParser, SimpleTableParser, TableMarkupError
from docutils.statemachine import StringList

from pipeline.model import HeaderOrigin, Issue, Location, Page, RawRow, RawTable
from pipeline.parsers.common import strip_table_label
from pipeline.parsers.html import expand_spans
from pipeline.sources import PageText
from pipeline.text import collapse_whitespace

_GRID_BORDER = re.compile(r"^\+(?:[-=]+\+)+$")
_SIMPLE_BORDER = re.compile(r"^=+(?: +=+)+ *$")
_DIRECTIVE = re.compile(r"^(\s*)\.\.\s+([A-Za-z0-9_:+-]+)::\s*(.*)$")
_ORIGINAL_NAME = re.compile(r"^:original_name:\s*(\S+)", re.MULTILINE)
_LABEL = re.compile(r"^\.\.\s+_([^:]+):\s*$", re.MULTILINE)
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
class _Block:
    kind: str  # "grid" | "simple"
    start: int  # 0-based line index of the top border
    lines: list[str]  # dedented
    title: str | None


def parse_rst(page: PageText) -> Page:
    """Parse an RST page into a ``Page`` with all its grid and simple tables in document order."""
    path = page.source.source_path
    lines = page.text.splitlines()
    problems: list[Issue] = []
    tables: list[RawTable] = []
    unread: list[tuple[int, str]] = []
    blocks = find_table_blocks(lines, unread)
    for line_index, name in unread:
        problems.append(Issue("directive-not-executed", Location(path, line_index + 1),
                              f"'.. {name}::' directive not executed: pages are untrusted, so no file, URL or "
                              "raw markup is ever inserted, and its content is not read", "warning"))
    for index, block in enumerate(blocks):
        try:
            tables.append(_read_block(block, index))
        except TableMarkupError as exc:
            offset = getattr(exc, "offset", 0) or 0
            problems.append(Issue("malformed-table", Location(path, block.start + 1 + offset, index),
                                  f"malformed RST table, its rows cannot be read: {exc}", "error"))
    for table in tables:
        if not table.rows:
            problems.append(Issue("empty-table", Location(path, table.line, table.index), "table has no data rows"))
    return Page(page.source.service, path, "rst", page_title(lines), page_id(page.text), tuple(tables),
                tuple(problems))


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


def find_table_blocks(lines: list[str], unread: list[tuple[int, str]] | None = None) -> list[_Block]:
    """Cut grid and simple table blocks out of the page, in document order.

    Bodies of code/raw/include-like directives and literal blocks (after ``::``) are
    skipped, so a table-looking drawing in a code sample is not a table. A
    ``.. table:: **Table 1** Title`` directive gives its title to the table inside it.
    Directives that would insert outside content (``include``, ``raw``, ``csv-table``, ...)
    are appended to ``unread`` as ``(0-based line, name)`` when a list is given.
    """
    blocks: list[_Block] = []
    i, n = 0, len(lines)
    pending_title: tuple[int, str | None] | None = None  # (directive indent, title)
    last_paragraph = ""
    while i < n:
        line = lines[i]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        directive = _DIRECTIVE.match(line)
        if directive:
            name = directive.group(2).lower()
            if name in _OPAQUE_DIRECTIVES:
                if unread is not None and name in _UNREAD_DIRECTIVES:
                    unread.append((i, name))
                i = _skip_body(lines, i, indent)
                continue
            if name == "table":
                pending_title = (indent, strip_table_label(rst_inline_text(directive.group(3))))
            i += 1
            continue
        if stripped.endswith("::") and not stripped.startswith(".."):
            i = _skip_body(lines, i, indent)
            continue
        if _GRID_BORDER.match(stripped) or _SIMPLE_BORDER.match(stripped):
            grid = stripped.startswith("+")
            end = _grid_end(lines, i, indent) if grid else _simple_end(lines, i)
            if end is not None:
                title = None
                if pending_title is not None and indent > pending_title[0]:
                    title = pending_title[1]
                elif _TABLE_LABEL_LINE.match(last_paragraph):
                    title = strip_table_label(rst_inline_text(last_paragraph))
                block_lines = [ln[indent:] if ln[:indent].strip() == "" else ln.strip() for ln in lines[i:end + 1]]
                blocks.append(_Block("grid" if grid else "simple", i, [ln.rstrip() for ln in block_lines], title))
                pending_title = None
                last_paragraph = ""
                i = end + 1
                continue
        if stripped:
            last_paragraph = stripped
        i += 1
    return blocks


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
    cells instead), so a grid whose every border has a ``+`` at each column boundary and
    whose every content line has a ``|`` there is read here with plain slicing. Anything
    else (spans, wide or combining characters, a ragged edge) goes to docutils. The
    reference test checks the result against full docutils on every corpus page.
    """
    top = lines[0]
    bounds = [i for i, ch in enumerate(top) if ch == "+"]
    width = len(top)
    if len(bounds) < 2 or not all(_narrow(line) for line in lines):
        return None
    head_end: int | None = None
    rows: list[list[tuple[int, int, int, list[str]] | None]] = []
    start = 1
    for number in range(1, len(lines)):
        line = lines[number]
        if len(line) != width:
            return None
        if line[0] == "+":
            if [i for i, ch in enumerate(line) if ch == "+"] != bounds or line.strip("+-=") != "":
                return None
            if "=" in line:
                if head_end is not None or "-" in line:
                    return None
                head_end = len(rows) + 1
            if number == start:
                return None
            rows.append([(0, 0, start, _cell_lines(lines[start:number], left + 1, right))
                         for left, right in pairwise(bounds)])
            start = number + 1
        elif any(line[b] != "|" for b in bounds):
            return None
    if start != len(lines):
        return None
    if head_end is None:
        return [], rows
    return rows[:head_end], rows[head_end:]


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


def _read_block(block: _Block, index: int) -> RawTable:
    fast = parse_plain_grid(block.lines) if block.kind == "grid" else None
    if fast is not None:
        headrows, bodyrows = fast
    else:
        parser = GridTableParser() if block.kind == "grid" else SimpleTableParser()
        _colspecs, headrows, bodyrows = parser.parse(StringList(block.lines))
    first_line = block.start + 1  # 1-based line of the top border

    def to_cells(rows: Cells) -> list[list[tuple[str, int, int]]]:
        return [[(rst_inline_text("\n".join(c[3])), c[0] + 1, c[1] + 1) for c in row if c is not None]
                for row in rows]

    header_grid = expand_spans(to_cells(headrows))
    body_grid = expand_spans(to_cells(bodyrows))
    header = tuple(
        " ".join(dict.fromkeys(row[col].text for row in header_grid if col < len(row) and row[col].text))
        for col in range(max((len(r) for r in header_grid), default=0))
    )
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


# --- inline markup -------------------------------------------------------------------------

_ROLE = re.compile(r":[A-Za-z0-9_.+-]+:`((?:[^`\\]|\\.)*)`")
_REFERENCE = re.compile(r"`((?:[^`\\]|\\.)+?)`__?")
_LITERAL = re.compile(r"``(.+?)``", re.DOTALL)
_STRONG = re.compile(r"(?<![\w*\\])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w*])", re.DOTALL)
_EMPHASIS = re.compile(r"(?<![\w*\\])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])", re.DOTALL)
_INTERPRETED = re.compile(r"(?<![\w`])`(?=\S)([^`]+?)(?<=\S)`(?![\w`])")
_TARGET_SUFFIX = re.compile(r"\s*<[^<>]*>$")
_BULLET = re.compile(r"^\s*[-*+\u2022\u2023\u2043]\s+")
_ENUMERATOR = re.compile(r"^\s*(?:#\.|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)])\s+")
_ADMONITION = re.compile(r"^\s*\.\.\s+(?:note|important|caution|warning|tip|hint|attention|danger|error|"
                         r"admonition)::\s*", re.IGNORECASE)
_LITERAL_ROLE = re.compile(r":(?:literal|code|samp):`((?:[^`\\]|\\.)*)`")
_SUBSTITUTION = re.compile(r"\|(br|nbsp)\|", re.IGNORECASE)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _role_text(match: re.Match[str]) -> str:
    return _TARGET_SUFFIX.sub("", match.group(1)) or match.group(1)


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
    value = _STRONG.sub(lambda m: m.group(1), value)
    value = _EMPHASIS.sub(lambda m: m.group(1), value)
    value = _INTERPRETED.sub(lambda m: m.group(1), value)
    value = _SUBSTITUTION.sub(" ", value)
    value = re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], value)
    return collapse_whitespace(value)

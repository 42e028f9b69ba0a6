"""HTML pages (full exports, or a markdown heading followed by raw ``<table>`` markup) via lxml.

Tables come out as rectangles: ``rowspan``/``colspan`` are expanded before any column
gets a meaning, the copied cells marked ``spanned``. Every row keeps its source line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PageElement, Script, Stylesheet, Tag, TemplateString
from lxml import etree

from pipeline.errors import ParseError
from pipeline.model import HeaderOrigin, Issue, Location, Page, RawRow, RawTable
from pipeline.parsers.common import strip_table_label
from pipeline.parsers.grid import SpanLimitError, expand_spans, merge_header_rows
from pipeline.problems import (
    EMPTY_TABLE,
    ENTITY_NOT_EXPANDED,
    HTML_PARSER_FALLBACK,
    UNCLOSED_COMMENT,
    UNCLOSED_TABLE,
)
from pipeline.sources import PageText
from pipeline.text import collapse_whitespace

#: Elements whose content starts on a new line: their text is separated by a space, never glued.
BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "br", "tr", "td", "th", "table", "thead", "tbody", "dl", "dt", "dd", "pre",
    "blockquote", "section", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
})
#: Elements whose content is not document content: a table inside is never read. libxml2 already
#: reads ``<script>``, ``<style>`` and ``<textarea>`` as raw text, but Python's ``html.parser`` (the
#: fallback) reads ``<textarea>`` markup, and neither knows ``<template>`` (inert until a script uses it).
NOT_CONTENT_TAGS = frozenset({"template", "textarea", "script", "style"})
#: Labels the exports print before a note box (``<span class="notetitle"> NOTE: </span>``): the
#: note's text is kept, its label is not, as in the RST pages where ``.. note::`` is markup.
LABEL_CLASSES = frozenset({"notetitle", "cautiontitle", "warningtitle", "importanttitle", "tiptitle"})
#: A span larger than this is treated as a typo (``rowspan="9999"``) and capped at the table's end.
MAX_SPAN = 1000
#: The bold ``**Table 1** Title`` line that the markdown pages put right before a table.
_TABLE_LABEL_LINE = re.compile(r"^\s*+(?:\*\*)?\s*Table\s+\d+[\s*:.]*\S", re.IGNORECASE)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_ANCHOR_NAME = re.compile(r"""<a\s+name\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")
#: Markdown backslash escapes in the ``**Table 1**`` line: ``OBS \(compatible\)``.
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>])")
# Errors libxml2 reports when it silently drops content (depth, size limits, memory).
_FATAL_LEVELS = (etree.ErrorLevels.FATAL,)


def _parser() -> etree.HTMLParser:
    # no_network: never fetch a DTD or entity; huge_tree: no silent truncation of deep or
    # large documents (pages are size-limited when read).
    return etree.HTMLParser(
        encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True, huge_tree=True,
    )


def parse_html(page: PageText) -> Page:
    """Parse an HTML page into a ``Page`` with all its tables in document order.

    When libxml2 gives up part-way (markup nested deeper than its limit of 2048), the page
    is read again by Python's ``html.parser`` (through BeautifulSoup), which has no depth
    limit, so the tables before and after the deep markup are kept; the fallback is reported
    with the line where libxml2 stopped.
    """
    parser = _parser()
    path = page.source.source_path
    try:
        root = etree.fromstring(page.text.encode("utf-8"), parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError(f"unreadable HTML: {exc}", path) from exc
    if root is None:
        raise ParseError("no HTML content", path, 1)
    problems = markup_problems(page.text, path)
    fatal = [e for e in parser.error_log if e.level in _FATAL_LEVELS]
    if fatal:
        first = fatal[0]
        gave_up = f"HTML parser gave up: {first.message.strip().removesuffix(', use XML_PARSE_HUGE option')}"
        try:
            root = soup_tree(page.text)
        except RecursionError as exc:
            raise ParseError(gave_up, path, first.line or None) from exc
        problems.append(HTML_PARSER_FALLBACK.at(Location(path, first.line or None),
                                                f"{gave_up}; the page was read again with Python's html.parser, "
                                                "which may repair broken markup differently"))
    title, page_id = page_title_and_id(page.text, root)
    tables = tuple(_tables(root, path, problems))
    return Page(page.source.service, path, "html", title, page_id, tables, tuple(problems))


_ENTITY_DECLARATION = re.compile(r"<!ENTITY\b", re.IGNORECASE)
_TABLE_TAG_OR_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)|<(/?)table\b", re.IGNORECASE | re.DOTALL)


def markup_problems(text: str, path: str) -> list[Issue]:
    """What the HTML parser repairs or ignores without a word, reported.

    * ``<!ENTITY>`` declarations (external entities, a billion-laughs chain): libxml2's HTML
      parser never expands, fetches or reads them; their references stay as literal text.
    * A ``<table>`` that is never closed: the parser closes it at the end of the page, so a
      page cut off mid-table would give a silently shorter table.
    * A comment that is never closed: everything after ``<!--`` is comment, not read.
    """
    problems: list[Issue] = []
    declaration = _ENTITY_DECLARATION.search(text)
    if declaration:
        count = len(_ENTITY_DECLARATION.findall(text))
        problems.append(ENTITY_NOT_EXPANDED.at(Location(path, text.count("\n", 0, declaration.start()) + 1),
                                               f"the page declares {count} entities (<!ENTITY>); none is expanded, "
                                               "fetched or read, their references stay as text"))
    open_tables: list[int] = []  # lines of the <table> tags not closed yet
    line, counted = 1, 0
    for match in _TABLE_TAG_OR_COMMENT.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        if match.group(0).startswith("<!--"):
            if not match.group(0).endswith("-->"):
                problems.append(UNCLOSED_COMMENT.at(Location(path, line), "<!-- comment is never closed: the "
                                                    "rest of the page is a comment and is not read"))
        elif match.group(1):
            if open_tables:
                open_tables.pop()
        else:
            open_tables.append(line)
    problems.extend(UNCLOSED_TABLE.at(Location(path, table_line), "<table> is never closed (no </table>): the "
                                      "page may be cut off, so rows may be missing") for table_line in open_tables)
    return problems


def soup_tree(text: str) -> etree._Element:
    """The page parsed by Python's ``html.parser`` (via BeautifulSoup), as an lxml tree with source lines.

    Used when libxml2 gives up. The copy into lxml walks the tree with its own stack (no
    nesting depth exhausts the recursion limit); comments, doctypes and processing
    instructions are dropped, as ``_parser`` drops them; names and characters that lxml
    cannot hold become a ``span`` or U+FFFD (and are reported as such by the build).
    """
    soup = BeautifulSoup(text, "html.parser")
    root = etree.Element("html")
    # Per open element: its children still to copy, the copy, and the text read since its last child.
    stack: list[tuple[Iterator[PageElement], etree._Element, list[str]]] = [(iter(soup.contents), root, [])]
    while stack:
        children, parent, pending = stack[-1]
        child = next(children, None)
        if child is None or isinstance(child, Tag):
            _add_text(parent, pending)
        if child is None:
            stack.pop()
        elif isinstance(child, Tag):
            element = etree.SubElement(parent, _xml_name(child.name.lower()) or "span")
            for name, value in child.attrs.items():
                key = _xml_name(name.lower())
                if key is not None:
                    element.set(key, _xml_text(" ".join(value) if isinstance(value, list) else str(value)))
            if isinstance(child.sourceline, int):
                element.sourceline = child.sourceline  # type: ignore[assignment]  # lxml-stubs: settable int
            stack.append((iter(child.contents), element, []))
        elif type(child) in _SOUP_TEXT:
            pending.append(_xml_text(str(child)))
    return root


#: BeautifulSoup's string types that are text (a ``Comment``, ``Doctype`` or ``CData`` is not).
_SOUP_TEXT = (NavigableString, Script, Stylesheet, TemplateString)
_XML_NAME = re.compile(r"[A-Za-z_][\w.-]*+")
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_name(name: str) -> str | None:
    return name if _XML_NAME.fullmatch(name) else None


def _xml_text(text: str) -> str:
    return _NOT_XML_CHAR.sub("\ufffd", text)


def _add_text(parent: etree._Element, pending: list[str]) -> None:
    """Put the text read since the last child of ``parent`` after that child (its tail), or inside ``parent``."""
    if not pending:
        return
    text = "".join(pending)
    pending.clear()
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def page_title_and_id(text: str, root: etree._Element) -> tuple[str | None, str | None]:
    """The page title and anchor.

    Markdown pages open with ``# Status Code<a name="vpcep_08_0001"></a>``; exports with
    ``<a name="EN-US_TOPIC_0022067716"></a>`` then ``<h1 class="topictitle1">``.
    """
    first_line = next((ln for ln in text.splitlines() if ln.strip()), "")
    heading = _MARKDOWN_HEADING.match(first_line.strip())
    if heading:
        anchor = _ANCHOR_NAME.search(first_line)
        title = collapse_whitespace(_TAG.sub("", heading.group(1))) or None
        return title, anchor.group(1) if anchor else _first_anchor(root)
    h1 = next(iter(root.iter("h1")), None)
    title = collapse_whitespace(cell_text(h1)) if h1 is not None else None
    if not title:
        title_el = next(iter(root.iter("title")), None)
        title = collapse_whitespace(cell_text(title_el)) if title_el is not None else None
    return title or None, _first_anchor(root)


def _first_anchor(root: etree._Element) -> str | None:
    for a in root.iter("a"):
        name = a.get("name")
        if name:
            return name
    return None


def cell_text(element: etree._Element) -> str:
    """The text of an element, block elements (``<p>``, ``<li>``, ``<br>``) separated by a space.

    ``<td><p>Bad</p><p>Request</p></td>`` gives ``Bad Request``, never ``BadRequest``. Not
    part of it: what ``NOT_CONTENT_TAGS`` elements hold (``<template>``, ``<textarea>``,
    ``<script>``, ``<style>``), comments and processing instructions, a note's label, and a
    table nested inside (read as a table of its own). So the cells of a page are walked once
    each, however deep its tables nest: reading a page stays linear in its size.
    """
    parts: list[str] = []
    # Each entry: an element still to open, or the text to add when an open element closes.
    stack: list[etree._Element | str] = [element]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        tag = item.tag.lower() if isinstance(item.tag, str) else None
        if item is not element and item.tail:
            stack.append(item.tail)
        if tag is None or tag in NOT_CONTENT_TAGS or (tag == "table" and item is not element):
            parts.append(" " if tag == "table" else "")
            continue
        block = " " if tag in BLOCK_TAGS else ""
        stack.append(block)
        stack.extend(reversed(list(item)))
        parts.append(block)
        if item.text and item.get("class") not in LABEL_CLASSES:
            parts.append(item.text)
    return collapse_whitespace("".join(parts))


def _direct_rows(table: etree._Element) -> list[etree._Element]:
    return [el for el in table.iterchildren() if el.tag == "tr"] + [
        tr for section in table.iterchildren() if section.tag in ("thead", "tbody", "tfoot")
        for tr in section.iterchildren() if tr.tag == "tr"
    ]


def _span(value: str | None) -> int:
    if value is not None and not value.isascii():  # int() reads "٣" as 3; HTML reads ASCII digits only
        return 1
    try:
        return max(1, min(int(value or "1"), MAX_SPAN))
    except ValueError:
        return 1


def _tables(root: etree._Element, path: str, problems: list[Issue]) -> Iterator[RawTable]:
    for index, (table, title) in enumerate(_tables_with_titles(root)):
        try:
            raw = _read_table(table, index, title, path, problems)
        except SpanLimitError as exc:
            problems.append(exc.kind.at(Location(path, _line(table), index), exc.message))
            continue
        yield raw


def _tables_with_titles(root: etree._Element) -> Iterator[tuple[etree._Element, str | None]]:
    """Every ``<table>`` in document order, with its title; none inside ``NOT_CONTENT_TAGS``.

    The title is the ``<caption>``, or the ``**Table 1** Title`` line of text right
    before the table (only blank lines or empty anchors between them).
    """
    outside: list[str] = []
    depth = 0
    hidden = 0  # how many elements whose content is not document content enclose this one
    found: list[tuple[etree._Element, str | None]] = []
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if el.tag in NOT_CONTENT_TAGS:
            hidden += 1 if event == "start" else -1
            continue
        if hidden:
            continue
        is_table = el.tag == "table"
        if event == "start":
            if is_table:
                caption = el.find("caption")
                title = strip_table_label(cell_text(caption)) if caption is not None else None
                if title is None and depth == 0:
                    title = _title_before("".join(outside))
                found.append((el, title))
                depth += 1
                outside.clear()
            elif depth == 0 and el.text:
                outside.append(el.text)
        else:
            if is_table:
                depth -= 1
            if depth == 0 and el.tail:
                outside.append(el.tail)
    return iter(found)


def _title_before(text: str) -> str | None:
    lines = text.splitlines()
    for line in reversed(lines):
        if not line.strip():
            continue
        if _TABLE_LABEL_LINE.match(line):
            return strip_table_label(_MARKDOWN_ESCAPE.sub(r"\1", line.replace("**", " ")))
        return None
    return None


def _read_table(table: etree._Element, index: int, title: str | None, path: str,
                problems: list[Issue]) -> RawTable:
    header_trs: list[etree._Element] = []
    body_trs: list[etree._Element] = []
    for tr in _direct_rows(table):
        parent = tr.getparent()
        in_head = parent is not None and parent.tag == "thead"
        (header_trs if in_head else body_trs).append(tr)
    origin: HeaderOrigin = "thead"
    if not header_trs:
        # No <thead>: leading rows made only of <th> cells are the header.
        while body_trs and (cells := _cells(body_trs[0])) and all(c.tag == "th" for c in cells):
            header_trs.append(body_trs.pop(0))
        origin = "th" if header_trs else "first_row"
        if not header_trs and body_trs:
            header_trs.append(body_trs.pop(0))
    if not header_trs:
        origin = "none"
    header_grid = expand_spans([_row_cells(tr) for tr in header_trs])
    body_grid = expand_spans([_row_cells(tr) for tr in body_trs])
    header = merge_header_rows(header_grid)
    rows = tuple(RawRow(_line(tr), tuple(cells)) for tr, cells in zip(body_trs, body_grid, strict=True))
    if not rows:
        problems.append(EMPTY_TABLE.at(Location(path, _line(table), index), "table has no data rows"))
    return RawTable(index, _line(table), title, header, rows, origin)


def _line(element: etree._Element) -> int | None:
    line = element.sourceline
    return line if isinstance(line, int) else None


def _cells(tr: etree._Element) -> list[etree._Element]:
    return [c for c in tr if c.tag in ("td", "th")]


def _row_cells(tr: etree._Element) -> list[tuple[str, int, int]]:
    return [(cell_text(c), _span(c.get("rowspan")), _span(c.get("colspan"))) for c in _cells(tr)]

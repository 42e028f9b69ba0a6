"""The outline of a markdown+HTML page (or a whole HTML export), read line by line.

The vendor's markdown pages are markdown text with raw HTML inside: ``#`` headings, paragraphs,
``-`` list items, fenced code, and HTML for tables (``<table>`` ... ``</table>``, often
indented under a list item) and for some paragraphs and lists. A line starting with a tag
opens an HTML chunk that runs to the next blank line (or, holding a ``<table>``, to its
``</table>``); libxml2 reads the chunk and its ``<h1>``..``<h6>``, ``<p>``, ``<li>``, ``<pre>``
become headings and blocks at their source lines. A page that is a whole HTML document is one
chunk. Tables are not text (``parsers.html`` reads them; ``Outline.section_at`` places them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from pipeline.outline.builder import OutlineBuilder
from pipeline.outline.model import BlockKind, Outline
from pipeline.text import collapse_whitespace

_FENCE = re.compile(r"(`{3,}+|~{3,}+)")
_HEADING = re.compile(r"(#{1,6}+)(?:[ \t]++(.*+)|$)")
_ITEM = re.compile(r"(?:[-*+]|[0-9]{1,9}[.)])(?:[ \t]++|$)")
#: A line whose text starts with a tag (``<p``, ``</li>``, ``<a name=...>``) or a comment opens an HTML chunk.
_HTML_START = re.compile(r"<(?:[A-Za-z][A-Za-z0-9]*+(?![^\s/>])|/[A-Za-z]|!)")
_TABLE_TAG = re.compile(r"<(/?)table(?![^\s/>])", re.IGNORECASE)
_DOCUMENT_START = re.compile(r"\s*+<(?:!doctype|html)(?![^\s>])", re.IGNORECASE)
#: Markdown backslash escapes: ``\{project\_id\}`` is ``{project_id}``.
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_IMAGE = re.compile(r"!\[[^\[\]\n]*+\]\([^()\n]*+\)")
_LINK = re.compile(r"\[([^\[\]\n]*+)\]\([^()\n]*+\)")
_INLINE_TAG = re.compile(r"<[^<>\n]*+>")
#: Where an escaped character waits while markup is removed: U+E000 + its code (escapes are ASCII).
_PLACEHOLDER = re.compile("[\ue000-\ue07f]")

#: Elements whose content is not text of the page (tables are read by the parser).
HIDDEN_TAGS = frozenset({"table", "script", "style", "template", "textarea", "head", "title"})
#: Elements that hold their own run of text: a paragraph, or an item for ``<li>`` and ``<dt>``.
CONTAINER_TAGS = frozenset({
    "html", "body", "div", "section", "article", "p", "li", "ul", "ol", "dl", "dt", "dd", "blockquote",
    "header", "footer", "main", "nav", "aside", "figure", "figcaption", "caption",
})
HEADING_TAGS = {f"h{n}": n for n in range(1, 7)}


def markdown_inline_text(text: str) -> str:
    """One line or paragraph of markdown as plain text: escapes resolved, links, tags and ``**`` removed.

    ``GET /v1/\\{project\\_id\\}/vpcs`` gives ``GET /v1/{project_id}/vpcs``; ``See  [Status
    Codes](status-codes.md).`` gives ``See Status Codes.``; an image gives nothing.
    """
    if "\\" in text:
        text = _ESCAPE.sub(lambda m: chr(0xE000 + ord(m.group(1))), text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _INLINE_TAG.sub("", text)
    text = text.replace("**", "").replace("`", "")
    text = _PLACEHOLDER.sub(lambda m: chr(ord(m.group(0)) - 0xE000), text)
    return collapse_whitespace(_unescape_entities(text))


_ENTITY = re.compile(r"&(?:nbsp|lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_ENTITIES = {"&nbsp;": " ", "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"'}


def _unescape_entities(text: str) -> str:
    if "&" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        value = match.group(0)
        if value in _ENTITIES:
            return _ENTITIES[value]
        number = int(value[3:-1], 16) if value[2] in "xX" else int(value[2:-1])
        return chr(number) if 0 < number < 0x110000 and not 0xD800 <= number < 0xE000 else value

    return _ENTITY.sub(one, text)


def markdown_outline(text: str) -> Outline:
    """Sections and blocks of a markdown+HTML page, or of an HTML document (see the module docstring)."""
    builder = OutlineBuilder("html")
    lines = text.splitlines()
    if _DOCUMENT_START.match(text):
        _html_chunk(lines, 0, len(lines), builder)
        return builder.finish()
    pending: list[str] = []
    pending_start = 0
    pending_kind: BlockKind = "paragraph"

    def flush() -> None:
        nonlocal pending
        if pending:
            builder.block(pending_kind, pending_start + 1, [markdown_inline_text(x) for x in pending],
                          markdown_inline_text(" ".join(pending)))
        pending = []

    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if not stripped:
            flush()
            i += 1
            continue
        fence = _FENCE.match(stripped)
        if fence:
            flush()
            i = _fenced_block(lines, i, fence.group(1), indent, builder)
            continue
        heading = _HEADING.fullmatch(stripped) if indent <= 3 else None
        if heading:
            flush()
            title = (heading.group(2) or "").rstrip().rstrip("#")
            builder.heading(markdown_inline_text(title), len(heading.group(1)), i + 1)
            i += 1
            continue
        if _HTML_START.match(stripped):
            flush()
            end = _chunk_end(lines, i)
            _html_chunk(lines, i, end, builder)
            i = end
            continue
        if stripped.startswith(">"):  # a block quote: ``>![](/images/note.gif) **NOTE:**``
            stripped = stripped.lstrip("> \t")
        item = _ITEM.match(stripped)
        if item:
            flush()
            stripped = stripped[item.end():]
        if not pending:
            pending_start = i
            pending_kind = "item" if item else "paragraph"
        pending.append(stripped)
        i += 1
    flush()
    return builder.finish()


def _fenced_block(lines: list[str], i: int, marker: str, indent: int, builder: OutlineBuilder) -> int:
    """Add the fenced code block opened at line ``i`` as a literal block; the index of the line after it.

    A fence that is never closed runs to the end of the page (as CommonMark has it).
    """
    j = i + 1
    while j < len(lines):
        candidate = lines[j].strip()
        if candidate.startswith(marker[0] * len(marker)) and not candidate.strip(marker[0]):
            break
        j += 1
    body = [x[indent:] if x[:indent].strip() == "" else x.lstrip() for x in lines[i + 1:j]]
    builder.block("literal", i + 2, [x.rstrip() for x in body])
    return j + 1


def _chunk_end(lines: list[str], i: int) -> int:
    """The index of the line after the HTML chunk starting at line ``i``.

    The chunk runs to the next blank line; a ``<table>`` opened in it is read to its ``</table>``
    first, blank lines and all.
    """
    depth = 0
    j = i
    while j < len(lines):
        if not lines[j].strip() and depth <= 0:
            break
        for match in _TABLE_TAG.finditer(lines[j]):
            depth += -1 if match.group(1) else 1
        j += 1
    return j


def _without_tables(chunk: str) -> str:
    """The chunk with each outermost ``<table>...</table>`` replaced by its line breaks.

    Tables are not text, and most of a markdown page's HTML is tables: libxml2 then reads only
    what is left, and every line keeps its number.
    """
    if "<table" not in chunk.lower():
        return chunk
    parts: list[str] = []
    depth, kept = 0, 0
    for match in _TABLE_TAG.finditer(chunk):
        if match.group(1):
            depth -= 1
            if depth == 0:
                end = chunk.find(">", match.end())
                end = len(chunk) if end < 0 else end + 1
                parts.append("\n" * chunk.count("\n", kept, end))
                kept = end
            depth = max(depth, 0)
        else:
            if depth == 0:
                parts.append(chunk[kept:match.start()])
                kept = match.start()
            depth += 1
    if depth:  # a table never closed: the rest of the chunk is table
        parts.append("\n" * chunk.count("\n", kept))
    else:
        parts.append(chunk[kept:])
    return "".join(parts)


def _parser() -> etree.HTMLParser:
    return etree.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True,
                            huge_tree=True)


def _html_chunk(lines: list[str], start: int, end: int, builder: OutlineBuilder) -> None:
    """Add the headings and blocks of the HTML in ``lines[start:end]``."""
    chunk = _without_tables("\n".join(lines[start:end]))
    if "<" not in chunk:
        return
    try:
        root = etree.fromstring(chunk.encode("utf-8"), _parser())
    except (etree.XMLSyntaxError, ValueError):
        return
    if root is None:
        return
    for kind, level, line, pieces in _html_runs(root):
        first = line + start
        if kind == "heading":
            builder.heading(collapse_whitespace("".join(p for _, p in pieces)), level, first)
        elif kind == "literal":
            body = "".join(p for _, p in pieces).strip("\n").split("\n")
            builder.block("literal", first, [x.rstrip() for x in body])
        else:
            _add_run(builder, "item" if kind == "item" else "paragraph", pieces, start)


def _add_run(builder: OutlineBuilder, kind: BlockKind, pieces: list[tuple[int, str]], offset: int) -> None:
    """Add a run of text pieces, each ``(estimated chunk line, text)``, as a block with per-line texts."""
    by_line: dict[int, list[str]] = {}
    for line, text in pieces:
        for k, part in enumerate(text.split("\n")):
            by_line.setdefault(line + k, []).append(part)
    texts = {ln: collapse_whitespace("".join(parts)) for ln, parts in by_line.items()}
    filled = [ln for ln, t in texts.items() if t]
    if not filled:
        return
    first, last = min(filled), max(filled)
    builder.block(kind, first + offset, [texts.get(ln, "") for ln in range(first, last + 1)],
                  collapse_whitespace(" ".join("".join(p for _, p in pieces).split("\n"))))


Run = tuple[str, int, int, list[tuple[int, str]]]  # kind, heading level, line in the chunk, pieces


def _html_runs(root: etree._Element) -> Iterator[Run]:  # noqa: C901 -- one tree walk; split into rules when wired in
    """Headings, ``<pre>`` blocks and runs of text of an HTML tree, in document order.

    A run is the text a container (``<p>``, ``<li>``, ``<body>``...) holds directly or through
    inline elements, up to its next nested block; each piece keeps an estimate of its line
    (the element's ``sourceline`` plus the line breaks read since). Walks with ``iterwalk``:
    no nesting depth exhausts the recursion limit.
    """
    stack: list[tuple[str, list[tuple[int, str]]]] = []  # open containers: kind, pieces of the current run
    hidden = 0  # enclosing elements whose content is not read as runs
    capture: list[tuple[int, str]] | None = None  # pieces of the heading or <pre> being read
    capture_root: etree._Element | None = None
    line = 1
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            if isinstance(el.sourceline, int):
                line = el.sourceline
            if hidden or tag in HIDDEN_TAGS:
                hidden += tag in HIDDEN_TAGS
                continue
            if capture is not None:
                _piece(capture, line, el.text)
                line += (el.text or "").count("\n")
                continue
            if tag in HEADING_TAGS or tag == "pre":
                if stack:
                    yield from _flush(stack)
                capture, capture_root = [], el
                _piece(capture, line, el.text)
                line += (el.text or "").count("\n")
            elif tag in CONTAINER_TAGS:
                if stack:
                    yield from _flush(stack)
                stack.append(("item" if tag in ("li", "dt") else "paragraph", []))
                _piece(stack[-1][1], line, el.text)
                line += (el.text or "").count("\n")
            elif stack:
                _piece(stack[-1][1], line, " " if tag == "br" else el.text)
                line += (el.text or "").count("\n")
            continue
        # end
        if tag in HIDDEN_TAGS and hidden:
            hidden -= 1
        elif hidden:
            continue
        elif capture is not None and el is capture_root:
            kind = "literal" if tag == "pre" else "heading"
            yield kind, HEADING_TAGS.get(tag, 0), capture[0][0] if capture else line, capture
            capture, capture_root = None, None
        elif tag in CONTAINER_TAGS and capture is None and stack:
            yield from _flush(stack)
            stack.pop()
        target = capture if capture is not None else (stack[-1][1] if stack else None)
        if target is not None and not hidden:
            _piece(target, line, el.tail)
        line += (el.tail or "").count("\n")
    while stack:
        yield from _flush(stack)
        stack.pop()


def _piece(pieces: list[tuple[int, str]], line: int, text: str | None) -> None:
    if text:
        pieces.append((line, text))


def _flush(stack: list[tuple[str, list[tuple[int, str]]]]) -> Iterator[Run]:
    kind, pieces = stack[-1]
    if any(text.strip() for _, text in pieces):
        yield kind, 0, pieces[0][0], list(pieces)
    pieces.clear()

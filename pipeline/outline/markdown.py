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
from dataclasses import dataclass, field

from lxml import etree

from pipeline.outline.builder import OutlineBuilder
from pipeline.outline.model import BlockKind, Outline
from pipeline.rules import Rules
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


def _html_runs(root: etree._Element) -> Iterator[Run]:
    """Headings, ``<pre>`` blocks and runs of text of an HTML tree, in document order.

    A run is the text a container (``<p>``, ``<li>``, ``<body>``...) holds directly or through
    inline elements, up to its next nested block; each piece keeps an estimate of its line
    (the element's ``sourceline`` plus the line breaks read since). Walks with ``iterwalk``:
    no nesting depth exhausts the recursion limit. Each start and end event goes to the first
    rule of ``START_RULES`` / ``END_RULES`` that takes it.
    """
    walk = RunWalk()
    for event, el in etree.iterwalk(root, events=("start", "end")):
        walk.el, walk.tag = el, el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            if isinstance(el.sourceline, int):
                walk.line = el.sourceline
            START_RULES.decide(walk)
        else:
            if END_RULES.first(walk) != "hidden":
                walk.tail()
        if walk.done:
            yield from walk.done
            walk.done.clear()
    while walk.stack:
        yield from _flush(walk.stack)
        walk.stack.pop()


@dataclass(slots=True)
class RunWalk:
    """The state of one walk over an HTML tree: the element at hand, the open containers, what is captured."""

    el: etree._Element | None = None
    tag: str = ""
    line: int = 1
    stack: list[tuple[str, list[tuple[int, str]]]] = field(default_factory=list)  # open containers: kind, pieces
    hidden: int = 0  # enclosing elements whose content is not read as runs
    capture: list[tuple[int, str]] | None = None  # pieces of the heading or <pre> being read
    capture_root: etree._Element | None = None
    done: list[Run] = field(default_factory=list)  # runs complete, to hand on

    def text(self, target: list[tuple[int, str]], text: str | None) -> None:
        """Add ``text`` to ``target`` at the current line; the line moves past its line breaks."""
        _piece(target, self.line, text)
        self.line += (text or "").count("\n")

    def close_run(self) -> None:
        """The run of the innermost open container ends here (a nested block starts or it closes)."""
        if self.stack:
            self.done.extend(_flush(self.stack))

    def tail(self) -> None:
        """The text after the element's end belongs to what encloses it."""
        assert self.el is not None
        target = self.capture if self.capture is not None else (self.stack[-1][1] if self.stack else None)
        if target is not None and not self.hidden:
            _piece(target, self.line, self.el.tail)
        self.line += (self.el.tail or "").count("\n")


# --- start rules: each returns True when it took the element -------------------------------


def hidden_start(walk: RunWalk) -> bool | None:
    """A table, script or style (or anything inside one) is not text here."""
    if walk.hidden or walk.tag in HIDDEN_TAGS:
        walk.hidden += walk.tag in HIDDEN_TAGS
        return True
    return None


def inside_capture(walk: RunWalk) -> bool | None:
    """Inside a heading or ``<pre>``, every element's text belongs to it."""
    if walk.capture is None:
        return None
    assert walk.el is not None
    walk.text(walk.capture, walk.el.text)
    return True


def heading_or_pre_start(walk: RunWalk) -> bool | None:
    """A heading or ``<pre>`` starts a capture (ending the run before it)."""
    if walk.tag not in HEADING_TAGS and walk.tag != "pre":
        return None
    assert walk.el is not None
    walk.close_run()
    walk.capture, walk.capture_root = [], walk.el
    walk.text(walk.capture, walk.el.text)
    return True


def container_start(walk: RunWalk) -> bool | None:
    """A container (``<p>``, ``<li>``...) opens a run of its own (ending the one before it)."""
    if walk.tag not in CONTAINER_TAGS:
        return None
    assert walk.el is not None
    walk.close_run()
    walk.stack.append(("item" if walk.tag in ("li", "dt") else "paragraph", []))
    walk.text(walk.stack[-1][1], walk.el.text)
    return True


def inline_start(walk: RunWalk) -> bool:
    """An inline element's text continues the open run (``<br>`` is a space)."""
    assert walk.el is not None
    if walk.stack:
        walk.text(walk.stack[-1][1], " " if walk.tag == "br" else walk.el.text)
    return True


#: The rules for an element's start, in order; ``inline_start`` always takes it.
START_RULES: Rules[RunWalk, bool] = Rules((
    hidden_start, inside_capture, heading_or_pre_start, container_start, inline_start,
))


# --- end rules: the first that takes the end event; the element's tail is read after, unless hidden ---


def hidden_end(walk: RunWalk) -> str | None:
    """The end of a hidden element (its tail is read), or of anything inside one (``hidden``: nor is its tail)."""
    if walk.tag in HIDDEN_TAGS and walk.hidden:
        walk.hidden -= 1
        return "closed"
    return "hidden" if walk.hidden else None


def capture_end(walk: RunWalk) -> str | None:
    """The end of the heading or ``<pre>`` being captured: it is complete."""
    if walk.capture is None or walk.el is not walk.capture_root:
        return None
    kind = "literal" if walk.tag == "pre" else "heading"
    walk.done.append((kind, HEADING_TAGS.get(walk.tag, 0), walk.capture[0][0] if walk.capture else walk.line,
                      walk.capture))
    walk.capture, walk.capture_root = None, None
    return "closed"


def container_end(walk: RunWalk) -> str | None:
    """The end of a container: its run is complete."""
    if walk.tag in CONTAINER_TAGS and walk.capture is None and walk.stack:
        walk.close_run()
        walk.stack.pop()
        return "closed"
    return None


#: The rules for an element's end, in order; an end no rule takes (an inline element's) needs nothing.
END_RULES: Rules[RunWalk, str] = Rules((hidden_end, capture_end, container_end))


def _piece(pieces: list[tuple[int, str]], line: int, text: str | None) -> None:
    if text:
        pieces.append((line, text))


def _flush(stack: list[tuple[str, list[tuple[int, str]]]]) -> Iterator[Run]:
    kind, pieces = stack[-1]
    if any(text.strip() for _, text in pieces):
        yield kind, 0, pieces[0][0], list(pieces)
    pieces.clear()

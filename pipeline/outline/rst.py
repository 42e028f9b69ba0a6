"""The outline of a reStructuredText page, read line by line (nothing is executed, as in ``parsers.rst``).

Section titles are underlined (and maybe overlined) by a punctuation character; their level is
the order in which each style first appears, as docutils assigns it. Grid and simple tables are
found by the table parser (``find_table_blocks``) and are not text. ``.. code-block::`` bodies and
the indented block after a paragraph ending in ``::`` are literal blocks; an admonition
(``.. note::``) is markup, its body is read as text; other directives' bodies are not text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.outline.builder import OutlineBuilder
from pipeline.outline.model import BlockKind, Outline
from pipeline.parsers.rst import find_table_blocks, rst_inline_text
from pipeline.rules import Rules

#: A title adornment: one punctuation character repeated (docutils allows any of these).
_ADORNMENT = re.compile(r"([=\-~^\"'`#*+<>:._])\1++[ \t]*+")
#: ``.. name:: arguments`` (the line already stripped); a name may hold single colons (``py:function``).
_DIRECTIVE = re.compile(r"\.\.[ \t]++([A-Za-z0-9_+-]++(?::[A-Za-z0-9_+-]++)*+)::(?![^ \t])[ \t]*+(.*+)")
#: A list item marker at the start of a stripped line: bullets and enumerators (``-``, ``#.``, ``1.``, ``(a)``).
_ITEM = re.compile(r"(?:[-*+\u2022]|#\.|[0-9]{1,9}[.)]|\([0-9]{1,9}\)|[A-Za-z][.)]|\([A-Za-z]\))(?:[ \t]|$)")
#: A field list line (``:original_name: x.html``, a directive option ``:widths: 1 2``).
_FIELD = re.compile(r":[A-Za-z0-9_ -]{1,64}:(?:[ \t]|$)")
#: Directives whose body is code, shown verbatim: a literal block.
LITERAL_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "parsed-literal"})
#: Directives that are markup around text: their argument and body are read as text.
TEXT_DIRECTIVES = frozenset({
    "note", "important", "caution", "warning", "tip", "hint", "attention", "danger", "error", "admonition",
    "table", "container", "rubric", "topic", "sidebar",
})


def rst_outline(text: str, table_lines: Sequence[tuple[int, int]] | None = None) -> Outline:
    """Sections and blocks of an RST page (see the module docstring).

    ``table_lines``: the ``(first, end)`` line ranges of the page's table blocks as the table parser
    found them (``Page.table_lines``); when not given they are found here (a second scan of the page).
    """
    lines = text.splitlines()
    if table_lines is None:
        blocks, _ = find_table_blocks(lines, "")  # what is not read is the table parser's to report
        table_lines = [(block.start, block.start + len(block.lines)) for block in blocks]
    scan = OutlineScan(lines, {i for first, end in table_lines for i in range(first, end)}, OutlineBuilder("rst"))
    while scan.i < len(lines):
        scan.i = OUTLINE_RULES.decide(scan)
    scan.flush()
    return scan.builder.finish()


@dataclass(slots=True)
class OutlineScan:
    """The state of one scan of an RST page's lines: where it is, the paragraph being read, the title styles."""

    lines: list[str]
    table_lines: set[int]
    builder: OutlineBuilder
    i: int = 0
    styles: list[tuple[str, bool]] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # the raw lines of the paragraph or item being read
    pending_start: int = 0
    pending_kind: BlockKind = "paragraph"

    @property
    def stripped(self) -> str:
        return self.lines[self.i].strip()

    def flush(self) -> None:
        """Add the paragraph or item being read as a block."""
        if self.pending:
            self.builder.block(self.pending_kind, self.pending_start + 1, [rst_inline_text(x) for x in self.pending],
                               rst_inline_text("\n".join(self.pending)))
        self.pending = []

    def level(self, char: str, overline: bool) -> int:
        """A title style's level: the order in which the styles first appear (as docutils has it)."""
        if (char, overline) not in self.styles:
            self.styles.append((char, overline))
        return self.styles.index((char, overline)) + 1


# --- the line rules: each returns the index of the next line to look at, or passes with None ------


def table_or_blank_line(scan: OutlineScan) -> int | None:
    """A line of a table block (the parser reads tables) or a blank line ends the paragraph being read."""
    if scan.i in scan.table_lines or not scan.stripped:
        scan.flush()
        return scan.i + 1
    return None


def section_title(scan: OutlineScan) -> int | None:
    """A section title (underlined, maybe overlined) opens a section."""
    title = _title_at(scan.lines, scan.i, scan.table_lines)
    if title is None:
        return None
    scan.flush()
    heading, char, overline, consumed = title
    scan.builder.heading(rst_inline_text(heading), scan.level(char, overline), scan.i + 1 + (1 if overline else 0))
    return scan.i + consumed


def transition(scan: OutlineScan) -> int | None:
    """A lone line of punctuation is a transition, not text."""
    if _ADORNMENT.fullmatch(scan.stripped):
        scan.flush()
        return scan.i + 1
    return None


def directive_or_comment(scan: OutlineScan) -> int | None:
    """``.. name::`` (see ``_directive``), a comment or a target."""
    if not scan.stripped.startswith(".."):
        return None
    scan.flush()
    line = scan.lines[scan.i]
    return _directive(scan.lines, scan.i, len(line) - len(line.lstrip()), scan.builder)


def field_line(scan: OutlineScan) -> int | None:
    """A field list line (``:original_name: x.html``) is metadata, not text."""
    if _FIELD.match(scan.stripped):
        scan.flush()
        return scan.i + 1
    return None


def text_line(scan: OutlineScan) -> int:
    """A line of running text: it continues the paragraph, or opens a list item; ``::`` ends it before a literal."""
    line = scan.lines[scan.i]
    stripped = scan.stripped
    item = _ITEM.match(stripped)
    if item:
        scan.flush()
    if not scan.pending:
        scan.pending_start = scan.i
        scan.pending_kind = "item" if item else "paragraph"
    literal_follows = stripped.endswith("::")
    if literal_follows:
        stripped = stripped[:-2].rstrip() + (":" if stripped[:-2] and not stripped[:-2].endswith(" ") else "")
    scan.pending.append(stripped[2:] if stripped.startswith("| ") else stripped)
    if not literal_follows:
        return scan.i + 1
    scan.flush()
    return _literal_body(scan.lines, scan.i + 1, len(line) - len(line.lstrip()), scan.builder)


#: The line rules in the order they are tried; ``text_line`` always decides.
OUTLINE_RULES: Rules[OutlineScan, int] = Rules((
    table_or_blank_line, section_title, transition, directive_or_comment, field_line, text_line,
))


def _title_at(lines: list[str], i: int, table_lines: set[int]) -> tuple[str, str, bool, int] | None:
    """``(title, adornment character, overlined, lines used)`` when a section title starts at line ``i``.

    ``Function`` underlined by ``--------`` (as wide as the text at least) is a title; so is a
    text line between an overline and an underline of the same character.
    """
    line = lines[i]
    if i + 1 >= len(lines) or (i + 1) in table_lines:
        return None
    below = lines[i + 1].rstrip()
    over = _ADORNMENT.fullmatch(line.rstrip())
    if over and i + 2 < len(lines):
        text, under = lines[i + 1], lines[i + 2].rstrip()
        if (text.strip() and not _ADORNMENT.fullmatch(text.strip()) and under == line.rstrip()
                and len(under) >= len(text.rstrip())):
            return text.strip(), under[0], True, 3
        return None
    if over or line[:1].isspace() or line.startswith(".. "):
        return None
    under_match = _ADORNMENT.fullmatch(below)
    if under_match and len(below) >= len(line.rstrip()) and len(below) >= 2:
        return line.strip(), below[0], False, 2
    return None


def _directive(lines: list[str], i: int, indent: int, builder: OutlineBuilder) -> int:
    """Read the directive (or comment) at line ``i``; the index of the first line after what it consumed."""
    match = _DIRECTIVE.fullmatch(lines[i].strip())
    if match is None:  # a comment or a target (``.. _label:``): not text; its indented body neither
        return _body_end(lines, i + 1, indent) if lines[i].strip() == ".." else i + 1
    name, argument = match.group(1).lower(), match.group(2)
    if name in LITERAL_DIRECTIVES:
        return _literal_body(lines, i + 1, indent, builder, skip_options=True)
    if name in TEXT_DIRECTIVES:
        if argument and name != "table":
            builder.block("paragraph", i + 1, [rst_inline_text(argument)], rst_inline_text(argument))
        return i + 1  # the body is indented text, read as such
    return _body_end(lines, i + 1, indent)


def _body_end(lines: list[str], j: int, indent: int) -> int:
    """The index of the first non-blank line at most as indented as ``indent``, from ``j`` on."""
    while j < len(lines):
        text = lines[j]
        if text.strip() and len(text) - len(text.lstrip()) <= indent:
            break
        j += 1
    return j


def _literal_body(lines: list[str], j: int, indent: int, builder: OutlineBuilder, skip_options: bool = False) -> int:
    """Add the indented block from line ``j`` on as a literal block; the index of the line after it."""
    end = _body_end(lines, j, indent)
    start = j
    if skip_options:
        while start < end and (_FIELD.match(lines[start].strip()) or not lines[start].strip()):
            start += 1
    while start < end and not lines[start].strip():
        start += 1
    last = end
    while last > start and not lines[last - 1].strip():
        last -= 1
    body = lines[start:last]
    if body:
        margin = min(len(x) - len(x.lstrip()) for x in body if x.strip())
        builder.block("literal", start + 1, [x[margin:].rstrip() for x in body])
    return end

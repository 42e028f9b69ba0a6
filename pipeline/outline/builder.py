"""Collects headings and blocks in document order into an ``Outline`` (shared by the outliners)."""

from __future__ import annotations

from pipeline.outline.model import Block, BlockKind, Outline, Section
from pipeline.text import collapse_whitespace


class OutlineBuilder:
    """Headings and blocks are added in document order; ``finish`` returns the outline."""

    def __init__(self, source_format: str) -> None:
        self._format = source_format
        self._sections: list[Section] = []
        self._title, self._level, self._line = "", 0, 0
        self._blocks: list[Block] = []
        self._open: list[int] = []  # indexes of the sections enclosing the next heading, outermost first

    def heading(self, title: str, level: int, line: int) -> None:
        """Close the current section and open one under this heading."""
        self._close()
        self._title, self._level, self._line = collapse_whitespace(title), level, line

    def block(self, kind: BlockKind, line: int, lines: list[str], text: str | None = None) -> None:
        """Add a block whose first source line is ``line``; a block without text is dropped."""
        if text is None:
            text = "\n".join(lines).strip("\n") if kind == "literal" else collapse_whitespace(" ".join(lines))
        if text.strip():
            self._blocks.append(Block(kind, line, tuple(lines), text))

    def _close(self) -> None:
        index = len(self._sections)
        while self._open and self._sections[self._open[-1]].level >= self._level:
            self._open.pop()
        parent = self._open[-1] if self._open and self._level > 0 else None
        self._sections.append(Section(self._title, self._level, self._line, tuple(self._blocks), index, parent))
        if self._level > 0:
            self._open.append(index)
        self._blocks = []

    def finish(self) -> Outline:
        """The outline of everything added."""
        self._close()
        return Outline(self._format, tuple(self._sections), tuple(s.line for s in self._sections))

"""The outline's records: a page's sections and the text blocks inside them, with source lines."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

#: paragraph: running text; item: a list item's own text; literal: a code or literal block, verbatim.
BlockKind = Literal["paragraph", "item", "literal"]


@dataclass(frozen=True, slots=True)
class Block:
    """A run of text inside a section: ``lines[k]`` is the text of source line ``line + k``, markup removed.

    ``text`` is the whole block as plain text (a literal block keeps its line breaks).
    """

    kind: BlockKind
    line: int
    lines: tuple[str, ...]
    text: str

    def numbered(self) -> Iterator[tuple[int, str]]:
        """``(source line, text)`` of each line of the block."""
        for offset, text in enumerate(self.lines):
            yield self.line + offset, text


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the blocks up to the next heading of any level.

    ``level`` 1 is the page title; the text before the first heading is a section of level 0
    with an empty title and line 0.
    """

    title: str
    level: int
    line: int
    blocks: tuple[Block, ...]
    #: Its position in ``Outline.sections``, and that of the section enclosing it (``None`` at the top).
    index: int = 0
    parent: int | None = None


@dataclass(frozen=True, slots=True)
class Outline:
    """The sections of a page in document order, the first one the preamble (level 0)."""

    format: str
    sections: tuple[Section, ...]
    #: The heading line of each section (what ``section_at`` searches).
    starts: tuple[int, ...] = ()

    @property
    def title(self) -> str | None:
        """The first heading's text (the page title)."""
        return next((s.title for s in self.sections if s.level > 0 and s.title), None)

    def section_at(self, line: int | None) -> Section:
        """The innermost section holding source ``line`` (a table's line, a block's line).

        >>> from pipeline.outline import outline
        >>> o = outline("Title\\n=====\\n\\nURI\\n---\\n\\nGET /v1/x\\n", "rst")
        >>> o.section_at(7).title
        'URI'
        """
        if line is None:
            return self.sections[0]
        return self.sections[max(0, bisect_right(self.starts, line) - 1)]

    def parents(self, section: Section) -> tuple[Section, ...]:
        """The sections enclosing ``section``, outermost first (each of a lower level, before it)."""
        found: list[Section] = []
        parent = section.parent
        while parent is not None:
            found.append(self.sections[parent])
            parent = self.sections[parent].parent
        return tuple(reversed(found))

    def subtree(self, section: Section) -> tuple[Section, ...]:
        """``section`` and the sections nested under it (until the next heading of its level or higher)."""
        found = [section]
        for candidate in self.sections[section.index + 1:]:
            if section.level > 0 and candidate.level <= section.level:
                break
            found.append(candidate)
        return tuple(found)

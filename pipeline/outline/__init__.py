"""A page's outline: its sections (headings) and the text blocks of each, with their source lines.

Tables are not text here: the parsers read them (``pipeline.parsers``), and a table's
``line`` finds its section with ``Outline.section_at``. One outliner per source format,
registered by the sniffed format name like the parsers are.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.model import Page
from pipeline.outline.markdown import markdown_outline
from pipeline.outline.model import Block, BlockKind, Outline, Section
from pipeline.outline.rst import rst_outline

__all__ = ["OUTLINERS", "Block", "BlockKind", "Outline", "Section", "outline", "page_outline"]

#: One outliner per sniffed source format; markdown pages are sniffed as ``html``.
OUTLINERS: dict[str, Callable[[str], Outline]] = {"rst": rst_outline, "html": markdown_outline}


def outline(text: str, source_format: str) -> Outline:
    """The outline of a page in a sniffed format (``rst``, or ``html`` for HTML and markdown+HTML pages)."""
    return OUTLINERS[source_format](text)


def page_outline(page: Page, text: str) -> Outline:
    """The outline of a parsed page's ``text``: an RST page's table blocks are the ones its parser cut out.

    (A page built by hand, with tables and no ``table_lines``, has its table blocks found again.)
    """
    if page.source_format == "rst":
        return rst_outline(text, page.table_lines if page.table_lines or not page.tables else None)
    return outline(text, page.source_format)

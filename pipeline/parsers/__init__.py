"""Parsers, one module per source format, registered by the sniffed format name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from pipeline.model import Location, Page
from pipeline.parsers.controls import control_characters
from pipeline.parsers.html import parse_html
from pipeline.parsers.nul import NUL, parse_with_nul
from pipeline.parsers.rst import parse_rst
from pipeline.problems import TOO_MANY_TABLES
from pipeline.sources import PageText

#: Tables read per page; the rest of a page of 40,000 ``<table>`` tags is reported, not read.
MAX_TABLES_PER_PAGE = 5000

PARSERS: dict[str, Callable[[PageText], Page]] = {
    "html": parse_html,
    "rst": parse_rst,
}


def parse_page(page: PageText) -> Page:
    """Parse a decoded page with the parser registered for its sniffed format.

    Rows holding a NUL are not read (``parse_with_nul``); rows holding another control
    character are read and reported (``control_characters``).
    """
    parse = PARSERS[page.format]
    parsed = limit_tables(parse_with_nul(page, parse) if NUL in page.text else parse(page))
    controls = control_characters(parsed)
    return replace(parsed, problems=parsed.problems + tuple(controls)) if controls else parsed


def limit_tables(page: Page) -> Page:
    """The page with its first ``MAX_TABLES_PER_PAGE`` tables, the others (and their problems) dropped and reported.

    No real page has more than a few dozen tables; a page of thousands is hostile or broken,
    and its output must stay bounded (``pipeline.normalize.limits`` bounds its issues).
    """
    if len(page.tables) <= MAX_TABLES_PER_PAGE:
        return page
    dropped = page.tables[MAX_TABLES_PER_PAGE]
    kept = tuple(p for p in page.problems if p.location.table_index is None
                 or p.location.table_index < MAX_TABLES_PER_PAGE)
    issue = TOO_MANY_TABLES.at(Location(page.source_path, dropped.line, dropped.index),
                               f"the page has {len(page.tables)} tables; only the first {MAX_TABLES_PER_PAGE} are "
                               f"read, the other {len(page.tables) - MAX_TABLES_PER_PAGE} are not")
    return replace(page, tables=page.tables[:MAX_TABLES_PER_PAGE], problems=(*kept, issue))

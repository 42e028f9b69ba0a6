"""Parsers, one module per source format, registered by the sniffed format name."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.model import Page
from pipeline.parsers.html import parse_html
from pipeline.parsers.nul import NUL, parse_with_nul
from pipeline.parsers.rst import parse_rst
from pipeline.sources import PageText

PARSERS: dict[str, Callable[[PageText], Page]] = {
    "html": parse_html,
    "rst": parse_rst,
}


def parse_page(page: PageText) -> Page:
    """Parse a decoded page with the parser registered for its sniffed format (rows holding NUL not read)."""
    parse = PARSERS[page.format]
    return parse_with_nul(page, parse) if NUL in page.text else parse(page)

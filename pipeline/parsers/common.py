"""Small pieces of vendor knowledge shared by the HTML and RST parsers."""

from __future__ import annotations

import re

from pipeline.text import collapse_whitespace

_TABLE_LABEL = re.compile(r"^\s*Table\s*\d+(?:\s*[-.:]\s*\d+)*\s*[.:]?\s*", re.IGNORECASE)


def strip_table_label(text: str | None) -> str | None:
    """Drop the ``Table N`` prefix of a table title; ``None`` when nothing is left.

    >>> strip_table_label("Table  1  Return values for successful requests")
    'Return values for successful requests'
    """
    if text is None:
        return None
    title = collapse_whitespace(_TABLE_LABEL.sub("", collapse_whitespace(text.replace("*", " ")), count=1))
    return title or None

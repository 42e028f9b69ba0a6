"""Page text made safe for the diff's Markdown view (shared by the dataset and the API renderers)."""

from __future__ import annotations

import html
import re

from pipeline.text import escape_controls

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")


def md_escape(text: str) -> str:
    """Text safe inside a Markdown table cell, on one line.

    Controls and bidi characters are escaped (``escape_controls``, so a newline is ``\\n``),
    then HTML is escaped and Markdown specials, pipes and backticks are backslashed.
    """
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(escape_controls(text).split()), quote=False))

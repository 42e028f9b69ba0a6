"""Telling HTML from reStructuredText by a page's content, never by its file name."""

from __future__ import annotations

import os
import re

from pipeline.errors import UnsupportedInput
from pipeline.model import SourceFormat

_HTML_MARKUP = re.compile(r"<(?:table|html|body|div|p|h[1-6]|a|ul|ol|span|!doctype)\b", re.IGNORECASE)
#: Directives, ``:original_name:``, labels, title underlines, or a simple table border (``===  ===``).
_RST_MARKUP = re.compile(r"^(?::original_name:|\.\. [A-Za-z_-]+::|\.\. _[^:\n]+:|[=\-~^\"'`#*+]{4,}\s*$"
                         r"|=+(?: +=+)+ *$)", re.MULTILINE)


#: The format a documentation file's extension declares: trusted only when the content shows neither.
DECLARED_FORMATS: dict[str, SourceFormat] = {".rst": "rst", ".md": "html", ".html": "html", ".htm": "html"}


def sniff_format(text: str, source_path: str) -> SourceFormat:
    """Tell HTML from reStructuredText by content first, by the file's extension only when content shows neither.

    Our HTML pages are either full exports (``<a name=..>``, ``<h1 class="topictitle1">``)
    or a markdown heading line followed by raw ``<table>`` markup saved as ``.md``; RST
    pages have directives, ``:original_name:`` and title underlines. A page with none of
    these (a ``CONTRIBUTING.rst`` of plain paragraphs, a ``.md`` of plain markdown) is what its
    extension says (markdown is read as HTML, where its raw-HTML tables would be); with no
    documentation extension either, it is refused.
    """
    head = text.lstrip()
    starts_html = head.startswith("<") or (head.startswith("# ") and "<table" in text.lower())
    if starts_html:
        return "html"
    if _RST_MARKUP.search(text):
        return "rst"
    if _HTML_MARKUP.search(text):
        return "html"
    declared = DECLARED_FORMATS.get(os.path.splitext(source_path)[1].lower())
    if declared is not None:
        return declared
    raise UnsupportedInput("neither HTML nor reStructuredText: no tables, markup or directives found", source_path, 1)


"""The reference RST reader (a test oracle): the whole page through docutils, safely, for checking the fast path.

``pipeline.parsers.rst`` cuts table blocks out of the text and never builds a document tree.
This module builds the full tree the way docutils would render the page, with every file
and raw-content feature off and configuration files ignored, and lists each table's cell
texts. Tests compare the two on the whole corpus; ``pipeline`` itself never builds a document tree.
"""

from __future__ import annotations

import io
from typing import Any

from docutils import nodes
from docutils.core import publish_doctree

from pipeline.text import collapse_whitespace


def docutils_settings() -> dict[str, Any]:
    """Settings for untrusted input: no file insertion, no raw output, no docutils.conf, no chatter."""
    return {
        "file_insertion_enabled": False,
        "raw_enabled": False,
        "_disable_config": True,
        "report_level": 5,
        "halt_level": 5,
        "warning_stream": io.StringIO(),
        "input_encoding": "unicode",
    }


def _cell_text(entry: nodes.Element) -> str:
    """The entry's text, paragraphs apart, without the text of docutils' own warning nodes."""
    parts: list[str] = []

    def visit(node: nodes.Node) -> None:
        if isinstance(node, nodes.system_message):
            return
        if isinstance(node, nodes.Text):
            parts.append(node.astext())
            return
        if isinstance(node, (nodes.paragraph, nodes.list_item, nodes.line)):
            parts.append(" ")
        for child in node.children:
            visit(child)
        if isinstance(node, (nodes.paragraph, nodes.list_item, nodes.line)):
            parts.append(" ")

    visit(entry)
    return collapse_whitespace("".join(parts))


def reference_tables(text: str) -> list[list[list[str]]]:
    """For each table of the page, in document order: its rows (header rows first) of cell texts."""
    doctree = publish_doctree(text, settings_overrides=docutils_settings())
    tables = []
    for table in doctree.findall(nodes.table):
        rows = [[_cell_text(entry) for entry in row.findall(nodes.entry)] for row in table.findall(nodes.row)]
        tables.append(rows)
    return tables

"""Control characters in a page's cells (an ANSI colour sequence, a backspace): reported, never hidden.

A cell holding ``\\x1b[1mBold\\x1b[0m`` is text someone pasted from a terminal. The row is read
as written (a status cell holding one reads as no code and is reported as such); each title,
header and row holding a control character gets one ``control-character`` warning with its
location, and every message and printed line shows the characters escaped (``\\x1b``), never raw.
NUL has its own rule (``pipeline.parsers.nul``): the row holding one is not read.
"""

from __future__ import annotations

import re

from pipeline.model import Issue, Location, Page
from pipeline.problems import CONTROL_CHARACTER

#: C0 controls other than NUL and whitespace, DEL and the C1 controls.
_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1b\x7f-\x9f]")


def _described(texts: list[str]) -> str | None:
    found = sorted({ch for text in texts for ch in _CONTROL.findall(text)})
    if not found:
        return None
    names = ", ".join(repr(ch)[1:-1] for ch in found)
    return f"control characters ({names}) in the text, an ANSI escape sequence or a terminal paste; kept as written"


def control_characters(page: Page) -> list[Issue]:
    """One warning per page title, table title or header, and row holding a control character."""
    issues: list[Issue] = []
    path = page.source_path
    title = _described([page.title or ""])
    if title:
        issues.append(CONTROL_CHARACTER.at(Location(path), f"page title: {title}"))
    for table in page.tables:
        head = _described([table.title or "", *table.header])
        if head:
            issues.append(CONTROL_CHARACTER.at(Location(path, table.line, table.index), f"table title or header: "
                                                                                         f"{head}"))
        for row_index, row in enumerate(table.rows):
            found = _described([cell.text for cell in row.cells if not cell.spanned and not cell.colspan_copy])
            if found:
                issues.append(CONTROL_CHARACTER.at(Location(path, row.line, table.index, row_index), found))
    return issues

"""CSV: RFC 4180 (CRLF line ends, double-quote escaping), UTF-8, header row.

Quoting is done here rather than by the ``csv`` module because CPython 3.11.7's writer
leaves a bare ``\\r`` unquoted, which a reader takes as a line break. Any field holding a
comma, a quote, CR or LF, or leading/trailing spaces is quoted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pipeline.exporters.rows import record_rows
from pipeline.model import ErrorCodeRecord, StatusCodeRecord
from pipeline.schema import Resource

#: Leading characters a spreadsheet treats as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


#: A field that must be quoted: a comma, quote, CR or LF anywhere, or a space at either end.
_NEEDS_QUOTES = re.compile(r'[,"\r\n]|\A | \Z')


def csv_field(value: object) -> str:
    """One field: empty for null, decimal for integers, quoted when it must be."""
    if value is None:
        return ""
    text = str(value)
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values: tuple[object, ...] | list[object]) -> str:
    """One CSV record with its CRLF line end."""
    return ",".join(map(csv_field, values)) + "\r\n"


def neutralise_formula(text: str) -> str:
    """OWASP's advice: prefix a cell that starts like a formula with a single quote."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def neutralise_row(row: tuple[Any, ...]) -> tuple[tuple[Any, ...], int]:
    """The row with every formula-like text cell neutralised, and how many were."""
    safe = tuple(neutralise_formula(v) if isinstance(v, str) else v for v in row)
    return safe, sum(1 for a, b in zip(row, safe, strict=True) if a != b)


def render_csv(resource: Resource, records: Sequence[StatusCodeRecord] | Sequence[ErrorCodeRecord],
               safe: bool = False) -> tuple[str, int]:
    """The CSV text and the number of cells neutralised (``safe=True``)."""
    lines = [csv_line(resource.column_names)]
    neutralised = 0
    for row in record_rows(records):
        if safe:
            row, count = neutralise_row(row)
            neutralised += count
        lines.append(csv_line(row))
    return "".join(lines), neutralised

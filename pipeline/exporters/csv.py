"""CSV: RFC 4180 (CRLF line ends, double-quote escaping), UTF-8, header row.

Quoting is done here rather than by the ``csv`` module because CPython 3.11.7's writer
leaves a bare ``\\r`` unquoted, which a reader takes as a line break. Any field holding a
comma, a quote, CR or LF, or leading/trailing spaces is quoted.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.exporters.rows import record_rows
from pipeline.model import ErrorCodeRecord, StatusCodeRecord
from pipeline.schema import Resource

#: Leading characters a spreadsheet treats as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_field(value: object) -> str:
    """One field: empty for null, decimal for integers, quoted when it must be."""
    if value is None:
        return ""
    text = str(value)
    if any(ch in text for ch in ',"\r\n') or text != text.strip(" "):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values: tuple[object, ...] | list[object]) -> str:
    """One CSV record with its CRLF line end."""
    return ",".join(csv_field(v) for v in values) + "\r\n"


def neutralise_formula(text: str) -> str:
    """OWASP's advice: prefix a cell that starts like a formula with a single quote."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def render_csv(resource: Resource, records: Sequence[StatusCodeRecord] | Sequence[ErrorCodeRecord],
               safe: bool = False) -> tuple[str, int]:
    """The CSV text and the number of cells neutralised (``safe=True``)."""
    lines = [",".join(csv_field(name) for name in resource.column_names)]
    neutralised = 0
    for row in record_rows(records):
        cells = []
        for value in row:
            if safe and isinstance(value, str):
                safe_value = neutralise_formula(value)
                neutralised += safe_value != value
                value = safe_value
            cells.append(csv_field(value))
        lines.append(",".join(cells))
    return "".join(line + "\r\n" for line in lines), neutralised


def write_csv(path: Path, resource: Resource,
              records: Sequence[StatusCodeRecord] | Sequence[ErrorCodeRecord]) -> None:
    path.write_bytes(render_csv(resource, records)[0].encode("utf-8"))

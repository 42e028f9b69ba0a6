"""CSV: RFC 4180 (CRLF line ends, double-quote escaping, minimal quoting), UTF-8, header row.

Written by ``csv.writer(lineterminator="\\r\\n")``: it quotes a field holding a comma, a
quote, CR or LF. (Unlike the quoter it replaces, it leaves a field with a leading or
trailing space unquoted; RFC 4180 keeps such spaces either way, and no record field has
them: every text is whitespace-collapsed and stripped.) Null is the empty field, integers
are decimal, booleans ``true``/``false``, a list its JSON array (``Field.cell_text``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pipeline.datasets import DatasetRecord, Resource
from pipeline.exporters.rows import record_rows

#: Leading characters a spreadsheet treats as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_lines(resource: Resource, rows: Iterable[tuple[Any, ...]], safe: bool = False) -> tuple[str, int]:
    """Rows (in field order) as CSV lines, and how many cells were neutralised (``safe=True``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    texts = _texts(resource)
    neutralised = 0
    for row in rows:
        if safe:
            row, count = neutralise_row(row)
            neutralised += count
        if texts:
            row = tuple(v if v is None or text is None else text(v) for v, text in zip(row, texts, strict=True))
        writer.writerow(row)
    return buffer.getvalue(), neutralised


def _texts(resource: Resource) -> tuple[Callable[[Any], str] | None, ...]:
    """The CSV text function of each field where ``str()`` is not it; empty when none needs one."""
    texts = tuple(f.cell_text for f in resource.fields)
    return texts if any(texts) else ()


def csv_line(values: Sequence[object]) -> str:
    """One CSV record (the header, say) with its CRLF line end."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def neutralise_formula(text: str) -> str:
    """OWASP's advice: prefix a cell that starts like a formula with a single quote."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def neutralise_row(row: tuple[Any, ...]) -> tuple[tuple[Any, ...], int]:
    """The row with every formula-like text cell neutralised, and how many were."""
    safe = tuple(neutralise_formula(v) if isinstance(v, str) else v for v in row)
    return safe, sum(1 for a, b in zip(row, safe, strict=True) if a != b)


def render_csv(resource: Resource, records: Sequence[DatasetRecord], safe: bool = False) -> tuple[str, int]:
    """The CSV text of ``resource``'s records and the number of cells neutralised (``safe=True``)."""
    lines, neutralised = csv_lines(resource, record_rows(records), safe)
    return csv_line(resource.column_names) + lines, neutralised


def export(resource: Resource, records: Sequence[DatasetRecord]) -> bytes:
    """The CSV file of ``resource``."""
    return render_csv(resource, records)[0].encode("utf-8")


def export_safe(resource: Resource, records: Sequence[DatasetRecord]) -> bytes:
    """The CSV file of ``resource`` with formula-like cells neutralised (``--csv-safe``)."""
    return render_csv(resource, records, safe=True)[0].encode("utf-8")

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
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO

from pipeline.datasets import DatasetRecord, Resource
from pipeline.exporters.encoder import TextEncoder, encode
from pipeline.exporters.rows import record_rows

#: Leading characters a spreadsheet treats as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class CsvEncoder(TextEncoder):
    """The header line, then one line per record, written chunk by chunk.

    ``safe``: cells that start like a formula are neutralised (``--csv-safe``) and counted in
    ``neutralised``.
    """

    def __init__(self, resource: Resource, sink: BinaryIO, safe: bool = False) -> None:
        super().__init__(resource, sink)
        self.safe = safe
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")
        texts = tuple(f.cell_text for f in resource.fields)  # where str() is not a field's CSV text
        self.texts: tuple[Callable[[Any], str] | None, ...] = texts if any(texts) else ()
        self.writer.writerow(resource.column_names)
        self.sink.write(self._drain())

    def part(self, records: Sequence[DatasetRecord]) -> bytes:
        rows: Any = record_rows(records)
        if self.safe:
            rows = map(self._neutralised, rows)
        if self.texts:
            rows = (tuple(v if v is None or text is None else text(v) for v, text in zip(row, self.texts, strict=True))
                    for row in rows)
        self.writer.writerows(rows)
        return self._drain()

    def write_part(self, part: bytes, count: int) -> None:
        self.sink.write(part)

    def _neutralised(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        safe, count = neutralise_row(row)
        self.neutralised += count
        return safe

    def _drain(self) -> bytes:
        """What the CSV writer has made since the last drain, as UTF-8 (the buffer emptied)."""
        made = self.buffer.getvalue().encode("utf-8")
        self.buffer.seek(0)
        self.buffer.truncate()
        return made

    def close(self) -> None:
        """Nothing to finish: every line is written as its chunk comes."""


class SafeCsvEncoder(CsvEncoder):
    """``CsvEncoder`` with formula-like cells neutralised (``--csv-safe``)."""

    def __init__(self, resource: Resource, sink: BinaryIO) -> None:
        super().__init__(resource, sink, safe=True)


def neutralise_formula(text: str) -> str:
    """OWASP's advice: prefix a cell that starts like a formula with a single quote."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def neutralise_row(row: tuple[Any, ...]) -> tuple[tuple[Any, ...], int]:
    """The row with every formula-like text cell neutralised, and how many were."""
    safe = tuple(neutralise_formula(v) if isinstance(v, str) else v for v in row)
    return safe, sum(1 for a, b in zip(row, safe, strict=True) if a != b)


def export(resource: Resource, records: Sequence[DatasetRecord]) -> bytes:
    """The CSV file of ``resource``."""
    return encode(CsvEncoder, resource, records)


def export_safe(resource: Resource, records: Sequence[DatasetRecord]) -> bytes:
    """The CSV file of ``resource`` with formula-like cells neutralised (``--csv-safe``)."""
    return encode(SafeCsvEncoder, resource, records)

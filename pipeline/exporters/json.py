"""JSON: an array of records, UTF-8, keys in field order, one formatting (orjson's 2-space indent).

``orjson.dumps(value, option=OPT_INDENT_2)`` plus a final newline is byte for byte
``json.dumps(value, ensure_ascii=False, indent=2) + "\\n"`` for every value we write
(strings, integers, booleans, null, lists, dicts with string keys), about four times faster
than laying out containers by hand around the C scalar encoder, and it encodes the record
dataclasses themselves (fields in declared order) without building dicts first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, BinaryIO

import orjson

from pipeline.datasets import DatasetRecord, Resource
from pipeline.datasets.declaration import renamed_columns
from pipeline.exporters.encoder import TextEncoder, encode
from pipeline.exporters.rows import record_rows

_OPTIONS = orjson.OPT_INDENT_2


def dumps(value: Any) -> str:
    """The one JSON formatting of every file we write: 2-space indent, UTF-8 text, newline at the end."""
    return orjson.dumps(value, option=_OPTIONS | orjson.OPT_APPEND_NEWLINE).decode("utf-8")


#: How the records file wraps the objects of its chunks: ``OPEN`` objects (``SEPARATOR`` objects)... ``CLOSE``.
RECORDS_OPEN, RECORDS_SEPARATOR, RECORDS_CLOSE = b"[\n  {\n", b"\n  },\n  {\n", b"\n  }\n]\n"
#: The records file of no records.
NO_RECORDS = b"[]\n"


class JsonEncoder(TextEncoder):
    """The records as one JSON array, written chunk by chunk in the layout of ``dumps``."""

    def __init__(self, resource: Resource, sink: BinaryIO) -> None:
        super().__init__(resource, sink)
        self.count = 0

    def part(self, records: Sequence[DatasetRecord]) -> bytes:
        """The chunk's objects as ``dumps`` lays them out, without the array's brackets."""
        return orjson.dumps(encodable(records), option=_OPTIONS)[len(RECORDS_OPEN):-len(RECORDS_CLOSE) + 1]

    def write_part(self, part: bytes, count: int) -> None:
        self.sink.write(RECORDS_SEPARATOR if self.count else RECORDS_OPEN)
        self.sink.write(part)
        self.count += count

    def close(self) -> None:
        self.sink.write(RECORDS_CLOSE if self.count else NO_RECORDS)


def export(resource: Resource, records: Sequence[DatasetRecord]) -> bytes:
    """The JSON file of ``resource``: its records as an array of objects."""
    return encode(JsonEncoder, resource, records)


def encodable(records: Sequence[DatasetRecord]) -> list[Any]:
    """The records as orjson is given them: the dataclasses themselves, or dicts where a column is renamed
    (``in_`` is written ``in``, see ``renamed_columns``)."""
    names = renamed_columns(type(records[0])) if records else None
    if names is None:
        return list(records)
    return [dict(zip(names, row, strict=True)) for row in record_rows(records)]

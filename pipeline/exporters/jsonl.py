"""JSON Lines: one record per line, a compact JSON object with keys in field order, UTF-8, ``\\n`` ends.

For tools that stream (``jq -c``, ``duckdb read_json``, ``pipeline show --jsonl``): no array
to hold in memory, and the same records always give the same bytes, however they are chunked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from pipeline.datasets import DatasetRecord, Resource
from pipeline.exporters.encoder import TextEncoder, encode
from pipeline.exporters.json import encodable


def line(value: Any) -> bytes:
    """One JSON Lines line: a compact object (a record dataclass or a dict) and its newline."""
    return orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE)


def lines(values: Iterable[Any]) -> bytes:
    """The lines of ``values``, joined.

    Appended one by one to a buffer: each line's bytes are freed before the next is made (orjson
    makes every result in a buffer far larger than the line, and thousands of them alive at once,
    as a ``b"".join`` of a generator keeps them, cost tens of MB per chunk).
    """
    joined = bytearray()
    for value in values:
        joined += line(value)
    return bytes(joined)


class JsonlEncoder(TextEncoder):
    """One line per record, written chunk by chunk (a file of no records is empty)."""

    def part(self, records: Sequence[DatasetRecord]) -> bytes:
        return lines(encodable(records))

    def write_part(self, part: bytes, count: int) -> None:
        self.sink.write(part)

    def close(self) -> None:
        """Nothing to finish: every line is written as its chunk comes."""


def export(resource: Resource, records: Sequence[DatasetRecord]) -> bytes:
    """The JSON Lines file of ``resource``."""
    return encode(JsonlEncoder, resource, records)

"""JSON Lines: one record per line, a compact JSON object with keys in field order, UTF-8, ``\\n`` ends.

For tools that stream (``jq -c``, ``duckdb read_json``, ``pipeline show --jsonl``): no array
to hold in memory, and the same records always give the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from pipeline.datasets import DatasetRecord, Resource


def line(value: Any) -> bytes:
    """One JSON Lines line: a compact object (a record dataclass or a dict) and its newline."""
    return orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE)


def lines(values: Iterable[Any]) -> bytes:
    return b"".join(map(line, values))


def export(resource: Resource, records: Sequence[DatasetRecord]) -> bytes:
    """The JSON Lines file of ``resource``."""
    return lines(records)

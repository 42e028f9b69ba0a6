"""JSON: an array of records, UTF-8, keys in field order, one formatting (orjson's 2-space indent).

``orjson.dumps(value, option=OPT_INDENT_2)`` plus a final newline is byte for byte
``json.dumps(value, ensure_ascii=False, indent=2) + "\\n"`` for every value we write
(strings, integers, booleans, null, lists, dicts with string keys), about four times faster
than laying out containers by hand around the C scalar encoder, and it encodes the record
dataclasses themselves (fields in declared order) without building dicts first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from pipeline.datasets import Record, Resource
from pipeline.datasets.declaration import renamed_columns
from pipeline.exporters.rows import record_rows

_OPTIONS = orjson.OPT_INDENT_2


def dumps(value: Any) -> str:
    """The one JSON formatting of every file we write: 2-space indent, UTF-8 text, newline at the end."""
    return orjson.dumps(value, option=_OPTIONS | orjson.OPT_APPEND_NEWLINE).decode("utf-8")


def export(resource: Resource, records: Sequence[Record]) -> bytes:
    """The JSON file of ``resource``: its records as an array of objects."""
    return orjson.dumps(_encodable(records), option=_OPTIONS | orjson.OPT_APPEND_NEWLINE)


def _encodable(records: Sequence[Record]) -> list[Any]:
    """The records as orjson is given them: the dataclasses themselves, or dicts where a column is renamed."""
    names = renamed_columns(type(records[0])) if records else None
    if names is None:
        return list(records)
    return [dict(zip(names, row, strict=True)) for row in record_rows(records)]


#: How a records file wraps its objects (``objects``): ``OPEN`` + objects + ``CLOSE``, ``[]`` when there are none.
RECORDS_OPEN, RECORDS_CLOSE = b"[\n  {\n", b"\n  }\n]\n"


def objects(records: Sequence[Record]) -> bytes:
    """The records' objects as ``export`` lays them out, without the array's brackets (``b""`` for none).

    Joined by ``JSON_SEPARATOR`` (``rows``), pieces made page by page give the whole array.
    """
    if not records:
        return b""
    return orjson.dumps(_encodable(records), option=_OPTIONS)[len(RECORDS_OPEN):-len(RECORDS_CLOSE) + 1]


#: Before, between and after the items of a top-level array in the layout of ``dumps``.
ITEMS_OPEN, ITEM_SEPARATOR, ITEMS_CLOSE = "[\n  ", ",\n  ", "\n]\n"


def array_items(values: Iterable[Any]) -> str:
    """Items of a top-level array laid out as ``dumps`` lays them out, joined (no brackets).

    ``join_items`` turns such pieces, made page by page, into the text ``dumps`` gives for
    the whole array.
    """
    items = list(values)
    if not items:
        return ""
    return orjson.dumps(items, option=_OPTIONS).decode("utf-8")[len(ITEMS_OPEN):-len(ITEMS_CLOSE) + 1]


def join_items(pieces: Iterable[bytes]) -> bytes:
    """The UTF-8 text of a top-level array from ``array_items`` pieces (empty pieces ignored)."""
    body = ITEM_SEPARATOR.encode().join(piece for piece in pieces if piece)
    return ITEMS_OPEN.encode() + body + ITEMS_CLOSE.encode() if body else b"[]\n"

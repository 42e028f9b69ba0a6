"""JSON: an array of records, UTF-8, keys in contract order, one stable formatting."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from pipeline.exporters.rows import encode_json_value as _encode
from pipeline.exporters.rows import record_rows
from pipeline.model import ErrorCodeRecord, StatusCodeRecord
from pipeline.schema import Resource


def dumps(value: Any) -> str:
    """The one JSON formatting of every file we write: 2-space indent, UTF-8 text, newline at the end.

    Byte for byte ``json.dumps(value, ensure_ascii=False, indent=2)``, but containers are laid
    out here and only scalars go to the C encoder (``indent`` makes ``json`` fall back to its
    pure-Python encoder, which made ``issues.json`` of a 10,000-page build take seconds).
    """
    return _indented(value, "\n") + "\n"


#: Before, between and after the items of a top-level array in the layout of ``dumps``.
ITEMS_OPEN, ITEM_SEPARATOR, ITEMS_CLOSE = "[\n  ", ",\n  ", "\n]\n"


def array_items(values: Iterable[Any]) -> str:
    """Items of a top-level array laid out as ``dumps`` lays them out, joined (no brackets).

    ``join_items`` turns such pieces, made page by page, into the text ``dumps`` gives for
    the whole array.
    """
    return ITEM_SEPARATOR.join(_indented(value, "\n  ") for value in values)


def join_items(pieces: Iterable[bytes]) -> bytes:
    """The UTF-8 text of a top-level array from ``array_items`` pieces (empty pieces ignored)."""
    body = ITEM_SEPARATOR.encode().join(piece for piece in pieces if piece)
    return ITEMS_OPEN.encode() + body + ITEMS_CLOSE.encode() if body else b"[]\n"


def _indented(value: Any, newline: str) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = newline + "  "
        items = (_encode(_key(k)) + ": " + _indented(v, inner) for k, v in value.items())
        return "{" + inner + ("," + inner).join(items) + newline + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        inner = newline + "  "
        return "[" + inner + ("," + inner).join(_indented(v, inner) for v in value) + newline + "]"
    return _encode(value)


def _key(key: Any) -> str:
    """JSON object keys are strings; ``json`` turns ``1``/``True``/``None`` keys into ``"1"``/``"true"``/``"null"``."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return json.dumps(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def records_to_dicts(resource: Resource,
                     records: Sequence[StatusCodeRecord] | Sequence[ErrorCodeRecord]) -> list[dict[str, Any]]:
    names = resource.column_names
    return [dict(zip(names, row, strict=True)) for row in record_rows(records)]

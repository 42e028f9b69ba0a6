"""Records to plain rows, in the contract's column order (the export edge)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import fields
from json.encoder import encode_basestring
from operator import attrgetter
from typing import Any

from pipeline.model import ErrorCodeRecord, StatusCodeRecord

_GETTERS = {cls: attrgetter(*(f.name for f in fields(cls))) for cls in (StatusCodeRecord, ErrorCodeRecord)}
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
_encode_string = encode_basestring  # the C function where CPython has it


def encode_json_value(value: Any) -> str:
    """One JSON value, UTF-8 kept: ``json.dumps(value, ensure_ascii=False)`` for a scalar.

    Strings, integers and null (all that records hold) skip ``JSONEncoder.encode``, which
    builds a new C encoder for every non-string value.
    """
    kind = type(value)
    if kind is str:
        return _encode_string(value)
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    return _ENCODER.encode(value)


_encode = encode_json_value


def record_rows(records: Iterable[StatusCodeRecord | ErrorCodeRecord]) -> Iterator[tuple[Any, ...]]:
    """Each record as a tuple of values in column order (``dataclasses.astuple`` without its deep copies)."""
    for record in records:
        yield _GETTERS[type(record)](record)


#: Between two objects of a JSON array, in the layout of ``json.dumps(..., indent=2)``.
JSON_SEPARATOR = "\n  },\n  {\n"


def json_objects(names: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> list[str]:
    """Each row as the body of a JSON object, as ``json.dumps(..., indent=2)`` lays it out in an array."""
    keys = [f"    {_encode(name)}: " for name in names]
    return [",\n".join(key + _encode(value) for key, value in zip(keys, row, strict=True)) for row in rows]


def json_array(names: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> str:
    """The rows as a JSON array of objects, byte for byte what ``json.dumps(..., indent=2)`` writes.

    Records are flat, so each value is encoded by the C encoder and the layout is written
    here; ``indent`` would switch ``json`` to its pure-Python encoder, 5x slower.
    """
    objects = json_objects(names, rows)
    if not objects:
        return "[]\n"
    return "[\n  {\n" + JSON_SEPARATOR.join(objects) + "\n  }\n]\n"

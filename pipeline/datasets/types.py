"""Field types and how each is stored: the one place a field type becomes a JSON, Table Schema, Arrow or CSV type.

A record field's type is its Python annotation (``str``, ``int``, ``HttpStatus``, ``bool``,
a ``Literal`` of strings, ``tuple[X, ...]`` for a list of scalars, ``| None`` when it may be
null); ``field_type`` reads it, ``STORAGE`` says how each type is written. A type may carry a
range (``IntRange``: ``HttpStatus`` is 100-599), which every schema states as a constraint.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import orjson

FieldType = Literal["string", "integer", "small_integer", "boolean"]


class _Small:
    """The ``Annotated`` mark of an integer stored in 16 bits."""

    def __repr__(self) -> str:
        return "SMALL"


SMALL = _Small()


@dataclass(frozen=True, slots=True)
class IntRange:
    """The ``Annotated`` mark of an integer's allowed range, both ends included."""

    minimum: int
    maximum: int


#: The range of an HTTP status code (RFC 9110 section 15: three digits, first digit 1 to 5).
STATUS_RANGE = IntRange(100, 599)
#: An HTTP status code (100-599): an integer, stored as Arrow int16.
HttpStatus = Annotated[int, SMALL, STATUS_RANGE]


def _bool_text(value: bool) -> str:
    return "true" if value else "false"


@dataclass(frozen=True, slots=True)
class Storage:
    """How values of one field type are written.

    ``json``: the JSON Schema type; ``table``: the Frictionless Table Schema type; ``arrow``:
    the name of the ``pyarrow`` type factory; ``python``: the type of a value read from JSON;
    ``sql``: the SQLite column type; ``pandas``: the pandas (nullable extension) dtype;
    ``text``: the CSV text of a value, where ``str()`` is not it (``None``: ``str()`` is).
    """

    json: str
    table: str
    arrow: str
    python: type
    sql: str
    pandas: str
    text: Callable[[Any], str] | None = None


STORAGE: dict[FieldType, Storage] = {
    # pandas "string", never object or a number: error codes keep their leading zeros
    "string": Storage("string", "string", "string", str, "TEXT", "string"),
    "integer": Storage("integer", "integer", "int32", int, "INTEGER", "Int32"),
    # nullable Int16: a missing status stays <NA>, not a float64 NaN
    "small_integer": Storage("integer", "integer", "int16", int, "INTEGER", "Int16"),
    # SQLite has no boolean: 0/1, checked (see pipeline.exporters.sqlite)
    "boolean": Storage("boolean", "boolean", "bool_", bool, "INTEGER", "boolean", _bool_text),
}

#: How a list of scalars is written: a JSON array in JSON, a Table Schema ``array`` (a JSON
#: array in the CSV cell), an Arrow list of the item type.
LIST_TABLE_TYPE = "array"

_SCALARS: dict[Any, FieldType] = {str: "string", int: "integer", bool: "boolean"}


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """What an annotation says: the (item) type, whether it is a list, nullable, and its enum."""

    type: FieldType
    is_list: bool
    required: bool
    enum: tuple[str, ...]
    range: IntRange | None = None


def field_type(annotation: Any) -> TypeInfo:
    """Read a record field's annotation (resolved, with ``Annotated`` extras kept).

    >>> field_type(HttpStatus | None)
    TypeInfo(type='small_integer', is_list=False, required=False, enum=(), range=IntRange(minimum=100, maximum=599))
    """
    required = True
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        if len(rest) != 1 or len(rest) == len(get_args(annotation)):
            raise TypeError(f"{annotation}: a field is one type, or one type | None")
        annotation, required = rest[0], False
    is_list = get_origin(annotation) is tuple
    if is_list:
        args = get_args(annotation)
        if len(args) != 2 or args[1] is not Ellipsis:
            raise TypeError(f"{annotation}: a list field is tuple[X, ...]")
        annotation = args[0]
    enum: tuple[str, ...] = ()
    if get_origin(annotation) is Literal:
        enum = get_args(annotation)
        if not all(isinstance(v, str) for v in enum):
            raise TypeError(f"{annotation}: only strings can be enumerated")
        annotation = str
    if get_origin(annotation) is Annotated:
        base, *marks = get_args(annotation)
        ranges = [m for m in marks if isinstance(m, IntRange)]
        if base is not int or not set(map(id, marks)) <= {id(SMALL), *map(id, ranges)} or len(ranges) > 1:
            raise TypeError(f"{annotation}: an annotated type is int with SMALL and/or one IntRange")
        kind: FieldType = "small_integer" if any(m is SMALL for m in marks) else "integer"
        return TypeInfo(kind, is_list, required, enum, ranges[0] if ranges else None)
    if annotation not in _SCALARS:
        raise TypeError(f"{annotation}: not a field type (str, int, HttpStatus, bool, Literal, tuple[X, ...])")
    return TypeInfo(_SCALARS[annotation], is_list, required, enum)


def list_text(value: Any) -> str:
    """The CSV text of a list: its JSON array (what a Table Schema ``array`` field holds)."""
    return orjson.dumps(list(value)).decode()


def is_json_value(kind: FieldType, value: object) -> bool:
    """True when ``value`` (read from JSON) is a value of ``kind`` (``True`` is not an integer)."""
    wanted = STORAGE[kind].python
    return isinstance(value, wanted) and (wanted is bool or not isinstance(value, bool))

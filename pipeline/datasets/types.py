"""Field types and how each is stored: the one place a field type becomes a JSON, Table Schema, Arrow or CSV type.

A record field's type is its Python annotation (``str``, ``int``, ``HttpStatus``, ``bool``,
a ``Literal`` of strings, ``tuple[X, ...]`` for a list of scalars, ``| None`` when it may be
null); ``field_type`` reads it, ``STORAGE`` says how each type is written.
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
#: An HTTP status code (100-599): an integer, stored as Arrow int16.
HttpStatus = Annotated[int, SMALL]


def _bool_text(value: bool) -> str:
    return "true" if value else "false"


@dataclass(frozen=True, slots=True)
class Storage:
    """How values of one field type are written.

    ``json``: the JSON Schema type; ``table``: the Frictionless Table Schema type; ``arrow``:
    the name of the ``pyarrow`` type factory; ``python``: the type of a value read from JSON;
    ``text``: the CSV text of a value, where ``str()`` is not it (``None``: ``str()`` is).
    """

    json: str
    table: str
    arrow: str
    python: type
    text: Callable[[Any], str] | None = None


STORAGE: dict[FieldType, Storage] = {
    "string": Storage("string", "string", "string", str),
    "integer": Storage("integer", "integer", "int32", int),
    "small_integer": Storage("integer", "integer", "int16", int),
    "boolean": Storage("boolean", "boolean", "bool_", bool, _bool_text),
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


def field_type(annotation: Any) -> TypeInfo:
    """Read a record field's annotation (resolved, with ``Annotated`` extras kept).

    >>> field_type(HttpStatus | None)
    TypeInfo(type='small_integer', is_list=False, required=False, enum=())
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
        if base is not int or marks != [SMALL]:
            raise TypeError(f"{annotation}: the one annotated type is HttpStatus")
        return TypeInfo("small_integer", is_list, required, enum)
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

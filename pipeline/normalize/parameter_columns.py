"""Reading a parameter table's columns and cells: which column is the name, required, type, description.

Vendors word and order the columns many ways (``Parameter | Mandatory | Type | Description``,
``Name | Type | Mandatory | Description``, ``Attribute | Type | CRUD | Default Value |
Constraint | Remarks``, ``Parameter | Mandatory or Not | Description``); a parameter table is
one whose first column names the parameter and whose other columns hold at least a type, a
required flag or a description. Cells are read by small named functions, each with its
corpus examples: ``required_flag("Yes")``, ``schema_type("Array of ListenerRef objects")``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pipeline.text import collapse_whitespace

SchemaType = Literal["string", "integer", "number", "boolean", "object", "array"]

#: Headers of the column that names the parameter (the first column of every parameter table).
NAME_HEADERS = frozenset({"parameter", "name", "attribute", "parameter name", "field", "element", "property"})
#: Headers of the column that says whether the parameter is required.
REQUIRED_HEADERS = frozenset({"mandatory", "mandatory or not", "required", "is mandatory", "mandatory/optional",
                              "optional/mandatory", "optional", "mandatory or optional"})
#: Headers of the type column.
TYPE_HEADERS = frozenset({"type", "value type", "data type", "parameter type"})
#: Headers of the description column (the first of them wins; ``Remarks`` heads it on Neutron pages).
DESCRIPTION_HEADERS = frozenset({"description", "remarks", "meaning", "remark", "explanation"})

_HEADER_NOISE = re.compile(r"[^a-z/ ]++")
#: ``Array of ListenerRef objects``, ``List<tag>``, ``Tags structure array``: the object type a type cell names.
_ARRAY_OF = re.compile(r"(?:array|list)[ \t]++of[ \t]++(.*+)", re.IGNORECASE)
_GENERIC = re.compile(r"(?:array|list)[ \t]*+<[ \t]*+([^<>]*+)>", re.IGNORECASE)
#: ``ListenerRef object``, ``Tags structure array``: the words after an object type's name (text collapsed).
OBJECT_SUFFIXES = (" structure array", " data structure", " objects", " object", " structures", " structure")
#: ``String(255)``, ``Integer (int32)``: a size or format after the type word.
_TYPE_WORD = re.compile(r"[A-Za-z_]++")
_REQUIRED_WORDS = re.compile(r"\b(yes|no|mandatory|optional|required|true|false)\b", re.IGNORECASE)

#: Type words, lower case, and the JSON Schema type each means.
SCHEMA_TYPES: dict[str, SchemaType] = {
    "string": "string", "str": "string", "enum": "string", "uuid": "string", "char": "string",
    "date": "string", "datetime": "string", "timestamp": "string", "text": "string",
    "integer": "integer", "int": "integer", "long": "integer", "int32": "integer", "int64": "integer",
    "short": "integer",
    "number": "number", "float": "number", "double": "number", "decimal": "number", "bigdecimal": "number",
    "boolean": "boolean", "bool": "boolean",
    "object": "object", "dict": "object", "map": "object", "json": "object", "struct": "object",
    "array": "array", "list": "array",
}
_TRUE_WORDS = frozenset({"yes", "mandatory", "required", "true"})


@dataclass(frozen=True, slots=True)
class ParameterColumns:
    """The position of each column of a parameter table (``None``: the table has no such column)."""

    name: int
    required: int | None
    type: int | None
    description: int | None


def header_word(text: str) -> str:
    """A header cell as a key: lower case, letters only. ``Mandatory or Not`` -> ``mandatory or not``."""
    return collapse_whitespace(_HEADER_NOISE.sub(" ", text.lower()))


def parameter_columns(header: tuple[str, ...]) -> ParameterColumns | None:
    """The columns of a parameter table, or ``None`` when the header is not a parameter table's.

    >>> parameter_columns(("Parameter", "Type", "Mandatory", "Description"))
    ParameterColumns(name=0, required=2, type=1, description=3)
    >>> parameter_columns(("OS", "Version")) is None
    True
    """
    keys = [header_word(h) for h in header]
    if not keys or keys[0] not in NAME_HEADERS:
        return None

    def first(names: frozenset[str]) -> int | None:
        return next((i for i, key in enumerate(keys) if i > 0 and key in names), None)

    columns = ParameterColumns(0, first(REQUIRED_HEADERS), first(TYPE_HEADERS), first(DESCRIPTION_HEADERS))
    if columns.required is None and columns.type is None and columns.description is None:
        return None
    return columns


def required_flag(text: str) -> bool | None:
    """``Yes``/``No``, ``Mandatory``/``Optional``, ``true``/``false``; ``None`` when the cell does not say.

    The first word decides (``No This parameter is mandatory to create an interface VPC endpoint.``
    is ``False``); a cell giving both answers by case (``Yes (when the value of action is create)
    No (when the value of action is delete)``) says neither.

    >>> required_flag("Yes"), required_flag("Optional"), required_flag("N/A")
    (True, False, None)
    >>> required_flag("Yes (when the value of action is create) No (when the value of action is delete)") is None
    True
    """
    words = [m.group(1).lower() for m in _REQUIRED_WORDS.finditer(text)]
    if not words or not text.strip().lower().startswith(words[0]):
        return None
    answer = words[0] in _TRUE_WORDS
    if words[0] in ("yes", "no") and any(w in ("yes", "no") and (w in _TRUE_WORDS) != answer for w in words[1:]):
        return None
    return answer


def object_type_name(type_text: str) -> str | None:
    """The object type a type cell names, where it names one: a field or a named type to find a table by.

    >>> object_type_name("Array of ListenerRef objects"), object_type_name("UpdatePoolOption object")
    ('ListenerRef', 'UpdatePoolOption')
    >>> object_type_name("List<resource_tag>"), object_type_name("Tags structure array")
    ('resource_tag', 'Tags')
    >>> object_type_name("Array of strings") is None, object_type_name("String(255)") is None
    (True, True)
    """
    text = collapse_whitespace(type_text)
    for pattern in (_ARRAY_OF, _GENERIC):
        match = pattern.fullmatch(text)
        if match:
            text = match.group(1).strip()
            break
    text = _without_object_suffix(text) or text
    word = _TYPE_WORD.match(text)
    if not text or " " in text or (word and word.group(0).lower().rstrip("s") in SCHEMA_TYPES and (
            word.end() == len(text) or not text[word.end()].isalnum())):
        return None
    return text


def schema_type(type_text: str) -> SchemaType | None:
    """The JSON Schema type a printed type means, or ``None`` when it is not one we know.

    >>> [schema_type(t) for t in ("String(255)", "Array of strings", "ListenerRef object", "List<tag>", "Long")]
    ['string', 'array', 'object', 'array', 'integer']
    >>> schema_type("master_eip") is None
    True

    A leading ``List`` word makes a list whatever follows: ``List object`` (``floatingips``, "PTR
    record object list", in md/doc/source/dns/api-reference/querying-all-ptr-records.md) and
    ``List data structure`` are arrays; ``Listener object`` is an object.

    >>> schema_type("List object"), schema_type("List data structure"), schema_type("Listener object")
    ('array', 'array', 'object')
    """
    text = collapse_whitespace(type_text)
    if not text:
        return None
    lower = text.lower()
    word = _TYPE_WORD.match(text)
    if (_ARRAY_OF.fullmatch(text) or _GENERIC.fullmatch(text) or lower.endswith(" array")
            or lower.endswith(" list") or lower.startswith("array") or (word and word.group(0).lower() == "list")):
        return "array"
    if _without_object_suffix(text) is not None:
        return "object"
    return SCHEMA_TYPES.get(word.group(0).lower()) if word else None


def item_type(type_text: str) -> SchemaType | None:
    """The JSON Schema type of an array's items, where the printed type says it; ``None`` otherwise.

    >>> [item_type(t) for t in ("Array of strings", "List<String>", "Array of ListenerRef objects",
    ...                                "Tags structure array")]
    ['string', 'string', 'object', 'object']
    >>> item_type("Array of integers"), item_type("Array"), item_type("String")
    ('integer', None, None)
    """
    text = collapse_whitespace(type_text)
    if schema_type(text) != "array":
        return None
    inner = next((m.group(1).strip() for m in (_ARRAY_OF.fullmatch(text), _GENERIC.fullmatch(text)) if m), None)
    if inner is None:
        lower = text.lower()
        inner = text[:-len(" array")] if lower.endswith(" array") else text[:-len(" list")] \
            if lower.endswith(" list") else ""
    if not inner:
        return None
    word = _TYPE_WORD.fullmatch(inner)
    if word:
        lower = inner.lower()
        known = SCHEMA_TYPES.get(lower) or SCHEMA_TYPES.get(lower[:-1] if lower.endswith("s") else lower)
        if known:
            return known
    return "object" if object_type_name(text) or _without_object_suffix(inner) is not None else None


def _without_object_suffix(text: str) -> str | None:
    """``ListenerRef object`` -> ``ListenerRef``; ``None`` when the text does not end in an object suffix."""
    lower = text.lower()
    for suffix in OBJECT_SUFFIXES:
        if lower.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)].strip()
    return None

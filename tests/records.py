"""Test helpers over any declared dataset: records to generate (hypothesis), CSV rows typed back, Parquet rows.

Both read only the declaration (``Resource.fields``) and the Table Schema, so a new field or
dataset is covered by the property tests without touching them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from hypothesis import strategies as st

from pipeline.datasets import Field, Resource
from pipeline.schema import table_schema

_ANY = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)
_TRICKY = st.sampled_from(["\r", "\n", "\r\n", '"', ",", " ", "=", "+", "-", "@", "\t", "'", "\u2028", "\ufeff"])
TEXT = st.lists(_ANY | _TRICKY, min_size=1, max_size=4).map("".join).filter(bool)
#: TEXT, or any run of up to 40 characters (NUL aside): what the exporter round trips draw from.
ANY_TEXT = TEXT | st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                          min_size=1, max_size=40)


def value_strategy(field: Field, text: st.SearchStrategy[str] = TEXT) -> st.SearchStrategy[Any]:
    """Values of one field: its enum, text, integers (HTTP statuses for ``small_integer``), booleans, lists."""
    scalar: st.SearchStrategy[Any] = {
        "string": st.sampled_from(field.enum) if field.enum else text,
        "integer": st.integers(0, 10**6),
        "small_integer": st.integers(100, 599),
        "boolean": st.booleans(),
    }[field.type]
    if field.is_list:
        scalar = st.lists(scalar, max_size=3).map(tuple)
    return scalar if field.required else st.none() | scalar


def record_strategy(resource: Resource, text: st.SearchStrategy[str] = TEXT) -> st.SearchStrategy[Any]:
    """Records of ``resource`` with every field drawn from ``value_strategy`` (in field order: a column's name
    need not be its attribute's, ``in`` is ``in_``)."""
    return st.tuples(*(value_strategy(f, text) for f in resource.fields)).map(resource.from_row)


def typed(resource: Resource, row: dict[str, str]) -> dict[str, Any]:
    """A CSV row typed back by the Table Schema, as Frictionless reads it (empty = null)."""
    kinds = {f["name"]: f["type"] for f in table_schema(resource)["fields"]}

    def value(kind: str, text: str) -> Any:
        if text == "":
            return None
        if kind == "integer":
            return int(text)
        if kind == "boolean":
            return {"true": True, "false": False}[text]
        if kind == "array":
            return json.loads(text)
        return text

    return {k: value(kinds[k], v) for k, v in row.items()}


def as_json(record: Any, resource: Resource) -> dict[str, Any]:
    """A record as its JSON object reads back: lists as lists."""
    return {f.name: list(v) if f.is_list and v is not None else v
            for f in resource.fields for v in [getattr(record, f.name)]}


def read_parquet_rows(source: Path | IO[bytes]) -> list[dict[str, Any]]:
    """The rows of a Parquet file (a path or a binary stream) as dicts, as pyarrow reads them back."""
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = pq.read_table(source).to_pylist()
    return rows

"""JSON Schemas from parameter records: a tree of fields (``parent`` is the dotted path), then a schema per node.

A record whose ``parent`` is ``volume.metadata`` is a property of ``metadata``, itself a
property of ``volume``. A parent no record names (its row lies in a table that was not read)
is an object without a description. An array with fields holds objects with those
properties; an array without fields holds what its printed type says (``Array of strings``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pipeline.datasets.parameters import ParameterRecord
from pipeline.normalize.parameter_columns import item_type

JsonObject = dict[str, Any]


@dataclass
class Node:
    """One field and its fields: ``record`` is ``None`` for a parent no record names."""

    name: str
    record: ParameterRecord | None = None
    children: dict[str, Node] = field(default_factory=dict)

    @property
    def required(self) -> bool:
        return self.record is not None and self.record.required is True


def field_tree(records: Iterable[ParameterRecord]) -> dict[str, Node]:
    """The top-level fields of ``records`` (one place: a body, a query), each with its fields, in record order.

    A name repeated under one parent (the docs list a field twice) keeps its first record.
    """
    roots: dict[str, Node] = {}
    for record in records:
        level = roots
        for part in record.parent.split(".") if record.parent else ():
            level = level.setdefault(part, Node(part)).children
        node = level.setdefault(record.name, Node(record.name))
        if node.record is None:
            node.record = record
    return roots


def node_schema(node: Node) -> JsonObject:
    """The JSON Schema of one field: its type, description, and its fields as properties (or array items)."""
    record = node.record
    kind = record.schema_type if record is not None else None
    schema: JsonObject = {}
    if node.children:
        fields = object_schema(node.children)
        schema = {"type": "array", "items": fields} if kind == "array" else fields
    elif kind is not None:
        schema = {"type": kind}
        items = item_type(record.type) if kind == "array" and record is not None and record.type else None
        if items is not None:
            schema["items"] = {"type": items}
    if record is not None and record.description:
        schema["description"] = record.description
    return schema


def object_schema(nodes: dict[str, Node]) -> JsonObject:
    """An object schema with ``nodes`` as its properties; ``required`` lists those the docs say are."""
    schema: JsonObject = {"type": "object", "properties": {name: node_schema(node) for name, node in nodes.items()}}
    required = [name for name, node in nodes.items() if node.required]
    if required:
        schema["required"] = required
    return schema

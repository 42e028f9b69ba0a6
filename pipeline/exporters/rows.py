"""Records to plain rows, in the declared field order (the export edge)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter
from typing import Any

_GETTERS: dict[type[Any], Callable[[Any], tuple[Any, ...]]] = {}


def record_rows(records: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """Each record (of any dataset) as a tuple of values in field order (``dataclasses.astuple`` without
    its deep copies)."""
    for record in records:
        kind = type(record)
        getter = _GETTERS.get(kind)
        if getter is None:
            getter = _GETTERS[kind] = attrgetter(*(f.name for f in dataclasses.fields(kind)))
        yield getter(record)


#: Between two objects of a records JSON array, in the layout of ``pipeline.exporters.json.dumps``.
JSON_SEPARATOR = "\n  },\n  {\n"

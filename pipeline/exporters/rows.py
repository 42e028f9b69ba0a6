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
            getter = _GETTERS[kind] = _getter(kind)
        yield getter(record)


def _getter(kind: type[Any]) -> Callable[[Any], tuple[Any, ...]]:
    names = [f.name for f in dataclasses.fields(kind)]
    if len(names) == 1:  # attrgetter of one name gives the value, not a 1-tuple
        return lambda record: (getattr(record, names[0]),)
    return attrgetter(*names)

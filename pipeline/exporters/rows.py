"""Records to plain rows, in the declared field order (the export edge)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from operator import attrgetter
from typing import Any

from pipeline.datasets import RESOURCES, Record

_GETTERS = {r.record_type: attrgetter(*r.column_names) for r in RESOURCES}


def record_rows(records: Iterable[Record]) -> Iterator[tuple[Any, ...]]:
    """Each record as a tuple of values in field order (``dataclasses.astuple`` without its deep copies)."""
    for record in records:
        yield _GETTERS[type(record)](record)


#: Between two objects of a records JSON array, in the layout of ``pipeline.exporters.json.dumps``.
JSON_SEPARATOR = "\n  },\n  {\n"

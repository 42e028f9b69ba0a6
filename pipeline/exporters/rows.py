"""Records to plain rows, in the contract's column order (the export edge)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import astuple
from typing import Any

from pipeline.model import ErrorCodeRecord, StatusCodeRecord


def record_rows(records: Iterable[StatusCodeRecord | ErrorCodeRecord]) -> Iterator[tuple[Any, ...]]:
    """Each record as a tuple of values in column order."""
    for record in records:
        yield astuple(record)

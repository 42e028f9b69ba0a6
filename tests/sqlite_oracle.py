"""The database of records, made the plain way (in memory, row by row): what ``pipeline.db`` must equal.

The build lays ``pipeline.db`` out from its row cache (``pipeline.incremental.row_cache``);
these tests hold it to this independent reference, which builds the same tables from records
with the declaration's SQL (``pipeline.exporters.sqlite``) and nothing else.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from pipeline.datasets import DatasetRecord, Resource
from pipeline.exporters.rows import record_rows
from pipeline.exporters.sqlite import finish_table, quote, table_sql


def cells(resource: Resource, records: Iterable[DatasetRecord]) -> list[tuple[Any, ...]]:
    """The records as rows of SQL values: a list field is its JSON array as text."""
    lists = [i for i, f in enumerate(resource.fields) if f.is_list]
    if not lists:
        return list(record_rows(records))
    return [tuple(orjson.dumps(list(v)).decode() if i in lists and v is not None else v for i, v in enumerate(row))
            for row in record_rows(records)]


def is_unique(resource: Resource, rows: Sequence[tuple[Any, ...]]) -> bool:
    """True when no two rows share the primary key's values (nulls equal, as tuples compare)."""
    at = [resource.column_names.index(name) for name in resource.primary_key]
    keys = [tuple(row[i] for i in at) for row in rows]
    return len(set(keys)) == len(keys)


def fill(connection: sqlite3.Connection, datasets: Sequence[tuple[Resource, Sequence[DatasetRecord]]]) -> None:
    """Create and fill every dataset's table, indexes and full-text index; a table whose records repeat its
    primary key is made without it."""
    for resource, records in datasets:
        rows = cells(resource, records)
        keyed = is_unique(resource, rows)
        connection.execute(table_sql(resource, keyed))
        marks = ", ".join("?" for _ in resource.fields)
        connection.executemany(f"INSERT INTO {quote(resource.name)} VALUES ({marks})", rows)
        finish_table(connection, resource, keyed)
    connection.commit()


def export_database(datasets: Sequence[tuple[Resource, Sequence[DatasetRecord]]]) -> bytes:
    """The database file of the datasets (each with its records), as bytes (made in memory)."""
    connection = sqlite3.connect(":memory:")
    try:
        fill(connection, datasets)
        return bytes(connection.serialize())
    finally:
        connection.close()

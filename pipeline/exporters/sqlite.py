"""SQLite: every dataset in one database file (``pipeline.db``), for datasette, DuckDB and ``sqlite3``.

Everything is derived from the declarations: one table per dataset with its fields' types
(``Storage.sql``), ``NOT NULL`` for required fields, ``CHECK`` constraints for enums,
booleans (0/1) and ranges (a status is 100-599), the declared primary key, foreign keys for
``Resource.relations``, an index on every lookup (``error_code``, ``status_code``) and on the
key, and an FTS5 table ``<dataset>_fts`` over the fields declared ``searchable``: an
external-content index on the table's rowid, the layout datasette detects for its search box.
A list field holds its JSON array as text, as in the CSV files.

The same records always give the same database (same statements in the same order: ``iterdump``
is identical); the file's bytes also carry the SQLite library's version, like Parquet's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from pipeline.datasets import DatasetRecord, Field, Resource
from pipeline.exporters.rows import record_rows

#: The database file's name in a dataset directory.
FILE_NAME = "pipeline.db"


def quote(name: str) -> str:
    """An SQL identifier, double-quoted (declared names are plain words, but a quote is never trusted)."""
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def column_sql(field: Field) -> str:
    """One column's definition: type, ``NOT NULL``, and the checks its declaration implies."""
    name = quote(field.name)
    parts = [name, "TEXT" if field.is_list else field.storage.sql]
    if field.required:
        parts.append("NOT NULL")
    if field.is_list:
        parts.append(f"CHECK (json_valid({name}))")
    elif field.enum:
        parts.append(f"CHECK ({name} IN ({', '.join(map(_literal, field.enum))}))")
    elif field.type == "boolean":
        parts.append(f"CHECK ({name} IN (0, 1))")
    if field.minimum is not None and not field.is_list:
        parts.append(f"CHECK ({name} BETWEEN {field.minimum} AND {field.maximum})")
    return " ".join(parts)


def table_sql(resource: Resource, keyed: bool = True) -> str:
    """``CREATE TABLE`` of a dataset, with its primary key (unless ``keyed`` is false) and foreign keys."""
    lines = [column_sql(f) for f in resource.fields]
    if resource.primary_key and keyed:
        lines.append(f"PRIMARY KEY ({', '.join(map(quote, resource.primary_key))})")
    for relation in resource.relations:
        lines.append(f"FOREIGN KEY ({', '.join(map(quote, relation.fields))}) REFERENCES "
                     f"{quote(relation.resource)} ({', '.join(map(quote, relation.reference))})")
    body = ",\n  ".join(lines)
    return f"CREATE TABLE {quote(resource.name)} (\n  {body}\n)"


def index_sql(resource: Resource, keyed: bool = True) -> list[str]:
    """An index on each lookup, the key and each relation's fields (each set of fields once); on the
    primary key's fields too where the table has no primary key (``keyed`` false)."""
    wanted = [*resource.lookups, resource.key, *(r.fields for r in resource.relations),
              *([] if keyed else [resource.primary_key])]
    statements = []
    for fields in dict.fromkeys(f for f in wanted if f and (f != resource.primary_key or not keyed)):
        name = quote(f"idx_{resource.name}_{'_'.join(fields)}")
        statements.append(f"CREATE INDEX {name} ON {quote(resource.name)} ({', '.join(map(quote, fields))})")
    return statements


def fts_sql(resource: Resource) -> list[str]:
    """The FTS5 table over the searchable fields, filled from the table (none without such fields)."""
    if not resource.searchable:
        return []
    fts = quote(f"{resource.name}_fts")
    columns = ", ".join(map(quote, resource.searchable))
    return [f"CREATE VIRTUAL TABLE {fts} USING fts5({columns}, content={quote(resource.name)}, "
            "content_rowid='rowid')",
            f"INSERT INTO {fts}({fts}) VALUES('rebuild')"]


def cells(resource: Resource, records: Iterable[DatasetRecord]) -> list[tuple[Any, ...]]:
    """The records as rows of SQL values: a list field is its JSON array as text."""
    lists = [i for i, f in enumerate(resource.fields) if f.is_list]
    if not lists:
        return list(record_rows(records))
    return [tuple(orjson.dumps(list(v)).decode() if i in lists and v is not None else v for i, v in enumerate(row))
            for row in record_rows(records)]


def record_of_cells(resource: Resource, row: Sequence[Any]) -> Any:
    """The record of a row of ``cells`` read back: lists from their JSON text, booleans from 0/1."""
    readers = cell_readers(resource)
    if not readers:
        return resource.from_row(row)
    values = list(row)
    for i, read in readers:
        if values[i] is not None:
            values[i] = read(values[i])
    return resource.from_row(values)


def cell_readers(resource: Resource) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    """The columns of ``resource`` whose SQL value is not the record's (list: JSON text; boolean: 0/1), with
    the function reading each back."""
    readers = _READERS.get(resource.name)  # by name: hashing a Resource hashes all its fields
    if readers is None:
        readers = _READERS[resource.name] = tuple(
            (i, orjson.loads if f.is_list else bool) for i, f in enumerate(resource.fields)
            if f.is_list or f.type == "boolean")
    return readers


_READERS: dict[str, tuple[tuple[int, Callable[[Any], Any]], ...]] = {}


def insert_sql(resource: Resource, schema: str = "main") -> str:
    marks = ", ".join("?" for _ in resource.fields)
    return f"INSERT INTO {quote(schema)}.{quote(resource.name)} VALUES ({marks})"


def is_unique(resource: Resource, rows: Sequence[tuple[Any, ...]]) -> bool:
    """True when no two rows share the primary key's values (the docs can break what a declaration claims)."""
    at = [resource.column_names.index(name) for name in resource.primary_key]
    keys = [tuple(row[i] for i in at) for row in rows]
    return len(set(keys)) == len(keys)


def finish_table(connection: sqlite3.Connection, resource: Resource, keyed: bool) -> None:
    """Index the filled table of ``resource`` (``index_sql``) and fill its full-text table (``fts_sql``)."""
    for statement in (*index_sql(resource, keyed), *fts_sql(resource)):
        connection.execute(statement)


def fill(connection: sqlite3.Connection, datasets: Sequence[tuple[Resource, Sequence[DatasetRecord]]]) -> None:
    """Create and fill every dataset's table, indexes and full-text index in ``connection``.

    Records that repeat a primary key are all kept: that table is then written without its
    primary key (an index on its fields instead), never refused or thinned.
    """
    for resource, records in datasets:
        rows = cells(resource, records)
        keyed = is_unique(resource, rows)
        connection.execute(table_sql(resource, keyed))
        connection.executemany(insert_sql(resource), rows)
        finish_table(connection, resource, keyed)
    connection.commit()


class Staging:
    """Records kept on disk as they come, one table per dataset, for a database made at the end (``write_staged``).

    The dataset writer stages every page's records here instead of holding them in memory;
    ``ordered`` reads a dataset back sorted (the derived datasets need their source sorted),
    and ``write_staged`` lays out the final database exactly as ``fill`` does.
    """

    def __init__(self, path: Path, resources: Sequence[Resource]) -> None:
        self.path = path
        self.connection = sqlite3.connect(path)
        try:
            self.connection.execute("PRAGMA journal_mode=OFF")  # scratch: a failed build throws it away
            self.connection.execute("PRAGMA synchronous=OFF")
            for resource in resources:
                self.connection.execute(table_sql(resource, keyed=False))
        except BaseException:
            self.connection.close()
            raise

    def add(self, resource: Resource, records: Iterable[DatasetRecord]) -> None:
        self.connection.executemany(insert_sql(resource), cells(resource, records))

    def ordered(self, resource: Resource, order: str,
                functions: Mapping[str, Callable[[Any], Any]] | None = None) -> Iterator[Any]:
        """The records of ``resource`` sorted by the SQL ``order`` (then as staged), read lazily."""
        for name, function in (functions or {}).items():
            self.connection.create_function(name, 1, function, deterministic=True)
        cursor = self.connection.execute(f"SELECT * FROM {quote(resource.name)} ORDER BY {order}, rowid")
        for row in cursor:
            yield record_of_cells(resource, row)

    def write_staged(self, path: Path, resources: Sequence[Resource]) -> None:
        """Write the database of the staged records of ``resources`` to a new file at ``path``."""
        self.connection.commit()
        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA journal_mode=OFF")
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute("ATTACH DATABASE ? AS staging", (str(self.path),))
            for resource in resources:
                keyed = not _repeats_primary_key(connection, resource)
                connection.execute(table_sql(resource, keyed))
                connection.execute(f"INSERT INTO main.{quote(resource.name)} "
                                   f"SELECT * FROM staging.{quote(resource.name)} ORDER BY rowid")
                finish_table(connection, resource, keyed)
            connection.commit()
            connection.execute("DETACH DATABASE staging")
        finally:
            connection.close()

    def close(self) -> None:
        self.connection.close()


def _repeats_primary_key(connection: sqlite3.Connection, resource: Resource) -> bool:
    """``not is_unique`` of the staged rows, asked of SQLite (which groups nulls together, as tuples do)."""
    if not resource.primary_key:
        return False
    columns = ", ".join(map(quote, resource.primary_key))
    found = connection.execute(f"SELECT 1 FROM staging.{quote(resource.name)} GROUP BY {columns} "
                               "HAVING COUNT(*) > 1 LIMIT 1").fetchone()
    return found is not None


def export_database(datasets: Sequence[tuple[Resource, Sequence[DatasetRecord]]]) -> bytes:
    """The SQLite database file of the datasets (each with its records), as bytes (made in memory)."""
    connection = sqlite3.connect(":memory:")
    try:
        fill(connection, datasets)
        return bytes(connection.serialize())
    finally:
        connection.close()


def dump(path: Path) -> list[str]:
    """The SQL text of a database file (``iterdump``): equal for databases of the same content."""
    connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)  # never created, never written
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def same_database(a: Path, b: Path) -> bool:
    """True when two database files hold the same schema and rows (False if either is unreadable)."""
    try:
        return dump(a) == dump(b)
    except sqlite3.Error:
        return False

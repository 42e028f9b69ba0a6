"""SQLite: every dataset in one database file (``pipeline.db``), for datasette, DuckDB and ``sqlite3``.

Everything is derived from the declarations: one table per dataset with its fields' types
(``Storage.sql``), ``NOT NULL`` for required fields, ``CHECK`` constraints for enums,
booleans (0/1) and ranges (a status is 100-599), the declared primary key, foreign keys for
``Resource.relations``, an index on every lookup (``error_code``, ``status_code``) and on the
key, and an FTS5 table ``<dataset>_fts`` over the fields declared ``searchable``: an
external-content index on the table's rowid, the layout datasette detects for its search box.
A list field holds its JSON array as text, as in the CSV files.

The build lays the database out from its row cache (``pipeline.incremental.row_cache``); the
same records always give the same database (same statements in the same order: ``iterdump`` is
identical), whatever the cache held; the file's bytes also carry the SQLite library's version,
like Parquet's.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pipeline.datasets import Field, Resource

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


def finish_table(connection: sqlite3.Connection, resource: Resource, keyed: bool) -> None:
    """Index the filled table of ``resource`` (``index_sql``) and fill its full-text table (``fts_sql``)."""
    for statement in (*index_sql(resource, keyed), *fts_sql(resource)):
        connection.execute(statement)


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

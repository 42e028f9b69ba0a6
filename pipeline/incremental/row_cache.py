"""``pipeline.db`` laid out by SQLite from the row cache: every page's rows, kept between builds.

Filling a table from JSON text costs Python time per row (~7 s for the bench's million rows);
copying rows between SQLite tables does not. So the rows of each page (and of each derived
partition) are kept in ``rows.db`` beside the page store's entries, under the page's store key
(``Segment.key``: its path, its bytes and the code that read it). A build ingests only the
segments the cache lacks, read from the dataset writer's JSON Lines copies (``Segment.offset``,
``size``), then lays out ``pipeline.db`` with one ``INSERT ... SELECT`` per table in dataset
order, and the same indexes and full-text tables as always: the database is the one
``database_from_jsonl`` makes of the same records (``dump`` is equal), whatever the cache held.

Rows of an older version of a page (or partition) this build replaced are removed from the
cache. The cache is written in one transaction, so a killed build leaves it as it was; a cache
SQLite cannot read is bypassed (``assemble`` uses a fresh one in the scratch folder), which only
costs time. A build without a page store uses a fresh cache, a temporary file: one path.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.datasets import Resource
from pipeline.exporters.sqlite import finish_table, quote, table_sql
from pipeline.exporters.sqlite_jsonl import KEY_CONFLICTS, lines_rows, no_cycle_collection

#: The row cache's file name (in the page store's folder, or the scratch folder).
ROWS = "rows.db"
#: Seconds a build waits for another build that holds the row cache (one build holds it from its 256th page
#: to its end); then it makes its database with a fresh cache instead, which only costs time.
BUSY_SECONDS = 5
#: The size of the segments a whole JSON Lines file is read in (``whole_files``).
SEGMENT_BYTES = 1 << 21


@dataclass(frozen=True, slots=True)
class Segment:
    """One page's (or derived partition's) records of one dataset: its cache key, its name (a page's path;
    ``error_catalog/ecs``), and where its lines lie in the dataset's JSON Lines copy."""

    key: str
    name: str
    offset: int
    size: int
    count: int


def segment_key(name: str, digest: str, fingerprint: str) -> str:
    """The cache key of a page (``name`` its path, ``digest`` its bytes') or partition, read by this code."""
    return hashlib.sha256(f"{fingerprint}\0{name}\0{digest}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class DatabasePlan:
    """Where the database is made from: the folder of the JSON Lines copies, the new file to make, and the row
    cache (``None``: a fresh one in ``folder``, thrown away after)."""

    folder: Path
    target: Path
    cache: Path | None = None


#: Some datasets' next segments, by dataset name, each following the segments given before.
Batch = tuple[tuple[str, tuple[Segment, ...]], ...]


def assemble(plan: DatabasePlan, resources: Sequence[Resource], batches: Iterable[Batch] = ()) -> None:
    """Make ``plan.target`` (a new file) of the segments ``batches`` brings: ingest what the row cache lacks,
    lay out every table, index it.

    The batches may come as they are written (the dataset writer sends one every few hundred pages,
    then the derived datasets'): each table is filled in dataset order while the build goes on, and
    only indexed once the batches end.
    """
    if plan.target.exists():
        raise FileExistsError(f"{plan.target}: the database must be a new file")
    received: list[Batch] = []
    more = iter(batches)

    def every() -> Iterator[Batch]:
        """Each batch: those already received again (a second attempt), then new ones."""
        yield from list(received)
        for batch in more:
            received.append(batch)
            yield batch

    if plan.cache is not None:
        with contextlib.suppress(OSError):  # a cache that cannot be made is bypassed below
            plan.cache.parent.mkdir(parents=True, exist_ok=True)
    try:
        _assemble(plan, resources, every)
    except sqlite3.DatabaseError:
        if plan.cache is None:
            raise
        plan.target.unlink(missing_ok=True)
        _assemble(replace(plan, cache=None), resources, every)  # a cache SQLite cannot open or read: bypassed


def _assemble(plan: DatabasePlan, resources: Sequence[Resource], every: Callable[[], Iterator[Batch]],
              fresh: bool = False) -> None:
    if plan.cache is None:
        handle, made = tempfile.mkstemp(prefix=".rows-", suffix=".db", dir=plan.folder)
        os.close(handle)
        try:
            _assemble(replace(plan, cache=Path(made)), resources, every, fresh=True)
        finally:
            os.unlink(made)
        return
    connection = sqlite3.connect(plan.target, isolation_level=None, timeout=BUSY_SECONDS)
    try:
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("ATTACH DATABASE ? AS rows", (str(plan.cache),))
        if fresh:  # thrown away after: no journal, no sync
            connection.execute("PRAGMA rows.journal_mode=OFF")
            connection.execute("PRAGMA rows.synchronous=OFF")
        connection.execute("BEGIN IMMEDIATE")
        _prepare(connection, resources)
        by_name = {resource.name: resource for resource in resources}
        wanted = dict.fromkeys(by_name, 0)  # segments wanted so far, by dataset
        keyed = dict.fromkeys(by_name, True)  # no repeated primary key met so far
        for resource in resources:
            connection.execute(table_sql(resource, keyed=True))
        with no_cycle_collection():
            for batch in every():
                for name, segments in batch:
                    resource = by_name[name]
                    _want(connection, resource, segments, wanted[name])
                    _ingest(connection, resource, segments, wanted[name], plan.folder / f"{name}.jsonl")
                    wanted[name] += len(segments)
                    keyed[name] = keyed[name] and _append(connection, resource, segments)
            for resource in resources:
                _prune(connection, resource)
                has_key = keyed[resource.name] and not _repeats_null_key(connection, resource)
                if not has_key:
                    _lay_out_unkeyed(connection, resource)
                finish_table(connection, resource, has_key)
        connection.execute("COMMIT")
    finally:
        connection.close()


def cached_table(resource: Resource) -> str:
    """The cache's table of ``resource``'s rows, named after its columns (``error_codes@3f2a...``): a field
    added to a dataset gets a new table, and the old one is dropped (``_prepare``)."""
    layout = "\0".join(f"{f.name}:{f.type}:{f.is_list}" for f in resource.fields)
    return f"{resource.name}@{hashlib.sha256(layout.encode()).hexdigest()[:16]}"


def _prepare(connection: sqlite3.Connection, resources: Sequence[Resource]) -> None:
    """The cache's tables (made once; those of other layouts dropped), and this build's list of wanted segments."""
    connection.execute("CREATE TABLE IF NOT EXISTS rows.present "
                       "(dataset TEXT, name TEXT, key TEXT, PRIMARY KEY (dataset, key))")
    tables = {cached_table(resource) for resource in resources}
    for (table,) in connection.execute("SELECT name FROM rows.sqlite_master WHERE type = 'table'").fetchall():
        if "@" in table and table not in tables:
            connection.execute(f"DROP TABLE rows.{quote(table)}")
            connection.execute("DELETE FROM rows.present WHERE dataset = ?", (table,))
    for resource in resources:
        table = cached_table(resource)
        columns = ", ".join(quote(f.name) for f in resource.fields)
        connection.execute(f"CREATE TABLE IF NOT EXISTS rows.{quote(table)} "
                           f"(_key TEXT NOT NULL, _n INTEGER NOT NULL, {columns})")
        connection.execute(f"CREATE INDEX IF NOT EXISTS rows.{quote('key_' + table)} ON {quote(table)} (_key, _n)")
    connection.execute("CREATE TEMP TABLE wanted (dataset TEXT, ordinal INTEGER, key TEXT, name TEXT, "
                       "PRIMARY KEY (dataset, ordinal))")


def _want(connection: sqlite3.Connection, resource: Resource, segments: Sequence[Segment], start: int) -> None:
    connection.executemany("INSERT INTO temp.wanted VALUES (?, ?, ?, ?)",
                           [(resource.name, i, s.key, s.name) for i, s in enumerate(segments, start)])


def _ingest(connection: sqlite3.Connection, resource: Resource, segments: Sequence[Segment], start: int,
            copy: Path) -> None:
    """Insert into the cache the segments it lacks (each key once), read from ``copy``; ``segments`` are the
    wanted ones from ordinal ``start`` (only their keys are looked up: the cost follows the batch)."""
    table = cached_table(resource)
    present = {key for (key,) in connection.execute(
        "SELECT w.key FROM temp.wanted AS w JOIN rows.present AS p ON p.dataset = ? AND p.key = w.key "
        "WHERE w.dataset = ? AND w.ordinal >= ?", (table, resource.name, start))}
    missing = list({s.key: s for s in segments if s.key not in present}.values())
    if not missing:
        return
    marks = ", ".join("?" * (len(resource.fields) + 2))
    insert = f"INSERT INTO rows.{quote(table)} VALUES ({marks})"
    with open(copy, "rb") as handle:
        for segment in missing:
            handle.seek(segment.offset)
            rows = lines_rows(handle.read(segment.size).splitlines(keepends=True), resource, copy)
            if len(rows) != segment.count:
                raise ValueError(f"{copy}: {segment.name}: {len(rows)} records where {segment.count} were written")
            connection.executemany(insert, [(segment.key, n, *row) for n, row in enumerate(rows)])
    connection.executemany("INSERT OR REPLACE INTO rows.present VALUES (?, ?, ?)",
                           [(table, s.name, s.key) for s in missing])


def _prune(connection: sqlite3.Connection, resource: Resource) -> None:
    """Remove from the cache the segments of this build's pages (partitions) that this build replaced."""
    table = cached_table(resource)
    stale = [key for (key,) in connection.execute(
        "SELECT key FROM rows.present WHERE dataset = ?1 AND name IN (SELECT name FROM temp.wanted WHERE "
        "dataset = ?2) AND key NOT IN (SELECT key FROM temp.wanted WHERE dataset = ?2)", (table, resource.name))]
    if not stale:
        return
    connection.executemany(f"DELETE FROM rows.{quote(table)} WHERE _key = ?", [(k,) for k in stale])
    connection.executemany("DELETE FROM rows.present WHERE dataset = ? AND key = ?", [(table, k) for k in stale])


def _append(connection: sqlite3.Connection, resource: Resource, segments: Sequence[Segment]) -> bool:
    """Append the rows of ``segments`` to the new database's table, in order; False when they repeat its primary
    key (SQLite refused one: the table is then laid out again without it, ``_lay_out_unkeyed``)."""
    columns = ", ".join(quote(f.name) for f in resource.fields)
    statement = (f"INSERT INTO main.{quote(resource.name)} SELECT {columns} FROM "
                 f"rows.{quote(cached_table(resource))} WHERE _key = ? ORDER BY _n")
    try:
        connection.executemany(statement, [(segment.key,) for segment in segments])
    except sqlite3.IntegrityError as error:
        if error.sqlite_errorname not in KEY_CONFLICTS:
            raise
        return False
    return True


def _lay_out_unkeyed(connection: sqlite3.Connection, resource: Resource) -> None:
    """The dataset's table made again without its primary key (its rows repeat it), every row in dataset order."""
    connection.execute(f"DROP TABLE main.{quote(resource.name)}")
    connection.execute(table_sql(resource, keyed=False))
    _copy_rows(connection, resource)


def _copy_rows(connection: sqlite3.Connection, resource: Resource) -> None:
    columns = ", ".join(f"r.{quote(f.name)}" for f in resource.fields)
    connection.execute(f"INSERT INTO main.{quote(resource.name)} SELECT {columns} FROM temp.wanted AS w "
                       f"JOIN rows.{quote(cached_table(resource))} AS r ON r._key = w.key WHERE w.dataset = ? "
                       "ORDER BY w.ordinal, r._n", (resource.name,))


def _repeats_null_key(connection: sqlite3.Connection, resource: Resource) -> bool:
    """Two rows repeat a primary key holding a null (SQLite let them in: its nulls are distinct)."""
    if not resource.primary_key or all(resource.field(name).required for name in resource.primary_key):
        return False
    columns = ", ".join(map(quote, resource.primary_key))
    return connection.execute(f"SELECT 1 FROM main.{quote(resource.name)} GROUP BY {columns} "
                              "HAVING COUNT(*) > 1 LIMIT 1").fetchone() is not None


def whole_files(folder: Path, resources: Sequence[Resource]) -> Iterator[tuple[str, tuple[Segment, ...]]]:
    """Each dataset's JSON Lines file in ``folder`` as segments of about ``SEGMENT_BYTES`` (``database_from_jsonl``)."""
    for resource in resources:
        segments: list[Segment] = []
        offset = size = count = 0
        with open(folder / f"{resource.name}.jsonl", "rb") as handle:
            for line in handle:
                size += len(line)
                count += 1
                if size >= SEGMENT_BYTES:
                    segments.append(Segment(f"{resource.name}:{offset}", resource.name, offset, size, count))
                    offset, size, count = offset + size, 0, 0
        if count:
            segments.append(Segment(f"{resource.name}:{offset}", resource.name, offset, size, count))
        yield resource.name, tuple(segments)

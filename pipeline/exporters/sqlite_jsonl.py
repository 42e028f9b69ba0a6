"""JSON Lines to SQLite rows: what ``pipeline.db`` is filled from, never records in memory.

The build writes every dataset's JSON Lines (one compact object per record, keys in field order:
``pipeline.exporters.jsonl``) to copies in its scratch folder; the rows of the database are read
from those lines (``lines_rows``: cells as the database holds them, a list field its JSON array as
text, a boolean 0/1, a null NULL) into the row cache, which lays the database out
(``pipeline.incremental.row_cache``), in a process of its own (``pipeline.exporters.database_job``).
``database_from_jsonl`` is that path over whole files. The database equals the one made of the
same records row by row (the tests' ``sqlite_oracle.export_database``: ``dump`` is equal).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

from pipeline.datasets import Resource

#: Bytes of lines read, parsed and inserted at a time: memory stays bounded whatever a file's size.
BATCH_BYTES = 1 << 21
#: What SQLite calls an insert that repeats a primary key (a composite key is a unique index).
KEY_CONFLICTS = frozenset({"SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE"})


def database_from_jsonl(folder: Path, resources: Sequence[Resource], target: Path) -> None:
    """Make the database of ``resources`` at ``target`` (a new file) from ``folder/<name>.jsonl`` of each.

    Written without journal or sync, as a scratch file is: the caller syncs it, or throws it away
    if this fails. A table whose records repeat its primary key (nulls count as equal) is written
    without that key, with an index on its fields instead. (The build's
    way, through a fresh row cache in ``folder``: ``pipeline.incremental.row_cache``.)
    """
    from pipeline.incremental.row_cache import DatabasePlan, assemble, whole_files

    if target.exists():
        raise FileExistsError(f"{target}: the database must be a new file")
    assemble(DatabasePlan(folder, target), resources, [tuple(whole_files(folder, resources))])


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """The cycle collector paused: parsing makes millions of dicts, lists and tuples, which reference counting
    frees, and which the collector would otherwise scan again and again (a third of the parsing time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def lines_rows(lines: list[bytes], resource: Resource, path: Path, before: int = 0) -> list[tuple[Any, ...]]:
    """JSON Lines ``lines`` of ``resource`` (of the file ``path``, after its first ``before`` lines) as rows of
    ``cells``; a ``ValueError`` naming the first line that is not a record."""
    names = resource.column_names
    try:
        rows = [_getter(names)(orjson.loads(line)) for line in lines]
    except (ValueError, KeyError, TypeError):
        raise _bad_line(path, before, lines, names) from None
    lists = tuple(i for i, f in enumerate(resource.fields) if f.is_list)
    return _list_texts(rows, lists) if lists else rows


def _getter(names: Sequence[str]) -> Callable[[Any], tuple[Any, ...]]:
    if len(names) == 1:  # itemgetter of one name gives the value, not a 1-tuple
        return lambda values: (values[names[0]],)
    return itemgetter(*names)


def _list_texts(rows: list[tuple[Any, ...]], lists: tuple[int, ...]) -> list[tuple[Any, ...]]:
    """The rows with each list (at ``lists``) as its JSON text, ``orjson.dumps`` as ``cells`` writes it."""
    dumps = orjson.dumps
    made = []
    for row in rows:
        cells = list(row)
        for i in lists:
            value = cells[i]
            if value is not None:
                cells[i] = dumps(value).decode()
        made.append(tuple(cells))
    return made


def _bad_line(path: Path, before: int, lines: list[bytes], names: Sequence[str]) -> ValueError:
    """The error naming the first line of the batch ``lines`` (after ``before`` lines) that is not a record."""
    for number, line in enumerate(lines, start=before + 1):
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            return ValueError(f"{path}:{number}: not a record: not JSON ({error})")
        if not isinstance(value, dict):
            return ValueError(f"{path}:{number}: not a record: not a JSON object")
        for name in names:
            if name not in value:
                return ValueError(f"{path}:{number}: not a record: no field {name!r}")
    return ValueError(f"{path}:{before + 1}: not a record")

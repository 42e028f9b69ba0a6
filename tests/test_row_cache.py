"""The row cache (``pipeline.incremental.row_cache``): ``pipeline.db`` laid out from the rows kept between builds
is the database a build without any cache makes, whatever the cache held."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import astuple, dataclass, field
from pathlib import Path

import pytest
from sqlite_oracle import export_database

import pipeline
from pipeline.cli import main
from pipeline.datasets import ALL_RESOURCES, Resource, column
from pipeline.exporters import jsonl
from pipeline.exporters.sqlite import dump
from pipeline.incremental.row_cache import ROWS, DatabasePlan, Segment, assemble, cached_table

RAW_DOCS = Path(__file__).resolve().parent.parent / "raw_docs"
#: Services whose error codes make catalog rows over two folders (a region copy) and status pages beside them.
SERVICES = ("dns", "dns-swiss", "ecs-job", "ecs-job-swiss", "nat")


def docs_in(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    for service in SERVICES:
        shutil.copytree(RAW_DOCS / service, docs / service)
    return docs


def build(capsys: pytest.CaptureFixture[str], docs: Path, out: Path, *extra: str) -> str:
    capsys.readouterr()
    code = main(["build", str(docs), "--out", str(out), "-j", "1", *extra])
    err = capsys.readouterr().err
    assert code == 0 and "Traceback" not in err, err
    return err


def cached_keys(cache: Path) -> dict[str, set[str]]:
    """The segment keys the row cache holds, by dataset."""
    connection = sqlite3.connect(cache / ROWS)
    try:
        found: dict[str, set[str]] = {}
        for table, key in connection.execute("SELECT dataset, key FROM present"):
            found.setdefault(table.partition("@")[0], set()).add(key)
        return found
    finally:
        connection.close()


def a_page_with_errors(docs: Path) -> Path:
    return docs / "dns-swiss" / "error_code.rst"


def test_one_page_changed_gives_the_database_of_a_build_without_cache(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The changed page's rows (and its service family's catalog rows) are ingested, the others copied from the
    cache; the old version's rows leave the cache; the database equals a fresh build's, statement for statement."""
    docs, out, cache = docs_in(tmp_path), tmp_path / "out", tmp_path / "cache"
    build(capsys, docs, out, "--cache-dir", str(cache))
    before = cached_keys(cache)
    page = a_page_with_errors(docs)
    page.write_bytes(page.read_bytes().replace(b"DNS.", b"DNZ.", 3))
    assert "1 misses" in build(capsys, docs, out, "--cache-dir", str(cache))
    after = cached_keys(cache)
    changed = {name for name in before if before[name] != after.get(name)}
    assert {"error_codes", "error_catalog"} <= changed  # the page's new rows in, its old ones out
    assert all(len(after[name]) == len(before[name]) for name in before)
    fresh = tmp_path / "fresh"
    build(capsys, docs, fresh, "--no-cache")
    assert dump(out / "pipeline.db") == dump(fresh / "pipeline.db")
    loaded = pipeline.load(fresh)  # the records of the JSON files, in dataset order: the database of them
    memory = sqlite3.connect(":memory:")
    memory.deserialize(export_database([(r, list(loaded[r.name])) for r in ALL_RESOURCES]))
    assert dump(out / "pipeline.db") == list(memory.iterdump())


def test_a_damaged_row_cache_is_bypassed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A row cache SQLite cannot read costs time, not the build: the database is made as without a cache."""
    docs, out, cache = docs_in(tmp_path), tmp_path / "out", tmp_path / "cache"
    build(capsys, docs, out, "--cache-dir", str(cache))
    expected = dump(out / "pipeline.db")
    (cache / ROWS).write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)  # a header, then garbage
    build(capsys, docs, out, "--cache-dir", str(cache), "--force")
    assert dump(out / "pipeline.db") == expected


@dataclass(frozen=True, slots=True)
class Note:
    """A record of a dataset declared here: the row cache's layout follows its fields."""

    name: str = field(metadata=column("A name."))


@dataclass(frozen=True, slots=True)
class NoteWithFlag:
    """The same dataset, a field added (as when `retryable` is added to error codes)."""

    name: str = field(metadata=column("A name."))
    flag: bool | None = field(metadata=column("A flag."))


def test_a_field_added_gives_a_new_cache_table_and_drops_the_old(tmp_path: Path) -> None:
    """A dataset's rows are cached in a table named after its columns: after a field is added, the rows are
    ingested into a new table (not refused by the old one, which would send every build down the bypass) and
    the old table is dropped."""
    cache = tmp_path / ROWS
    for record_type, records in ((Note, [Note("a")]), (NoteWithFlag, [NoteWithFlag("a", True)])):
        resource = Resource(name="notes", record_type=record_type, title="Notes", key=("name",),
                            primary_key=("name",), order=("name",))
        folder = tmp_path / record_type.__name__
        folder.mkdir()
        (folder / "notes.jsonl").write_bytes(jsonl.export(resource, records))
        size = (folder / "notes.jsonl").stat().st_size
        assemble(DatabasePlan(folder, folder / "made.db", cache), [resource],
                 [(("notes", (Segment("k", "p.md", 0, size, 1),)),)])
        tables = {name for (name,) in sqlite3.connect(cache).execute("SELECT name FROM sqlite_master WHERE "
                                                                     "type = 'table' AND name LIKE 'notes@%'")}
        assert tables == {cached_table(resource)}
        cached = sqlite3.connect(cache)
        columns = [row[1] for row in cached.execute(f'PRAGMA table_info("{cached_table(resource)}")')]
        assert columns == ["_key", "_n", *resource.column_names]  # the rows went to the cache, not round it
        assert cached.execute(f'SELECT COUNT(*) FROM "{cached_table(resource)}"').fetchone() == (1,)
        cached.close()
        made = sqlite3.connect(folder / "made.db")
        assert made.execute("SELECT * FROM notes").fetchall() == [tuple(int(v) if isinstance(v, bool) else v
                                                                        for v in astuple(records[0]))]
        made.close()


def test_the_database_made_in_another_process_equals_the_one_made_here(tmp_path: Path) -> None:
    """A build of fewer than ``child_after`` pages makes pipeline.db in its own process at the end; a larger one
    in a child process, filled batch by batch as the pages come. Both give the database of the records."""
    from pipeline.building import build as build_pages
    from pipeline.output import DatasetWriter

    pages = build_pages(docs_in(tmp_path)).pages
    made = []
    for child_after in (1, 2, len(pages) + 1):
        out = tmp_path / f"out-{child_after}"
        (out / "schemas").mkdir(parents=True)
        writer = DatasetWriter(out, scratch_parent=out, store=None)
        writer.child_after = child_after
        for page in pages:
            writer.add(page)
        writer.close()
        made.append(dump(out / "pipeline.db"))
    loaded = pipeline.load(tmp_path / f"out-{len(pages) + 1}")
    memory = sqlite3.connect(":memory:")
    memory.deserialize(export_database([(r, list(loaded[r.name])) for r in ALL_RESOURCES]))
    assert made[0] == made[1] == made[2] == list(memory.iterdump())


def test_rows_follow_the_records_not_the_page_bytes(tmp_path: Path) -> None:
    """A git page read at another commit has the same bytes but other provenance (``source_commit``) on its
    records: its cached rows must not be the old commit's (they are keyed by the lines they were read from)."""
    from dataclasses import replace

    from pipeline.building import build as build_pages
    from pipeline.incremental.fingerprint import current_environment
    from pipeline.incremental.store import PageStore
    from pipeline.model import PageResult
    from pipeline.output import DatasetWriter

    pages = build_pages(docs_in(tmp_path)).pages
    store = PageStore(tmp_path / "cache", current_environment())
    for commit in ("a" * 40, "b" * 40):
        stamped = [PageResult(p.source_path, p.sha256, {name: tuple(replace(r, source_commit=commit) for r in found)
                                                        for name, found in p.records.items()}, p.tables, p.issues)
                   for p in pages]
        out = tmp_path / f"out-{commit[0]}"
        (out / "schemas").mkdir(parents=True)
        writer = DatasetWriter(out, scratch_parent=out, store=store)
        for page in stamped:
            writer.add(page)
        writer.close()
        database = sqlite3.connect(out / "pipeline.db")
        assert {c for (c,) in database.execute("SELECT source_commit FROM error_codes")} == {commit}
        database.close()


def test_a_page_given_twice_has_its_rows_twice_not_four_times(tmp_path: Path) -> None:
    """Through the API a page can be given twice (the command line refuses such roots): the database holds its
    rows as often as the JSON Lines file holds its lines (the cache ingests a key once)."""
    from pipeline.building import build as build_pages
    from pipeline.output import write_into

    page = next(p for p in build_pages(docs_in(tmp_path)).pages if p.records["error_codes"])
    out = tmp_path / "out"
    out.mkdir()
    write_into(out, [page, page])
    lines = (out / "error_codes.jsonl").read_bytes().count(b"\n")
    database = sqlite3.connect(out / "pipeline.db")
    assert database.execute("SELECT COUNT(*) FROM error_codes").fetchone() == (lines,)
    assert lines == 2 * len(page.records["error_codes"])
    database.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="limits a child's file size (POSIX)")
def test_a_database_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    """SQLite failing in the build's own process (a file-size limit: ``disk I/O error``) is a one-line error,
    exit 2, nothing replaced; never a traceback."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1500 * 1024, 1500 * 1024))

    pages = Path(__file__).resolve().parent / "fixtures" / "pages"
    done = subprocess.run([sys.executable, "-m", "pipeline", "build", str(pages), "--out", str(tmp_path / "out"),
                           "--cache-dir", str(tmp_path / "cache"), "-j", "1", "-q"], capture_output=True, text=True,
                          preexec_fn=limit, cwd=Path(__file__).resolve().parent.parent, check=False)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().endswith("nothing was replaced") and "pipeline.db: " in done.stderr

"""``pipeline.db`` made from the JSON Lines files (``database_from_jsonl``), in a child process (``DatabaseJob``):
the database the reference ``sqlite_oracle.export_database`` makes of the same records."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples
from records import ANY_TEXT, value_strategy
from sqlite_oracle import export_database

import pipeline
from pipeline.datasets import (
    ALL_RESOURCES,
    ERROR_CATALOG,
    PARAMETERS,
    STATUS_CODES,
    STATUS_WORDING,
    ErrorCatalogRecord,
    Resource,
    StatusCodeRecord,
    StatusWordingRecord,
    column,
)
from pipeline.exporters import jsonl
from pipeline.exporters.database_job import DatabaseJob, DatabaseJobError
from pipeline.exporters.sqlite import dump
from pipeline.exporters.sqlite_jsonl import database_from_jsonl

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "output"


def staged_dump(datasets: Sequence[tuple[Resource, Sequence[Any]]], folder: Path) -> list[str]:
    """``dump`` of the reference database of the records (``sqlite_oracle.export_database``)."""
    (folder / "exported.db").write_bytes(export_database(datasets))
    return dump(folder / "exported.db")


def jsonl_dump(datasets: Sequence[tuple[Resource, Sequence[Any]]], folder: Path) -> list[str]:
    """``dump`` of ``database_from_jsonl`` over the records' JSON Lines files, written as the build writes them."""
    for resource, records in datasets:
        (folder / f"{resource.name}.jsonl").write_bytes(jsonl.export(resource, records))
    database_from_jsonl(folder, [resource for resource, _ in datasets], folder / "made.db")
    return dump(folder / "made.db")


def test_the_database_of_the_raw_docs_jsonl_files_is_the_staged_one(tmp_path: Path) -> None:
    """The committed build of raw_docs: its .jsonl files give the database its records give today."""
    data = pipeline.load(OUTPUT)
    datasets = [(resource, data[resource.name]) for resource in ALL_RESOURCES]
    assert {r.name for r, records in datasets if records} == {"status_codes", "error_codes", "pages", "error_catalog",
                                                               "status_wording"}  # no operations in raw_docs
    database_from_jsonl(OUTPUT, ALL_RESOURCES, tmp_path / "made.db")  # the files themselves, read only
    assert dump(tmp_path / "made.db") == staged_dump(datasets, tmp_path) == dump(OUTPUT / "pipeline.db")


@settings(max_examples=examples(6), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
@pytest.mark.parametrize("resource", ALL_RESOURCES, ids=lambda r: r.name)
def test_generated_records_give_the_staged_database(resource: Resource, data: st.DataObject) -> None:
    """Any records of each dataset (any text, nulls, empty lists, booleans; sometimes one repeated, which
    drops the primary key) give the database ``export_database`` makes."""
    record = st.tuples(*(value_strategy(f, ANY_TEXT) for f in resource.fields)).map(resource.from_row)  # "in": in_
    records = data.draw(st.lists(record, max_size=5), label="records")
    if records and data.draw(st.booleans(), label="repeat one"):
        records.append(records[data.draw(st.integers(0, len(records) - 1), label="which")])
    with tempfile.TemporaryDirectory() as scratch:
        made = jsonl_dump([(resource, records)], Path(scratch))
        assert made == staged_dump([(resource, records)], Path(scratch))


def test_repeated_keys_control_characters_quotes_and_empty_lists(tmp_path: Path) -> None:
    """A repeated primary key (the table loses its key), NUL and other control characters, quotes, non-BMP
    text, empty and null-free lists, booleans and nulls: cell for cell what today's database holds."""
    status = StatusCodeRecord(
        service="svc", source_path="svc/p.md", source_format="html", page_title="Q'uote \"d\"", page_id=None,
        table_index=0, table_title="a\x00b\x1b[2J\u2028\ufeff", row_index=0, line=None, source_repo=None,
        source_commit=None, source_url=None, status_code=400, documented_reason="\U0001f600 \\ \t\r\n",
        reason="Bad Request", description=None, category="client_error")
    catalog = ErrorCatalogRecord(
        service="svc", error_code="E\x00'\"1", status_code=None, records=2, services=(), sources=("a\x00", '"b"'),
        message=None, description="é", solution=None, module=None, messages=(), disagreements=("\\u0000",),
        missing=(), consistent=False)
    wording = StatusWordingRecord(status_code=404, wording="Not\x7fFound", registry_reason=None,
                                  verdict="non_standard", outlier=True, service_count=0, services=(), records=1,
                                  sources=("x",))
    datasets: list[tuple[Resource, list[Any]]] = [
        (STATUS_CODES, [status, status, replace(status, row_index=1)]),
        (ERROR_CATALOG, [catalog, replace(catalog, consistent=True, status_code=500)]),
        (STATUS_WORDING, [wording, replace(wording, wording="Gone", outlier=False)]),
        (PARAMETERS, [])]
    made = jsonl_dump(datasets, tmp_path)
    assert made == staged_dump(datasets, tmp_path)
    db = sqlite3.connect(tmp_path / "made.db")
    assert "PRIMARY KEY" not in db.execute("select sql from sqlite_master where name = 'status_codes'").fetchone()[0]
    assert "PRIMARY KEY" in db.execute("select sql from sqlite_master where name = 'status_wording'").fetchone()[0]
    assert db.execute("select count(*), min(table_title) from status_codes").fetchone() == (3, status.table_title)
    assert db.execute("pragma integrity_check").fetchone() == ("ok",)  # the keyed table tried first, then dropped
    assert db.execute("select services, sources, disagreements, consistent from error_catalog").fetchall() == [
        ("[]", '["a\\u0000","\\"b\\""]', '["\\\\u0000"]', 0), ("[]", '["a\\u0000","\\"b\\""]', '["\\\\u0000"]', 1)]


@dataclass(frozen=True, slots=True)
class Tagged:
    """A record whose primary key may be null (no declared dataset's can, yet)."""

    name: str | None = field(metadata=column("A name.", searchable=True))
    kind: int | None = field(metadata=column("A kind."))
    tags: tuple[str, ...] = field(metadata=column("Tags."))


TAGGED = Resource(name="tagged", record_type=Tagged, title="Tagged", key=("name", "kind"),
                  primary_key=("name", "kind"), order=("name", "kind"))


@pytest.mark.parametrize(("records", "keyed"), [
    ([Tagged(None, 1, ()), Tagged(None, 2, ()), Tagged("a", None, ("x",))], True),
    ([Tagged(None, 1, ()), Tagged("a", None, ("x",)), Tagged(None, 1, ("y",))], False),  # SQLite alone keeps it
    ([Tagged("a", None, ()), Tagged("a", 1, ()), Tagged("a", None, ("y",))], False),
    ([Tagged(None, None, ()), Tagged(None, None, ())], False),
    ([Tagged("a", 1, ()), Tagged("b", 1, ()), Tagged("a", 1, ())], False)])
def test_a_key_repeated_with_nulls_drops_the_primary_key(records: list[Tagged], keyed: bool, tmp_path: Path) -> None:
    """SQLite's primary key holds two rows whose key has the same null: the reference counts them as a repeat."""
    made = jsonl_dump([(TAGGED, records)], tmp_path)
    assert made == staged_dump([(TAGGED, records)], tmp_path)
    table = next(statement for statement in made if statement.startswith('CREATE TABLE "tagged" ('))
    assert ("PRIMARY KEY" in table) is keyed


def test_a_line_that_is_no_record_is_named_by_its_line(tmp_path: Path) -> None:
    good = jsonl.export(STATUS_WORDING, [StatusWordingRecord(404, "Not Found", "Not Found", "registry", False, 1,
                                                             ("svc",), 1, ("svc/p.md",))])
    for bad, reason in ((b"{not json\n", r"not JSON \(.+\)"), (b'{"status_code": 404}\n', "no field 'wording'"),
                        (b"[1, 2]\n", "not a JSON object"), (b"\n", r"not JSON \(.+\)")):
        (tmp_path / "status_wording.jsonl").write_bytes(good + good + bad + good)
        target = tmp_path / f"{len(bad)}.db"
        with pytest.raises(ValueError, match=rf"status_wording\.jsonl:3: not a record: {reason}$"):
            database_from_jsonl(tmp_path, [STATUS_WORDING], target)


def test_the_target_must_be_a_new_file(tmp_path: Path) -> None:
    (tmp_path / "status_wording.jsonl").write_bytes(b"")
    (tmp_path / "made.db").write_bytes(b"keep")
    with pytest.raises(FileExistsError, match="must be a new file"):
        database_from_jsonl(tmp_path, [STATUS_WORDING], tmp_path / "made.db")
    assert (tmp_path / "made.db").read_bytes() == b"keep"


# --- the child process ------------------------------------------------------------------------------------------

def test_a_job_makes_the_database_in_a_child_process(tmp_path: Path) -> None:
    with DatabaseJob(OUTPUT, ALL_RESOURCES, tmp_path / "made.db") as job:
        assert job.pid != os.getpid()
        job.wait()
        assert not job.running()
    assert dump(tmp_path / "made.db") == dump(OUTPUT / "pipeline.db")


@pytest.mark.parametrize(("folder", "target", "message"), [
    ("missing", "made.db", r"made\.db: .*missing/status_codes\.jsonl: No such file or directory$"),
    ("docs", "file/made.db", r"file/made\.db: unable to open database file$"),
    ("docs", "docs/status_codes.jsonl", r"status_codes\.jsonl: the database must be a new file$"),
    ("bad\x1b[2J", "made.db", r"made\.db: .*bad\\x1b\[2J/status_codes\.jsonl:1: not a record: no field 'source_path'$"),
])
def test_a_failed_job_raises_one_line_in_the_parent(folder: str, target: str, message: str, tmp_path: Path) -> None:
    """A missing folder, an unwritable target, an existing one, a damaged file: ``DatabaseJobError``, one line,
    control characters escaped."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "status_codes.jsonl").write_bytes(b"")
    (tmp_path / "bad\x1b[2J").mkdir()
    (tmp_path / "bad\x1b[2J" / "status_codes.jsonl").write_bytes(b'{"service": "svc"}\n')
    (tmp_path / "file").write_bytes(b"")
    with DatabaseJob(tmp_path / folder, [STATUS_CODES], tmp_path / target) as job, \
            pytest.raises(DatabaseJobError, match=message) as failure:
        job.wait()
    assert isinstance(failure.value, OSError)
    assert "\n" not in str(failure.value) and "\x1b" not in str(failure.value)


@pytest.fixture
def blocking_folder(tmp_path: Path) -> Path:
    """A folder whose status_codes.jsonl is a FIFO no one writes: a job reading it waits for ever."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    os.mkfifo(tmp_path / "status_codes.jsonl")
    return tmp_path


def test_abandoning_a_job_terminates_the_child(blocking_folder: Path) -> None:
    job = DatabaseJob(blocking_folder, [STATUS_CODES], blocking_folder / "made.db")
    pid = job.pid
    assert job.running()
    job.abandon()
    assert not job.running()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # reaped: gone
    with pytest.raises(DatabaseJobError, match="over"):
        job.wait()


def test_leaving_the_with_block_on_an_error_terminates_the_child(blocking_folder: Path) -> None:
    with pytest.raises(KeyError), DatabaseJob(blocking_folder, [STATUS_CODES], blocking_folder / "made.db") as job:
        assert job.running()
        raise KeyError("the build failed")
    assert not job.running()
    with pytest.raises(ProcessLookupError):
        os.kill(job.pid, 0)


_PARENT = """
import sys, time
from pathlib import Path
from pipeline.datasets import STATUS_CODES
from pipeline.exporters.database_job import DatabaseJob
job = DatabaseJob(Path(sys.argv[1]), [STATUS_CODES], Path(sys.argv[1]) / "made.db")
print(job.pid, flush=True)
time.sleep(600)
"""


def _gone(pid: int) -> bool:
    """True once process ``pid`` has ended (a zombie no one reaps counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_a_killed_build_leaves_no_child_behind(blocking_folder: Path) -> None:
    """The build killed (SIGKILL: no ``with`` block runs), its database child exits on its own."""
    parent = subprocess.Popen([sys.executable, "-c", _PARENT, str(blocking_folder)], stdout=subprocess.PIPE,
                              cwd=ROOT)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert not _gone(child)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 60  # a bound against hanging, not a timing: the child exits within a second
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(child)

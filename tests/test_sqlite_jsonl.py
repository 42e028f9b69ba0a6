"""``pipeline.db`` made from the JSON Lines files (``database_from_jsonl``):
the database ``Staging.write_staged`` and ``export_database`` make of the same records."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples
from records import ANY_TEXT, value_strategy

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
from pipeline.exporters.sqlite import Staging, dump, export_database
from pipeline.exporters.sqlite_jsonl import database_from_jsonl

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "output"


def staged_dump(datasets: Sequence[tuple[Resource, Sequence[Any]]], folder: Path) -> list[str]:
    """``dump`` of today's two ways to the database (``Staging.add`` + ``write_staged``, and ``export_database``),
    asserted equal to each other."""
    resources = [resource for resource, _ in datasets]
    staging = Staging(folder / "staging.db", resources)
    try:
        for resource, records in datasets:
            staging.add(resource, records)
        staging.write_staged(folder / "staged.db", resources)
    finally:
        staging.close()
    (folder / "exported.db").write_bytes(export_database(datasets))
    staged = dump(folder / "staged.db")
    assert staged == dump(folder / "exported.db")
    return staged


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
    drops the primary key) give the database ``write_staged`` and ``export_database`` make."""
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
    """SQLite's primary key holds two rows whose key has the same null: ``is_unique`` counts them as a repeat."""
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

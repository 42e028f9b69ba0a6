"""Issue 17: what a downstream user gets in one call — the Python API, SQLite, ``pipeline show``, the merged
catalog and the status wording, and metadata that tells the truth (datapackage, Parquet, the data dictionary)."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples
from records import record_strategy
from sqlite_oracle import export_database

import pipeline
from pipeline.cli import main
from pipeline.datasets import (
    ALL_RESOURCES,
    DERIVED_RESOURCES,
    ERROR_CATALOG,
    ERROR_CODES,
    STATUS_CODES,
    STATUS_WORDING,
    Relation,
    Resource,
    check_relations,
    column,
    derive_all,
)
from pipeline.exporters.whole import file_names

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
OUTPUT = ROOT / "output"



def _rst_errors(rows: list[tuple[str, str, str]]) -> str:
    """An RST error-code page: status, code, message rows in a grid table."""
    widths = (8, 12, 60)
    line = "+" + "+".join("-" * w for w in widths) + "+\n"
    head = "+" + "+".join("=" * w for w in widths) + "+\n"

    def row(cells: tuple[str, str, str]) -> str:
        return "|" + "|".join(f" {c}".ljust(w) for c, w in zip(cells, widths, strict=True)) + "|\n"

    body = "".join(row(r) + line for r in rows)
    return ("Error Codes\n===========\n\n" + line + row(("Status", "Error Code", "Error Message")) + head + body)


def _rst_status(rows: list[tuple[str, str, str]]) -> str:
    widths = (13, 26, 40)
    line = "+" + "+".join("-" * w for w in widths) + "+\n"
    head = "+" + "+".join("=" * w for w in widths) + "+\n"

    def row(cells: tuple[str, str, str]) -> str:
        return "|" + "|".join(f" {c}".ljust(w) for c, w in zip(cells, widths, strict=True)) + "|\n"

    return ("Status Codes\n============\n\n" + line + row(("Status Code", "Type", "Description")) + head
            + "".join(row(r) + line for r in rows))


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twin pages (HTML-like and RST copies, a Swiss copy) with three messages for Ecs.0001/400, a code with
    leading zeros and no status, and status phrases worded three ways."""
    root = tmp_path_factory.mktemp("docs")
    pages = {
        "ecs/error_codes.rst": _rst_errors([("400", "Ecs.0001", "Insufficient ECS quota."),
                                            ("N/A", "0042", "Leading zeros matter."),
                                            ("500", "Ecs.0500", "Full-text needle here.")]),
        "ecs/error_codes_old.rst": _rst_errors([("400", "Ecs.0001", "the number of instance above quota limits")]),
        "ecs-swiss/error_codes.rst": _rst_errors([("400", "Ecs.0001", "ECS quota exceeded.")]),
        "ecs/status_codes.rst": _rst_status([("200", "OK", "Fine."), ("500", "internal Server Error", "Boom."),
                                            ("413", "Request Entity Too Large", "Too big.")]),
        "vpc/status_codes.rst": _rst_status([("500", "Internal Server Error", "Boom."),
                                            ("429", "overLimit", "Slow down.")]),
    }
    for name, text in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    return root


@pytest.fixture(scope="module")
def written(docs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "output"
    assert main(["build", str(docs), "--out", str(out), "-q", "--no-cache"]) == 0
    return out


# --- 1. the Python API ------------------------------------------------------------------------------


def test_build_is_in_memory_and_writes_nothing(docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = pipeline.build(docs)
    assert list(tmp_path.iterdir()) == []
    assert set(data) == {r.name for r in ALL_RESOURCES}
    codes = {r.error_code for r in data.error_codes}
    assert {"Ecs.0001", "0042", "Ecs.0500"} <= codes
    assert all(type(r) is ERROR_CODES.record_type for r in data.error_codes)


def test_build_writes_only_when_asked_and_load_reads_the_same_records(docs: Path, tmp_path: Path) -> None:
    built = pipeline.build([docs], out=tmp_path / "out")
    loaded = pipeline.load(tmp_path / "out")
    for resource in ALL_RESOURCES:
        assert tuple(loaded[resource.name]) == tuple(built[resource.name]), resource.name


def test_to_pandas_keeps_leading_zeros_a_nullable_int16_status_and_booleans(written: Path) -> None:
    """pandas read the JSON's nullable status as float64 and a code like 0042 as the number 42."""
    import pandas as pd

    data = pipeline.load(written)
    frame = data.error_codes.to_pandas()
    assert frame["error_code"].dtype == pd.StringDtype()
    assert frame["status_code"].dtype == pd.Int16Dtype()
    zero = frame[frame["error_code"] == "0042"]
    assert len(zero) == 1 and zero["status_code"].isna().all()
    catalog = data.error_catalog.to_pandas()
    assert catalog["consistent"].dtype == pd.BooleanDtype()
    assert list(catalog.columns) == list(ERROR_CATALOG.column_names)


def test_to_arrow_has_the_declared_types(written: Path) -> None:
    import pyarrow as pa

    table = pipeline.load(written).error_codes.to_arrow()
    assert table.schema.field("status_code").type == pa.int16()
    assert table.schema.field("error_code").type == pa.string()
    assert table.num_rows == len(pipeline.load(written).error_codes)


def test_to_pandas_without_pandas_names_the_extra(written: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = pipeline.load(written).status_codes
    monkeypatch.setitem(sys.modules, "pandas", None)  # what an install without the extra looks like
    with pytest.raises(ImportError, match=re.escape("apidoc-datasets[pandas]")):
        table.to_pandas()


def test_load_refuses_a_folder_that_is_not_a_dataset(tmp_path: Path) -> None:
    from pipeline.api import DatasetReadError

    with pytest.raises(DatasetReadError, match="missing"):
        pipeline.load(tmp_path)
    (tmp_path / "status_codes.json").write_text('[{"status_code": "200"}]')
    (tmp_path / "error_codes.json").write_text("[]")
    with pytest.raises(DatasetReadError, match="record 0"):
        pipeline.load(tmp_path)


def test_pipeline_build_is_the_api_function_and_no_module_shadows_it() -> None:
    """``pipeline.build`` is the API function; the build's machinery is ``pipeline.building``, and no module
    ``pipeline.build`` exists for an import to find instead of the function."""
    import importlib
    import importlib.util

    assert callable(pipeline.build) and pipeline.build.__module__ == "pipeline.api"
    assert importlib.util.find_spec("pipeline.build") is None
    assert hasattr(importlib.import_module("pipeline.building"), "stream_results")


def test_readme_api_example_runs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The code block under README's "Python API" heading runs as written, from the repository root."""
    text = README.read_text("utf-8")
    section = text.split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    monkeypatch.chdir(ROOT)
    exec(compile(code.group(1), "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "Int16" in printed and "Ecs.0001" in printed


# --- 2. SQLite ----------------------------------------------------------------------------------------


def test_sqlite_has_a_table_per_dataset_keys_indexes_and_full_text_search(written: Path) -> None:
    db = sqlite3.connect(written / "pipeline.db")
    tables = {name for (name,) in db.execute("select name from sqlite_master where type = 'table'")}
    assert {r.name for r in ALL_RESOURCES} <= tables
    assert db.execute("select count(*) from error_codes").fetchone()[0] == len(pipeline.load(written).error_codes)
    hits = db.execute("select e.error_code, e.status_code from error_codes_fts f join error_codes e "
                      "on e.rowid = f.rowid where error_codes_fts match 'needle'").fetchall()
    assert hits == [("Ecs.0500", 500)]
    indexes = {name for (name,) in db.execute("select name from sqlite_master where type = 'index'")}
    assert "idx_error_codes_error_code" in indexes and "idx_status_codes_status_code" in indexes
    pk = [row[1] for row in db.execute("pragma table_info(status_wording)") if row[5]]
    assert pk == list(STATUS_WORDING.primary_key)
    null_status = db.execute("select status_code from error_codes where error_code = '0042'").fetchone()
    assert null_status == (None,)  # not 0, not '': a real NULL, and the code a string
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("update status_codes set status_code = 700")


def test_sqlite_is_deterministic(docs: Path, tmp_path: Path) -> None:
    from pipeline.exporters.sqlite import dump

    pipeline.build(docs, out=tmp_path / "a")
    pipeline.build(docs, out=tmp_path / "b")
    assert dump(tmp_path / "a" / "pipeline.db") == dump(tmp_path / "b" / "pipeline.db")


@dataclass(frozen=True, slots=True)
class _Page:
    source_path: str = field(metadata=column("A page."))
    title: str = field(metadata=column("Its title.", searchable=True))


@dataclass(frozen=True, slots=True)
class _Operation:
    source_path: str = field(metadata=column("Its page."))
    method: str = field(metadata=column("GET, DELETE..."))
    uri: str = field(metadata=column("The path."))


PAGES = Resource("pages", _Page, "Pages", key=("source_path",), primary_key=("source_path",), order=("source_path",))
OPERATIONS = Resource("operations", _Operation, "Operations", key=("method", "uri"), primary_key=(),
                      order=("source_path",), lookups=(("method", "uri"),),
                      relations=(Relation(("source_path",), "pages", ("source_path",)),))


def test_relations_become_foreign_keys() -> None:
    """The mechanism the pages/operations datasets will use: a declared relation is a foreign key in SQLite
    and in the Table Schema, and a dangling reference is found by SQLite's own check."""
    from pipeline.schema import table_schema

    good = export_database([(PAGES, [_Page("a.rst", "A")]), (OPERATIONS, [_Operation("a.rst", "GET", "/v1")])])
    bad = export_database([(PAGES, [_Page("a.rst", "A")]), (OPERATIONS, [_Operation("b.rst", "GET", "/v1")])])
    for data, dangling in ((good, []), (bad, [("operations", 1, "pages", 0)])):
        db = sqlite3.connect(":memory:")
        db.deserialize(data)
        assert [tuple(r[2:5]) for r in db.execute("pragma foreign_key_list(operations)")] == [
            ("pages", "source_path", "source_path")]
        assert db.execute("pragma foreign_key_check").fetchall() == dangling
    assert table_schema(OPERATIONS)["foreignKeys"] == [
        {"fields": ["source_path"], "reference": {"resource": "pages", "fields": ["source_path"]}}]


def test_a_relation_must_name_a_declared_primary_key() -> None:
    with pytest.raises(ValueError, match="not declared"):
        check_relations([OPERATIONS])
    wrong = Resource("operations", _Operation, "Operations", key=("method", "uri"), primary_key=(),
                     order=("source_path",), relations=(Relation(("uri",), "pages", ("title",)),))
    with pytest.raises(ValueError, match="primary key"):
        check_relations([PAGES, wrong])


def test_datasette_serves_the_database_with_full_text_search(written: Path) -> None:
    datasette_app = pytest.importorskip("datasette.app")
    import asyncio

    async def probe() -> tuple[str | None, list[str]]:
        ds = datasette_app.Datasette([str(written / "pipeline.db")])
        db = ds.get_database("pipeline")
        fts = await db.fts_table("error_codes")
        response = await ds.client.get("/pipeline/error_codes.json?_search=needle&_shape=array")
        return fts, [row["error_code"] for row in response.json()]

    assert asyncio.run(probe()) == ("error_codes_fts", ["Ecs.0500"])


# --- 3. pipeline show, JSON Lines --------------------------------------------------------------------


def test_show_finds_an_error_code(written: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "ecs.0001", "--dir", str(written), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert list(found) == ["error_codes"]
    assert sorted(r["source_path"] for r in found["error_codes"]) == [
        "ecs-swiss/error_codes.rst", "ecs/error_codes.rst", "ecs/error_codes_old.rst"]


def test_show_a_status_of_one_service_as_json_lines(written: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "500", "--service", "vpc", "--dir", str(written), "--jsonl"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(x["dataset"], x["service"], x["status_code"]) for x in lines] == [("status_codes", "vpc", 500)]


def test_show_table_and_exit_codes(written: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "0042", "--dir", str(written)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("error_codes: 1 record\n") and "ecs/error_codes.rst:" in out
    assert main(["show", "Ecs.9999", "--dir", str(written)]) == 1
    assert "nothing matches" in capsys.readouterr().err
    assert main(["show", "Ecs.0001", "--dir", str(tmp_path / "missing")]) == 2
    assert main(["show", "Ecs.0001", "--dir", str(written), "--dataset", "nope"]) == 2


def test_show_matches_a_lookup_of_several_fields() -> None:
    """``pipeline show 'DELETE /v3/...'``: a lookup of (method, uri) matches the two values joined by a space."""
    from pipeline.api import Datasets, RecordTable
    from pipeline.cli.show_command import matches

    ops = [_Operation("a.rst", "DELETE", "/v3/{project_id}/backups/{backup_id}"),
           _Operation("a.rst", "GET", "/v3/{project_id}/backups/{backup_id}")]
    data = Datasets({"operations": RecordTable(OPERATIONS, tuple(ops))})
    assert matches(data, OPERATIONS, "delete  /v3/{project_id}/backups/{backup_id}", None) == ops[:1]


def test_show_escapes_control_characters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = tmp_path / "docs"
    (docs / "svc").mkdir(parents=True)
    (docs / "svc" / "error_codes.rst").write_text(_rst_errors([("400", "SVC.1", "bad \u202edata")]), "utf-8")
    pipeline.build(docs, out=tmp_path / "out")
    for form in ([], ["--json"], ["--jsonl"]):
        assert main(["show", "SVC.1", "--dir", str(tmp_path / "out"), *form]) == 0
        out = capsys.readouterr().out
        assert "\u202e" not in out and "\\u202e" in out, form
        if form == ["--json"]:
            assert json.loads(out)["error_codes"][0]["message"] == "bad \u202edata"  # still the same JSON
        elif form:
            assert json.loads(out.splitlines()[0])["message"] == "bad \u202edata"


def test_json_lines_files_hold_the_json_records(written: Path) -> None:
    for resource in ALL_RESOURCES:
        lines = (written / f"{resource.name}.jsonl").read_text("utf-8").splitlines()
        assert [json.loads(line) for line in lines] == json.loads(
            (written / f"{resource.name}.json").read_text("utf-8")), resource.name


# --- 4. the merged catalog and the status wording ------------------------------------------------------


def test_catalog_merges_twins_and_region_copies_and_flags_disagreement(written: Path) -> None:
    data = pipeline.load(written)
    row = next(r for r in data.error_catalog if (r.service, r.error_code, r.status_code) == ("ecs", "Ecs.0001", 400))
    assert row.records == 3 and row.services == ("ecs", "ecs-swiss")
    assert [s.split(":")[0] for s in row.sources] == ["ecs/error_codes.rst", "ecs/error_codes_old.rst",
                                                      "ecs-swiss/error_codes.rst"]
    assert len(row.messages) == 3 and row.disagreements == ("message",) and not row.consistent
    zero = next(r for r in data.error_catalog if r.error_code == "0042")
    assert zero.status_code is None and zero.consistent and zero.records == 1


def test_status_wording_flags_typos_and_invented_phrases(written: Path) -> None:
    rows = {(r.status_code, r.wording): r for r in pipeline.load(written).status_wording}
    assert rows[(500, "Internal Server Error")].verdict == "registry"
    assert not rows[(500, "Internal Server Error")].outlier
    typo = rows[(500, "internal Server Error")]
    assert (typo.verdict, typo.outlier, typo.services) == ("spelling", True, ("ecs",))
    assert (rows[(429, "overLimit")].verdict, rows[(429, "overLimit")].outlier) == ("non_standard", True)
    assert rows[(413, "Request Entity Too Large")].verdict == "earlier_registry"
    assert rows[(413, "Request Entity Too Large")].registry_reason == "Content Too Large"


def test_catalog_on_the_committed_output_shows_the_issue_example() -> None:
    """The issue's example, on raw_docs: Ecs.0001/400 is documented on four pages with three messages."""
    data = pipeline.load(OUTPUT)
    row = next(r for r in data.error_catalog if (r.service, r.error_code, r.status_code) == ("ecs", "Ecs.0001", 400))
    assert (row.records, len(row.messages), row.services) == (4, 3, ("ecs", "ecs-swiss"))
    assert "message" in row.disagreements and "solution" in row.disagreements


# --- 5. metadata -----------------------------------------------------------------------------------


def test_datapackage_lists_every_file_with_sources_licence_and_constraints(written: Path) -> None:
    package = json.loads((written / "datapackage.json").read_text("utf-8"))
    paths = {r["path"] for r in package["resources"]}
    for resource in ALL_RESOURCES:
        assert {f"{resource.name}.{ext}" for ext in ("csv", "json", "jsonl", "parquet")} <= paths
    assert "pipeline.db" in paths
    assert [lic["name"] for lic in package["licenses"]] == ["Apache-2.0"]
    assert any("opentelekomcloud" in s["path"] for s in package["sources"])
    status = next(f for r in package["resources"] if r["path"] == "status_codes.csv"
                  for f in r["schema"]["fields"] if f["name"] == "status_code")
    assert status["constraints"] == {"required": True, "minimum": 100, "maximum": 599}
    schema = json.loads((written / "schemas" / "error_codes.schema.json").read_text("utf-8"))
    assert schema["items"]["properties"]["status_code"]["minimum"] == 100


def test_frictionless_validates_every_listed_file(written: Path) -> None:
    from frictionless import validate

    report = validate(written / "datapackage.json")
    assert report.valid, report.flatten(["type", "message"])


def test_parquet_files_carry_statistics_and_who_wrote_them(written: Path) -> None:
    manifest = json.loads((written / "manifest.json").read_text("utf-8"))
    for resource in (STATUS_CODES, ERROR_CODES, ERROR_CATALOG):
        meta = pq.ParquetFile(written / f"{resource.name}.parquet").metadata
        keys = {k.decode(): v.decode() for k, v in meta.metadata.items()}
        assert keys["pipeline.generator"] == "pipeline" and keys["pipeline.version"] == pipeline.__version__
        json_hash = __import__("hashlib").sha256((written / f"{resource.name}.json").read_bytes()).hexdigest()
        assert keys["pipeline.json_sha256"] == json_hash
        if resource in (STATUS_CODES, ERROR_CODES):
            assert manifest["files"][f"{resource.name}.json"] == json_hash
        stats = meta.row_group(0).column(0).statistics
        assert stats is not None and stats.has_min_max


def test_data_dictionary_names_every_field_of_every_dataset(written: Path) -> None:
    text = (written / "README.md").read_text("utf-8")
    for resource in ALL_RESOURCES:
        assert f"## `{resource.name}`" in text
        for f in resource.fields:
            assert f"| `{f.name}` |" in text, (resource.name, f.name)
    assert "100–599" in text and "Apache-2.0" in text


def test_every_whole_dataset_file_is_written_and_listed_in_the_manifest(written: Path) -> None:
    manifest = json.loads((written / "manifest.json").read_text("utf-8"))
    for name in file_names():
        assert (written / name).is_file(), name
        assert name.endswith((".parquet", ".db")) or name in manifest["checksums"], name


def test_a_dataset_with_the_new_files_is_replaced_by_the_next_build(docs: Path, written: Path) -> None:
    """The new files are ours: the next build must not refuse to replace the folder that holds them."""
    assert main(["build", str(docs), "--out", str(written), "-q", "--no-cache", "--force"]) == 0
    assert main(["build", str(docs), "--out", str(written), "--check", "-q", "--no-cache"]) == 0


def test_committed_database_is_current() -> None:
    """output/pipeline.db holds what a build of raw_docs gives (compared as SQL: its bytes name SQLite's version)."""
    from pipeline.exporters.sqlite import dump

    data = pipeline.load(OUTPUT)
    fresh = export_database([(resource, data[resource.name]) for resource in ALL_RESOURCES])
    db = sqlite3.connect(":memory:")
    db.deserialize(fresh)
    assert list(db.iterdump()) == dump(OUTPUT / "pipeline.db")
    assert io.BytesIO(fresh).read(16) == b"SQLite format 3\x00"


def test_records_repeating_a_primary_key_are_all_kept_in_sqlite() -> None:
    """The docs can repeat what a declaration calls a primary key: the database keeps every record (an index on
    those fields instead of the key) rather than failing the build."""
    from pipeline.datasets import StatusCodeRecord

    twice = [StatusCodeRecord(service="svc", source_path="svc/p.md", source_format="html", page_title=None,
                              page_id=None, table_index=0, table_title=None, row_index=0, line=None, source_repo=None,
                              source_commit=None, source_url=None, status_code=400, documented_reason=None,
                              reason="Bad Request", description=None, category="client_error")] * 2
    db = sqlite3.connect(":memory:")
    db.deserialize(export_database([(STATUS_CODES, twice)]))
    assert db.execute("select count(*) from status_codes").fetchone() == (2,)
    indexes = {name for (name,) in db.execute("select name from sqlite_master where type = 'index'")}
    assert "idx_status_codes_source_path_table_index_row_index_status_code" in indexes


# --- the dataset writer: derived datasets made partition by partition from the JSON Lines copies -------

_FEW_TEXTS = st.sampled_from(["a", "B", "ab", "a b", "é", "Z", "\U0001f600", "ä"])
_SERVICES = st.sampled_from(["ecs", "ecs-swiss", "évs", "-swiss", "e", "ecs-1"])


def _pages_of(records: list[Any]) -> list[Any]:
    """One page per service (``<service>/p.md``) holding that service's records, in output order."""
    from pipeline.model import PageResult, page_order

    by_service: dict[str, list[Any]] = {}
    for record in records:
        by_service.setdefault(record.service, []).append(record)
    pages = [PageResult.of(f"{service}/p.md", f"{len(found):064x}", found) for service, found in by_service.items()]
    return sorted(pages, key=lambda page: page_order(page.source_path))


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(record_strategy(ERROR_CODES), _SERVICES, _FEW_TEXTS,
                          st.none() | st.sampled_from([400, 404, 500]), st.none() | _FEW_TEXTS), max_size=30),
       st.lists(st.tuples(record_strategy(STATUS_CODES), _SERVICES, st.sampled_from([200, 404, 500]),
                          st.none() | _FEW_TEXTS), max_size=30))
def test_the_writer_derives_partition_by_partition_what_the_api_derives_in_memory(
        errors: list[tuple[Any, str, str, int | None, str | None]],
        statuses: list[tuple[Any, str, int, str | None]]) -> None:
    """The writer derives the error catalog one service family at a time from the pages' JSON Lines copies
    (``Derivation.partition``), and takes a family's rows from the store when its records did not change,
    where the API derives from every record at once in memory: both must give the same derived records,
    in the same order (non-ASCII text, null statuses and phrases, region copies), and the same database."""
    from pipeline.exporters.sqlite import dump
    from pipeline.incremental.store import PageStore
    from pipeline.model import PageResult, page_order
    from pipeline.output import write_into

    error_records = [replace(r, service=service, source_path=f"{service}/p.md", error_code=code,
                             status_code=status, message=message) for r, service, code, status, message in errors]
    status_records = [replace(r, service=service, source_path=f"{service}/p.md", status_code=code,
                              documented_reason=reason) for r, service, code, reason in statuses]
    pages = _pages_of([*status_records, *error_records])
    records = {r.name: [x for page in pages for x in page.records_of(r)] for r in (ERROR_CODES, STATUS_CODES)}
    expected = derive_all(records)
    with tempfile.TemporaryDirectory() as folder:
        store = PageStore(Path(folder) / "store", "test")
        made = []
        more = [*_pages_of([*status_records, *error_records]), PageResult("zz/p.md", "0" * 64)]  # a page of none
        for run, written in enumerate((pages, sorted(more, key=lambda page: page_order(page.source_path)))):
            out = Path(folder) / f"out{run}"
            out.mkdir()
            write_into(out, written, store=store)  # the second takes every partition from the store
            derived = {r.name: [r.from_dict(json.loads(line)) for line in (out / f"{r.name}.jsonl").read_bytes()
                                .splitlines()] for r in DERIVED_RESOURCES}
            for resource in DERIVED_RESOURCES:
                assert derived[resource.name] == expected[resource.name], resource.name
                assert derived[resource.name] == sorted(derived[resource.name], key=resource.sort_key)
            db = sqlite3.connect(":memory:")
            db.deserialize(export_database([(r, {**records, **expected}.get(r.name, [])
                                             if r.name != "pages" else []) for r in ALL_RESOURCES]))
            assert dump(out / "pipeline.db") == list(db.iterdump())
            made.append({r.name: (out / f"{r.name}.json").read_bytes() for r in DERIVED_RESOURCES})
        assert made[0] == made[1]


def test_the_writer_leaves_no_scratch_folder(docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The staged records live in a scratch folder that every write removes, finished or failed."""
    from pipeline.building import build
    from pipeline.output import FileOps, OutputError, render, write_results

    dataset = build(docs)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))  # where render's scratch folder goes
    (tmp_path / "temp").mkdir()
    assert "error_catalog.json" in render(dataset).files
    assert list((tmp_path / "temp").iterdir()) == []

    def refuse_database(path: Path) -> BinaryIO:
        if path.name == "pipeline.db":
            raise OSError(28, "No space left on device", str(path))
        return open(path, "wb")

    with pytest.raises(OutputError):
        write_results(dataset.pages, tmp_path / "out", census=dataset.census, ops=FileOps(open=refuse_database))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["temp"]
    assert list((tmp_path / "temp").iterdir()) == []
    write_results(dataset.pages, tmp_path / "out", census=dataset.census)
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def test_records_point_at_their_pages_and_operations_by_foreign_keys(written: Path) -> None:
    """Every dataset of records found on a page names it in ``pages``; what an operation documents names it in
    ``operations``: foreign keys in the database and in datapackage.json, none left dangling."""
    db = sqlite3.connect(written / "pipeline.db")
    keys = {(table, parent) for table in ("status_codes", "error_codes", "operations", "operation_status_codes",
                                          "parameters", "operation_sections")
            for _id, _seq, parent, *_rest in db.execute(f"PRAGMA foreign_key_list({table})")}
    assert {("status_codes", "pages"), ("error_codes", "pages"), ("parameters", "pages"), ("operations", "pages"),
            ("operation_status_codes", "operations"), ("operation_sections", "operations")} <= keys
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    package = json.loads((written / "datapackage.json").read_text("utf-8"))
    schema = next(r["schema"] for r in package["resources"] if r["name"] == "status-codes")
    assert schema["foreignKeys"] == [{"fields": ["source_path"],
                                      "reference": {"resource": "pages", "fields": ["source_path"]}}]

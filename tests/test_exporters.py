"""Exporters: every format reads back to the same records; the descriptors validate."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from dataclasses import asdict
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples
from records import ANY_TEXT, read_parquet_rows, record_strategy, typed

from pipeline.building import build
from pipeline.exporters import FORMATS
from pipeline.model import Dataset, ErrorCodeRecord, PageResult, StatusCodeRecord
from pipeline.output import render, write_results
from pipeline.schema import ERROR_CODES, RESOURCES, STATUS_CODES

SEED = Path(__file__).resolve().parent / "fixtures" / "seed"


def error_record(**values: object) -> ErrorCodeRecord:
    """An error record of svc/p.md with these field values."""
    base: dict[str, object] = {
        "service": "svc", "source_path": "svc/p.md", "source_format": "html", "page_title": None, "page_id": None,
        "table_index": 0, "table_title": None, "row_index": 0, "line": None, "source_repo": None,
        "source_commit": None, "source_url": None, "error_code": "SVC.0001",
        "status_code": 400, "message": None, "description": None, "solution": None, "module": None}
    return ErrorCodeRecord(**{**base, **values})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def seed_dataset() -> Dataset:
    return build(SEED)


@pytest.fixture(scope="module")
def written(seed_dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "output"
    write_results(seed_dataset.pages, out)
    return out


def test_seed_pages_give_83_records(seed_dataset: Dataset) -> None:
    assert len(seed_dataset.records_of(STATUS_CODES)) == 83
    per_page = {}
    for r in seed_dataset.records_of(STATUS_CODES):
        per_page[r.source_path] = per_page.get(r.source_path, 0) + 1
    assert sorted(per_page.values()) == [16, 16, 17, 17, 17]


def test_json_csv_parquet_read_back_equal(seed_dataset: Dataset, written: Path) -> None:
    for resource in RESOURCES:
        expected = [asdict(r) for r in seed_dataset.records_of(resource)]
        assert json.loads((written / f"{resource.name}.json").read_text("utf-8")) == expected
        with open(written / f"{resource.name}.csv", newline="", encoding="utf-8") as handle:
            assert [typed(resource, row) for row in csv.DictReader(handle)] == expected
        assert read_parquet_rows(written / f"{resource.name}.parquet") == expected


def test_json_keys_in_contract_order(written: Path) -> None:
    first = json.loads((written / "status_codes.json").read_text("utf-8"))[0]
    assert list(first) == list(STATUS_CODES.column_names)
    assert "\\/" not in (written / "status_codes.json").read_text("utf-8")


def test_parquet_schema_types(written: Path) -> None:
    import pyarrow.parquet as pq

    schema = pq.read_schema(written / "status_codes.parquet")
    assert str(schema.field("status_code").type) == "int16"
    assert not schema.field("status_code").nullable
    assert schema.field("description").nullable and str(schema.field("description").type) == "string"


def test_json_validates_against_shipped_schema(written: Path) -> None:
    for resource in (STATUS_CODES, ERROR_CODES):
        schema = json.loads((written / "schemas" / f"{resource.name}.schema.json").read_text("utf-8"))
        jsonschema.validate(json.loads((written / f"{resource.name}.json").read_text("utf-8")), schema)


def test_json_schema_rejects_a_bad_record(written: Path) -> None:
    schema = json.loads((written / "schemas" / "status_codes.schema.json").read_text("utf-8"))
    record = json.loads((written / "status_codes.json").read_text("utf-8"))[0]
    record["status_code"] = "200"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([record], schema)


def test_frictionless_validate_passes(written: Path) -> None:
    from frictionless import validate

    report = validate(written / "datapackage.json")
    assert report.valid, report.flatten(["type", "message"])


def test_error_code_is_a_string_in_table_schema(written: Path) -> None:
    package = json.loads((written / "datapackage.json").read_text("utf-8"))
    error = next(r for r in package["resources"] if r["name"] == "error-codes")
    field = next(f for f in error["schema"]["fields"] if f["name"] == "error_code")
    assert field["type"] == "string" and "string" in field["description"].lower()


def test_rerun_is_byte_identical(seed_dataset: Dataset, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    write_results(build(SEED).pages, a)
    write_results(build(SEED).pages, b)
    for name in render(seed_dataset).files:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_write_refuses_foreign_directory(seed_dataset: Dataset, tmp_path: Path) -> None:
    from pipeline.errors import UsageError

    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(UsageError, match="refusing to replace"):
        write_results(seed_dataset.pages, tmp_path)
    assert (tmp_path / "precious.txt").read_text() == "keep me"


# --- property tests ---------------------------------------------------------------------------
# Generated records read back equal from each exporter (JSON also byte for byte json.dumps's, CSV
# typed back, Parquet, csv-safe's count): tests/test_properties.py. Here: what the build streams.

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
_pages = st.lists(st.tuples(st.lists(record_strategy(STATUS_CODES, ANY_TEXT), max_size=4),
                            st.lists(record_strategy(ERROR_CODES, ANY_TEXT), max_size=4)), min_size=1, max_size=3)


@settings(max_examples=examples(8), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages=_pages, safe=st.booleans())
def test_generated_pages_stream_to_what_the_pure_exporters_give(pages: list[tuple[list[StatusCodeRecord],
                                                                                   list[ErrorCodeRecord]]],
                                                                  safe: bool) -> None:
    """Any records, written page by page into a dataset folder, give each format's exporter's bytes."""
    dataset = Dataset(tuple(PageResult.of(f"svc/page-{i}", "0" * 64, [*status, *errors])
                            for i, (status, errors) in enumerate(pages)))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        write_results(dataset.pages, out, csv_safe=safe)
        for resource in RESOURCES:
            records = dataset.records_of(resource)
            assert (out / f"{resource.name}.json").read_bytes() == FORMATS["json"].export(resource, records)
            csv_format = FORMATS["csv-safe" if safe else "csv"]
            assert (out / f"{resource.name}.csv").read_bytes() == csv_format.export(resource, records)
            assert (out / f"{resource.name}.parquet").read_bytes() == FORMATS["parquet"].export(resource, records)


def test_csv_quotes_bare_carriage_return() -> None:
    record = error_record(message="a\rb", description='say "hi"', solution="x,y", module="a\nb")
    line = FORMATS["csv"].export(ERROR_CODES, [record]).split(b"\r\n", 1)[1]
    assert line.endswith(b',400,"a\rb","say ""hi""","x,y","a\nb"\r\n')


def test_the_streamed_files_are_what_the_pure_exporters_give(tmp_path: Path) -> None:
    """The build writes page by page; each records file equals its format's exporter run on all records
    (Parquet byte for byte too: its chunks and row groups do not depend on where the pages end), the derived
    datasets' files equal the exporters run on the derived records, and the indexes equal json.dumps of their
    items; ``render`` (in memory) gives the written text files."""
    from pipeline.datasets import DERIVED_RESOURCES, derive_all
    from pipeline.exporters.items import issue_dict, table_dict
    from pipeline.exporters.whole import BINARY_SUFFIXES

    fixtures = Path(__file__).resolve().parent / "fixtures"
    operation_pages = [fixtures / "operations" / "rst", fixtures / "operations" / "md" / "doc" / "source"]
    dataset = build([fixtures / "pages", *operation_pages], jobs=2)  # catalogs and operation pages: every dataset
    write_results(dataset.pages, tmp_path / "out", census=dataset.census)
    write_results(dataset.pages, tmp_path / "safe", csv_safe=True, census=dataset.census)
    for resource in RESOURCES:
        records = dataset.records_of(resource)
        assert records
        for fmt in ("json", "csv", "parquet", "jsonl"):
            assert (tmp_path / "out" / FORMATS[fmt].file_name(resource)).read_bytes() == \
                FORMATS[fmt].export(resource, records), (resource.name, fmt)
        assert (tmp_path / "safe" / f"{resource.name}.csv").read_bytes() == \
            FORMATS["csv-safe"].export(resource, records)
        objects = [{name: getattr(r, name) for name in resource.column_names} for r in records]  # "in", not "in_"
        expected = json.dumps(objects, ensure_ascii=False, indent=2) + "\n"
        assert (tmp_path / "out" / f"{resource.name}.json").read_text("utf-8") == expected
    derived = derive_all({r.name: dataset.records_of(r) for r in RESOURCES})
    for resource in DERIVED_RESOURCES:
        assert derived[resource.name]
        for fmt in ("json", "csv", "parquet", "jsonl"):
            assert (tmp_path / "out" / FORMATS[fmt].file_name(resource)).read_bytes() == \
                FORMATS[fmt].export(resource, derived[resource.name]), (resource.name, fmt)
    for name, items in (("tables.json", [table_dict(t) for t in dataset.tables]),
                        ("issues.json", [issue_dict(i) for i in dataset.issues])):
        assert items
        assert (tmp_path / "out" / name).read_text("utf-8") == json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    for folder, safe in (("out", False), ("safe", True)):
        files = render(dataset, csv_safe=safe).files
        on_disk = {p.relative_to(tmp_path / folder).as_posix(): p.read_bytes().decode("utf-8")
                   for p in (tmp_path / folder).rglob("*") if p.is_file() and not p.name.endswith(BINARY_SUFFIXES)}
        assert files == on_disk


def test_parquet_is_the_same_file_whatever_the_chunks() -> None:
    """Records given in chunks of any size (pages) give the bytes of one export: chunks of CHUNK rows
    and row groups of ROW_GROUP rows, never the pages' sizes."""
    from pipeline.exporters.parquet import CHUNK, ParquetEncoder

    records = [error_record(row_index=i, message=f"m{i % 7}") for i in range(CHUNK + 1500)]
    sink = io.BytesIO()
    encoder = ParquetEncoder(ERROR_CODES, sink)
    start = 0
    for size in (1, 999, 4000, CHUNK, 3):
        encoder.write(records[start:start + size])
        start += size
    encoder.write(records[start:])
    encoder.close()
    assert sink.getvalue() == FORMATS["parquet"].export(ERROR_CODES, records)


_json_scalars = st.none() | st.booleans() | st.integers(-10**12, 10**12) | _text
_json_values = st.recursive(_json_scalars, lambda inner: st.lists(inner, max_size=4)
                            | st.dictionaries(_text, inner, max_size=4), max_leaves=20)


@settings(max_examples=examples(100), deadline=None)
@given(value=_json_values)
def test_dumps_equals_json_dumps_indent_2(value: object) -> None:
    from pipeline.exporters.json import dumps

    assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2) + "\n"

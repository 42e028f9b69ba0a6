"""Parquet from JSON Lines (``parquet_from_jsonl``): the records read back with their declared types, from a
path or a file object, in row groups of ``ROW_GROUP`` rows, the same bytes as the records' export."""

from __future__ import annotations

import errno
import hashlib
import io
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples
from records import ANY_TEXT, as_json, record_strategy
from test_exporters import error_record

from pipeline.datasets import ALL_RESOURCES, ERROR_CATALOG, ERROR_CODES, Resource
from pipeline.exporters import FORMATS
from pipeline.exporters.parquet import (
    BLOCK,
    CHUNK,
    ROW_GROUP,
    WRITE_OPTIONS,
    arrow_schema,
    arrow_table,
    file_metadata,
    parquet_from_jsonl,
)
from pipeline.exporters.rows import record_rows

OUTPUT = Path(__file__).resolve().parent.parent / "output"

#: Text that JSON escapes or that a reader may mistake: empty, quotes, backslashes, every control
#: character (NUL included), line separators, characters beyond the BMP; and ANY_TEXT.
HARD_TEXT = (ANY_TEXT | st.just("")
             | st.text(st.characters(categories=("Cc",)) | st.sampled_from('"\\/\u2028\u2029\ufeff😀é'), max_size=8))


def json_sha256(resource: Resource, records: list[Any]) -> str:
    return hashlib.sha256(FORMATS["json"].export(resource, records)).hexdigest()


def from_jsonl(resource: Resource, source: Any, sha256: str) -> bytes:
    sink = io.BytesIO()
    parquet_from_jsonl(resource, source, sink, sha256)
    return sink.getvalue()


def typed(rows: list[dict[str, Any]]) -> list[list[tuple[str, str, str]]]:
    """Each value with its Python type: ``1 == True`` and ``[] != None`` are not enough to compare read-back rows."""
    return [[(name, type(value).__name__, repr(value)) for name, value in row.items()] for row in rows]


def stored_types(schema: Any) -> list[tuple[str, str, bool]]:
    """A schema's columns: name, type (a list as ``item[]``, whatever its item is named) and nullability."""
    return [(f.name, f"{f.type.value_type}[]" if pa.types.is_list(f.type) else str(f.type), f.nullable)
            for f in schema]


@pytest.mark.parametrize("resource", ALL_RESOURCES, ids=lambda r: r.name)
def test_records_of_every_dataset_read_back_with_their_types(resource: Resource) -> None:
    @settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(record_strategy(resource, HARD_TEXT), max_size=5))
    def check(records: list[Any]) -> None:
        exported = FORMATS["parquet"].export(resource, records)
        table = pq.read_table(io.BytesIO(exported))
        expected = [as_json(r, resource) for r in records]  # lists as lists, nulls as None
        assert table.to_pylist() == expected
        assert typed(table.to_pylist()) == typed(expected)
        assert stored_types(table.schema) == stored_types(arrow_schema(resource))
        jsonl = FORMATS["jsonl"].export(resource, records)
        assert from_jsonl(resource, io.BytesIO(jsonl), json_sha256(resource, records)) == exported

    check()


def test_a_path_and_a_file_object_give_the_export(tmp_path: Path) -> None:
    """From a path (str or Path) or a binary file object read from where it stands: the bytes of the export."""
    records = [error_record(row_index=i, message=f'say "hi"\x00\n{i}', status_code=None if i % 3 else 404)
               for i in range(50)]
    jsonl = FORMATS["jsonl"].export(ERROR_CODES, records)
    path = tmp_path / "error_codes.jsonl"
    path.write_bytes(jsonl)
    sha256 = json_sha256(ERROR_CODES, records)
    exported = FORMATS["parquet"].export(ERROR_CODES, records)
    prefixed = io.BytesIO(b"not JSON\n" + jsonl)
    prefixed.seek(len(b"not JSON\n"))
    for source in (path, str(path), io.BytesIO(jsonl), prefixed):
        assert from_jsonl(ERROR_CODES, source, sha256) == exported, source
    assert pq.ParquetFile(io.BytesIO(exported)).metadata.metadata[b"pipeline.json_sha256"] == sha256.encode()


def test_more_rows_than_a_row_group_are_row_groups_of_row_group_rows() -> None:
    records = [error_record(row_index=i) for i in range(2 * ROW_GROUP + 5)]
    exported = FORMATS["parquet"].export(ERROR_CODES, records)
    file = pq.ParquetFile(io.BytesIO(exported))
    assert [file.metadata.row_group(i).num_rows for i in range(file.num_row_groups)] == [ROW_GROUP, ROW_GROUP, 5]
    assert file.read(columns=["row_index"]).column(0).to_pylist() == list(range(2 * ROW_GROUP + 5))


def test_row_groups_are_written_in_chunks_of_chunk_rows() -> None:
    """pyarrow lays pages out by the chunks a column is given in: a row group goes in ``CHUNK``-row chunks,
    as when the files were made from records in Python (``arrow_table``), wherever the reader's batches end.
    (Here, as one chunk, the list column whose dictionary overflows would be other bytes.)"""
    base = {"service": "svc", "error_code": "0", "status_code": None, "records": 1, "services": ["svc"],
            "sources": [], "message": None, "description": "Success", "solution": None, "module": None,
            "messages": [], "disagreements": [], "missing": [], "consistent": True}
    records = [ERROR_CATALOG.from_dict({**base, "error_code": f"E{i:06d}",
                                        "sources": [f"service-{i % 97}/error-codes-{i}.md:{i % 1000}"]})
               for i in range(5 * CHUNK)]
    rows = list(record_rows(records))
    schema = arrow_schema(ERROR_CATALOG)
    file = pa.BufferOutputStream()
    writer = pq.ParquetWriter(file, schema, **WRITE_OPTIONS)
    writer.write_table(pa.concat_tables(arrow_table(ERROR_CATALOG, rows[i:i + CHUNK])
                                        for i in range(0, len(rows), CHUNK)), row_group_size=ROW_GROUP)
    writer.add_key_value_metadata(file_metadata(ERROR_CATALOG, json_sha256(ERROR_CATALOG, records)))
    writer.close()
    assert FORMATS["parquet"].export(ERROR_CATALOG, records) == file.getvalue().to_pybytes()


@pytest.mark.parametrize("resource", ALL_RESOURCES, ids=lambda r: r.name)
def test_no_records_are_the_file_of_the_schema(resource: Resource, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    sha256 = json_sha256(resource, [])
    exported = FORMATS["parquet"].export(resource, [])
    assert from_jsonl(resource, empty, sha256) == from_jsonl(resource, io.BytesIO(), sha256) == exported
    table = pq.read_table(io.BytesIO(exported))
    assert table.num_rows == 0
    assert stored_types(table.schema) == stored_types(arrow_schema(resource))


def test_the_committed_empty_datasets_are_made_again_byte_for_byte() -> None:
    """The operations datasets of raw_docs have no records: their committed files are the schema's file."""
    for name in ("operations", "operation_status_codes", "parameters", "operation_sections"):
        resource = next(r for r in ALL_RESOURCES if r.name == name)
        assert (OUTPUT / f"{name}.jsonl").read_bytes() == b""
        assert from_jsonl(resource, OUTPUT / f"{name}.jsonl", json_sha256(resource, [])) == \
            (OUTPUT / f"{name}.parquet").read_bytes()


def test_a_line_longer_than_a_block_is_read(tmp_path: Path) -> None:
    """pyarrow's reader cannot parse a line longer than its block: it is read again in blocks that hold it."""
    records = [error_record(row_index=0), error_record(row_index=1, description="é" * (2 * BLOCK)),
               error_record(row_index=2)]
    path = tmp_path / "error_codes.jsonl"
    path.write_bytes(FORMATS["jsonl"].export(ERROR_CODES, records))
    for source in (path, io.BytesIO(path.read_bytes())):
        table = pq.read_table(io.BytesIO(from_jsonl(ERROR_CODES, source, "0" * 64)))
        assert table.to_pylist() == [as_json(r, ERROR_CODES) for r in records]


def test_a_column_null_in_the_first_block_keeps_its_declared_type() -> None:
    """The reader takes its types from the declaration, not from what the first block holds: a column
    that is null (or lists that are empty) for the first megabytes, a value later, reads back as declared."""
    quiet = [error_record(row_index=i, message=None, module=None) for i in range(2 * BLOCK // 400)]
    records = [*quiet, error_record(row_index=len(quiet), message="late", module="m")]
    assert len(FORMATS["jsonl"].export(ERROR_CODES, quiet)) > BLOCK
    table = pq.read_table(io.BytesIO(FORMATS["parquet"].export(ERROR_CODES, records)))
    assert table.column("message").to_pylist()[-2:] == [None, "late"]
    assert stored_types(table.schema) == stored_types(arrow_schema(ERROR_CODES))


@pytest.mark.parametrize("line", [
    b'{"service": "svc", "retryable": true}\n',  # a field the dataset does not declare
    FORMATS["jsonl"].export(ERROR_CODES, [error_record()]).replace(b'"status_code":400', b'"status_code":"400"'),
    FORMATS["jsonl"].export(ERROR_CODES, [error_record()]).replace(b'"service":"svc"', b'"service":true'),
    FORMATS["jsonl"].export(ERROR_CODES, [error_record()]).replace(b'"status_code":400', b'"status_code":70000'),
    FORMATS["jsonl"].export(ERROR_CODES, [error_record()]).replace(b'"service":"svc"', b'"service":null'),
], ids=["unknown field", "string for int16", "boolean for string", "int16 overflow", "null for required"])
def test_a_line_that_is_not_a_record_of_the_dataset_is_an_error(line: bytes) -> None:
    good = FORMATS["jsonl"].export(ERROR_CODES, [error_record()])
    with pytest.raises(pa.ArrowInvalid):
        from_jsonl(ERROR_CODES, io.BytesIO(good + line), "0" * 64)


def test_a_failing_sink_raises_its_os_error() -> None:
    class Full(io.BytesIO):
        def write(self, data: Any) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    jsonl = FORMATS["jsonl"].export(ERROR_CODES, [error_record()])
    with pytest.raises(OSError, match="No space left on device"):
        parquet_from_jsonl(ERROR_CODES, io.BytesIO(jsonl), Full(), "0" * 64)

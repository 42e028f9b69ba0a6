"""TEMPORARY: stand-ins for the helpers' parquet_from_jsonl and DatabaseJob (removed when they merge)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from pipeline.datasets import Resource


def parquet_from_jsonl(resource: Resource, source: Path, sink: BinaryIO, json_sha256: str) -> None:
    import pyarrow as pa
    import pyarrow.json as pj
    import pyarrow.parquet as pq

    from pipeline.exporters.parquet import ROW_GROUP, WRITE_OPTIONS, arrow_schema, file_metadata

    schema = arrow_schema(resource)
    data = source.read_bytes()
    table = pj.read_json(pa.BufferReader(data), parse_options=pj.ParseOptions(explicit_schema=schema)) \
        if data else schema.empty_table()
    table = table.cast(schema)
    out = pa.BufferOutputStream()
    writer = pq.ParquetWriter(out, schema, **WRITE_OPTIONS)
    writer.write_table(table, row_group_size=ROW_GROUP)
    writer.add_key_value_metadata(file_metadata(resource, json_sha256))
    writer.close()
    sink.write(memoryview(out.getvalue()))



"""Parquet via pyarrow with an explicit schema (integers as int32/int16, nullable strings)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.exporters.rows import record_rows
from pipeline.model import ErrorCodeRecord, StatusCodeRecord
from pipeline.schema import Resource


def arrow_schema(resource: Resource) -> Any:
    import pyarrow as pa

    columns = []
    for f in resource.fields:
        kind = pa.int32() if f.type == "integer" else pa.string()
        if f.name == "status_code":
            kind = pa.int16()
        columns.append(pa.field(f.name, kind, nullable=not f.required, metadata={"description": f.description}))
    return pa.schema(columns, metadata={"resource": resource.name})


def arrow_table(resource: Resource, rows: Sequence[tuple[Any, ...]]) -> Any:
    """Rows (in column order) as an Arrow table of ``resource``'s schema."""
    import pyarrow as pa

    schema = arrow_schema(resource)
    by_column = list(zip(*rows, strict=True)) if rows else [() for _ in range(len(schema))]
    columns = [pa.array(values, type=schema.field(i).type) for i, values in enumerate(by_column)]
    return pa.Table.from_arrays(columns, schema=schema)


def write_parquet(path: Path, resource: Resource,
                  records: Sequence[StatusCodeRecord] | Sequence[ErrorCodeRecord]) -> None:
    """A whole Parquet file in one go (the build streams instead; see ``pipeline.output``)."""
    import pyarrow.parquet as pq

    pq.write_table(arrow_table(resource, list(record_rows(records))), path, compression="zstd",
                   write_statistics=False)


def read_parquet_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a Parquet export as dicts (used by readers and tests)."""
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return rows

"""Arrow and Parquet via pyarrow, with the schema the dataset's declaration gives (``Storage.arrow``).

A page's records travel as an Arrow IPC stream (``to_ipc``): made where the page is parsed,
kept in the cache, and turned into the Parquet export's row groups without going back
through Python objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.datasets import Record, Resource
from pipeline.exporters.rows import record_rows

#: Rows per Parquet row group: fixed, so the same records always give the same file layout.
ROW_GROUP = 65536
#: How every Parquet file is written (the streaming writer of ``pipeline.output`` too).
WRITE_OPTIONS: dict[str, Any] = {"compression": "zstd", "write_statistics": False, "write_page_checksum": True}


def arrow_schema(resource: Resource) -> Any:
    """The Arrow schema of ``resource`` (made once per resource: it is asked for on every page)."""
    schema = _SCHEMAS.get(resource.name)  # by name: hashing a Resource hashes all its fields
    if schema is None:
        schema = _SCHEMAS[resource.name] = _make_schema(resource)
    return schema


_SCHEMAS: dict[str, Any] = {}


def _make_schema(resource: Resource) -> Any:
    import pyarrow as pa

    columns = []
    for f in resource.fields:
        kind = getattr(pa, f.storage.arrow)()
        if f.is_list:
            kind = pa.list_(kind)
        columns.append(pa.field(f.name, kind, nullable=not f.required, metadata={"description": f.description}))
    return pa.schema(columns, metadata={"resource": resource.name})


def arrow_table(resource: Resource, rows: Sequence[tuple[Any, ...]]) -> Any:
    """Rows (in column order) as an Arrow table of ``resource``'s schema."""
    import pyarrow as pa

    return pa.Table.from_arrays(_columns(resource, rows), schema=arrow_schema(resource))


def _columns(resource: Resource, rows: Sequence[tuple[Any, ...]]) -> list[Any]:
    import pyarrow as pa

    schema = arrow_schema(resource)
    by_column = list(zip(*rows, strict=True)) if rows else [() for _ in range(len(schema))]
    return [pa.array(values, type=schema.field(i).type) for i, values in enumerate(by_column)]


def to_ipc(resource: Resource, rows: Sequence[tuple[Any, ...]]) -> bytes:
    """Rows as one Arrow IPC record batch message of ``resource``'s schema (empty bytes for no rows).

    The message carries no schema (the reader knows it), which makes reading a page's batch
    back six times cheaper than reading a whole IPC stream.
    """
    import pyarrow as pa

    if not rows:
        return b""
    return bytes(pa.RecordBatch.from_arrays(_columns(resource, rows), schema=arrow_schema(resource)).serialize())


def from_ipc(resource: Resource, data: bytes) -> Any:
    """The Arrow table of a message made by ``to_ipc``; ``ValueError`` if it is not a sound one."""
    import pyarrow as pa

    schema = arrow_schema(resource)
    if not data:
        return schema.empty_table()
    try:
        batch = pa.ipc.read_record_batch(pa.py_buffer(data), schema)
        batch.validate(full=True)
    except (pa.ArrowException, ValueError, OSError) as exc:
        raise ValueError(f"not an Arrow record batch of {resource.name}: {exc}") from exc
    return pa.Table.from_batches([batch], schema=schema)


def table_rows(table: Any) -> list[tuple[Any, ...]]:
    """The rows of an Arrow table as tuples in column order."""
    return list(zip(*(column.to_pylist() for column in table.columns), strict=True))


def export(resource: Resource, records: Sequence[Record]) -> bytes:
    """The Parquet file of ``resource`` in one go (the build streams instead; see ``pipeline.output``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(arrow_table(resource, list(record_rows(records))), sink, row_group_size=ROW_GROUP,
                   **WRITE_OPTIONS)
    return bytes(sink.getvalue())


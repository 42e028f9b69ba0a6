"""Arrow and Parquet via pyarrow, with the schema the dataset's declaration gives (``Storage.arrow``).

Records are turned into Arrow columns ``CHUNK`` rows at a time and written in row groups of
``ROW_GROUP`` rows. Both are multiples of pyarrow's write batch (1024 rows), so where the
chunks fall does not change a byte of the file: streamed page by page or exported at once,
the same records give the same file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, BinaryIO

from pipeline.datasets import Record, Resource
from pipeline.exporters.encoder import Encoder, encode
from pipeline.exporters.rows import record_rows

#: Rows per Parquet row group: fixed, so the same records always give the same file layout.
ROW_GROUP = 65536
#: Rows turned into Arrow columns at a time (a divisor of ``ROW_GROUP``, a multiple of 1024).
CHUNK = 8192
#: How every Parquet file is written. Page checksums let a reader catch a damaged file.
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
    """Rows (in column order) as an Arrow table of ``resource``'s schema.

    The rows are read as one struct array (pyarrow walks the tuples itself, which is faster
    than transposing them in Python), whose fields are the table's columns.
    """
    import pyarrow as pa

    schema = arrow_schema(resource)
    return pa.Table.from_arrays(pa.array(rows, type=pa.struct(list(schema))).flatten(), schema=schema)


class ParquetEncoder(Encoder):
    """Rows buffered ``CHUNK`` at a time as Arrow columns, written a row group at a time.

    pyarrow writes the file into its own memory (a few MB compressed), copied to the sink by
    ``close``: pyarrow never calls back into Python to write, so a failing sink (a full disk)
    raises here as a plain ``OSError``, not through pyarrow's error path (which, on CPython
    3.11, leaves the interpreter's recursion count off).
    """

    def __init__(self, resource: Resource, sink: BinaryIO) -> None:
        super().__init__(resource, sink)
        self.rows: list[tuple[Any, ...]] = []
        self.tables: list[Any] = []  # Arrow tables of CHUNK rows, waiting for a full row group
        self.buffered = 0
        self.writer: Any = None
        self.file: Any = None  # the pyarrow buffer the file is written to

    def write(self, records: Sequence[Record]) -> None:
        self.rows.extend(record_rows(records))
        while len(self.rows) >= CHUNK:
            self._convert(self.rows[:CHUNK])
            del self.rows[:CHUNK]
            if self.buffered >= ROW_GROUP:
                self._flush()

    def _convert(self, rows: list[tuple[Any, ...]]) -> None:
        self.tables.append(arrow_table(self.resource, rows))
        self.buffered += len(rows)

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = arrow_schema(self.resource)
        if self.writer is None:
            self.file = pa.BufferOutputStream()
            self.writer = pq.ParquetWriter(self.file, schema, **WRITE_OPTIONS)
        self.writer.write_table(pa.concat_tables(self.tables) if self.tables else schema.empty_table(),
                                row_group_size=ROW_GROUP)
        self.tables, self.buffered = [], 0

    def close(self) -> None:
        if self.rows:
            self._convert(self.rows)
            self.rows = []
        if self.tables or self.writer is None:  # a dataset of no records is a file of its schema
            self._flush()
        self.writer.close()
        self.sink.write(memoryview(self.file.getvalue()))


def export(resource: Resource, records: Sequence[Record]) -> bytes:
    """The Parquet file of ``resource``."""
    return encode(ParquetEncoder, resource, records)


"""Arrow and Parquet via pyarrow, with the schema the dataset's declaration gives (``Storage.arrow``).

Records are turned into Arrow columns ``CHUNK`` rows at a time and written in row groups of
``ROW_GROUP`` rows. Both are multiples of pyarrow's write batch (1024 rows), so where the
chunks fall does not change a byte of the file: streamed page by page or exported at once,
the same records give the same file.

Every Parquet file carries column statistics (min/max/null count per row group, so readers
skip row groups) and, in its footer's key-value metadata, who wrote it and the sha256 of the
same records' canonical JSON file (``file_metadata``): a Parquet file's bytes embed the
library's version, so the JSON hash is the one that names its content.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO

from pipeline import __version__
from pipeline.datasets import DatasetRecord, Resource
from pipeline.exporters.encoder import Encoder, encode
from pipeline.exporters.json import JsonEncoder
from pipeline.exporters.rows import record_rows

#: Rows per Parquet row group: fixed, so the same records always give the same file layout.
ROW_GROUP = 65536
#: Rows turned into Arrow columns at a time (a divisor of ``ROW_GROUP``, a multiple of 1024).
CHUNK = 8192
#: How every Parquet file is written. Page checksums let a reader catch a damaged file; statistics let it
#: skip row groups.
WRITE_OPTIONS: dict[str, Any] = {"compression": "zstd", "write_statistics": True, "write_page_checksum": True}


def file_metadata(resource: Resource, json_sha256: str) -> dict[str, str]:
    """The footer's key-value metadata: generator, version, dataset, and its JSON file's sha256.

    ``json_sha256`` is the hash ``manifest.json`` lists for ``<dataset>.json`` (its ``files``).
    """
    return {"pipeline.generator": "pipeline", "pipeline.version": __version__, "pipeline.dataset": resource.name,
            "pipeline.json_sha256": json_sha256}


class _Sha256Sink:
    """A sink that keeps nothing but the sha256 of what is written to it."""

    def __init__(self) -> None:
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        return len(data)


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
    3.11, leaves the interpreter's recursion count off). The footer's ``pipeline.json_sha256`` is
    ``json_sha256()`` at ``close``: the dataset writer passes the hash of the JSON file it writes
    beside (encoded once); alone, the same records go through a ``JsonEncoder`` that only hashes.
    """

    def __init__(self, resource: Resource, sink: BinaryIO, json_sha256: Callable[[], str] | None = None) -> None:
        super().__init__(resource, sink)
        self.json: JsonEncoder | None = None
        if json_sha256 is None:
            json_hash = _Sha256Sink()
            self.json = JsonEncoder(resource, json_hash)  # type: ignore[arg-type]
            json_sha256 = json_hash.sha256.hexdigest
        self.json_sha256 = json_sha256
        self.rows: list[tuple[Any, ...]] = []
        self.tables: list[Any] = []  # Arrow tables of CHUNK rows, waiting for a full row group
        self.buffered = 0
        self.writer: Any = None
        self.file: Any = None  # the pyarrow buffer the file is written to

    def write(self, records: Sequence[DatasetRecord]) -> None:
        if self.json is not None:
            self.json.write(records)
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
        if self.json is not None:
            self.json.close()
        self.writer.add_key_value_metadata(file_metadata(self.resource, self.json_sha256()))
        self.writer.close()
        self.sink.write(memoryview(self.file.getvalue()))


def export(resource: Resource, records: Sequence[DatasetRecord]) -> bytes:
    """The Parquet file of ``resource``."""
    return encode(ParquetEncoder, resource, records)


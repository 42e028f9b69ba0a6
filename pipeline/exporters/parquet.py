"""Arrow and Parquet via pyarrow, with the schema the dataset's declaration gives (``Storage.arrow``).

A Parquet file is made from the dataset's JSON Lines encoding (``parquet_from_jsonl``):
pyarrow's streaming JSON reader parses it in C++ with the declared schema as its explicit
schema (so a value of the wrong type is an error, never a column of another type), and the
rows are written in row groups of ``ROW_GROUP`` rows, each given to the writer in chunks of
``CHUNK`` rows. Where the reader's blocks fall (or how the records were chunked when they were
encoded) does not change a byte: pyarrow's page layout depends on the chunks a column is given
in (a row group in one chunk is other bytes than in ``CHUNK``-row chunks), and those are
always ``CHUNK`` rows, as they were when the files were made from records.

Every Parquet file carries column statistics (min/max/null count per row group, so readers
skip row groups) and, in its footer's key-value metadata, who wrote it and the sha256 of the
same records' canonical JSON file (``file_metadata``): a Parquet file's bytes embed the
library's version, so the JSON hash is the one that names its content.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, BinaryIO, TypeVar

from pipeline import __version__
from pipeline.datasets import DatasetRecord, Resource
from pipeline.exporters.encoder import Encoder, encode
from pipeline.exporters.json import JsonEncoder, encodable
from pipeline.exporters.jsonl import lines

#: Rows per Parquet row group: fixed, so the same records always give the same file layout.
ROW_GROUP = 65536
#: Rows per chunk a row group is given to the writer in (a divisor of ``ROW_GROUP``, a multiple of 1024).
CHUNK = 8192
#: How every Parquet file is written. Page checksums let a reader catch a damaged file; statistics let it
#: skip row groups.
WRITE_OPTIONS: dict[str, Any] = {"compression": "zstd", "write_statistics": True, "write_page_checksum": True}
#: Bytes of JSON Lines the reader parses at a time (a line longer than this is read again in larger blocks).
BLOCK = 1 << 20
#: Bytes of JSON Lines a ``ParquetEncoder`` keeps in memory before it spools them to a temporary file.
SPOOL = 8 << 20

_T = TypeVar("_T")

#: A JSON Lines source: a path, or a binary file object read from its current position (seekable).
JsonlSource = str | os.PathLike[str] | BinaryIO


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
    """Rows (in column order) as an Arrow table of ``resource``'s schema (``RecordTable.to_arrow``).

    The rows are read as one struct array (pyarrow walks the tuples itself, which is faster
    than transposing them in Python), whose fields are the table's columns. Records already in
    memory convert faster so than through their JSON Lines (570k error codes: 1.5 s against
    2.8 s, and less memory); the Parquet files are made from JSON Lines (``parquet_from_jsonl``).
    """
    import pyarrow as pa

    schema = arrow_schema(resource)
    return pa.Table.from_arrays(pa.array(rows, type=pa.struct(list(schema))).flatten(), schema=schema)


def parquet_from_jsonl(resource: Resource, source: JsonlSource, sink: BinaryIO, json_sha256: str) -> None:
    """Write to ``sink`` the Parquet file of ``resource`` whose records are the JSON Lines ``source``.

    ``source`` is a path or a seekable binary file object, read from where it stands, whose every
    line is one record's object (``pipeline.exporters.jsonl``): a key the dataset does not
    declare, or a value of another type than the declared one, raises ``pyarrow.ArrowInvalid``.
    An empty source gives the file of no records (its schema). ``json_sha256`` goes in the
    footer (``file_metadata``).

    pyarrow writes the file into its own memory (a few MB compressed), copied to ``sink`` at the
    end: pyarrow never calls back into Python to write, so a failing sink (a full disk) raises
    here as a plain ``OSError``, not through pyarrow's error path (which, on CPython 3.11, leaves
    the interpreter's recursion count off).
    """
    file = _read_jsonl(resource, source, lambda batches: _parquet(resource, batches, json_sha256))
    sink.write(memoryview(file))


def _parquet(resource: Resource, batches: Iterator[Any], json_sha256: str) -> Any:
    """The Parquet file of the record batches, as a pyarrow buffer."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(resource)
    file = pa.BufferOutputStream()
    writer = pq.ParquetWriter(file, schema, memory_pool=_pool(), **WRITE_OPTIONS)
    wrote = False
    for group in _row_groups(batches):
        writer.write_table(group, row_group_size=ROW_GROUP)
        wrote = True
    if not wrote:  # a dataset of no records is a file of its schema
        writer.write_table(schema.empty_table(), row_group_size=ROW_GROUP)
    writer.add_key_value_metadata(file_metadata(resource, json_sha256))
    writer.close()
    return file.getvalue()


def _row_groups(batches: Iterator[Any]) -> Iterator[Any]:
    """The rows of ``batches`` as tables of ``ROW_GROUP`` rows (the last one fewer), in chunks of ``CHUNK`` rows."""
    import pyarrow as pa

    chunks: list[Any] = []
    for chunk in _chunks(batches):
        chunks.append(chunk)
        if len(chunks) * CHUNK == ROW_GROUP:
            yield pa.concat_tables(chunks)
            chunks = []
    if chunks:
        yield pa.concat_tables(chunks)


def _chunks(batches: Iterator[Any]) -> Iterator[Any]:
    """The rows of ``batches`` as one-chunk tables of ``CHUNK`` rows (the last one fewer), wherever they ended."""
    import pyarrow as pa

    pending: list[Any] = []
    rows = 0
    for batch in batches:
        while batch.num_rows:
            taken = batch.slice(0, CHUNK - rows)
            pending.append(taken)
            rows += taken.num_rows
            batch = batch.slice(taken.num_rows)
            if rows == CHUNK:
                yield pa.Table.from_batches(pending).combine_chunks(_pool())
                pending, rows = [], 0
    if rows:
        yield pa.Table.from_batches(pending).combine_chunks(_pool())


def _read_jsonl(resource: Resource, source: JsonlSource, consume: Callable[[Iterator[Any]], _T]) -> _T:
    """``consume`` the record batches (of ``resource``'s schema) of the JSON Lines ``source``.

    pyarrow's streaming reader parses ``BLOCK`` bytes at a time in C++ and fails on a line that
    does not fit in a block: then, and only then, the source's longest line is measured and
    ``consume`` starts again on a reader whose blocks hold it.
    """
    import pyarrow as pa
    import pyarrow.json as pj

    schema = arrow_schema(resource)
    reads = _opener(source)
    if _is_empty(reads()):
        return consume(iter(()))
    parse = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error")
    block = BLOCK
    while True:
        try:
            reader = pj.open_json(reads(), read_options=pj.ReadOptions(block_size=block), parse_options=parse,
                                  memory_pool=_pool())
            return consume(batch.cast(schema) for batch in reader)
        except pa.ArrowInvalid:
            longest = _longest_line(reads())
            if longest <= block:
                raise
            while block < longest:
                block *= 2


def _opener(source: JsonlSource) -> Callable[[], str | _View]:
    """What opens ``source`` for one reader: the path itself (pyarrow opens it), or a view of the file object."""
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        return lambda: path
    start, lock = source.tell(), threading.Lock()
    return lambda: _View(source, start, lock)


class _View:
    """A file object's bytes from ``start``, read at a position of the view's own.

    pyarrow reads ahead on threads of its own, and a reader that failed may still be reading
    when the next one starts: reading the file object itself, the two would move each other's
    position. Views of one file object take turns (``lock``) to seek and read.
    """

    def __init__(self, file: BinaryIO, start: int, lock: threading.Lock) -> None:
        self.file = file
        self.position = start
        self.lock = lock
        self.closed = False  # pyarrow asks, and closes the view (not the file object) when it is done

    def close(self) -> None:
        self.closed = True

    def read(self, size: int = -1) -> bytes:
        with self.lock:
            self.file.seek(self.position)
            data = self.file.read(size)
        self.position += len(data)
        return data


def _is_empty(source: str | _View) -> bool:
    return os.stat(source).st_size == 0 if isinstance(source, str) else not source.read(1)


def _pool() -> Any:
    """The memory pool of the conversion: the C library's allocator, which hands freed memory back.

    pyarrow's default (mimalloc) keeps what each reader thread freed: converting the bench's
    error codes (281 MB of JSON Lines) peaked at 294 MB RSS with it, 203 MB with this one, as fast.
    """
    import pyarrow as pa

    return pa.system_memory_pool()


def _longest_line(source: str | _View) -> int:
    """The length of the longest line of ``source`` (a path or a view), its newline included."""
    if isinstance(source, str):
        with open(source, "rb") as file:
            return _longest_line(_View(file, 0, threading.Lock()))
    longest = run = 0
    while chunk := source.read(BLOCK):
        parts = chunk.split(b"\n")
        if len(parts) == 1:
            run += len(chunk)
            continue
        longest = max(longest, run + len(parts[0]) + 1, *(len(part) + 1 for part in parts[1:-1]))
        run = len(parts[-1])
    return max(longest, run)


class ParquetEncoder(Encoder):
    """The records' JSON Lines, spooled (in memory up to ``SPOOL`` bytes, then in a temporary file),
    made a Parquet file by ``parquet_from_jsonl`` at ``close``.

    The footer's ``pipeline.json_sha256`` is ``json_sha256()`` at ``close``: the dataset writer
    passes the hash of the JSON file it writes beside (encoded once); alone, the same records go
    through a ``JsonEncoder`` that only hashes.
    """

    def __init__(self, resource: Resource, sink: BinaryIO, json_sha256: Callable[[], str] | None = None) -> None:
        super().__init__(resource, sink)
        self.json: JsonEncoder | None = None
        if json_sha256 is None:
            json_hash = _Sha256Sink()
            self.json = JsonEncoder(resource, json_hash)  # type: ignore[arg-type]
            json_sha256 = json_hash.sha256.hexdigest
        self.json_sha256 = json_sha256
        # closed by close (an encoder lives across calls: no with block can hold it)
        self.spool: BinaryIO = tempfile.SpooledTemporaryFile(SPOOL)  # type: ignore[assignment]  # noqa: SIM115

    def write(self, records: Sequence[DatasetRecord]) -> None:
        if self.json is not None:
            self.json.write(records)
        if records:
            self.spool.write(lines(encodable(records)))

    def close(self) -> None:
        if self.json is not None:
            self.json.close()
        try:
            self.spool.seek(0)
            parquet_from_jsonl(self.resource, self.spool, self.sink, self.json_sha256())
        finally:
            self.spool.close()


def export(resource: Resource, records: Sequence[DatasetRecord]) -> bytes:
    """The Parquet file of ``resource``."""
    return encode(ParquetEncoder, resource, records)

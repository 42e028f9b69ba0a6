"""The dataset a rebuild replaces, as a source of unchanged pages.

A page whose bytes are those the previous dataset was built from (same path, same sha256,
same code and options) has the same share of every output file. Its pieces are found in the
previous files by the sizes the manifest keeps (``spans``) and copied, and its Parquet rows
are read back from the previous Parquet file, so a rebuild after one page changed reads
neither the cache nor the page for the other pages.

The previous files are trusted only when they are what their manifest says: every text file
must match its sha256 (``checksums``) and the Parquet files must hold the recorded numbers of
rows in this code's schema. Anything else, and the rebuild does not use them.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.exporters.csv import csv_line
from pipeline.exporters.fragments import issues_from_items, tables_from_items
from pipeline.exporters.json import ITEM_SEPARATOR, ITEMS_CLOSE, ITEMS_OPEN
from pipeline.exporters.parquet import arrow_schema
from pipeline.model import RenderedPage, RenderedRecords
from pipeline.output import (
    MANIFEST,
    RECORDS_CLOSE,
    RECORDS_OPEN,
    RECORDS_SEPARATOR,
    SPAN_FILES,
    generator_of,
)
from pipeline.platform import open_folder, open_in, read_at
from pipeline.schema import ERROR_CODES, STATUS_CODES


@dataclass(frozen=True, slots=True)
class _Piece:
    offset: int
    size: int


@dataclass(frozen=True, slots=True)
class _Entry:
    sha256: str
    counts: tuple[int, int]  # status and error records
    rows: tuple[int, int]  # first row of the page in each Parquet file
    pieces: tuple[_Piece, ...]  # one per SPAN_FILES


class PreviousDataset:
    """Open files of a previous dataset, and where each of its pages lies in them.

    Every file is opened once (through one descriptor of the directory where the platform
    allows) and checked through the descriptors that are then read: a build swapping in
    another dataset meanwhile cannot make the offsets of one point into the files of the other.
    """

    def __init__(self, fds: dict[str, int], entries: dict[str, _Entry], parquet: dict[str, Any]) -> None:
        self.fds = fds
        self.entries = entries
        self.parquet = parquet
        self.groups: dict[str, dict[int, Any]] = {name: {} for name in parquet}
        self.lock = threading.Lock()

    @classmethod
    def open(cls, directory: Path, csv_safe: bool) -> PreviousDataset | None:
        """The dataset in ``directory`` if it was written by this code with these options and is intact."""
        try:
            before = os.stat(directory)
            folder = open_folder(directory)
        except OSError:
            return None
        fds: dict[str, int] = {}
        parquet: dict[str, Any] | None = None
        try:
            for name in (MANIFEST, *SPAN_FILES, *PARQUET_FILES):
                fds[name] = open_in(directory, folder, name)
            if folder is None and not os.path.samestat(before, os.stat(directory)):
                raise ValueError("another dataset was swapped in while its files were opened")
            manifest = json.loads(_read_all(fds.pop(MANIFEST)))
            if manifest.get("generator") != generator_of(csv_safe):
                raise ValueError("written by other code or options")
            entries = _entries(manifest["inputs"], manifest["counts"], fds)
            parquet = _parquet_files(fds, manifest["counts"])
            if entries is None or parquet is None or not _files_intact(fds, manifest["checksums"]):
                raise ValueError("not intact")
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            for fd in fds.values():
                os.close(fd)
            for file, _ in (parquet or {}).values():
                file.close()
            return None
        finally:
            if folder is not None:
                os.close(folder)
        return cls(fds, entries, parquet)

    def close(self) -> None:
        for file, _ in self.parquet.values():
            file.close()  # the ParquetFile and the file it reads
        for fd in self.fds.values():
            os.close(fd)
        self.fds, self.parquet = {}, {}

    def page(self, source_path: str, sha256: str) -> RenderedPage | None:
        """The page's share of every file, copied from the previous dataset; ``None`` if it changed.

        Also ``None`` when the copy fails or does not look right (the caller then reads the
        page from the cache or parses it): a damaged previous dataset costs speed, never data.
        """
        entry = self.entries.get(source_path)
        if entry is None or entry.sha256 != sha256:
            return None
        try:
            return self._copy(source_path, entry)
        except Exception:  # pyarrow, I/O or JSON errors: whatever they are, fall back
            return None

    def _copy(self, source_path: str, entry: _Entry) -> RenderedPage | None:
        data = [read_at(self.fds[name], piece.size, piece.offset) if piece.size else b""
                for name, piece in zip(SPAN_FILES, entry.pieces, strict=True)]
        if any(len(chunk) != piece.size for chunk, piece in zip(data, entry.pieces, strict=True)) \
                or not all(chunk.startswith(b'    "service": ') for chunk in (data[0], data[2]) if chunk) \
                or not all(chunk.endswith(b"\r\n") for chunk in (data[1], data[3]) if chunk):
            return None  # not where the manifest says
        status = self._rows(STATUS_CODES.name, entry.rows[0], entry.counts[0])
        errors = self._rows(ERROR_CODES.name, entry.rows[1], entry.counts[1])
        return RenderedPage(
            source_path=source_path,
            sha256=entry.sha256,
            tables=tables_from_items(data[4]),
            issues=issues_from_items(data[5]),
            status_codes=RenderedRecords(entry.counts[0], data[0], data[1], b"", status),
            error_codes=RenderedRecords(entry.counts[1], data[2], data[3], b"", errors),
            tables_json=data[4],
            issues_json=data[5],
        )

    def _rows(self, name: str, start: int, count: int) -> Any:
        """Rows ``start`` to ``start + count`` of a previous Parquet file, one row group read at a time.

        Pages are asked for in output order (give or take the look-ahead), so only the last
        few row groups are kept.
        """
        import pyarrow as pa

        if not count:
            return None
        file, bounds = self.parquet[name]
        loaded = self.groups[name]
        parts = []
        with self.lock:
            for group, (first, size) in enumerate(bounds):
                if first + size <= start or first >= start + count:
                    continue
                if group not in loaded:
                    if len(loaded) >= 2:
                        del loaded[min(loaded)]
                    loaded[group] = file.read_row_group(group)
                lo = max(start, first) - first
                hi = min(start + count, first + size) - first
                parts.append(loaded[group].slice(lo, hi - lo))
        table = pa.concat_tables(parts)
        if table.num_rows != count:
            raise ValueError(f"{name}: {table.num_rows} rows where the manifest says {count}")
        return table


PARQUET_FILES = ("status_codes.parquet", "error_codes.parquet")


class _ParquetReader:
    """A ``ParquetFile`` checking every page's CRC, and the file it reads, closed together."""

    def __init__(self, handle: Any) -> None:
        import pyarrow.parquet as pq

        self.handle = handle
        try:
            self.file = pq.ParquetFile(handle, page_checksum_verification=True)
        except Exception:
            handle.close()
            raise
        self.schema_arrow = self.file.schema_arrow
        self.metadata = self.file.metadata
        self.num_row_groups = self.file.num_row_groups

    def read_row_group(self, group: int) -> Any:
        return self.file.read_row_group(group)

    def close(self) -> None:
        self.file.close()
        self.handle.close()


def _read_all(fd: int) -> bytes:
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def _entries(inputs: list[dict[str, Any]], totals: dict[str, int], fds: dict[str, int]) -> dict[str, _Entry] | None:
    """Each page's place in the previous files, from the sizes of its pieces, in manifest order.

    ``None`` unless the pieces add up to the size of every file (``issues.json`` may go on:
    the problems of no page come last) and the pages' records to the totals.
    """
    header = {r.name: len(csv_line(r.column_names).encode("utf-8")) for r in (STATUS_CODES, ERROR_CODES)}
    items = (len(ITEMS_OPEN.encode()), len(ITEM_SEPARATOR.encode()), ITEMS_CLOSE.encode())
    records = (len(RECORDS_OPEN), len(RECORDS_SEPARATOR), RECORDS_CLOSE)
    layout = {  # file: (where the first piece starts, the bytes between two pieces, what ends the file)
        "status_codes.json": records, "error_codes.json": records,
        "status_codes.csv": (header["status_codes"], 0, b""), "error_codes.csv": (header["error_codes"], 0, b""),
        "tables.json": items, "issues.json": items,
    }
    position = {name: layout[name][0] for name in SPAN_FILES}
    seen = {name: False for name in SPAN_FILES}
    rows = [0, 0]
    entries = {}
    for item in inputs:
        spans = item["spans"]
        if len(spans) != len(SPAN_FILES) or any(type(n) is not int or n < 0 for n in spans):
            return None
        pieces = []
        for name, size in zip(SPAN_FILES, spans, strict=True):
            offset = position[name]
            if size:
                offset += layout[name][1] if seen[name] else 0
                position[name] = offset + size
                seen[name] = True
            pieces.append(_Piece(offset, size))
        counts = (item["status_codes"], item["error_codes"])
        if any(type(n) is not int or n < 0 for n in counts):
            return None
        entries[str(item["path"])] = _Entry(str(item["sha256"]), counts, (rows[0], rows[1]), tuple(pieces))
        rows = [rows[0] + counts[0], rows[1] + counts[1]]
    if rows != [totals[STATUS_CODES.name], totals[ERROR_CODES.name]]:
        return None
    for name in SPAN_FILES:
        size = os.fstat(fds[name]).st_size
        expected = position[name] + len(layout[name][2]) if seen[name] or name.endswith(".csv") else len(b"[]\n")
        if size != expected and not (name == "issues.json" and size > expected):
            return None
    return entries


def _files_intact(fds: dict[str, int], checksums: dict[str, str]) -> bool:
    """Every text file the pages are copied from matches its recorded sha256 (hashed in parallel)."""
    if set(SPAN_FILES) - set(checksums):
        return False

    def digest(name: str) -> str:
        sha, offset = hashlib.sha256(), 0
        while block := read_at(fds[name], 1 << 20, offset):
            sha.update(block)
            offset += len(block)
        return sha.hexdigest()

    with ThreadPoolExecutor(max_workers=2) as hashers:
        return list(hashers.map(digest, SPAN_FILES)) == [checksums[name] for name in SPAN_FILES]


def _parquet_files(fds: dict[str, int], counts: dict[str, int]) -> dict[str, Any] | None:
    """Each previous Parquet file with the (first row, rows) of its row groups, if it has this schema.

    The files carry a CRC for every page (``write_page_checksum``), checked as row groups are read.
    """
    files: dict[str, Any] = {}
    try:
        for resource, name in zip((STATUS_CODES, ERROR_CODES), PARQUET_FILES, strict=True):
            file = _ParquetReader(os.fdopen(fds.pop(name), "rb"))
            files[resource.name] = (file, [])
            if not file.schema_arrow.equals(arrow_schema(resource)) \
                    or file.metadata.num_rows != counts[resource.name]:
                raise ValueError(f"{name} does not hold the recorded rows in this schema")
            bounds, first = [], 0
            for group in range(file.num_row_groups):
                size = file.metadata.row_group(group).num_rows
                bounds.append((first, size))
                first += size
            files[resource.name] = (file, bounds)
    except Exception:
        for opened, _ in files.values():
            opened.close()
        return None
    return files

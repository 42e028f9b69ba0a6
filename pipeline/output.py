"""Writing a dataset directory: streamed page by page into a staging directory, then swapped in at once.

A build killed at any moment leaves the previous complete dataset: files are written and
fsynced in a staging directory next to ``--out``, and the staging directory replaces the
old one in a single ``renameat2(RENAME_EXCHANGE)`` (Linux) or, elsewhere, two renames
whose gap the next build repairs.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.cache import code_fingerprint
from pipeline.errors import UsageError
from pipeline.exporters.csv import csv_line
from pipeline.exporters.csv import csv_lines as encode_csv_lines
from pipeline.exporters.datapackage import content_hash, datapackage
from pipeline.exporters.fragments import record_tuples, render_page
from pipeline.exporters.json import dumps, join_items
from pipeline.exporters.parquet import arrow_schema, from_ipc
from pipeline.exporters.rows import JSON_SEPARATOR
from pipeline.model import Dataset, Issue, PageResult, RenderedPage, RenderedRecords, page_order
from pipeline.schema import ERROR_CODES, STATUS_CODES, Resource, json_schema

MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Rendered:
    """The deterministic text files of a dataset, by name (Parquet aside)."""

    files: dict[str, str]
    csv_neutralised: int = 0


@dataclass(frozen=True, slots=True)
class WriteSummary:
    """What a write produced: record counts and CSV cells neutralised by ``--csv-safe``."""

    status_codes: int
    error_codes: int
    csv_neutralised: int


#: Rows per Parquet row group: fixed, so the same records always give the same file layout.
PARQUET_ROW_GROUP = 65536


class _ResourceStream:
    """One dataset's JSON, CSV and Parquet files, appended to page by page."""

    def __init__(self, directory: Path, resource: Resource, csv_safe: bool) -> None:
        self.directory = directory
        self.resource = resource
        self.csv_safe = csv_safe
        self.count = 0
        self.neutralised = 0
        self.json = open(directory / f"{resource.name}.json", "wb")  # noqa: SIM115
        self.json_sha256 = hashlib.sha256()
        self.csv = open(directory / f"{resource.name}.csv", "wb")  # noqa: SIM115
        self.csv_sha256 = hashlib.sha256()
        self._write_csv(csv_line(resource.column_names).encode("utf-8"))
        self.parquet_batches: list[Any] = []
        self.parquet_rows = 0
        self.parquet: Any = None

    def write(self, rendered: RenderedRecords) -> int:
        """Append one page's records; return the size of its CSV lines as written."""
        if not rendered.count:
            return 0
        csv_lines = rendered.csv_lines
        if self.csv_safe:  # only the CSV, which spreadsheets open, is neutralised
            text, count = encode_csv_lines(self.resource, record_tuples(self.resource, rendered), safe=True)
            self.neutralised += count
            csv_lines = text.encode("utf-8")
        self._write_json(RECORDS_OPEN if self.count == 0 else RECORDS_SEPARATOR)
        self._write_json(rendered.json_objects)
        self._write_csv(csv_lines)
        self.count += rendered.count
        rows = rendered.table if rendered.table is not None else from_ipc(self.resource, rendered.arrow)
        self.parquet_batches.extend(rows.to_batches())
        self.parquet_rows += rendered.count
        if self.parquet_rows >= PARQUET_ROW_GROUP:
            self._flush_parquet()
        return len(csv_lines)

    def _write_json(self, data: bytes) -> None:
        self.json.write(data)
        self.json_sha256.update(data)

    def _write_csv(self, data: bytes) -> None:
        self.csv.write(data)
        self.csv_sha256.update(data)

    def _flush_parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = arrow_schema(self.resource)
        if self.parquet is None:
            self.parquet = pq.ParquetWriter(self.directory / f"{self.resource.name}.parquet", schema,
                                            compression="zstd", write_statistics=False,
                                            write_page_checksum=True)  # a damaged previous file is caught
        self.parquet.write_table(pa.Table.from_batches(self.parquet_batches, schema=schema),
                                 row_group_size=PARQUET_ROW_GROUP)
        self.parquet_batches = []
        self.parquet_rows = 0

    def close(self) -> None:
        self._write_json(RECORDS_CLOSE if self.count else b"[]\n")
        for handle in (self.json, self.csv):
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        if self.parquet_batches or self.parquet is None:
            self._flush_parquet()
        self.parquet.close()


#: How a records JSON file wraps the pages' ``json_objects`` (``b"[]\n"`` when there are none).
RECORDS_OPEN = b"[\n  {\n"
RECORDS_SEPARATOR = JSON_SEPARATOR.encode()
RECORDS_CLOSE = b"\n  }\n]\n"


class DatasetWriter:
    """Writes a dataset directory from rendered pages given in output order, one page at a time.

    Records go straight to the JSON, CSV and Parquet files; only the small indexes (tables,
    issues, inputs) are kept until ``close``, so memory does not grow with the records.
    """

    def __init__(self, directory: Path, csv_safe: bool = False) -> None:
        self.directory = directory
        self.csv_safe = csv_safe
        self.streams = {r.name: _ResourceStream(directory, r, csv_safe) for r in (STATUS_CODES, ERROR_CODES)}
        self.tables: list[bytes] = []
        self.issues: list[bytes] = []
        self.table_count = 0
        self.issue_count = 0
        self.inputs: list[dict[str, Any]] = []
        self.last: tuple[str, str] | None = None

    def add(self, page: RenderedPage) -> None:
        if page.source_path:
            order = page_order(page.source_path)
            if self.last is not None and order < self.last:
                raise ValueError(f"page {page.source_path} given out of output order")
            self.last = order
        status_csv = self.streams[STATUS_CODES.name].write(page.status_codes)
        error_csv = self.streams[ERROR_CODES.name].write(page.error_codes)
        if page.source_path:
            # spans: the sizes of the page's pieces of SPAN_FILES, as written; with them the next
            # build finds an unchanged page's bytes here (see pipeline.previous).
            spans = [len(page.status_codes.json_objects), status_csv, len(page.error_codes.json_objects), error_csv,
                     len(page.tables_json), len(page.issues_json)]
            self.inputs.append({"path": page.source_path, "sha256": page.sha256,
                                "status_codes": page.status_codes.count, "error_codes": page.error_codes.count,
                                "tables": len(page.tables), "spans": spans})
        self.tables.append(page.tables_json)
        self.issues.append(page.issues_json)
        self.table_count += len(page.tables)
        self.issue_count += len(page.issues)

    def close(self) -> WriteSummary:
        """Finish every file (records, indexes, descriptors, manifest), all fsynced."""
        for stream in self.streams.values():
            stream.close()
        status, errors = self.streams[STATUS_CODES.name], self.streams[ERROR_CODES.name]
        files = {
            "tables.json": join_items(self.tables),
            "issues.json": join_items(self.issues),
            "datapackage.json": dumps(datapackage({STATUS_CODES.name: status.count,
                                                   ERROR_CODES.name: errors.count})).encode("utf-8"),
        }
        for resource in (STATUS_CODES, ERROR_CODES):
            files[f"schemas/{resource.name}.schema.json"] = dumps(json_schema(resource)).encode("utf-8")
        for name, data in files.items():
            _write_synced(self.directory / name, data)
        hashes = {f"{s.resource.name}.json": s.json_sha256.hexdigest() for s in (errors, status)}
        checksums = {**hashes, **{f"{s.resource.name}.csv": s.csv_sha256.hexdigest() for s in (errors, status)},
                     **{name: hashlib.sha256(files[name]).hexdigest() for name in ("issues.json", "tables.json")}}
        manifest = {
            "generator": generator_of(self.csv_safe),
            "dataset_sha256": content_hash(hashes),
            "files": hashes,
            "checksums": dict(sorted(checksums.items())),
            "counts": {"pages": len(self.inputs), "status_codes": status.count, "error_codes": errors.count,
                       "tables": self.table_count, "issues": self.issue_count},
            "inputs": self.inputs,
        }
        _write_synced(self.directory / MANIFEST, dumps(manifest).encode("utf-8"))
        return WriteSummary(status.count, errors.count, status.neutralised + errors.neutralised)


#: The files a page's manifest ``spans`` measure its pieces of, in order.
SPAN_FILES = ("status_codes.json", "status_codes.csv", "error_codes.json", "error_codes.csv", "tables.json",
              "issues.json")


def generator_of(csv_safe: bool) -> dict[str, Any]:
    """Who wrote the dataset: version, a hash of the package source (so any code change shows), options."""
    return {"name": "pipeline", "version": __version__, "source_sha256": code_fingerprint(),
            "options": {"csv_safe": csv_safe}}


def render(dataset: Dataset, csv_safe: bool = False) -> Rendered:
    """Every text file of the dataset directory, byte for byte what ``write_dataset`` writes."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "schemas").mkdir()
        writer = DatasetWriter(directory, csv_safe)
        for page in dataset.pages:
            writer.add(render_page(page))
        summary = writer.close()
        files = {p.relative_to(directory).as_posix(): p.read_bytes().decode("utf-8")
                 for p in sorted(directory.rglob("*"))
                 if p.is_file() and p.suffix != ".parquet"}
    return Rendered(files, summary.csv_neutralised)


def inputs_are_current(digests: dict[str, str], out: Path, csv_safe: bool = False) -> bool:
    """True when ``out`` was written by this code, with these options, from pages with these digests.

    ``digests`` maps each page's source path to the sha256 of its bytes. Everything in the
    dataset follows from those, so a rebuild with nothing changed needs neither parsing
    nor the cache.
    """
    previous = _read_manifest(out)
    if previous is None or previous.get("generator") != generator_of(csv_safe):
        return False
    inputs = previous.get("inputs")
    if not isinstance(inputs, list) or len(inputs) != len(digests):
        return False
    return all(isinstance(i, dict) and digests.get(i.get("path", "")) == i.get("sha256") for i in inputs) \
        and _all_files_present(out)


def _read_manifest(out: Path) -> dict[str, Any] | None:
    try:
        previous = json.loads((out / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return previous if isinstance(previous, dict) else None


def _all_files_present(out: Path) -> bool:
    return all((out / name).is_file() for name in DATA_FILES)


#: The files of a dataset directory besides the manifest and the schemas.
DATA_FILES = (*(f"{r}.{ext}" for r in ("status_codes", "error_codes") for ext in ("json", "csv", "parquet")),
              "tables.json", "issues.json", "datapackage.json")


def write_dataset(dataset: Dataset, out: Path, csv_safe: bool = False) -> WriteSummary:
    """Write an in-memory dataset to ``out`` atomically (all files or none)."""
    return write_results((render_page(page) for page in dataset.pages), out, csv_safe)


def write_results(results: Iterable[RenderedPage], out: Path, csv_safe: bool = False,
                  extra_issues: Iterable[Issue] = ()) -> WriteSummary:
    """Stream rendered pages (in output order) into a staging directory beside ``out``, then swap it in."""
    out = out.absolute()
    _check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
    os.chmod(staging, 0o755)
    try:
        summary = write_into(staging, results, csv_safe, extra_issues)
        _swap_in(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return summary


def write_into(directory: Path, results: Iterable[RenderedPage], csv_safe: bool = False,
               extra_issues: Iterable[Issue] = ()) -> WriteSummary:
    """Write a dataset's files into an existing, empty ``directory`` (no swap, no checks)."""
    (directory / "schemas").mkdir(exist_ok=True)
    writer = DatasetWriter(directory, csv_safe)
    for result in results:
        writer.add(result)
    extra = tuple(extra_issues)
    if extra:
        writer.add(render_page(PageResult("", "", issues=extra)))
    summary = writer.close()
    _fsync(directory / "schemas")
    _fsync(directory)
    return summary


def _remove_abandoned_staging(out: Path) -> None:
    """Delete staging directories left by builds that were killed (their process is gone)."""
    for candidate in out.parent.glob(f".{out.name}.tmp-*-*"):
        pid = candidate.name[len(f".{out.name}.tmp-"):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)) and candidate.is_dir() and not candidate.is_symlink():
            shutil.rmtree(candidate, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _check_target(out: Path) -> None:
    """Refuse to replace a directory that is not a pipeline dataset (``--out .`` by mistake)."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise UsageError(f"refusing to replace {out}: it is not empty and holds no {MANIFEST} of a previous "
                         "build; choose a new or empty directory for --out")


def _write_synced(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux ``renameat2(RENAME_EXCHANGE)``; False where unsupported."""
    # The symbols already loaded into this process (libc among them); find_library("c") would
    # fork ldconfig from a process holding a whole build in memory.
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def _swap_in(staging: Path, out: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
    elif _exchange(staging, out):
        shutil.rmtree(staging)  # now holds the previous dataset
    else:
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.rename(out, old)
        os.rename(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    _fsync(out.parent)



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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.cache import code_fingerprint
from pipeline.errors import UsageError
from pipeline.exporters.csv import csv_line, neutralise_row
from pipeline.exporters.datapackage import content_hash, datapackage
from pipeline.exporters.fragments import render_rows
from pipeline.exporters.json import dumps
from pipeline.exporters.parquet import arrow_schema, arrow_table
from pipeline.exporters.rows import JSON_SEPARATOR, record_rows
from pipeline.model import (
    Dataset,
    ErrorCodeRecord,
    Issue,
    PageResult,
    RenderedRecords,
    StatusCodeRecord,
    TableReport,
    page_order,
)
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


def issue_dict(issue: Issue) -> dict[str, Any]:
    loc = issue.location
    return {"slug": issue.slug, "severity": issue.severity, "path": loc.path, "line": loc.line,
            "table_index": loc.table_index, "row_index": loc.row_index, "message": issue.message,
            "where": str(issue)}


def table_dict(table: TableReport) -> dict[str, Any]:
    return {"source_path": table.source_path, "table_index": table.table_index, "line": table.line,
            "title": table.title, "header": list(table.header), "kind": table.kind, "rule": table.rule,
            "roles": list(table.roles), "rows": table.rows, "records": table.records,
            "rows_emitted": table.rows_emitted, "rows_merged": table.rows_merged,
            "rows_skipped": table.rows_skipped}


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
        self.json = open(directory / f"{resource.name}.json", "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.csv = open(directory / f"{resource.name}.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.csv.write(csv_line(resource.column_names))
        self.parquet_rows: list[tuple[Any, ...]] = []
        self.parquet: Any = None

    def write(self, records: Sequence[StatusCodeRecord] | Sequence[ErrorCodeRecord],
              rendered: RenderedRecords | None = None) -> None:
        """Append one page's records, using its pre-rendered text where it has some."""
        if not records:
            return
        rows = list(record_rows(records))
        if rendered is None:
            rendered = render_rows(self.resource.column_names, rows)
        csv_lines = rendered.csv_lines
        if self.csv_safe:  # only the CSV, which spreadsheets open, is neutralised
            safe_rows = []
            for row in rows:
                safe, count = neutralise_row(row)
                safe_rows.append(safe)
                self.neutralised += count
            csv_lines = "".join(csv_line(row) for row in safe_rows)
        self.json.write(("[\n  {\n" if self.count == 0 else JSON_SEPARATOR) + rendered.json_objects)
        self.csv.write(csv_lines)
        self.count += len(rows)
        self.parquet_rows.extend(rows)
        if len(self.parquet_rows) >= PARQUET_ROW_GROUP:
            self._flush_parquet()

    def _flush_parquet(self) -> None:
        import pyarrow.parquet as pq

        if self.parquet is None:
            self.parquet = pq.ParquetWriter(self.directory / f"{self.resource.name}.parquet",
                                            arrow_schema(self.resource), compression="zstd", write_statistics=False)
        self.parquet.write_table(arrow_table(self.resource, self.parquet_rows), row_group_size=PARQUET_ROW_GROUP)
        self.parquet_rows = []

    def close(self) -> None:
        self.json.write("\n  }\n]\n" if self.count else "[]\n")
        for handle in (self.json, self.csv):
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        if self.parquet_rows or self.parquet is None:
            self._flush_parquet()
        self.parquet.close()


class DatasetWriter:
    """Writes a dataset directory from page results given in output order, one page at a time.

    Records go straight to the JSON, CSV and Parquet files; only the small indexes (tables,
    issues, inputs) are kept until ``close``, so memory does not grow with the records.
    """

    def __init__(self, directory: Path, csv_safe: bool = False) -> None:
        self.directory = directory
        self.csv_safe = csv_safe
        self.streams = {r.name: _ResourceStream(directory, r, csv_safe) for r in (STATUS_CODES, ERROR_CODES)}
        self.tables: list[dict[str, Any]] = []
        self.issues: list[dict[str, Any]] = []
        self.inputs: list[dict[str, Any]] = []
        self.last: tuple[str, str] | None = None

    def add(self, result: PageResult) -> None:
        if result.source_path:
            order = page_order(result.source_path)
            if self.last is not None and order < self.last:
                raise ValueError(f"page {result.source_path} given out of output order")
            self.last = order
            self.inputs.append({"path": result.source_path, "sha256": result.sha256,
                                "status_codes": len(result.status_codes), "error_codes": len(result.error_codes),
                                "tables": len(result.tables)})
        status, errors = result.rendered or (None, None)
        self.streams[STATUS_CODES.name].write(result.status_codes, status)
        self.streams[ERROR_CODES.name].write(result.error_codes, errors)
        self.tables.extend(table_dict(t) for t in result.tables)
        self.issues.extend(issue_dict(i) for i in result.issues)

    def close(self) -> WriteSummary:
        """Finish every file (records, indexes, descriptors, manifest), all fsynced."""
        for stream in self.streams.values():
            stream.close()
        status, errors = self.streams[STATUS_CODES.name], self.streams[ERROR_CODES.name]
        texts = {
            "tables.json": dumps(self.tables),
            "issues.json": dumps(self.issues),
            "datapackage.json": dumps(datapackage({STATUS_CODES.name: status.count, ERROR_CODES.name: errors.count})),
        }
        for resource in (STATUS_CODES, ERROR_CODES):
            texts[f"schemas/{resource.name}.schema.json"] = dumps(json_schema(resource))
        for name, text in texts.items():
            _write_synced(self.directory / name, text.encode("utf-8"))
        hashes = {name: _file_sha256(self.directory / name) for name in ("error_codes.json", "status_codes.json")}
        manifest = {
            "generator": _generator(self.csv_safe),
            "dataset_sha256": content_hash(hashes),
            "files": hashes,
            "counts": {"pages": len(self.inputs), "status_codes": status.count, "error_codes": errors.count,
                       "tables": len(self.tables), "issues": len(self.issues)},
            "inputs": self.inputs,
        }
        _write_synced(self.directory / MANIFEST, dumps(manifest).encode("utf-8"))
        return WriteSummary(status.count, errors.count, status.neutralised + errors.neutralised)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _generator(csv_safe: bool) -> dict[str, Any]:
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
            writer.add(page)
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
    if previous is None or previous.get("generator") != _generator(csv_safe):
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
    return write_results(iter(dataset.pages), out, csv_safe)


def write_results(results: Iterable[PageResult], out: Path, csv_safe: bool = False,
                  extra_issues: Iterable[Issue] = ()) -> WriteSummary:
    """Stream page results (in output order) into a staging directory beside ``out``, then swap it in."""
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


def write_into(directory: Path, results: Iterable[PageResult], csv_safe: bool = False,
               extra_issues: Iterable[Issue] = ()) -> WriteSummary:
    """Write a dataset's files into an existing, empty ``directory`` (no swap, no checks)."""
    (directory / "schemas").mkdir(exist_ok=True)
    writer = DatasetWriter(directory, csv_safe)
    for result in results:
        writer.add(result)
    extra = tuple(extra_issues)
    if extra:
        writer.add(PageResult("", "", issues=extra))
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



"""Writing a dataset directory: streamed page by page into a staging directory, then swapped in at once.

A build killed at any moment leaves the previous complete dataset: files are written and
fsynced in a staging directory next to ``--out``, and the staging directory replaces the
old one in a single ``renameat2(RENAME_EXCHANGE)`` (Linux) or, elsewhere, two renames
whose gap the next build repairs (see ``pipeline.platform``).

Only what is ours is ever replaced or deleted: ``--out`` must be absent, empty, or a dataset
whose manifest carries our signature (``FORMAT``, generator ``pipeline``) and whose files are
the ones it lists; a staging directory is removed only when its name is one of ours, taken
literally, and it holds our marker (``STAGING_MARKER``) or our dataset.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from pipeline import __version__
from pipeline.cache import code_fingerprint
from pipeline.errors import UsageError
from pipeline.exporters.csv import csv_line
from pipeline.exporters.csv import csv_lines as encode_csv_lines
from pipeline.exporters.datapackage import content_hash
from pipeline.exporters.fragments import record_tuples, render_page
from pipeline.exporters.json import dumps, join_items
from pipeline.exporters.parquet import WRITE_OPTIONS, arrow_schema, file_metadata, from_ipc
from pipeline.exporters.rows import JSON_SEPARATOR
from pipeline.exporters.whole import BINARY_SUFFIXES, text_checksums, whole_dataset_files
from pipeline.exporters.whole import file_names as whole_file_names
from pipeline.model import Census, Dataset, Issue, PageResult, RenderedPage, RenderedRecords, page_order
from pipeline.platform import exchange, process_gone, sync_folder
from pipeline.schema import ERROR_CODES, STATUS_CODES, Resource, json_schema


class OutputError(UsageError):
    """``--out`` cannot or must not be written: ``path: message``, and the previous dataset is untouched."""


Opener = Callable[[Path], BinaryIO]


def open_for_writing(path: Path) -> BinaryIO:
    """A new file, opened for writing bytes (the default ``Opener``)."""
    return open(path, "wb")


@dataclass(frozen=True, slots=True)
class FileOps:
    """The file-system calls a write makes that can fail in ways worth testing; each can be injected.

    ``open`` creates each output file; ``rename`` moves a folder (``os.replace``); ``exchange``
    swaps two folders at once or returns False (``pipeline.platform.exchange``); ``is_mount``
    tells a mount point, which no rename can replace; ``mkdtemp(prefix, parent)`` makes the
    staging folder.
    """

    open: Opener = open_for_writing
    rename: Callable[[Path, Path], None] = os.replace
    exchange: Callable[[Path, Path], bool] = exchange
    is_mount: Callable[[Path], bool] = os.path.ismount
    mkdtemp: Callable[[str, Path], str] = lambda prefix, parent: tempfile.mkdtemp(prefix=prefix, dir=parent)


MANIFEST = "manifest.json"
#: Our signature in every manifest we write; a folder whose manifest lacks it is not replaced.
FORMAT = "pipeline-dataset/1"


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

    def __init__(self, directory: Path, resource: Resource, csv_safe: bool, opener: Opener) -> None:
        self.directory = directory
        self.resource = resource
        self.csv_safe = csv_safe
        self.opener = opener
        self.count = 0
        self.neutralised = 0
        self.json = opener(directory / f"{resource.name}.json")
        self.json_sha256 = hashlib.sha256()
        self.csv = opener(directory / f"{resource.name}.csv")
        self.csv_sha256 = hashlib.sha256()
        self._write_csv(csv_line(resource.column_names).encode("utf-8"))
        self.parquet_batches: list[Any] = []
        self.parquet_rows = 0
        self.parquet: Any = None
        self.parquet_file: BinaryIO | None = None

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
            self.parquet_file = self.opener(self.directory / f"{self.resource.name}.parquet")
            # page checksums: a damaged previous file is caught
            self.parquet = pq.ParquetWriter(self.parquet_file, schema, **WRITE_OPTIONS)
        self.parquet.write_table(pa.Table.from_batches(self.parquet_batches, schema=schema),
                                 row_group_size=PARQUET_ROW_GROUP)
        self.parquet_batches = []
        self.parquet_rows = 0

    def close(self) -> None:
        self._write_json(RECORDS_CLOSE if self.count else b"[]\n")
        if self.parquet_batches or self.parquet is None:
            self._flush_parquet()
        self.parquet.add_key_value_metadata(file_metadata(self.resource, self.json_sha256.hexdigest()))
        self.parquet.close()
        for handle in (self.json, self.csv, self.parquet_file):
            if handle is not None:
                _sync_close(handle)

    def abandon(self) -> None:
        """Close every file without finishing it (the staging directory is being thrown away)."""
        for handle in (self.json, self.csv, self.parquet_file):
            if handle is not None:
                with contextlib.suppress(OSError):
                    handle.close()


#: How a records JSON file wraps the pages' ``json_objects`` (``b"[]\n"`` when there are none).
RECORDS_OPEN = b"[\n  {\n"
RECORDS_SEPARATOR = JSON_SEPARATOR.encode()
RECORDS_CLOSE = b"\n  }\n]\n"


class DatasetWriter:
    """Writes a dataset directory from rendered pages given in output order, one page at a time.

    Records go straight to the JSON, CSV and Parquet files; only the small indexes (tables,
    issues, inputs) are kept until ``close``, so memory does not grow with the records.
    """

    def __init__(self, directory: Path, csv_safe: bool = False, opener: Opener = open_for_writing) -> None:
        self.directory = directory
        self.csv_safe = csv_safe
        self.opener = opener
        self.streams: dict[str, _ResourceStream] = {}
        try:
            for resource in (STATUS_CODES, ERROR_CODES):
                self.streams[resource.name] = _ResourceStream(directory, resource, csv_safe, opener)
        except BaseException:
            self.abandon()
            raise
        self.tables: list[bytes] = []
        self.issues: list[bytes] = []
        self.table_count = 0
        self.issue_count = 0
        self.inputs: list[dict[str, Any]] = []
        self.last: tuple[str, str] | None = None
        #: What discovery skipped, for the manifest (``None``: not known, written as null).
        self.census: Census | None = None

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

    def abandon(self) -> None:
        """Close the open files unfinished (after a failure)."""
        for stream in self.streams.values():
            stream.abandon()

    def close(self) -> WriteSummary:
        """Finish every file (records, indexes, descriptors, manifest), all fsynced."""
        for stream in self.streams.values():
            stream.close()
        status, errors = self.streams[STATUS_CODES.name], self.streams[ERROR_CODES.name]
        files = {
            "tables.json": join_items(self.tables),
            "issues.json": join_items(self.issues),
        }
        # issue 17: what needs every record (derived datasets, JSON Lines, SQLite, datapackage.json,
        # README.md) is made here, from the JSON files the streams just finished
        whole = whole_dataset_files(self.directory, self.csv_safe)
        files.update(whole)
        for resource in (STATUS_CODES, ERROR_CODES):
            files[f"schemas/{resource.name}.schema.json"] = dumps(json_schema(resource)).encode("utf-8")
        for name, data in files.items():
            _write_synced(self.directory / name, data, self.opener)
        hashes = {f"{s.resource.name}.json": s.json_sha256.hexdigest() for s in (errors, status)}
        checksums = {**hashes, **{f"{s.resource.name}.csv": s.csv_sha256.hexdigest() for s in (errors, status)},
                     **{name: hashlib.sha256(files[name]).hexdigest() for name in ("issues.json", "tables.json")},
                     **text_checksums(whole)}
        manifest = {
            "format": FORMAT,
            "generator": generator_of(self.csv_safe),
            "dataset_sha256": content_hash(hashes),
            "files": hashes,
            "checksums": dict(sorted(checksums.items())),
            "counts": {"pages": len(self.inputs), "status_codes": status.count, "error_codes": errors.count,
                       "tables": self.table_count, "issues": self.issue_count},
            "discovery": census_json(self.census),
            "inputs": self.inputs,
        }
        _write_synced(self.directory / MANIFEST, dumps(manifest).encode("utf-8"), self.opener)
        return WriteSummary(status.count, errors.count, status.neutralised + errors.neutralised)


#: The files a page's manifest ``spans`` measure its pieces of, in order.
SPAN_FILES = ("status_codes.json", "status_codes.csv", "error_codes.json", "error_codes.csv", "tables.json",
              "issues.json")


def census_json(census: Census | None) -> dict[str, Any] | None:
    """The manifest's ``discovery``: files met, pages read, files skipped by reason and kind, folders not entered."""
    if census is None:
        return None
    return {"files": census.files, "pages": census.pages,
            "skipped": {"not_documentation": dict(census.not_documentation), "hidden": census.hidden,
                        "excluded": census.excluded, "outside_service_folder": census.outside_service_folder},
            "folders_not_entered": dict(census.folders)}


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
        writer.census = dataset.census
        for page in dataset.pages:
            writer.add(render_page(page))
        summary = writer.close()
        files = {p.relative_to(directory).as_posix(): p.read_bytes().decode("utf-8")
                 for p in sorted(directory.rglob("*"))
                 if p.is_file() and not p.name.endswith(BINARY_SUFFIXES)}
    return Rendered(files, summary.csv_neutralised)


def inputs_are_current(digests: dict[str, str], out: Path, csv_safe: bool = False,
                       census: Census | None = None) -> bool:
    """True when ``out`` was written by this code, with these options, from pages with these digests.

    ``digests`` maps each page's source path to the sha256 of its bytes. Everything in the
    dataset follows from those, so a rebuild with nothing changed needs neither parsing
    nor the cache.
    """
    previous = _read_manifest(out)
    if previous is None or previous.get("generator") != generator_of(csv_safe):
        return False
    if census is not None and previous.get("discovery") != census_json(census):
        return False  # a file skipped came or went: the manifest's count is stale
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
              "tables.json", "issues.json", "datapackage.json", *whole_file_names())


def write_dataset(dataset: Dataset, out: Path, csv_safe: bool = False, allow_shrink: bool = False) -> WriteSummary:
    """Write an in-memory dataset to ``out`` atomically (all files or none)."""
    return write_results((render_page(page) for page in dataset.pages), out, csv_safe, allow_shrink=allow_shrink,
                         census=dataset.census)


def write_results(results: Iterable[RenderedPage], out: Path, csv_safe: bool = False,
                  extra_issues: Iterable[Issue] = (), *, allow_shrink: bool = False,
                  ops: FileOps = FileOps(), census: Census | None = None) -> WriteSummary:
    """Stream rendered pages (in output order) into a staging directory beside ``out``, then swap it in.

    ``out`` may be a symbolic link: the dataset is written where it points and the link is kept.
    Raises ``OutputError`` (and leaves ``out`` as it was) when ``out`` is not ours to replace, when
    the new dataset would hold fewer than half the previous one's records (unless
    ``allow_shrink``), and for any ``OSError`` met while writing.
    """
    target = output_target(out)
    previous = check_target(target, ops)
    swapped = False
    staging: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_abandoned_staging(target, ops)
        staging = Path(ops.mkdtemp(f"{staging_prefix(target)}{os.getpid()}-", target.parent))
        _mark_staging(staging, ops)
        summary = write_into(staging, results, csv_safe, extra_issues, ops.open, census)
        if previous is not None and not allow_shrink:
            check_shrink(target, previous, summary)
        _swap_in(staging, target, ops)
        swapped = True
        sync_folder(target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write the dataset: {describe(exc)}"
                          + ("" if swapped else "; nothing was replaced"), str(out)) from exc
    finally:
        if staging is not None and os.path.lexists(staging):
            shutil.rmtree(staging, ignore_errors=True)
    return summary


def describe(exc: OSError) -> str:
    """An ``OSError`` in words: its reason and, when it names one, the file it concerns."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{reason} ({exc.filename})" if exc.filename else reason


def output_target(out: Path) -> Path:
    """The folder to write: ``out``, or where it points when it is a symbolic link (the link is kept)."""
    out = out.absolute()
    if out.is_symlink():
        resolved = Path(os.path.realpath(out))
        if resolved.is_symlink():
            raise OutputError("is a symbolic link that does not lead to a folder (a loop?)", str(out))
        return resolved
    return out


def check_shrink(out: Path, previous: int, summary: WriteSummary) -> None:
    """Refuse a dataset that would remove more than half of the previous one's records."""
    new = summary.status_codes + summary.error_codes
    if 2 * new < previous:
        raise OutputError(f"refusing to replace {previous} records with {new}: more than half would be removed; "
                          "check INPUT, or pass --allow-shrink if this is what you want", str(out))


def write_into(directory: Path, results: Iterable[RenderedPage], csv_safe: bool = False,
               extra_issues: Iterable[Issue] = (), opener: Opener = open_for_writing,
               census: Census | None = None) -> WriteSummary:
    """Write a dataset's files into an existing, empty ``directory`` (no swap, no checks)."""
    (directory / "schemas").mkdir(exist_ok=True)
    writer = DatasetWriter(directory, csv_safe, opener)
    writer.census = census
    try:
        for result in results:
            writer.add(result)
        extra = tuple(extra_issues)
        if extra:
            writer.add(render_page(PageResult("", "", issues=extra)))
        summary = writer.close()
    except BaseException:
        writer.abandon()
        raise
    sync_folder(directory / "schemas")
    sync_folder(directory)
    return summary


#: The file that marks a staging directory as ours (removed just before the swap).
STAGING_MARKER = ".pipeline-staging"
#: A staging directory whose owner cannot be probed is abandoned once this old.
STALE_STAGING_SECONDS = 24 * 3600
_STAGING_REST = re.compile(r"([0-9]{1,10})-[A-Za-z0-9_]{1,32}")
_OLD_REST = re.compile(r"[0-9]{1,10}")


def staging_prefix(out: Path) -> str:
    """Names of staging directories of ``out`` start with this (then the owner's pid and a random part)."""
    return f".{out.name}.tmp-"


def old_prefix(out: Path) -> str:
    """The previous dataset is renamed aside to this plus the pid, in a swap without ``exchange``."""
    return f".{out.name}.old-"


def _mark_staging(staging: Path, ops: FileOps) -> None:
    """Make ``staging`` readable like a folder made by mkdir, and mark it as ours (with its owner)."""
    os.chmod(staging, 0o755)
    _write_synced(staging / STAGING_MARKER, json.dumps({"pid": os.getpid(), "host": socket.gethostname()})
                  .encode("utf-8"), ops.open)


def remove_abandoned_staging(out: Path, ops: FileOps = FileOps()) -> None:
    """Delete what builds of ``out`` that were killed left beside it; put back a dataset set aside.

    A candidate's name must be ``staging_prefix(out)`` or ``old_prefix(out)`` followed by a pid
    (and, for staging, a random part), compared as text, never as a pattern; it must be a real
    folder holding our marker or our dataset, and its owner must be gone.
    """
    try:
        entries = list(os.scandir(out.parent))
    except OSError:
        return
    for entry in entries:
        pid = _owner_pid(entry.name, out)
        if pid is None or not entry.is_dir(follow_symlinks=False):
            continue
        path = Path(entry.path)
        marked = _marker(path)
        if not (marked is not None or dataset_problem(path) is None) or not _abandoned(path, pid, marked):
            continue
        if entry.name.startswith(old_prefix(out)) and not os.path.lexists(out) and marked is None:
            ops.rename(path, out)  # killed between the two renames of a swap: the previous dataset comes back
        else:
            shutil.rmtree(path, ignore_errors=True)


def _owner_pid(name: str, out: Path) -> int | None:
    for prefix, rest in ((staging_prefix(out), _STAGING_REST), (old_prefix(out), _OLD_REST)):
        if name.startswith(prefix):
            match = rest.fullmatch(name[len(prefix):])
            return int(match.group(1) if match.groups() else match.group(0)) if match else None
    return None


def _marker(path: Path) -> dict[str, Any] | None:
    try:
        with open(path / STAGING_MARKER, "rb") as handle:
            marker = json.loads(handle.read(4096))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def _abandoned(path: Path, pid: int, marker: dict[str, Any] | None) -> bool:
    """Its owner is gone: probed where this host can probe it, else judged by the folder's age."""
    host = socket.gethostname()
    if marker is None or marker.get("host", host) == host:
        if pid == os.getpid():
            return False
        gone = process_gone(pid)
        if gone is not None:
            return gone
    try:
        return time.time() - path.stat().st_mtime > STALE_STAGING_SECONDS
    except OSError:
        return False


#: Files the operating system drops into folders it shows; replacing them loses nothing.
OS_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def check_target(out: Path, ops: FileOps = FileOps()) -> int | None:
    """Refuse an ``out`` that is not ours to replace; the previous dataset's record count, if any.

    ``out`` may be absent, an empty folder, or a dataset of ours (see ``dataset_problem``).
    """
    if not os.path.lexists(out):
        return None
    if not out.is_dir():
        raise OutputError("exists and is not a folder; --out must be a new or empty folder, or a dataset "
                          "written by pipeline", str(out))
    try:
        mount = ops.is_mount(out)
        empty = not any(out.iterdir())
    except OSError as exc:
        raise OutputError(f"cannot read the folder: {describe(exc)}", str(out)) from exc
    if mount:
        raise OutputError("is a mount point, which a build cannot replace (the new dataset is swapped in by a "
                          f"rename); use a folder inside it, e.g. --out {out / 'dataset'}", str(out))
    if empty:
        return None
    problem = dataset_problem(out)
    if problem is not None:
        raise OutputError(f"refusing to replace this folder: {problem}; choose a new or empty folder for --out",
                          str(out))
    manifest = _read_manifest(out) or {}
    return int(manifest["counts"]["status_codes"]) + int(manifest["counts"]["error_codes"])


def dataset_problem(out: Path) -> str | None:
    """Why ``out`` is not a dataset of ours, or ``None`` when it is.

    Ours: a ``manifest.json`` with generator ``pipeline`` and our ``FORMAT`` (one written before
    the format was recorded must match its checksums instead), record counts, every file it lists
    present as a regular file, and nothing in the folder that a dataset does not hold.
    """
    manifest = _read_manifest(out)
    if manifest is None:
        return f"it holds no readable {MANIFEST}" if not (out / MANIFEST).is_file() else \
            f"its {MANIFEST} is not a pipeline manifest"
    generator = manifest.get("generator")
    if not isinstance(generator, dict) or generator.get("name") != "pipeline":
        return f"its {MANIFEST} was not written by pipeline"
    listed = {**_dict(manifest.get("files")), **_dict(manifest.get("checksums"))}
    counts = _dict(manifest.get("counts"))
    legacy = "format" not in manifest  # written before the format was recorded
    if not legacy and manifest["format"] != FORMAT:
        return f"its {MANIFEST} has format {manifest['format']!r}, not {FORMAT!r}"
    if not listed or any(type(counts.get(r)) is not int for r in ("status_codes", "error_codes")):
        return f"its {MANIFEST} lists no files or record counts"
    for name in sorted(listed):
        if name not in DATASET_FILES:
            return f"its {MANIFEST} lists {name!r}, which pipeline never writes"
        path = out / name
        if path.is_symlink() or not path.is_file():
            return f"{name}, listed in its {MANIFEST}, is missing or not a regular file"
        if legacy and name in _dict(manifest.get("checksums")) and _sha256(path) != listed[name]:
            return f"{name} does not match the checksum in its {MANIFEST}"
    for entry in sorted(_entries_of(out)):
        if entry not in DATASET_FILES and entry not in ("schemas", *OS_LITTER) and \
                not (entry.startswith("schemas/") and entry.rsplit("/", 1)[1] in OS_LITTER):
            return f"it holds {entry!r}, which is not part of a pipeline dataset (move it elsewhere first)"
    return None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _entries_of(out: Path) -> list[str]:
    names = []
    for path in out.iterdir():
        names.append(path.name)
        if path.name == "schemas" and path.is_dir() and not path.is_symlink():
            names.extend(f"schemas/{child.name}" for child in path.iterdir())
    return names


#: Every file a dataset directory holds, by its path inside it.
DATASET_FILES = frozenset({*DATA_FILES, MANIFEST,
                           *(f"schemas/{r.name}.schema.json" for r in (STATUS_CODES, ERROR_CODES))})


def _write_synced(path: Path, data: bytes, opener: Opener = open_for_writing) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = opener(path)
    try:
        handle.write(data)
    except BaseException:
        handle.close()
        raise
    _sync_close(handle)


def _sync_close(handle: BinaryIO) -> None:
    try:
        handle.flush()
        os.fsync(handle.fileno())
    finally:
        handle.close()


def _swap_in(staging: Path, out: Path, ops: FileOps) -> None:
    """Put ``staging`` where ``out`` is, at once where the platform can; else by two renames."""
    os.unlink(staging / STAGING_MARKER)
    if not os.path.lexists(out):
        ops.rename(staging, out)
    elif ops.exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous dataset
    else:
        old = out.with_name(f"{old_prefix(out)}{os.getpid()}")
        ops.rename(out, old)
        try:
            ops.rename(staging, out)
        except OSError:
            ops.rename(old, out)
            raise
        shutil.rmtree(old, ignore_errors=True)

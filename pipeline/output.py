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
import functools
import hashlib
import io
import json
import os
import re
import shutil
import socket
import sqlite3
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from pipeline import __version__
from pipeline.datasets import ALL_RESOURCES, DERIVED_RESOURCES, RESOURCES, DatasetRecord, Resource
from pipeline.errors import UsageError
from pipeline.exporters import FORMATS, Format, dataset_formats
from pipeline.exporters.database_job import DatabaseJob, one_line
from pipeline.exporters.datapackage import content_hash
from pipeline.exporters.encoder import TextEncoder
from pipeline.exporters.items import issue_dict, table_dict
from pipeline.exporters.json import dumps
from pipeline.exporters.parquet import parquet_from_jsonl
from pipeline.exporters.sqlite import FILE_NAME as DATABASE
from pipeline.exporters.whole import BINARY_SUFFIXES, Scratch, api_services, text_checksums, texts
from pipeline.exporters.whole import file_names as whole_file_names
from pipeline.incremental.derived import derived_parts
from pipeline.incremental.encoded import PART_FORMATS, RECORDS_FORMAT, EncodedPage, Parts, decode_records
from pipeline.incremental.fingerprint import code_fingerprint
from pipeline.incremental.row_cache import ROWS, Batch, DatabasePlan, assemble, segment_key
from pipeline.incremental.store import PageStore
from pipeline.jsonfile import DamagedJSON, read_json
from pipeline.model import Census, Dataset, Issue, PageResult, TableReport, page_order
from pipeline.openapi import service_files
from pipeline.openapi.names import FOLDER as OPENAPI_FOLDER
from pipeline.openapi.names import SUFFIX as DOCUMENT_SUFFIX
from pipeline.platform import exchange, process_gone, sync_folder
from pipeline.schema import json_schema


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
    """What a write produced: record counts by dataset name, CSV cells neutralised by ``--csv-safe``, and the
    problems found once every record was known (the OpenAPI export's docs defects), which no page result holds."""

    records: dict[str, int]
    csv_neutralised: int
    issues: tuple[Issue, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.records.values())


class _Hashed:
    """A sink that also hashes what passes through it (for the manifest's checksums)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        return self.handle.write(data)


@dataclass(slots=True)
class _File:
    """One text file of a dataset being written: its format, encoder, the open file and its hash."""

    fmt: str
    name: str
    encoder: TextEncoder
    handle: BinaryIO
    hashed: _Hashed


class DatasetWriter:
    """Writes a dataset directory from pages given in output order, one page at a time.

    Each page's parts (``EncodedPage``: its records as encoded where it was parsed, or by an
    earlier build) go to the JSON, CSV and JSON Lines files of their dataset as they are, and
    their JSON Lines part to a copy in a scratch folder (``Scratch``, made under
    ``scratch_parent``, the system's temporary folder by default); only the small indexes
    (tables, issues, inputs) are kept in memory until ``close``. ``close`` makes the rest from
    the copies (``pipeline.exporters.whole``): the derived datasets (their partitions kept in
    ``store``, when given, for the next build), the OpenAPI documents (``openapi/<service>.json``;
    ``make_folder`` makes their folder), the Parquet files and ``pipeline.db`` (unless ``binary`` is
    false), ``datapackage.json`` and the data dictionary ``README.md``. Memory does not grow with
    the records, but for one derived partition's, sorted in memory (the error catalog's service
    family; every status code for ``status_wording``, about 880 bytes each).
    """

    def __init__(self, directory: Path, csv_safe: bool = False, opener: Opener = open_for_writing,
                 scratch_parent: Path | None = None, make_folder: Callable[[Path], None] = Path.mkdir,
                 store: PageStore | None = None, binary: bool = True) -> None:
        self.directory = directory
        self.csv_safe = csv_safe
        self.opener = opener
        self.make_folder = make_folder
        self.store = store
        self.binary = binary
        #: What the row cache keys are made with: the page store's (the code, the libraries), else nothing.
        self.fingerprint = store.fingerprint if store is not None else ""
        self.files: dict[str, list[_File]] = {}
        self.scratch_folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=scratch_parent))
        self.scratch: Scratch | None = None
        self.database: DatabaseJob | None = None
        self.made = self.scratch_folder / DATABASE
        self.sent = dict.fromkeys((r.name for r in ALL_RESOURCES), 0)  # segments taken for the database
        self.batches: list[Batch] = []  # segments taken, not yet sent to the database's maker
        #: Pages after which pipeline.db is made in another process, filled as the pages come (for a build of
        #: fewer pages, in this process at the end: starting an interpreter costs more than it saves).
        self.child_after = PAGES_PER_BATCH
        self.cache = Path(store.directory) / ROWS if store is not None else None
        try:
            self.scratch = Scratch(self.scratch_folder)
            for resource in RESOURCES:
                self._open_all(resource)
        except BaseException:
            self.abandon()
            raise
        self.counts = dict.fromkeys((r.name for r in ALL_RESOURCES), 0)
        self.neutralised = 0
        self.tables: list[TableReport] = []
        self.issues: list[Issue] = []
        self.inputs: list[dict[str, Any]] = []
        self.last: tuple[str, str] | None = None
        #: What discovery skipped, for the manifest (``None``: not known, written as null).
        self.census: Census | None = None

    def _open_all(self, resource: Resource) -> None:
        """Open every text file of ``resource`` into ``self.files`` (each listed as soon as it is open, so
        ``abandon`` closes it if a later one fails)."""
        opened = self.files[resource.name] = []
        for fmt in text_formats(self.csv_safe):
            name = fmt.file_name(resource)
            handle = self.opener(self.directory / name)
            hashed = _Hashed(handle)
            try:
                encoder = fmt.encoder(resource, hashed)  # type: ignore[arg-type]
            except BaseException:
                handle.close()
                raise
            assert isinstance(encoder, TextEncoder)
            opened.append(_File(fmt.name, name, encoder, handle, hashed))

    def _write(self, resource: Resource, parts: Parts, records: Callable[[], Sequence[DatasetRecord]],
               name: str) -> None:
        """One page's (or derived partition's: ``name``) records of
        ``resource`` to its files and its scratch copy; ``records`` reads them back, for a file that is not
        made of parts (``--csv-safe``)."""
        if not parts.count:
            return
        for file in self.files[resource.name]:
            if file.fmt in PART_FORMATS:
                file.encoder.write_part(parts.of(file.fmt), parts.count)
            else:
                before = file.encoder.neutralised
                file.encoder.write(records())
                if resource.derive is None:  # a derived dataset repeats the page datasets' cells
                    self.neutralised += file.encoder.neutralised - before
        assert self.scratch is not None  # made by __init__
        lines = parts.of(RECORDS_FORMAT)
        # keyed by the lines themselves, not the page's bytes: a git page's provenance (its commit) is in its
        # rows, and changes with no byte of the page changing
        key = segment_key(name, hashlib.sha256(lines).hexdigest(), self.fingerprint)
        self.scratch.add(resource, lines, parts.count, name, key)
        self.counts[resource.name] += parts.count

    def add(self, page: EncodedPage | PageResult) -> None:
        if isinstance(page, PageResult):
            page = EncodedPage.of(page)
        if page.source_path:
            order = page_order(page.source_path)
            if self.last is not None and order < self.last:
                raise ValueError(f"page {page.source_path} given out of output order")
            self.last = order
        for resource in RESOURCES:
            self._write(resource, page.parts_of(resource), functools.partial(page.records_of, resource),
                        page.source_path)
        if page.source_path:
            self.inputs.append({"path": page.source_path, "sha256": page.sha256,
                                **{r.name: page.count(r) for r in RESOURCES}, "tables": len(page.tables)})
        self.tables.extend(page.tables)
        self.issues.extend(page.issues)
        if len(self.inputs) % self.child_after == 0:
            self._send(RESOURCES)

    def _send(self, resources: Sequence[Resource]) -> None:
        """Take the segments of ``resources`` written since the last time (flushed first) for the database:
        sent to its maker, started once ``child_after`` pages are written; else kept for the end."""
        assert self.scratch is not None  # made by __init__
        if not self.binary:
            return
        batch = []
        for resource in resources:
            found = self.scratch.segments[resource.name]
            if len(found) > self.sent[resource.name]:
                self.scratch.finish(resource)
                batch.append((resource.name, tuple(found[self.sent[resource.name]:])))
                self.sent[resource.name] = len(found)
        if batch:
            self.batches.append(tuple(batch))
        if self.database is None and len(self.inputs) >= self.child_after:
            self.database = DatabaseJob(self.scratch_folder, ALL_RESOURCES, self.made, self.cache, later=True)
        if self.database is not None:
            for waiting in self.batches:
                self.database.send(waiting)
            self.batches = []

    def abandon(self) -> None:
        """Close the open files unfinished, stop the database's maker, remove the scratch folder (after a failure)."""
        for files in self.files.values():
            for file in files:
                with contextlib.suppress(OSError):
                    file.handle.close()
        if self.database is not None:
            self.database.abandon()
        self._remove_scratch()

    def _remove_scratch(self) -> None:
        if self.scratch is not None:
            self.scratch.close()
        shutil.rmtree(self.scratch_folder, ignore_errors=True)

    def _write_derived(self, scratch: Scratch) -> None:
        """The derived datasets' text files, partition by partition (``derived_parts``)."""
        for resource in DERIVED_RESOURCES:
            self._open_all(resource)
            for parts, name in derived_parts(resource, scratch, self.store):
                self._write(resource, parts, functools.partial(decode_records, resource, parts.of(RECORDS_FORMAT)),
                            name)

    def _write_documents(self, scratch: Scratch) -> tuple[dict[str, str], list[Issue]]:
        """Each service's OpenAPI document (``OPENAPI_FOLDER``, made only when there is one), written as it is
        made; their checksums, and the docs defects the export met."""
        checksums: dict[str, str] = {}
        issues: list[Issue] = []
        for name, data, found in service_files(api_services(scratch)):
            if not checksums:
                self.make_folder(self.directory / OPENAPI_FOLDER)
            _write_synced(self.directory / name, data, self.opener)
            checksums[name] = hashlib.sha256(data).hexdigest()
            issues.extend(found)
        return checksums, issues

    def _finish_text_files(self, resources: Sequence[Resource]) -> dict[str, str]:
        """Close every text file of ``resources``, fsynced; their checksums."""
        checksums = {}
        for resource in resources:
            for file in self.files[resource.name]:
                file.encoder.close()
                _sync_close(file.handle)
                checksums[file.name] = file.hashed.sha256.hexdigest()
        return checksums

    def _write_parquet(self, scratch: Scratch, resources: Sequence[Resource], checksums: Mapping[str, str]) -> None:
        """The Parquet file of each of ``resources``, made from its scratch copy."""
        for resource in resources:
            name = FORMATS["parquet"].file_name(resource)
            handle = self.opener(self.directory / name)
            try:
                parquet_from_jsonl(resource, scratch.path(resource), handle,
                                   checksums[FORMATS["json"].file_name(resource)])
            except BaseException:
                handle.close()
                raise
            _sync_close(handle)

    def _finish_database(self, made: Path) -> None:
        """``pipeline.db``, made here if no maker was started, or once the maker is done: moved in (a copy through
        the opener where one was given)."""
        if self.database is None:
            try:
                assemble(DatabasePlan(self.scratch_folder, made, self.cache), ALL_RESOURCES, self.batches)
            except (sqlite3.Error, ValueError) as exc:  # as the child reports it: one line, never a traceback
                raise OSError(f"{made.name}: {one_line(exc)}") from exc
        else:
            self.database.wait()
        if self.opener is open_for_writing:
            with open(made, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(made, self.directory / DATABASE)
        else:
            _copy_synced(made, self.directory / DATABASE, self.opener)

    def close(self) -> WriteSummary:
        """Finish every file (records, derived datasets, documents, database, indexes, descriptors, manifest),
        all fsynced."""
        scratch = self.scratch
        assert scratch is not None  # made by __init__
        for resource in RESOURCES:
            scratch.finish(resource)
        self._send(RESOURCES)
        checksums = self._finish_text_files(RESOURCES)
        with ThreadPoolExecutor(1, thread_name_prefix="parquet") as parquet:
            # pyarrow works without the interpreter's lock: Parquet is made while this thread derives,
            # and pipeline.db in another process
            made_parquet = [parquet.submit(self._write_parquet, scratch, RESOURCES, dict(checksums))] \
                if self.binary else []
            self._write_derived(scratch)
            for resource in DERIVED_RESOURCES:
                scratch.finish(resource)
            self._send(DERIVED_RESOURCES)
            if self.database is not None:
                self.database.send(None)  # no more segments
            derived = self._finish_text_files(DERIVED_RESOURCES)
            checksums.update(derived)
            if self.binary:
                made_parquet.append(parquet.submit(self._write_parquet, scratch, DERIVED_RESOURCES, derived))
            documents, found = self._write_documents(scratch)
            checksums.update(documents)
            self.issues.extend(found)
            for job in made_parquet:
                job.result()
        if self.binary:
            self._finish_database(self.made)
        whole = texts(self.counts, tuple(name for name in checksums if is_document(name)))
        self._remove_scratch()
        texts_made = {
            "tables.json": dumps([table_dict(t) for t in self.tables]).encode("utf-8"),
            "issues.json": dumps([issue_dict(i) for i in self.issues]).encode("utf-8"),
            **{f"schemas/{r.name}.schema.json": dumps(json_schema(r)).encode("utf-8") for r in RESOURCES},
            **whole,
        }
        for name, data in texts_made.items():
            _write_synced(self.directory / name, data, self.opener)
        checksums.update({name: hashlib.sha256(texts_made[name]).hexdigest()
                          for name in ("issues.json", "tables.json")})
        checksums.update(text_checksums(whole))
        hashes = {name: digest for name, digest in sorted(checksums.items()) if name in RECORD_JSON_FILES}
        manifest = {
            "format": FORMAT,
            "generator": generator_of(self.csv_safe),
            "dataset_sha256": content_hash(hashes),
            "files": hashes,
            "checksums": dict(sorted(checksums.items())),
            # Records per dataset, the ``pages`` dataset first (a page that could not be read has no page
            # record: the pages found are ``inputs`` and ``discovery``), then tables and issues.
            "counts": {"pages": self.counts["pages"], **{r.name: self.counts[r.name] for r in RESOURCES},
                       "tables": len(self.tables), "issues": len(self.issues)},
            "discovery": census_json(self.census),
            "sources": sources_json(self.census),
            "inputs": self.inputs,
        }
        _write_synced(self.directory / MANIFEST, dumps(manifest).encode("utf-8"), self.opener)
        return WriteSummary({r.name: self.counts[r.name] for r in RESOURCES}, self.neutralised, tuple(found))


def text_formats(csv_safe: bool) -> tuple[Format, ...]:
    """The text formats of a dataset's files (``dataset_formats`` but Parquet, which is made from JSON Lines)."""
    return tuple(fmt for fmt in dataset_formats(csv_safe) if fmt.extension in TEXT_EXTENSIONS)


#: Pages written between two batches of segments sent to the database's maker.
PAGES_PER_BATCH = 256
#: The formats whose files the manifest checksums (``checksums``): text, deterministic.
TEXT_EXTENSIONS = ("json", "csv", "jsonl")
#: The scratch folder of a dataset writer (records staged on disk) starts with this.
SCRATCH_PREFIX = ".pipeline-scratch-"
#: The records' JSON files: what ``dataset_sha256`` hashes (``files`` in the manifest).
RECORD_JSON_FILES = frozenset(FORMATS["json"].file_name(r) for r in RESOURCES)


def census_json(census: Census | None) -> dict[str, Any] | None:
    """The manifest's ``discovery``: files met, pages read, files skipped by reason and kind, folders not entered."""
    if census is None:
        return None
    return {"files": census.files, "pages": census.pages,
            "skipped": {"not_documentation": dict(census.not_documentation), "hidden": census.hidden,
                        "excluded": census.excluded, "outside_service_folder": census.outside_service_folder},
            "folders_not_entered": dict(census.folders)}


def sources_json(census: Census | None) -> list[dict[str, str]]:
    """The manifest's ``sources``: each declared git source read, with its repository and commit."""
    return [{"source": name, "repo": repo, "commit": commit}
            for name, repo, commit in (census.sources if census is not None else ())]


def generator_of(csv_safe: bool) -> dict[str, Any]:
    """Who wrote the dataset: version, a hash of the package source (so any code change shows), options."""
    return {"name": "pipeline", "version": __version__, "source_sha256": code_fingerprint(),
            "options": {"csv_safe": csv_safe}}


class _MemoryFile(io.BytesIO):
    """A file of ``render``: kept in memory, its bytes saved under its name when closed."""

    def __init__(self, files: dict[str, bytes], name: str) -> None:
        super().__init__()
        self.files, self.key = files, name

    def close(self) -> None:
        if not self.closed:
            self.files[self.key] = self.getvalue()
        super().close()


def render(dataset: Dataset, csv_safe: bool = False) -> Rendered:
    """Every text file of the dataset directory, byte for byte what ``write_results`` writes (in memory)."""
    files: dict[str, bytes] = {}
    root = Path("dataset")

    def opener(path: Path) -> BinaryIO:
        return _MemoryFile(files, path.relative_to(root).as_posix())

    writer = DatasetWriter(root, csv_safe, opener, make_folder=lambda path: None)
    writer.census = dataset.census
    try:
        for page in dataset.pages:
            writer.add(page)
        summary = writer.close()
    except BaseException:
        writer.abandon()
        raise
    return Rendered({name: data.decode("utf-8") for name, data in sorted(files.items())
                     if not name.endswith(BINARY_SUFFIXES)}, summary.csv_neutralised)


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The manifest of the dataset in ``out``, or ``None`` when there is none or it cannot be read back as
    a JSON object (``load_manifest`` says why)."""
    try:
        return load_manifest(out)
    except DamagedJSON:
        return None


def load_manifest(out: Path) -> dict[str, Any]:
    """The manifest of the dataset in ``out``; ``DamagedJSON`` when it is missing, damaged or not an object."""
    manifest = read_json(out / MANIFEST)
    if not isinstance(manifest, dict):
        raise DamagedJSON(f"holds a JSON {type(manifest).__name__}, not an object")
    return manifest


#: The files of a dataset directory besides the manifest and the page datasets' schemas.
DATA_FILES = (*(fmt.file_name(r) for r in RESOURCES for fmt in dataset_formats(False)),
              "tables.json", "issues.json", *whole_file_names())


def write_results(results: Iterable[EncodedPage | PageResult], out: Path, csv_safe: bool = False,
                  extra_issues: Iterable[Issue] = (), *, allow_shrink: bool = False,
                  ops: FileOps = FileOps(), census: Census | None = None,
                  store: PageStore | None = None) -> WriteSummary:
    """Stream page results (in output order) into a staging directory beside ``out``, then swap it in.

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
        summary = write_into(staging, results, csv_safe, extra_issues, ops.open, census, store)
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
    new = summary.total
    if 2 * new < previous:
        raise OutputError(f"refusing to replace {previous} records with {new}: more than half would be removed; "
                          "check INPUT, or pass --allow-shrink if this is what you want", str(out))


def write_into(directory: Path, results: Iterable[EncodedPage | PageResult], csv_safe: bool = False,
               extra_issues: Iterable[Issue] = (), opener: Opener = open_for_writing,
               census: Census | None = None, store: PageStore | None = None) -> WriteSummary:
    """Write a dataset's files into an existing, empty ``directory`` (no swap, no checks); ``store`` keeps
    the derived datasets' partitions for the next build."""
    (directory / "schemas").mkdir(exist_ok=True)
    writer = DatasetWriter(directory, csv_safe, opener, scratch_parent=directory,  # removed before it closes
                           store=store)
    writer.census = census
    try:
        for result in results:
            writer.add(result)
        extra = tuple(extra_issues)
        if extra:
            writer.add(PageResult("", "", issues=extra))
        summary = writer.close()
    except BaseException:
        writer.abandon()
        raise
    sync_folder(directory / "schemas")
    if (directory / OPENAPI_FOLDER).is_dir():
        sync_folder(directory / OPENAPI_FOLDER)
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
    folder holding our marker or our dataset (or nothing but a half-written marker), and its owner
    must be gone.
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
        ours = marked is not None or dataset_problem(path) is None or _killed_while_marking(path)
        if not ours or not _abandoned(path, pid, marked):
            continue
        if entry.name.startswith(old_prefix(out)) and not os.path.lexists(out) and marked is None:
            ops.rename(path, out)  # killed between the two renames of a swap: the previous dataset comes back
        else:
            discard(path, ops)


def discard(path: Path, ops: FileOps) -> None:
    """Delete a folder of ours so that a build killed half-way through leaves one the next build still
    knows as ours (``remove_abandoned_staging``): marked first, the marker deleted last.

    ``shutil.rmtree`` alone deletes in no set order: killed after the marker went but before the
    data did, it left a folder that is neither marked nor a whole dataset, which nothing removes.
    """
    try:
        if not (path / STAGING_MARKER).is_file():
            _mark_staging(path, ops)
        for entry in os.scandir(path):
            if entry.name == STAGING_MARKER:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        os.unlink(path / STAGING_MARKER)
        os.rmdir(path)
    except OSError:
        shutil.rmtree(path, ignore_errors=True)


def _owner_pid(name: str, out: Path) -> int | None:
    for prefix, rest in ((staging_prefix(out), _STAGING_REST), (old_prefix(out), _OLD_REST)):
        if name.startswith(prefix):
            match = rest.fullmatch(name[len(prefix):])
            return int(match.group(1) if match.groups() else match.group(0)) if match else None
    return None


def _marker(path: Path) -> dict[str, Any] | None:
    """The staging marker in ``path``; ``None`` when there is none or it is damaged (then ``path`` is not ours)."""
    try:
        marker = read_json(path / STAGING_MARKER, limit=4096)
    except DamagedJSON:
        return None
    return marker if isinstance(marker, dict) else None


def _killed_while_marking(path: Path) -> bool:
    """Nothing in it but, perhaps, our marker half written: a build killed between making the staging
    folder and marking it (``_mark_staging``). Nothing can be lost by removing it."""
    try:
        return set(os.listdir(path)) <= {STAGING_MARKER}
    except OSError:
        return False


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
    counts = _dict((read_manifest(out) or {}).get("counts"))
    return sum(int(counts[r.name]) for r in RESOURCES if type(counts.get(r.name)) is int)


def dataset_problem(out: Path) -> str | None:
    """Why ``out`` is not a dataset of ours, or ``None`` when it is.

    Ours: a ``manifest.json`` with generator ``pipeline`` and our ``FORMAT`` (or none, from before
    the format was recorded), record counts, every file it lists present, and every entry of
    the folder one a dataset holds, each as we wrote it (``entry_problem``): a user's file that
    merely has a dataset file's name, next to a copied manifest, is never replaced.
    """
    try:
        manifest = load_manifest(out)
    except DamagedJSON as exc:
        return f"it holds no {MANIFEST}" if not os.path.lexists(out / MANIFEST) else f"its {MANIFEST} {exc}"
    generator = manifest.get("generator")
    if not isinstance(generator, dict) or generator.get("name") != "pipeline":
        return f"its {MANIFEST} was not written by pipeline"
    checksums = _dict(manifest.get("checksums"))
    listed = {**_dict(manifest.get("files")), **checksums}
    counts = _dict(manifest.get("counts"))
    if manifest.get("format", FORMAT) != FORMAT:
        return f"its {MANIFEST} has format {manifest['format']!r}, not {FORMAT!r}"
    if not listed or not any(type(counts.get(r.name)) is int for r in RESOURCES):
        return f"its {MANIFEST} lists no files or record counts"
    for name in sorted(listed):
        if not is_dataset_file(name):
            return f"its {MANIFEST} lists {name!r}, which pipeline never writes"
        if not os.path.lexists(out / name):
            return f"{name}, listed in its {MANIFEST}, is missing"
    return next((p for entry in sorted(_entries_of(out)) if (p := entry_problem(out, entry, checksums))), None)


#: The largest OS litter file (``Thumbs.db``) a dataset folder may hold and still be replaced.
MAX_LITTER_BYTES = 1 << 20
#: A dataset's JSON files without a checksum (``datapackage.json``, the schemas) are read back up to this size.
MAX_DESCRIPTOR_BYTES = 16 << 20


def entry_problem(out: Path, entry: str, checksums: dict[str, Any]) -> str | None:
    """Why the entry ``entry`` (``issues.json``, ``schemas/x.json``) of ``out`` is not as we wrote it, or ``None``.

    OS litter (``.DS_Store``, ``Thumbs.db``) must be a plain small file (a folder named
    ``Thumbs.db`` holding photos is the user's); a file the manifest checksums must match its
    checksum; a Parquet file must look like one (``PAR1`` at both ends), ``pipeline.db`` like an
    SQLite database (its header); any other JSON file of ours must read back as a JSON object.
    """
    path = out / entry
    try:
        info = path.lstat()
    except OSError as exc:
        return f"{entry} cannot be read ({exc.strerror})"
    regular = stat.S_ISREG(info.st_mode)
    if entry.rsplit("/", 1)[-1] in OS_LITTER:
        return None if regular and info.st_size <= MAX_LITTER_BYTES else \
            f"it holds {entry!r}, named like OS litter but not a small plain file (move it elsewhere first)"
    if entry in ("schemas", OPENAPI_FOLDER):
        return None if stat.S_ISDIR(info.st_mode) else f"its {entry!r} is not a folder"
    if not is_dataset_file(entry):
        return f"it holds {entry!r}, which is not part of a pipeline dataset (move it elsewhere first)"
    if is_document(entry) and entry not in checksums:
        return f"it holds {entry!r}, which its {MANIFEST} does not list (move it elsewhere first)"
    if not regular:
        return f"{entry} is not a regular file"
    if entry in checksums:
        same = _sha256(path) == checksums[entry]
    elif entry.endswith(".parquet"):
        same = _is_parquet(path, info.st_size)
    elif entry == DATABASE:
        same = _is_sqlite(path)
    else:
        try:
            same = isinstance(read_json(path, MAX_DESCRIPTOR_BYTES), dict)
        except DamagedJSON:
            same = False
    return None if same else f"{entry} is not the file pipeline wrote (its content does not match its {MANIFEST})"


def _is_parquet(path: Path, size: int) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
            handle.seek(max(size - 4, 0))
            return size >= 12 and head == b"PAR1" and handle.read(4) == b"PAR1"
    except OSError:
        return False


#: The first bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


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
        if path.name in ("schemas", OPENAPI_FOLDER) and path.is_dir() and not path.is_symlink():
            names.extend(f"{path.name}/{child.name}" for child in path.iterdir())
    return names


#: Every file a dataset directory holds, by its path inside it (the OpenAPI documents aside: ``is_document``).
DATASET_FILES = frozenset({*DATA_FILES, MANIFEST, *(f"schemas/{r.name}.schema.json" for r in ALL_RESOURCES)})


def is_document(name: str) -> bool:
    """``openapi/<service>.json``: an OpenAPI document's path in a dataset directory (one file name, no deeper;
    a service is a folder name, see ``pipeline.sources.config.usable_folder_name``).

    >>> is_document("openapi/vpc.json"), is_document("openapi/a/b.json"), is_document("openapi/.json")
    (True, False, False)
    """
    folder, _, file = name.partition("/")
    return folder == OPENAPI_FOLDER and file.endswith(DOCUMENT_SUFFIX) and len(file) > len(DOCUMENT_SUFFIX) \
        and "/" not in file


def is_dataset_file(name: str) -> bool:
    """A path a dataset directory may hold: one of ``DATASET_FILES`` or an OpenAPI document."""
    return name in DATASET_FILES or is_document(name)


def _write_synced(path: Path, data: bytes, opener: Opener = open_for_writing) -> None:
    handle = opener(path)
    try:
        handle.write(data)
    except BaseException:
        handle.close()
        raise
    _sync_close(handle)


def _copy_synced(source: Path, path: Path, opener: Opener = open_for_writing) -> None:
    """Copy the file ``source`` to ``path`` (opened by ``opener``) a block at a time, then fsync it."""
    handle = opener(path)
    try:
        with open(source, "rb") as data:
            shutil.copyfileobj(data, handle, 1 << 20)
    except BaseException:
        handle.close()
        raise
    _sync_close(handle)


def _sync_close(handle: BinaryIO) -> None:
    try:
        handle.flush()
        try:
            fd = handle.fileno()
        except io.UnsupportedOperation:  # a file in memory (``render``): nothing to sync
            return
        os.fsync(fd)
    finally:
        handle.close()


def _swap_in(staging: Path, out: Path, ops: FileOps) -> None:
    """Put ``staging`` where ``out`` is, at once where the platform can; else by two renames."""
    os.unlink(staging / STAGING_MARKER)
    if not os.path.lexists(out):
        ops.rename(staging, out)
    elif ops.exchange(staging, out):
        discard(staging, ops)  # now holds the previous dataset
    else:
        old = out.with_name(f"{old_prefix(out)}{os.getpid()}")
        ops.rename(out, old)
        try:
            ops.rename(staging, out)
        except OSError:
            ops.rename(old, out)
            raise
        discard(old, ops)

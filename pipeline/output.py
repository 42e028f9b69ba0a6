"""Writing a dataset directory: every file rendered, staged beside the target, then swapped in at once.

A build killed at any moment leaves the previous complete dataset: files are written and
fsynced in a staging directory next to ``--out``, and the staging directory replaces the
old one in a single ``renameat2(RENAME_EXCHANGE)`` (Linux) or, elsewhere, two renames
whose gap the next build repairs.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.cache import code_fingerprint
from pipeline.errors import UsageError
from pipeline.exporters import EXPORTERS
from pipeline.exporters.csv import render_csv
from pipeline.exporters.datapackage import content_hash, datapackage
from pipeline.exporters.json import dumps
from pipeline.exporters.rows import json_array, record_rows
from pipeline.model import Dataset, Issue, TableReport
from pipeline.schema import ERROR_CODES, STATUS_CODES, json_schema

MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Rendered:
    """The deterministic text files of a dataset, by name (Parquet is written from the records)."""

    files: dict[str, str]
    csv_neutralised: int = 0


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


def render(dataset: Dataset, csv_safe: bool = False) -> Rendered:
    """Every text file of the dataset directory, byte-for-byte what will be written."""
    status, errors = dataset.status_codes, dataset.error_codes
    files: dict[str, str] = {}
    neutralised = 0
    for resource, records in ((STATUS_CODES, status), (ERROR_CODES, errors)):
        files[f"{resource.name}.json"] = json_array(resource.column_names, record_rows(records))
        text, count = render_csv(resource, records, safe=csv_safe)
        files[f"{resource.name}.csv"] = text
        neutralised += count
        files[f"schemas/{resource.name}.schema.json"] = dumps(json_schema(resource))
    files["tables.json"] = dumps([table_dict(t) for t in dataset.tables])
    files["issues.json"] = dumps([issue_dict(i) for i in dataset.issues])
    files["datapackage.json"] = dumps(datapackage({STATUS_CODES.name: len(status), ERROR_CODES.name: len(errors)}))
    files[MANIFEST] = dumps(manifest(dataset, files, csv_safe))
    return Rendered(files, neutralised)


def _inputs(dataset: Dataset) -> list[dict[str, Any]]:
    return [
        {"path": p.source_path, "sha256": p.sha256, "status_codes": len(p.status_codes),
         "error_codes": len(p.error_codes), "tables": len(p.tables)}
        for p in dataset.pages if p.source_path
    ]


def _generator(csv_safe: bool) -> dict[str, Any]:
    """Who wrote the dataset: version, a hash of the package source (so any code change shows), options."""
    return {"name": "pipeline", "version": __version__, "source_sha256": code_fingerprint(),
            "options": {"csv_safe": csv_safe}}


def manifest(dataset: Dataset, files: dict[str, str], csv_safe: bool = False) -> dict[str, Any]:
    """Provenance: generator version, every input with its sha256 and record counts, the dataset hash."""
    inputs = _inputs(dataset)
    canonical = {name: files[name] for name in ("status_codes.json", "error_codes.json")}
    return {
        "generator": _generator(csv_safe),
        "dataset_sha256": content_hash(canonical),
        "counts": {"pages": len(inputs), "status_codes": len(dataset.status_codes),
                   "error_codes": len(dataset.error_codes), "tables": len(dataset.tables),
                   "issues": len(dataset.issues)},
        "inputs": inputs,
    }


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
    names = [*(f"{r}.{ext}" for r in ("status_codes", "error_codes") for ext in ("json", "csv", "parquet")),
             "tables.json", "issues.json", "datapackage.json"]
    return all((out / name).is_file() for name in names)


def manifest_is_current(dataset: Dataset, out: Path, csv_safe: bool = False) -> bool:
    """True when ``out`` was written by this version, with these options, from exactly these inputs.

    This is what lets a rebuild with nothing changed skip rendering and writing; ``--check``
    and ``--force`` compare or rewrite every byte instead.
    """
    previous = _read_manifest(out)
    return (previous is not None and previous.get("generator") == _generator(csv_safe)
            and previous.get("inputs") == _inputs(dataset) and _all_files_present(out))


def write_dataset(dataset: Dataset, out: Path, rendered: Rendered | None = None) -> Rendered:
    """Write the dataset directory ``out`` atomically (all files or none)."""
    rendered = rendered or render(dataset)
    out = out.absolute()
    _check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
    os.chmod(staging, 0o755)
    try:
        for name, text in rendered.files.items():
            _write_synced(staging / name, text.encode("utf-8"))
        for resource, records in ((STATUS_CODES, dataset.status_codes), (ERROR_CODES, dataset.error_codes)):
            target = staging / f"{resource.name}.parquet"
            EXPORTERS["parquet"](target, resource, records)
            _fsync(target)
        _fsync(staging)
        _swap_in(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return rendered


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
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
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



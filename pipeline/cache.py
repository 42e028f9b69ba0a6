"""The per-page result cache: a rebuild re-parses only the pages whose bytes changed.

An entry is keyed by the page's path, its content hash and the pipeline version, so a new
pipeline version invalidates every entry. Entries are JSON (never pickle: a cache may be
shared between CI jobs and must not be able to run code) with a sha256 of the payload on
the first line; a corrupt or truncated entry fails the check, is reported as a miss and is
rewritten. Entries are written atomically (temp file + ``os.replace``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from dataclasses import astuple
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.model import (
    ErrorCodeRecord,
    Issue,
    Location,
    PageResult,
    RenderedRecords,
    StatusCodeRecord,
    TableReport,
)

DEFAULT_CACHE_DIR = Path(".pipeline-cache")


@functools.cache
def code_fingerprint() -> str:
    """A hash of the pipeline version and of the package's own source files.

    Any change to the code that reads pages (a release, or a local edit) invalidates the
    cache, so a cached result is always what this very code would produce.
    """
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def cache_key(source_path: str, content_sha256: str) -> str:
    """The key of a page's result: its path, its bytes and the code that read it."""
    return hashlib.sha256(f"{code_fingerprint()}\0{source_path}\0{content_sha256}".encode()).hexdigest()


class PageCache:
    """A directory of per-page results; ``hits``/``misses``/``corrupt`` count what happened."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.hits = 0
        self.misses = 0
        self.corrupt = 0

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> PageResult | None:
        try:
            data = self._path(key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        result = decode_entry(data)
        if result is None:
            self.corrupt += 1
            self.misses += 1
        else:
            self.hits += 1
        return result

    def put(self, key: str, result: PageResult) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(encode_entry(result))
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs speed


def encode_entry(result: PageResult) -> bytes:
    payload = json.dumps(_page_to_json(result), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload


def decode_entry(data: bytes) -> PageResult | None:
    """The cached result, or ``None`` if the entry is truncated, altered or unreadable."""
    digest, _, payload = data.partition(b"\n")
    if hashlib.sha256(payload).hexdigest().encode() != digest:
        return None
    try:
        return _page_from_json(json.loads(payload))
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def _page_to_json(result: PageResult) -> dict[str, Any]:
    return {
        "source_path": result.source_path,
        "sha256": result.sha256,
        "status_codes": [list(astuple(r)) for r in result.status_codes],
        "error_codes": [list(astuple(r)) for r in result.error_codes],
        "tables": [list(astuple(t)) for t in result.tables],
        "issues": [[i.slug, list(astuple(i.location)), i.message, i.severity] for i in result.issues],
        "rendered": [[r.json_objects, r.csv_lines] for r in result.rendered] if result.rendered else None,
    }


def _page_from_json(data: dict[str, Any]) -> PageResult:
    tables = []
    for t in data["tables"]:
        t[4], t[7] = tuple(t[4]), tuple(t[7])  # header, roles
        tables.append(TableReport(*t))
    return PageResult(
        source_path=data["source_path"],
        sha256=data["sha256"],
        status_codes=tuple(StatusCodeRecord(*r) for r in data["status_codes"]),
        error_codes=tuple(ErrorCodeRecord(*r) for r in data["error_codes"]),
        tables=tuple(tables),
        issues=tuple(Issue(slug, Location(*loc), message, severity) for slug, loc, message, severity in data["issues"]),
        rendered=_rendered_from_json(data.get("rendered")),
    )


def _rendered_from_json(data: Any) -> tuple[RenderedRecords, RenderedRecords] | None:
    if data is None:
        return None
    (status_json, status_csv), (error_json, error_csv) = data
    if not all(isinstance(x, str) for x in (status_json, status_csv, error_json, error_csv)):
        raise TypeError("rendered fragments must be text")
    return RenderedRecords(status_json, status_csv), RenderedRecords(error_json, error_csv)

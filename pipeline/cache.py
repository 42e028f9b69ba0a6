"""The per-page result cache: a rebuild re-parses only the pages whose bytes changed.

An entry is keyed by the page's path, its content hash, our code and the parsing libraries, so any code
change invalidates every entry. An entry holds the page's ``RenderedPage``: a JSON header
(path, digest, record counts, section sizes) and the page's bytes of every output file (its
tables and issues are read back from its ``tables.json`` / ``issues.json`` items), so a hit is
copied into the dataset without re-encoding a record. No pickle: a cache may be shared
between CI jobs and must not be able to run code. A sha256 of the payload on the first line
makes a corrupt or truncated entry fail the check, and its Arrow batches are validated and
counted when it is read; such an entry is reported as a miss and rewritten.
Entries are written atomically (temp file + ``os.replace``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

from pipeline import __version__
from pipeline.exporters.fragments import issues_from_items, tables_from_items
from pipeline.exporters.parquet import from_ipc
from pipeline.model import RenderedPage, RenderedRecords
from pipeline.schema import ERROR_CODES, STATUS_CODES

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


@functools.cache
def environment_fingerprint() -> str:
    """Our code plus the Python and the libraries that parse and encode pages.

    Cache keys use it, so an upgrade of lxml, beautifulsoup4, docutils, pyarrow or orjson (whose parse trees, tables
    or batches could differ) never serves a result made by the old one. The manifest keeps
    only ``code_fingerprint``: the committed dataset must not change with the CI's versions.
    """
    from importlib.metadata import PackageNotFoundError, version

    parts = [code_fingerprint(), sys.version]
    for name in ("lxml", "beautifulsoup4", "docutils", "pyarrow", "orjson"):  # bs4: the deep-HTML fallback
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} ?")
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def cache_key(source_path: str, content_sha256: str) -> str:
    """The key of a page's result: its path, its bytes, and the code and libraries that read it."""
    return hashlib.sha256(f"{environment_fingerprint()}\0{source_path}\0{content_sha256}".encode()).hexdigest()


class PageCache:
    """A directory of per-page results; ``hits``/``misses``/``corrupt`` count what happened."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = os.fspath(directory)  # paths joined as strings: 10,000 lookups of pathlib cost 0.4 s
        self.hits = 0
        self.misses = 0
        self.corrupt = 0

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], f"{key}.page")

    def get(self, source_path: str, sha256: str) -> RenderedPage | None:
        """The cached page with these bytes; an entry holding another page counts as corrupt."""
        try:
            with open(self._path(cache_key(source_path, sha256)), "rb") as handle:
                data = handle.read()
        except OSError:
            self.misses += 1
            return None
        result = decode_entry(data)
        if result is not None and (result.source_path, result.sha256) != (source_path, sha256):
            result = None
        if result is None:
            self.corrupt += 1
            self.misses += 1
        else:
            self.hits += 1
        return result

    def put(self, page: RenderedPage) -> None:
        path = self._path(cache_key(page.source_path, page.sha256))
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(encode_entry(page))
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs speed


def encode_entry(page: RenderedPage) -> bytes:
    sections = [page.status_codes.json_objects, page.status_codes.csv_lines, page.status_codes.arrow,
                page.error_codes.json_objects, page.error_codes.csv_lines, page.error_codes.arrow,
                page.tables_json, page.issues_json]
    header = {
        "source_path": page.source_path,
        "sha256": page.sha256,
        "counts": [page.status_codes.count, page.error_codes.count],
        "sections": [len(section) for section in sections],
    }
    payload = b"".join([json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), b"\n",
                        *sections])
    return hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload


def decode_entry(data: bytes) -> RenderedPage | None:
    """The cached page, or ``None`` if the entry is truncated, altered or unreadable."""
    digest_end = data.find(b"\n")
    view = memoryview(data)  # slices without copying: entries add up to the size of the dataset
    if digest_end < 0 or hashlib.sha256(view[digest_end + 1:]).hexdigest().encode() != data[:digest_end]:
        return None
    try:
        return _page_from_entry(data, view, digest_end + 1)
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def _page_from_entry(data: bytes, view: memoryview, start: int) -> RenderedPage:
    header_end = data.find(b"\n", start)
    if header_end < 0:
        raise ValueError("no header line")
    header = json.loads(bytes(view[start:header_end]))
    sizes = header["sections"]
    if len(sizes) != 8 or any(not isinstance(n, int) or n < 0 for n in sizes) \
            or header_end + 1 + sum(sizes) != len(view):
        raise ValueError("section sizes do not match the entry")
    sections, start = [], header_end + 1
    for size in sizes:
        sections.append(bytes(view[start:start + size]))
        start += size
    status_count, error_count = header["counts"]
    status_rows, error_rows = from_ipc(STATUS_CODES, sections[2]), from_ipc(ERROR_CODES, sections[5])
    if (status_rows.num_rows, error_rows.num_rows) != (status_count, error_count):
        raise ValueError("Arrow batches do not hold the counted records")
    return RenderedPage(
        source_path=header["source_path"],
        sha256=header["sha256"],
        tables=tables_from_items(sections[6]),
        issues=issues_from_items(sections[7]),
        status_codes=RenderedRecords(status_count, sections[0], sections[1], sections[2],
                                     status_rows if status_count else None),
        error_codes=RenderedRecords(error_count, sections[3], sections[4], sections[5],
                                    error_rows if error_count else None),
        tables_json=sections[6],
        issues_json=sections[7],
    )

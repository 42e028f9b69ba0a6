"""The page store: each page's result, kept by its path, its bytes and the code that read it.

An entry is the page's ``EncodedPage`` (``pipeline.incremental.encoded``): a header line of
compact JSON (orjson) with its path, digest, table verdicts, issues and the size of each
dataset's parts, then the parts themselves, the bytes its records add to each text file. A
rebuild writes the parts of unchanged pages as they are, without decoding their records; a
parsed page travels from its worker process as the very entry that is stored, so a cached page
and a parsed page take the same path. The same entries keep the parts of the derived datasets'
partitions (``put_parts``), keyed by what they were made from.

No pickle: a store shared between CI jobs must not be able to run code. The sha256 of the
payload heads every entry, so a truncated or altered entry fails the check; one that does
not hold this page, or does not decode into records of the declared shapes, counts as
corrupt too. Such an entry is reported (``Outcome.REPAIRED``) and rewritten. Entries are
written atomically (temp file + ``os.replace``); a store that cannot be written only costs
speed.
"""

from __future__ import annotations

import enum
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

from pipeline.datasets import ALL_RESOURCES
from pipeline.exporters.rows import record_rows
from pipeline.incremental.encoded import PART_FORMATS, RECORDS_FORMAT, EncodedPage, Parts
from pipeline.jsonfile import load_json
from pipeline.model import Issue, Location, TableKind, TableReport

DEFAULT_STORE_DIR = Path(".pipeline-cache")
#: The kinds of entry, by file suffix: a page's, and a derived dataset's partition's.
PAGE, PART = "page", "part"


class Outcome(enum.Enum):
    """How a page's result was obtained."""

    HIT = "hit"  # read from the page store
    PARSED = "parsed"  # parsed: not in the store, or no store
    REPAIRED = "repaired"  # parsed because its entry was corrupt; the entry was rewritten


class PageStore:
    """A directory of entries, one per page result, keyed by ``fingerprint`` (``current_environment()``)."""

    def __init__(self, directory: Path | str, fingerprint: str) -> None:
        self.directory = os.fspath(directory)  # paths joined as strings: 10,000 lookups of pathlib cost 0.4 s
        self.fingerprint = fingerprint

    def key(self, source_path: str, sha256: str) -> str:
        """The key of a page's result: the code and libraries that read it, its path and its bytes."""
        return hashlib.sha256(f"{self.fingerprint}\0{source_path}\0{sha256}".encode()).hexdigest()

    def _path(self, source_path: str, sha256: str, kind: str) -> str:
        key = self.key(source_path, sha256)
        return os.path.join(self.directory, key[:2], f"{key}.{kind}")

    def read(self, source_path: str, sha256: str, kind: str = PAGE) -> bytes | None:
        """The entry of the page with these bytes, unchecked; ``None`` when there is none. (``kind`` ``PART``:
        a derived dataset's partition, ``source_path`` naming it and ``sha256`` its source records.)"""
        try:
            with open(self._path(source_path, sha256, kind), "rb") as handle:
                return handle.read()
        except OSError:
            return None

    def put(self, entry: bytes, source_path: str, sha256: str, kind: str = PAGE) -> None:
        path = self._path(source_path, sha256, kind)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(entry)
            os.replace(tmp, path)
        except OSError:
            pass  # a store that cannot be written only costs speed


def encode_entry(page: EncodedPage) -> bytes:
    """The entry of an encoded page: the sha256 of the rest, a newline, the header (compact JSON), a newline,
    then every part, dataset by dataset in header order, each in ``PART_FORMATS`` order."""
    parts = [(name, found) for name, found in page.parts.items() if found.count]
    header = orjson.dumps({
        "source_path": page.source_path,
        "sha256": page.sha256,
        "parts": [[name, found.count, *map(len, found.data)] for name, found in parts],
        "tables": list(record_rows(page.tables)),
        "issues": [[i.slug, i.location.path, i.location.line, i.location.table_index, i.location.row_index,
                    i.message, i.severity] for i in page.issues],
    })
    body = b"".join([header, b"\n", *(data for _, found in parts for data in found.data)])
    return hashlib.sha256(body).hexdigest().encode() + b"\n" + body


_RESOURCES = {r.name: r for r in ALL_RESOURCES}


def decode_entry(data: bytes, source_path: str | None = None, sha256: str | None = None) -> EncodedPage | None:
    """The encoded page an entry holds; ``None`` if it is truncated, altered, unreadable or of another page.

    ``source_path`` and ``sha256``, when given, must be the page's. The records are not decoded
    here (``EncodedPage.records_of`` does, when they are asked for), but each part's record count is
    checked against its JSON Lines part.
    """
    digest_end = data.find(b"\n")
    body = memoryview(data)[digest_end + 1:]
    if digest_end != 64 or hashlib.sha256(body).hexdigest().encode() != data[:digest_end]:
        return None
    header_end = data.find(b"\n", digest_end + 1)
    try:
        page = _page(load_json(body[:header_end - digest_end - 1]), data, header_end + 1)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):  # DamagedJSON is a ValueError
        return None
    if source_path is not None and (page.source_path, page.sha256) != (source_path, sha256):
        return None
    return page


def _table(source_path: str, table_index: int, line: int | None, title: str | None, header: list[str],
           kind: TableKind, rule: str, roles: list[str], rows: int, records: int, emitted: int, merged: int,
           skipped: int, page_role: str, section: str | None, dataset: str | None, placement: str) -> TableReport:
    """A table verdict from its values in field order (``header`` and ``roles`` read back as lists)."""
    return TableReport(source_path, table_index, line, title, tuple(header), kind, rule, tuple(roles), rows, records,
                       emitted, merged, skipped, page_role, section, dataset, placement)


def _page(header: dict[str, Any], data: bytes, start: int) -> EncodedPage:
    """The page of a decoded header whose parts start at ``start`` of ``data``; a wrong shape raises
    (``TypeError``: a row of the wrong length; ``KeyError``: a dataset this code does not declare)."""
    parts: dict[str, Parts] = {}
    at = start
    for name, count, *sizes in header["parts"]:
        if name not in _RESOURCES or len(sizes) != len(PART_FORMATS) or not isinstance(count, int):
            raise KeyError(name)
        found = []
        for size in sizes:
            found.append(data[at:at + size])
            at += size
        parts[name] = Parts(count, tuple(found))
        if parts[name].of(RECORDS_FORMAT).count(b"\n") != count:
            raise ValueError(f"{name}: {count} records announced")
    if at != len(data):
        raise ValueError("parts do not fill the entry")
    tables = tuple(_table(*row) for row in header["tables"])
    issues = tuple(Issue(slug, Location(path, line, table, row), message, severity)
                   for slug, path, line, table, row, message, severity in header["issues"])
    return EncodedPage(str(header["source_path"]), str(header["sha256"]), tables, issues, parts)

"""The page store: each page's result, kept by its path, its bytes and the code that read it.

An entry is the page's ``PageResult`` as compact JSON (orjson): its records of each dataset
as arrays of values in field order, its table verdicts and its issues. A rebuild decodes the
entries of unchanged pages back into records, which the dataset writer encodes like fresh
ones (``pipeline.exporters``): a cached page and a parsed page take the same path, and a
parsed page travels from its worker process as the very entry that is stored.

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

from pipeline.datasets import RESOURCES
from pipeline.exporters.rows import record_rows
from pipeline.jsonfile import load_json
from pipeline.model import Issue, Location, PageResult, TableKind, TableReport

DEFAULT_STORE_DIR = Path(".pipeline-cache")


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

    def _path(self, source_path: str, sha256: str) -> str:
        key = self.key(source_path, sha256)
        return os.path.join(self.directory, key[:2], f"{key}.page")

    def read(self, source_path: str, sha256: str) -> bytes | None:
        """The entry of the page with these bytes, unchecked; ``None`` when there is none."""
        try:
            with open(self._path(source_path, sha256), "rb") as handle:
                return handle.read()
        except OSError:
            return None

    def lookup(self, source_path: str, sha256: str) -> tuple[PageResult | None, Outcome]:
        """The stored result (``HIT``), or ``None`` with ``PARSED`` (no entry) or ``REPAIRED`` (a corrupt one)."""
        entry = self.read(source_path, sha256)
        if entry is None:
            return None, Outcome.PARSED
        result = decode_entry(entry, source_path, sha256)
        return (result, Outcome.HIT) if result is not None else (None, Outcome.REPAIRED)

    def put(self, entry: bytes, source_path: str, sha256: str) -> None:
        path = self._path(source_path, sha256)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(entry)
            os.replace(tmp, path)
        except OSError:
            pass  # a store that cannot be written only costs speed


def encode_entry(result: PageResult) -> bytes:
    """The entry of a page result: the sha256 of the payload, a newline, the payload (compact JSON)."""
    payload = orjson.dumps({
        "source_path": result.source_path,
        "sha256": result.sha256,
        "records": {name: list(record_rows(records)) for name, records in result.records.items() if records},
        "tables": list(record_rows(result.tables)),
        "issues": [[i.slug, i.location.path, i.location.line, i.location.table_index, i.location.row_index,
                    i.message, i.severity] for i in result.issues],
    })
    return hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload


_RESOURCES = {r.name: r for r in RESOURCES}


def decode_entry(data: bytes, source_path: str | None = None, sha256: str | None = None) -> PageResult | None:
    """The result an entry holds; ``None`` if it is truncated, altered, unreadable or of another page.

    ``source_path`` and ``sha256``, when given, must be the page's.
    """
    digest_end = data.find(b"\n")
    payload = memoryview(data)[digest_end + 1:]
    if digest_end != 64 or hashlib.sha256(payload).hexdigest().encode() != data[:digest_end]:
        return None
    try:
        result = _result(load_json(payload))
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):  # DamagedJSON is a ValueError
        return None
    if source_path is not None and (result.source_path, result.sha256) != (source_path, sha256):
        return None
    return result


def _table(source_path: str, table_index: int, line: int | None, title: str | None, header: list[str],
           kind: TableKind, rule: str, roles: list[str], rows: int, records: int, emitted: int, merged: int,
           skipped: int, page_role: str, section: str | None, dataset: str | None, placement: str) -> TableReport:
    """A table verdict from its values in field order (``header`` and ``roles`` read back as lists)."""
    return TableReport(source_path, table_index, line, title, tuple(header), kind, rule, tuple(roles), rows, records,
                       emitted, merged, skipped, page_role, section, dataset, placement)


def _result(entry: dict[str, Any]) -> PageResult:
    """The ``PageResult`` of a decoded payload; a wrong shape raises (``TypeError``: a row of the wrong length)."""
    records = {name: tuple(map(_RESOURCES[name].from_row, rows))  # KeyError: a dataset this code does not declare
               for name, rows in entry["records"].items()}
    tables = tuple(_table(*row) for row in entry["tables"])
    issues = tuple(Issue(slug, Location(path, line, table, row), message, severity)
                   for slug, path, line, table, row, message, severity in entry["issues"])
    return PageResult(str(entry["source_path"]), str(entry["sha256"]), records, tables, issues)

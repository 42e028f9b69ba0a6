"""A page's result with its records encoded once: the part they add to each text file of their dataset.

A dataset's JSON, CSV and JSON Lines files are each a head, one part per page, and a tail
(``pipeline.exporters.encoder.TextEncoder``). A page's parts are encoded where the page is
parsed (a worker process), kept in the page store beside its tables and issues, and written
as they are by every build that finds the page unchanged: a rebuild copies bytes instead of
decoding and re-encoding the records of pages that did not change. The JSON Lines part is
also where a page's records are read back from (``EncodedPage.records_of``), for what needs
records rather than bytes: the derived datasets, the OpenAPI documents, ``--csv-safe``, the
in-memory ``pipeline.build()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from pipeline.datasets import RESOURCES, DatasetRecord, Record, Resource
from pipeline.errors import PipelineError
from pipeline.exporters import FORMATS
from pipeline.exporters.encoder import TextEncoder
from pipeline.model import Issue, PageResult, TableReport

#: The formats a page's parts are kept in, in this order (``--csv-safe`` CSV is made from the records).
PART_FORMATS = ("json", "csv", "jsonl")
#: Where a part's records are read back from.
RECORDS_FORMAT = "jsonl"


@dataclass(frozen=True, slots=True)
class Parts:
    """The records of one dataset on one page (or of one partition of a derived dataset), encoded: how many,
    and their part in each of ``PART_FORMATS``."""

    count: int
    data: tuple[bytes, ...]

    def of(self, fmt: str) -> bytes:
        return self.data[PART_FORMATS.index(fmt)]


#: No records.
NO_PARTS = Parts(0, (b"",) * len(PART_FORMATS))


class _Discard:
    """A sink that keeps nothing (an encoder made only for its ``part``)."""

    def write(self, data: bytes) -> int:
        return len(data)


_ENCODERS: dict[tuple[str, str], TextEncoder] = {}


def part_encoder(resource: Resource, fmt: str) -> TextEncoder:
    """The encoder that makes ``resource``'s parts in ``fmt`` (one per process; its sink discards)."""
    encoder = _ENCODERS.get((resource.name, fmt))  # by name: hashing a Resource hashes all its fields
    if encoder is None:
        made = FORMATS[fmt].encoder(resource, _Discard())  # type: ignore[arg-type]
        assert isinstance(made, TextEncoder), f"{fmt} has no parts"
        encoder = _ENCODERS[(resource.name, fmt)] = made
    return encoder


def encode_parts(resource: Resource, records: Sequence[DatasetRecord]) -> Parts:
    """``records`` (of ``resource``) as their parts; ``NO_PARTS`` for none."""
    if not records:
        return NO_PARTS
    return Parts(len(records), tuple(part_encoder(resource, fmt).part(records) for fmt in PART_FORMATS))


def decode_records(resource: Resource, jsonl: bytes) -> tuple[Any, ...]:
    """The records of a JSON Lines part, read back (``ValueError``, ``KeyError``, ``TypeError`` if it does not
    hold records of ``resource``)."""
    if not jsonl:
        return ()
    return tuple(resource.from_dict(values) for values in orjson.loads(b"[" + jsonl.rstrip(b"\n").replace(
        b"\n", b",") + b"]"))  # one parse: a JSON text never holds a raw newline, so lines join into an array


class EncodedPage:
    """A page's result as the dataset writer takes it: tables, issues and each dataset's ``Parts``.

    Made from a ``PageResult`` (``of``: the parts are encoded when first asked for), or from a
    page store entry (``pipeline.incremental.store.decode_entry``: the records are decoded only
    when asked for).
    """

    __slots__ = ("_parts", "_result", "issues", "sha256", "source_path", "tables")

    def __init__(self, source_path: str, sha256: str, tables: tuple[TableReport, ...], issues: tuple[Issue, ...],
                 parts: Mapping[str, Parts] | None = None, result: PageResult | None = None) -> None:
        if parts is None and result is None:
            raise ValueError("an encoded page needs its parts or its result")
        self.source_path = source_path
        self.sha256 = sha256
        self.tables = tables
        self.issues = issues
        self._parts = dict(parts) if parts is not None else None
        self._result = result

    @classmethod
    def of(cls, result: PageResult) -> EncodedPage:
        return cls(result.source_path, result.sha256, result.tables, result.issues, result=result)

    @property
    def parts(self) -> dict[str, Parts]:
        """Each dataset's parts, by dataset name (every declared dataset)."""
        if self._parts is None:
            assert self._result is not None  # see __init__
            self._parts = {r.name: encode_parts(r, self._result.records_of(r)) for r in RESOURCES}
        return self._parts

    def parts_of(self, resource: Resource) -> Parts:
        return self.parts.get(resource.name, NO_PARTS)

    def count(self, resource: Resource) -> int:
        if self._result is not None:
            return len(self._result.records_of(resource))
        return self.parts_of(resource).count

    def records_of(self, resource: Resource) -> tuple[Record, ...]:
        """The page's records of ``resource``; ``PipelineError`` (a one-line message) when parts whose checksum
        held do not read back as records (an entry forged, or written by a bug)."""
        if self._result is not None:
            return self._result.records_of(resource)
        try:
            return decode_records(resource, self.parts_of(resource).of(RECORDS_FORMAT))
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:  # orjson's error: ValueError
            raise PipelineError(f"its page store entry holds {resource.name} records that do not read back "
                                f"({type(exc).__name__}: {exc}); delete the cache folder or build with --no-cache",
                                self.source_path) from exc

    def result(self) -> PageResult:
        """The page's ``PageResult`` (its records read back from their parts where it was not made here)."""
        if self._result is None:
            self._result = PageResult(self.source_path, self.sha256, {r.name: self.records_of(r) for r in RESOURCES},
                                      self.tables, self.issues)
        return self._result

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EncodedPage) and self.result() == other.result()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"EncodedPage({self.source_path!r}, {self.sha256!r})"


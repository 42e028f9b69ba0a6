"""The ``error_catalog`` dataset: one row per (service, error code, HTTP status), merged from every page that lists it.

A service documents its error codes on several pages: an HTML page and its RST twin, an
older markdown export, and a copy for the Swiss region published as ``<service>-swiss``
(the corpus' SOURCES.tsv calls ``ecs`` the ``base_service`` of ``ecs-swiss``). The catalog
folds them into one row, lists every source, and says which fields the sources word
differently: ``Ecs.0001``/400 has three messages on four pages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby

from pipeline.datasets.declaration import Derivation, Resource, column
from pipeline.datasets.error_codes import ERROR_CODES, ErrorCodeRecord
from pipeline.datasets.types import HttpStatus

#: Folder suffixes of a region's copy of a service's docs (``ecs-swiss`` is ``ecs`` for the Swiss region).
REGION_SUFFIXES = ("-swiss",)
#: The fields whose wording the sources are compared on, in this order.
TEXT_FIELDS = ("message", "description", "solution", "module")


def service_family(service: str) -> str:
    """The service a folder documents, its region suffix removed.

    >>> service_family("ecs-swiss"), service_family("ecs"), service_family("vpn-enterprise")
    ('ecs', 'ecs', 'vpn-enterprise')
    """
    for suffix in REGION_SUFFIXES:
        if service.endswith(suffix) and len(service) > len(suffix):
            return service[:-len(suffix)]
    return service


@dataclass(frozen=True, slots=True)
class ErrorCatalogRecord:
    """One error code of one service with one HTTP status, over every page that documents it."""

    service: str = field(metadata=column(
        "The service, its region copies folded in (ecs-swiss is ecs: see REGION_SUFFIXES)."))
    error_code: str = field(metadata=column("The service error code, verbatim (a string: leading zeros matter)."))
    status_code: HttpStatus | None = field(metadata=column("The HTTP status returned with it, where documented."))
    records: int = field(metadata=column("How many error_codes records (rows of the docs) this row merges."))
    services: tuple[str, ...] = field(metadata=column("The service folders of those records (ecs, ecs-swiss)."))
    sources: tuple[str, ...] = field(metadata=column("Each record's page and line, path:line, in dataset order."))
    message: str | None = field(metadata=column(
        "The message most sources give (the first one found on a tie).", compared=True, searchable=True))
    description: str | None = field(metadata=column(
        "The description most sources give.", compared=True, searchable=True))
    solution: str | None = field(metadata=column("The solution most sources give.", compared=True, searchable=True))
    module: str | None = field(metadata=column("The module most sources give.", compared=True))
    messages: tuple[str, ...] = field(metadata=column(
        "Every distinct message, in the order first found.", compared=True))
    disagreements: tuple[str, ...] = field(metadata=column(
        "The fields (of message, description, solution, module) that two sources word differently.",
        compared=True))
    missing: tuple[str, ...] = field(metadata=column(
        "The fields some sources give and others leave empty.", compared=True))
    consistent: bool = field(metadata=column("True when no two sources word a field differently.", compared=True))


def catalog_key(record: ErrorCodeRecord) -> tuple[str, str, int | None]:
    """The catalog row an ``error_codes`` record belongs to: (service family, error code, status)."""
    return service_family(record.service), record.error_code, record.status_code


def catalog_order(record: ErrorCodeRecord) -> tuple[str, str, bool, int]:
    """The order ``catalog_rows`` takes its records in: by ``catalog_key``, a null status first (as
    ``Resource.sort_key`` orders nulls)."""
    return service_family(record.service), record.error_code, record.status_code is not None, record.status_code or 0


def catalog_rows(records: Iterable[ErrorCodeRecord]) -> Iterator[ErrorCatalogRecord]:
    """The catalog of ``error_codes`` records given in ``catalog_order``: one row per key, in that order."""
    for key, group in groupby(records, key=catalog_key):
        yield catalog_row(key, list(group))


def catalog_row(key: tuple[str, str, int | None], records: list[ErrorCodeRecord]) -> ErrorCatalogRecord:
    """One catalog row from the records of one (service, code, status), in dataset order."""
    if len(records) == 1:
        return single_source_row(key, records[0])
    return merged_row(key, records)


def merged_row(key: tuple[str, str, int | None], records: list[ErrorCodeRecord]) -> ErrorCatalogRecord:
    """The catalog row of records of one key, their wordings counted and compared (any number of records)."""
    values = {name: [getattr(r, name) for r in records] for name in TEXT_FIELDS}
    given = {name: [v for v in found if v is not None] for name, found in values.items()}
    disagreements = tuple(name for name in TEXT_FIELDS if len(set(given[name])) > 1)
    missing = tuple(name for name in TEXT_FIELDS if given[name] and len(given[name]) < len(records))
    chosen = {name: most_common(found) for name, found in given.items()}
    return ErrorCatalogRecord(
        *key, len(records), tuple(dict.fromkeys(r.service for r in records)),
        tuple(f"{r.source_path}:{r.line}" if r.line is not None else r.source_path for r in records),
        chosen["message"], chosen["description"], chosen["solution"], chosen["module"],
        tuple(dict.fromkeys(given["message"])), disagreements, missing, not disagreements)


def single_source_row(key: tuple[str, str, int | None], record: ErrorCodeRecord) -> ErrorCatalogRecord:
    """The catalog row of a code one page alone documents (most rows): ``catalog_row`` of one record,
    made directly (nothing to count or compare; this is most of the catalog's build time otherwise)."""
    source = f"{record.source_path}:{record.line}" if record.line is not None else record.source_path
    messages = () if record.message is None else (record.message,)
    return ErrorCatalogRecord(*key, 1, (record.service,), (source,), record.message, record.description,
                              record.solution, record.module, messages, (), (), True)


def most_common(values: list[str]) -> str | None:
    """The value given most often; on a tie the first found; ``None`` for none."""
    if not values:
        return None
    counts = Counter(values)
    best = max(counts.values())
    return next(v for v in values if counts[v] == best)


ERROR_CATALOG = Resource(
    "error_catalog", ErrorCatalogRecord, "Service error codes merged over every page that documents them",
    key=("service", "error_code", "status_code"),
    primary_key=(),  # status_code may be null, which no primary key field can be
    order=("service", "error_code", "status_code"),
    headline=("error_code", "status_code"),
    derive=Derivation(ERROR_CODES.name, catalog_order, catalog_rows, partition=service_family),
)

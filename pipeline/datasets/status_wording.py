"""The ``status_wording`` dataset: how the services word each HTTP status, one row per (status, phrase).

Made from the ``status_codes`` records' ``documented_reason``: a row lists the services and
pages that print that phrase for that code, and its verdict against the IANA registry
(``pipeline.normalize.httpstatus.wording_verdict``). Outliers are the typos (``internal
Server Error``) and the invented phrases (``overLimit`` for 429): what a documentation team
would correct.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Literal

from pipeline.datasets.declaration import Derivation, Resource, column
from pipeline.datasets.status_codes import STATUS_CODES, StatusCodeRecord
from pipeline.datasets.types import HttpStatus

#: ``registry``: the registry's phrase; ``earlier_registry``: the phrase an earlier RFC gave
#: (``Request Entity Too Large``); ``spelling``: the registry's words cased, spaced or hyphenated
#: otherwise (``internal Server Error``, ``NoContent``); ``non_standard``: other words
#: (``overLimit``); ``unregistered_code``: the registry has no such code.
WordingVerdict = Literal["registry", "earlier_registry", "spelling", "non_standard", "unregistered_code"]
#: The verdicts that flag a row as an outlier.
OUTLIERS: frozenset[str] = frozenset({"spelling", "non_standard"})


@dataclass(frozen=True, slots=True)
class StatusWordingRecord:
    """One phrase that pages print for one HTTP status code."""

    status_code: HttpStatus = field(metadata=column("The HTTP status code."))
    wording: str = field(metadata=column("The phrase as pages print it (documented_reason).", searchable=True))
    registry_reason: str | None = field(metadata=column(
        "The IANA registry's phrase for the code; null for an unregistered code."))
    verdict: WordingVerdict = field(metadata=column("How the wording relates to the registry.", compared=True))
    outlier: bool = field(metadata=column(
        "True for a typo or an invented phrase (verdict spelling or non_standard).", compared=True))
    service_count: int = field(metadata=column("How many services print it for this code.", compared=True))
    services: tuple[str, ...] = field(metadata=column("Those services, sorted.", compared=True))
    records: int = field(metadata=column("How many status_codes records print it.", compared=True))
    sources: tuple[str, ...] = field(metadata=column("The pages that print it, in dataset order.", compared=True))


def wording_order(record: StatusCodeRecord) -> tuple[int, bool, str]:
    """The order ``wording_rows`` takes its records in: by code, then phrase (records without one first)."""
    return record.status_code, record.documented_reason is not None, record.documented_reason or ""


def wording_rows(records: Iterable[StatusCodeRecord]) -> Iterator[StatusWordingRecord]:
    """One row per (status code, documented phrase) of records given in ``wording_order``, in that order."""
    from pipeline.normalize.httpstatus import CANONICAL_REASONS, wording_verdict  # the normalizer imports datasets

    for (code, wording), group in groupby(records, key=lambda r: (r.status_code, r.documented_reason)):
        if wording is None:
            continue
        found = list(group)
        verdict = wording_verdict(code, wording)
        services = tuple(sorted({r.service for r in found}))
        sources = tuple(dict.fromkeys(r.source_path for r in found))
        yield StatusWordingRecord(code, wording, CANONICAL_REASONS.get(code), verdict, verdict in OUTLIERS,
                                  len(services), services, len(found), sources)


STATUS_WORDING = Resource(
    "status_wording", StatusWordingRecord, "How each HTTP status code is worded across services",
    key=("status_code", "wording"),
    primary_key=("status_code", "wording"),
    order=("status_code", "wording"),
    headline=("status_code", "wording", "verdict"),
    derive=Derivation(STATUS_CODES.name, wording_order, wording_rows),
)

"""The ``pages`` dataset: one record per page read, with its role and the rule that decided it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pipeline.datasets.declaration import Resource, column
from pipeline.datasets.located import OnPage

#: status_codes: a service's catalog of HTTP status codes; error_codes: a catalog of error codes;
#: operation: the page documents HTTP operations; other: anything else.
PageRole = Literal["status_codes", "error_codes", "operation", "other"]


@dataclass(frozen=True, slots=True)
class PageRecord(OnPage):
    """One page: its role, the rule that gave it, how many tables it holds and records it gave."""

    source_url: str | None = field(metadata=column(
        "A link to the page at that commit (the source's url_template, without a line); null for a page read "
        "from a folder."))
    role: PageRole = field(metadata=column(
        "status_codes, error_codes (a service's catalog of codes), operation (documents HTTP operations) or "
        "other.", compared=True))
    rule: str = field(metadata=column("The rule that decided the role, in words."))
    tables: int = field(metadata=column("The tables of the page."))
    records: int = field(metadata=column(
        "The records the page gave in the other datasets (status codes, error codes, operations, operation "
        "status codes, parameters, operation sections), all together."))


PAGES = Resource(
    "pages", PageRecord, "Every page read, its role and the rule that decided it",
    key=("service", "source_path"),
    primary_key=("source_path",),
    order=("service", "source_path"),
    headline=("source_path", "role"),
)

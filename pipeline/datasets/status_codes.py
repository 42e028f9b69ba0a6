"""The ``status_codes`` dataset: one documented HTTP status code per record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pipeline.datasets.declaration import Resource, column
from pipeline.datasets.located import ON_PAGE, Located
from pipeline.datasets.types import HttpStatus

Category = Literal["informational", "success", "redirection", "client_error", "server_error"]


@dataclass(frozen=True, slots=True)
class StatusCodeRecord(Located):
    """One documented HTTP status code."""

    status_code: HttpStatus = field(metadata=column("The HTTP status code."))
    documented_reason: str | None = field(metadata=column(
        "The reason phrase as the page words it, whitespace collapsed.", compared=True, searchable=True))
    reason: str = field(metadata=column(
        "The canonical IANA phrase; for unregistered codes the documented one.", compared=True))
    description: str | None = field(metadata=column(
        "The description text, markup removed, whitespace collapsed.", compared=True, searchable=True))
    category: Category = field(metadata=column("The class of the code, from its first digit.", compared=True))


STATUS_CODES = Resource(
    "status_codes", StatusCodeRecord, "HTTP status codes documented by each service",
    # the page is part of a status code's identity: the same code on two pages is two facts
    key=("service", "source_path", "status_code"),
    primary_key=("source_path", "table_index", "row_index", "status_code"),
    order=("service", "source_path", "table_index", "row_index", "status_code"),
    # the diff's title shows the code and its reason ("202 Accepted"); the category follows from the code
    headline=("status_code", "documented_reason", "reason", "category"),
    lookups=(("status_code",),),  # pipeline show 404 --service vpc
    relations=(ON_PAGE,),
)

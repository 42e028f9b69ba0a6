"""The ``error_codes`` dataset: one documented service error code (with one HTTP status) per record."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.datasets.declaration import Resource, column
from pipeline.datasets.located import ON_PAGE, Located
from pipeline.datasets.types import HttpStatus


@dataclass(frozen=True, slots=True)
class ErrorCodeRecord(Located):
    """One documented service error code."""

    error_code: str = field(metadata=column(
        "The service error code, verbatim. Always a string: leading zeros matter; never read it as a number."))
    status_code: HttpStatus | None = field(metadata=column(
        "The HTTP status returned with the error, where documented.", compared=True))
    message: str | None = field(metadata=column("Message / Error Message / Error Information.", compared=True,
                                                searchable=True))
    description: str | None = field(metadata=column(
        "Description / Cause / Error Code Description.", compared=True, searchable=True))
    solution: str | None = field(metadata=column(
        "Handling Measure / Solution / Measure / Suggestion.", compared=True, searchable=True))
    module: str | None = field(metadata=column("Module.", compared=True))


ERROR_CODES = Resource(
    "error_codes", ErrorCodeRecord, "Service error codes documented by each service",
    # an error code belongs to its service: moving it to another page, or changing its HTTP
    # status, is a change of the same code
    key=("service", "error_code"),
    primary_key=(),  # the docs themselves repeat codes within a table (see README)
    # within a row, a "400/404" cell's codes stay in the order listed
    order=("service", "source_path", "table_index", "row_index"),
    prefer=("status_code",),  # repeats of a code pair by their HTTP status first
    headline=("error_code", "status_code"),
    lookups=(("error_code",),),  # pipeline show VPC.0002
    relations=(ON_PAGE,),
)

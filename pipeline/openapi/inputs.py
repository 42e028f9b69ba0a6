"""What the API consumers read: the records of one build, as a mapping dataset name -> records.

The OpenAPI export and the API-change diff take ``{"operations": [...], "parameters": [...],
"operation_status_codes": [...]}`` — the build's records of those datasets (issue 14's
``operations`` and ``operation_status_codes``, issue 15's ``parameters``). They read only the
fields below, named as the datasets declare them, so any record type with those fields will
do (``Protocol``); a dataset missing from the mapping is read as empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pipeline.datasets.parameters import ParameterRecord

OPERATIONS = "operations"
PARAMETERS = "parameters"
OPERATION_STATUS_CODES = "operation_status_codes"
#: The datasets the API consumers read, by name.
API_DATASETS = (OPERATIONS, PARAMETERS, OPERATION_STATUS_CODES)


class OfOperation(Protocol):
    """What every API record names: where it was printed and the operation it belongs to."""

    @property
    def service(self) -> str: ...
    @property
    def source_path(self) -> str: ...
    @property
    def line(self) -> int | None: ...
    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...


class OperationLike(OfOperation, Protocol):
    """An ``operations`` record: one HTTP operation an operation page prints."""

    @property
    def summary(self) -> str | None: ...
    @property
    def deprecated(self) -> bool: ...


class OperationStatusLike(OfOperation, Protocol):
    """An ``operation_status_codes`` record: a status code an operation documents."""

    @property
    def status_code(self) -> int: ...
    @property
    def documented_reason(self) -> str | None: ...
    @property
    def reason(self) -> str: ...
    @property
    def description(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ApiRecords:
    """The three datasets the API consumers read, each in its dataset order."""

    operations: tuple[OperationLike, ...] = ()
    parameters: tuple[ParameterRecord, ...] = ()
    status_codes: tuple[OperationStatusLike, ...] = ()

    @classmethod
    def of(cls, records: Mapping[str, Iterable[Any]]) -> ApiRecords:
        """The records of a mapping dataset name -> records (missing datasets are empty)."""
        return cls(tuple(records.get(OPERATIONS, ())), tuple(records.get(PARAMETERS, ())),
                   tuple(records.get(OPERATION_STATUS_CODES, ())))

    def by_service(self) -> dict[str, ApiRecords]:
        """The records of each service with at least one operation, by service, sorted."""
        ops: dict[str, list[OperationLike]] = {}
        params: dict[str, list[ParameterRecord]] = {}
        codes: dict[str, list[OperationStatusLike]] = {}
        for op in self.operations:
            ops.setdefault(op.service, []).append(op)
        for parameter in self.parameters:
            params.setdefault(parameter.service, []).append(parameter)
        for code in self.status_codes:
            codes.setdefault(code.service, []).append(code)
        return {service: ApiRecords(tuple(ops[service]), tuple(params.get(service, ())),
                                    tuple(codes.get(service, ())))
                for service in sorted(ops)}

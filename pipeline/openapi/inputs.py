"""What the API consumers read: the records of one build, as a mapping dataset name -> records.

The OpenAPI export and the API-change diff take ``{"operations": [...], "parameters": [...],
"operation_status_codes": [...]}`` — the build's records of those datasets (issue 14's
``operations`` and ``operation_status_codes``, issue 15's ``parameters``). They read only the
fields below, named as the datasets declare them, so any record type with those fields will
do (``Protocol``); a dataset missing from the mapping is read as empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter
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


def grouped_by_service(operations: Iterable[OperationLike], parameters: Iterable[ParameterRecord],
                       status_codes: Iterable[OperationStatusLike]) -> Iterator[tuple[str, ApiRecords]]:
    """``ApiRecords.by_service`` of records given sorted by service (each in dataset order within its
    service), one service at a time: only one service's records are held, whatever the dataset's size."""
    streams = [_runs(operations), _runs(parameters), _runs(status_codes)]
    heads: list[tuple[str, tuple[Any, ...]] | None] = [next(stream, None) for stream in streams]
    while heads[0] is not None:
        service = heads[0][0]
        mine: list[tuple[Any, ...]] = []
        for index, stream in enumerate(streams):
            while (head := heads[index]) is not None and head[0] < service:  # a service with no operation
                heads[index] = next(stream, None)
            if head is not None and head[0] == service:
                mine.append(head[1])
                heads[index] = next(stream, None)
            else:
                mine.append(())
        yield service, ApiRecords(*mine)


def _runs(records: Iterable[Any]) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Each service's run of records, in the order given."""
    for service, run in groupby(records, key=attrgetter("service")):
        yield service, tuple(run)

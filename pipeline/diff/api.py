"""What changed in the API between two sides: operations, parameters, response status codes (issue 15).

``api_changes(old, new)`` is a pure function of the two sides' records (dataset name ->
records: ``operations``, ``parameters``, ``operation_status_codes``, see
``pipeline.openapi.inputs``). Records are matched by identity, never by position:

* an operation by ``(service, method, path)``;
* a parameter by its operation, ``in``, ``status_code`` and its dotted name (``parent.name``),
  the ``parameters`` dataset's key;
* a response status by its operation and code (documented in a status section, or the status a
  response table is documented for).

Something documented twice on one side (the v2 and v2.1 tables of one page) counts once, at
its first place. The parameters and statuses of an operation added or removed are not listed
again, and neither are the fields of an object added or removed with it. Each change is one
``ApiChange`` of a check of ``pipeline.diff.api_checks``: its severity says whether it breaks
clients.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.datasets.parameters import ParameterRecord
from pipeline.diff.api_checks import (
    ERROR_STATUS_REMOVED,
    OPERATION_ADDED,
    OPERATION_DEPRECATED,
    OPERATION_REACTIVATED,
    OPERATION_REMOVED,
    REQUEST_ADDED_OPTIONAL,
    REQUEST_ADDED_REQUIRED,
    REQUEST_BECAME_OPTIONAL,
    REQUEST_BECAME_REQUIRED,
    REQUEST_PRINTED_TYPE_CHANGED,
    REQUEST_REMOVED,
    REQUEST_TYPE_CHANGED,
    RESPONSE_FIELD_ADDED,
    RESPONSE_FIELD_BECAME_OPTIONAL,
    RESPONSE_FIELD_BECAME_REQUIRED,
    RESPONSE_FIELD_REMOVED,
    RESPONSE_PRINTED_TYPE_CHANGED,
    RESPONSE_TYPE_CHANGED,
    SEVERITIES,
    STATUS_ADDED,
    SUCCESS_STATUS_REMOVED,
    ApiCheck,
    Severity,
    at_least,
)
from pipeline.model import Location
from pipeline.normalize.parameter_columns import item_type
from pipeline.openapi.inputs import API_DATASETS, ApiRecords, OperationLike

OperationKey = tuple[str, str, str]  # service, method, path
#: The request's places, then the response's: the order changes are listed in.
PLACES = ("path", "query", "header", "body", "response_header", "response_body")
REQUEST_PLACES = frozenset(PLACES[:4])


@dataclass(frozen=True, slots=True)
class ApiChange:
    """One change of the API: its check, the operation, what changed in it, the values, where on each side.

    ``where`` is the parameter's ``in`` (``None`` for an operation or a status change),
    ``name`` its dotted name (``vpc.cidr``), ``status_code`` the response status it is
    documented for (or the status added or removed). ``before``/``after`` are the values
    that changed, as text (``yes``/``no`` for required, the printed type).
    """

    check: ApiCheck
    service: str
    method: str
    path: str
    where: str | None = None
    status_code: int | None = None
    name: str | None = None
    before: str | None = None
    after: str | None = None
    old_at: Location | None = None
    new_at: Location | None = None

    @property
    def severity(self) -> Severity:
        return self.check.severity

    @property
    def operation(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def subject(self) -> str:
        """``body vpc.cidr``, ``response_body (200) vpc.id``, ``status 404``; empty for the operation itself."""
        if self.where is None:
            return f"status {self.status_code}" if self.status_code is not None else ""
        status = f" ({self.status_code})" if self.status_code is not None else ""
        return f"{self.where}{status} {self.name}"

    @property
    def values(self) -> str:
        """``before -> after`` where a value changed; empty otherwise."""
        if self.before is None and self.after is None:
            return ""
        return f"{_shown(self.before)} -> {_shown(self.after)}"

    @property
    def at(self) -> Location | None:
        """Where to look: the new side's place, else the old side's."""
        return self.new_at or self.old_at


def _shown(value: str | None) -> str:
    return "none" if value is None else value


@dataclass(frozen=True, slots=True)
class ApiChanges:
    """Every API change between two sides, in a stable order (service, path, method, then what changed)."""

    changes: tuple[ApiChange, ...] = ()

    def counts(self) -> dict[Severity, int]:
        """How many changes of each severity, every severity present (0 too)."""
        found = dict.fromkeys(SEVERITIES, 0)
        for change in self.changes:
            found[change.severity] += 1
        return found

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(sorted({change.service for change in self.changes}))

    def fails(self, threshold: Severity) -> bool:
        """True when a change is at least as severe as ``threshold`` (``--fail-on``)."""
        return any(at_least(change.severity, threshold) for change in self.changes)


def _records(side: ApiRecords | Mapping[str, Iterable[Any]]) -> ApiRecords:
    return side if isinstance(side, ApiRecords) else ApiRecords.of(side)


def api_changes(old: ApiRecords | Mapping[str, Iterable[Any]],
                new: ApiRecords | Mapping[str, Iterable[Any]]) -> ApiChanges:
    """The API changes from ``old`` to ``new`` (records by dataset name; see the module doc)."""
    before, after = _records(old), _records(new)
    old_ops, new_ops = _operations(before), _operations(after)
    changes = [*_operation_changes(old_ops, new_ops)]
    both = old_ops.keys() & new_ops.keys()
    changes.extend(_parameter_changes(_parameters(before, both), _parameters(after, both)))
    changes.extend(_status_changes(_statuses(before, both), _statuses(after, both)))
    return ApiChanges(tuple(sorted(changes, key=_order)))


def side_api_records(side: object) -> ApiRecords:
    """The API records a diff side carries: its ``operations``, ``parameters`` and ``operation_status_codes``
    records (``Side.records`` by dataset name), each empty where the side has none (a dataset written
    before the build wrote those datasets)."""
    records: Mapping[str, Iterable[Any]] = getattr(side, "records", {})
    return ApiRecords.of({name: records.get(name, ()) for name in API_DATASETS})


def _order(change: ApiChange) -> tuple[Any, ...]:
    group = 0 if change.where is None and change.status_code is None else 2 if change.where is None else 1
    place = PLACES.index(change.where) if change.where in PLACES else -1
    return (change.service, change.path, change.method, group, place, change.status_code or 0, change.name or "",
            change.check.id)


def _operations(records: ApiRecords) -> dict[OperationKey, OperationLike]:
    found: dict[OperationKey, OperationLike] = {}
    for op in sorted(records.operations, key=lambda o: (o.service, o.source_path, o.line or 0)):
        found.setdefault((op.service, op.method.upper(), op.path), op)
    return found


def _operation_changes(old: dict[OperationKey, OperationLike],
                       new: dict[OperationKey, OperationLike]) -> list[ApiChange]:
    changes = []
    for key in old.keys() | new.keys():
        before, after = old.get(key), new.get(key)
        old_at = Location(before.source_path, before.line) if before else None
        new_at = Location(after.source_path, after.line) if after else None
        check = None
        if after is None:
            check = OPERATION_REMOVED
        elif before is None:
            check = OPERATION_ADDED
        elif after.deprecated != before.deprecated:
            check = OPERATION_DEPRECATED if after.deprecated else OPERATION_REACTIVATED
        if check is not None:
            changes.append(ApiChange(check, *key, old_at=old_at, new_at=new_at))
    return changes


ParameterKey = tuple[str, str, str, str, int | None, str]  # operation, in, status, dotted name


def dotted_name(record: ParameterRecord) -> str:
    """``vpc.cidr`` for the field ``cidr`` of ``vpc``; the name alone at the top level."""
    return f"{record.parent}.{record.name}" if record.parent else record.name


def _parameters(records: ApiRecords, operations: set[OperationKey]) -> dict[ParameterKey, ParameterRecord]:
    found: dict[ParameterKey, ParameterRecord] = {}
    for record in records.parameters:
        if (record.service, record.method, record.path) in operations:
            key = (record.service, record.method, record.path, record.in_, record.status_code, dotted_name(record))
            found.setdefault(key, record)
    return found


def _parent_key(key: ParameterKey) -> ParameterKey | None:
    name = key[5]
    return (*key[:5], name.rsplit(".", 1)[0]) if "." in name else None


def _parameter_changes(old: dict[ParameterKey, ParameterRecord],
                       new: dict[ParameterKey, ParameterRecord]) -> list[ApiChange]:
    added = new.keys() - old.keys()
    removed = old.keys() - new.keys()
    changes = []
    for key in added:
        if _parent_key(key) not in added:  # a field of a new object comes with it
            record = new[key]
            request = record.in_ in REQUEST_PLACES
            check = (REQUEST_ADDED_REQUIRED if record.required is True else REQUEST_ADDED_OPTIONAL) if request \
                else RESPONSE_FIELD_ADDED
            changes.append(_parameter_change(check, key, None, record))
    for key in removed:
        if _parent_key(key) not in removed:
            record = old[key]
            check = REQUEST_REMOVED if record.in_ in REQUEST_PLACES else RESPONSE_FIELD_REMOVED
            changes.append(_parameter_change(check, key, record, None))
    for key in old.keys() & new.keys():
        changes.extend(_field_changes(key, old[key], new[key]))
    return changes


def _parameter_change(check: ApiCheck, key: ParameterKey, before: ParameterRecord | None,
                      after: ParameterRecord | None, values: tuple[str | None, str | None] = (None, None)
                      ) -> ApiChange:
    return ApiChange(check, key[0], key[1], key[2], key[3], key[4], key[5], *values,
                     _where(before) if before else None, _where(after) if after else None)


def _where(record: ParameterRecord) -> Location:
    return Location(record.source_path, record.line, record.table_index, record.row_index)


def _words(text: str | None) -> str:
    """A printed type without its whitespace (as the dataset diff compares text: whitespace never counts)."""
    return "".join((text or "").split())


def _flag(value: bool | None) -> str:
    return "yes" if value is True else "no" if value is False else "not said"


def _field_changes(key: ParameterKey, before: ParameterRecord, after: ParameterRecord) -> list[ApiChange]:
    """``required`` and type changes of a parameter on both sides."""
    request = before.in_ in REQUEST_PLACES
    changes = []
    was, now = before.required is True, after.required is True
    if was != now:
        if request:
            check = REQUEST_BECAME_REQUIRED if now else REQUEST_BECAME_OPTIONAL
        else:
            check = RESPONSE_FIELD_BECAME_REQUIRED if now else RESPONSE_FIELD_BECAME_OPTIONAL
        changes.append(_parameter_change(check, key, before, after, (_flag(before.required), _flag(after.required))))
    if type_changed(before, after):
        check = REQUEST_TYPE_CHANGED if request else RESPONSE_TYPE_CHANGED
        changes.append(_parameter_change(check, key, before, after, (before.type, after.type)))
    elif _words(before.type) != _words(after.type):
        check = REQUEST_PRINTED_TYPE_CHANGED if request else RESPONSE_PRINTED_TYPE_CHANGED
        changes.append(_parameter_change(check, key, before, after, (before.type, after.type)))
    return changes


def type_changed(before: ParameterRecord, after: ParameterRecord) -> bool:
    """The JSON type changed (both known), or an array's item type did (both printed: ``Array of X objects``
    to ``Array of strings``)."""
    if before.schema_type is None or after.schema_type is None:
        return False
    if before.schema_type != after.schema_type:
        return True
    if before.schema_type != "array":
        return False
    old_items = item_type(before.type) if before.type else None
    new_items = item_type(after.type) if after.type else None
    return old_items is not None and new_items is not None and old_items != new_items


StatusKey = tuple[str, str, str, int]


def _statuses(records: ApiRecords, operations: set[OperationKey]) -> dict[StatusKey, Location]:
    """Each documented status of each operation (a status section's, or a response table's), at its first place."""
    found: dict[StatusKey, Location] = {}
    for code in records.status_codes:
        if (code.service, code.method, code.path) in operations:
            found.setdefault((code.service, code.method, code.path, code.status_code),
                             Location(code.source_path, code.line))
    for record in records.parameters:
        if record.status_code is not None and (record.service, record.method, record.path) in operations:
            found.setdefault((record.service, record.method, record.path, record.status_code), _where(record))
    return found


def _status_changes(old: dict[StatusKey, Location], new: dict[StatusKey, Location]) -> list[ApiChange]:
    changes = []
    for key in new.keys() - old.keys():
        changes.append(ApiChange(STATUS_ADDED, key[0], key[1], key[2], status_code=key[3], new_at=new[key]))
    for key in old.keys() - new.keys():
        check = SUCCESS_STATUS_REMOVED if key[3] < 400 else ERROR_STATUS_REMOVED
        changes.append(ApiChange(check, key[0], key[1], key[2], status_code=key[3], old_at=old[key]))
    return changes

"""Comparing two sides: records matched by identity, never by position, and their changed fields.

Each field of a record is exactly one of three things (``Identity``):

* **key** — what the record *is*. A status code: ``(service, source_path, status_code)``
  (the source page is part of its identity: the same code on two pages is two facts). An
  error code: ``(service, error_code, status_code)`` (moving it to another page of the
  service is not a change).
* **compared** — what the docs *say* about it: a difference here is a change.
* **location** — where it was found (``source_format``, ``page_title``, ``page_id``,
  ``table_index``, ``table_title``, ``row_index``, ``line``, and ``source_path`` for error
  codes): reported with every record, never a change by itself.

Where one side has a key more than once (VPC.0101/400 twice in one table; a status code in
two tables of one page) the records are paired by ``pair_group``: unchanged records first
(at the same role, then anywhere: a moved row is no change), then records of the same role
(the table title, and for error codes the page), then the rest in document order. What is
left is added or removed. Nothing is dropped and the result never depends on dict order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pipeline.diff.load import Side
from pipeline.model import ErrorCodeRecord, StatusCodeRecord
from pipeline.schema import ERROR_CODES, STATUS_CODES, Resource
from pipeline.text import collapse_whitespace

R = TypeVar("R", StatusCodeRecord, ErrorCodeRecord)
Key = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Identity:
    """How the records of one dataset are keyed, told apart within a key, and compared."""

    resource: Resource
    key: tuple[str, ...]
    role: tuple[str, ...]  # tells duplicates of a key apart, e.g. the table title
    compared: tuple[str, ...]

    @property
    def location(self) -> tuple[str, ...]:
        """The fields that say where a record was found: never a change by themselves."""
        return tuple(n for n in self.resource.column_names if n not in self.key and n not in self.compared)

    def key_of(self, record: StatusCodeRecord | ErrorCodeRecord) -> Key:
        return tuple(getattr(record, name) for name in self.key)

    def role_of(self, record: StatusCodeRecord | ErrorCodeRecord) -> Key:
        return tuple(getattr(record, name) for name in self.role)

    def key_dict(self, record: StatusCodeRecord | ErrorCodeRecord) -> dict[str, Any]:
        return {name: getattr(record, name) for name in self.key}


STATUS_IDENTITY = Identity(
    STATUS_CODES,
    key=("service", "source_path", "status_code"),
    role=("table_title",),
    compared=("documented_reason", "reason", "description", "category"),
)
ERROR_IDENTITY = Identity(
    ERROR_CODES,
    key=("service", "error_code", "status_code"),
    role=("source_path", "table_title"),
    compared=("message", "description", "solution", "module"),
)


@dataclass(frozen=True, slots=True)
class Change(Generic[R]):
    """A record present on both sides whose compared fields differ."""

    key: Key
    before: R
    after: R
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecordDiff(Generic[R]):
    """The diff of one dataset (status codes or error codes).

    ``added`` is in the new side's order, ``removed`` in the old side's, ``changed`` in the
    new side's order of ``after``.
    """

    identity: Identity
    added: tuple[R, ...] = ()
    removed: tuple[R, ...] = ()
    changed: tuple[Change[R], ...] = ()
    unchanged: int = 0

    @property
    def differences(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)


@dataclass(frozen=True, slots=True)
class DatasetDiff:
    """The diff of two sides, both datasets."""

    old: str
    new: str
    exact: bool
    services: tuple[str, ...]
    status_codes: RecordDiff[StatusCodeRecord]
    error_codes: RecordDiff[ErrorCodeRecord]

    @property
    def added(self) -> int:
        return len(self.status_codes.added) + len(self.error_codes.added)

    @property
    def removed(self) -> int:
        return len(self.status_codes.removed) + len(self.error_codes.removed)

    @property
    def changed(self) -> int:
        return len(self.status_codes.changed) + len(self.error_codes.changed)

    @property
    def differs(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def comparable(value: object, exact: bool = False) -> object:
    """The form of a field value that is compared.

    By default whitespace never counts (like ``diff -w``): every run of whitespace, NBSP
    included, is ignored, and an empty text equals null. ``exact`` compares values as stored.

    >>> comparable("Bad  Request") == comparable("Bad Request"), comparable(" ") is None
    (True, True)
    """
    if exact or not isinstance(value, str):
        return value
    return "".join(collapse_whitespace(value).split()) or None


def changed_fields(identity: Identity, before: StatusCodeRecord | ErrorCodeRecord,
                   after: StatusCodeRecord | ErrorCodeRecord, exact: bool = False) -> tuple[str, ...]:
    """The compared fields whose values differ, in contract order."""
    return tuple(name for name in identity.compared
                 if comparable(getattr(before, name), exact) != comparable(getattr(after, name), exact))


def pair_group(identity: Identity, old: Sequence[R], new: Sequence[R],
               exact: bool = False) -> list[tuple[int, int]]:
    """Pair the records of one key (indices into ``old`` and ``new``), most alike first.

    Rules, in order: unchanged at the same role; unchanged anywhere (moved); same role;
    anything, in document order. Each rule pairs in document order, so the result is
    deterministic.
    """
    if len(old) == 1 and len(new) == 1:
        return [(0, 0)]

    def same(a: R, b: R) -> bool:
        return not changed_fields(identity, a, b, exact)

    def same_role(a: R, b: R) -> bool:
        return identity.role_of(a) == identity.role_of(b)

    rules: tuple[Callable[[R, R], bool], ...] = (
        lambda a, b: same_role(a, b) and same(a, b),
        same,
        same_role,
        lambda a, b: True,
    )
    pairs: list[tuple[int, int]] = []
    free_old = list(range(len(old)))
    free_new = list(range(len(new)))
    for rule in rules:
        for i in list(free_old):
            j = next((j for j in free_new if rule(old[i], new[j])), None)
            if j is not None:
                pairs.append((i, j))
                free_old.remove(i)
                free_new.remove(j)
    return sorted(pairs)


def match_records(identity: Identity, old: Sequence[R], new: Sequence[R], exact: bool = False) -> RecordDiff[R]:
    """Match the records of two sides by key and report added, removed and changed ones."""
    old_groups: dict[Key, list[int]] = {}
    new_groups: dict[Key, list[int]] = {}
    for index, record in enumerate(old):
        old_groups.setdefault(identity.key_of(record), []).append(index)
    for index, record in enumerate(new):
        new_groups.setdefault(identity.key_of(record), []).append(index)
    paired_old: set[int] = set()
    paired_new: set[int] = set()
    changed: list[tuple[int, Change[R]]] = []
    unchanged = 0
    for key, old_indices in old_groups.items():
        new_indices = new_groups.get(key, [])
        if not new_indices:
            continue
        group_old = [old[i] for i in old_indices]
        group_new = [new[j] for j in new_indices]
        for i, j in pair_group(identity, group_old, group_new, exact):
            before, after = group_old[i], group_new[j]
            paired_old.add(old_indices[i])
            paired_new.add(new_indices[j])
            fields = changed_fields(identity, before, after, exact)
            if fields:
                changed.append((new_indices[j], Change(key, before, after, fields)))
            else:
                unchanged += 1
    return RecordDiff(
        identity,
        added=tuple(r for j, r in enumerate(new) if j not in paired_new),
        removed=tuple(r for i, r in enumerate(old) if i not in paired_old),
        changed=tuple(c for _, c in sorted(changed, key=lambda item: item[0])),
        unchanged=unchanged,
    )


def compare(old: Side, new: Side, exact: bool = False) -> DatasetDiff:
    """Compare both datasets of two sides."""
    services = {r.service for side in (old, new) for r in side.status_codes}
    services |= {r.service for side in (old, new) for r in side.error_codes}
    return DatasetDiff(
        old.label, new.label, exact, tuple(sorted(services)),
        match_records(STATUS_IDENTITY, old.status_codes, new.status_codes, exact),
        match_records(ERROR_IDENTITY, old.error_codes, new.error_codes, exact),
    )


for _identity in (STATUS_IDENTITY, ERROR_IDENTITY):
    assert set(_identity.key + _identity.role + _identity.compared) <= set(_identity.resource.column_names)
    assert not set(_identity.key) & set(_identity.compared)

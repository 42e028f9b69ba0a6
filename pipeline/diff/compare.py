"""Comparing two sides: records matched by identity, never by position, and their changed fields.

Each field of a record is exactly one of three things, as its dataset declares it
(``pipeline.datasets``; ``Identity.of``):

* **key** — what the record *is*. A status code: ``(service, source_path, status_code)``
  (the source page is part of its identity: the same code on two pages is two facts). An
  error code: ``(service, error_code)`` (moving it to another page of the service is not a
  change, and neither is its HTTP status: ``VPC.0002`` going from 400 to 404 is the code
  changed, with ``status_code`` as the changed field).
* **compared** — what the docs *say* about it: a difference here is a change.
* **location** — where it was found (``source_format``, ``page_title``, ``page_id``,
  ``table_index``, ``table_title``, ``row_index``, ``line``, and ``source_path`` for error
  codes): reported with every record, never a change by itself.

Where one side has a key more than once (VPC.0101 twice in one table; a status code in two
tables of one page) the records are paired by ``pair_group``: unchanged records first (at
the same role, then anywhere: a moved row is no change), then records of the same role (the
table title, and for error codes the page), those with the same ``prefer`` fields (the HTTP
status of an error code) before the others, then the same ``prefer`` fields anywhere, then
the rest in document order. What is left is added or removed — unless its page could not be
read on the other side: then it is *not compared* (``uncompared``), neither added nor
removed. Nothing is dropped and the result never depends on dict order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pipeline.datasets import ERROR_CODES, PAGES, RESOURCES, STATUS_CODES, Record, Resource
from pipeline.diff.api import ApiChanges, api_changes, side_api_records
from pipeline.diff.load import Side
from pipeline.model import Issue
from pipeline.text import collapse_whitespace

R = TypeVar("R", bound=Record)
Key = tuple[Any, ...]


#: The fields that tell repeats of a key apart by where they are (those not in the key and in the
#: dataset): the table title, and the page where it is not part of the key.
PLACE = ("source_path", "table_title")


@dataclass(frozen=True, slots=True)
class Identity:
    """How the records of one dataset are keyed, told apart within a key, and compared (``Identity.of``)."""

    resource: Resource
    key: tuple[str, ...]
    role: tuple[str, ...]  # tells duplicates of a key apart, e.g. the table title
    compared: tuple[str, ...]
    prefer: tuple[str, ...] = ()  # compared fields that pair duplicates before the role does

    @classmethod
    def of(cls, resource: Resource) -> Identity:
        """The identity the dataset's declaration gives: its key, compared fields and ``prefer``."""
        role = tuple(n for n in PLACE if n not in resource.key and n in resource.column_names)
        return cls(resource, resource.key, role, resource.names("compared"), resource.prefer)

    @property
    def location(self) -> tuple[str, ...]:
        """The fields that say where a record was found: never a change by themselves."""
        return self.resource.names("location")

    def key_of(self, record: Record) -> Key:
        return tuple(getattr(record, name) for name in self.key)

    def role_of(self, record: Record) -> Key:
        return tuple(getattr(record, name) for name in self.role)

    def preferred_of(self, record: Record) -> Key:
        return tuple(getattr(record, name) for name in self.prefer)

    def key_dict(self, record: Record) -> dict[str, Any]:
        return {name: getattr(record, name) for name in self.key}


#: The identity of each dataset, by its name.
IDENTITIES: dict[str, Identity] = {r.name: Identity.of(r) for r in RESOURCES}
STATUS_IDENTITY = IDENTITIES[STATUS_CODES.name]
ERROR_IDENTITY = IDENTITIES[ERROR_CODES.name]


@dataclass(frozen=True, slots=True)
class SideFacts:
    """What a diff says about one side besides its records."""

    records: int = 0
    pages: int | None = None  # pages found in a docs folder; None for a dataset
    unreadable: tuple[Issue, ...] = ()  # the error-severity issues: what could not be read


@dataclass(frozen=True, slots=True)
class Change(Generic[R]):
    """A record present on both sides whose compared fields differ."""

    key: Key
    before: R
    after: R
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecordDiff(Generic[R]):
    """The diff of one dataset (status codes, error codes, ...).

    ``added`` is in the new side's order, ``removed`` in the old side's, ``changed`` in the
    new side's order of ``after``. ``uncompared_old`` (``_new``) are the records left over on
    the old (new) side whose page could not be read on the other side: neither removed nor
    added, since what that page says there is unknown.
    """

    identity: Identity
    added: tuple[R, ...] = ()
    removed: tuple[R, ...] = ()
    changed: tuple[Change[R], ...] = ()
    unchanged: int = 0
    uncompared_old: tuple[R, ...] = ()
    uncompared_new: tuple[R, ...] = ()

    @property
    def differences(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)

    @property
    def uncompared(self) -> int:
        return len(self.uncompared_old) + len(self.uncompared_new)


@dataclass(frozen=True, slots=True)
class DatasetDiff:
    """The diff of two sides: one ``RecordDiff`` per dataset, by name, in the order of ``RESOURCES``.

    ``old_side``/``new_side`` say what was read: the pages that could not be read, and how
    many records each side has (a side with none is said to be empty).
    """

    old: str
    new: str
    exact: bool
    services: tuple[str, ...]
    datasets: dict[str, RecordDiff[Any]]
    old_side: SideFacts = field(default_factory=SideFacts)
    new_side: SideFacts = field(default_factory=SideFacts)
    api: ApiChanges = field(default_factory=ApiChanges)  # operations, parameters, statuses (``pipeline.diff.api``)

    def of(self, resource: Resource) -> RecordDiff[Any]:
        """The diff of one dataset."""
        return self.datasets[resource.name]

    @property
    def added(self) -> int:
        return sum(len(d.added) for d in self.datasets.values())

    @property
    def removed(self) -> int:
        return sum(len(d.removed) for d in self.datasets.values())

    @property
    def changed(self) -> int:
        return sum(len(d.changed) for d in self.datasets.values())

    @property
    def differs(self) -> bool:
        return any(d.differences for d in self.datasets.values()) or bool(self.api.changes)

    @property
    def uncompared(self) -> int:
        return sum(d.uncompared for d in self.datasets.values())

    @property
    def complete(self) -> bool:
        """False when a page could not be read on either side: the diff may miss or invent differences."""
        return not (self.old_side.unreadable or self.new_side.unreadable)


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


def changed_fields(identity: Identity, before: Record, after: Record, exact: bool = False) -> tuple[str, ...]:
    """The compared fields whose values differ, in field order."""
    return tuple(name for name in identity.compared
                 if comparable(getattr(before, name), exact) != comparable(getattr(after, name), exact))


def pair_group(identity: Identity, old: Sequence[R], new: Sequence[R],
               exact: bool = False) -> list[tuple[int, int]]:
    """Pair the records of one key (indices into ``old`` and ``new``), most alike first.

    Rules, in order: unchanged at the same role; unchanged anywhere (moved); same role and
    same ``prefer`` fields; same role (an error code whose HTTP status changed in its
    table); same ``prefer`` fields anywhere (moved and reworded); anything. Each rule takes
    the old records in document order and gives each the first free new record in document
    order, so the result is deterministic.
    """
    if len(old) == 1 and len(new) == 1:
        return [(0, 0)]

    def same(a: R, b: R) -> bool:
        return not changed_fields(identity, a, b, exact)

    def same_role(a: R, b: R) -> bool:
        return identity.role_of(a) == identity.role_of(b)

    def preferred(a: R, b: R) -> bool:
        return identity.preferred_of(a) == identity.preferred_of(b)

    rules: tuple[Callable[[R, R], bool], ...] = (
        lambda a, b: same_role(a, b) and same(a, b),
        same,
        lambda a, b: same_role(a, b) and preferred(a, b),
        same_role,
        preferred,
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


def match_records(identity: Identity, old: Sequence[R], new: Sequence[R], exact: bool = False,
                  old_unreadable: Sequence[str] = (), new_unreadable: Sequence[str] = ()) -> RecordDiff[R]:
    """Match the records of two sides by key and report added, removed and changed ones.

    A record left over whose page is one of the other side's unreadable paths (a page, or a
    folder holding it) is not compared instead of added or removed.
    """
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
    left_new = [r for j, r in enumerate(new) if j not in paired_new]
    left_old = [r for i, r in enumerate(old) if i not in paired_old]
    unknown_new, unknown_old = frozenset(new_unreadable), frozenset(old_unreadable)
    return RecordDiff(
        identity,
        added=tuple(r for r in left_new if not covered(r.source_path, unknown_old)),
        removed=tuple(r for r in left_old if not covered(r.source_path, unknown_new)),
        changed=tuple(c for _, c in sorted(changed, key=lambda item: item[0])),
        unchanged=unchanged,
        uncompared_old=tuple(r for r in left_old if covered(r.source_path, unknown_new)),
        uncompared_new=tuple(r for r in left_new if covered(r.source_path, unknown_old)),
    )


def covered(source_path: str, paths: frozenset[str]) -> bool:
    """True when ``source_path`` is one of ``paths`` or lies in one of them (``.`` is the root).

    >>> covered("vpc/a.rst", frozenset({"vpc"})), covered("vpc/a.rst", frozenset({"vpc/b.rst"}))
    (True, False)
    """
    if not paths:
        return False
    parts = source_path.split("/")
    return "." in paths or any("/".join(parts[:n]) in paths for n in range(1, len(parts) + 1))


def compare(old: Side, new: Side, exact: bool = False) -> DatasetDiff:
    """Compare every dataset of two sides, and their API records as API changes (``side_api_records``)."""
    services = {r.service for side in (old, new) for resource in RESOURCES for r in side.records_of(resource)}
    old_paths = [i.location.path for i in old.unreadable]
    new_paths = [i.location.path for i in new.unreadable]
    datasets: dict[str, RecordDiff[Any]] = {
        r.name: match_records(IDENTITIES[r.name], old.records_of(r), new.records_of(r), exact, old_paths, new_paths)
        for r in RESOURCES}
    return DatasetDiff(old.label, new.label, exact, tuple(sorted(services)), datasets, facts(old), facts(new),
                       api_changes(side_api_records(old), side_api_records(new)))


def facts(side: Side) -> SideFacts:
    """What the diff tells of ``side`` besides its records: how many it documents (a page record is none), ..."""
    return SideFacts(sum(len(side.records_of(r)) for r in RESOURCES if r is not PAGES), side.pages, side.unreadable)

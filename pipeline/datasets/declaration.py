"""How a dataset is declared: its record dataclass (fields annotated, each with a ``column``) and a ``Resource``.

The record class says each field's name, order, type and nullability (its annotation,
checked by mypy) and, through ``column``, its description, whether the diff compares it and
whether full-text search covers it. The ``Resource`` adds what belongs to the dataset: its
name, title, the diff's key, the Table Schema primary key, the sort order, the fields a
lookup (``pipeline show``) matches, its relations to other datasets (foreign keys) and, for a
dataset derived from others, the function that derives it. ``Resource.fields`` is everything
together, as data: what every schema, exporter and the diff derive from.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Literal, get_type_hints

from pipeline.datasets.types import STORAGE, FieldType, Storage, field_type, list_text

#: A field's part in a record's identity (see ``pipeline.diff.compare``): the diff's key,
#: compared (a difference is a change), or location (where it was found; never a change).
Role = Literal["key", "compared", "location"]

_COLUMN = "pipeline.column"


@dataclass(frozen=True, slots=True)
class _Column:
    description: str
    compared: bool
    searchable: bool = False
    name: str | None = None


def column(description: str, *, compared: bool = False, searchable: bool = False,
           name: str | None = None) -> Mapping[str, Any]:
    """The metadata of a record field: ``x: str = field(metadata=column("What x is."))``.

    ``searchable``: full-text search covers the field (the SQLite export's FTS5 table).
    ``name``: the column's name where it cannot be the attribute's: ``in_`` is the column ``in``
    (a Python keyword). The record class then also answers ``getattr(record, "in")``.
    """
    return {_COLUMN: _Column(description, compared, searchable, name)}


@dataclass(frozen=True, slots=True)
class Relation:
    """A foreign key: ``fields`` of this dataset name a record of dataset ``resource`` by its primary key.

    ``Relation(("source_path",), "pages", ("source_path",))``: every record's page is a record of
    ``pages``. Checked when the registry is built (``pipeline.datasets.check_relations``).
    """

    fields: tuple[str, ...]
    resource: str
    reference: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Derivation:
    """How a derived dataset is made from the records of one dataset (``source``), in one pass.

    ``rows`` turns the source's records, given sorted by ``order`` (a stable sort: records of one
    key keep dataset order), into the derived records, already in the derived dataset's order.
    ``partition``, where given, maps a service (a page's service folder) to its partition: a
    derived record is made from the records of one partition's services only, and the derived
    dataset's order sorts by partition first. The dataset writer then derives a partition at a
    time, and a rebuild only the partitions whose source records changed; without it, the whole
    source is one partition.
    """

    source: str
    order: Callable[[Any], Any]
    rows: Callable[[Iterable[Any]], Iterator[Any]]
    partition: Callable[[str], str] | None = None

    def derive(self, datasets: Mapping[str, Sequence[Any]]) -> list[Any]:
        """The derived records of ``{dataset name: records}`` (in memory: ``pipeline.build``, ``pipeline.load``)."""
        return list(self.rows(sorted(datasets[self.source], key=self.order)))


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a dataset, as every schema and exporter sees it."""

    name: str
    type: FieldType
    required: bool
    description: str
    enum: tuple[str, ...] = ()
    role: Role = "location"
    is_list: bool = False  # a list of ``type`` values
    searchable: bool = False  # covered by full-text search
    minimum: int | None = None  # an integer's allowed range (``HttpStatus``: 100-599)
    maximum: int | None = None

    @property
    def storage(self) -> Storage:
        return STORAGE[self.type]

    @property
    def cell_text(self) -> Callable[[Any], str] | None:
        """The CSV text of a non-null value, where it is not ``str(value)``."""
        return list_text if self.is_list else self.storage.text


@dataclass(frozen=True, slots=True)
class Resource:
    """One dataset, declared once.

    ``key``: the fields that say what a record *is* (the diff matches records by them);
    ``primary_key``: the Table Schema's (empty where the docs themselves repeat records);
    ``order``: the sort order of the records in every file; ``prefer``: compared fields that
    pair repeated keys before their place does (``pipeline.diff.compare.pair_group``);
    ``headline``: the fields the diff's one-line title of a record shows (not repeated
    under it); ``lookups``: what ``pipeline show QUERY`` matches, each a tuple of fields whose
    values, joined by one space, are compared with the query (``("error_code",)``, or
    ``("method", "uri")`` for ``DELETE /v3/...``); ``relations``: foreign keys to other datasets;
    ``derive``: for a dataset made from another's records rather than from pages, how
    (``Derivation``).
    """

    name: str
    record_type: type[Any]
    title: str
    key: tuple[str, ...]
    primary_key: tuple[str, ...]
    order: tuple[str, ...]
    prefer: tuple[str, ...] = ()
    headline: tuple[str, ...] = ()
    lookups: tuple[tuple[str, ...], ...] = ()
    relations: tuple[Relation, ...] = ()
    derive: Derivation | None = None
    fields: tuple[Field, ...] = dataclasses.field(init=False)
    _lists: tuple[int, ...] = dataclasses.field(init=False, repr=False)  # positions of list fields

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", record_fields(self.record_type, self.key))
        object.__setattr__(self, "_lists", tuple(i for i, f in enumerate(self.fields) if f.is_list))
        names = set(self.column_names)
        compared = {f.name for f in self.fields if f.role == "compared"}
        for what, chosen in (("key", self.key), ("primary_key", self.primary_key), ("order", self.order),
                             ("headline", self.headline), *(("lookups", x) for x in self.lookups),
                             *(("relations", r.fields) for r in self.relations)):
            if not set(chosen) <= names:
                raise ValueError(f"{self.name}: {what} names unknown fields {sorted(set(chosen) - names)}")
        if not set(self.prefer) <= compared:
            raise ValueError(f"{self.name}: prefer must name compared fields")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def searchable(self) -> tuple[str, ...]:
        """The fields full-text search covers, in field order."""
        return tuple(f.name for f in self.fields if f.searchable)

    def names(self, role: Role) -> tuple[str, ...]:
        """The fields of one role, in field order."""
        return tuple(f.name for f in self.fields if f.role == role)

    @property
    def sort_key(self) -> Callable[[Any], Any]:
        """The key that sorts records in ``order``; where an order field may be null, nulls come first."""
        get = attrgetter(*self.order)
        if all(self.field(name).required for name in self.order):
            return get
        if len(self.order) == 1:
            return lambda record: (get(record) is not None, get(record))
        return lambda record: tuple((value is not None, value) for value in get(record))

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def from_row(self, row: Sequence[Any]) -> Any:
        """The record of its values in field order, read back (Arrow, JSON): lists become tuples."""
        if self._lists:
            row = [tuple(v) if i in self._lists and v is not None else v for i, v in enumerate(row)]
        return self.record_type(*row)

    def from_dict(self, values: Mapping[str, Any]) -> Any:
        """The record of an object of its JSON file."""
        return self.from_row([values[name] for name in self.column_names])


#: The column names of each record type one of whose columns is not its attribute's name (``in_`` is ``in``).
_RENAMED: dict[type[Any], tuple[str, ...]] = {}


def renamed_columns(record_type: type[Any]) -> tuple[str, ...] | None:
    """The column names of a record type where one differs from its attribute (``None`` for the others).

    Writers that encode a record's attributes by name (orjson does) use these names instead.
    """
    return _RENAMED.get(record_type)


def record_fields(record_type: type[Any], key: tuple[str, ...] = ()) -> tuple[Field, ...]:
    """The ``Field`` of every field of a record dataclass, from its annotations and ``column`` metadata."""
    hints = get_type_hints(record_type, include_extras=True)
    found = []
    for f in dataclasses.fields(record_type):
        about = f.metadata.get(_COLUMN)
        if not isinstance(about, _Column):
            raise TypeError(f"{record_type.__name__}.{f.name} has no column(...) metadata")
        info = field_type(hints[f.name])
        name = about.name or f.name
        if name != f.name and not isinstance(getattr(record_type, name, None), property):
            setattr(record_type, name, property(attrgetter(f.name), doc=f"The ``{name}`` column (``{f.name}``)."))
        if name in key and about.compared:
            raise ValueError(f"{record_type.__name__}.{name} is a key field: it cannot also be compared")
        role: Role = "key" if name in key else "compared" if about.compared else "location"
        if about.searchable and (info.type != "string" or info.is_list):
            raise TypeError(f"{record_type.__name__}.{name}: only text fields can be searchable")
        low, high = (info.range.minimum, info.range.maximum) if info.range else (None, None)
        found.append(Field(name, info.type, info.required, about.description, info.enum, role, info.is_list,
                           about.searchable, low, high))
    names = tuple(f.name for f in found)
    if names != tuple(f.name for f in dataclasses.fields(record_type)):
        _RENAMED[record_type] = names
    return tuple(found)

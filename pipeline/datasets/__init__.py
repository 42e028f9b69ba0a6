"""The datasets, each declared once (``pipeline.datasets.status_codes``, ``.error_codes``, ...), and their registry.

Adding a field: a line in the record class of its dataset module, and the normalizer code
that fills it. Every schema, exporter and the diff read ``Resource.fields``.

``RESOURCES`` are the datasets the normalizer fills page by page; ``DERIVED_RESOURCES`` are
made from their records once all pages are read (``Resource.derive``: the error catalog, the
status wording); ``ALL_RESOURCES`` is both, in the order of the output files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.datasets.declaration import Derivation, Field, Relation, Resource, Role, column, record_fields
from pipeline.datasets.error_catalog import ERROR_CATALOG, ErrorCatalogRecord
from pipeline.datasets.error_codes import ERROR_CODES, ErrorCodeRecord
from pipeline.datasets.located import Located, SourceFormat
from pipeline.datasets.operation_sections import OPERATION_SECTIONS, OperationSectionRecord
from pipeline.datasets.operation_status_codes import OPERATION_STATUS_CODES, OperationStatusCodeRecord
from pipeline.datasets.operations import OPERATIONS, OperationRecord
from pipeline.datasets.pages import PAGES, PageRecord, PageRole
from pipeline.datasets.parameters import PARAMETERS, ParameterRecord
from pipeline.datasets.status_codes import STATUS_CODES, Category, StatusCodeRecord
from pipeline.datasets.status_wording import STATUS_WORDING, StatusWordingRecord
from pipeline.datasets.types import STORAGE, FieldType, HttpStatus, Storage

#: Every dataset filled from the pages, in the order of the output files: the catalogs, the pages, the
#: operations and what each operation documents (its status codes, its parameters and the report of its
#: parameter sections).
RESOURCES: tuple[Resource, ...] = (STATUS_CODES, ERROR_CODES, PAGES, OPERATIONS, OPERATION_STATUS_CODES, PARAMETERS,
                                   OPERATION_SECTIONS)
#: Every dataset derived from the records of ``RESOURCES``, in the order of the output files.
DERIVED_RESOURCES: tuple[Resource, ...] = (ERROR_CATALOG, STATUS_WORDING)
#: Every dataset written by the build.
ALL_RESOURCES: tuple[Resource, ...] = RESOURCES + DERIVED_RESOURCES
#: A record of any dataset filled from the pages.
Record = (StatusCodeRecord | ErrorCodeRecord | PageRecord | OperationRecord | OperationStatusCodeRecord
          | ParameterRecord | OperationSectionRecord)
#: A record of any dataset, derived ones included.
DatasetRecord = Record | ErrorCatalogRecord | StatusWordingRecord


def resource_of(record: DatasetRecord) -> Resource:
    """The dataset a record belongs to."""
    return _BY_TYPE[type(record)]


def resource_named(name: str) -> Resource:
    """The dataset called ``name``; ``KeyError`` naming the known ones otherwise."""
    for resource in ALL_RESOURCES:
        if resource.name == name:
            return resource
    raise KeyError(f"no dataset {name!r}: choose one of {', '.join(r.name for r in ALL_RESOURCES)}")


def derive_all(records: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
    """The records of every derived dataset, from the records of ``RESOURCES`` by dataset name."""
    derived: dict[str, list[Any]] = {}
    for resource in DERIVED_RESOURCES:
        assert resource.derive is not None
        derived[resource.name] = resource.derive.derive({**records, **derived})
    return derived


def check_relations(resources: Sequence[Resource]) -> None:
    """Every relation names a declared dataset by its whole primary key, with as many fields; else ``ValueError``."""
    by_name = {r.name: r for r in resources}
    for resource in resources:
        for relation in resource.relations:
            target = by_name.get(relation.resource)
            if target is None:
                raise ValueError(f"{resource.name}: relation to {relation.resource!r}, which is not declared")
            if relation.reference != target.primary_key or len(relation.fields) != len(relation.reference):
                raise ValueError(f"{resource.name}: relation to {target.name} must name its primary key "
                                 f"{target.primary_key}, field for field")


_BY_TYPE = {r.record_type: r for r in ALL_RESOURCES}
check_relations(ALL_RESOURCES)
if any(r.derive is not None for r in RESOURCES) or any(r.derive is None for r in DERIVED_RESOURCES):
    raise ValueError("a dataset filled from pages has no derive function; a derived dataset has one")

__all__ = [
    "ALL_RESOURCES",
    "DERIVED_RESOURCES",
    "ERROR_CATALOG",
    "ERROR_CODES",
    "OPERATIONS",
    "OPERATION_SECTIONS",
    "OPERATION_STATUS_CODES",
    "PAGES",
    "PARAMETERS",
    "RESOURCES",
    "STATUS_CODES",
    "STATUS_WORDING",
    "STORAGE",
    "Category",
    "DatasetRecord",
    "Derivation",
    "ErrorCatalogRecord",
    "ErrorCodeRecord",
    "Field",
    "FieldType",
    "HttpStatus",
    "Located",
    "OperationRecord",
    "OperationSectionRecord",
    "OperationStatusCodeRecord",
    "PageRecord",
    "PageRole",
    "ParameterRecord",
    "Record",
    "Relation",
    "Resource",
    "Role",
    "SourceFormat",
    "StatusCodeRecord",
    "StatusWordingRecord",
    "Storage",
    "check_relations",
    "column",
    "derive_all",
    "record_fields",
    "resource_named",
    "resource_of",
]

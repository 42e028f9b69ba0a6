"""The datasets, each declared once (``pipeline.datasets.status_codes``, ``.error_codes``, ...), and their registry.

Adding a field: a line in the record class of its dataset module, and the normalizer code
that fills it. Every schema, exporter and the diff read ``Resource.fields``.
"""

from __future__ import annotations

from pipeline.datasets.declaration import Field, Resource, Role, column, record_fields
from pipeline.datasets.error_codes import ERROR_CODES, ErrorCodeRecord
from pipeline.datasets.located import Located, SourceFormat
from pipeline.datasets.operation_sections import OPERATION_SECTIONS, OperationSectionRecord
from pipeline.datasets.operation_status_codes import OPERATION_STATUS_CODES, OperationStatusCodeRecord
from pipeline.datasets.operations import OPERATIONS, OperationRecord
from pipeline.datasets.pages import PAGES, PageRecord, PageRole
from pipeline.datasets.parameters import PARAMETERS, ParameterRecord
from pipeline.datasets.status_codes import STATUS_CODES, Category, StatusCodeRecord
from pipeline.datasets.types import STORAGE, FieldType, HttpStatus, Storage

#: Every dataset, in the order of the output files: the catalogs, the pages, the operations and what
#: each operation documents (its status codes, its parameters and the report of its parameter sections).
RESOURCES: tuple[Resource, ...] = (STATUS_CODES, ERROR_CODES, PAGES, OPERATIONS, OPERATION_STATUS_CODES, PARAMETERS,
                                   OPERATION_SECTIONS)
#: A record of any dataset.
Record = (StatusCodeRecord | ErrorCodeRecord | PageRecord | OperationRecord | OperationStatusCodeRecord
          | ParameterRecord | OperationSectionRecord)


def resource_of(record: Record) -> Resource:
    """The dataset a record belongs to."""
    return _BY_TYPE[type(record)]


_BY_TYPE = {r.record_type: r for r in RESOURCES}

__all__ = [
    "ERROR_CODES",
    "OPERATIONS",
    "OPERATION_SECTIONS",
    "OPERATION_STATUS_CODES",
    "PAGES",
    "PARAMETERS",
    "RESOURCES",
    "STATUS_CODES",
    "STORAGE",
    "Category",
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
    "Resource",
    "Role",
    "SourceFormat",
    "StatusCodeRecord",
    "Storage",
    "column",
    "record_fields",
    "resource_of",
]

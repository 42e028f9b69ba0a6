"""The datasets, each declared once (``pipeline.datasets.status_codes``, ``.error_codes``), and their registry.

Adding a field: a line in the record class of its dataset module, and the normalizer code
that fills it. Every schema, exporter and the diff read ``Resource.fields``.
"""

from __future__ import annotations

from pipeline.datasets.declaration import Field, Resource, Role, column, record_fields
from pipeline.datasets.error_codes import ERROR_CODES, ErrorCodeRecord
from pipeline.datasets.located import Located, SourceFormat
from pipeline.datasets.operation_sections import OPERATION_SECTIONS, OperationSectionRecord
from pipeline.datasets.parameters import PARAMETERS, ParameterRecord
from pipeline.datasets.status_codes import STATUS_CODES, Category, StatusCodeRecord
from pipeline.datasets.types import STORAGE, FieldType, HttpStatus, Storage

#: Every dataset, in the order of the output files.
RESOURCES: tuple[Resource, ...] = (STATUS_CODES, ERROR_CODES)
#: Datasets declared and extracted, not yet written by the build (issue 15's parameters and section reports).
EXTRACTED_ONLY: tuple[Resource, ...] = (PARAMETERS, OPERATION_SECTIONS)
#: A record of any dataset.
Record = StatusCodeRecord | ErrorCodeRecord


def resource_of(record: Record) -> Resource:
    """The dataset a record belongs to."""
    return _BY_TYPE[type(record)]


_BY_TYPE = {r.record_type: r for r in RESOURCES}

__all__ = [
    "ERROR_CODES",
    "EXTRACTED_ONLY",
    "OPERATION_SECTIONS",
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
    "OperationSectionRecord",
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

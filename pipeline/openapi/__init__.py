"""OpenAPI 3.1 per service from the operations, parameters and operation status codes (issue 15).

>>> from pipeline.openapi import openapi_documents  # doctest: +SKIP
>>> openapi_documents({"operations": ops, "parameters": params, "operation_status_codes": codes})  # doctest: +SKIP
{'openapi/vpc.json': b'{\\n  "openapi": "3.1.0", ...'}
"""

from __future__ import annotations

from pipeline.openapi.document import (
    OpenApiExport,
    openapi_documents,
    openapi_export,
    operation_id,
    placeholders,
    service_document,
    service_files,
)
from pipeline.openapi.inputs import (
    API_DATASETS,
    OPERATION_STATUS_CODES,
    OPERATIONS,
    PARAMETERS,
    ApiRecords,
    grouped_by_service,
)
from pipeline.openapi.names import document_path

__all__ = [
    "API_DATASETS",
    "OPERATIONS",
    "OPERATION_STATUS_CODES",
    "PARAMETERS",
    "ApiRecords",
    "OpenApiExport",
    "document_path",
    "grouped_by_service",
    "openapi_documents",
    "openapi_export",
    "operation_id",
    "placeholders",
    "service_document",
    "service_files",
]

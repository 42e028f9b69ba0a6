"""The OpenAPI exporter: records of the API datasets in, one file per service out (``pipeline.openapi``).

Unlike the formats of ``FORMATS`` it reads several datasets at once (operations, parameters,
operation status codes) and writes several files: ``openapi/<service>.json``.
"""

from __future__ import annotations

from pipeline.openapi import openapi_documents, openapi_export

export = openapi_documents

__all__ = ["export", "openapi_documents", "openapi_export"]

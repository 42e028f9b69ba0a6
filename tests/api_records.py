"""The API records of docs pages, as the build makes them, and small rows that stand for such records in unit tests.

``page_api_records(source)`` reads one page as the build does and gives its ``operations``,
``parameters`` and ``operation_status_codes`` records (issue 14's datasets): what the OpenAPI
export and the API-change diff consume. ``tree_api_records(root)`` does it for every page of
a docs tree (``service/page``), ``folder_api_records(folder, service)`` for one service's pages.
Used by the tests and by ``bench/api_check.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.building import process_page
from pipeline.datasets.parameters import ParameterRecord
from pipeline.openapi.inputs import OPERATION_STATUS_CODES, OPERATIONS, PARAMETERS
from pipeline.sources import SourceFile

DOC_SUFFIXES = {".rst", ".md", ".html", ".htm"}


@dataclass(frozen=True, slots=True)
class OperationRow:
    """An ``operations`` record (issue 14, item 3)."""

    service: str
    source_path: str
    source_format: str
    page_title: str | None
    page_id: str | None
    operation_index: int
    line: int | None
    method: str
    path: str
    query: str | None
    summary: str | None
    deprecated: bool


@dataclass(frozen=True, slots=True)
class OperationStatusRow:
    """An ``operation_status_codes`` record (issue 14, item 4; the location fields that matter here)."""

    service: str
    source_path: str
    table_index: int | None
    row_index: int | None
    line: int | None
    method: str
    path: str
    status_code: int
    documented_reason: str | None
    reason: str
    description: str | None


def page_api_records(source: SourceFile) -> dict[str, list[Any]]:
    """The operations, parameters and operation status codes of one page, as the build makes them (empty lists
    on other pages)."""
    result = process_page(source)
    return {name: list(result.records.get(name, ())) for name in (OPERATIONS, PARAMETERS, OPERATION_STATUS_CODES)}


def merged(parts: Iterable[dict[str, list[Any]]]) -> dict[str, list[Any]]:
    """The records of several pages, dataset by dataset, in the order given."""
    total: dict[str, list[Any]] = {OPERATIONS: [], PARAMETERS: [], OPERATION_STATUS_CODES: []}
    for part in parts:
        for name, records in part.items():
            total[name].extend(records)
    return total


def doc_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in DOC_SUFFIXES)


def folder_api_records(folder: Path, service: str, prefix: str = "") -> dict[str, list[Any]]:
    """The records of every page under ``folder``, all of one ``service`` (paths ``prefix`` + relative path)."""
    return merged(page_api_records(SourceFile(service, prefix + p.relative_to(folder).as_posix(), p))
                  for p in doc_files(folder))


def tree_api_records(root: Path) -> dict[str, list[Any]]:
    """The records of every page of a docs tree whose first folder level is the service."""
    return merged(page_api_records(SourceFile(p.relative_to(root).parts[0], p.relative_to(root).as_posix(), p))
                  for p in doc_files(root) if len(p.relative_to(root).parts) > 1)


__all__ = ["OperationRow", "OperationStatusRow", "ParameterRecord", "folder_api_records", "page_api_records",
           "tree_api_records"]

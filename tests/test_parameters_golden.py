"""Golden tests of the parameters of real operation pages (issue 15): every parameter with its place and parent.

The pages are the operation pages of ``tests/fixtures/operations`` (issue 14's golden pages) and
those of ``tests/fixtures/parameters``, copies of real pages of the shared trees kept under their
path in the tree. Each page's expected result, checked by eye against the page once, is
``tests/golden/parameters/<path with / as __>.json``: one line per parameter (operation, table,
row, line, in, status, parent, name, required, type, schema type), the section reports and the
issues; rewritten only by ``pytest --update-golden``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from golden_files import golden_text

from pipeline.datasets.parameters import ParameterRecord
from pipeline.normalize.operations import operations
from pipeline.normalize.parameters import PageParameters, parameters_of_page
from pipeline.outline import outline
from pipeline.parsers import parse_page
from pipeline.sources import SourceFile, read_page

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FOLDERS = (FIXTURES / "operations", FIXTURES / "parameters")
GOLDEN = Path(__file__).resolve().parent / "golden" / "parameters"


def _page_file(rel: str) -> Path:
    return next(folder / rel for folder in FOLDERS if (folder / rel).is_file())


def _read(rel: str) -> PageParameters | None:
    text = read_page(SourceFile(rel.split("/")[1], rel, _page_file(rel)))
    page_outline = outline(text.text, text.format)
    ops = operations(page_outline)
    return parameters_of_page(parse_page(text), text.text, page_outline, ops) if ops else None


ALL_PAGES = sorted({p.relative_to(folder).as_posix() for folder in FOLDERS for p in folder.rglob("*") if p.is_file()})
OPERATION_PAGES = [rel for rel in ALL_PAGES if _read(rel) is not None]


def _parameter(r: ParameterRecord) -> dict[str, Any]:
    return {"op": f"{r.method} {r.path}", "table": r.table_index, "row": r.row_index, "line": r.line,
            "in": getattr(r, "in"), "status": r.status_code, "parent": r.parent, "name": r.name,
            "required": r.required, "type": r.type, "schema_type": r.schema_type}


def parameters_result(rel: str) -> dict[str, Any]:
    """The page's parameters, section reports and issues, as plain data."""
    result = _read(rel)
    assert result is not None
    return {
        "parameters": [_parameter(r) for r in result.records],
        "sections": [{"op": f"{s.method} {s.path}", "section": s.section, "status": s.status, "tables": s.tables,
                      "rows": s.rows, "read": s.rows_read, "skipped": s.rows_skipped, "parameters": s.parameters,
                      "reasons": list(s.reasons)} for s in result.sections],
        "issues": [f"{i.slug}: {i}" for i in result.issues],
    }


def dumps(result: dict[str, Any]) -> str:
    """JSON with one line per parameter, section and issue: a diff shows what changed, line by line."""
    parts = []
    for key, items in result.items():
        lines = ",\n".join("  " + json.dumps(item, ensure_ascii=False) for item in items)
        parts.append(f" {json.dumps(key)}: [\n{lines}\n ]" if items else f" {json.dumps(key)}: []")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def test_there_are_at_least_40_operation_pages_from_both_formats() -> None:
    rst = [p for p in OPERATION_PAGES if p.endswith(".rst")]
    md = [p for p in OPERATION_PAGES if p.endswith(".md")]
    assert len(rst) + len(md) >= 40 and len(rst) >= 15 and len(md) >= 15


@pytest.mark.parametrize("rel", OPERATION_PAGES)
def test_golden_parameters(rel: str, update_golden: bool) -> None:
    golden = GOLDEN / (rel.replace("/", "__") + ".json")
    actual = parameters_result(rel)
    assert actual == json.loads(golden_text(golden, dumps(actual), update_golden, rel))


def test_every_parameters_golden_file_has_its_page() -> None:
    stems = {p.name[: -len(".json")] for p in GOLDEN.glob("*.json")}
    assert stems == {rel.replace("/", "__") for rel in OPERATION_PAGES}


@pytest.mark.parametrize("rel", OPERATION_PAGES)
def test_counts_reconcile(rel: str) -> None:
    """Per operation and section: rows seen = rows read + rows skipped; a section without rows is missing."""
    result = _read(rel)
    assert result is not None
    for section in result.sections:
        assert section.rows == section.rows_read + section.rows_skipped, section
        assert (section.status == "missing") == (section.tables == 0), section
        assert section.parameters >= section.rows_read, section

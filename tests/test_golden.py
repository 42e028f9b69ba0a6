"""Golden tests: each real page's records, table verdicts and issues, checked by eye once.

The expected files live in tests/golden/<service>__<page>.json. They are rewritten only
by ``pytest --update-golden``; review the resulting git diff before committing it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from golden_files import golden_text

from pipeline.building import process_page
from pipeline.datasets import PAGES as PAGE_RECORDS
from pipeline.exporters import FORMATS
from pipeline.exporters.items import issue_dict, table_dict
from pipeline.exporters.json import dumps
from pipeline.schema import ERROR_CODES, STATUS_CODES
from pipeline.sources import SourceFile

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
GOLDEN = Path(__file__).resolve().parent / "golden"
ALL_PAGES = sorted(p.relative_to(PAGES).as_posix() for p in PAGES.glob("*/*") if p.is_file())


def page_result(rel: str) -> dict[str, Any]:
    service = rel.split("/", 1)[0]
    result = process_page(SourceFile(service, rel, PAGES / rel))
    return {
        "status_codes": json.loads(FORMATS["json"].export(STATUS_CODES, result.records_of(STATUS_CODES))),
        "error_codes": json.loads(FORMATS["json"].export(ERROR_CODES, result.records_of(ERROR_CODES))),
        "page": json.loads(FORMATS["json"].export(PAGE_RECORDS, result.records_of(PAGE_RECORDS))),
        "tables": [table_dict(t) for t in result.tables],
        "issues": [issue_dict(i) for i in result.issues],
    }


@pytest.mark.parametrize("rel", ALL_PAGES)
def test_golden_page(rel: str, update_golden: bool) -> None:
    golden = GOLDEN / (rel.replace("/", "__") + ".json")
    actual = page_result(rel)
    expected = json.loads(golden_text(golden, dumps(actual), update_golden, rel))
    assert actual == expected


def test_every_golden_file_has_its_page() -> None:
    stems = {p.name[: -len(".json")] for p in GOLDEN.glob("*.json")}
    assert stems == {rel.replace("/", "__") for rel in ALL_PAGES}

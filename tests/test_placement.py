"""Where a table's records go (issue 14, items 2 and 4), built through the command line on real pages.

* A user guide's flavor table (``Flavor | vCPUs | Memory (GiB)``: 128, 256) is no status-code table:
  a status column needs a header naming a status role, and a table under a heading such as
  ``Specifications`` never yields codes.
* An operation page's ``Status Codes`` table and bare status lines belong to its operations
  (``operation_status_codes``), not to the service's catalog (``status_codes``).
* An error-code table keeps its place in ``error_codes`` wherever it lies.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.model import RawRow, RawTable
from pipeline.normalize.columns import plan_table

FIXTURES = Path(__file__).resolve().parent / "fixtures"
USER_GUIDES = FIXTURES / "user_guides"
GPU = "elastic-cloud-server/umn/source/service_overview/ecs_types_and_specifications/ecs_specifications/" \
      "gpu-accelerated_ecss.rst"
FAQ = "elastic-cloud-server/umn/source/faqs/ecs_failure/" \
      "how_do_i_handle_error_messages_displayed_on_the_management_console.rst"
DEDICATED = "ecs/user-guide/dedicated-general-purpose-ecss.md"
VERSIONS = "elastic-load-balancing/api-ref/source/apis_v3/api_version/querying_api_versions.rst"
LISTENER = "elb/api-reference/adding-a-listener-classic.md"


def build(tmp_path: Path, pages: dict[str, Path]) -> dict[str, list[dict[str, Any]]]:
    """Build a docs folder holding ``pages`` (path in the folder -> fixture file); every JSON file read back."""
    docs = tmp_path / "docs"
    for rel, source in pages.items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, docs / rel)
    out = tmp_path / "out"
    assert main(["build", str(docs), "--out", str(out), "--no-cache", "-q", "-j", "1"]) == 0
    return {p.stem: json.loads(p.read_text("utf-8")) for p in out.glob("*.json") if p.name != "manifest.json"}


def test_flavor_tables_of_user_guides_give_no_status_codes(tmp_path: Path) -> None:
    data = build(tmp_path, {GPU: USER_GUIDES / "rst" / GPU, DEDICATED: USER_GUIDES / "md/doc/source" / DEDICATED})
    assert data["status_codes"] == [] and data["error_codes"] == []
    flavors = [t for t in data["tables"] if t["header"][:2] == ["Flavor", "vCPUs"]]
    assert len(flavors) > 10 and {t["kind"] for t in flavors} == {"other"}
    rules = {t["rule"].split(":")[0] for t in flavors}
    assert any("names no status role" in t["rule"] for t in flavors) or any("heading" in r for r in rules), rules
    assert {p["role"] for p in data.get("pages", [{"role": "other"}])} == {"other"}


def test_an_operations_status_table_and_bare_lines_are_its_own_not_the_catalogs(tmp_path: Path) -> None:
    data = build(tmp_path, {VERSIONS: FIXTURES / "operations" / "rst" / VERSIONS,
                            LISTENER: FIXTURES / "operations" / "md/doc/source" / LISTENER})
    assert data["status_codes"] == []
    codes = [(r["source_path"], r["method"], r["path"], r["table_index"], r["status_code"])
             for r in data["operation_status_codes"]]
    assert (VERSIONS, "GET", "/versions", 2, 200) in codes
    assert (LISTENER, "POST", "/v1.0/{project_id}/elbaas/listeners", None, 200) in codes  # "-  Normal" then "200"
    [table] = [t for t in data["tables"] if t["source_path"] == VERSIONS and t["kind"] == "status_codes"]
    assert table["dataset"] == "operation_status_codes" and table["page_role"] == "operation"
    assert table["section"] == "Status Codes" and "'Status Codes'" in table["placement"]
    assert [(o["method"], o["path"]) for o in data["operations"] if o["source_path"] == VERSIONS] == [
        ("GET", "/versions")]


def test_error_codes_of_a_user_guide_stay_in_the_catalog(tmp_path: Path) -> None:
    data = build(tmp_path, {FAQ: USER_GUIDES / "rst" / FAQ})
    assert len(data["error_codes"]) == 14 and data["error_codes"][0]["error_code"].startswith("Ecs.")
    [table] = data["tables"]  # the FAQ is a catalog by its table, whose header and cells name error codes
    assert (table["dataset"], table["page_role"], table["placement"]) == (
        "error_codes", "error_codes", "on an error-code catalog page")


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> RawTable:
    from pipeline.model import Cell
    return RawTable(0, 3, None, header, tuple(RawRow(4 + i, tuple(Cell(c) for c in row)) for i, row in enumerate(rows)))


FLAVOR = (("Flavor", "vCPUs", "Memory (GiB)"), [("g6.10xlarge.4", "40", "160"), ("g6.20xlarge.4", "80", "320"),
                                                ("p2s.2xlarge.8", "8", "64"), ("p2s.4xlarge.8", "16", "128")])


def test_a_status_column_needs_a_header_naming_a_status_role() -> None:
    plan = plan_table(_table(*FLAVOR))
    assert plan.kind == "other" and plan.rule == (
        "column 'Memory (GiB)' reads as HTTP status codes but its header names no status role: not a status column")
    assert plan_table(_table(("Flavor", "vCPUs", "Status Code"), FLAVOR[1])).kind == "status_codes"


@pytest.mark.parametrize(("sections", "kind"), [
    (("Specifications",), "other"),
    (("GPU-accelerated ECSs", "A Summary List of ECS Specifications"), "other"),
    (("Status Codes", "Querying Flavors"), "status_codes"),  # a heading naming codes comes first
    (("Response", "Querying Flavors"), "other"),
])
def test_a_table_under_specifications_never_yields_codes(sections: tuple[str, ...], kind: str) -> None:
    table = _table(("Status Code", "Description"), [("200", "OK"), ("404", "Not Found")])
    assert plan_table(table, sections).kind == kind


def test_a_table_without_header_text_needs_overwhelming_evidence() -> None:
    rows = [("200", "OK"), ("400", "Bad Request"), ("404", "Not Found")]
    assert plan_table(_table(("", ""), rows)).kind == "status_codes"
    assert plan_table(_table(("", ""), rows[:2])).kind == "other"  # two rows: not overwhelming
    ports = [("200", "Port range of the first rule."), ("400", "Port range of the second rule."),
             ("443", "Port of the HTTPS listener.")]
    assert plan_table(_table(("", ""), ports)).kind == "other"  # no reason phrases beside the numbers

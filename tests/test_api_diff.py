"""The API-change diff (issue 15): checks, severities by direction, renderings, and real history.

Golden cases are real commits of the repositories in ``../shared/corpus/git`` (bundles): the
pages a commit changed, copied at the parent and at the commit into
``tests/fixtures/api_diff/<case>/{old,new}/<repo>/api-ref/source/...``. Each case's changes,
checked by eye against ``git show`` of the commit once, are ``tests/golden/api_diff/<case>.txt``
(the text view); rewritten only by ``pytest --update-golden``. A case read backwards (new ->
old) is what reverting the commit would do: the same facts with the opposite direction.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from api_records import OperationRow, OperationStatusRow, tree_api_records
from golden_files import golden_text

from pipeline.datasets.parameters import ParameterRecord
from pipeline.diff import Side, compare, diff_dict, render_markdown, render_text
from pipeline.diff.api import ApiChanges, api_changes
from pipeline.diff.api_checks import CHECKS, SEVERITIES, at_least
from pipeline.diff.api_render import api_dict, render_api_json, render_api_markdown, render_api_text
from pipeline.openapi import OPERATION_STATUS_CODES, OPERATIONS, PARAMETERS

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "api_diff"
GOLDEN = ROOT / "tests" / "golden" / "api_diff"

#: case -> (repository, commit): the commit's parent is ``old``, the commit ``new``.
CASES = {
    "vpc-eip-tags": ("virtual-private-cloud", "19e480d"),
    "vpc-security-groups": ("virtual-private-cloud", "212f6d8"),
    "vpc-subnets-routers": ("virtual-private-cloud", "3a3995f"),
    "nat-dnat-rules": ("nat-gateway", "21e146e"),
    "dns-ptr-records": ("domain-name-service", "62d68ec"),
}


def side(case: str, name: str) -> dict[str, list[Any]]:
    folder = FIXTURES / case / name
    return tree_api_records(folder) if folder.is_dir() else {}


def case_changes(case: str, backwards: bool = False) -> ApiChanges:
    old, new = side(case, "old"), side(case, "new")
    return api_changes(new, old) if backwards else api_changes(old, new)


GOLDEN_RUNS = [(case, False) for case in CASES] + [("nat-dnat-rules", True), ("dns-ptr-records", True)]


@pytest.mark.parametrize(("case", "backwards"), GOLDEN_RUNS)
def test_real_history(case: str, backwards: bool, update_golden: bool) -> None:
    golden = GOLDEN / f"{case}{'.reverted' if backwards else ''}.txt"
    text = render_api_text(case_changes(case, backwards))
    assert text == golden_text(golden, text, update_golden, case)


def test_what_the_real_history_shows() -> None:
    """The facts the golden files hold, by eye, that matter most (the rest is in the files)."""
    eip = case_changes("vpc-eip-tags")
    assert {(c.check.id, c.name) for c in eip.changes if c.path == "/v1/{project_id}/publicips"} == {
        ("response-field-type-changed", "publicips.tags"),  # Array of ResourceTagResp objects -> Array of strings
        ("response-field-removed", "publicips.tags.key"), ("response-field-removed", "publicips.tags.value")}
    groups = case_changes("vpc-security-groups")  # the pages moved from api_v3/ to vpc_apis_v3/ and changed
    assert not any(c.check.id.startswith("api-operation") for c in groups.changes)
    assert ("request-parameter-type-changed", "enterprise_project_id", "Array of strings", "String") in {
        (c.check.id, c.name, c.before, c.after) for c in groups.changes}
    assert ("response-status-added", 202) in {(c.check.id, c.status_code) for c in groups.changes}
    dnat = case_changes("nat-dnat-rules")
    assert dnat.counts() == {"breaking": 0, "warning": 0, "info": dnat.counts()["info"]} and dnat.changes
    reverted = case_changes("nat-dnat-rules", backwards=True)
    assert reverted.counts()["breaking"] > 0 and reverted.fails("breaking")
    assert {c.check.id for c in reverted.changes} == {"request-parameter-removed", "response-field-removed"}
    assert [c.check.id for c in case_changes("dns-ptr-records", backwards=True).changes] == [
        "api-operation-removed"] * 2


def test_the_three_views_carry_the_same_facts() -> None:
    changes = case_changes("vpc-subnets-routers")
    text, markdown = render_api_text(changes), render_api_markdown(changes)
    facts = json.loads(render_api_json(changes))
    assert facts == json.loads(json.dumps(api_dict(changes)))
    assert facts["summary"] == changes.counts() and len(facts["changes"]) == len(changes.changes) == 3
    for change in facts["changes"]:
        place = change["new"] or change["old"]
        for view in (text, markdown):
            assert change["check"] in view and change["severity"] in view and str(place["line"]) in view
            assert change["path"] in view.replace("\\", "")
    for severity, count in facts["summary"].items():
        assert f"{count} {severity}" in text and f"{count} {severity}" in markdown


# --- the rules, on records made here ------------------------------------------------------------

def op(path: str = "/v1/vpcs", method: str = "POST", deprecated: bool = False, page: str = "svc/a.rst"
       ) -> OperationRow:
    return OperationRow("svc", page, "rst", None, None, 0, 10, method, path, None, None, deprecated)


def param(name: str, where: str = "body", parent: str | None = None, required: bool | None = None,
          type_: str | None = "String", schema: str | None = "string", status: int | None = None,
          path: str = "/v1/vpcs", method: str = "POST") -> ParameterRecord:
    return ParameterRecord("svc", "svc/a.rst", "rst", None, None, 0, None, 0, 20, None, None, None, method, path,
                           where, status, name, parent, required, type_, schema, None)


def code(status: int, path: str = "/v1/vpcs", method: str = "POST") -> OperationStatusRow:
    return OperationStatusRow("svc", "svc/a.rst", 1, 0, 40, method, path, status, None, "OK", None)


def changes_of(old: dict[str, list[Any]], new: dict[str, list[Any]]) -> list[tuple[str, str | None, str]]:
    return [(c.check.id, c.name or (str(c.status_code) if c.status_code else None), c.severity)
            for c in api_changes(old, new).changes]


def sides(*records: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {OPERATIONS: [], PARAMETERS: [], OPERATION_STATUS_CODES: []}
    for record in records:
        name = OPERATIONS if isinstance(record, OperationRow) else PARAMETERS if isinstance(
            record, ParameterRecord) else OPERATION_STATUS_CODES
        found[name].append(record)
    return found


def test_a_new_required_request_parameter_breaks_and_a_new_optional_one_does_not() -> None:
    old = sides(op(), param("vpc", schema="object"))
    new = sides(op(), param("vpc", schema="object"), param("cidr", parent="vpc", required=True),
                param("name", parent="vpc", required=False), param("limit", "query"))
    assert changes_of(old, new) == [("request-parameter-added-optional", "limit", "info"),
                                    ("request-parameter-added-required", "vpc.cidr", "breaking"),
                                    ("request-parameter-added-optional", "vpc.name", "info")]


def test_a_removed_response_field_breaks_and_a_new_one_does_not() -> None:
    old = sides(op(), param("id", "response_body"))
    new = sides(op(), param("name", "response_body"))
    assert changes_of(old, new) == [("response-field-removed", "id", "breaking"),
                                    ("response-field-added", "name", "info")]
    assert changes_of(new, old) == [("response-field-added", "id", "info"),
                                    ("response-field-removed", "name", "breaking")]


def test_required_and_type_changes_depend_on_the_direction() -> None:
    old = sides(op(), param("cidr", required=False), param("size", type_="String(64)"),
                param("count", "response_body", type_="Integer", schema="integer", required=True))
    new = sides(op(), param("cidr", required=True), param("size", type_="String(128)"),
                param("count", "response_body", type_="String", schema="string"))
    assert changes_of(old, new) == [
        ("request-parameter-became-required", "cidr", "breaking"),
        ("request-parameter-printed-type-changed", "size", "info"),
        ("response-field-became-optional", "count", "warning"),
        ("response-field-type-changed", "count", "breaking")]
    assert changes_of(new, old)[0] == ("request-parameter-became-optional", "cidr", "info")


def test_fields_of_a_new_object_come_with_it_and_a_new_operation_brings_its_parameters() -> None:
    old = sides(op())
    new = sides(op(), param("vpc", schema="object", required=True), param("cidr", parent="vpc", required=True),
                op("/v1/subnets"), param("subnet", path="/v1/subnets"), code(200, "/v1/subnets"))
    assert changes_of(old, new) == [("api-operation-added", None, "info"),
                                    ("request-parameter-added-required", "vpc", "breaking")]


def test_operations_removed_deprecated_and_status_codes() -> None:
    old = sides(op(), op("/v1/x", "GET"), code(200), code(404), code(201))
    new = sides(op(deprecated=True), code(200), code(409), param("id", "response_body", status=202))
    assert changes_of(old, new) == [
        ("api-operation-deprecated", None, "warning"), ("response-field-added", "id", "info"),
        ("response-success-status-removed", "201", "breaking"), ("response-status-added", "202", "info"),
        ("response-error-status-removed", "404", "warning"), ("response-status-added", "409", "info"),
        ("api-operation-removed", None, "breaking")]


def test_a_parameter_documented_twice_and_a_moved_page_are_no_change() -> None:
    old = sides(op(), param("cidr", required=True), param("cidr", required=True))
    moved = ParameterRecord("svc", "svc/b.rst", "rst", None, None, 3, None, 5, 99, None, None, None, "POST",
                            "/v1/vpcs", "body", None, "cidr", None, True, "String", "string", "Reworded.")
    new = sides(op(page="svc/b.rst"), moved)
    assert api_changes(old, new).changes == ()
    assert not api_changes(old, new).fails("info")


def test_fail_on_thresholds() -> None:
    changes = api_changes(sides(op()), sides(op(), param("limit", "query")))
    assert changes.fails("info") and not changes.fails("warning") and not changes.fails("breaking")
    assert at_least("breaking", "warning") and not at_least("info", "warning")


def test_page_text_is_escaped_in_the_human_views() -> None:
    changes = api_changes(sides(op()), sides(op(), param("evil\x1b[2J\u202ename", "query")))
    assert "\x1b" not in render_api_text(changes) and "\u202e" not in render_api_text(changes)
    assert "\\x1b" in render_api_text(changes)
    assert "\x1b" not in render_api_markdown(changes) and "\u202e" not in render_api_markdown(changes)
    assert "\x1b[31m" in render_api_text(api_changes(sides(op()), sides()), color=True)


# --- the catalogue ---------------------------------------------------------------------------------

_ROW = re.compile(r"^\| `([a-z0-9-]+)` \| (breaking|warning|info) \| (.+) \|$", re.MULTILINE)


def test_readme_lists_every_check_with_its_severity_and_description() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {m.group(1): (m.group(2), m.group(3)) for m in _ROW.finditer(readme)}
    assert rows == {c.id: (c.severity, c.description) for c in CHECKS.values()}


def test_every_severity_has_a_check_and_ids_are_unique() -> None:
    assert {c.severity for c in CHECKS.values()} == set(SEVERITIES)
    assert all(key == check.id for key, check in CHECKS.items())


# --- inside `pipeline diff` ---------------------------------------------------------------------------

def api_side(label: str, records: dict[str, list[Any]]) -> Side:
    """A diff side carrying the API datasets by name, as a side of the build's datasets does."""
    return Side(label, "docs", {name: tuple(found) for name, found in records.items()}, (), pages=1)


def test_pipeline_diff_compares_the_api_of_sides_that_carry_it() -> None:
    old, new = api_side("old", side("nat-dnat-rules", "new")), api_side("new", side("nat-dnat-rules", "old"))
    diff = compare(old, new)
    assert diff.differs and diff.api == case_changes("nat-dnat-rules", backwards=True)
    text = render_text(diff)
    assert text.endswith(render_api_text(diff.api)) and "breaking response-field-removed" in text
    assert render_markdown(diff).count("`response-field-removed`") == 3
    assert diff_dict(diff)["api"] == api_dict(diff.api)
    same = compare(old, old)
    assert not same.differs and same.api.changes == ()

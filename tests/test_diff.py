"""``pipeline diff``: the six real version pairs, identity, whitespace, the JSON contract, git, exit codes.

The pairs are two git versions of one page each, in ``tests/fixtures/versions/<service>/``,
the short commit after ``@``. Each side is a docs folder ``<tmp>/<side>/<service>/<page>``
with the ``@commit`` suffix removed, so both sides have the same ``source_path``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.diff import (
    ERROR_IDENTITY,
    STATUS_IDENTITY,
    DatasetDiff,
    compare,
    load_side,
    match_records,
    render_markdown,
    render_text,
    word_diff,
)
from pipeline.diff.compare import IDENTITIES
from pipeline.diff.load import Side
from pipeline.model import ErrorCodeRecord, StatusCodeRecord
from pipeline.schema import ERROR_CODES, RESOURCES, STATUS_CODES

VERSIONS = Path(__file__).parent / "fixtures" / "versions"

# (old, new) as the issue describes each change; one side of each pair is the page in raw_docs/.
VPC = ("vpc/status_codes@1e295cb1c2.rst", "vpc/status_codes@212f6d8ff7.rst")
ECS_RST = ("ecs/http_status_codes@5730228e50.rst", "ecs/http_status_codes@a1d1b4810e.rst")
ECS_HTML = ("ecs/en-us_topic_0022067716@3196b64bfc.html", "ecs/en-us_topic_0022067716@1bf14c676b.html")
DEH = ("deh/status_codes@1824674a14.rst", "deh/status_codes@953faf7048.rst")
ELB = ("elb/status_codes@8369fde5b8.rst", "elb/status_codes@86ebb6c673.rst")
VPN = ("vpn-enterprise/error_codes@abb87e665f.rst", "vpn-enterprise/error_codes@2bb2784e3c.rst")
PAIRS = {"vpc": VPC, "ecs-rst": ECS_RST, "ecs-html": ECS_HTML, "deh": DEH, "elb": ELB, "vpn-enterprise": VPN}
#: The summary line's counts of the datasets no test here changes (the pages and what operation pages give).
OTHER_DATASETS = ("pages +0 -0 ~0, operations +0 -0 ~0, operation status codes +0 -0 ~0, parameters +0 -0 ~0, "
                  "operation sections +0 -0 ~0")
NO_DIFFERENCES = ("1 service compared: 0 added, 0 removed, 0 changed (status codes +0 -0 ~0, error codes +0 -0 ~0, "
                  f"{OTHER_DATASETS})\n")
ALL_VERSIONS = sorted(str(p.relative_to(VERSIONS)) for p in VERSIONS.glob("*/*@*"))


def page_name(version: str) -> str:
    """``vpc/status_codes@1e295cb1c2.rst`` -> ``vpc/status_codes.rst``."""
    return re.sub(r"@[0-9a-f]+", "", version)


def docs(root: Path, version: str) -> Path:
    """A docs folder under ``root`` holding the one page ``version`` as ``<service>/<page>``."""
    target = root / page_name(version)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(VERSIONS / version, target)
    return root


def pair_dirs(tmp_path: Path, pair: tuple[str, str]) -> tuple[Path, Path]:
    return docs(tmp_path / "old", pair[0]), docs(tmp_path / "new", pair[1])


def diff_pair(tmp_path: Path, pair: tuple[str, str], exact: bool = False) -> DatasetDiff:
    old, new = pair_dirs(tmp_path, pair)
    return compare(load_side(str(old)), load_side(str(new)), exact=exact)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["diff", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def check_accounting(diff: DatasetDiff, old: Side, new: Side) -> None:
    """Every record of each side is exactly once added/removed, changed or unchanged."""
    for resource in RESOURCES:
        records, before, after = diff.of(resource), old.records_of(resource), new.records_of(resource)
        assert len(before) == len(records.removed) + len(records.changed) + records.unchanged
        assert len(after) == len(records.added) + len(records.changed) + records.unchanged


# -- the six real pairs ---------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(PAIRS))
def test_real_pair_exits_1_and_accounts_for_every_record(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          name: str) -> None:
    old, new = pair_dirs(tmp_path, PAIRS[name])
    code, out, err = run(capsys, str(old), str(new))
    assert (code, err) == (1, "")
    assert out.splitlines()[:2] == [f"--- {old}", f"+++ {new}"]
    assert out.splitlines()[-1].startswith("1 service compared: ")
    old_side, new_side = load_side(str(old)), load_side(str(new))
    check_accounting(compare(old_side, new_side), old_side, new_side)


def test_vpc_one_status_code_added_202(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diff = diff_pair(tmp_path, VPC)
    assert [r.status_code for r in diff.of(STATUS_CODES).added] == [202]
    assert diff.of(STATUS_CODES).added[0].description == (
        "Specifies the normal response to the pre-check request of the V3 API.")
    assert (diff.removed, diff.changed, diff.of(STATUS_CODES).unchanged) == (0, 0, 17)
    assert diff.of(ERROR_CODES).differences == 0
    _, out, _ = run(capsys, str(tmp_path / "old"), str(tmp_path / "new"))
    assert "    + 202 Accepted  vpc/status_codes.rst:17: table 0 row 2" in out.splitlines()
    assert out.splitlines()[-1] == (
        f"1 service compared: 1 added, 0 removed, 0 changed (status codes +1 -0 ~0, error codes +0 -0 ~0, "
        f"{OTHER_DATASETS})")


def test_ecs_rst_429_added(tmp_path: Path) -> None:
    diff = diff_pair(tmp_path, ECS_RST)
    assert [(r.status_code, r.reason) for r in diff.of(STATUS_CODES).added] == [(429, "Too Many Requests")]
    assert (diff.removed, diff.changed, diff.of(STATUS_CODES).unchanged) == (0, 0, 15)


def test_ecs_html_201_and_429_added_and_204_reworded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diff = diff_pair(tmp_path, ECS_HTML)
    assert [r.status_code for r in diff.of(STATUS_CODES).added] == [201, 429]
    assert diff.removed == 0
    [change] = diff.of(STATUS_CODES).changed
    assert change.key == ("ecs", "ecs/en-us_topic_0022067716.html", 204)
    assert change.fields == ("description",)
    assert (change.before.description, change.after.description) == (
        "The task is successfully delivered.", "Task delivered.")
    # 202 and everything after 201 moved down a row: moving is not a change.
    assert (change.before.row_index, change.after.row_index) == (2, 3)
    _, out, _ = run(capsys, str(tmp_path / "old"), str(tmp_path / "new"))
    assert "        description: [-The task is successfully-]{+Task+} delivered." in out.splitlines()


def test_deh_every_reworded_description_is_a_changed_description(tmp_path: Path) -> None:
    diff = diff_pair(tmp_path, DEH)
    assert (diff.added, diff.removed) == (0, 0)
    changed = diff.of(STATUS_CODES).changed
    assert len(changed) == 17
    assert {c.fields for c in changed} == {("description",)}
    assert all(c.before.description != c.after.description for c in changed)
    # 408's text is the one description the rewrite kept: "The request timed out."
    assert diff.of(STATUS_CODES).unchanged == 1
    assert 408 not in {c.after.status_code for c in changed}
    assert [c.after.status_code for c in changed] == [
        200, 201, 202, 204, 400, 401, 403, 404, 405, 406, 407, 409, 500, 501, 502, 503, 504]


def test_elb_error_table_rewritten(tmp_path: Path) -> None:
    diff = diff_pair(tmp_path, ELB)
    records = diff.of(STATUS_CODES)
    assert (len(records.added), len(records.removed), len(records.changed), records.unchanged) == (12, 9, 12, 3)
    # The "Normal status codes" table did not change; everything happened in "Error codes".
    assert {r.table_title for r in (*records.added, *records.removed)} == {"Error codes"}
    assert {c.after.table_title for c in records.changed} == {"Error codes"}
    assert sorted(r.status_code for r in records.added) == [400] * 8 + [404] + [409] * 3
    assert sorted(r.status_code for r in records.removed) == [401, 405, 406, 407, 408, 500, 501, 502, 504]
    # Duplicates of a key pair in document order: the 4 old 400 rows pair with the first 4 new ones.
    fours = [c for c in records.changed if c.after.status_code == 400]
    assert [(c.before.row_index, c.after.row_index) for c in fours] == [(0, 0), (1, 1), (2, 2), (3, 3)]
    assert fours[0].before.description == "Invalid request URI."
    assert fours[0].after.description == "Malformed request URI or body."


def test_vpn_enterprise_columns_dropped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diff = diff_pair(tmp_path, VPN)
    assert diff.of(STATUS_CODES).differences == 0
    records = diff.of(ERROR_CODES)
    assert (len(records.added), len(records.removed), len(records.changed)) == (47, 0, 4)
    assert [(c.key, c.after.status_code) for c in records.changed] == [
        (("vpn-enterprise", "VPN.0001"), 400), (("vpn-enterprise", "VPN.0002"), 500),
        (("vpn-enterprise", "VPN.0003"), 403), (("vpn-enterprise", "VPN.0004"), 404)]
    for change in records.changed:
        # The Description and Module columns were dropped; message and solution stayed.
        assert change.fields == ("description", "module")
        assert change.before.module == "Common" and change.after.module is None
        assert change.before.description and change.after.description is None
        assert change.before.message == change.after.message
    _, out, _ = run(capsys, str(tmp_path / "old"), str(tmp_path / "new"))
    assert "        module: [-Common-]" in out.splitlines()
    assert '        (table title: none -> "Error codes for VPN public APIs")' in out.splitlines()


# -- identity --------------------------------------------------------------------------------

@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_a_version_against_itself_is_only_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      version: str) -> None:
    side = docs(tmp_path / "a", version)
    code, out, err = run(capsys, str(side), str(side))
    assert (code, err) == (0, "")
    assert len(out.splitlines()) == 1
    assert re.fullmatch(r"1 service compared: 0 added, 0 removed, 0 changed \(.*\)\n", out)


def test_a_built_dataset_equals_its_docs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = docs(tmp_path / "docs", VPN[1])
    assert main(["build", str(source), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert run(capsys, str(tmp_path / "out"), str(source))[0] == 0
    assert run(capsys, str(tmp_path / "out"), str(docs(tmp_path / "older", VPN[0])))[0] == 1


# -- matching by identity ------------------------------------------------------------------

def test_moving_rows_and_reordering_tables_is_no_change(tmp_path: Path) -> None:
    side = load_side(str(docs(tmp_path, VPC[1])))
    shuffled = tuple(replace(r, table_index=1 - r.table_index, row_index=99 - r.row_index, line=None)
                     for r in reversed(side.records_of(STATUS_CODES)))
    diff = match_records(STATUS_IDENTITY, side.records_of(STATUS_CODES), shuffled)
    assert (diff.differences, diff.unchanged) == (0, 18)


def error(code: str, status: int | None, message: str, row: int, table: int = 0, title: str | None = None,
          path: str = "vpc/error_codes.rst") -> ErrorCodeRecord:
    return ErrorCodeRecord("vpc", path, "rst", "Error Codes", None, table, title, row, None, None, None, None, code,
                           status, message, None, None, None)


def test_duplicate_keys_pair_deterministically_and_nothing_is_dropped() -> None:
    # VPC.0101/400 is documented twice in one table (creating and querying a VPC).
    old = [error("VPC.0101", 400, "create failed", 0), error("VPC.0101", 400, "query failed", 1),
           error("VPC.0102", None, "x", 2)]
    swapped = [old[1], old[0], old[2]]
    assert match_records(ERROR_IDENTITY, old, swapped).differences == 0
    one_reworded = [old[0], replace(old[1], message="query of the VPC failed"), old[2]]
    diff = match_records(ERROR_IDENTITY, old, one_reworded)
    assert [(c.before.message, c.after.message) for c in diff.changed] == [
        ("query failed", "query of the VPC failed")]
    dropped = match_records(ERROR_IDENTITY, old, [old[1], old[2]])
    assert [r.message for r in dropped.removed] == ["create failed"] and dropped.unchanged == 2
    tripled = match_records(ERROR_IDENTITY, old, [*old, replace(old[0], row_index=3)])
    assert len(tripled.added) == 1 and tripled.unchanged == 3
    # The role (page, table title) tells duplicates apart before document order does.
    a = [error("E.1", 400, "old a", 0, 0, "A"), error("E.1", 400, "old b", 0, 1, "B")]
    b = [error("E.1", 400, "new b", 0, 0, "B"), error("E.1", 400, "new a", 0, 1, "A")]
    pairs = [(c.before.message, c.after.message) for c in match_records(ERROR_IDENTITY, a, b).changed]
    assert sorted(pairs) == [("old a", "new a"), ("old b", "new b")]


def status(code: int, title: str | None, description: str, table: int, row: int) -> StatusCodeRecord:
    return StatusCodeRecord("elb", "elb/status_codes.rst", "rst", None, None, table, title, row, None, None, None,
                            None, code, None, "Bad Request", description, "client_error")


def test_a_code_in_two_tables_of_a_page_is_matched_by_table_title() -> None:
    old = [status(400, "Normal", "n", 0, 0), status(400, "Errors", "e", 1, 0)]
    new = [status(400, "Errors", "e, reworded", 0, 0), status(400, "Normal", "n", 1, 0)]  # tables swapped
    diff = match_records(STATUS_IDENTITY, old, new)
    [change] = diff.changed
    assert (change.before.table_title, change.after.table_title, change.fields) == ("Errors", "Errors",
                                                                                    ("description",))
    assert diff.unchanged == 1 and not diff.added and not diff.removed


def test_error_codes_are_keyed_without_their_page() -> None:
    before = [error("VPC.0002", 400, "m", 0, path="vpc/error_codes.rst")]
    after = [error("VPC.0002", 400, "m", 5, path="vpc/error-codes.md")]
    assert match_records(ERROR_IDENTITY, before, after).differences == 0
    moved = match_records(STATUS_IDENTITY, [status(400, None, "d", 0, 0)],
                          [replace(status(400, None, "d", 0, 0), source_path="elb/other.rst")])
    assert (len(moved.added), len(moved.removed)) == (1, 1)  # a status code's page is part of its key


# -- whitespace and --exact -----------------------------------------------------------------

def test_whitespace_only_changes_are_ignored_unless_exact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = docs(tmp_path / "docs", VPC[1])
    assert main(["build", str(source), "--out", str(tmp_path / "a"), "-q"]) == 0
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    data = json.loads((tmp_path / "b" / "status_codes.json").read_text(encoding="utf-8"))
    assert data[4]["description"] == "The server failed to process the request."
    data[4]["description"] = " The server  failed to\u00a0process the request. "
    data[5]["description"] = data[5]["description"].replace("username and", "username\tand")
    (tmp_path / "b" / "status_codes.json").write_text(json.dumps(data), encoding="utf-8")
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    code, out, _ = run(capsys, a, b)
    assert (code, len(out.splitlines())) == (0, 1)
    code, out, _ = run(capsys, "--exact", a, b, "--format", "json")
    assert code == 1
    changed = json.loads(out)["status_codes"]["changed"]
    assert [(c["key"]["status_code"], c["fields"]) for c in changed] == [(400, ["description"]),
                                                                         (401, ["description"])]
    assert json.loads(out)["summary"]["exact"] is True
    code, out, _ = run(capsys, "--exact", a, b)
    assert "        description: {+ +}The server[- -]{+  +}failed to[- -]{+\\xa0+}process the request.{+ +}" in out
    assert "username[- -]{+\\t+}and" in out


def test_word_diff() -> None:
    assert word_diff("Invalid request URI.", "Malformed request URI or body.") == (
        "[-Invalid-]{+Malformed+} request [-URI.-]{+URI or body.+}")
    assert word_diff(None, "new text") == "{+new text+}"
    assert word_diff("old", None) == "[-old-]"
    assert word_diff("a  b", "a b", exact=True) == "a[-  -]{+ +}b"
    assert word_diff("a b", "a\tb", exact=True) == "a[- -]{+\\t+}b"


# -- output formats -------------------------------------------------------------------------

def test_json_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = pair_dirs(tmp_path, ECS_HTML)
    code, out, _ = run(capsys, str(old), str(new), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert list(data) == ["summary", *(r.name for r in RESOURCES), "api"]
    assert data["api"] == {"summary": {"breaking": 0, "warning": 0, "info": 0}, "changes": []}
    assert data["summary"] == {
        "old": str(old), "new": str(new), "exact": False, "complete": True, "services_compared": 1,
        "services_changed": ["ecs"], "added": 2, "removed": 0, "changed": 1, "uncompared": 0,
        "status_codes": {"added": 2, "removed": 0, "changed": 1, "unchanged": 17, "uncompared": 0},
        "error_codes": {"added": 0, "removed": 0, "changed": 0, "unchanged": 0, "uncompared": 0},
        "pages": {"added": 0, "removed": 0, "changed": 0, "unchanged": 1, "uncompared": 0},
        **{r.name: {"added": 0, "removed": 0, "changed": 0, "unchanged": 0, "uncompared": 0} for r in RESOURCES[3:]},
        "sides": {"old": {"records": 18, "pages": 1, "unreadable": []},
                  "new": {"records": 20, "pages": 1, "unreadable": []}},
    }
    for name, resource, identity in (("status_codes", STATUS_CODES, STATUS_IDENTITY),
                                     ("error_codes", ERROR_CODES, ERROR_IDENTITY)):
        assert list(data[name]) == ["added", "removed", "changed", "uncompared"]
        assert data[name]["uncompared"] == {"old": [], "new": []}
        for record in data[name]["added"] + data[name]["removed"]:
            assert list(record) == list(resource.column_names)
        for change in data[name]["changed"]:
            assert list(change) == ["key", "before", "after", "fields"]
            assert list(change["key"]) == list(identity.key)
            assert list(change["before"]) == list(change["after"]) == list(resource.column_names)
    assert [r["status_code"] for r in data["status_codes"]["added"]] == [201, 429]
    [change] = data["status_codes"]["changed"]
    assert change["key"] == {"service": "ecs", "source_path": "ecs/en-us_topic_0022067716.html", "status_code": 204}
    assert change["fields"] == ["description"]
    assert change["before"]["description"] == "The task is successfully delivered."
    assert change["after"]["description"] == "Task delivered."


def test_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = pair_dirs(tmp_path, ECS_HTML)
    code, out, _ = run(capsys, str(old), str(new), "--format", "markdown")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("### Dataset diff: ")
    assert "#### ecs" in lines and "**Status codes**" in lines
    assert ("| added | 201 Created | **description:** Request processed. "
            "| ecs/en-us\\_topic\\_0022067716.html:16: table 0 row 1 |") in lines
    assert any(line.startswith("| changed | 204 No Content | **description:** "
                               "<del>The task is successfully</del><ins>Task</ins> delivered. |") for line in lines)
    assert lines[-1] == ("**1 service compared: 2 added, 0 removed, 1 changed "
                         f"(status codes +2 -0 ~1, error codes +0 -0 ~0, {OTHER_DATASETS})**")
    same = compare(load_side(str(new)), load_side(str(new)))
    assert "No differences." in render_markdown(same)


def test_markdown_escapes_table_breakers() -> None:
    record = error("E|1", 400, "a | b <script> *x*", 0)
    nothing = {r.name: match_records(IDENTITIES[r.name], [], []) for r in RESOURCES}
    diff = DatasetDiff("a", "b", False, ("vpc",), {**nothing,
                                                   ERROR_CODES.name: match_records(ERROR_IDENTITY, [], [record])})
    row = next(line for line in render_markdown(diff).splitlines() if line.startswith("| added"))
    assert row.count(" | ") == 3 and "<script>" not in row and "\\|" in row


def test_colour_only_when_asked_or_on_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = pair_dirs(tmp_path, ECS_HTML)
    assert "\x1b[" not in run(capsys, str(old), str(new))[1]  # captured stdout is no terminal
    coloured = run(capsys, str(old), str(new), "--color", "always")[1]
    assert "\x1b[31m[-The task is successfully-]\x1b[0m\x1b[32m{+Task+}\x1b[0m delivered." in coloured
    text = render_text(compare(load_side(str(old)), load_side(str(new))))
    assert "\x1b[" not in text


# -- exit codes and --quiet -----------------------------------------------------------------

def test_quiet_prints_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = pair_dirs(tmp_path, VPC)
    assert run(capsys, "--quiet", str(old), str(new)) == (1, "", "")
    assert run(capsys, "-q", str(new), str(new)) == (0, "", "")


def test_trouble_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    side = docs(tmp_path / "docs", VPC[0])
    missing = tmp_path / "missing"
    code, out, err = run(capsys, str(missing), str(side))
    assert (code, out) == (2, "")
    assert err == f"pipeline: {missing} does not exist\n"
    code, _, err = run(capsys, "-q", str(side), str(missing))
    assert code == 2 and err.count("\n") == 1  # --quiet silences the report, not the trouble
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{}", encoding="utf-8")
    (broken / "status_codes.json").write_text("[{\"service\": 1}]", encoding="utf-8")
    code, _, err = run(capsys, str(broken), str(side))
    assert code == 2 and "status_codes.json: record 0: not a status_codes record" in err
    (broken / "status_codes.json").write_text("[", encoding="utf-8")
    assert run(capsys, str(broken), str(side))[0] == 2
    assert run(capsys, str(side / "vpc" / "status_codes.rst"), str(side))[0] == 2  # a file, not a folder
    assert run(capsys, "--repo", str(tmp_path), str(side), str(side))[0] == 2
    assert run(capsys, str(side), str(side), "--format", "yaml")[0] == 2


def test_unreadable_pages_are_reported_and_a_service_folder_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = pair_dirs(tmp_path, VPC)
    (new / "vpc" / "broken.rst").write_bytes(b"\x00\x01binary")
    code, out, err = run(capsys, str(old), str(new))
    assert code == 2 and "+ 202 Accepted" in out  # incomplete: see test_diff_safety.py
    assert "  vpc/broken.rst: binary data, not a text page" in out.splitlines()
    assert err == ("pipeline: the diff is incomplete: 1 page could not be read (old 0, new 1; the report lists "
                   "them); --allow-incomplete compares the rest\n")
    assert run(capsys, "--allow-incomplete", str(old), str(new))[0] == 1
    code, _, err = run(capsys, str(old / "vpc"), str(new / "vpc"))
    assert code == 2 and "holds pages directly" in err


# -- git ------------------------------------------------------------------------------------

def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=env).stdout


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A repository with two commits of docs/vpc/status_codes.rst: the 202 row arrives in HEAD."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    for version in VPC:
        docs(root / "docs", version)
        git(root, "add", "docs")
        git(root, "commit", "-q", "-m", version)
    return root


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file of the work tree and .git with its size and mtime."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_git_revisions(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                       monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    monkeypatch.chdir(repo)
    (repo / "docs" / "vpc" / "status_codes.rst").write_text("local edit, not committed\n", encoding="utf-8")
    before = snapshot(repo)
    code, out, err = run(capsys, "--git", "HEAD~1:docs", "HEAD:docs")
    assert (code, err) == (1, "")
    assert out.splitlines()[:2] == ["--- HEAD~1:docs", "+++ HEAD:docs"]
    assert "    + 202 Accepted  vpc/status_codes.rst:17: table 0 row 2" in out.splitlines()
    assert out.splitlines()[-1].startswith("1 service compared: 1 added, 0 removed, 0 changed")
    assert run(capsys, "--git", "HEAD:docs", "HEAD:docs")[0] == 0
    # The work tree, the index and .git are untouched, and the temporary directories are gone.
    assert snapshot(repo) == before
    assert git(repo, "status", "--porcelain") == " M docs/vpc/status_codes.rst\n"
    assert list(scratch.iterdir()) == []


def test_git_with_repo_option_and_a_local_side(repo: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    new = docs(tmp_path / "local", VPC[1])
    assert run(capsys, "--git", "--repo", str(repo), "HEAD:docs", str(new))[0] == 0
    diff = compare(load_side("HEAD~1:docs", git=True, repo=repo), load_side(str(new)))
    assert [r.status_code for r in diff.of(STATUS_CODES).added] == [202]
    # A built dataset committed to git (like output/) is a side too.
    assert main(["build", str(repo / "docs"), "--out", str(repo / "out"), "-q"]) == 0
    git(repo, "add", "out")
    git(repo, "commit", "-q", "-m", "dataset")
    assert run(capsys, "--git", "--repo", str(repo), "HEAD:out", "HEAD~1:docs") == (0, NO_DIFFERENCES, "")
    assert run(capsys, "--git", "--repo", str(repo), "HEAD:out", "HEAD~2:docs")[0] == 1


def test_git_trouble_exits_2(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for bad in ("HEAD~5:docs", "HEAD:nowhere", "HEAD:docs/vpc/status_codes.rst", ":docs"):
        code, out, err = run(capsys, "--git", "--repo", str(repo), bad, "HEAD:docs")
        assert (code, out) == (2, ""), bad
        assert err.startswith("pipeline: ") and err.count("\n") == 1, err
    assert run(capsys, "--git", "--repo", str(tmp_path / "nope"), "HEAD:docs", "HEAD:docs")[0] == 2
    assert run(capsys, "--git", "--repo", str(tmp_path), "HEAD:docs", "HEAD:docs")[0] == 2  # not a repository


def test_fail_on_sets_the_exit_code_by_api_changes_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = pair_dirs(tmp_path, ECS_HTML)
    assert run(capsys, str(old), str(new))[0] == 1
    # status codes changed, the API (operations, parameters, their statuses) did not
    assert run(capsys, str(old), str(new), "--fail-on", "info")[0] == 0

"""``pipeline diff`` against hostile or broken input (issue 12, items 12-16 and 19).

Page text never reaches the terminal raw; a side that could not be read is never reported as
removed; an error code whose HTTP status changed is one change; nothing from the command line
reaches git as an option; deeply nested JSON is a one-line error; ``REV:path`` without
``--git`` gets a hint.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.diff import ERROR_IDENTITY, STATUS_IDENTITY, match_records
from pipeline.model import ErrorCodeRecord, StatusCodeRecord

ROOT = Path(__file__).resolve().parent.parent
VPC_OLD = ROOT / "tests" / "fixtures" / "versions" / "vpc" / "status_codes@1e295cb1c2.rst"
VPC_ERRORS = ROOT / "raw_docs" / "vpc" / "error_codes.rst"
#: Every character item 12 names: ESC, the other C0/C1 controls, and each bidi control.
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
#: Our own colour codes (``--color always``): the only escape sequences allowed in the output.
OUR_SGR = re.compile(r"\x1b\[[0-9;]*m")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["diff", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def page(root: Path, rel: str, source: Path | bytes) -> Path:
    """``root`` with the page ``rel`` copied from ``source`` (or holding those bytes)."""
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(source, bytes):
        target.write_bytes(source)
    else:
        shutil.copyfile(source, target)
    return root


def assert_terminal_safe(text: str) -> None:
    """No control character but a newline, and no bidi control, once our colour codes are gone."""
    rest = OUR_SGR.sub("", text)
    bad = [ch for ch in rest if (not ch.isprintable() and ch != "\n") or ch in BIDI]
    assert not bad, f"unescaped {bad!r} in {text!r}"


# -- 12: control and bidi characters are escaped in every human output ----------------------

@pytest.fixture()
def hostile_pair(tmp_path: Path) -> tuple[Path, Path]:
    """Two datasets whose cells, page names and table titles carry escape sequences and bidi controls."""
    source = page(tmp_path / "docs", "vpc/status_codes.rst", VPC_OLD)
    assert main(["build", str(source), "--out", str(tmp_path / "a"), "-q"]) == 0
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    data = json.loads((tmp_path / "b" / "status_codes.json").read_text(encoding="utf-8"))
    data[0]["description"] = "OK\x1b[2J\x1b]0;owned\x07 now\u202eevil\u2066 | `x` \n| broken"  # changed
    data[1]["source_path"] = "vpc/\x1b[31mred\u202e.rst"  # removed from one page, added on another
    data[2]["table_title"] = "T\x1b[5m\u2067itle"  # moved table: a location note
    data[2]["description"] += " \x9b31m" + BIDI  # and changed: the word view
    (tmp_path / "b" / "status_codes.json").write_text(json.dumps(data), encoding="utf-8")
    return tmp_path / "a", tmp_path / "b"


@pytest.mark.parametrize("options", [(), ("--color", "always"), ("--exact",), ("--format", "markdown")])
def test_diff_escapes_controls_and_bidi_in_text_and_markdown(hostile_pair: tuple[Path, Path],
                                                             capsys: pytest.CaptureFixture[str],
                                                             options: tuple[str, ...]) -> None:
    code, out, err = run(capsys, *options, str(hostile_pair[0]), str(hostile_pair[1]))
    assert (code, err) == (1, "")
    assert_terminal_safe(out)
    assert "\\x1b" in out and "\\u202e" in out  # shown, as the four/six characters
    if "markdown" in options:
        rows = [line for line in out.splitlines() if line.startswith("| ")]
        # No cell text breaks the table: every row has its four cells on one line, pipes escaped.
        assert rows and all(len(re.findall(r"(?<!\\)\|", row)) == 5 for row in rows), rows
        assert "\\`x\\`" in out


def test_stderr_messages_escape_controls(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    side = page(tmp_path / "docs", "vpc/status_codes.rst", VPC_OLD)
    missing = tmp_path / "gone\x1b[2J\u202e"
    code, out, err = run(capsys, str(missing), str(side))
    assert (code, out) == (2, "")
    assert_terminal_safe(err)
    assert err.count("\n") == 1 and "gone\\x1b[2J\\u202e does not exist" in err
    # A page that cannot be read, named with a bidi control, is listed escaped (report and stderr).
    broken = page(tmp_path / "new", "vpc/status_codes.rst", VPC_OLD)
    page(broken, "vpc/\u202ebroken\x1b[0m.rst", b"\x00\x01binary")
    for options in ((), ("--format", "markdown"), ("--allow-incomplete",), ("-q",)):
        code, out, err = run(capsys, *options, str(side), str(broken))
        assert_terminal_safe(out + err)
        assert "broken" in out or "-q" in options


# -- 13: a side that could not be read is not "removed" --------------------------------------

def test_a_page_unreadable_on_one_side_is_not_compared_and_the_diff_is_incomplete(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = page(tmp_path / "old", "vpc/status_codes.rst", VPC_OLD)
    new = page(tmp_path / "new", "vpc/status_codes.rst", b"\x00\x01binary")
    code, out, err = run(capsys, str(old), str(new))
    assert code == 2  # not "1: 17 records removed"
    assert "removed" not in out.replace("0 removed", "").replace("neither added nor removed", "")
    assert "could not be read in new" in out and "  vpc/status_codes.rst: binary data, not a text page" in out
    assert out.splitlines()[-1].endswith("; incomplete: 1 page could not be read (old 0, new 1), "
                                         "18 records not compared")  # 17 status codes and the page's record
    assert err.startswith("pipeline: the diff is incomplete: 1 page could not be read") and err.count("\n") == 1
    # --allow-incomplete: exit by the differences of the rest (none), still listing the page.
    code, out, err = run(capsys, "--allow-incomplete", "--format", "markdown", str(old), str(new))
    assert code == 0 and "- vpc/status\\_codes.rst: binary data, not a text page" in out
    code, out, _ = run(capsys, "--allow-incomplete", "--format", "json", str(old), str(new))
    data = json.loads(out)
    assert code == 0 and data["summary"]["complete"] is False
    assert (data["summary"]["removed"], data["summary"]["uncompared"]) == (0, 18)  # the page's record too
    assert [i["path"] for i in data["summary"]["sides"]["new"]["unreadable"]] == ["vpc/status_codes.rst"]
    assert data["summary"]["sides"]["old"]["unreadable"] == []
    assert len(data["status_codes"]["uncompared"]["old"]) == 17 and data["status_codes"]["removed"] == []
    # The same the other way round: the records of the readable side are not "added".
    code, out, _ = run(capsys, "--allow-incomplete", "--format", "json", str(new), str(old))
    summary = json.loads(out)["summary"]
    assert (code, summary["added"], summary["uncompared"]) == (0, 0, 18)
    assert run(capsys, "-q", str(old), str(new))[0] == 2


def test_a_dataset_built_with_an_unreadable_page_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = page(tmp_path / "docs", "vpc/status_codes.rst", VPC_OLD)
    broken = page(tmp_path / "broken", "vpc/status_codes.rst", b"\x00\x01binary")
    page(broken, "dns/status_codes.rst", VPC_OLD)  # a build where no page can be read writes nothing
    assert main(["build", str(broken), "--out", str(tmp_path / "out"), "-q"]) == 0
    code, out, _ = run(capsys, str(tmp_path / "out"), str(docs))
    assert code == 2 and "+ 200 OK" not in out  # its records are not "added": the dataset never read them
    assert f"could not be read in old ({tmp_path / 'out'})" in out
    assert "  vpc/status_codes.rst: binary data, not a text page" in out


def test_records_under_an_unreadable_folder_are_not_compared() -> None:
    old = [StatusCodeRecord("vpc", "vpc/a.rst", "rst", None, None, 0, None, 0, None, None, None, None, 200, None,
                            "OK", None, "success")]
    diff = match_records(STATUS_IDENTITY, old, [], new_unreadable=["vpc"])
    assert (diff.removed, diff.uncompared_old) == ((), tuple(old))
    assert match_records(STATUS_IDENTITY, old, [], new_unreadable=["vpcx"]).removed == tuple(old)
    assert match_records(STATUS_IDENTITY, [], old, old_unreadable=["."]).uncompared_new == tuple(old)


def test_a_diff_against_an_empty_side_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = page(tmp_path / "docs", "vpc/status_codes.rst", VPC_OLD)
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, _ = run(capsys, str(empty), str(docs))
    assert code == 1 and f"old ({empty}) is empty: no pages were found in it" in out.splitlines()
    code, out, _ = run(capsys, "--format", "markdown", str(docs), str(empty))
    assert code == 1 and "is empty: no pages were found in it**" in out
    assert main(["build", str(docs), "--out", str(tmp_path / "out"), "-q"]) == 0
    (tmp_path / "out" / "status_codes.json").write_text("[]", encoding="utf-8")
    code, out, _ = run(capsys, "--format", "json", str(tmp_path / "out"), str(docs))
    sides = json.loads(out)["summary"]["sides"]
    assert code == 1 and (sides["old"]["records"], sides["new"]["records"]) == (0, 17)
    assert f"old ({tmp_path / 'out'}) is empty: the dataset holds no records" in run(
        capsys, str(tmp_path / "out"), str(docs))[1]


# -- 14: an error code whose HTTP status changed is one change -------------------------------

def error(code: str, status: int | None, message: str, row: int, title: str | None = None,
          path: str = "vpc/error_codes.rst") -> ErrorCodeRecord:
    return ErrorCodeRecord("vpc", path, "rst", "Error Codes", None, 0, title, row, None, None, None, None, code, status,
                           message, None, None, None)


def test_a_status_change_of_an_error_code_is_a_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = page(tmp_path / "old", "vpc/error_codes.rst", VPC_ERRORS)
    text = VPC_ERRORS.read_text(encoding="utf-8")
    row = "| 400         | VPC.0002   | AZ name is null."
    assert text.count(row) == 1
    new = tmp_path / "new" / "vpc" / "error_codes.rst"
    new.parent.mkdir(parents=True)
    new.write_text(text.replace(row, row.replace("400", "404")), encoding="utf-8")
    code, out, _ = run(capsys, "--format", "json", str(old), str(tmp_path / "new"))
    data = json.loads(out)["error_codes"]
    assert code == 1 and (data["added"], data["removed"]) == ([], [])
    [change] = data["changed"]
    assert change["key"] == {"service": "vpc", "error_code": "VPC.0002"}
    assert change["fields"] == ["status_code"]
    assert (change["before"]["status_code"], change["after"]["status_code"]) == (400, 404)
    code, out, _ = run(capsys, str(old), str(tmp_path / "new"))
    assert "    ~ VPC.0002 (HTTP 404)  vpc/error_codes.rst:29: table 0 row 0" in out.splitlines()
    assert "        status_code: [-400-]{+404+}" in out.splitlines()


def test_duplicate_codes_pair_by_table_and_status_deterministically() -> None:
    # VPC.0101 is documented on several rows of one table, with different messages.
    old = [error("VPC.0101", 400, "create failed", 0, "T"), error("VPC.0101", 400, "query failed", 1, "T"),
           error("VPC.0101", 404, "delete failed", 2, "T")]
    # The query row now returns 404; the other rows moved.
    new = [error("VPC.0101", 404, "delete failed", 0, "T"), error("VPC.0101", 404, "query failed", 1, "T"),
           error("VPC.0101", 400, "create failed", 2, "T")]
    for before, after in ((old, new), (old[::-1], new[::-1])):
        diff = match_records(ERROR_IDENTITY, before, after)
        assert (diff.added, diff.removed, diff.unchanged) == ((), (), 2)
        [change] = diff.changed
        assert (change.before.message, change.fields, change.after.status_code) == (
            "query failed", ("status_code",), 404)
    # Within a table, a code pairs with the row of its own table (status changed) before the
    # same code and status on another page; what is left there is added.
    old = [error("E.1", 400, "m", 0, "T")]
    new = [error("E.1", 400, "other", 0, path="vpc/other.rst"), error("E.1", 404, "m", 0, "T")]
    diff = match_records(ERROR_IDENTITY, old, new)
    [change] = diff.changed
    assert (change.fields, change.after.source_path) == (("status_code",), "vpc/error_codes.rst")
    assert [r.source_path for r in diff.added] == ["vpc/other.rst"]
    # A rewording with the same status pairs before a status change in the same table.
    old = [error("E.2", 400, "a", 0, "T"), error("E.2", 404, "b", 1, "T")]
    new = [error("E.2", 404, "b, reworded", 0, "T"), error("E.2", 400, "a, reworded", 1, "T")]
    pairs = [(c.before.message, c.after.message, c.fields) for c in match_records(ERROR_IDENTITY, old, new).changed]
    assert sorted(pairs) == [("a", "a, reworded", ("message",)), ("b", "b, reworded", ("message",))]
    # The same code with and without a status: a status documented later is a change too.
    diff = match_records(ERROR_IDENTITY, [error("E.3", None, "m", 0)], [replace(error("E.3", None, "m", 0),
                                                                                status_code=409)])
    assert [c.fields for c in diff.changed] == [("status_code",)]


# -- 15: nothing from the command line reaches git as an option ------------------------------

def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=env).stdout


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    page(root / "docs", "vpc/status_codes.rst", VPC_OLD)
    git(root, "init", "-q")
    git(root, "add", "docs")
    git(root, "commit", "-q", "-m", "docs")
    return root


def git_logger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str | None = None) -> Path:
    """Put a ``git`` first on PATH that logs its arguments (one per line) and runs the real git.

    With ``version`` it only answers ``--version`` with that version and fails otherwise.
    """
    real = shutil.which("git")
    assert real is not None
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "git.log"
    script = bin_dir / "git"
    tail = (f'case "$*" in *--version*) echo "git version {version}";; *) exit 1;; esac' if version
            else f'exec "{real}" "$@"')
    script.write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done >> "{log}"\n'
                      f'echo "--" >> "{log}"\n{tail}\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def test_a_revision_never_becomes_a_git_option(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    log = git_logger(tmp_path, monkeypatch)
    for rev in ("--output=/tmp/x", "-p", "--help"):
        code, out, err = run(capsys, "--git", "--repo", str(repo), "--", f"{rev}:docs", "HEAD:docs")
        assert (code, out) == (2, "")
        assert err.count("\n") == 1 and "a revision cannot start with '-'" in err, err
    assert not log.exists() or not any(line.startswith(("--output", "-p", "--help"))
                                       for line in log.read_text().splitlines())
    # Every revision that does reach git comes after --end-of-options.
    assert run(capsys, "--git", "--repo", str(repo), "HEAD:docs", "HEAD:docs")[0] == 0
    calls = [call.strip("\n").split("\n") for call in log.read_text().split("--\n") if call.strip()]
    with_revision = [args for args in calls if "HEAD:docs" in args]
    assert len(with_revision) == 4  # cat-file -t and ls-tree, for each side
    for args in with_revision:
        assert args[args.index("HEAD:docs") - 1] == "--end-of-options", args


def test_a_git_without_end_of_options_is_refused(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    git_logger(tmp_path, monkeypatch, version="2.20.1")
    code, out, err = run(capsys, "--git", "--repo", str(repo), "HEAD:docs", "HEAD:docs")
    assert (code, out) == (2, "")
    assert err == f"pipeline: --git needs git 2.24 or newer; {tmp_path / 'bin' / 'git'} is 2.20\n"


# -- 16: deeply nested JSON is a one-line error, not a RecursionError --------------------------

@pytest.mark.parametrize("name", ["status_codes.json", "error_codes.json", "issues.json"])
def test_deeply_nested_json_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                name: str) -> None:
    docs = page(tmp_path / "docs", "vpc/status_codes.rst", VPC_OLD)
    assert main(["build", str(docs), "--out", str(tmp_path / "out"), "-q"]) == 0
    (tmp_path / "out" / name).write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, out, err = run(capsys, str(tmp_path / "out"), str(docs))
    assert (code, out) == (2, "")
    assert err == f"pipeline: {tmp_path / 'out' / name} is not a dataset file: it is nested too deeply " \
                  "to read\n"


# -- 19: REV:path without --git -----------------------------------------------------------------

def test_rev_path_without_git_suggests_git(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "HEAD~1:raw_docs", "HEAD:raw_docs")
    assert (code, out) == (2, "")
    assert err == ("pipeline: HEAD~1:raw_docs does not exist; did you mean --git, to read REV:path from the "
                   "git repository?\n")
    # An existing folder with a colon in its name is read as the folder it is; a plain missing
    # path or a drive-letter path gets no hint.
    page(tmp_path / "v1:docs", "vpc/status_codes.rst", VPC_OLD)
    assert run(capsys, "v1:docs", "v1:docs")[0] == 0
    for plain in ("missing", "C:/docs"):
        assert run(capsys, plain, "v1:docs")[2] == f"pipeline: {plain} does not exist\n"

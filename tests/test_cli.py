"""The command line through ``main(argv)``: exit codes, the summary line, help, README coverage."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import __version__
from pipeline.cli import COMMANDS, main, make_parser

ROOT = Path(__file__).resolve().parent.parent
SEED = Path(__file__).resolve().parent / "fixtures" / "seed"


def test_build_writes_dataset_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["build", str(SEED), "--out", str(out)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == ("pipeline: 5 pages, 10 tables, 83 status codes, 0 error codes, 0 operations, "
                       "0 operation status codes, 0 parameters, 0 operation sections, 0 problems, 0 skips, "
                       f"0 notices -> {out}")
    assert len(json.loads((out / "status_codes.json").read_text("utf-8"))) == 83
    assert capsys.readouterr().out == ""


def test_quiet_prints_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(SEED), "--out", str(tmp_path / "o"), "-q"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_quiet_still_prints_errors_but_not_warnings(make_docs, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    root = make_docs({"svc/junk.md": b"\x00\x01\x02binary\x00",
                      "svc/status.md": "# Codes\n\n<table><tr><th>Status Code</th><th>Description</th></tr>"
                      "<tr><td>200</td><td>OK</td></tr><tr><td>4O4</td><td>x</td></tr></table>\n"})
    assert main(["build", str(root), "--out", str(tmp_path / "out"), "-q", "--no-cache"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("svc/junk.md: ")  # the error; no warning, no summary
    # Nothing changed since: the up-to-date path keeps the same promise.
    assert main(["build", str(root), "--out", str(tmp_path / "out"), "-q", "--no-cache"]) == 0
    assert capsys.readouterr().err.splitlines() == err


def test_missing_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope" in err[0] and "does not exist" in err[0]


def test_strict_fails_on_problems(make_docs, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    root = make_docs({"svc/junk.md": b"\x00\x01\x02binary\x00",
                      "svc/ok.md": (SEED / "nat/status-codes.md").read_text()})
    assert main(["build", str(root), "--out", str(tmp_path / "o")]) == 0
    assert main(["build", str(root), "--out", str(tmp_path / "o"), "--strict"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"^svc/junk\.md: binary data", err, re.MULTILINE)
    issues = json.loads((tmp_path / "o" / "issues.json").read_text("utf-8"))
    assert issues[0]["path"] == "svc/junk.md" and issues[0]["severity"] == "error"


def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--no-such-flag"]) == 2
    assert main([]) == 2


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"pipeline {__version__}"


def subcommands() -> list[str]:
    parser = make_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)  # type: ignore[arg-type]


@pytest.mark.parametrize("command", subcommands())
def test_help_on_every_subcommand(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    assert f"usage: pipeline {command}" in capsys.readouterr().out


def test_readme_documents_every_subcommand() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert len(COMMANDS) == len(subcommands())
    for command in subcommands():
        assert f"pipeline {command}" in readme, command


def options(parser: argparse.ArgumentParser, command: str = "pipeline") -> Iterator[tuple[str, argparse.Action]]:
    """Every option of ``parser`` and of its subcommands' parsers, with the command it belongs to."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from options(sub, f"{command} {name}")
        elif action.option_strings:
            yield command, action


def test_readme_documents_every_option_of_every_command() -> None:
    """Each option string (``-q`` and ``--quiet`` alike) appears in README as a word of its own, and an
    option with choices is shown with exactly its choices (``--color auto|always|never``)."""
    readme = (ROOT / "README.md").read_text("utf-8")
    undocumented, wrong_choices = [], []
    found = list(options(make_parser()))
    for command, action in found:
        for flag in action.option_strings:
            if not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", readme):
                undocumented.append(f"{command} {flag}")
        if action.choices is not None:
            shown = {choice for match in re.finditer(rf"{re.escape(action.option_strings[-1])} ([\w-]+(?:\|[\w-]+)+)",
                                                      readme) for choice in match.group(1).split("|")}
            if shown != {str(c) for c in action.choices}:
                wrong_choices.append(f"{command} {action.option_strings[-1]}: README {sorted(shown)}, "
                                     f"parser {sorted(map(str, action.choices))}")
    assert {command for command, _ in found} == {"pipeline", *(f"pipeline {c}" for c in subcommands())}
    assert undocumented == [], "options missing from README.md"
    assert wrong_choices == []


def test_python_dash_m(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "pipeline", "--version"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0 and done.stdout.startswith("pipeline ")


def test_problem_lines_escape_bidi_controls_in_file_names(make_docs, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A file name may hold U+202E (it is printable enough to be a valid name) and must not reorder the terminal."""
    root = make_docs({"svc/evil\u202etxt.md": b"\x00\x01\x02binary\x00",
                      "svc/ok.md": (SEED / "nat/status-codes.md").read_text()})
    assert main(["build", str(root), "--out", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    assert "\u202e" not in err
    assert re.search(r"^svc/evil\\u202etxt\.md: binary data", err, re.MULTILINE)


def test_manifest_counts_page_records_and_lists_every_page_found(make_docs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """``counts.pages`` is the pages dataset's record count; an unreadable page has none, but is an input."""
    root = make_docs({"svc/ok.md": (SEED / "nat/status-codes.md").read_text(),
                      "svc/broken.md": b"\x89PNG\r\n\x1a\n\x00\x00"})
    assert main(["build", str(root), "--out", str(tmp_path / "o"), "-q"]) == 0
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text("utf-8"))
    pages = json.loads((tmp_path / "o" / "pages.json").read_text("utf-8"))
    assert manifest["counts"]["pages"] == len(pages) == 1
    assert sorted(i["path"] for i in manifest["inputs"]) == ["svc/broken.md", "svc/ok.md"]

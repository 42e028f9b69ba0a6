"""Regular expressions on page text run in linear time (issue 12, item 5).

A backtracking pattern such as ``^\\s*(?:\\*\\*)?\\s*Table`` takes time quadratic in the length
of a line of spaces: a 300 KB page hung the build for minutes. Every pattern ``pipeline``
applies to page text is listed once in ``tests/regex_cases.py``; these tests check that the
list is complete and feed each pattern runs of ~200 KB of whitespace and near-matches, on
which a quadratic pattern needs minutes and a linear one milliseconds. They assert no time:
``hang_guard`` only turns a hang into a failure after a generous 10 s (``bench/run.py
--regex`` prints the time per MB).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from guards import hang_guard
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples
from regex_cases import CASES, Case, apply, compiled, worst_inputs

import pipeline
from pipeline.cli import main

#: Large enough that a quadratic pattern takes minutes, so a hang can never pass as slow-but-done.
SIZE = 200_000


def _modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(pipeline.__path__, "pipeline.") if m.name != "pipeline.__main__"]


def _is_re_call(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "re")


def _patterns_in_pipeline() -> set[str]:
    """``module:NAME`` of every ``NAME = re.compile(...)``, ``module:literal`` of every other ``re`` call."""
    found: set[str] = set()
    for name in _modules():
        source = Path(importlib.import_module(name).__file__ or "").read_text("utf-8")
        compiled_at: set[int] = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Assign) and _is_re_call(node.value):
                assert isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute)
                if node.value.func.attr == "compile":
                    found.update(f"{name}:{t.id}" for t in node.targets if isinstance(t, ast.Name))
                    compiled_at.add(id(node.value))
            if _is_re_call(node) and id(node) not in compiled_at:
                assert isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                if node.func.attr == "compile" or not node.args or not isinstance(node.args[0], ast.Constant):
                    found.add(f"{name}:<re.{node.func.attr} at line {node.lineno}: list it by name or literal>")
                else:
                    found.add(f"{name}:{node.args[0].value}")
    return found


def test_every_pattern_is_listed_once() -> None:
    keys = [case.key for case in CASES]
    assert len(keys) == len(set(keys)), "a pattern is listed twice in tests/regex_cases.py"
    missing = _patterns_in_pipeline() - set(keys)
    assert not missing, f"patterns not listed in tests/regex_cases.py (add them with their near-matches): {missing}"
    gone = set(keys) - _patterns_in_pipeline()
    assert not gone, f"listed in tests/regex_cases.py but no longer in pipeline: {gone}"


@pytest.mark.parametrize("case", CASES, ids=[c.key for c in CASES])
def test_pattern_is_linear_on_long_runs(case: Case) -> None:
    pattern = compiled(case)
    with hang_guard(case.key):
        for text in worst_inputs(case, SIZE):
            apply(case, pattern, text)


@pytest.mark.parametrize("case", CASES, ids=[c.key for c in CASES])
@settings(max_examples=examples(2), deadline=None, database=None)
@given(data=st.data())
def test_pattern_is_linear_on_repeated_near_matches(case: Case, data: st.DataObject) -> None:
    """A short unit of the case's own characters and whitespace, repeated to ~200 KB."""
    alphabet = sorted({ch for piece in case.near for ch in piece} | {" ", "\n", "\t", "x"})
    unit = data.draw(st.text(st.sampled_from(alphabet), min_size=1, max_size=6), label="unit")
    text = unit * (SIZE // len(unit))
    with hang_guard(f"{case.key} on {unit!r} repeated"):
        apply(case, compiled(case), text)


# --- the rewritten patterns match what they matched before -----------------------------------

_BEFORE = {
    ("pipeline.parsers.html", "_TABLE_LABEL_LINE"): re.compile(r"^\s*(?:\*\*)?\s*Table\s+\d+[\s*:.]*\S", re.I),
    ("pipeline.parsers.rst", "_GRID_BORDER"): re.compile(r"^\+(?:[-=]+\+)+$"),
    ("pipeline.parsers.rst", "_GRID_TOP"): re.compile(r"^\+-[-+]+-\+ *$"),
    ("pipeline.parsers.rst", "_SIMPLE_BORDER"): re.compile(r"^=+(?: +=+)+ *$"),
    ("pipeline.parsers.rst", "_ROLE"): re.compile(r":[A-Za-z0-9_.+-]+:`((?:[^`\\]|\\.)*)`"),
    ("pipeline.parsers.rst", "_LITERAL_ROLE"): re.compile(r":(?:literal|code|samp):`((?:[^`\\]|\\.)*)`"),
}
_SHORT = st.lists(st.sampled_from([" ", "\t", "*", "**", "Table", "1", "+", "-", "=", ":", ".", "`", "\\", "a",
                                  ":a:", ":code:", "x"]), max_size=12).map("".join)


@pytest.mark.parametrize(("module", "name"), list(_BEFORE), ids=[n for _, n in _BEFORE])
@settings(max_examples=examples(150), deadline=None)
@given(text=_SHORT)
def test_linear_rewrite_matches_what_the_old_pattern_matched(module: str, name: str, text: str) -> None:
    new, old = getattr(importlib.import_module(module), name), _BEFORE[(module, name)]
    if name in ("_ROLE", "_LITERAL_ROLE"):
        assert [m.group(0, 1) for m in new.finditer(text)] == [m.group(0, 1) for m in old.finditer(text)]
    else:
        assert bool(new.match(text)) == bool(old.match(text))


@settings(max_examples=examples(150), deadline=None)
@given(text=st.lists(st.sampled_from([" ", "\u00a0", "<", ">", "a", "x y", "\x1c"]), max_size=10).map("".join))
def test_reference_target_is_cut_as_the_old_regex_cut_it(text: str) -> None:
    from pipeline.parsers.rst import without_target

    assert without_target(text) == re.sub(r"\s*<[^<>]*>$", "", text)


# --- the original hang ---------------------------------------------------------------------

def test_page_whose_line_before_a_table_is_300_kb_of_spaces_builds(tmp_path: Path) -> None:
    """Issue 12's report: the build hung for minutes (``_TABLE_LABEL_LINE`` backtracked quadratically)."""
    page = ("# Status codes\n\n" + " " * 300_000 + "x\n<table><tr><th>Status Code</th><th>Description</th></tr>"
            "<tr><td>200</td><td>OK</td></tr></table>\n")
    (tmp_path / "docs" / "svc").mkdir(parents=True)
    (tmp_path / "docs" / "svc" / "status.md").write_text(page, encoding="utf-8")
    with hang_guard("pipeline build"):
        code = main(["build", str(tmp_path / "docs"), "--out", str(tmp_path / "out"), "--no-cache", "-j", "1", "-q"])
    assert code == 0
    assert '"status_code": 200' in (tmp_path / "out" / "status_codes.json").read_text("utf-8")

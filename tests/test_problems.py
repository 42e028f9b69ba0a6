"""The registry of problem kinds: README's table matches it both ways, and no Issue is built around it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pipeline import problems
from pipeline.errors import ParseError, PipelineError, UnsupportedInput
from pipeline.model import Location
from pipeline.problems import KINDS, ProblemKind

ROOT = Path(__file__).resolve().parent.parent
#: The only places that build an ``Issue`` by hand: ``ProblemKind.at``, and the two readers of issues
#: written before (a page store entry; another dataset's ``issues.json``, for ``pipeline diff``).
ISSUE_BUILDERS = {
    ("pipeline/problems.py", "at"),
    ("pipeline/incremental/store.py", "_page"),
    ("pipeline/diff/load.py", "read_unreadable"),
    ("pipeline/exporters/items.py", "issue_from_dict"),  # issues.json read back (pipeline.load)
}


def readme_slugs() -> dict[str, str]:
    """slug -> severity, from the table in README's "Untrusted input, and every problem as data"."""
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Untrusted input, and every problem as data", 1)[1].split("\n## ", 1)[0]
    found: dict[str, str] = {}
    for line in section.splitlines():
        row = re.match(r"^\| `(\w+)` \|[^|]*\|(.*)\|$", line)
        if row:
            for slug in re.findall(r"`([a-z-]+)`", row.group(2)):
                assert slug not in found, f"{slug} is listed twice in README"
                found[slug] = row.group(1)
    return found


def test_readme_table_lists_every_kind_with_its_severity() -> None:
    documented = readme_slugs()
    registered = {slug: kind.severity for slug, kind in KINDS.items()}
    assert sorted(set(registered) - set(documented)) == [], "registered but not in README's table"
    assert sorted(set(documented) - set(registered)) == [], "in README's table but not registered"
    assert documented == registered


def test_every_kind_constant_is_in_the_registry() -> None:
    constants = {name: value for name, value in vars(problems).items() if isinstance(value, ProblemKind)}
    assert {kind.slug for kind in constants.values()} == set(KINDS)
    assert all(KINDS[kind.slug] is kind for kind in constants.values())
    for name, kind in constants.items():
        assert name == kind.slug.upper().replace("-", "_"), f"{name} should be named after its slug {kind.slug}"
        assert kind.description and "\n" not in kind.description


def _calls(path: Path, name: str) -> list[tuple[str, int]]:
    """(enclosing function, line) of every call of ``name`` in a module."""
    tree = ast.parse(path.read_text("utf-8"))
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            called = child.func if isinstance(child, ast.Call) else None
            if (isinstance(called, ast.Name) and called.id == name) or (
                    isinstance(called, ast.Attribute) and called.attr == name):
                assert isinstance(child, ast.Call)
                found.append((function, child.lineno))
            visit(child, inner)

    visit(tree, "")
    return found


def test_issues_are_built_only_through_the_registry() -> None:
    """Any ``Issue(...)`` in production code but the builders above could carry a slug or severity of its own."""
    stray = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        stray += [f"{rel}:{line} in {function or 'module'}" for function, line in _calls(path, "Issue")
                  if (rel, function) not in ISSUE_BUILDERS]
        if rel != "pipeline/problems.py":
            stray += [f"{rel}:{line}: a ProblemKind declared outside the registry"
                      for _function, line in _calls(path, "ProblemKind")]
    assert stray == []


def test_at_builds_an_issue_of_the_kind() -> None:
    issue = problems.EMPTY_ROW.at(Location("nat/x.rst", 12, 0, 3), "row has no text")
    assert (issue.slug, issue.severity) == ("empty-row", "skip")
    assert str(issue) == "nat/x.rst:12: table 0 row 3: row has no text"
    assert problems.KINDS[issue.slug] is problems.EMPTY_ROW


@pytest.mark.parametrize(("error", "slug"), [
    (UnsupportedInput("empty file", "a/b.md"), "unsupported-input"),
    (ParseError("no HTML content", "a/b.html", 1), "parse-error"),
    (PipelineError("odd", "a/b.md"), "parse-error"),
    (ParseError("too many cells", "a/b.html", kind=problems.TABLE_TOO_LARGE), "table-too-large"),
])
def test_errors_carry_their_kind(error: PipelineError, slug: str) -> None:
    assert error.kind.slug == slug
    assert error.kind is KINDS[slug]

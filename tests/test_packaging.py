"""First contact: the package metadata a user installs by (issue 12, items 17 and 18)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
README = (ROOT / "README.md").read_text("utf-8")


def test_license_is_an_spdx_expression() -> None:
    """A ``{text = ...}`` table makes setuptools print a deprecation warning per build step."""
    assert PROJECT["license"] == "Apache-2.0"
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["build-system"]["requires"]
    assert requires == ["setuptools>=77"]  # the first setuptools that reads SPDX strings (PEP 639)


def test_distribution_name_is_not_the_unrelated_pypi_project() -> None:
    """``pipeline`` on PyPI is somebody else's project; ours installs as ``apidoc-datasets``."""
    assert PROJECT["name"] == "apidoc-datasets"
    assert PROJECT["scripts"] == {"pipeline": "pipeline.cli:run"}


def test_readme_gives_install_lines_and_python_versions() -> None:
    section = README.split("### Installing it elsewhere", 1)[1].split("\n## ", 1)[0]
    assert "pip install ." in section and "pipx install ." in section
    assert PROJECT["name"] in section
    minimum = re.fullmatch(r">=(3\.\d+)", PROJECT["requires-python"])
    assert minimum is not None and f"Python ≥ {minimum.group(1)}" in section
    tested = [c.rsplit(" ", 1)[1] for c in PROJECT["classifiers"] if re.fullmatch(r".*Python :: 3\.\d+", c)]
    assert tested and all(version in section for version in tested)

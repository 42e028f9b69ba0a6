"""Shared test fixtures: the golden-file switch, small page builders, the hypothesis profile, the ``slow`` mark."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from profiles import load_profile

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# ``HYPOTHESIS_PROFILE=thorough`` (CI) runs every property test with more examples (tests/profiles.py).
load_profile(os.environ.get("HYPOTHESIS_PROFILE"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/*.json from the current output (review the diff by eye!)")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def make_docs(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write pages into a fresh docs folder: ``make_docs({"svc/page.md": "..."})`` -> root."""

    def make(pages: dict[str, str | bytes]) -> Path:
        root = tmp_path / "docs"
        for rel, content in pages.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        root.mkdir(exist_ok=True)
        return root

    return make

"""``golden_text``: a golden file's expected text, rewritten from the actual text only under ``--update-golden``."""

from __future__ import annotations

from pathlib import Path


def golden_text(golden: Path, actual: str, update: bool, what: str) -> str:
    """The text of ``golden``; with ``update`` (``pytest --update-golden``) ``actual`` is written there first.

    A missing golden file fails, naming ``what`` it is for: a new case needs its file made and reviewed by eye.
    """
    if update:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"no golden file for {what}; run pytest --update-golden and review it"
    return golden.read_text(encoding="utf-8")

"""``pipeline diff``: what changed between two datasets, as ``load keyed -> compare -> render``.

>>> from pipeline.diff import compare, load_side, render_text  # doctest: +SKIP
>>> print(render_text(compare(load_side("old_docs"), load_side("output"))))  # doctest: +SKIP
"""

from __future__ import annotations

from pipeline.diff.compare import (
    ERROR_IDENTITY,
    STATUS_IDENTITY,
    Change,
    DatasetDiff,
    Identity,
    RecordDiff,
    SideFacts,
    compare,
    match_records,
)
from pipeline.diff.load import DiffInputError, Side, load_side
from pipeline.diff.render import RENDERERS, diff_dict, render_json, render_markdown, render_text, word_diff

__all__ = [
    "ERROR_IDENTITY",
    "RENDERERS",
    "STATUS_IDENTITY",
    "Change",
    "DatasetDiff",
    "DiffInputError",
    "Identity",
    "RecordDiff",
    "Side",
    "SideFacts",
    "compare",
    "diff_dict",
    "load_side",
    "match_records",
    "render_json",
    "render_markdown",
    "render_text",
    "word_diff",
]

"""The whole bundled corpus: nothing lost, nothing invented, and output/ is its current build."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from pipeline.building import build
from pipeline.datasets import OPERATION_SECTIONS, PAGES
from pipeline.model import Dataset
from pipeline.output import render
from pipeline.problems import KINDS
from pipeline.schema import ERROR_CODES, RESOURCES, STATUS_CODES

ROOT = Path(__file__).resolve().parent.parent
RAW_DOCS = ROOT / "raw_docs"
OUTPUT = ROOT / "output"


FIXTURES = ROOT / "tests" / "fixtures"
#: Real subtrees of the shared trees (tests/fixtures/trees) and real operation pages of both formats.
TREES = [FIXTURES / "trees" / "rst", FIXTURES / "trees" / "md" / "doc" / "source",
         *(FIXTURES / name / sub for name in ("operations", "operation_sample") for sub in ("rst", "md/doc/source"))]


@pytest.fixture(scope="module")
def corpus() -> Dataset:
    return build(RAW_DOCS)


@pytest.fixture(scope="module")
def trees() -> Dataset:
    return build(TREES)


@pytest.mark.parametrize("which", ["corpus", "trees"])
def test_every_row_is_accounted_for(which: str, request: pytest.FixtureRequest) -> None:
    """Every table of every page: rows = records' rows + rows skipped, each skip explained by an issue of its
    row, or by one issue of its table when the whole table is not read; records come from emitted rows only."""
    dataset: Dataset = request.getfixturevalue(which)
    skips = Counter((i.location.path, i.location.table_index) for i in dataset.issues if i.severity == "skip"
                    and i.location.row_index is not None)
    whole = {(i.location.path, i.location.table_index) for i in dataset.issues if i.severity == "skip"
             and i.location.table_index is not None and i.location.row_index is None}
    kinds = Counter(t.kind for t in dataset.tables)
    assert kinds["other"] and (which == "corpus" or (kinds["parameters"] and kinds["status_codes"]))
    for table in dataset.tables:
        where = f"{table.source_path} table {table.table_index}"
        assert table.rows == table.rows_emitted + table.rows_merged + table.rows_skipped, where
        if table.dataset is None:
            assert table.records == 0 and table.rows_skipped == table.rows, where
            assert not table.rows or (table.source_path, table.table_index) in whole, where
            continue
        if (table.source_path, table.table_index) in whole:
            assert table.rows_emitted == 0 and table.rows_skipped == table.rows, where
        else:
            assert skips[(table.source_path, table.table_index)] == table.rows_skipped, where
        assert table.records >= table.rows_emitted, where


@pytest.mark.parametrize("which", ["corpus", "trees"])
def test_record_counts_match_tables(which: str, request: pytest.FixtureRequest) -> None:
    """Each table's count of records is the records of its dataset that name it (a bare status line names none)."""
    dataset: Dataset = request.getfixturevalue(which)
    per_table = Counter((resource.name, r.source_path, getattr(r, "table_index", None)) for resource in RESOURCES
                        for r in dataset.records_of(resource))
    for table in dataset.tables:
        assert per_table[(table.dataset, table.source_path, table.table_index)] == table.records, table
    assert sum(t.records for t in dataset.tables) == sum(
        n for (name, _, index), n in per_table.items() if index is not None and name != OPERATION_SECTIONS.name)


def test_corpus_shape(corpus: Dataset) -> None:
    pages = {p.source_path for p in corpus.pages if p.source_path}
    assert len(pages) == 183
    assert len({r.service for resource in RESOURCES for r in corpus.records_of(resource)}) == 65
    kinds = Counter(t.kind for t in corpus.tables)
    assert kinds["other"] == 4  # parameter and element tables on error pages
    assert not [i for i in corpus.issues if i.severity == "error"]


def test_prose_pages_give_nothing_and_no_error(corpus: Dataset) -> None:
    for path in ("css/returned_values.rst", "dws/returned-values.md"):
        page = next(p for p in corpus.pages if p.source_path == path)
        assert not page.tables and not page.issues
        assert [r.name for r in RESOURCES if page.records_of(r)] == [PAGES.name]  # its page record, nothing else
        [record] = page.records_of(PAGES)
        assert record.role == "other" and record.records == 0  # type: ignore[union-attr]


def test_no_record_text_carries_markup(corpus: Dataset) -> None:
    html_leftovers = ("<p", "<td", "&amp;", "&lt;", "  ", "\n")
    rst_leftovers = (*html_leftovers, "``", ":ref:", "|br|")
    bold = re.compile(r"\*\*\w[^*]*\w\*\*")  # **bold** left over; an escaped \*\* is a real "**"
    texts = [(r.source_format, t) for r in corpus.records_of(STATUS_CODES)
             for t in (r.documented_reason, r.description)]
    texts += [(e.source_format, t) for e in corpus.records_of(ERROR_CODES)
              for t in (e.message, e.description, e.solution, e.module, e.error_code)]
    for source_format, text in texts:
        leftovers = rst_leftovers if source_format == "rst" else html_leftovers
        assert text is None or not any(m in text for m in leftovers), text
        assert text is None or source_format != "rst" or not bold.search(text), text


def test_committed_output_is_current(corpus: Dataset) -> None:
    """output/ in git is exactly what a build of raw_docs/ writes (Parquet aside: library-versioned)."""
    for name, text in render(corpus).files.items():
        assert (OUTPUT / name).read_bytes() == text.encode("utf-8"), f"output/{name} is stale: run `make run`"
    manifest = json.loads((OUTPUT / "manifest.json").read_text("utf-8"))
    assert manifest["counts"]["status_codes"] == len(corpus.records_of(STATUS_CODES))


def test_every_issue_is_of_a_registered_kind(corpus: Dataset) -> None:
    """Each slug in issues.json is declared in ``pipeline.problems``, with the severity declared there."""
    assert corpus.issues
    unregistered = [str(i) for i in corpus.issues if i.slug not in KINDS or KINDS[i.slug].severity != i.severity]
    assert unregistered == []

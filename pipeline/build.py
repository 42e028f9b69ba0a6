"""A build: every page under the input root read, parsed and normalized into one ``Dataset``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.model import Dataset, ErrorCodeRecord, Issue, Location, PageResult
from pipeline.normalize import normalize_page
from pipeline.parsers import parse_page
from pipeline.sources import SourceFile, discover, read_page

Progress = Callable[[int, int, str], None]


def process_page(source: SourceFile) -> PageResult:
    """Read, parse and normalize one page; a page that cannot be read becomes an ``Issue``."""
    try:
        text = read_page(source)
        page = parse_page(text)
    except PipelineError as exc:
        where = Location(source.source_path, exc.line)
        return PageResult(source.source_path, "", issues=(Issue(_slug(exc), where, exc.message, "error"),))
    result = normalize_page(page, text.sha256)
    if text.problems:
        return PageResult(result.source_path, result.sha256, result.status_codes, result.error_codes,
                          result.tables, text.problems + result.issues)
    return result


def _slug(exc: PipelineError) -> str:
    return {"UnsupportedInput": "unsupported-input", "ParseError": "parse-error"}.get(type(exc).__name__, "error")


def build(root: Path, progress: Progress | None = None) -> Dataset:
    """Build the dataset of every page under ``root`` (pages in a stable order)."""
    sources, found = discover(root)
    results: list[PageResult] = []
    for done, source in enumerate(sources, 1):
        results.append(process_page(source))
        if progress is not None:
            progress(done, len(sources), source.source_path)
    return finish(results, found)


def finish(results: Iterable[PageResult], discovery_issues: Iterable[Issue] = ()) -> Dataset:
    """Assemble page results into a dataset and report duplicate error codes across it."""
    pages = sorted(results, key=lambda r: r.source_path)
    extra = list(discovery_issues) + duplicate_error_codes(r for p in pages for r in p.error_codes)
    if extra:
        pages.append(PageResult("", "", issues=tuple(extra)))
    return Dataset(tuple(pages))


def duplicate_error_codes(records: Iterable[ErrorCodeRecord]) -> list[Issue]:
    """Report every (service, error_code, status_code) documented more than once in one table.

    rst/vpc/error_codes.rst documents VPC.0101/400 once for creating and once for querying
    a VPC: both records stay in the dataset; the repeat is reported here.
    """
    seen: dict[tuple[str, str, str, int, int | None], list[ErrorCodeRecord]] = defaultdict(list)
    for record in records:
        seen[(record.service, record.source_path, record.error_code, record.table_index,
              record.status_code)].append(record)
    issues = []
    for (_service, path, code, _table, status), group in sorted(seen.items(), key=lambda kv: str(kv[0])):
        if len(group) > 1:
            rows = ", ".join(str(r.row_index) for r in group)
            first = group[0]
            issues.append(Issue(
                "duplicate-error-code", Location(path, first.line, first.table_index, first.row_index),
                f"error code {code} (status {status}) is documented {len(group)} times in this table (rows {rows}); "
                "all are kept",
            ))
    return issues

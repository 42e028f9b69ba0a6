"""A build: every page under the input root read, parsed and normalized into one ``Dataset``.

Pages are independent, so they are processed in a process pool (``jobs``) and, when a
cache is given, looked up by content hash first. Results come back in page order, so the
dataset is the same whatever the number of jobs.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.cache import PageCache, cache_key
from pipeline.errors import PipelineError, UnsupportedInput
from pipeline.model import Dataset, ErrorCodeRecord, Issue, Location, Page, PageResult
from pipeline.normalize import normalize_page
from pipeline.parsers import parse_page
from pipeline.sources import SourceFile, decode_page, discover, read_bytes

Progress = Callable[[int, int], None]
#: Below this many pages a process pool costs more than it saves.
MIN_PAGES_FOR_POOL = 16


@dataclass(frozen=True, slots=True)
class BuildStats:
    """What a build did: pages seen, and how the cache served them."""

    pages: int
    cache_hits: int = 0
    cache_misses: int = 0
    cache_corrupt: int = 0


def process_page(source: SourceFile) -> PageResult:
    """Read, parse and normalize one page; a page that cannot be read becomes an ``Issue``."""
    try:
        data = read_bytes(source)
    except PipelineError as exc:
        return _failed(source, exc, "")
    return process_bytes(source, data)


def process_bytes(source: SourceFile, data: bytes, sha256: str | None = None) -> PageResult:
    """Decode, parse and normalize a page's bytes."""
    digest = sha256 or hashlib.sha256(data).hexdigest()
    try:
        text = decode_page(source, data, digest)
        page = parse_page(text)
        lost = replacement_characters(page)
        if lost:
            page = replace(page, problems=page.problems + tuple(lost))
        result = normalize_page(page, digest)
    except PipelineError as exc:
        return _failed(source, exc, digest)
    except RecursionError:
        return _failed(source, UnsupportedInput("markup nested too deeply to read", source.source_path), digest)
    except Exception as exc:  # a bug met on one page must not take the other pages down: report it
        return PageResult(source.source_path, digest, issues=(Issue(
            "internal-error", Location(source.source_path),
            f"internal error while reading this page ({type(exc).__name__}: {exc}); page skipped, please report it",
            "error"),))
    if text.problems:
        result = replace(result, issues=text.problems + result.issues)
    return result


def replacement_characters(page: Page) -> list[Issue]:
    """One warning per title, header or row holding U+FFFD, the mark of a character lost.

    Decoding never invents it, but a page can hold it literally (it was lost before the
    page was saved) or produce it from an invalid character reference (``&#0;``,
    ``&#xD800;``), which the HTML parser turns into U+FFFD without a word.
    """
    mark = "\ufffd"
    message = ("U+FFFD (replacement character) in the text: a character was lost, before the page was saved "
               "or by an invalid character reference such as &#0;")
    issues = []
    if mark in (page.title or ""):
        issues.append(Issue("replacement-character", Location(page.source_path), f"page title: {message}"))
    for table in page.tables:
        if mark in (table.title or "") or any(mark in text for text in table.header):
            issues.append(Issue("replacement-character", Location(page.source_path, table.line, table.index),
                                f"table title or header: {message}"))
        for row_index, row in enumerate(table.rows):
            if any(mark in cell.text for cell in row.cells):
                issues.append(Issue("replacement-character",
                                    Location(page.source_path, row.line, table.index, row_index), message))
    return issues


def _failed(source: SourceFile, exc: PipelineError, digest: str) -> PageResult:
    slug = {"UnsupportedInput": "unsupported-input", "ParseError": "parse-error"}.get(type(exc).__name__, "error")
    where = Location(source.source_path, exc.line)
    return PageResult(source.source_path, digest, issues=(Issue(slug, where, exc.message, "error"),))


def _process_cached(task: tuple[SourceFile, str | None]) -> tuple[PageResult, int]:
    """Worker: the page's result from the cache (1 = hit, 0 = miss, -1 = corrupt entry) or fresh."""
    source, cache_dir = task
    if cache_dir is None:
        return process_page(source), 0
    try:
        data = read_bytes(source)
    except PipelineError as exc:
        return _failed(source, exc, ""), 0
    digest = hashlib.sha256(data).hexdigest()
    cache = PageCache(Path(cache_dir))
    key = cache_key(source.source_path, digest)
    cached = cache.get(key)
    if cached is not None:
        return cached, 1
    result = process_bytes(source, data, digest)
    cache.put(key, result)
    return result, -1 if cache.corrupt else 0


def input_digests(root: Path) -> dict[str, str] | None:
    """sha256 of every page's bytes by source path; ``None`` if discovery or a read had a problem."""
    sources, found = discover(root)
    if found:
        return None
    digests = {}
    for source in sources:
        try:
            digests[source.source_path] = hashlib.sha256(read_bytes(source)).hexdigest()
        except PipelineError:
            return None
    return digests


def default_jobs() -> int:
    return os.cpu_count() or 1


def build(root: Path, progress: Progress | None = None, jobs: int = 1,
          cache_dir: Path | None = None) -> Dataset:
    """Build the dataset of every page under ``root`` (see ``build_with_stats``)."""
    return build_with_stats(root, progress, jobs, cache_dir)[0]


def build_with_stats(root: Path, progress: Progress | None = None, jobs: int = 1,
                     cache_dir: Path | None = None) -> tuple[Dataset, BuildStats]:
    """Build the dataset of every page under ``root``, in ``jobs`` processes, using the cache if given."""
    sources, found = discover(root)
    tasks = [(s, str(cache_dir) if cache_dir is not None else None) for s in sources]
    results: list[PageResult] = []
    hits = misses = corrupt = 0
    for done, (result, cache_state) in enumerate(_run(tasks, jobs), 1):
        results.append(result)
        hits += cache_state == 1
        misses += cache_state != 1
        corrupt += cache_state == -1
        if progress is not None:
            progress(done, len(tasks))
    stats = BuildStats(len(sources), hits, misses if cache_dir else 0, corrupt)
    return finish(results, found), stats


def _run(tasks: list[tuple[SourceFile, str | None]], jobs: int) -> Iterator[tuple[PageResult, int]]:
    if jobs <= 1 or len(tasks) < MIN_PAGES_FOR_POOL:
        yield from map(_process_cached, tasks)
        return
    chunk = max(1, min(64, len(tasks) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(_process_cached, tasks, chunksize=chunk)


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
                "all are kept", "notice",
            ))
    return issues

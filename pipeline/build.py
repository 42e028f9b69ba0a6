"""A build: every page under the input root read, parsed and normalized into one ``Dataset``.

Pages are independent, so they are processed in a process pool (``jobs``) and, when a
cache is given, looked up by content hash first. Results come back in page order, so the
dataset is the same whatever the number of jobs.
"""

from __future__ import annotations

import hashlib
import os
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.cache import PageCache
from pipeline.digests import Discovery
from pipeline.errors import PipelineError, UnsupportedInput, UsageError
from pipeline.exporters.fragments import page_result, render_page
from pipeline.model import Census, Dataset, Issue, Location, Page, PageResult, RenderedPage, page_order
from pipeline.normalize import normalize_page
from pipeline.parsers import parse_page
from pipeline.previous import PreviousDataset
from pipeline.problems import INTERNAL_ERROR, REPLACEMENT_CHARACTER
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
        return PageResult(source.source_path, digest, issues=(INTERNAL_ERROR.at(
            Location(source.source_path),
            f"internal error while reading this page ({type(exc).__name__}: {exc}); page skipped, please report it"),))
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
        issues.append(REPLACEMENT_CHARACTER.at(Location(page.source_path), f"page title: {message}"))
    for table in page.tables:
        if mark in (table.title or "") or any(mark in text for text in table.header):
            issues.append(REPLACEMENT_CHARACTER.at(Location(page.source_path, table.line, table.index),
                                                   f"table title or header: {message}"))
        for row_index, row in enumerate(table.rows):
            if any(mark in cell.text for cell in row.cells):
                issues.append(REPLACEMENT_CHARACTER.at(Location(page.source_path, row.line, table.index, row_index),
                                                       message))
    return issues


def _failed(source: SourceFile, exc: PipelineError, digest: str) -> PageResult:
    """The page reported as the kind of problem its error carries (``unsupported-input``, ``parse-error``, ...)."""
    return PageResult(source.source_path, digest, issues=(exc.kind.at(Location(source.source_path, exc.line),
                                                                      exc.message),))


def _process_cached(task: tuple[SourceFile, str | None]) -> tuple[RenderedPage, int]:
    """Worker: the page rendered, from the cache (1 = hit, 0 = miss, -1 = corrupt entry) or fresh."""
    source, cache_dir = task
    if cache_dir is None:
        return render_page(process_page(source)), 0
    try:
        data = read_bytes(source)
    except PipelineError as exc:
        return render_page(_failed(source, exc, "")), 0
    digest = hashlib.sha256(data).hexdigest()
    cache = PageCache(cache_dir)
    hit = cache.get(source.source_path, digest)
    if hit is not None:
        return hit, 1
    page = render_page(process_bytes(source, data, digest))
    cache.put(page)
    return page, -1 if cache.corrupt else 0


def _cached_only(task: tuple[SourceFile, str | None], digest: str | None) -> tuple[RenderedPage, int] | None:
    """The page's cached result, looked up where its digest is already known; else ``None``.

    Run in the main process: a hit then costs one file read, not a round trip through a
    worker. A miss is left to ``_process_cached``, which counts corrupt entries.
    """
    source, cache_dir = task
    if cache_dir is None or digest is None:
        return None
    hit = PageCache(cache_dir).get(source.source_path, digest)
    return (hit, 1) if hit is not None else None


def default_jobs() -> int:
    return os.cpu_count() or 1


def build(root: Path | Sequence[Path], progress: Progress | None = None, jobs: int = 1,
          cache_dir: Path | None = None) -> Dataset:
    """Build the dataset of every page under ``root`` (or roots), in memory (see ``stream_results``)."""
    return build_with_stats(root, progress, jobs, cache_dir)[0]


def build_with_stats(root: Path | Sequence[Path], progress: Progress | None = None, jobs: int = 1,
                     cache_dir: Path | None = None) -> tuple[Dataset, BuildStats]:
    """The whole dataset in memory, and how the cache served it."""
    stats = StatsCounter()
    discovered = discover(root)
    results, found = stream_results(root, progress, jobs, cache_dir, stats, discovered=discovered)
    dataset = finish((page_result(page) for page in results), found, discovered.census)
    return dataset, stats.frozen(cache_dir is not None)


@dataclass(slots=True)
class StatsCounter:
    """Counts pages and cache outcomes while results stream past."""

    pages: int = 0
    hits: int = 0
    misses: int = 0
    corrupt: int = 0
    reused: int = 0

    def count(self, cache_state: int) -> None:
        """1: a cache hit; 0: parsed; -1: parsed after a corrupt cache entry; 2: copied from the previous dataset."""
        self.pages += 1
        self.hits += cache_state == 1
        self.misses += cache_state in (0, -1)
        self.corrupt += cache_state == -1
        self.reused += cache_state == 2

    def frozen(self, cached: bool) -> BuildStats:
        return BuildStats(self.pages, self.hits, self.misses if cached else 0, self.corrupt)


def stream_results(root: Path | Sequence[Path], progress: Progress | None = None, jobs: int = 1,
                   cache_dir: Path | None = None, stats: StatsCounter | None = None,
                   digests: dict[str, str] | None = None, discovered: Discovery | None = None,
                   previous: PreviousDataset | None = None) -> tuple[Generator[RenderedPage, None, None], list[Issue]]:
    """Every page under ``root`` rendered, lazily, in output order; and the discovery problems.

    Pages are parsed in ``jobs`` processes with a bounded number in flight, so memory does
    not grow with the number of pages when the consumer writes each result as it comes.
    ``digests`` (source path -> sha256, from ``pipeline.digests.input_digests``) lets cache hits be served
    from the main process without reading the pages again; ``discovered`` is ``discover(root)``
    when the caller already has it; ``previous`` serves the pages that have not changed since
    the dataset being replaced was built.
    """
    sources, found, _ = discovered or discover(root)
    sources = sorted(sources, key=lambda s: page_order(s.source_path))
    tasks = [(s, str(cache_dir) if cache_dir is not None else None) for s in sources]

    def results() -> Generator[RenderedPage, None, None]:
        for done, (result, cache_state) in enumerate(_run(tasks, jobs, digests or {}, previous), 1):
            if stats is not None:
                stats.count(cache_state)
            if progress is not None:
                progress(done, len(tasks))
            yield result

    return results(), found


#: Pages handed to the pool ahead of the one being consumed, per worker.
IN_FLIGHT_PER_JOB = 8
#: Results held back, per worker, behind a page still being parsed (cache hits served meanwhile).
WINDOW_PER_JOB = 32


def _run(tasks: list[tuple[SourceFile, str | None]], jobs: int, digests: dict[str, str],
         previous: PreviousDataset | None = None) -> Iterator[tuple[RenderedPage, int]]:
    """Results in task order: cache hits from this process, the rest from a pool of ``jobs`` workers.

    Both the pages in the pool and the results waiting behind them are bounded, so memory
    does not grow with the number of pages, whatever mix of hits and misses they are.
    """
    if jobs <= 1 or len(tasks) < MIN_PAGES_FOR_POOL:
        for task, hit in zip(tasks, _lookups(tasks, digests, previous), strict=True):
            yield hit or _process_cached(task)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        # Fork the workers now, before the lookup threads exist: a process forked while another
        # thread holds a lock (inside a read, a hash) would inherit that lock held forever.
        pool.submit(os.getpid).result()
        window: deque[tuple[RenderedPage, int] | Future[tuple[RenderedPage, int]]] = deque()
        in_flight = 0
        for task, hit in zip(tasks, _lookups(tasks, digests, previous), strict=True):
            if hit is None:
                window.append(pool.submit(_process_cached, task))
                in_flight += 1
            else:
                window.append(hit)
            while window and (in_flight > jobs * IN_FLIGHT_PER_JOB or len(window) > jobs * WINDOW_PER_JOB
                              or not isinstance(window[0], Future) or window[0].done()):
                item = window.popleft()
                if isinstance(item, Future):
                    in_flight -= 1
                    yield item.result()
                else:
                    yield item
        for item in window:
            yield item.result() if isinstance(item, Future) else item


#: Threads looking cache entries up ahead of the main thread (reading and hashing release the GIL).
LOOKUP_THREADS = 2
#: Lookups done ahead of the page being consumed.
LOOKAHEAD = 64


def _lookups(tasks: list[tuple[SourceFile, str | None]], digests: dict[str, str],
             previous: PreviousDataset | None) -> Iterator[tuple[RenderedPage, int] | None]:
    """Each task's page from the previous dataset or the cache, or ``None``, in task order.

    Looked up a bounded distance ahead, in threads.
    """
    if not digests or not tasks or (tasks[0][1] is None and previous is None):
        yield from (None for _ in tasks)
        return
    with ThreadPoolExecutor(max_workers=LOOKUP_THREADS) as readers:
        pending: deque[Future[tuple[RenderedPage, int] | None]] = deque()
        for task in tasks:
            pending.append(readers.submit(_known, task, digests.get(task[0].source_path), previous))
            if len(pending) > LOOKAHEAD:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _known(task: tuple[SourceFile, str | None], digest: str | None,
           previous: PreviousDataset | None) -> tuple[RenderedPage, int] | None:
    """The page copied from the previous dataset (2), else from the cache (1), else ``None``."""
    if previous is not None and digest is not None:
        page = previous.page(task[0].source_path, digest)
        if page is not None:
            return page, 2
    return _cached_only(task, digest)


def require_pages(root: Path | Sequence[Path], discovered: Discovery) -> None:
    """Raise ``UsageError`` saying what to pass instead when the roots hold no page in a service folder.

    A build of no pages would replace a dataset with empty files; the usual causes are an empty
    or mistyped folder, and one service's folder (``raw_docs/vpcep``) given instead of its parent.
    """
    sources, issues, census = discovered
    if sources:
        return
    layout = "INPUT must hold one sub-folder per service, with the pages inside (INPUT/<service>/<page>)"
    roots = [root] if isinstance(root, Path) else list(root)
    if len(roots) != 1:
        raise UsageError(f"no pages found in the service folders of {', '.join(map(str, roots))}; {layout}")
    root = roots[0]
    if census.outside_service_folder:
        parent = root.absolute().parent
        raise UsageError(f"no pages found: its pages lie directly in the root, outside any <service>/ folder; "
                         f"pass the parent folder ({parent}) or put them in {root}/<service>/", str(root))
    try:
        empty = not any(not entry.name.startswith(".") for entry in os.scandir(root))
    except OSError:
        empty = False
    if empty:
        raise UsageError(f"no pages found: the folder is empty; {layout}", str(root))
    first = f" (first problem: {issues[0]})" if issues else ""
    skipped = (f" ({census.skipped:,} files skipped: a page is a .rst, .md, .html or .htm file)"
               if census.skipped and not issues else "")
    raise UsageError(f"no pages found in its service folders{first}{skipped}; {layout}", str(root))


def finish(results: Iterable[PageResult], discovery_issues: Iterable[Issue] = (),
           census: Census | None = None) -> Dataset:
    """Assemble page results into a dataset in output order; problems of no single page come last."""
    pages = sorted(results, key=lambda r: page_order(r.source_path))
    extra = tuple(discovery_issues)
    if extra:
        pages.append(PageResult("", "", issues=extra))
    return Dataset(tuple(pages), census)

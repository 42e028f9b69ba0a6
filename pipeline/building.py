"""A build: every page under the input root read, parsed and normalized into its ``PageResult``.

Pages are independent, so they are processed in a process pool (``jobs``) and, when a page
store is given, looked up by content hash first. Results come back in page order, so the
dataset is the same whatever the number of jobs.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from pipeline.errors import PipelineError, UnsupportedInput, UsageError
from pipeline.incremental.encoded import EncodedPage
from pipeline.incremental.store import Outcome, PageStore, decode_entry, encode_entry
from pipeline.model import Census, Dataset, Issue, Location, Page, PageResult, page_order
from pipeline.normalize import normalize_page
from pipeline.parsers import parse_page
from pipeline.problems import INTERNAL_ERROR, REPLACEMENT_CHARACTER
from pipeline.sources import Discovery, SourceFile, decode_page, discover, read_bytes

Progress = Callable[[int, int], None]
#: A page to build, and the store that may hold its result.
PageTask = tuple[SourceFile, PageStore | None]
#: Below this many pages a process pool costs more than it saves.
MIN_PAGES_FOR_POOL = 16

Task = TypeVar("Task")
Done = TypeVar("Done")
Result = TypeVar("Result")


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
        result = normalize_page(page, digest, text.text)
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


@dataclass(frozen=True, slots=True)
class Served:
    """A page's result as its store entry (``pipeline.incremental.store``), how it was obtained, the digest
    the entry must hold, and the page itself where it was made in this process (then ``entry`` may be empty).
    """

    entry: bytes
    outcome: Outcome
    sha256: str
    result: EncodedPage | None = None


def parse_entry(task: PageTask, local: bool = False) -> Served:
    """The page's entry, from the store or parsed (and stored).

    In a worker (``local`` false) a parsed page travels back as the very entry that is stored
    (its records encoded there: ``EncodedPage``), so the main process reads a fresh page and a
    stored one the same way (``decoded``) and nothing is pickled; in this process (``local``) the
    page is handed over as it is.
    """
    source, store = task
    try:
        data = read_bytes(source)
    except PipelineError as exc:
        return _served(EncodedPage.of(_failed(source, exc, "")), Outcome.PARSED, local)
    digest = hashlib.sha256(data).hexdigest()
    outcome = Outcome.PARSED
    if store is not None:
        entry = store.read(source.source_path, digest)
        found = decode_entry(entry, source.source_path, digest) if entry is not None else None
        if entry is not None and found is not None:
            return Served(entry, Outcome.HIT, digest, found if local else None)
        if entry is not None:
            outcome = Outcome.REPAIRED
    result = EncodedPage.of(process_bytes(source, data, digest))
    served = _served(result, outcome, local and store is None)
    if store is not None:
        store.put(served.entry, source.source_path, digest)
    return served if not local else Served(served.entry, outcome, digest, result)


def _served(result: EncodedPage, outcome: Outcome, local: bool) -> Served:
    """``result`` as it leaves ``parse_entry``: itself in this process, else its entry."""
    if local:
        return Served(b"", outcome, result.sha256, result)
    return Served(encode_entry(result), outcome, result.sha256)


def stored(task: PageTask, digest: str | None) -> Served | None:
    """The page's entry as the store holds it (unchecked), where its digest is already known; else ``None``.

    Read in the main process (in look-ahead threads, which only read): a hit then costs one file
    read, not a round trip through a worker.
    """
    source, store = task
    if store is None or digest is None:
        return None
    entry = store.read(source.source_path, digest)
    return Served(entry, Outcome.HIT, digest) if entry is not None else None


def decoded(task: PageTask, served: Served) -> tuple[EncodedPage, Outcome]:
    """The page from its entry; an entry found corrupt here is rebuilt (``parse_entry``) in this process."""
    if served.result is not None:
        return served.result, served.outcome
    result = decode_entry(served.entry, task[0].source_path, served.sha256)
    if result is not None:
        return result, served.outcome
    rebuilt = parse_entry(task, local=True)  # a stored entry that does not check: parsed again and rewritten
    assert rebuilt.result is not None  # made in this process
    return rebuilt.result, rebuilt.outcome


def default_jobs() -> int:
    return os.cpu_count() or 1


def build(root: Path | Sequence[Path], *, jobs: int = 1, store: PageStore | None = None,
          progress: Progress | None = None, outcomes: Counter[Outcome] | None = None) -> Dataset:
    """Build the dataset of every page under ``root`` (or roots), in memory (see ``stream_results``)."""
    sources, found, census = discover(root)
    results = stream_results(sources, jobs=jobs, store=store, progress=progress, outcomes=outcomes)
    return finish((page.result() for page in results), found, census)


def stream_results(sources: Sequence[SourceFile], *, jobs: int = 1, store: PageStore | None = None,
                   digests: Mapping[str, str] | None = None, progress: Progress | None = None,
                   outcomes: Counter[Outcome] | None = None) -> Generator[EncodedPage, None, None]:
    """Every page, lazily, in output order (``page_order``), encoded (``EncodedPage.result()`` is its result).

    Pages are parsed in ``jobs`` processes with a bounded number in flight, so memory does
    not grow with the number of pages when the consumer writes each result as it comes.
    ``digests`` (source path -> sha256, from ``input_digests``) lets the pages ``store`` holds
    be served from this process without reading them again. ``outcomes`` counts how each
    page was obtained.
    """
    ordered = sorted(sources, key=lambda s: page_order(s.source_path))
    tasks: list[PageTask] = [(source, store) for source in ordered]
    known = digests or {}

    def lookup(task: PageTask) -> Served | None:
        return stored(task, known.get(task[0].source_path))

    if len(tasks) < MIN_PAGES_FOR_POOL:
        jobs = 1
    work = parse_entry if jobs > 1 else functools.partial(parse_entry, local=True)
    served = in_order(tasks, jobs, lookup if store is not None and known else None, work, decoded)
    try:
        for done, (result, outcome) in enumerate(served, 1):
            if outcomes is not None:
                outcomes[outcome] += 1
            if progress is not None:
                progress(done, len(tasks))
            yield result
    finally:
        served.close()  # a consumer that stops early stops the pool and the look-ahead threads now


#: Pages handed to the pool ahead of the one being consumed, per worker.
IN_FLIGHT_PER_JOB = 8
#: Results held back, per worker, behind a page still being parsed (stored pages served meanwhile).
WINDOW_PER_JOB = 32


def in_order(tasks: Sequence[Task], jobs: int, lookup: Callable[[Task], Done | None] | None,
             work: Callable[[Task], Done], complete: Callable[[Task, Done], Result]) -> Generator[Result, None, None]:
    """Each task's result in task order: ``complete(task, done)``, where ``done`` is ``lookup``'s answer
    (asked ahead, in threads) or else ``work(task)``, run in a pool of ``jobs`` processes.

    The tasks in the pool, the lookups ahead and the results waiting behind a task still in
    the pool are all bounded, so memory does not grow with the number of tasks, whatever mix
    of looked-up and worked ones they are.
    """
    if jobs <= 1:
        for task, found in zip(tasks, _ahead(tasks, lookup), strict=True):
            yield complete(task, found if found is not None else work(task))
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        # Fork the workers now, before the lookup threads exist: a process forked while another
        # thread holds a lock (inside a read, a hash) would inherit that lock held forever.
        pool.submit(os.getpid).result()
        window: deque[tuple[Task, Done | Future[Done]]] = deque()
        in_flight = 0
        for task, found in zip(tasks, _ahead(tasks, lookup), strict=True):
            if found is None:
                window.append((task, pool.submit(work, task)))
                in_flight += 1
            else:
                window.append((task, found))
            while window and (in_flight > jobs * IN_FLIGHT_PER_JOB or len(window) > jobs * WINDOW_PER_JOB
                              or not isinstance(window[0][1], Future) or window[0][1].done()):
                done_task, item = window.popleft()
                if isinstance(item, Future):
                    in_flight -= 1
                    yield complete(done_task, item.result())
                else:
                    yield complete(done_task, item)
        for done_task, item in window:
            yield complete(done_task, item.result() if isinstance(item, Future) else item)


def _ahead(tasks: Sequence[Task], lookup: Callable[[Task], Done | None] | None) -> Iterator[Done | None]:
    """``lookup`` of each task, in task order (none without a ``lookup``)."""
    for task in tasks:
        yield lookup(task) if lookup is not None else None


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

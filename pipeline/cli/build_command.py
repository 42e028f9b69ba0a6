"""``pipeline build [ROOT...] [--out DIR]``: regenerate the dataset from folders of service folders,
or from the declared git sources of ``pipeline.toml`` at the commits of ``pipeline.lock``."""

from __future__ import annotations

import argparse
import contextlib
import csv
import filecmp
import gc
import hashlib
import os
import shlex
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.building import default_jobs, require_pages, stream_results
from pipeline.cli.progress import ProgressReporter
from pipeline.datasets import OPERATION_SECTIONS, PAGES, RESOURCES, OperationSectionRecord, Resource
from pipeline.errors import UsageError
from pipeline.exporters.sqlite import same_database
from pipeline.incremental.encoded import EncodedPage
from pipeline.incremental.plan import BuildRequest, Mode, plan_build
from pipeline.incremental.store import DEFAULT_STORE_DIR, Outcome, PageStore
from pipeline.jsonfile import DamagedJSON, read_json
from pipeline.model import PROBLEM_SEVERITIES, Census, Issue, PageResult
from pipeline.openapi.names import FOLDER as OPENAPI_FOLDER
from pipeline.output import OS_LITTER, write_into, write_results
from pipeline.rules import Rules
from pipeline.sources import CONFIG_NAME, MAX_PAGE_BYTES, Selection, describe_census, discover, resolve_inputs
from pipeline.text import escape_controls
from pipeline.upstream import LockedPages, discover_locked, stamped


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "build", help="build the dataset from docs folders",
        description="Parse every documentation page (.rst, .md, .html, .htm) under ROOT/<service>/ and write the "
                    "dataset to --out (JSON, CSV, Parquet, JSON Lines, pipeline.db, datapackage.json, README.md, "
                    "tables.json, issues.json, manifest.json). Other files (images, conf.py, build output, "
                    "hidden folders) are counted, not read.",
    )
    parser.add_argument("roots", nargs="*", type=Path, metavar="ROOT",
                        help=f"folder with one sub-folder per service (default: the roots of {CONFIG_NAME}, "
                             "else raw_docs)")
    parser.add_argument("--include", action="append", default=[], metavar="PATTERN",
                        help="read only files matching this gitignore-style pattern (relative to the root; repeatable)")
    parser.add_argument("--exclude", action="append", default=[], metavar="PATTERN",
                        help="skip files and folders matching this gitignore-style pattern (repeatable)")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help=f"roots, patterns and service aliases, or [[source]] tables (default: ./{CONFIG_NAME} "
                             "if present)")
    parser.add_argument("--mirror", type=Path, metavar="DIR",
                        help="the folder of bare clones `pipeline sync` fills (default: .pipeline-mirror/ next to "
                             "the config file)")
    parser.add_argument("--lock-file", type=Path, metavar="FILE", dest="lock_file",
                        help="the commits to build the declared sources at (default: pipeline.lock next to the "
                             "config file)")
    parser.add_argument("--out", default="output", type=Path, help="output directory (default: output)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing on stderr but errors")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when any page or row had a problem (warnings or errors in issues.json)")
    parser.add_argument("--csv-safe", action="store_true",
                        help="neutralise CSV cells that start with = + - @ (spreadsheet formulas), as OWASP advises")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if --out differs from what INPUT would produce, 0 if current")
    parser.add_argument("-j", "--jobs", type=int, default=default_jobs(),
                        help="pages parsed in parallel (default: the number of cores)")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_STORE_DIR,
                        help=f"per-page result cache (default: {DEFAULT_STORE_DIR})")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    parser.add_argument("--force", action="store_true",
                        help="read and hash every page (trust no stat index) and rewrite --out even when it is current")
    parser.add_argument("--allow-shrink", action="store_true",
                        help="replace --out even when the new dataset has fewer than half of its records")
    parser.add_argument("--max-page-bytes", type=int, default=MAX_PAGE_BYTES, metavar="N",
                        help="pages larger than N bytes are not read, and reported (default: 256 MiB)")
    parser.set_defaults(handler=run_build)


@dataclass(slots=True)
class Tally:
    """What streamed past: counts for the summary line and the problems to print."""

    pages: int = 0
    tables: int = 0
    records: Counter[str] = field(default_factory=Counter)  # by dataset name
    sections: Counter[str] = field(default_factory=Counter)  # operation sections by status
    skips: int = 0
    notices: int = 0
    problems: list[str] = field(default_factory=list)
    #: The problems of severity ``error``: what ``-q`` still prints.
    errors: list[str] = field(default_factory=list)
    #: What discovery skipped, for the line about files.
    census: Census | None = None
    #: Pages read (``page_failed`` false), and the first problem of a page that was not.
    read: int = 0
    first_failure: str = ""

    def watch(self, results: Iterable[EncodedPage]) -> Iterator[EncodedPage]:
        for result in results:
            self.add(result)
            yield result

    def add(self, page: EncodedPage) -> None:
        self.pages += bool(page.source_path)
        if page.source_path and page_failed(page):
            self.first_failure = self.first_failure or next(str(i) for i in page.issues if i.severity == "error")
        elif page.source_path:
            self.read += 1
        self.add_issues(page.issues)
        self.tables += len(page.tables)
        for resource in RESOURCES:
            self.records[resource.name] += page.count(resource)
        self.sections.update(section.status for section in page.records_of(OPERATION_SECTIONS)
                             if isinstance(section, OperationSectionRecord))

    def add_issues(self, issues: Iterable[Issue]) -> None:
        for issue in issues:
            if issue.severity in PROBLEM_SEVERITIES:
                self.problems.append(str(issue))
            if issue.severity == "error":
                self.errors.append(str(issue))
            self.skips += issue.severity == "skip"
            self.notices += issue.severity == "notice"


def page_failed(page: EncodedPage | PageResult) -> bool:
    """The page could not be read at all: no table, and an error about the whole page (not a table or row)."""
    return not page.tables and any(i.severity == "error" and i.location.table_index is None for i in page.issues)


def summary(tally: Tally, out: Path | None) -> str:
    target = f" -> {escape_controls(str(out))}" if out is not None else ""
    records = "".join(f"{tally.records[r.name]} {r.name.replace('_', ' ')}{by_status(tally, r)}, " for r in RESOURCES
                      if r is not PAGES)  # one record per page: the page count says it
    return (f"pipeline: {tally.pages} pages, {tally.tables} tables, {records}{len(tally.problems)} problems, "
            f"{tally.skips} skips, {tally.notices} notices{target}")


def by_status(tally: Tally, resource: Resource) -> str:
    """`` (2900 ok, 40 partial, 3 failed, 737 missing)`` after the operation sections' count, when there are any."""
    if resource is not OPERATION_SECTIONS or not tally.records[resource.name]:
        return ""
    statuses = OPERATION_SECTIONS.field("status").enum  # ok, partial, failed, missing
    return " (" + ", ".join(f"{tally.sections[status]} {status}" for status in statuses) + ")"


def request_of(args: argparse.Namespace) -> BuildRequest:
    """The build the arguments ask for."""
    return BuildRequest(tuple(args.roots), args.out, check=args.check, force=args.force, csv_safe=args.csv_safe,
                        store_dir=None if args.no_cache else args.cache_dir)


def run_build(args: argparse.Namespace) -> int:
    """Resolve the roots (arguments, ``pipeline.toml``), check the arguments, plan
    (``pipeline.incremental.plan``), carry the plan out, and report on stderr."""
    given = bool(args.roots)
    inputs = resolve_inputs(args.roots, args.include, args.exclude, args.config, args.max_page_bytes)
    declared = inputs.config.sources and not given
    args.roots = [] if declared else list(inputs.roots)
    problem = ARGUMENT_RULES.first(args)
    if problem is not None:
        raise problem
    locked = discover_locked(inputs.config, args.lock_file, args.mirror, args.max_page_bytes) if declared else None
    with frozen_heap():
        return carry_out(args, inputs.selection, locked)


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """What is alive now (the imported modules) is not garbage: frozen, it is not walked again by each of
    the many full collections a build that creates a million records triggers (~8 % of a rebuild's CPU)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def carry_out(args: argparse.Namespace, selection: Selection, locked: LockedPages | None = None) -> int:
    """Discover (or take the declared sources' pages), plan, build (or do nothing), report; the arguments are
    checked."""
    if locked is None:
        discovered = discover(args.roots, selection=selection)
        require_pages(args.roots, discovered)
    else:
        discovered = locked.discovery
    plan = plan_build(request_of(args), discovered)
    if plan.mode is Mode.UP_TO_DATE:
        assert plan.digests is not None
        return report_up_to_date(args, len(plan.digests))
    outcomes: Counter[Outcome] = Counter()
    sources, found, census = discovered
    results = stream_results(sources, jobs=args.jobs, store=plan.store, digests=plan.digests,
                             progress=None if args.quiet else ProgressReporter(), outcomes=outcomes)
    if locked is not None:
        results = stamped(results, locked.origins)
    try:
        tally = Tally(census=discovered.census)
        tally.add_issues(found)
        watched = some_page_read(tally.watch(results), tally)
        if plan.mode is Mode.CHECK:
            return check(watched, found, args, tally, census, plan.store)
        written = write_results(watched, args.out, args.csv_safe, found, allow_shrink=args.allow_shrink,
                                census=census, store=plan.store)
        tally.add_issues(written.issues)
    finally:
        results.close()  # stop the pool now
    report_written(args, tally, outcomes, written.csv_neutralised, plan.store is not None)
    return 1 if args.strict and tally.problems else 0


def some_page_read(results: Iterable[EncodedPage], tally: Tally) -> Iterator[EncodedPage]:
    """The results, then ``UsageError`` (exit 2, nothing written) when not one page could be read.

    Pages were found, but each failed (binary, too large, undecodable, unparsable): the dataset
    would hold nothing, like a build that finds no pages. A page that was read but holds no
    table, or is empty (a placeholder README, a notice), counts as read.
    """
    yield from results
    if tally.pages and tally.read == 0:
        raise UsageError(f"no page could be read: all {tally.pages} pages failed (first: "
                         f"{tally.first_failure}); nothing was written")


def report_written(args: argparse.Namespace, tally: Tally, outcomes: Counter[Outcome], neutralised: int,
                   stored: bool) -> None:
    """The problems, then one line per fact worth telling, then the summary; with ``-q`` the errors alone."""
    if args.quiet:
        print_problems(tally.errors, args.out)  # -q silences everything but errors
        return
    print_problems(tally.problems, args.out)
    if args.csv_safe:
        print(f"pipeline: --csv-safe neutralised {neutralised} CSV cells", file=sys.stderr)
    if tally.census is not None:
        print(escape_controls(describe_census(tally.census)), file=sys.stderr)  # kinds are file extensions
    if stored and outcomes.total():
        misses = outcomes[Outcome.PARSED] + outcomes[Outcome.REPAIRED]
        repaired = outcomes[Outcome.REPAIRED]
        print(f"pipeline: cache {outcomes[Outcome.HIT]} hits, {misses} misses"
              + (f" ({repaired} corrupt entries rebuilt)" if repaired else ""), file=sys.stderr)
    print(summary(tally, args.out), file=sys.stderr)


# --- the arguments, checked in order: each rule returns the error to raise, or None ----------------


def input_is_a_file(args: argparse.Namespace) -> UsageError | None:
    """``pipeline build raw_docs/nat/status-codes.md``: a ROOT must be a folder of service folders."""
    root = next((root for root in args.roots if root.is_file()), None)
    if root is None:
        return None
    return UsageError("is a file; ROOT must be a folder holding one sub-folder per service "
                      "(ROOT/<service>/<page>), such as raw_docs", str(root))


def input_is_missing(args: argparse.Namespace) -> UsageError | None:
    """``pipeline build raw-docs`` (a typo): no such folder."""
    root = next((root for root in args.roots if not root.is_dir()), None)
    if root is None:
        return None
    return UsageError(f"input folder {root} does not exist or is not a directory")


def too_few_jobs(args: argparse.Namespace) -> UsageError | None:
    """``-j 0``: at least one process parses the pages."""
    return UsageError(f"--jobs must be at least 1, not {args.jobs}") if args.jobs < 1 else None


def too_few_page_bytes(args: argparse.Namespace) -> UsageError | None:
    """``--max-page-bytes 0``: no page could be read."""
    if args.max_page_bytes >= 1:
        return None
    return UsageError(f"--max-page-bytes must be at least 1, not {args.max_page_bytes}")


ARGUMENT_RULES: Rules[argparse.Namespace, UsageError] = Rules((
    input_is_a_file, input_is_missing, too_few_jobs, too_few_page_bytes,
))


#: Problems listed on stderr; the rest are counted and left to issues.json.
PROBLEMS_SHOWN = 20


def print_problems(lines: list[str], out: Path) -> None:
    for line in lines[:PROBLEMS_SHOWN]:
        print(escape_controls(line), file=sys.stderr)  # a file name may hold bidi controls
    if len(lines) > PROBLEMS_SHOWN:
        print(f"... and {len(lines) - PROBLEMS_SHOWN} more in {shown(out / 'issues.json')}", file=sys.stderr)


def shown(path: Path) -> str:
    """A path as printed on stderr: its control and bidi characters escaped (``--out`` is the user's text)."""
    return escape_controls(str(path))


def report_up_to_date(args: argparse.Namespace, pages: int) -> int:
    """Nothing changed since ``--out`` was written: say so, and keep --strict's verdict from its issues."""
    try:
        issues = read_json(args.out / "issues.json")
    except DamagedJSON as exc:  # it matched its checksum a moment ago (``inputs_are_current``)
        raise UsageError(f"issues.json {exc}; run the build with --force to rewrite the dataset", str(args.out)) \
            from exc
    items = [i for i in issues if isinstance(i, dict)] if isinstance(issues, list) else []
    found = [str(i.get("where", "")) for i in items if i.get("severity") in PROBLEM_SEVERITIES]
    if not args.quiet:
        print_problems(found, args.out)
        print(f"pipeline: {shown(args.out)} is up to date ({pages} pages unchanged, {len(found)} problems)",
              file=sys.stderr)
    else:
        print_problems([str(i.get("where", "")) for i in items if i.get("severity") == "error"], args.out)
    return 1 if args.strict and found else 0


def check(results: Iterable[EncodedPage], found: list[Issue], args: argparse.Namespace, tally: Tally,
          census: Census | None = None, store: PageStore | None = None) -> int:
    """``--check``: build into a temporary directory and compare it with --out; 1 if anything differs.

    The problems of the fresh build are printed as a build prints them (``-q``: the errors
    alone), and ``--strict`` fails a current dataset that has problems, as a build would.
    """
    with tempfile.TemporaryDirectory(prefix="pipeline-check-") as tmp:
        fresh = Path(tmp)
        tally.add_issues(write_into(fresh, results, args.csv_safe, found, census=census, store=store).issues)
        extra = extra_files(fresh, args.out)
        stale = stale_files(fresh, args.out) + extra
        changes = record_changes(fresh, args.out) if stale else ""
    print_problems(tally.errors if args.quiet else tally.problems, args.out)
    if not stale:
        if not args.quiet:
            print(f"pipeline: {shown(args.out)} is up to date", file=sys.stderr)
        return 1 if args.strict and tally.problems else 0
    if not args.quiet:
        print(f"pipeline: {shown(args.out)} is stale; run `{rebuild_command(args)}` to regenerate it",
              file=sys.stderr)
        for name in stale:
            what = "not in a fresh build" if name in extra else "differs"
            print(f"  {what}: {shown(args.out / name)}", file=sys.stderr)
        print(changes, file=sys.stderr)
    return 1


#: The options ``rebuild_command`` repeats when they differ from their defaults, in this order:
#: (attribute, option): every option that changes what is read, what is written, or whether the
#: write is allowed. A test checks that each option of ``pipeline build`` is here or in ``NOT_REPEATED``.
REBUILD_OPTIONS = (
    ("config", "--config"), ("mirror", "--mirror"), ("lock_file", "--lock-file"), ("include", "--include"),
    ("exclude", "--exclude"),
    ("max_page_bytes", "--max-page-bytes"), ("csv_safe", "--csv-safe"), ("no_cache", "--no-cache"),
    ("cache_dir", "--cache-dir"), ("allow_shrink", "--allow-shrink"),
)
#: The options ``rebuild_command`` leaves out: how the build runs or reports, not what it writes
#: (``--check`` itself; ``--force``, as the check found --out stale; ``--out`` is always written).
NOT_REPEATED = frozenset({"--check", "--force", "--help", "--out", "--jobs", "--quiet", "--strict"})


def rebuild_command(args: argparse.Namespace) -> str:
    """The command that rewrites what ``--check`` found stale: the roots, --out and every option given
    a value other than its default, each word quoted for a POSIX shell (``shell_word``)."""
    words = ["pipeline", "build", *map(path_word, args.roots), "--out", path_word(args.out)]
    defaults = build_defaults()
    for attribute, option in REBUILD_OPTIONS:
        value = getattr(args, attribute)
        if value == defaults.get(attribute) or (attribute == "cache_dir" and args.no_cache):
            continue
        if value is True:
            words.append(option)
        elif isinstance(value, list):
            words.extend(f"{option}={item}" for item in value)  # one word: a pattern may start with '-'
        else:
            words += [option, path_word(value) if isinstance(value, Path) else str(value)]
    return " ".join(shell_word(word) for word in words)


def path_word(path: Path) -> str:
    """A path as a command-line word that cannot pass for an option (``-docs`` becomes ``./-docs``)."""
    text = str(path)
    return f"./{text}" if text.startswith("-") else text


def build_defaults() -> dict[str, Any]:
    """The value each option of ``pipeline build`` takes when it is not given."""
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    return vars(parser.parse_args(["build"]))


def shell_word(word: str) -> str:
    """``word`` quoted for a POSIX shell; one holding a control, bidi or other invisible character in
    ANSI-C quotes (``$'a\\x1bb'``, bash/zsh/ksh), so the command is both exact and safe to print."""
    if escape_controls(word) == word:
        return shlex.quote(word)
    escaped = escape_controls(word.replace("\\", "\\\\")).replace("'", "\\'")
    return f"$'{escaped}'"


def stale_files(fresh: Path, out: Path) -> list[str]:
    """Names of the files of ``out`` that are missing or differ from the fresh build in ``fresh``.

    Parquet files and the SQLite database are compared by content: their bytes embed the writing library's version.
    """
    stale = []
    for path in sorted(p for p in fresh.rglob("*") if p.is_file()):
        name = path.relative_to(fresh).as_posix()
        try:
            if path.suffix == ".parquet":
                import pyarrow.parquet as pq

                same = pq.read_table(path).equals(pq.read_table(out / name))
            elif path.suffix == ".db":
                same = same_database(path, out / name)  # issue 17: bytes carry the SQLite version
            else:
                same = filecmp.cmp(path, out / name, shallow=False)
        except Exception:  # a missing or unreadable file is stale, whatever pyarrow or the OS raises
            same = False
        if not same:
            stale.append(name)
    return stale


def extra_files(fresh: Path, out: Path) -> list[str]:
    """Names of the files in ``out``'s dataset folders (itself, ``schemas/``, ``openapi/``) that the fresh build
    in ``fresh`` does not have: a document of a service that lost its operations, a file dropped in (OS litter
    aside)."""
    extra = []
    for folder in ("", "schemas", OPENAPI_FOLDER):
        try:
            entries = sorted(os.scandir(out / folder), key=lambda entry: entry.name)
        except OSError:  # no such folder: nothing extra in it
            continue
        for entry in entries:
            name = f"{folder}/{entry.name}" if folder else entry.name
            if entry.name not in OS_LITTER and not entry.is_dir(follow_symlinks=False) \
                    and not os.path.lexists(fresh / name):
                extra.append(name)
    return extra


def record_changes(fresh: Path, out: Path) -> str:
    """A one-line summary of how the records would change (CSV rows compared as multisets)."""
    parts = []
    for name in (r.name for r in RESOURCES):
        new, old = _row_digests(fresh / f"{name}.csv"), _row_digests(out / f"{name}.csv")
        parts.append(f"{name}: {sum(old.values())} -> {sum(new.values())} records "
                     f"({(new - old).total()} new or changed, {(old - new).total()} gone or changed)")
    return "  " + "; ".join(parts)


def _row_digests(path: Path) -> Counter[bytes]:
    """A short digest of each data row of a CSV file (the header skipped); empty if unreadable."""
    counts: Counter[bytes] = Counter()
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = csv.reader(handle)
            next(rows, None)
            for row in rows:
                counts[hashlib.blake2b("\x1f".join(row).encode("utf-8"), digest_size=16).digest()] += 1
    except (OSError, UnicodeDecodeError, csv.Error):
        pass
    return counts

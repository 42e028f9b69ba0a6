"""``pipeline build [ROOT...] [--out DIR]``: regenerate the dataset from folders of service folders."""

from __future__ import annotations

import argparse
import csv
import filecmp
import hashlib
import json
import shlex
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pipeline.build import StatsCounter, default_jobs, require_pages, stream_results
from pipeline.cache import DEFAULT_CACHE_DIR
from pipeline.cli.progress import ProgressReporter
from pipeline.digests import Discovery, input_digests
from pipeline.errors import UsageError
from pipeline.exporters.sqlite import same_database
from pipeline.model import PROBLEM_SEVERITIES, Census, Issue, RenderedPage
from pipeline.output import inputs_are_current, write_into, write_results
from pipeline.previous import PreviousDataset
from pipeline.rules import Rules
from pipeline.sources import CONFIG_NAME, MAX_PAGE_BYTES, describe_census, discover, resolve_inputs
from pipeline.text import escape_controls


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
                        help=f"roots, patterns and service aliases (default: ./{CONFIG_NAME} if present)")
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
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR,
                        help=f"per-page result cache (default: {DEFAULT_CACHE_DIR})")
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
    status_codes: int = 0
    error_codes: int = 0
    skips: int = 0
    notices: int = 0
    problems: list[str] = field(default_factory=list)
    #: The problems of severity ``error``: what ``-q`` still prints.
    errors: list[str] = field(default_factory=list)
    #: What discovery skipped, for the line about files.
    census: Census | None = None

    def watch(self, results: Iterable[RenderedPage]) -> Iterator[RenderedPage]:
        for result in results:
            self.add(result)
            yield result

    def add(self, page: RenderedPage) -> None:
        self.pages += bool(page.source_path)
        self.add_issues(page.issues)
        self.tables += len(page.tables)
        self.status_codes += page.status_codes.count
        self.error_codes += page.error_codes.count

    def add_issues(self, issues: Iterable[Issue]) -> None:
        for issue in issues:
            if issue.severity in PROBLEM_SEVERITIES:
                self.problems.append(str(issue))
            if issue.severity == "error":
                self.errors.append(str(issue))
            self.skips += issue.severity == "skip"
            self.notices += issue.severity == "notice"


def summary(tally: Tally, out: Path | None) -> str:
    target = f" -> {out}" if out is not None else ""
    return (f"pipeline: {tally.pages} pages, {tally.tables} tables, {tally.status_codes} status codes, "
            f"{tally.error_codes} error codes, {len(tally.problems)} problems, {tally.skips} skips, "
            f"{tally.notices} notices{target}")


def run_build(args: argparse.Namespace) -> int:
    """Check the arguments, decide what to do (``plan_build``), do it, and report on stderr."""
    inputs = resolve_inputs(args.roots, args.include, args.exclude, args.config, args.max_page_bytes)
    args.roots = list(inputs.roots)
    problem = ARGUMENT_RULES.first(args)
    if problem is not None:
        raise problem
    source: list[Path] = args.roots
    cache_dir = None if args.no_cache else args.cache_dir
    discovered = discover(source, selection=inputs.selection)
    require_pages(source, discovered)
    digests = page_digests(args, discovered, cache_dir)
    plan = plan_build(BuildInputs(args, discovered, digests))
    if plan.mode == "up-to-date":
        assert digests is not None
        return report_up_to_date(args, len(digests))
    stats = StatsCounter()
    previous = PreviousDataset.open(args.out, args.csv_safe) if plan.reuse_previous else None
    results, found = stream_results(source, None if args.quiet else ProgressReporter(), args.jobs, cache_dir,
                                    stats, digests, discovered, previous)
    try:
        tally = Tally(census=discovered.census)
        tally.add_issues(found)
        if plan.mode == "check":
            return check(tally.watch(results), found, args, discovered.census)
        written = write_results(tally.watch(results), args.out, args.csv_safe, found, allow_shrink=args.allow_shrink,
                                census=discovered.census)
    finally:
        results.close()  # stop the look-ahead threads before the files they read are closed
        if previous is not None:
            previous.close()
    report_written(args, tally, stats, written.csv_neutralised, cache_dir)
    return 1 if args.strict and tally.problems else 0


def page_digests(args: argparse.Namespace, discovered: Discovery, cache_dir: Path | None) -> dict[str, str] | None:
    """Every page's sha256, where the up-to-date check or the cache needs them; with neither, ``None``
    (the build reads each page once instead of twice).
    """
    if cache_dir is None and (args.check or args.force):
        return None
    return input_digests(args.roots, discovered, cache_dir, trust_index=not args.force)


def report_written(args: argparse.Namespace, tally: Tally, stats: StatsCounter, neutralised: int,
                   cache_dir: Path | None) -> None:
    """The problems, then one line per fact worth telling, then the summary; with ``-q`` the errors alone."""
    if args.quiet:
        print_problems(tally.errors, args.out)  # -q silences everything but errors
        return
    print_problems(tally.problems, args.out)
    if args.csv_safe:
        print(f"pipeline: --csv-safe neutralised {neutralised} CSV cells", file=sys.stderr)
    if stats.reused:
        print(f"pipeline: {stats.reused} unchanged pages copied from the previous dataset", file=sys.stderr)
    if tally.census is not None:
        print(describe_census(tally.census), file=sys.stderr)
    if cache_dir is not None and stats.pages:
        print(f"pipeline: cache {stats.hits} hits, {stats.misses} misses"
              + (f" ({stats.corrupt} corrupt entries rebuilt)" if stats.corrupt else ""), file=sys.stderr)
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


# --- what the build does, decided in order: each rule returns the plan with its reason, or None ----

BuildMode = Literal["up-to-date", "check", "write"]


@dataclass(frozen=True, slots=True)
class BuildInputs:
    """What the plan is decided from: the options, what discovery found, the pages' digests (if read)."""

    args: argparse.Namespace
    discovered: Discovery
    digests: dict[str, str] | None


@dataclass(frozen=True, slots=True)
class BuildPlan:
    """``up-to-date``: --out is current, nothing is parsed; ``check``: compare a fresh build with --out;
    ``write``: build and replace --out. ``reuse_previous``: copy unchanged pages out of the dataset replaced.
    """

    mode: BuildMode
    reason: str
    reuse_previous: bool = False


def check_requested(b: BuildInputs) -> BuildPlan | None:
    """``--check``: always a fresh build, compared with --out (never copied out of it)."""
    return BuildPlan("check", "--check compares a fresh build with --out") if b.args.check else None


def force_requested(b: BuildInputs) -> BuildPlan | None:
    """``--force``: trust nothing, neither --out being current nor its pages."""
    return BuildPlan("write", "--force rebuilds every page") if b.args.force else None


def discovery_problem(b: BuildInputs) -> BuildPlan | None:
    """A symbolic link or an unreadable folder is in no page digest: --out is never taken as current."""
    if not b.discovered[1]:
        return None
    return BuildPlan("write", "discovery found problems, which no page digest records", reuses_previous(b))


def inputs_current(b: BuildInputs) -> BuildPlan | None:
    """Every page's digest is the one --out was built from, with the same options: nothing to do."""
    if b.digests is None or not inputs_are_current(b.digests, b.args.out, b.args.csv_safe, b.discovered.census):
        return None
    return BuildPlan("up-to-date", "every page is as --out was built from")


def inputs_changed(b: BuildInputs) -> BuildPlan:
    """Anything else: build and replace --out, copying unchanged pages from it where possible."""
    return BuildPlan("write", "pages changed since --out was built", reuses_previous(b))


def reuses_previous(b: BuildInputs) -> bool:
    """Unchanged pages are copied from the dataset being replaced; never for --check (it compares against
    that dataset), --force (trust nothing) or --csv-safe (its count needs the rows), nor without digests.
    """
    return b.digests is not None and not (b.args.check or b.args.force or b.args.csv_safe)


BUILD_PLAN_RULES: Rules[BuildInputs, BuildPlan] = Rules((
    check_requested, force_requested, discovery_problem, inputs_current, inputs_changed,
))


def plan_build(inputs: BuildInputs) -> BuildPlan:
    """What ``pipeline build`` does with these inputs (see ``BUILD_PLAN_RULES``)."""
    return BUILD_PLAN_RULES.decide(inputs)


#: Problems listed on stderr; the rest are counted and left to issues.json.
PROBLEMS_SHOWN = 20


def print_problems(lines: list[str], out: Path) -> None:
    for line in lines[:PROBLEMS_SHOWN]:
        print(escape_controls(line), file=sys.stderr)  # a file name may hold bidi controls
    if len(lines) > PROBLEMS_SHOWN:
        print(f"... and {len(lines) - PROBLEMS_SHOWN} more in {out / 'issues.json'}", file=sys.stderr)


def report_up_to_date(args: argparse.Namespace, pages: int) -> int:
    """Nothing changed since ``--out`` was written: say so, and keep --strict's verdict from its issues."""
    try:
        issues = json.loads((args.out / "issues.json").read_text("utf-8"))
    except (OSError, ValueError):
        issues = []
    items = [i for i in issues if isinstance(i, dict)]
    found = [str(i.get("where", "")) for i in items if i.get("severity") in PROBLEM_SEVERITIES]
    if not args.quiet:
        print_problems(found, args.out)
        print(f"pipeline: {args.out} is up to date ({pages} pages unchanged, {len(found)} problems)", file=sys.stderr)
    else:
        print_problems([str(i.get("where", "")) for i in items if i.get("severity") == "error"], args.out)
    return 1 if args.strict and found else 0


def check(results: Iterable[RenderedPage], found: list[Issue], args: argparse.Namespace,
          census: Census | None = None) -> int:
    """``--check``: build into a temporary directory and compare it with --out; 1 if anything differs."""
    with tempfile.TemporaryDirectory(prefix="pipeline-check-") as tmp:
        fresh = Path(tmp)
        write_into(fresh, results, args.csv_safe, found, census=census)
        stale = stale_files(fresh, args.out)
        changes = record_changes(fresh, args.out) if stale else ""
    if not stale:
        if not args.quiet:
            print(f"pipeline: {args.out} is up to date", file=sys.stderr)
        return 0
    if not args.quiet:
        print(f"pipeline: {args.out} is stale; run `{rebuild_command(args)}` to regenerate it", file=sys.stderr)
        for name in stale:
            print(f"  differs: {args.out / name}", file=sys.stderr)
        print(changes, file=sys.stderr)
    return 1


def rebuild_command(args: argparse.Namespace) -> str:
    """The command that rewrites what ``--check`` found stale: the roots, --out and options, shell-quoted."""
    words = ["pipeline", "build", *map(str, args.roots), "--out", str(args.out)]
    if args.config is not None:
        words += ["--config", str(args.config)]
    for option in ("include", "exclude"):
        for pattern in getattr(args, option):
            words.append(f"--{option}={pattern}")  # one word: a pattern may start with '-'
    if args.csv_safe:
        words.append("--csv-safe")
    if args.no_cache:
        words.append("--no-cache")
    elif args.cache_dir != DEFAULT_CACHE_DIR:
        words += ["--cache-dir", str(args.cache_dir)]
    return " ".join(shlex.quote(word) for word in words)


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


def record_changes(fresh: Path, out: Path) -> str:
    """A one-line summary of how the records would change (CSV rows compared as multisets)."""
    parts = []
    for name in ("status_codes", "error_codes"):
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

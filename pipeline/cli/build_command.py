"""``pipeline build [INPUT] [--out DIR]``: regenerate the dataset from a docs folder."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import astuple
from pathlib import Path
from typing import Any

from pipeline.build import BuildStats, build_with_stats, default_jobs, input_digests
from pipeline.cache import DEFAULT_CACHE_DIR
from pipeline.cli.progress import ProgressReporter
from pipeline.errors import UsageError
from pipeline.exporters.parquet import read_parquet_rows
from pipeline.model import Dataset
from pipeline.output import Rendered, inputs_are_current, manifest_is_current, render, write_dataset
from pipeline.schema import ERROR_CODES, STATUS_CODES


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "build", help="build the dataset from a docs folder",
        description="Parse every page under INPUT/<service>/ and write the dataset to --out "
                    "(JSON, CSV, Parquet, datapackage.json, tables.json, issues.json, manifest.json).",
    )
    parser.add_argument("input", nargs="?", default="raw_docs", type=Path,
                        help="docs folder with one sub-folder per service (default: raw_docs)")
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
    parser.add_argument("--force", action="store_true", help="rewrite --out even when it is already current")
    parser.set_defaults(handler=run_build)


def problems(dataset: Dataset) -> list[str]:
    """Issues that are problems (warnings and errors), not explained skips."""
    return [str(i) for i in dataset.issues if i.severity in ("warning", "error")]


def summary(dataset: Dataset, out: Path | None, stats: BuildStats | None = None) -> str:
    pages = sum(1 for p in dataset.pages if p.source_path)
    skips = sum(1 for i in dataset.issues if i.severity == "skip")
    notices = sum(1 for i in dataset.issues if i.severity == "notice")
    target = f" -> {out}" if out is not None else ""
    return (f"pipeline: {pages} pages, {len(dataset.tables)} tables, {len(dataset.status_codes)} status codes, "
            f"{len(dataset.error_codes)} error codes, {len(problems(dataset))} problems, {skips} skips, "
            f"{notices} notices{target}")


def run_build(args: argparse.Namespace) -> int:
    source: Path = args.input
    if not source.is_dir():
        raise UsageError(f"input folder {source} does not exist or is not a directory")
    if args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {args.jobs}")
    cache_dir = None if args.no_cache else args.cache_dir
    if not (args.check or args.force):
        digests = input_digests(source)
        if digests is not None and inputs_are_current(digests, args.out, args.csv_safe):
            return report_up_to_date(args, len(digests))
    reporter = None if args.quiet else ProgressReporter()
    dataset, stats = build_with_stats(source, reporter, args.jobs, cache_dir)
    if args.check:
        return check(dataset, args)
    found = problems(dataset)
    if not args.quiet:
        for line in found[:20]:
            print(line, file=sys.stderr)
        if len(found) > 20:
            print(f"... and {len(found) - 20} more in {args.out / 'issues.json'}", file=sys.stderr)
    if not args.force and manifest_is_current(dataset, args.out, args.csv_safe):
        if not args.quiet:
            print(f"pipeline: {args.out} is up to date ({stats.pages} pages unchanged)", file=sys.stderr)
    else:
        rendered = render(dataset, csv_safe=args.csv_safe)
        write_dataset(dataset, args.out, rendered)
        if not args.quiet and args.csv_safe:
            print(f"pipeline: --csv-safe neutralised {rendered.csv_neutralised} CSV cells", file=sys.stderr)
    if not args.quiet:
        if cache_dir is not None and stats.pages:
            print(f"pipeline: cache {stats.cache_hits} hits, {stats.cache_misses} misses"
                  + (f" ({stats.cache_corrupt} corrupt entries rebuilt)" if stats.cache_corrupt else ""),
                  file=sys.stderr)
        print(summary(dataset, args.out, stats), file=sys.stderr)
    return 1 if args.strict and found else 0


def report_up_to_date(args: argparse.Namespace, pages: int) -> int:
    """Nothing changed since ``--out`` was written: say so, and keep --strict's verdict from its issues."""
    try:
        issues = json.loads((args.out / "issues.json").read_text("utf-8"))
    except (OSError, ValueError):
        issues = []
    found = [i.get("where", "") for i in issues if isinstance(i, dict) and i.get("severity") in ("warning", "error")]
    if not args.quiet:
        for line in found[:20]:
            print(line, file=sys.stderr)
        print(f"pipeline: {args.out} is up to date ({pages} pages unchanged, {len(found)} problems)", file=sys.stderr)
    return 1 if args.strict and found else 0


def check(dataset: Dataset, args: argparse.Namespace) -> int:
    """``--check``: compare what INPUT would produce with --out, file by file; 1 if anything differs."""
    rendered = render(dataset, csv_safe=args.csv_safe)
    stale = stale_files(rendered, dataset, args.out)
    if not stale:
        if not args.quiet:
            print(f"pipeline: {args.out} is up to date", file=sys.stderr)
        return 0
    if not args.quiet:
        print(f"pipeline: {args.out} is stale; run `pipeline build` to regenerate it", file=sys.stderr)
        for name in stale:
            print(f"  differs: {args.out / name}", file=sys.stderr)
        print(record_changes(dataset, args.out), file=sys.stderr)
    return 1


def stale_files(rendered: Rendered, dataset: Dataset, out: Path) -> list[str]:
    """Names of the files of ``out`` that are missing or differ from a fresh build."""
    stale = []
    for name, text in rendered.files.items():
        try:
            if (out / name).read_bytes() != text.encode("utf-8"):
                stale.append(name)
        except OSError:
            stale.append(name)
    for resource, records in ((STATUS_CODES, dataset.status_codes), (ERROR_CODES, dataset.error_codes)):
        name = f"{resource.name}.parquet"
        try:
            if read_parquet_rows(out / name) != [dict(zip(resource.column_names, astuple(r), strict=True))
                                                 for r in records]:
                stale.append(name)
        except Exception:  # a missing or unreadable Parquet file is stale, whatever pyarrow raises
            stale.append(name)
    return sorted(stale)


def record_changes(dataset: Dataset, out: Path) -> str:
    """A one-line summary of how the records would change."""
    parts = []
    for resource, records in ((STATUS_CODES, dataset.status_codes), (ERROR_CODES, dataset.error_codes)):
        try:
            old = json.loads((out / f"{resource.name}.json").read_text("utf-8"))
        except (OSError, ValueError):
            old = []
        new = [dict(zip(resource.column_names, astuple(r), strict=True)) for r in records]
        old_set = {json.dumps(r, sort_keys=True) for r in old}
        new_set = {json.dumps(r, sort_keys=True) for r in new}
        parts.append(f"{resource.name}: {len(old)} -> {len(new)} records "
                     f"({len(new_set - old_set)} new or changed, {len(old_set - new_set)} gone or changed)")
    return "  " + "; ".join(parts)


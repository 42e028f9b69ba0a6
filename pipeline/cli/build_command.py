"""``pipeline build [INPUT] [--out DIR]``: regenerate the dataset from a docs folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pipeline.build import build
from pipeline.errors import UsageError
from pipeline.model import Dataset
from pipeline.output import render, write_dataset


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
    parser.set_defaults(handler=run_build)


def problems(dataset: Dataset) -> list[str]:
    """Issues that are problems (warnings and errors), not explained skips."""
    return [str(i) for i in dataset.issues if i.severity in ("warning", "error")]


def summary(dataset: Dataset, out: Path | None) -> str:
    pages = sum(1 for p in dataset.pages if p.source_path)
    skips = sum(1 for i in dataset.issues if i.severity == "skip")
    target = f" -> {out}" if out is not None else ""
    return (f"pipeline: {pages} pages, {len(dataset.tables)} tables, {len(dataset.status_codes)} status codes, "
            f"{len(dataset.error_codes)} error codes, {len(problems(dataset))} problems, {skips} skips{target}")


def run_build(args: argparse.Namespace) -> int:
    source: Path = args.input
    if not source.is_dir():
        raise UsageError(f"input folder {source} does not exist or is not a directory")
    dataset = build(source)
    rendered = render(dataset, csv_safe=args.csv_safe)
    write_dataset(dataset, args.out, rendered)
    found = problems(dataset)
    if not args.quiet:
        for line in found[:20]:
            print(line, file=sys.stderr)
        if len(found) > 20:
            print(f"... and {len(found) - 20} more in {args.out / 'issues.json'}", file=sys.stderr)
        if args.csv_safe:
            print(f"pipeline: --csv-safe neutralised {rendered.csv_neutralised} CSV cells", file=sys.stderr)
        print(summary(dataset, args.out), file=sys.stderr)
    return 1 if args.strict and found else 0

"""``pipeline diff OLD NEW``: what changed between two datasets (exit 0 same, 1 different, 2 trouble).

A diff where a page could not be read on a side is incomplete: the report lists what could
not be read, and the exit code is 2 unless ``--allow-incomplete`` accepts that.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from pipeline.diff import RENDERERS, compare, load_side
from pipeline.diff.api_checks import SEVERITIES
from pipeline.diff.render import unreadable_pages
from pipeline.errors import UsageError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "diff", help="show what changed between two datasets",
        description="Compare the status codes and error codes of OLD and NEW. Each is a built dataset "
                    "directory (like output/), a docs folder (built in memory, nothing written), or with "
                    "--git a REV:path of a folder in the git repository --repo. Rows are matched by "
                    "identity, never by position. Exit 0: no differences; 1: differences; 2: trouble, "
                    "including a page that could not be read on a side (see --allow-incomplete).",
    )
    parser.add_argument("old", metavar="OLD", help="dataset directory, docs folder, or with --git REV:path")
    parser.add_argument("new", metavar="NEW", help="dataset directory, docs folder, or with --git REV:path")
    parser.add_argument("--git", action="store_true",
                        help="read an argument written REV:path (e.g. HEAD~1:raw_docs) from git, without "
                             "touching the work tree; an argument without a colon stays a local directory")
    parser.add_argument("--repo", type=Path, default=None,
                        help="the git repository for --git (default: the current directory)")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="text",
                        help="text (default; grouped by service), markdown (a pull-request comment) "
                             "or json (see README)")
    parser.add_argument("--exact", action="store_true",
                        help="count whitespace-only changes (ignored by default) and an empty text vs null")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour the text format (default auto: only on a terminal, and not with NO_COLOR)")
    parser.add_argument("--allow-incomplete", action="store_true",
                        help="when a page could not be read on a side, still exit 0/1 by the differences "
                             "of the rest (default: exit 2); the report lists the unreadable pages either way")
    parser.add_argument("--fail-on", choices=SEVERITIES, default=None,
                        help="exit 1 only when an API change of at least this severity is found (breaking, "
                             "warning or info; see README 'API changes'), else 0")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print nothing; only the exit code tells (errors still go to stderr)")
    parser.set_defaults(handler=run_diff)


def use_color(choice: str, stream: TextIO) -> bool:
    """``auto``: colour only on a terminal, unless ``NO_COLOR`` is set or ``TERM=dumb``."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


def run_diff(args: argparse.Namespace) -> int:
    if args.repo is not None and not args.git:
        raise UsageError("--repo only applies with --git")
    old = load_side(args.old, git=args.git, repo=args.repo)
    new = load_side(args.new, git=args.git, repo=args.repo)
    diff = compare(old, new, exact=args.exact)
    if not args.quiet:
        try:
            sys.stdout.write(RENDERERS[args.format](diff, use_color(args.color, sys.stdout)))
            sys.stdout.flush()
        except BrokenPipeError:  # `pipeline diff ... | head`: the reader has seen enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if not diff.complete:
        pages = unreadable_pages(diff.old_side) + unreadable_pages(diff.new_side)
        what = f"{pages} page{'' if pages == 1 else 's'} could not be read (old {unreadable_pages(diff.old_side)}, " \
               f"new {unreadable_pages(diff.new_side)}; the report lists them)"
        if not args.allow_incomplete:
            print(f"pipeline: the diff is incomplete: {what}; --allow-incomplete compares the rest", file=sys.stderr)
            return 2
        if not args.quiet:
            print(f"pipeline: the diff is incomplete: {what}", file=sys.stderr)
    if args.fail_on is not None:
        return 1 if diff.api.fails(args.fail_on) else 0
    return 1 if diff.differs else 0

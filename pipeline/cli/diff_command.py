"""``pipeline diff OLD NEW`` (or ``--rev``, ``--lock``, ``--since`` over the declared sources): what changed
between two datasets (exit 0 same, 1 different, 2 trouble).

A diff where a page could not be read on a side is incomplete: the report lists what could
not be read, and the exit code is 2 unless ``--allow-incomplete`` accepts that.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from pipeline.cli.sync_command import add_source_options, source_config
from pipeline.diff import RENDERERS, DatasetDiff, DiffInputError, compare, load_side
from pipeline.diff.api_checks import SEVERITIES
from pipeline.diff.render import unreadable_pages
from pipeline.diff.revisions import (
    Upstream,
    build_side,
    by_date,
    by_locks,
    by_rev,
    changed_pages,
    upstream_commits,
    upstream_dict,
    upstream_markdown,
    upstream_text,
)
from pipeline.diff.split import GITHUB_COMMENT_LIMIT, MIN_COMMENT_SIZE, split_markdown
from pipeline.errors import UsageError
from pipeline.exporters.json import dumps
from pipeline.incremental.fingerprint import current_environment
from pipeline.incremental.store import DEFAULT_STORE_DIR, PageStore
from pipeline.sources.git import GitError
from pipeline.sources.lock import read_lock
from pipeline.sources.mirror import Mirror


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "diff", help="show what changed between two datasets",
        description="Compare the status codes and error codes of OLD and NEW. Each is a built dataset "
                    "directory (like output/), a docs folder (built in memory, nothing written), or with "
                    "--git a REV:path of a folder in the git repository --repo. Rows are matched by "
                    "identity, never by position. Exit 0: no differences; 1: differences; 2: trouble, "
                    "including a page that could not be read on a side (see --allow-incomplete).",
    )
    parser.add_argument("old", metavar="OLD", nargs="?",
                        help="dataset directory, docs folder, or with --git REV:path")
    parser.add_argument("new", metavar="NEW", nargs="?",
                        help="dataset directory, docs folder, or with --git REV:path")
    revisions = parser.add_mutually_exclusive_group()
    revisions.add_argument("--rev", metavar="OLD..NEW",
                           help="build the declared sources at two refs or commits (each applied to every source "
                                "whose mirror has it; the others keep their locked commit) and compare them")
    revisions.add_argument("--lock", nargs=2, metavar=("OLD.lock", "NEW.lock"),
                           help="build the declared sources at the commits of two lock files and compare them")
    revisions.add_argument("--since", metavar="DATE",
                           help="compare each declared source's last commit before DATE (YYYY-MM-DD) with its "
                                "locked commit")
    add_source_options(parser)
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
    parser.add_argument("--comments-dir", type=Path, metavar="DIR",
                        help="with --format markdown: write the report as pull-request comments DIR/comment-N.md, "
                             "each at most --max-comment-size characters, instead of printing it")
    parser.add_argument("--max-comment-size", type=int, default=GITHUB_COMMENT_LIMIT, metavar="N",
                        help=f"the most characters of one comment (default: {GITHUB_COMMENT_LIMIT:,}, GitHub's limit)")
    parser.set_defaults(handler=run_diff)


def use_color(choice: str, stream: TextIO) -> bool:
    """``auto``: colour only on a terminal, unless ``NO_COLOR`` is set or ``TERM=dumb``."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


def run_diff(args: argparse.Namespace) -> int:
    check_arguments(args)
    if args.rev or args.lock or args.since:
        diff, extra = compare_revisions(args)
    else:
        old = load_side(args.old, git=args.git, repo=args.repo)
        new = load_side(args.new, git=args.git, repo=args.repo)
        diff, extra = compare(old, new, exact=args.exact), None
    report = RENDERERS[args.format](diff, use_color(args.color, sys.stdout))
    if extra is not None:
        report = with_upstream(report, args.format, *extra)
    if args.comments_dir is not None:
        write_comments(args.comments_dir, split_markdown(report, args.max_comment_size), args.quiet)
    elif not args.quiet:
        try:
            sys.stdout.write(report)
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


def check_arguments(args: argparse.Namespace) -> None:
    """One way to name the sides, and the options that go with it."""
    revisions = args.rev or args.lock or args.since
    if args.repo is not None and not args.git:
        raise UsageError("--repo only applies with --git")
    if revisions and (args.old is not None or args.git):
        raise UsageError("--rev, --lock and --since name both sides: give no OLD NEW and no --git")
    if not revisions and (args.old is None or args.new is None):
        raise UsageError("give OLD and NEW (or --rev OLD..NEW, --lock OLD.lock NEW.lock, --since DATE)")
    if not revisions and (args.config or args.mirror or args.lock_file):
        raise UsageError("--config, --mirror and --lock-file only apply with --rev, --lock or --since")
    if args.comments_dir is not None and args.format != "markdown":
        raise UsageError("--comments-dir writes markdown comments: give --format markdown")
    if args.max_comment_size < MIN_COMMENT_SIZE:
        raise UsageError(f"--max-comment-size must be at least {MIN_COMMENT_SIZE}, not {args.max_comment_size}")


def compare_revisions(args: argparse.Namespace) -> tuple[DatasetDiff, tuple[list[Upstream], tuple[str, ...]]]:
    """Both sides built from the declared sources at their commits; the upstream commits behind the changes."""
    config = source_config(args)
    mirror = Mirror(args.mirror or config.mirror)
    lock_path: Path = args.lock_file or config.lock
    if args.lock:
        revisions = by_locks(config, args.lock[0], args.lock[1])
    else:
        if not lock_path.exists():
            raise UsageError("no lock file: run `pipeline sync` first", str(lock_path))
        lock = read_lock(lock_path)
        revisions = (by_rev(config, lock, str(lock_path), mirror, args.rev) if args.rev
                     else by_date(config, lock, str(lock_path), mirror, args.since))
    store = PageStore(DEFAULT_STORE_DIR, current_environment())
    old = build_side(mirror, revisions.old, revisions.old_label, store)
    new = build_side(mirror, revisions.new, revisions.new_label, store)
    diff = compare(old, new, exact=args.exact)
    try:
        found = upstream_commits(mirror, revisions, changed_pages(diff))
    except GitError as exc:
        raise DiffInputError(str(exc)) from exc
    return diff, (found, revisions.notes)


def with_upstream(report: str, fmt: str, found: list[Upstream], notes: tuple[str, ...]) -> str:
    """The report with the upstream commits added, in its own format."""
    if fmt == "json":
        data = json.loads(report)
        data["upstream"] = upstream_dict(found, notes)
        return dumps(data)
    section = upstream_markdown(found, notes) if fmt == "markdown" else upstream_text(found, notes)
    return f"{report}\n{section}" if section else report


def write_comments(folder: Path, parts: list[str], quiet: bool) -> None:
    """Each part as ``comment-N.md`` in ``folder`` (made if needed; earlier comment files removed)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("comment-*.md"):
            old.unlink()
        for number, part in enumerate(parts, 1):
            (folder / f"comment-{number}.md").write_text(part, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the comments: {exc.strerror}", str(folder)) from exc
    if not quiet:
        print(f"pipeline: {len(parts)} comment{'' if len(parts) == 1 else 's'} in {folder}", file=sys.stderr)

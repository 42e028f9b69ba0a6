"""``pipeline sync``: bring every declared source's mirror up to date and write ``pipeline.lock``.

One line per source on stderr (``vpc: 4116c72 → 19e480d, 12 pages changed``). A source that
fails (unreachable remote, missing ref, damaged mirror) is one line naming it; the others
still sync, the lock keeps the failed source's previous commit, and the exit code is 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pipeline.errors import UsageError
from pipeline.sources.config import CONFIG_NAME, LOCK_NAME, MIRROR_NAME, Config, find_config, load_config
from pipeline.sources.git import GitError
from pipeline.sources.lock import Locked, read_lock, write_lock
from pipeline.sources.mirror import Mirror
from pipeline.text import escape_controls


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sync", help="fetch the declared sources and write the lock file",
        description=f"Fetch each [[source]] of {CONFIG_NAME} into a bare clone in the mirror folder (only its ref; "
                    "partial when it names paths), print what moved, and write the lock file: each source's "
                    "commit, which `pipeline build` then reads. Exit 0: all synced; 2: a source failed (the "
                    "others are synced and locked).",
    )
    add_source_options(parser)
    parser.add_argument("--offline", action="store_true",
                        help="fetch nothing: lock what the mirror holds for each source's ref")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing on stderr but errors")
    parser.set_defaults(handler=run_sync)


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """``--config``, ``--mirror`` and ``--lock``: shared by ``sync``, ``build`` and ``diff``."""
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help=f"the declared sources (default: ./{CONFIG_NAME})")
    parser.add_argument("--mirror", type=Path, metavar="DIR",
                        help=f"the folder of bare clones (default: {MIRROR_NAME}/ next to the config file)")
    parser.add_argument("--lock-file", type=Path, metavar="FILE", dest="lock_file",
                        help=f"the lock file (default: {LOCK_NAME} next to the config file)")


def source_config(args: argparse.Namespace) -> Config:
    """The config file of ``--config`` (else ``./pipeline.toml``), which must declare sources."""
    config = load_config(args.config) if args.config is not None else find_config()
    if not config.sources:
        where = str(config.path) if config.path is not None else f"./{CONFIG_NAME} (not found)"
        raise UsageError(f"{where}: no [[source]] declared; see README, 'Declared sources'")
    return config


def run_sync(args: argparse.Namespace) -> int:
    config = source_config(args)
    lock_path: Path = args.lock_file or config.lock
    previous = read_lock(lock_path) if lock_path.exists() else {}
    mirror = Mirror(args.mirror or config.mirror)
    entries: dict[str, Locked] = {}
    failed = 0
    for source in config.sources:
        before = previous.get(source.name)
        old = before.commit if before is not None and before.repo == source.repo else None
        try:
            synced = mirror.sync(source, old, offline=args.offline)
        except GitError as exc:
            failed += 1
            message = str(exc) if str(exc).startswith(f"{source.name}:") else f"{source.name}: {exc}"
            print(f"pipeline: {escape_controls(message)}", file=sys.stderr)
            if before is not None:
                entries[source.name] = before
            continue
        entries[source.name] = Locked(source.repo, source.ref, synced.new)
        if not args.quiet:
            print(escape_controls(synced.line()), file=sys.stderr)
    write_lock(lock_path, entries)
    if failed and not args.quiet:
        print(f"pipeline: {failed} of {len(config.sources)} sources failed; {lock_path} keeps their last commit",
              file=sys.stderr)
    return 2 if failed else 0

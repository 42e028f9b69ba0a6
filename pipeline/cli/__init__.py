"""The command line: ``main(argv) -> int``, one small module per subcommand.

Exit codes: 0 success; 1 differences found (``diff``, ``build --check``) or problems
under ``--strict``; 2 trouble (bad arguments, unreadable input, a failed write).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pipeline import __version__
from pipeline.cli import build_command, diff_command, show_command, sync_command
from pipeline.errors import PipelineError
from pipeline.text import escape_controls

EXIT_OK = 0
EXIT_DIFFERENT = 1
EXIT_TROUBLE = 2

#: Subcommand modules; each has ``add_parser(subparsers)`` setting ``handler`` on its parser.
COMMANDS = (build_command, diff_command, show_command, sync_command)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipeline",
        description="Turn vendor API documentation (HTML tables, reStructuredText) into a dataset of "
                    "HTTP status codes and service error codes.",
        epilog="Exit codes: 0 success; 1 differences, or problems with --strict; 2 trouble.",
    )
    parser.add_argument("--version", action="version", version=f"pipeline {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 for --help/--version
        return int(exc.code or 0)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_TROUBLE
    try:
        return int(args.handler(args))
    except PipelineError as exc:
        print(f"pipeline: {escape_controls(str(exc))}", file=sys.stderr)  # paths and cells may hold ESC
        return EXIT_TROUBLE
    except KeyboardInterrupt:
        print("pipeline: interrupted", file=sys.stderr)
        return 130


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())

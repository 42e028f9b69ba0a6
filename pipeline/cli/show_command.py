"""``pipeline show QUERY``: the records a code, a status or an operation names, from a dataset directory.

A query matches a record when it equals one of its dataset's declared lookups
(``Resource.lookups``: ``error_code``, ``status_code``, ``method`` + ``uri``...), whitespace
collapsed and case ignored, so no dataset is named here. Exit 0 with matches, 1 without, 2
for trouble (no such directory, a damaged file). Everything printed goes through
``escape_controls`` (the JSON forms through its JSON-escape twin).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from pipeline.api import Datasets, load
from pipeline.datasets import ALL_RESOURCES, Resource, resource_named
from pipeline.errors import UsageError
from pipeline.text import collapse_whitespace, escape_controls, escape_json_controls

#: The longest cell of the table output; longer text is cut with an ellipsis.
CELL_WIDTH = 48
#: Location fields the table output shows as one ``source`` column (path:line) or not at all.
HIDDEN_IN_TABLE = ("source_path", "source_format", "page_title", "page_id", "table_index", "table_title",
                   "row_index", "line")


def add_parser(subparsers: Any) -> None:
    searchable = ", ".join(f"{r.name} by {' / '.join(' + '.join(x) for x in r.lookups)}"
                           for r in ALL_RESOURCES if r.lookups)
    parser = subparsers.add_parser(
        "show", help="look up a code, a status or an operation in a dataset",
        description=f"Print the records QUERY names ({searchable}), from a dataset directory written by "
                    "`pipeline build`. Exit 0 when something matches, 1 when nothing does, 2 for trouble.",
    )
    parser.add_argument("query", metavar="QUERY", help="e.g. VPC.0002, 404, 'DELETE /v3/{project_id}/backups'")
    parser.add_argument("--service", help="only records of this service (e.g. vpc)")
    parser.add_argument("--dataset", action="append", default=[], metavar="NAME",
                        help="only this dataset (repeatable; default: every dataset with lookups)")
    parser.add_argument("--dir", type=Path, default=Path("output"), help="the dataset directory (default: output)")
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="one JSON object: dataset name -> matching records")
    form.add_argument("--jsonl", action="store_true", help="one JSON object per matching record, with its dataset")
    parser.set_defaults(handler=run_show)


def run_show(args: argparse.Namespace) -> int:
    resources = chosen_resources(args.dataset)
    data = load(args.dir)
    found = {r.name: matches(data, r, args.query, args.service) for r in resources}
    found = {name: records for name, records in found.items() if records}
    if not found:
        where = f" for service {args.service}" if args.service else ""
        print(f"pipeline: nothing matches {escape_controls(args.query)}{where} in {escape_controls(str(args.dir))}",
              file=sys.stderr)
        return 1
    try:
        write_matches(found, args)
    except BrokenPipeError:  # `pipeline show ... | head`: the reader has what it wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 -- interpreter shutdown flushes stdout again
    return 0


def write_matches(found: dict[str, list[Any]], args: argparse.Namespace) -> None:
    """The matches on stdout: a JSON object, JSON Lines, or a table per dataset."""
    if args.json:
        sys.stdout.write(escape_json_controls(orjson.dumps(
            {name: list(records) for name, records in found.items()},
            option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode()))
    elif args.jsonl:
        for name, records in found.items():
            for record in records:
                line = orjson.dumps({"dataset": name, **orjson.loads(orjson.dumps(record))},
                                    option=orjson.OPT_APPEND_NEWLINE)
                sys.stdout.write(escape_json_controls(line.decode()))
    else:
        for name, records in found.items():
            print(render_table(resource_named(name), records))


def chosen_resources(names: Sequence[str]) -> list[Resource]:
    """The datasets to search: those named (``UsageError`` for an unknown one or one without lookups), else
    every dataset that declares lookups."""
    if not names:
        return [r for r in ALL_RESOURCES if r.lookups]
    chosen = []
    for name in names:
        try:
            resource = resource_named(name)
        except KeyError as exc:
            raise UsageError(f"--dataset: {exc.args[0]}") from None
        if not resource.lookups:
            with_lookups = ", ".join(r.name for r in ALL_RESOURCES if r.lookups)
            raise UsageError(f"--dataset {name}: this dataset declares no lookups; choose one of {with_lookups}")
        chosen.append(resource)
    return chosen


def lookup_text(text: str) -> str:
    """How a query and a lookup value are compared: whitespace collapsed, case ignored."""
    return collapse_whitespace(text).casefold()


def matches(data: Datasets, resource: Resource, query: str, service: str | None) -> list[Any]:
    """The records of ``resource`` one of whose lookups equals ``query`` (and of ``service``, if given)."""
    wanted = lookup_text(query)
    if resource.name not in data:
        return []
    found = []
    for record in data[resource.name]:
        if service is not None and lookup_text(str(getattr(record, "service", ""))) != lookup_text(service):
            continue
        for fields in resource.lookups:
            values = [getattr(record, name) for name in fields]
            if lookup_text(" ".join(str(v) for v in values if v is not None)) == wanted:
                found.append(record)
                break
    return found


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = escape_controls(", ".join(map(str, value)) if isinstance(value, tuple) else str(value))
    return text if len(text) <= CELL_WIDTH else text[:CELL_WIDTH - 1] + "…"


def render_table(resource: Resource, records: Sequence[Any]) -> str:
    """A dataset's matching records as a text table: its own fields, and where each record was found."""
    names = [f.name for f in resource.fields if f.name not in HIDDEN_IN_TABLE]
    located = "source_path" in resource.column_names
    header = [*names, *(["source"] if located else [])]
    rows = []
    for record in records:
        row = [_cell(getattr(record, name)) for name in names]
        if located:
            line = getattr(record, "line", None)
            row.append(_cell(f"{record.source_path}:{line}" if line is not None else record.source_path))
        rows.append(row)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = [f"{resource.name}: {len(records)} record{'s' if len(records) != 1 else ''}",
             "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"

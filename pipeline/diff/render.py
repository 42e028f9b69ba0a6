"""Rendering a ``DatasetDiff``: human text, Markdown (a pull-request comment) and JSON (the contract).

All three are pure functions of the diff and end with the same summary. Changed text is
shown word by word: ``The [-task is successfully-]{+Task+} delivered.`` The human views
(text, Markdown) print page text through ``escape_controls``: no escape sequence or bidi
control from a page or a file name reaches the reader's terminal or pull request as itself.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pipeline.datasets import (
    ERROR_CODES,
    PAGES,
    RESOURCES,
    STATUS_CODES,
    ErrorCodeRecord,
    Record,
    Resource,
    StatusCodeRecord,
    resource_of,
)
from pipeline.diff.api_render import api_dict, api_section_markdown, api_section_text
from pipeline.diff.compare import Change, DatasetDiff, Identity, RecordDiff, SideFacts
from pipeline.diff.escape import md_escape
from pipeline.exporters.items import issue_dict
from pipeline.exporters.json import dumps
from pipeline.exporters.rows import record_rows
from pipeline.model import Location
from pipeline.text import escape_controls

Kind = Literal["added", "removed", "changed"]


@dataclass(frozen=True, slots=True)
class Marks:
    """How deleted and inserted words are wrapped."""

    delete: tuple[str, str]
    insert: tuple[str, str]


PLAIN = Marks(("[-", "-]"), ("{+", "+}"))  # wdiff's markers
ANSI = Marks(("\x1b[31m[-", "-]\x1b[0m"), ("\x1b[32m{+", "+}\x1b[0m"))
HTML = Marks(("<del>", "</del>"), ("<ins>", "</ins>"))  # GitHub renders both in Markdown

_TOKENS = re.compile(r"\s+|\S+")


def word_diff(before: str | None, after: str | None, exact: bool = False, marks: Marks = PLAIN,
              escape: Callable[[str], str] = escape_controls) -> str:
    """The words of ``before`` and ``after`` with deletions and insertions marked.

    Words are whitespace-separated tokens; with ``exact`` the whitespace runs are tokens
    too, so a whitespace-only change shows. Every piece of text goes through ``escape``
    (by default ``escape_controls``: a tab shows as ``\\t``, ESC as ``\\x1b``).

    >>> word_diff("The task is successfully delivered.", "Task delivered.")
    '[-The task is successfully-]{+Task+} delivered.'
    """
    def changed(words: list[str]) -> str:
        return escape(glue.join(words))

    def tokens(text: str | None) -> list[str]:
        if text is None:
            return []
        return _TOKENS.findall(text) if exact else text.split()

    old, new = tokens(before), tokens(after)
    glue = "" if exact else " "
    pieces: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(escape(glue.join(old[i1:i2])))
            continue
        text = ""
        if i2 > i1:
            text += marks.delete[0] + changed(old[i1:i2]) + marks.delete[1]
        if j2 > j1:
            text += marks.insert[0] + changed(new[j1:j2]) + marks.insert[1]
        pieces.append(text)
    return glue.join(pieces)


# -- what each dataset shows of a record ---------------------------------------------------

def status_title(record: StatusCodeRecord) -> str:
    """``202 Accepted``: the code and its reason as documented (else the canonical one)."""
    return f"{record.status_code} {record.documented_reason or record.reason}"


def error_title(record: ErrorCodeRecord) -> str:
    """``VPC.0101 (HTTP 400)``: the code and its HTTP status."""
    status = f"HTTP {record.status_code}" if record.status_code is not None else "no HTTP status"
    return f"{record.error_code} ({status})"


def headline_title(record: Record) -> str:
    """The values of the dataset's ``headline`` fields, joined by spaces (nulls left out): any other dataset's title."""
    resource = resource_of(record)
    return " ".join(text for name in resource.headline if (text := text_of(record, name)) is not None)


#: The one-line title of a record, by dataset name, where it is not ``headline_title``.
TITLES: dict[str, Callable[[Any], str]] = {STATUS_CODES.name: status_title, ERROR_CODES.name: error_title}


def title(record: Record) -> str:
    """``202 Accepted`` for a status code, ``VPC.0101 (HTTP 400)`` for an error code (its ``headline`` fields)."""
    return TITLES.get(resource_of(record).name, headline_title)(record)


def where(record: Record) -> str:
    """``vpc/status_codes.rst:51: table 0 row 2``, the ``Location`` form used by every message."""
    return str(Location(record.source_path, getattr(record, "line", None), getattr(record, "table_index", None),
                        getattr(record, "row_index", None)))


def detail_fields(record: Record) -> tuple[str, ...]:
    """The fields shown under an added or removed record: its compared fields the title does not show."""
    resource = resource_of(record)
    return tuple(name for name in resource.names("compared") if name not in resource.headline)


def text_of(record: Record, name: str) -> str | None:
    """A field's value as text, as its CSV cell writes it (``true`` for a boolean); None for null."""
    value = getattr(record, name)
    if value is None:
        return None
    text = resource_of(record).field(name).cell_text
    return text(value) if text is not None else str(value)


def _sort_key(identity: Identity, record: Record) -> tuple[Any, ...]:
    key = tuple((value is None, 0 if value is None else value) for value in identity.key_of(record))
    place = (getattr(record, name, None) for name in ("table_index", "row_index"))  # not every dataset has them
    return (*key, record.source_path, *((value is None, 0 if value is None else value) for value in place))


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the human views: an added, removed or changed record."""

    kind: Kind
    record: Record  # the new record, or the old one when removed
    change: Change[Any] | None = None


def entries(records: RecordDiff[Any], service: str) -> list[Entry]:
    """The differences of one service, ordered by key (status code, error code), then by place."""
    found = [Entry("removed", r) for r in records.removed if r.service == service]
    found += [Entry("added", r) for r in records.added if r.service == service]
    found += [Entry("changed", c.after, c) for c in records.changed if c.after.service == service]
    return sorted(found, key=lambda e: (_sort_key(records.identity, e.record), e.kind != "removed"))


def _sections(diff: DatasetDiff) -> list[tuple[str, list[tuple[str, list[Entry]]]]]:
    """Per service with differences: [(dataset title, entries), ...] for non-empty datasets."""
    sections = []
    for service in diff.services:
        parts = [(words(resource), entries(diff.of(resource), service)) for resource in RESOURCES]
        parts = [(name, found) for name, found in parts if found]
        if parts:
            sections.append((service, parts))
    return sections


def words(resource: Resource) -> str:
    """``status codes``: a dataset's name as the views write it."""
    return resource.name.replace("_", " ")


def moved(change: Change[Any]) -> list[str]:
    """Notes on a changed record that also moved to another page or table (location only)."""
    before, after = change.before, change.after
    notes = []
    if before.source_path != after.source_path:
        notes.append(f"moved from {where(before)}")
    if getattr(before, "table_title", None) != getattr(after, "table_title", None):
        notes.append(f"table title: {_quoted(before.table_title)} -> {_quoted(after.table_title)}")
    return notes


def _quoted(text: str | None) -> str:
    return "none" if text is None else f'"{text}"'


# -- what was read: unreadable pages, empty sides -------------------------------------------

def unreadable_pages(facts: SideFacts) -> int:
    """How many pages (or folders) of a side could not be read, each counted once."""
    return len({issue.location.path for issue in facts.unreadable})


def side_notes(diff: DatasetDiff) -> list[tuple[str, list[str]]]:
    """What the human views say about the sides before any difference, as (heading, lines).

    The pages that could not be read on each side (their records there are unknown, so
    they are neither added nor removed but not compared), and a side with no records.
    Plain text: each view escapes it its own way.
    """
    notes: list[tuple[str, list[str]]] = []
    for name, label, facts in (("old", diff.old, diff.old_side), ("new", diff.new, diff.new_side)):
        if facts.unreadable:
            notes.append((f"could not be read in {name} ({label}); their records are not compared, "
                          "neither added nor removed:", [str(issue) for issue in facts.unreadable]))
    for name, label, facts in (("old", diff.old, diff.old_side), ("new", diff.new, diff.new_side)):
        if facts.records:
            continue
        if facts.pages is None:
            why = "the dataset holds no records"
        elif facts.pages == 0:
            why = "no pages were found in it"
        else:
            why = ("its one page holds" if facts.pages == 1 else f"its {facts.pages} pages hold") + \
                f" no {' or '.join(words(r) for r in RESOURCES if r is not PAGES)}"
        notes.append((f"{name} ({label}) is empty: {why}", []))
    return notes


# -- summary ---------------------------------------------------------------------------------

def summary(diff: DatasetDiff) -> dict[str, Any]:
    """The counts: services compared, added, removed, changed, in total and per dataset.

    ``complete`` is false when something could not be read on a side (listed per side in
    ``sides``); ``uncompared`` counts the records that were therefore not compared.
    """
    def counts(records: RecordDiff[Any]) -> dict[str, int]:
        return {"added": len(records.added), "removed": len(records.removed),
                "changed": len(records.changed), "unchanged": records.unchanged,
                "uncompared": records.uncompared}

    def side(facts: SideFacts) -> dict[str, Any]:
        return {"records": facts.records, "pages": facts.pages,
                "unreadable": [issue_dict(issue) for issue in facts.unreadable]}

    return {
        "old": diff.old,
        "new": diff.new,
        "exact": diff.exact,
        "complete": diff.complete,
        "services_compared": len(diff.services),
        "services_changed": [service for service, _ in _sections(diff)],
        "added": diff.added,
        "removed": diff.removed,
        "changed": diff.changed,
        "uncompared": diff.uncompared,
        **{name: counts(records) for name, records in diff.datasets.items()},
        "sides": {"old": side(diff.old_side), "new": side(diff.new_side)},
    }


def summary_line(diff: DatasetDiff) -> str:
    """``5 services compared: 3 added, 0 removed, 1 changed (status codes +3 -0 ~1, error codes +0 -0 ~0)``.

    An incomplete diff says so at the end: ``; incomplete: 1 page could not be read (old 0,
    new 1), 3 records not compared``.
    """
    def short(records: RecordDiff[Any]) -> str:
        return f"+{len(records.added)} -{len(records.removed)} ~{len(records.changed)}"

    services = len(diff.services)
    line = (f"{services} service{'' if services == 1 else 's'} compared: {diff.added} added, "
            f"{diff.removed} removed, {diff.changed} changed "
            f"({', '.join(f'{words(r)} {short(diff.of(r))}' for r in RESOURCES)})")
    if not diff.complete:
        old, new = unreadable_pages(diff.old_side), unreadable_pages(diff.new_side)
        line += (f"; incomplete: {old + new} page{'' if old + new == 1 else 's'} could not be read "
                 f"(old {old}, new {new}), {diff.uncompared} record{'' if diff.uncompared == 1 else 's'} "
                 "not compared")
    return line


# -- text ------------------------------------------------------------------------------------

_SIGN: dict[Kind, tuple[str, str]] = {"added": ("+", "\x1b[32m"), "removed": ("-", "\x1b[31m"),
                                       "changed": ("~", "\x1b[33m")}


def render_text(diff: DatasetDiff, color: bool = False) -> str:  # noqa: C901 (left over 12: see issue 13 item 5)
    """The human view: grouped by service, one line per record, changed fields word by word.

    Page text, file names and labels are shown through ``escape_controls``. With no
    differences and nothing to say about the sides it is the summary line alone.
    """
    def paint(text: str, code: str) -> str:
        return f"{code}{text}\x1b[0m" if color else text

    safe = escape_controls
    marks = ANSI if color else PLAIN
    lines: list[str] = []
    sections = _sections(diff)
    notes = side_notes(diff)
    if sections or notes:
        lines += [paint(f"--- {safe(diff.old)}", "\x1b[1m"), paint(f"+++ {safe(diff.new)}", "\x1b[1m")]
    if notes:
        lines.append("")
        for heading, items in notes:
            lines.append(safe(heading))
            lines += [f"  {safe(item)}" for item in items]
    for service, parts in sections:
        lines += ["", paint(safe(service), "\x1b[1m")]
        for name, found in parts:
            lines.append(f"  {name}")
            for entry in found:
                sign, code = _SIGN[entry.kind]
                lines.append(f"    {paint(sign + ' ' + safe(title(entry.record)), code)}  {safe(where(entry.record))}")
                if entry.change is not None:
                    lines += [f"        ({safe(note)})" for note in moved(entry.change)]
                    for field in entry.change.fields:
                        text = word_diff(text_of(entry.change.before, field), text_of(entry.change.after, field),
                                         diff.exact, marks)
                        lines.append(f"        {field}: {text}")
                else:
                    for field in detail_fields(entry.record):
                        value = text_of(entry.record, field)
                        if value is not None:
                            lines.append(f"        {field}: {safe(value)}")
    if sections or notes:
        lines.append("")
    lines.append(summary_line(diff))
    if diff.api.changes:
        lines += ["", *api_section_text(diff.api, color)]
    return "\n".join(lines) + "\n"


# -- markdown --------------------------------------------------------------------------------

def render_markdown(diff: DatasetDiff) -> str:
    """A pull-request comment: a table per service and dataset, changed words as ``<del>``/``<ins>``."""
    lines = [f"### Dataset diff: {md_escape(diff.old)} → {md_escape(diff.new)}", ""]
    for heading, items in side_notes(diff):
        lines += [f"**{md_escape(heading)}**", ""]
        if items:
            lines += [*(f"- {md_escape(item)}" for item in items), ""]
    sections = _sections(diff)
    for service, parts in sections:
        lines += [f"#### {md_escape(service)}", ""]
        for name, found in parts:
            lines += [f"**{name.capitalize()}**", "", "| | record | what | where |", "|---|---|---|---|"]
            for entry in found:
                if entry.change is not None:
                    details = [f"**{field}:** " + word_diff(text_of(entry.change.before, field),
                                                             text_of(entry.change.after, field),
                                                             diff.exact, HTML, md_escape)
                               for field in entry.change.fields]
                else:
                    details = [f"**{field}:** {md_escape(value)}" for field in detail_fields(entry.record)
                               if (value := text_of(entry.record, field)) is not None]
                lines.append(f"| {entry.kind} | {md_escape(title(entry.record))} | {'<br>'.join(details)} "
                             f"| {md_escape(where(entry.record))} |")
            lines.append("")
    if diff.api.changes:
        lines += [*api_section_markdown(diff.api), ""]
    if not sections and not diff.api.changes:
        lines += ["No differences.", ""]
    lines.append(f"**{summary_line(diff)}**")  # numbers and fixed words only
    return "\n".join(lines) + "\n"


# -- json ------------------------------------------------------------------------------------

def diff_dict(diff: DatasetDiff) -> dict[str, Any]:
    """The JSON contract: ``summary``, then per dataset ``added``, ``removed``, ``changed``, ``uncompared``;
    ``api``: the API changes (``pipeline.diff.api_render.api_dict``)."""
    def part(records: RecordDiff[Any]) -> dict[str, Any]:
        resource = records.identity.resource

        def record(r: Record) -> dict[str, Any]:
            return dict(zip(resource.column_names, next(record_rows([r])), strict=True))

        return {
            "added": [record(r) for r in records.added],
            "removed": [record(r) for r in records.removed],
            "changed": [{"key": records.identity.key_dict(c.after), "before": record(c.before),
                         "after": record(c.after), "fields": list(c.fields)} for c in records.changed],
            "uncompared": {"old": [record(r) for r in records.uncompared_old],
                           "new": [record(r) for r in records.uncompared_new]},
        }

    return {"summary": summary(diff), **{name: part(records) for name, records in diff.datasets.items()},
            "api": api_dict(diff.api)}


def render_json(diff: DatasetDiff) -> str:
    """``diff_dict`` in the project's one JSON formatting."""
    return dumps(diff_dict(diff))


#: ``--format`` name -> renderer (text takes a ``color`` flag; the others ignore it).
RENDERERS: dict[str, Callable[[DatasetDiff, bool], str]] = {
    "text": render_text,
    "markdown": lambda diff, color: render_markdown(diff),
    "json": lambda diff, color: render_json(diff),
}

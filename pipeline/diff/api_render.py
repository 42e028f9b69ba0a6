"""Rendering ``ApiChanges``: human text, Markdown and JSON, carrying the same facts.

Every change shows its severity, check id, operation, what changed (``body vpc.cidr``), the
values (``no -> yes``) and where (``vpc/a.rst:30: table 2 row 4``). The human views pass
every piece of page text through ``escape_controls`` (Markdown through ``md_escape``), as
``pipeline.diff.render`` does. ``api_section_text``/``_markdown`` are the parts ``pipeline
diff``'s views append; ``api_dict`` is the ``api`` member of its JSON.
"""

from __future__ import annotations

from typing import Any

from pipeline.diff.api import ApiChange, ApiChanges
from pipeline.diff.api_checks import SEVERITIES
from pipeline.diff.escape import md_escape
from pipeline.exporters.json import dumps
from pipeline.model import Location
from pipeline.text import escape_controls

_COLOR = {"breaking": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[32m"}


def summary_line(changes: ApiChanges) -> str:
    """``API changes: 2 breaking, 1 warning, 3 info`` (or ``API changes: none``)."""
    if not changes.changes:
        return "API changes: none"
    counts = changes.counts()
    return "API changes: " + ", ".join(f"{counts[s]} {s}" for s in SEVERITIES)


def _where(location: Location | None) -> str:
    return str(location) if location is not None else ""


def change_line(change: ApiChange) -> str:
    """One change as plain text (not escaped): ``request-parameter-added-required POST /v1/vpcs: body vpc.cidr``."""
    text = f"{change.check.id} {change.operation}"
    if change.subject:
        text += f": {change.subject}"
    if change.values:
        text += f" ({change.values})"
    return text


def api_section_text(changes: ApiChanges, color: bool = False) -> list[str]:
    """The lines of the text view: per service, one line per change with its place; then the summary."""
    lines: list[str] = []
    for service in changes.services:
        lines.append(escape_controls(service))
        for change in (c for c in changes.changes if c.service == service):
            severity = f"{change.severity:8}"
            if color:
                severity = f"{_COLOR[change.severity]}{severity}\x1b[0m"
            lines.append(f"  {severity} {escape_controls(change_line(change))}  {escape_controls(_where(change.at))}")
    lines.append(summary_line(changes))
    return lines


def render_api_text(changes: ApiChanges, color: bool = False) -> str:
    return "\n".join(api_section_text(changes, color)) + "\n"


def api_section_markdown(changes: ApiChanges) -> list[str]:
    """A table per service: severity, check, operation, what, where; then the summary in bold."""
    lines: list[str] = []
    for service in changes.services:
        lines += [f"#### API: {md_escape(service)}", "", "| severity | check | operation | what | where |",
                  "|---|---|---|---|---|"]
        for change in (c for c in changes.changes if c.service == service):
            what = change.subject + (f" ({change.values})" if change.values else "")
            lines.append(f"| {change.severity} | `{change.check.id}` | {md_escape(change.operation)} "
                         f"| {md_escape(what)} | {md_escape(_where(change.at))} |")
        lines.append("")
    lines.append(f"**{summary_line(changes)}**")
    return lines


def render_api_markdown(changes: ApiChanges) -> str:
    return "\n".join(api_section_markdown(changes)) + "\n"


def _location(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"path": location.path, "line": location.line, "table_index": location.table_index,
            "row_index": location.row_index}


def change_dict(change: ApiChange) -> dict[str, Any]:
    """One change as JSON: the check, its severity, the operation, what changed, the values, both places."""
    return {"check": change.check.id, "severity": change.severity, "service": change.service,
            "method": change.method, "path": change.path, "in": change.where, "status_code": change.status_code,
            "name": change.name, "before": change.before, "after": change.after,
            "old": _location(change.old_at), "new": _location(change.new_at)}


def api_dict(changes: ApiChanges) -> dict[str, Any]:
    """``{"summary": {"breaking": n, "warning": n, "info": n}, "changes": [...]}``."""
    return {"summary": changes.counts(), "changes": [change_dict(c) for c in changes.changes]}


def render_api_json(changes: ApiChanges) -> str:
    return dumps(api_dict(changes))

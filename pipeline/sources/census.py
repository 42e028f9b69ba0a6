"""The line a build prints about its files: how many were read, how many skipped and of what kind."""

from __future__ import annotations

from pipeline.model import Census

#: Kinds of skipped files named in the line; the rest are summed (manifest.json lists them all).
KINDS_SHOWN = 6


def describe_census(census: Census) -> str:
    """``pipeline: 3,548 files: 2,450 pages read, 1,098 skipped (not documentation: png 1,065, …)``."""
    line = f"pipeline: {census.files:,} files: {census.pages:,} pages read"
    reasons = []
    if census.not_documentation:
        shown = [f"{kind} {count:,}" for kind, count in census.not_documentation[:KINDS_SHOWN]]
        rest = census.not_documentation[KINDS_SHOWN:]
        if rest:
            shown.append(f"{len(rest)} other kinds {sum(n for _, n in rest):,}")
        reasons.append("not documentation: " + ", ".join(shown))
    for name, count in (("hidden", census.hidden), ("excluded", census.excluded),
                        ("outside a service folder", census.outside_service_folder)):
        if count:
            reasons.append(f"{name} {count:,}")
    if census.skipped:
        line += f", {census.skipped:,} skipped ({'; '.join(reasons)})"
    unread = census.files - census.pages - census.skipped
    if unread:
        line += f", {unread:,} reported"
    if census.folders:
        line += f"; folders not entered: {', '.join(f'{why} {count:,}' for why, count in census.folders)}"
    return line

"""Bounds on what one page may add to the output, so its size stays proportional to what it documents.

A 300 KB line of ``<table>`` would otherwise give 85,000 ``unclosed-table`` issues and 43,000
tables (100 MB of ``issues.json`` from a 1 MB page). Past ``MAX_ISSUES_PER_KIND`` issues of one
kind on a page, the rest are counted in one summary issue of that kind (same severity, so
``--strict`` still fails); tables past ``MAX_TABLES_PER_PAGE`` are not read (``parsers``), and
that is reported as ``too-many-tables``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pipeline.model import Issue, Location
from pipeline.problems import KINDS

#: Issues of one kind listed per page; the others are counted in one summary issue.
MAX_ISSUES_PER_KIND = 100


def cap_issues(issues: Sequence[Issue], path: str) -> list[Issue]:
    """``issues`` with at most ``MAX_ISSUES_PER_KIND`` of each slug, then one ``... and N more`` issue per slug cut."""
    counts = Counter(issue.slug for issue in issues)
    if max(counts.values(), default=0) <= MAX_ISSUES_PER_KIND:
        return list(issues)
    kept: list[Issue] = []
    seen: Counter[str] = Counter()
    for issue in issues:
        seen[issue.slug] += 1
        if seen[issue.slug] <= MAX_ISSUES_PER_KIND:
            kept.append(issue)
        elif seen[issue.slug] == MAX_ISSUES_PER_KIND + 1:
            more = counts[issue.slug] - MAX_ISSUES_PER_KIND
            kept.append(KINDS[issue.slug].at(
                Location(path, issue.location.line),
                f"... and {more} more {issue.slug} problems on this page from here on, not listed (at most "
                f"{MAX_ISSUES_PER_KIND} of one kind are listed per page)"))
    return kept

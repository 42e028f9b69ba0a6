"""Splitting a markdown diff into pull-request comments that each fit a size limit (GitHub: 65,536 characters).

The text is cut between lines; a table cut in two gets its header row again at the top of
the next part, so every part renders on its own. Each part ends with ``Part i of n``. A single
line longer than half a part (a huge cell) is cut inside.
"""

from __future__ import annotations

import re

#: GitHub's limit on a pull-request comment, in characters.
GITHUB_COMMENT_LIMIT = 65_536
#: The smallest limit accepted: room for a table header, a row and the part line.
MIN_COMMENT_SIZE = 1_024
#: Room kept in each part for its ``Part i of n`` line.
FOOTER_ROOM = 48

_TABLE_RULE = re.compile(r"\|(?:\s*:?-{3,}:?\s*\|)+")


def split_markdown(text: str, limit: int = GITHUB_COMMENT_LIMIT) -> list[str]:
    """``text`` in parts of at most ``limit`` characters each (one part, unchanged, when it fits)."""
    if limit < MIN_COMMENT_SIZE:
        raise ValueError(f"a comment limit under {MIN_COMMENT_SIZE} characters leaves no room for a table")
    if len(text) <= limit:
        return [text]
    budget = limit - FOOTER_ROOM
    parts: list[list[str]] = [[]]
    size = 0
    header: list[str] = []  # the header and rule of the table being cut, repeated in the next part
    previous = ""
    for line in _lines(text.splitlines(keepends=True), budget // 2):
        if _TABLE_RULE.fullmatch(line.strip()):
            header = [previous, line]
        elif not line.startswith("|"):
            header = []
        if size + len(line) > budget and parts[-1]:
            carried = header if line.startswith("|") and sum(map(len, header)) + len(line) <= budget else []
            parts.append(list(carried))
            size = sum(map(len, carried))
        parts[-1].append(line)
        size += len(line)
        previous = line
    total = len(parts)
    return ["".join(lines).rstrip("\n") + f"\n\n_Part {number} of {total}._\n"
            for number, lines in enumerate(parts, 1)]


def _lines(lines: list[str], longest: int) -> list[str]:
    """The lines, each longer than ``longest`` cut into pieces of that length."""
    out: list[str] = []
    for line in lines:
        while len(line) > longest:
            out.append(line[:longest] + "\n")
            line = line[longest:]
        out.append(line)
    return out

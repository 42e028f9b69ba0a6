"""Which files of a root are read: gitignore-style ``--include`` / ``--exclude`` patterns, and service aliases.

Patterns are matched by ``pathspec`` (git's own rules: ``umn/`` is any folder named umn,
``/conf.py`` only at the top, ``!`` re-includes, ``**`` spans folders) against the path
relative to the root, ``virtual-private-cloud/api-ref/source/index.rst``, before any alias.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pathspec import GitIgnoreSpec

from pipeline.errors import UsageError
from pipeline.sources.read import MAX_PAGE_BYTES


@dataclass(frozen=True, slots=True)
class Selection:
    """What to read under the roots, and how each service folder is named in the dataset."""

    include: GitIgnoreSpec | None = None
    exclude: GitIgnoreSpec | None = None
    #: Service folder name -> the service its pages feed (``"virtual-private-cloud" = "vpc"``).
    aliases: Mapping[str, str] = field(default_factory=dict)
    max_page_bytes: int = MAX_PAGE_BYTES

    def excludes_folder(self, rel: str) -> bool:
        """An ``--exclude`` pattern names this folder: it is not entered (as in git, nothing below comes back)."""
        return self.exclude is not None and self.exclude.match_file(f"{rel}/")

    def excludes_file(self, rel: str) -> bool:
        """The file is not matched by ``--include`` (when given), or is matched by ``--exclude``."""
        if self.include is not None and not self.include.match_file(rel):
            return True
        return self.exclude is not None and self.exclude.match_file(rel)

    def service(self, folder: str) -> str:
        """The service a service folder's pages feed: its alias, else its name."""
        return self.aliases.get(folder, folder)


def compile_patterns(patterns: Iterable[str], label: str) -> GitIgnoreSpec | None:
    """The patterns as one gitignore spec (``None`` for none); ``UsageError`` naming ``label`` for a bad one."""
    lines = list(patterns)
    if not lines:
        return None
    for line in lines:
        if "\n" in line or "\r" in line:
            raise UsageError(f"{label} pattern {line!r} holds a line break; give one pattern per value")
    try:
        return GitIgnoreSpec.from_lines(lines)
    except ValueError as exc:  # pathspec's GitIgnorePatternError
        raise UsageError(f"{label}: {exc}") from exc


def make_selection(include: Iterable[str] = (), exclude: Iterable[str] = (),
                   aliases: Mapping[str, str] | None = None, max_page_bytes: int = MAX_PAGE_BYTES) -> Selection:
    """A ``Selection`` from pattern strings (checked: ``UsageError`` for a bad one)."""
    return Selection(compile_patterns(include, "--include"), compile_patterns(exclude, "--exclude"),
                     dict(aliases or {}), max_page_bytes)

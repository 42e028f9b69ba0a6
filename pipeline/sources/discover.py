"""Finding the pages under the input roots: each entry decided by ordered rules, the rest counted.

Each root is a folder of service folders (``raw_docs``; a folder of cloned repositories;
``doc/source`` of one big repository). A page's service is the first folder under its root
(or that folder's alias). Only documentation files in service folders become pages; hidden
and build folders are not entered, and every other file is counted by kind in a ``Census``,
never reported. What cannot be read safely (a symbolic link, a FIFO, a name that cannot be
written, a folder that cannot be listed) is reported as an ``Issue``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from pipeline.model import Census, Issue, Location
from pipeline.problems import NOT_A_FILE, SYMLINK_SKIPPED, UNREADABLE_DIRECTORY, UNUSABLE_FILE_NAME, ProblemKind
from pipeline.rules import Rules
from pipeline.sources.kinds import (
    BUILD_FOLDERS,
    NO_EXTENSION,
    SPHINX_BUILD_MARKER,
    file_kind,
    is_documentation,
    is_hidden,
    unusable_name,
)
from pipeline.sources.read import MAX_PAGE_BYTES, SourceFile
from pipeline.sources.roots import check_roots, check_unique
from pipeline.sources.selection import Selection


class Discovery(NamedTuple):
    """What ``discover`` found: the pages to read, the problems of no single page, what it skipped."""

    sources: list[SourceFile]
    issues: list[Issue]
    census: Census = Census()


# --- what the walk does with one directory entry -----------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One directory entry met by the walk: ``parts`` is its path below the root, its name last."""

    dirent: os.DirEntry[str]
    parts: tuple[str, ...]
    selection: Selection

    @property
    def name(self) -> str:
        return self.dirent.name

    @property
    def rel(self) -> str:
        return "/".join(self.parts)

    def is_folder(self) -> bool:
        return self.dirent.is_dir(follow_symlinks=False)


@dataclass(frozen=True, slots=True)
class Enter:
    """Walk into the folder."""


@dataclass(frozen=True, slots=True)
class SkipFolder:
    """Do not enter the folder; count it under ``reason``."""

    reason: str


@dataclass(frozen=True, slots=True)
class SkipFile:
    """Neither read nor report the file; count it under ``reason`` (and, not documentation, its ``kind``)."""

    reason: str
    kind: str = ""


@dataclass(frozen=True, slots=True)
class Report:
    """Report the entry as a problem; it is not read."""

    message: str
    kind: ProblemKind


@dataclass(frozen=True, slots=True)
class Read:
    """A page: hand it on to be read."""


Verdict = Enter | SkipFolder | SkipFile | Report | Read
#: The reasons a file is skipped (``Census`` fields).
NOT_DOCUMENTATION, HIDDEN, EXCLUDED, OUTSIDE = "not documentation", "hidden", "excluded", "outside a service folder"
BUILD_OUTPUT = "build output"


def hidden_entry(e: Entry) -> Verdict | None:
    """``.git/``, ``.github/``, ``.gitignore``: hidden things are tool state, never documentation."""
    if not is_hidden(e.name):
        return None
    return SkipFolder(HIDDEN) if e.is_folder() else SkipFile(HIDDEN)


def not_documentation(e: Entry) -> Verdict | None:
    """``logo.png``, ``conf.py``, ``tox.ini``, ``LICENSE``: not documentation by its extension; counted by kind.

    A symbolic link named so is counted too; a link that may be a folder or a page is reported.
    """
    if e.is_folder() or is_documentation(e.name):
        return None
    if e.dirent.is_symlink() and file_kind(e.name) == NO_EXTENSION:
        return None  # maybe a folder of pages: ``symbolic_link`` reports it
    return SkipFile(NOT_DOCUMENTATION, file_kind(e.name))


def bad_name(e: Entry) -> Verdict | None:
    """A name with control characters or bytes that are not UTF-8 cannot be written into the dataset."""
    if unusable_name(e.name) is None:
        return None
    return Report("name holds control characters or bytes that are not UTF-8; skipped (rename it)",
                  UNUSABLE_FILE_NAME)


def symbolic_link(e: Entry) -> Verdict | None:
    """A symbolic link is never followed: it may point outside the root."""
    if not e.dirent.is_symlink():
        return None
    return Report("symbolic link not followed (it may point outside the input root)", SYMLINK_SKIPPED)


def build_folder(e: Entry) -> Verdict | None:
    """``_build/``, ``__pycache__/``, ``node_modules/``: build output and caches, not sources."""
    return SkipFolder(BUILD_OUTPUT) if e.name in BUILD_FOLDERS and e.is_folder() else None


def excluded(e: Entry) -> Verdict | None:
    """Left out by ``--exclude`` (a folder is then not entered) or not matched by ``--include`` (files)."""
    if e.is_folder():
        return SkipFolder(EXCLUDED) if e.selection.excludes_folder(e.rel) else None
    return SkipFile(EXCLUDED) if e.selection.excludes_file(e.rel) else None


def folder(e: Entry) -> Verdict | None:
    """Any other folder is walked."""
    return Enter() if e.is_folder() else None


def special_file(e: Entry) -> Verdict | None:
    """A FIFO, socket or device named like a page: reported, never opened."""
    return None if e.dirent.is_file(follow_symlinks=False) else Report("not a regular file; skipped", NOT_A_FILE)


def outside_service_folder(e: Entry) -> Verdict | None:
    """``doc/source/index.rst``: a page directly in the root belongs to no service; counted, not read."""
    return SkipFile(OUTSIDE) if len(e.parts) < 2 else None


def page(e: Entry) -> Verdict:
    """What is left is a documentation file in a service folder: a page."""
    return Read()


ENTRY_RULES: Rules[Entry, Verdict] = Rules((
    hidden_entry, not_documentation, bad_name, symbolic_link, build_folder, excluded, folder, special_file,
    outside_service_folder, page,
))


# --- the walk ----------------------------------------------------------------------------------


class Walk:
    """One walk over the roots: the pages found, the problems reported, and counts of the rest."""

    def __init__(self, selection: Selection) -> None:
        self.selection = selection
        self.sources: list[SourceFile] = []
        self.issues: list[Issue] = []
        self.files = 0
        self.kinds: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.folders: Counter[str] = Counter()

    def census(self) -> Census:
        return Census(self.files, len(self.sources), _most_first(self.kinds), self.reasons[HIDDEN],
                      self.reasons[EXCLUDED], self.reasons[OUTSIDE], _most_first(self.folders))

    def shown(self, root: Path | None, parts: tuple[str, ...]) -> str:
        """A path as problems and pages name it: below the root, the service alias applied.

        The root itself is ``.``, or its own path when there are several (``root`` given).
        """
        if not parts:
            return "." if root is None else str(root)
        if len(parts) == 1:
            return parts[0]
        return "/".join((self.selection.service(parts[0]), *parts[1:]))

    def root(self, root: Path, label: Path | None) -> None:
        """Walk one root (``label``: how to name it in a problem, when there are several)."""
        stack: list[tuple[Iterator[os.DirEntry[str]], tuple[str, ...]]] = []
        self.enter(stack, root, (), label)
        while stack:
            entries, rel = stack[-1]
            dirent = next(entries, None)
            if dirent is None:
                stack.pop()
                continue
            entry = Entry(dirent, (*rel, dirent.name), self.selection)
            verdict = ENTRY_RULES.decide(entry)
            if isinstance(verdict, Enter):
                self.enter(stack, Path(dirent.path), entry.parts, label)
            else:
                self.take(entry, verdict)

    def enter(self, stack: list[tuple[Iterator[os.DirEntry[str]], tuple[str, ...]]], directory: Path,
              rel: tuple[str, ...], label: Path | None) -> None:
        """Put the folder's entries, sorted by name, on the stack; unless it cannot be listed or is build output."""
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            where = Location(self.shown(label, rel))
            self.issues.append(UNREADABLE_DIRECTORY.at(where, f"cannot list directory: {exc.strerror}"))
            return
        if rel and any(entry.name == SPHINX_BUILD_MARKER for entry in entries):
            self.folders[BUILD_OUTPUT] += 1  # Sphinx's HTML output: pages rendered from the sources
            return
        stack.append((iter(entries), rel))

    def take(self, entry: Entry, verdict: Verdict) -> None:
        """Count, report or keep an entry the walk does not enter."""
        if isinstance(verdict, SkipFolder):
            self.folders[verdict.reason] += 1
            return
        self.files += 1
        if isinstance(verdict, SkipFile):
            self.reasons[verdict.reason] += 1
            if verdict.reason == NOT_DOCUMENTATION:
                self.kinds[verdict.kind] += 1
        elif isinstance(verdict, Report):
            where = self.shown(None, (*entry.parts[:-1], unusable_name(entry.name) or entry.name))
            self.issues.append(verdict.kind.at(Location(where), verdict.message))
        else:
            self.sources.append(SourceFile(self.selection.service(entry.parts[0]), self.shown(None, entry.parts),
                                           Path(entry.dirent.path), self.selection.max_page_bytes))


def _most_first(counts: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def discover(roots: Path | Sequence[Path], max_page_bytes: int = MAX_PAGE_BYTES,
             selection: Selection | None = None) -> Discovery:
    """Every page under the roots' service folders, in a stable order, and what was skipped or reported.

    ``selection`` (patterns, aliases, the page size limit) overrides ``max_page_bytes``.
    Symbolic links are never followed (a link may point outside the root). Two roots that are
    the same folder, or one inside the other, or that give two pages the same source path, are
    refused with a ``UsageError`` (see ``pipeline.sources.roots``). The walk keeps its own stack,
    so no nesting depth can exhaust Python's recursion limit.
    """
    walk = Walk(Selection(max_page_bytes=max_page_bytes) if selection is None else selection)
    paths = [roots] if isinstance(roots, Path) else list(roots)
    check_roots(paths)
    for root in paths:
        walk.root(root, root if len(paths) > 1 else None)
    check_unique(walk.sources)
    return Discovery(walk.sources, walk.issues, walk.census())

"""``pipeline diff --rev OLD..NEW`` / ``--lock OLD.lock NEW.lock`` / ``--since DATE``: the declared sources
built at two revisions, and the upstream commits behind each change.

Each side pins every source to a commit (``Pinned``): ``--rev`` resolves OLD and NEW in each
source's mirror (a commit id, ``main~3``, a synced ref name); a source that has not got one
keeps its locked commit on that side. ``--since`` takes, in each source, the last commit of
its locked history before the date, against the locked commit. Both sides are built in memory
from git objects, through the page store, so a page unchanged between them is parsed once.
``upstream_commits`` then lists, for each page with a change, the commits between the two
sides that touched it (``git log OLD..NEW -- page``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.building import default_jobs
from pipeline.datasets import RESOURCES
from pipeline.diff.compare import DatasetDiff
from pipeline.diff.escape import md_escape
from pipeline.diff.load import DiffInputError, Side
from pipeline.incremental.store import PageStore
from pipeline.sources.config import Config
from pipeline.sources.git import GitError, check_revision
from pipeline.sources.lock import Locked, read_lock
from pipeline.sources.mirror import Mirror, short
from pipeline.text import escape_controls
from pipeline.upstream import Pinned, build_pinned, pin


@dataclass(frozen=True, slots=True)
class Revisions:
    """The two sides of a diff of declared sources: each source at its old and new commit (None: absent)."""

    old: tuple[Pinned, ...]
    new: tuple[Pinned, ...]
    old_label: str
    new_label: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Touch:
    """An upstream commit that touched a page between the two sides."""

    commit: str
    subject: str


@dataclass(frozen=True, slots=True)
class Upstream:
    """Per source that moved, its two commits and the commits behind each changed page."""

    source: str
    old: str | None
    new: str | None
    pages: Mapping[str, tuple[Touch, ...]] = field(default_factory=dict)


def split_range(spec: str) -> tuple[str, str]:
    """``OLD..NEW`` -> (OLD, NEW); each is checked so that git cannot take it for an option."""
    old, dots, new = spec.partition("..")
    if not dots or not old or not new or new.startswith("."):
        raise DiffInputError(f"--rev {spec!r}: give OLD..NEW (two refs or commits, e.g. v1.0..main)")
    try:
        return check_revision(old), check_revision(new)
    except GitError as exc:
        raise DiffInputError(f"--rev: {exc}") from exc


def parse_date(text: str) -> str:
    """A ``--since`` date (``2025-10-01``, or with a time) as git's ``--before`` reads it, checked first."""
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError as exc:
        raise DiffInputError(f"--since {text!r}: give a date as YYYY-MM-DD (or an ISO date and time)") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.isoformat()


def _locked(config: Config, lock: Mapping[str, Locked], name: str) -> list[Pinned]:
    return pin(config.sources, lock, name)


def by_rev(config: Config, lock: Mapping[str, Locked], lock_name: str, mirror: Mirror, spec: str) -> Revisions:
    """Each source at OLD and at NEW where its mirror has them, else at its locked commit."""
    old_rev, new_rev = split_range(spec)
    old: list[Pinned] = []
    new: list[Pinned] = []
    found = {old_rev: 0, new_rev: 0}
    notes = []
    for locked in _locked(config, lock, lock_name):
        sides = []
        for rev in (old_rev, new_rev):
            try:
                sides.append(Pinned(locked.source, mirror.resolve(locked.source, rev)))
                found[rev] += 1
            except GitError:
                sides.append(locked)
                notes.append(f"{locked.source.name} has no {rev}: its locked commit {short(locked.commit)} is used")
        old.append(sides[0])
        new.append(sides[1])
    missing = [rev for rev, count in found.items() if not count]
    if missing:
        raise DiffInputError(f"--rev: no declared source has {missing[0]!r} (synced refs, commits and "
                             "REV~N of the mirror are known; run `pipeline sync` first)")
    return Revisions(tuple(old), tuple(new), old_rev, new_rev, tuple(notes))


def by_locks(config: Config, old_lock: str, new_lock: str) -> Revisions:
    """Each source at the commit of each lock file."""
    old = _locked(config, read_lock(Path(old_lock)), old_lock)
    new = _locked(config, read_lock(Path(new_lock)), new_lock)
    return Revisions(tuple(old), tuple(new), old_lock, new_lock)


def by_date(config: Config, lock: Mapping[str, Locked], lock_name: str, mirror: Mirror, date: str) -> Revisions:
    """Each source at the last commit of its locked history before ``date``, against its locked commit."""
    before = parse_date(date)
    new = _locked(config, lock, lock_name)
    old: list[Pinned] = []
    notes = []
    for locked in new:
        commit = mirror.before(locked.source, locked.commit, before)
        if commit is None:
            notes.append(f"{locked.source.name} has no commit before {date}: all its records are new")
            continue
        old.append(Pinned(locked.source, commit))
    return Revisions(tuple(old), tuple(new), f"before {date}", lock_name, tuple(notes))


def commits_label(pinned: Sequence[Pinned], label: str) -> str:
    """``main (vpc@19e480d, nat@1813a7f)``: the side as given and the commit of each source."""
    return f"{label} ({', '.join(f'{p.source.name}@{short(p.commit)}' for p in pinned)})"


def build_side(mirror: Mirror, pinned: Sequence[Pinned], label: str, store: PageStore | None,
               fetch: bool = True) -> Side:
    """The sources at their commits, built in memory (the blobs of a partial mirror fetched first, with ``fetch``)."""
    try:
        if fetch:
            for item in pinned:
                mirror.fetch_blobs(item.source, item.commit)
        dataset = build_pinned(mirror, pinned, jobs=default_jobs(), store=store)
    except GitError as exc:
        raise DiffInputError(str(exc)) from exc
    pages = sum(1 for p in dataset.pages if p.source_path)
    unreadable = tuple(i for i in dataset.issues if i.severity == "error")
    records = {r.name: tuple(dataset.records_of(r)) for r in RESOURCES}
    return Side(commits_label(pinned, label), "docs", records, unreadable, pages)


def changed_pages(diff: DatasetDiff) -> set[str]:
    """The source path of every record added, removed or changed (or not compared) in the diff."""
    pages: set[str] = set()
    for records in diff.datasets.values():
        for group in (records.added, records.removed, records.uncompared_old, records.uncompared_new):
            pages.update(record.source_path for record in group)
        pages.update(change.after.source_path for change in records.changed)
    return pages


def upstream_commits(mirror: Mirror, revisions: Revisions, pages: set[str]) -> list[Upstream]:
    """For each source whose commit differs between the sides, the commits that touched each changed page."""
    olds = {p.source.name: p for p in revisions.old}
    found = []
    for new in revisions.new:
        old = olds.get(new.source.name)
        if old is not None and old.commit == new.commit:
            continue
        prefix = f"{new.source.service}/"
        wanted = {page.removeprefix(prefix) for page in pages if page.startswith(prefix)}
        touched: dict[str, tuple[Touch, ...]] = {}
        if old is not None and wanted:
            touched = _log(mirror, new, old.commit, wanted)
        found.append(Upstream(new.source.name, old.commit if old else None, new.commit, touched))
    return found


def _log(mirror: Mirror, new: Pinned, old_commit: str, wanted: set[str]) -> dict[str, tuple[Touch, ...]]:
    """``git log OLD..NEW`` over the source's paths: the commits (newest first) that touched each wanted page."""
    args = ["log", "-z", "--no-renames", "--name-only", "--format=%x01%H%x09%s", "--end-of-options",
            f"{old_commit}..{new.commit}"]
    paths = new.source.paths
    out = mirror.git.run(mirror.repository(new.source), [*args, "--", *paths] if paths else args, new.source.name)
    touched: dict[str, list[Touch]] = {}
    current: Touch | None = None
    for token in out.decode(errors="replace").split("\0"):
        token = token.lstrip("\n")
        if token.startswith("\x01"):
            commit, _, subject = token[1:].partition("\t")
            current = Touch(commit, subject)
        elif token and current is not None and token in wanted:
            touched.setdefault(f"{new.source.service}/{token}", []).append(current)
    return {page: tuple(commits) for page, commits in sorted(touched.items())}


# --- the upstream commits, in each format (appended to the diff itself) ---------------------------


def upstream_text(found: Sequence[Upstream], notes: Sequence[str] = ()) -> str:
    """``Upstream commits`` for the text format: each source that moved, then each changed page's commits."""
    lines = [f"note: {escape_controls(note)}" for note in notes]
    if found:
        lines.append("Upstream commits behind these changes:")
    for item in found:
        lines.append(f"  {item.source}: {short(item.old)} → {short(item.new)}")
        for page, touches in item.pages.items():
            lines.append(f"    {escape_controls(page)}")
            lines += [f"      {short(t.commit)} {escape_controls(t.subject)}" for t in touches]
    return "\n".join(lines) + "\n" if lines else ""


def upstream_markdown(found: Sequence[Upstream], notes: Sequence[str] = ()) -> str:
    """The same as a markdown section: a list per source, the page and its commits."""
    lines = [f"> {md_escape(note)}" for note in notes]
    if found:
        lines += ["", "#### Upstream commits behind these changes", ""]
    for item in found:
        lines.append(f"- **{md_escape(item.source)}**: `{short(item.old)}` → `{short(item.new)}`")
        for page, touches in item.pages.items():
            commits = ", ".join(f"`{short(t.commit)}` {md_escape(t.subject)}" for t in touches)
            lines.append(f"  - {md_escape(page)}: {commits}")
    return "\n".join(lines) + "\n" if lines else ""


def upstream_dict(found: Sequence[Upstream], notes: Sequence[str] = ()) -> dict[str, Any]:
    """The JSON form: ``{"notes": [...], "sources": [{"source", "old", "new", "pages": {path: [...]}}]}``."""
    return {"notes": list(notes), "sources": [
        {"source": item.source, "old": item.old, "new": item.new,
         "pages": {page: [{"commit": t.commit, "subject": t.subject} for t in touches]
                   for page, touches in item.pages.items()}} for item in found]}

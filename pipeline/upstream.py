"""Building declared git sources: each source's pages read at a commit from the mirror, provenance on every record.

``pin`` pairs each source with the commit the lock file (or a revision) names; ``discover_pinned``
lists their pages from git trees (no checkout, no work tree, ``export-ignore`` not applied)
as ``SourceFile``s whose bytes are git blobs, and the census of the files left out;
``stamped`` sets ``source_repo``, ``source_commit`` and ``source_url`` on each record as it
streams past. The page store holds results without provenance (a page unchanged across
commits is one entry), so provenance is set after a result is read back or parsed.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.building import finish, stream_results
from pipeline.errors import UsageError
from pipeline.incremental.encoded import EncodedPage
from pipeline.incremental.store import PageStore
from pipeline.model import Census, Dataset, Issue, Location
from pipeline.problems import UNUSABLE_FILE_NAME
from pipeline.sources import Discovery, SourceFile
from pipeline.sources.config import Config
from pipeline.sources.declared import Source, page_filter
from pipeline.sources.git import GitError
from pipeline.sources.kinds import file_kind, is_documentation, is_hidden, unusable_name
from pipeline.sources.lock import Locked as LockEntry
from pipeline.sources.lock import read_lock
from pipeline.sources.mirror import Mirror
from pipeline.sources.read import MAX_PAGE_BYTES, GitBlob


@dataclass(frozen=True, slots=True)
class Pinned:
    """A declared source at one commit."""

    source: Source
    commit: str


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a page of a git source comes from: its source, the commit, its path in the repository."""

    source: Source
    commit: str
    path: str

    def stamp(self, record: Any) -> Any:
        """The record with its provenance: the repository, the commit and the link to its line."""
        link = self.source.link(self.commit, self.path, getattr(record, "line", None))
        return dataclasses.replace(record, source_repo=self.source.repo, source_commit=self.commit, source_url=link)


def pin(sources: Sequence[Source], lock: Mapping[str, LockEntry], lock_name: str) -> list[Pinned]:
    """Each source at its locked commit; ``UsageError`` when one is not locked, or locked from another repository."""
    pinned = []
    for source in sources:
        entry = lock.get(source.name)
        if entry is None:
            raise UsageError(f"{source.name} is not in the lock file; run `pipeline sync`", lock_name)
        if entry.repo != source.repo:
            raise UsageError(f"{source.name} was locked from {entry.repo}, not {source.repo}; run `pipeline sync`",
                             lock_name)
        pinned.append(Pinned(source, entry.commit))
    return pinned


def discover_pinned(mirror: Mirror, pinned: Sequence[Pinned],
                    max_page_bytes: int = MAX_PAGE_BYTES) -> tuple[Discovery, dict[str, Origin]]:
    """The pages of every source at its commit (``SourceFile``s read from git), the census, each page's origin."""
    sources: list[SourceFile] = []
    issues: list[Issue] = []
    origins: dict[str, Origin] = {}
    census = Counter[str]()
    kinds = Counter[str]()
    for item in pinned:
        source, commit = item.source, item.commit
        repository = mirror.repository(source)
        reads = page_filter(source)
        files = mirror.list_files(source, commit)
        pages = [entry for entry in files if reads(entry.path)]
        _count(census, kinds, files, reads)
        sizes = mirror.git.sizes(repository, sorted({entry.oid for entry in pages}), source.name)
        for entry in pages:
            source_path = f"{source.service}/{entry.path}"
            shown = unusable_name(entry.path)
            if shown is not None:
                issues.append(UNUSABLE_FILE_NAME.at(Location(f"{source.service}/{shown}"),
                                                    "file name not readable as text; not read"))
                continue
            sources.append(SourceFile(source.service, source_path, repository / entry.path, max_page_bytes,
                                      GitBlob(repository, entry.oid, sizes[entry.oid])))
            origins[source_path] = Origin(source, commit, entry.path)
    found = Census(files=census["files"], pages=len(sources), not_documentation=tuple(kinds.most_common()),
                   hidden=census["hidden"], excluded=census["excluded"],
                   sources=tuple((p.source.name, p.source.repo, p.commit) for p in pinned))
    return Discovery(sources, issues, found), origins


def _count(census: Counter[str], kinds: Counter[str], files: Iterable[Any], reads: Any) -> None:
    """Count the files of a source that are not its pages, as ``discover`` counts those of a folder."""
    for entry in files:
        census["files"] += 1
        name = entry.path.rsplit("/", 1)[-1]
        if reads(entry.path):
            continue
        if any(is_hidden(part) for part in entry.path.split("/")):
            census["hidden"] += 1
        elif not is_documentation(name):
            kinds[file_kind(name)] += 1
        else:
            census["excluded"] += 1


def stamped(results: Generator[EncodedPage, None, None],
            origins: Mapping[str, Origin]) -> Generator[EncodedPage, None, None]:
    """Each page with provenance on its records (a page of no git source unchanged); closing closes ``results``.

    The page store keeps a page by its blob, whatever commit it was read at, so the provenance
    is stamped here, on its records read back, and the page encoded again.
    """
    try:
        for page in results:
            origin = origins.get(page.source_path)
            if origin is None:
                yield page
                continue
            result = page.result()
            records = {name: tuple(map(origin.stamp, records)) for name, records in result.records.items()}
            yield EncodedPage.of(dataclasses.replace(result, records=records))
    finally:
        results.close()


@dataclass(frozen=True, slots=True)
class LockedPages:
    """The declared sources' pages at their locked commits, and each page's origin: what a build reads."""

    discovery: Discovery
    origins: Mapping[str, Origin]


def discover_locked(config: Config, lock_file: Path | None, mirror_folder: Path | None,
                    max_page_bytes: int = MAX_PAGE_BYTES) -> LockedPages:
    """The pages of ``config``'s sources at the commits of the lock file, read from the mirror (no network)."""
    if config.roots:
        raise UsageError("give roots or [[source]] tables, not both (a build reads one or the other)",
                         str(config.path))
    lock_path = lock_file or config.lock
    if not lock_path.exists():
        raise UsageError("no lock file: run `pipeline sync` first (it fetches the sources and writes it)",
                         str(lock_path))
    mirror = Mirror(mirror_folder or config.mirror)
    try:
        discovery, origins = discover_pinned(mirror, pin(config.sources, read_lock(lock_path), str(lock_path)),
                                             max_page_bytes)
    except GitError as exc:
        raise UsageError(f"{exc}; run `pipeline sync`") from exc
    if not discovery.sources:
        raise UsageError("the declared sources hold no pages at their locked commits (check paths, include "
                         "and exclude)", str(config.path))
    return LockedPages(discovery, origins)


def build_pinned(mirror: Mirror, pinned: Sequence[Pinned], *, jobs: int = 1, store: PageStore | None = None,
                 max_page_bytes: int = MAX_PAGE_BYTES) -> Dataset:
    """The dataset of the sources at these commits, in memory (``pipeline diff --rev``)."""
    discovered, origins = discover_pinned(mirror, pinned, max_page_bytes)
    results = stamped(stream_results(discovered.sources, jobs=jobs, store=store), origins)
    return finish((page.result() for page in results), discovered.issues, discovered.census)

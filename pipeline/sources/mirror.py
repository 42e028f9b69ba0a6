"""The mirror folder: one bare clone per declared source, brought up to date with ``git fetch``.

``.pipeline-mirror/<service>.git`` holds what its source's ref pointed at each sync, under
``refs/sources/<ref>``. A fetch only asks for that ref (``+``: a force-pushed branch is
followed), incrementally. A source with ``paths`` is a partial clone (``--filter=blob:none``:
commits and trees only) whose page blobs at the new commit are then fetched, so the figures
and user guides of a docs repository are never downloaded, and everything a build reads is
in the mirror: builds and ``--offline`` never touch the network. Nothing is ever checked out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.sources.declared import Source, page_filter
from pipeline.sources.git import COMMIT_ID, Git, GitError, TreeEntry

#: The remote of every mirror (one per mirror): its URL is the source's repository.
REMOTE = "origin"
#: Where a mirror keeps the fetched ref ``main`` (as ``refs/sources/main``).
REF_PREFIX = "refs/sources/"
#: Written into the mirror folder, so that git ignores it wherever it is made.
IGNORE_ALL = "# made by pipeline sync: bare clones of the declared sources\n*\n"


def short(commit: str | None) -> str:
    """A commit as printed: its first seven digits."""
    return commit[:7] if commit else "none"


@dataclass(frozen=True, slots=True)
class Synced:
    """What a sync did to one source: the commit before (from the lock) and after, and the pages changed."""

    source: Source
    old: str | None
    new: str
    changed: int | None  # pages added, removed or modified; None when ``old`` is not in the mirror
    pages: int  # pages at ``new``
    rewritten: bool = False  # neither commit is an ancestor of the other: the ref was force-pushed
    back: bool = False  # ``new`` is an ancestor of ``old``: the ref (or the pin) moved back

    def line(self) -> str:
        """``vpc: 4116c72 → 19e480d, 12 pages changed`` (or first sync, up to date, history rewritten)."""
        name, new = self.source.name, short(self.new)
        if self.old is None:
            return f"{name}: {new} (first sync), {self.pages} pages"
        if self.old == self.new:
            return f"{name}: {new}, up to date"
        rewritten = (" (history rewritten: the old commit is not an ancestor)" if self.rewritten
                     else " (moved back to an older commit)" if self.back else "")
        if self.changed is None:
            return f"{name}: {short(self.old)} → {new}{rewritten}, the old commit is not in the mirror"
        plural = "" if self.changed == 1 else "s"
        return f"{name}: {short(self.old)} → {new}{rewritten}, {self.changed} page{plural} changed"


class Mirror:
    """The mirror folder and the git commands on its bare clones."""

    def __init__(self, folder: Path, git: Git | None = None) -> None:
        self.folder = folder.absolute()  # blob readers are kept by repository path: never a relative one
        self.git = git or Git(purpose="declared sources", bare=True)

    def repository(self, source: Source) -> Path:
        return self.folder / f"{source.service}.git"

    def sync(self, source: Source, previous: str | None, offline: bool = False) -> Synced:
        """Fetch the source's ref (unless ``offline``) and say what moved since the commit ``previous``."""
        if not offline:
            self.fetch(source)
        new = self.resolve(source, source.ref)
        reads = page_filter(source)
        pages = sum(1 for entry in self.list_files(source, new) if reads(entry.path))
        if previous is None or previous == new:
            return Synced(source, previous, new, 0 if previous else pages, pages)
        repo = self.repository(source)
        if not self.git.succeeds(repo, ["cat-file", "-e", "--end-of-options", f"{previous}^{{commit}}"]):
            return Synced(source, previous, new, None, pages)
        forward = self.is_ancestor(source, previous, new)
        back = not forward and self.is_ancestor(source, new, previous)
        return Synced(source, previous, new, self.changed_pages(source, previous, new, reads), pages,
                      rewritten=not forward and not back, back=back)

    def is_ancestor(self, source: Source, old: str, new: str) -> bool:
        return self.git.succeeds(self.repository(source), ["merge-base", "--is-ancestor", "--end-of-options", old, new])

    # --- fetching --------------------------------------------------------------------------

    def prepare(self, source: Source) -> Path:
        """The source's bare clone, made when missing; a folder there that is not one is a corrupt mirror."""
        repo = self.repository(source)
        label = source.name
        if not repo.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text(IGNORE_ALL, encoding="utf-8")
            self.git.run(None, ["init", "--bare", "--quiet", "--", str(repo.absolute())], label)
        self.check(source)
        url = self.git.run(repo, ["config", "--default", "", "--get", f"remote.{REMOTE}.url"], label)
        if url.decode(errors="replace").strip() != source.repo:
            self.git.run(repo, ["config", "--", f"remote.{REMOTE}.url", source.repo], label)
        return repo

    def check(self, source: Source) -> None:
        """``GitError`` naming the mirror when it is missing or not a readable bare repository."""
        repo = self.repository(source)
        if not repo.is_dir():
            raise GitError(f"{source.name}: no mirror at {repo}; run `pipeline sync` without --offline")
        try:
            bare = self.git.run(repo, ["rev-parse", "--is-bare-repository"], source.name).decode().strip()
        except GitError as exc:
            raise GitError(f"{exc} (the mirror {repo} is damaged: remove it and sync again)") from exc
        if bare != "true":
            raise GitError(f"{source.name}: the mirror {repo} is not a bare repository: remove it and sync again")

    def fetch(self, source: Source) -> None:
        """Fetch the source's ref into ``refs/sources/<ref>`` (a commit already in the mirror is not fetched),
        then, for a partial clone, the blobs of its pages at that commit."""
        repo = self.prepare(source)
        ref = source.ref
        if not (COMMIT_ID.fullmatch(ref) and self.git.succeeds(repo, ["cat-file", "-e", f"{ref}^{{commit}}"])):
            partial = ["--filter=blob:none"] if source.paths else []
            self.git.run(repo, ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", *partial, REMOTE,
                                "--end-of-options", f"+{ref}:{REF_PREFIX}{ref}"], source.name, network=True)
        self.fetch_blobs(source, self.resolve(source, ref))

    def fetch_blobs(self, source: Source, commit: str) -> None:
        """Fetch the blobs of the source's pages at ``commit`` into a partial clone (those it has cost nothing).

        Asking git whether a blob is there would make it fetch the blob, one request each: the
        whole list is given to one ``fetch --stdin`` instead, which skips what the mirror holds.
        """
        wanted = sorted({entry.oid for entry in self.pages(source, commit)})
        if wanted and self.is_partial(source):
            self.git.run(self.repository(source), ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
                                                   "--recurse-submodules=no", "--filter=blob:none", "--stdin", REMOTE],
                         source.name, stdin="".join(f"{oid}\n" for oid in wanted).encode(), network=True,
                         config={"fetch.negotiationAlgorithm": "noop"})

    def is_partial(self, source: Source) -> bool:
        """Whether the mirror is a partial clone (it may lack blobs its trees name)."""
        out = self.git.run(self.repository(source), ["config", "--default", "", "--get", f"remote.{REMOTE}.promisor"],
                           source.name)
        return out.decode().strip() == "true"

    # --- reading ---------------------------------------------------------------------------

    def resolve(self, source: Source, rev: str) -> str:
        """The commit ``rev`` is in the source's mirror: a fetched ref name, a commit id, ``main~3``, a tag."""
        self.check(source)
        repo = self.repository(source)
        fetched = f"{REF_PREFIX}{rev}"
        if self.git.succeeds(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{fetched}^{{commit}}"]):
            rev = fetched
        return self.git.resolve_commit(repo, rev, f"{source.name}: {rev}")

    def list_files(self, source: Source, commit: str, sizes: bool = False) -> list[TreeEntry]:
        """The regular files below the source's paths at ``commit`` (paths from the repository root).

        ``sizes`` only once the pages' blobs are in the mirror (a synced commit): git reads them for it.
        """
        return self.git.list_tree(self.repository(source), commit, source.name, source.paths, sizes)

    def pages(self, source: Source, commit: str, sizes: bool = False) -> list[TreeEntry]:
        """The source's pages at ``commit``."""
        reads = page_filter(source)
        return [entry for entry in self.list_files(source, commit, sizes) if reads(entry.path)]

    def changed_pages(self, source: Source, old: str, new: str, reads: Callable[[str], bool]) -> int:
        """How many pages differ between two commits (added, removed or modified), from the trees alone."""
        args = ["diff-tree", "-r", "-z", "--name-only", "--no-renames", "--end-of-options", old, new]
        out = self.git.run(self.repository(source), [*args, "--", *source.paths] if source.paths else args,
                           source.name)
        return sum(1 for name in out.decode(errors="surrogateescape").split("\0") if name and reads(name))

    def before(self, source: Source, commit: str, date: str) -> str | None:
        """The last commit of ``commit``'s history made before ``date`` (``--since``), or None."""
        out = self.git.run(self.repository(source), ["rev-list", "-1", "--first-parent", f"--before={date}",
                                                     "--end-of-options", commit], source.name)
        found = out.decode().strip()
        return found if COMMIT_ID.fullmatch(found) else None

"""Reading git repositories with the ``git`` command: trees at a commit and blobs by id, nothing checked out.

Used by ``pipeline diff --git REV:path`` and by builds and syncs of declared sources. Every
call goes through ``Git.run``: arguments that come from users or files follow
``--end-of-options`` (or ``--``), a revision starting with ``-`` is refused before git sees it,
only the file, https, ssh and git transports are allowed (``GIT_ALLOW_PROTOCOL``; never
``ext::``), git never prompts, and reads never write the index. Blobs are read with one
``git cat-file --batch`` per call, a blob at a time, each at most a given size.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from pipeline.errors import PipelineError

#: ``--end-of-options`` (so that no argument can be taken for an option) came with git 2.24.
GIT_MINIMUM = (2, 24)
#: The transports a fetch may use: ``ext::`` (runs a command) and others are refused by git itself.
ALLOWED_PROTOCOLS = "file:https:ssh:git"
#: Given to reads instead, so that a partial clone never fetches a missing blob behind our back.
NO_PROTOCOL = "none"
#: A full commit id (SHA-1 or SHA-256).
COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
#: The mode git gives a symbolic link; links are never read as pages.
SYMLINK_MODE = "120000"


class GitError(PipelineError):
    """git is missing or too old, or a git command failed (its last line of stderr says why)."""


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """A regular file of a git tree: its path from the repository root, its blob id and size in bytes.

    The size is None when not asked for: a partial clone would have to fetch the blob to tell it.
    """

    path: str
    oid: str
    size: int | None


def check_revision(rev: str, what: str = "revision") -> str:
    """``rev`` unchanged, or ``GitError`` when git could take it for an option or it holds a control character.

    >>> check_revision("HEAD~1")
    'HEAD~1'
    >>> check_revision("--output=/tmp/x")
    Traceback (most recent call last):
    pipeline.sources.git.GitError: '--output=/tmp/x': a revision cannot start with '-' (git would take it for an option)
    """
    if rev.startswith("-"):
        raise GitError(f"{rev!r}: a {what} cannot start with '-' (git would take it for an option)")
    if not rev or not rev.isprintable() or any(ch.isspace() for ch in rev):
        raise GitError(f"{rev!r}: a {what} must be one word without spaces or control characters")
    return rev


class Git:
    """The ``git`` executable, checked once, and how every command is run."""

    def __init__(self, executable: str | None = None, purpose: str = "reading git repositories",
                 bare: bool = False) -> None:
        """``bare``: each repository given is a bare repository itself (``--git-dir``), never looked for above it."""
        found = executable or shutil.which("git")
        if found is None:
            raise GitError(f"git is not installed (needed for {purpose})")
        self.executable = found
        self.purpose = purpose
        self.bare = bare
        self._checked = False

    def command(self, repo: Path | None, config: Mapping[str, str] | None = None) -> list[str]:
        """``git`` with the repository option (``-C``, or ``--git-dir`` when bare) and ``-c`` settings."""
        where = [] if repo is None else ["--git-dir" if self.bare else "-C", str(repo.absolute())]
        options = [item for key, value in (config or {}).items() for item in ("-c", f"{key}={value}")]
        return [self.executable, *where, *options]

    def environment(self, network: bool) -> dict[str, str]:
        """The process environment for git: no prompts, no index writes, only ``ALLOWED_PROTOCOLS`` (or none)."""
        return {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "",
                "SSH_ASKPASS": "", "GIT_ALLOW_PROTOCOL": ALLOWED_PROTOCOLS if network else NO_PROTOCOL,
                "GIT_SSH_COMMAND": "ssh -o BatchMode=yes", "LC_ALL": "C"}

    def run(self, repo: Path | None, args: Sequence[str], label: str, *, stdin: bytes | None = None,
            network: bool = False, config: Mapping[str, str] | None = None) -> bytes:
        """Run ``git -C repo ARGS`` (no network unless ``network``); a failure is a ``GitError`` ``label: why``."""
        self.check_version()
        try:
            proc = subprocess.run([*self.command(repo, config), *args], input=stdin, capture_output=True,
                                  check=False, env=self.environment(network))
        except OSError as exc:
            raise GitError(f"cannot run git: {exc.strerror}") from exc
        if proc.returncode != 0:
            raise GitError(f"{label}: {reason(proc.stderr, f'git {args[0]} exited {proc.returncode}')}")
        return proc.stdout

    def succeeds(self, repo: Path, args: Sequence[str]) -> bool:
        """Whether a read-only git command exits 0 (``merge-base --is-ancestor``, ``rev-parse --verify``)."""
        self.check_version()
        try:
            proc = subprocess.run([*self.command(repo), *args], capture_output=True, check=False,
                                  env=self.environment(False))
        except OSError as exc:
            raise GitError(f"cannot run git: {exc.strerror}") from exc
        return proc.returncode == 0

    def check_version(self) -> None:
        """Refuse a git older than ``GIT_MINIMUM``: it would read ``--end-of-options`` as a revision."""
        if self._checked:
            return
        try:
            proc = subprocess.run([self.executable, "--version"], capture_output=True, check=False)
        except OSError as exc:
            raise GitError(f"cannot run git: {exc.strerror}") from exc
        text = proc.stdout.decode(errors="replace")
        numbers = re.match(r"git version (\d{1,9})\.(\d{1,9})", text)
        if numbers is None:
            raise GitError(f"cannot tell the version of {self.executable} (it says {text.strip()[:80]!r})")
        found = (int(numbers.group(1)), int(numbers.group(2)))
        if found < GIT_MINIMUM:
            raise GitError(f"{self.purpose} needs git {'.'.join(map(str, GIT_MINIMUM))} or newer; {self.executable} "
                           f"is {'.'.join(map(str, found))}")
        self._checked = True

    # --- reading ---------------------------------------------------------------------------

    def object_type(self, repo: Path, rev: str, label: str) -> str:
        """``commit``, ``tree``, ``blob`` or ``tag``: what ``rev`` (``REV`` or ``REV:path``) names."""
        check_revision(rev)
        return self.run(repo, ["cat-file", "-t", "--end-of-options", rev], label).decode().strip()

    def resolve_commit(self, repo: Path, rev: str, label: str) -> str:
        """The full id of the commit ``rev`` names in ``repo`` (a branch, tag, id or ``REV~2``)."""
        check_revision(rev)
        out = self.run(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], label)
        commit = out.decode().strip()
        if not COMMIT_ID.fullmatch(commit):
            raise GitError(f"{label}: {rev!r} is not a commit")
        return commit

    def list_tree(self, repo: Path, treeish: str, label: str, paths: Sequence[str] = (),
                  sizes: bool = True) -> list[TreeEntry]:
        """Every regular file of ``treeish`` (below ``paths`` when given), with its blob id and (``sizes``) size.

        Symbolic links and submodules are left out, as ``build`` never follows links; a path
        that is absolute or goes up (``..``) is refused.
        """
        check_revision(treeish)
        args = ["ls-tree", "-r", "-z", *(["-l"] if sizes else []), "--full-tree", "--end-of-options", treeish]
        listing = self.run(repo, [*args, "--", *paths] if paths else args, label)
        return parse_tree(listing, label)

    def sizes(self, repo: Path, oids: Sequence[str], label: str) -> dict[str, int]:
        """The size of each blob (``cat-file --batch-check``); a blob not in the repository is a ``GitError``."""
        if not oids:
            return {}
        try:
            out = self.run(repo, ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"], label,
                           stdin="".join(f"{oid}\n" for oid in oids).encode())
        except GitError as exc:  # a partial clone asked for a blob it lacks, and was refused the network
            raise GitError(f"{exc} (the repository lacks blobs of these pages: an incomplete mirror, sync again)") \
                from exc
        found: dict[str, int] = {}
        for line in out.decode(errors="replace").splitlines():
            fields = line.split()
            if len(fields) == 3 and fields[1] == "blob" and fields[2].isdigit():
                found[fields[0]] = int(fields[2])
        missing = next((oid for oid in oids if oid not in found), None)
        if missing is not None:
            raise GitError(f"{label}: blob {missing} is not in the repository (an incomplete mirror: sync again)")
        return found

    def read_blobs(self, repo: Path, oids: Iterable[str], label: str, max_bytes: int) -> Iterator[tuple[str, bytes]]:
        """``(oid, bytes)`` for each blob id, in order, through one ``git cat-file --batch``.

        A blob over ``max_bytes`` is an error here: callers leave such blobs out beforehand
        (``TreeEntry.size``) and report them. Requests are written by a thread while the answers
        are read, so neither side waits on a full pipe.
        """
        self.check_version()
        wanted = list(oids)
        if not wanted:
            return
        proc = subprocess.Popen([*self.command(repo), "cat-file", "--batch"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=self.environment(False))
        assert proc.stdin is not None and proc.stdout is not None
        writer = threading.Thread(target=_write_requests, args=(proc.stdin, wanted), daemon=True)
        writer.start()
        try:
            for oid in wanted:
                yield oid, _read_one(proc.stdout, oid, label, max_bytes)
        finally:
            proc.stdout.close()
            proc.kill()
            proc.wait()
            writer.join()
            if proc.stderr is not None:
                proc.stderr.close()


class BlobReader:
    """One long-lived ``git cat-file --batch`` of a repository: a blob at a time, by id, each bounded.

    A build reads its git pages through one per repository and process (``blob_reader``), so a
    page costs a request, not a git process; it ends with the process (or ``close``).
    """

    def __init__(self, repository: Path, git: Git | None = None) -> None:
        self.repository = repository
        self.git = git or Git(purpose="declared sources", bare=True)
        self.lock = threading.Lock()
        self.proc: subprocess.Popen[bytes] | None = None

    def read(self, oid: str, max_bytes: int, label: str) -> bytes:
        if not COMMIT_ID.fullmatch(oid):
            raise GitError(f"{label}: {oid[:80]!r} is not a blob id")
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:
                self.git.check_version()
                self.proc = subprocess.Popen([*self.git.command(self.repository), "cat-file", "--batch"],
                                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=subprocess.DEVNULL, env=self.git.environment(False))
            assert self.proc.stdin is not None and self.proc.stdout is not None
            try:
                self.proc.stdin.write(f"{oid}\n".encode())
                self.proc.stdin.flush()
                return _read_one(self.proc.stdout, oid, label, max_bytes)
            except (OSError, GitError):
                self.close()  # a reader out of step with its answers is not used again
                raise

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout):
                if stream is not None:
                    stream.close()
            self.proc = None


_READERS: dict[tuple[int, Path], BlobReader] = {}
_READERS_LOCK = threading.Lock()


def blob_reader(repository: Path) -> BlobReader:
    """This process's reader of ``repository`` (made on first use; a forked worker never uses its parent's)."""
    key = (os.getpid(), repository.absolute())
    with _READERS_LOCK:
        reader = _READERS.get(key)
        if reader is None:
            reader = _READERS[key] = BlobReader(key[1])
        return reader


def _write_requests(stream: IO[bytes], oids: list[str]) -> None:
    try:
        for oid in oids:
            stream.write(f"{oid}\n".encode())
        stream.close()
    except (BrokenPipeError, ValueError, OSError):  # the reader stopped early: nothing left to ask
        pass


def _read_one(stream: IO[bytes], oid: str, label: str, max_bytes: int) -> bytes:
    header = stream.readline(200).decode(errors="replace").split()
    if header[1:2] == ["missing"]:
        raise GitError(f"{label}: blob {oid} is not in the repository (an incomplete mirror: sync again)")
    if len(header) != 3 or header[0] != oid or header[1] != "blob" or not header[2].isdigit():
        raise GitError(f"{label}: cannot read blob {oid} from git ({' '.join(header)[:120]})")
    size = int(header[2])
    if size > max_bytes:
        raise GitError(f"{label}: blob {oid} is {size} bytes, over the {max_bytes}-byte limit")
    data = stream.read(size)
    if len(data) != size or stream.read(1) != b"\n":
        raise GitError(f"{label}: blob {oid} was cut off while read from git")
    return data


def parse_tree(listing: bytes, label: str) -> list[TreeEntry]:
    """The regular files of ``git ls-tree -r -z [-l]`` output (links, submodules and odd paths refused or left out)."""
    entries: list[TreeEntry] = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_name = entry.partition(b"\t")
        fields = meta.decode(errors="replace").split()
        if len(fields) not in (3, 4):
            raise GitError(f"{label}: cannot read the tree listing ({meta[:80]!r})")
        mode, kind, oid = fields[:3]
        size = fields[3] if len(fields) == 4 else None
        if kind != "blob" or mode == SYMLINK_MODE or (size is not None and not size.isdigit()):
            continue
        name = PurePosixPath(os.fsdecode(raw_name))
        if name.is_absolute() or ".." in name.parts:
            raise GitError(f"{label}: refusing the unsafe path {name} in the tree")
        entries.append(TreeEntry(str(name), oid, None if size is None else int(size)))
    return entries


def extract_tree(git: Git, repo: Path, treeish: str, target: Path, label: str, max_bytes: int) -> int:
    """Write every regular file of the git tree ``treeish`` under ``target`` (paths relative to it); the count.

    A blob over ``max_bytes`` is a ``GitError``: nothing of the side is compared then.
    """
    entries = git.list_tree(repo, treeish, label)
    for entry, (_, data) in zip(entries, git.read_blobs(repo, (e.oid for e in entries), label, max_bytes),
                                strict=True):
        destination = target.joinpath(*PurePosixPath(entry.path).parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
    return len(entries)


def reason(stderr: bytes, fallback: str) -> str:
    """Why git failed: its first ``fatal:``/``error:`` line (else its last line), or ``fallback``."""
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    if not lines:
        return fallback
    first = next((line for line in lines if line.startswith(("fatal: ", "error: "))), lines[-1])
    return first.removeprefix("fatal: ").removeprefix("error: ")

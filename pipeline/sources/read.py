"""Reading a page's bytes safely: bounded, never blocking, never through a link; or a git blob (``GitBlob``)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import UnsupportedInput

#: The default limit on a page's size (``pipeline build --max-page-bytes``).
MAX_PAGE_BYTES = 256 * 1024 * 1024
#: How much of a page is read at a time once its announced size is exhausted.
READ_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class GitBlob:
    """Where a page of a declared git source is: a bare repository, the blob id, its size (from ``ls-tree -l``)."""

    repository: Path
    oid: str
    size: int


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A page found under an input root or in a declared git source (not yet read).

    ``source_path`` is the page's path below its root, POSIX separators, with the service
    folder (its first part) replaced by the service's alias when it has one; for a git
    source, ``<service>/<path in the repository>``, and ``blob`` says where its bytes are.
    """

    service: str
    source_path: str
    path: Path
    max_bytes: int = MAX_PAGE_BYTES  # read at most this much of it (``--max-page-bytes``)
    blob: GitBlob | None = None


#: Flags opening a page: never follow a symbolic link, never wait on a FIFO or device (where the platform has them).
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
               | getattr(os, "O_BINARY", 0))
_FILE_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))


def read_bytes(source: SourceFile) -> bytes:
    """A page's bytes, at most ``source.max_bytes``; ``UnsupportedInput`` when unreadable, special or too big.

    The name was a regular file when listed, but anything may be bound over it since: the
    open never blocks (a FIFO with no writer) nor follows a link, and the opened descriptor,
    not the name, must be a regular file. A file growing while read stops at the limit.
    """
    limit = source.max_bytes
    if source.blob is not None:
        return read_git_blob(source)
    try:
        fd = os.open(source.path, _OPEN_FLAGS)
    except OSError as exc:
        raise UnsupportedInput(f"cannot read file: {exc.strerror}", source.source_path) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _FILE_KINDS if test(info.st_mode)), "a special file")
            raise UnsupportedInput(f"not a regular file ({kind}); not read", source.source_path)
        if info.st_size > limit:
            raise UnsupportedInput(f"page is {info.st_size} bytes, over the {limit}-byte limit (--max-page-bytes)",
                                   source.source_path)
        chunks: list[bytes] = []
        left = limit + 1  # one byte more than allowed tells a file that grew past the limit
        want = info.st_size + 1
        while left > 0:
            chunk = os.read(fd, min(left, want))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
            want = READ_CHUNK
        if left <= 0:
            raise UnsupportedInput(f"page grew over the {limit}-byte limit (--max-page-bytes) while read",
                                   source.source_path)
        return b"".join(chunks)
    except OSError as exc:
        raise UnsupportedInput(f"cannot read file: {exc.strerror}", source.source_path) from exc
    finally:
        os.close(fd)


def read_git_blob(source: SourceFile) -> bytes:
    """A git page's bytes, by its blob id, through this process's ``git cat-file --batch`` of its repository."""
    from pipeline.sources.git import GitError, blob_reader  # git only where a git source is read

    assert source.blob is not None
    if source.blob.size > source.max_bytes:
        raise UnsupportedInput(f"page is {source.blob.size} bytes, over the {source.max_bytes}-byte limit "
                               "(--max-page-bytes)", source.source_path)
    try:
        return blob_reader(source.blob.repository).read(source.blob.oid, source.max_bytes, source.source_path)
    except GitError as exc:
        raise UnsupportedInput(f"cannot read the page from git: {exc.message}", source.source_path) from exc

"""What the operating system offers, detected once: every platform-specific call asks here first.

Each capability has a portable fallback in the module that uses it, so a build runs (and
gives the same dataset) on Linux, macOS and Windows alike:

* ``rename_exchange`` -- Linux ``renameat2(RENAME_EXCHANGE)`` swaps the new dataset in at
  once; without it, two ``os.replace`` renames (a gap the next build repairs).
* ``directory_fds`` -- ``os.O_DIRECTORY`` and ``dir_fd=``: the previous dataset's files are
  opened through one descriptor of its folder; without them, by path.
* ``no_follow`` -- ``os.O_NOFOLLOW``; without it, a path is checked with ``lstat`` first.
* ``positional_reads`` -- ``os.pread``; without it, ``lseek`` + ``read`` under a lock.
* ``process_probe`` -- ``os.kill(pid, 0)`` tells whether a build still runs (on Windows it
  would stop the process instead); without it, staging folders are judged by age.
* ``ctime_is_change`` -- ``st_ctime`` is the inode change time (on Windows it is the creation
  time, which an edit does not touch); without it, the stat index is not used.
* ``directory_sync`` -- a folder can be opened and fsynced (not on Windows).

Tests hide a capability with ``overriding(detect().without("name"))`` to run its fallback.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True, slots=True)
class Capabilities:
    """Which platform-specific calls may be made (see the module docstring for each fallback)."""

    rename_exchange: bool
    directory_fds: bool
    no_follow: bool
    positional_reads: bool
    process_probe: bool
    ctime_is_change: bool
    directory_sync: bool

    def without(self, *names: str) -> Capabilities:
        """These capabilities with ``names`` hidden; an unknown name is a ``ValueError``."""
        known = {f.name for f in fields(self)}
        unknown = set(names) - known
        if unknown:
            raise ValueError(f"unknown capabilities: {', '.join(sorted(unknown))}")
        return replace(self, **dict.fromkeys(names, False))


def _renameat2() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        # The symbols already loaded into this process (libc among them); find_library("c")
        # would fork ldconfig.
        return getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None) is not None
    except (OSError, TypeError, AttributeError):
        return False


def detect() -> Capabilities:
    """What this interpreter on this system offers."""
    windows = sys.platform == "win32"
    return Capabilities(
        rename_exchange=_renameat2(),
        directory_fds=hasattr(os, "O_DIRECTORY") and os.open in os.supports_dir_fd,
        no_follow=hasattr(os, "O_NOFOLLOW"),
        positional_reads=hasattr(os, "pread"),
        process_probe=not windows and hasattr(os, "kill"),
        ctime_is_change=not windows,
        directory_sync=not windows,
    )


_detected = detect()
_active = _detected


def capabilities() -> Capabilities:
    """The capabilities in force: those detected, unless ``overriding`` is active."""
    return _active


@contextmanager
def overriding(value: Capabilities) -> Iterator[Capabilities]:
    """Use ``value`` instead of the detected capabilities inside the block (tests hide some this way)."""
    global _active
    saved, _active = _active, value
    try:
        yield value
    finally:
        _active = saved


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Swap two paths atomically with ``renameat2(RENAME_EXCHANGE)``; False where that is not possible.

    False also when the file system refuses (``EINVAL``): the caller then falls back to renames.
    """
    if not capabilities().rename_exchange:
        return False
    renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    return bool(renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0)


def process_gone(pid: int) -> bool | None:
    """True when no process has this id, False when one does, ``None`` where this cannot be told."""
    if not capabilities().process_probe:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: it exists, owned by someone else
        return False
    return False


_seek_lock = threading.Lock()


def read_at(fd: int, size: int, offset: int) -> bytes:
    """Up to ``size`` bytes of ``fd`` from ``offset``, safe to call from several threads."""
    if capabilities().positional_reads:
        return os.pread(fd, size, offset)
    with _seek_lock:
        os.lseek(fd, offset, os.SEEK_SET)
        chunks, left = [], size
        while left:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)


def open_in(folder: str | os.PathLike[str], folder_fd: int | None, name: str) -> int:
    """A read-only descriptor of ``folder/name``, never through a symbolic link.

    Through ``folder_fd`` (see ``open_folder``) where ``dir_fd=`` is supported, else by path.
    """
    caps = capabilities()
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
    if caps.no_follow:
        flags |= os.O_NOFOLLOW
    if folder_fd is not None and caps.directory_fds:
        return os.open(name, flags, dir_fd=folder_fd)
    path = os.path.join(folder, name)
    if not caps.no_follow and os.path.islink(path):
        raise OSError(f"{path} is a symbolic link")
    return os.open(path, flags)


def open_folder(folder: str | os.PathLike[str]) -> int | None:
    """A descriptor of a folder to open its files through; ``None`` where that is not supported."""
    if not capabilities().directory_fds:
        if not os.path.isdir(folder):
            raise NotADirectoryError(folder)
        return None
    return os.open(folder, os.O_RDONLY | os.O_DIRECTORY)


def sync_folder(folder: str | os.PathLike[str]) -> None:
    """Flush a folder's entries (new names, renames) to disk; nothing where folders cannot be opened."""
    if not capabilities().directory_sync:
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

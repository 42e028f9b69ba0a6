"""What the operating system offers, detected once: every platform-specific call asks here first.

Each capability has a portable fallback in the module that uses it, so a build runs (and
gives the same dataset) on Linux, macOS and Windows alike:

* ``rename_exchange`` -- Linux ``renameat2(RENAME_EXCHANGE)`` swaps the new dataset in at
  once; without it, two ``os.replace`` renames (a gap the next build repairs).
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True, slots=True)
class Capabilities:
    """Which platform-specific calls may be made (see the module docstring for each fallback)."""

    rename_exchange: bool
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


def sync_folder(folder: str | os.PathLike[str]) -> None:
    """Flush a folder's entries (new names, renames) to disk; nothing where folders cannot be opened."""
    if not capabilities().directory_sync:
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

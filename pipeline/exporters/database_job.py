"""``pipeline.db`` made in a child process while the build writes the other files (``DatabaseJob``).

How the child starts: a new interpreter (``subprocess``: fork and exec, done in C), which
inherits none of the build's threads, locks or open files. The build runs threads (the page
pool's ``ProcessPoolExecutor``, the lookups ahead); ``fork`` without exec copies a lock some
other thread holds, held forever in the child. ``multiprocessing``'s ``spawn`` (and
``forkserver``) start a new interpreter too, but run the caller's main script again in it: a
script that calls ``pipeline.build`` without an ``if __name__ == "__main__"`` guard would start
a second build in the child. Here the child runs one fixed bootstrap (``BOOTSTRAP``) and reads
its ``sys.path`` and its job, pickled, on its standard input; it writes nothing but, on
failure, one line on its standard output.

No child outlives its build: leaving the ``with`` block (an error, Ctrl-C) or ``abandon``
terminates it, and a child whose parent is gone (killed) exits on its own (``_exit_without_parent``).
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from types import TracebackType

from pipeline.datasets import Resource
from pipeline.exporters.sqlite_jsonl import database_from_jsonl
from pipeline.incremental.row_cache import Batch, DatabasePlan, assemble
from pipeline.text import escape_controls

#: What the child runs: take the parent's ``sys.path`` (so it imports this same ``pipeline``), then ``child``.
BOOTSTRAP = ("import pickle, sys; sys.path[:] = pickle.load(sys.stdin.buffer); "
             "from pipeline.exporters.database_job import child; child()")
#: Seconds a terminated child is given to exit before it is killed; and between its checks on its parent.
PATIENCE = 1.0
#: The longest failure message kept (one line).
MESSAGE_LIMIT = 1000


class DatabaseJobError(OSError):
    """The database was not made: the one-line reason (the child's error, or how the child died)."""


class DatabaseJob:
    """``database_from_jsonl(folder, resources, target)`` running in a child process, started at once; with
    ``later``, ``pipeline.incremental.row_cache.assemble`` (with the row ``cache``) of the batches of segments
    ``send`` brings until it sends ``None``.

    ``wait`` returns when the file is complete, or raises ``DatabaseJobError``. ``abandon``, or
    leaving a ``with`` block, terminates a child still running (the caller removes ``target``).
    """

    def __init__(self, folder: Path, resources: Sequence[Resource], target: Path, cache: Path | None = None,
                 later: bool = False) -> None:
        self.target = target
        self._process = subprocess.Popen([sys.executable, "-P", "-c", BOOTSTRAP], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._done = False
        try:
            assert self._process.stdin is not None
            pickle.dump(sys.path, self._process.stdin)
            pickle.dump((os.getpid(), folder, tuple(resources), target, cache, later), self._process.stdin)
            self._process.stdin.flush()  # kept open: the child's sign that its parent runs
        except BrokenPipeError:
            pass  # the child died at once: ``wait`` says how
        except BaseException:
            self.abandon()
            raise

    def send(self, segments: Batch | None) -> None:
        """More segments for a job started with ``later`` (their lines written and flushed); ``None`` when there
        are no more."""
        assert self._process.stdin is not None
        try:
            pickle.dump(segments, self._process.stdin)
            self._process.stdin.flush()
        except BrokenPipeError:
            pass  # the child died: ``wait`` says how

    @property
    def pid(self) -> int:
        return self._process.pid

    def running(self) -> bool:
        return self._process.poll() is None

    def wait(self) -> None:
        """Return once the database is complete; ``DatabaseJobError`` if the child failed or died."""
        if self._done:
            raise DatabaseJobError(f"{self.target}: the database job is over (waited for or abandoned)")
        output = _read(self._process)
        code = self._process.wait()
        self._close()
        if code != 0:
            lines = output.decode("utf-8", "replace").splitlines()
            failure = escape_controls(lines[-1].strip())[:MESSAGE_LIMIT] if lines else _death(code)
            raise DatabaseJobError(f"{self.target}: {failure}")

    def abandon(self) -> None:
        """Terminate the child if it still runs (SIGTERM, then SIGKILL after ``PATIENCE``); nothing once over."""
        if self._done:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(PATIENCE)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._process.wait()
        self._close()

    def _close(self) -> None:
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                with suppress(BrokenPipeError):
                    stream.close()
        self._done = True

    def __enter__(self) -> DatabaseJob:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.abandon()


def _read(process: subprocess.Popen[bytes]) -> bytes:
    """What the child wrote, read to its end (the first ``MESSAGE_LIMIT`` bytes beyond the last line's kept)."""
    assert process.stdout is not None
    kept = b""
    while chunk := process.stdout.read(65536):
        kept = (kept + chunk)[-4 * MESSAGE_LIMIT:]
    return kept


def _death(code: int) -> str:
    if code < 0:
        try:
            return f"the process making the database was killed ({signal.Signals(-code).name})"
        except ValueError:
            pass
    return f"the process making the database exited with status {code}"


def child() -> None:
    """The child (``BOOTSTRAP``): read the job, make the database; on failure write one line and exit 1."""
    parent, folder, resources, target, cache, later = pickle.load(sys.stdin.buffer)
    # the parent's pid as it sent it: a parent killed before this line ran leaves no window
    watch = threading.Thread(target=_exit_without_parent, args=(parent,), name="parent watch", daemon=True)
    watch.start()
    try:
        if later:
            assemble(DatabasePlan(folder, target, cache), resources, iter(lambda: pickle.load(sys.stdin.buffer), None))
        else:
            database_from_jsonl(folder, resources, target)
    except BaseException as error:  # every failure, even Ctrl-C, becomes the parent's one-line message
        sys.stdout.write(one_line(error) + "\n")
        sys.stdout.flush()
        os._exit(1)


def one_line(error: BaseException) -> str:
    """What went wrong, on one line, printable on a terminal, at most ``MESSAGE_LIMIT`` characters."""
    text = str(error) or type(error).__name__
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        text = f"{error.filename}: {error.strerror}"
    text = escape_controls(" ".join(text.split()))
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT - 3] + "..."


def _exit_without_parent(parent: int) -> None:
    """Exit (status 1) once the parent is gone: this process has another parent. (Standard input carries the
    job's later segments, so it is not read here; a parent gone while the job waits for them ends the read.)"""
    while os.getppid() == parent:
        time.sleep(PATIENCE)
    os._exit(1)

"""``hang_guard``: turn a hang into a test failure. Not a speed limit: the guarded code is expected
to finish orders of magnitude sooner, and the tests assert nothing about time."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

#: Generous: what the guarded blocks do takes milliseconds when it works.
HANG_SECONDS = 10.0


class Hung(Exception):
    """The guarded block was still running after its time."""


@contextlib.contextmanager
def hang_guard(what: str, seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Raise ``Hung`` in the block (a regex, a blocking ``open``) if it runs longer than ``seconds``."""
    if not hasattr(signal, "SIGALRM"):  # no alarm on Windows: run unguarded
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise Hung(f"{what}: still running after {seconds:g} s (quadratic backtracking, or blocked?)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

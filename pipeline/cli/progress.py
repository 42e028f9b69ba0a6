"""Progress on stderr: a bar on a terminal, periodic plain lines otherwise, nothing when quiet."""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: Builds of fewer pages finish too fast to need progress.
MIN_PAGES = 48


class ProgressReporter:
    """Callable ``(done, total)`` that draws a bar (TTY) or prints a line every ~10% or 5 s."""

    def __init__(self, stream: TextIO | None = None, label: str = "building") -> None:
        self.stream = stream or sys.stderr
        self.label = label
        self.tty = self.stream.isatty()
        self.last_line = 0.0
        self.last_step = -1

    def __call__(self, done: int, total: int) -> None:
        if total < MIN_PAGES:
            return
        if self.tty:
            width = 30
            filled = width * done // total
            self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} pages")
            if done == total:
                self.stream.write("\n")
            self.stream.flush()
            return
        step = done * 10 // total
        now = time.monotonic()
        if self.last_step < 0:
            self.last_step, self.last_line = step, now
        elif step != self.last_step or now - self.last_line >= 5:
            self.stream.write(f"{self.label}: {done}/{total} pages ({done * 100 // total}%)\n")
            self.stream.flush()
            self.last_step, self.last_line = step, now

"""The exception tree. ``str()`` of each reads ``path:line: message``."""

from __future__ import annotations


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class ParseError(PipelineError):
    """A page could be read but its markup could not be understood."""


class UnsupportedInput(PipelineError):
    """A file is not a documentation page we can read (binary, unknown format, bad encoding)."""


class UsageError(PipelineError):
    """A bad command-line argument or an unusable input/output path."""

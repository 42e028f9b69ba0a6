"""The exception tree. ``str()`` of each reads ``path:line: message``.

Each error carries the kind of problem (``pipeline.problems``) a page that fails with it
is reported as: a class gives the default, ``kind=`` overrides it for one error.
"""

from __future__ import annotations

from typing import ClassVar

from pipeline.problems import PARSE_ERROR, UNSUPPORTED_INPUT, ProblemKind


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose."""

    #: How a page that fails with this error is reported in ``issues.json``.
    default_kind: ClassVar[ProblemKind] = PARSE_ERROR

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 kind: ProblemKind | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.kind = kind or self.default_kind

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class ParseError(PipelineError):
    """A page could be read but its markup could not be understood."""


class UnsupportedInput(PipelineError):
    """A file is not a documentation page we can read (binary, unknown format, bad encoding)."""

    default_kind = UNSUPPORTED_INPUT


class UsageError(PipelineError):
    """A bad command-line argument or an unusable input/output path."""

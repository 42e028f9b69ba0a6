"""What a page's result depends on besides the page: our code, and the Python and libraries that read it.

``code_fingerprint`` (our version and source) goes into every manifest; ``environment_fingerprint``
adds the Python and library versions and keys the page store, so a local edit, a release or a
library upgrade never serves a result made by other code.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from collections.abc import Mapping
from pathlib import Path

from pipeline import __version__

#: The libraries whose output can change a page's result: parsers (bs4: the deep-HTML fallback) and encoders.
LIBRARIES = ("lxml", "beautifulsoup4", "docutils", "pyarrow", "orjson")


@functools.cache
def code_fingerprint() -> str:
    """A hash of the pipeline version and of the package's own source files."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """The installed version of each of ``LIBRARIES`` (``?`` when one is missing)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "?"
    return found


def environment_fingerprint(code: str, python: str, libraries: Mapping[str, str]) -> str:
    """A hash of our code's fingerprint, the Python version and the libraries' versions.

    >>> environment_fingerprint("c", "3.11", {"lxml": "6.1"}) != environment_fingerprint("c", "3.11", {"lxml": "6.2"})
    True
    """
    parts = [code, python, *(f"{name} {libraries[name]}" for name in sorted(libraries))]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@functools.cache
def current_environment() -> str:
    """``environment_fingerprint`` of this process: this code, this Python, these libraries."""
    return environment_fingerprint(code_fingerprint(), sys.version, library_versions())

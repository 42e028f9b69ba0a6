"""What a file or folder is, by its name alone: a documentation page, or something skipped and counted.

Only documentation files are read: their extension says so (``.rst``, ``.md``, ``.html``,
``.htm``, in any case), and the content sniff (``pipeline.sources.sniff``) then tells HTML from
RST. Everything else a published docs repository holds (figures, archives, ``conf.py``,
``tox.ini``, ``LICENSE``) is never opened: it is counted by kind, its extension.
"""

from __future__ import annotations

import os
import unicodedata

#: The extensions of documentation pages, in lower case.
DOCUMENT_SUFFIXES = frozenset({".rst", ".md", ".html", ".htm"})
#: Folders never entered, besides hidden ones (``.git``, ``.github``, ``.tox``): build output and tool caches.
BUILD_FOLDERS = frozenset({"_build", "__pycache__", "node_modules"})
#: A folder holding this file is Sphinx's HTML output (``doc/build/html``): never entered.
SPHINX_BUILD_MARKER = ".buildinfo"
#: The kind of a skipped file without an extension (``LICENSE``, ``Makefile``).
NO_EXTENSION = "no extension"
#: The kind of a skipped file whose extension is not a few ASCII letters and digits.
ODD_EXTENSION = "other"
#: The longest extension counted under its own name.
MAX_KIND_LENGTH = 12


def is_hidden(name: str) -> bool:
    """A dot file or dot folder (``.git``, ``.github``, ``.gitignore``, ``.zuul.yaml``)."""
    return name.startswith(".")


def is_documentation(name: str) -> bool:
    """True for a name with a documentation extension (``index.rst``, ``Overview.HTML``)."""
    return os.path.splitext(name)[1].lower() in DOCUMENT_SUFFIXES


def file_kind(name: str) -> str:
    """How a skipped file is counted: its extension in lower case (``png``, ``py``), or ``no extension``.

    >>> file_kind("logo.PNG"), file_kind("LICENSE"), file_kind("notes.\\u00e9t\\u00e9")
    ('png', 'no extension', 'other')
    """
    extension = os.path.splitext(name)[1][1:].lower()
    if not extension:
        return NO_EXTENSION
    if len(extension) <= MAX_KIND_LENGTH and extension.isascii() and extension.isalnum():
        return extension
    return ODD_EXTENSION


def unusable_name(name: str) -> str | None:
    """``None`` for a file name that can go into the dataset; else an escaped form to report it by.

    A name whose bytes are not UTF-8 (Python gives them as lone surrogates) cannot be
    written to JSON, CSV or Parquet, and a control character (a newline) would break the
    ``path:line: message`` lines. Spaces and non-ASCII letters are fine.
    """
    if name.isprintable() or not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        return None
    return repr(name.encode("utf-8", "surrogateescape"))[2:-1]

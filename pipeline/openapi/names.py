"""The file name of each service's OpenAPI document: ``openapi/<service>.json`` where that is safe.

A service is a folder name (or an alias), so it is usually a good file name; but a dataset is
read on Linux, macOS and Windows alike, and one service name must not cost the whole build nor
overwrite another service's document. ``document_path`` gives ``openapi/<service>.json`` unless
the name is one of:

* too long: over ``MAX_NAME_BYTES`` in UTF-8 with ``.json`` (a 251-byte folder name is legal);
* not portable: a character Windows refuses (``<>:"/\\|?*``, a control character), a leading
  dot (hidden), a trailing dot or space, a Windows device name (``con``, ``nul``, ``com1``, ...);
* the same, ignoring case and Unicode normalization, as a name given before (``vpc`` after
  ``VPC``: one file on a case-insensitive file system such as macOS' and Windows').

Then the document is ``openapi/<prefix>-<hash>.json``: the name's first bytes with those
characters as ``_``, and the first 16 hex digits of the SHA-256 of the service name. Services
are named in sorted order, so the names are deterministic; a document's ``info.title`` is its
service, as printed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from itertools import chain

#: The folder of the documents in a dataset.
FOLDER = "openapi"
SUFFIX = ".json"
#: The longest file name common file systems take (ext4, APFS, NTFS: 255), in UTF-8 bytes.
MAX_NAME_BYTES = 255
#: The bytes of a service name kept before the hash in a replaced name.
PREFIX_BYTES = 64
#: Characters no Windows file name holds (and ``/``, no file name anywhere): linear, one class.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
#: Windows device names: ``con.json`` is the console there.
_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"{port}{n}" for port in ("COM", "LPT") for n in range(1, 10))})


def document_path(service: str, taken: set[str] | None = None) -> str:
    """``openapi/<service>.json``, or ``openapi/<prefix>-<hash>.json`` for a name that is not safe or whose
    case-and-normalization form ``taken`` holds (the names given before; the one given is added).

    >>> document_path("vpc"), document_path("a:b"), document_path("con")
    ('openapi/vpc.json', 'openapi/a_b-6783a31eabf68ccc.json', 'openapi/con-1143da2bc54c495c.json')
    >>> taken: set[str] = set()
    >>> document_path("VPC", taken), document_path("vpc", taken)
    ('openapi/VPC.json', 'openapi/vpc-38faba71b3a6cfc9.json')
    """
    taken = set() if taken is None else taken
    hashed = _hashed(service)
    candidates = chain([service] if _portable(service) else [], [hashed],
                       (f"{hashed}-{n}" for n in range(2, len(taken) + 3)))  # made as tried, not all each time
    name = next(c for c in candidates if _key(c) not in taken)  # len(taken) + 1 numbered ones: one is free
    taken.add(_key(name))
    return f"{FOLDER}/{name}{SUFFIX}"


def _portable(name: str) -> bool:
    return (bool(name) and len((name + SUFFIX).encode("utf-8", "surrogatepass")) <= MAX_NAME_BYTES
            and _UNSAFE.search(name) is None and not name.startswith(".") and not name.endswith((".", " "))
            and name.split(".", 1)[0].rstrip(" ").upper() not in _DEVICES)


def _hashed(service: str) -> str:
    digest = hashlib.sha256(service.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    prefix = _UNSAFE.sub("_", service).encode("utf-8", "surrogatepass")[:PREFIX_BYTES]
    kept = prefix.decode("utf-8", "ignore").strip(". ")  # a character cut in two is dropped
    return f"{kept}-{digest}" if kept else digest


def _key(name: str) -> str:
    """The name as a case-insensitive, normalization-insensitive file system sees it."""
    return unicodedata.normalize("NFC", name).casefold()

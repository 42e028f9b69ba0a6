"""``pipeline.lock``: each declared source's resolved commit, so that a build is reproducible.

Written by ``pipeline sync`` as JSON with sorted keys (the same sources and commits give the
same bytes)::

    {
      "lock": 1,
      "sources": {
        "vpc": {"commit": "19e480d…", "ref": "main", "repo": "https://github.com/…"}
      }
    }

Read back with every value checked (a commit is a full hexadecimal id), at most
``MAX_LOCK_BYTES``; anything else is a one-line error naming the file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import UsageError
from pipeline.sources.git import COMMIT_ID

#: The format's version, the value of ``"lock"``.
LOCK_VERSION = 1
#: A lock file larger than this is refused.
MAX_LOCK_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Locked:
    """One source's line of the lock: the repository and ref it was synced from, and the commit they gave."""

    repo: str
    ref: str
    commit: str


def read_lock(path: Path) -> dict[str, Locked]:
    """The lock file's entries by source name; ``UsageError`` naming the file when it is not one."""
    where = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_LOCK_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read the lock file: {exc.strerror}", where) from exc
    if len(data) > MAX_LOCK_BYTES:
        raise UsageError(f"the lock file is over the {MAX_LOCK_BYTES}-byte limit", where)
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UsageError("not a lock file (not UTF-8 JSON); run `pipeline sync` to write one", where) from exc
    if not isinstance(document, dict) or document.get("lock") != LOCK_VERSION:
        raise UsageError(f"not a lock file of this version (expected \"lock\": {LOCK_VERSION})", where)
    sources = document.get("sources")
    if not isinstance(sources, dict):
        raise UsageError("'sources' must be an object of source name -> entry", where)
    return {name: _entry(name, entry, where) for name, entry in sources.items()}


def _entry(name: str, entry: object, where: str) -> Locked:
    if not isinstance(entry, dict) or set(entry) != {"repo", "ref", "commit"}:
        raise UsageError(f"sources.{name}: expected an object with repo, ref and commit", where)
    if not all(isinstance(entry[key], str) for key in ("repo", "ref", "commit")):
        raise UsageError(f"sources.{name}: repo, ref and commit must be strings", where)
    if not COMMIT_ID.fullmatch(entry["commit"]):
        raise UsageError(f"sources.{name}.commit: {entry['commit'][:80]!r} is not a full commit id", where)
    return Locked(entry["repo"], entry["ref"], entry["commit"])


def lock_text(entries: Mapping[str, Locked]) -> str:
    """The lock file's text: deterministic (sorted names and keys, two-space indent, a final newline)."""
    sources = {name: {"repo": e.repo, "ref": e.ref, "commit": e.commit} for name, e in entries.items()}
    return json.dumps({"lock": LOCK_VERSION, "sources": sources}, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_lock(path: Path, entries: Mapping[str, Locked]) -> None:
    """Write the lock file whole or not at all (a temporary file renamed over it)."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(lock_text(entries), encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise UsageError(f"cannot write the lock file: {exc.strerror}", str(path)) from exc

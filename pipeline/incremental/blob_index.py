"""Content hashes of pages read from git, by blob id, so that an unchanged page is never read again.

A git blob id names its bytes: a page whose blob id is in the index has the sha256 the index
gives, and the page store (keyed by path and sha256) serves its result, so it is neither read
nor parsed. Blobs the index does not know are read once, a repository at a time through one
``git cat-file --batch``, hashed and added. ``--force`` ignores the index.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from pipeline.sources import SourceFile
from pipeline.sources.git import COMMIT_ID, Git, GitError

#: The index file, in the cache directory.
BLOB_INDEX = "blob-index.json"
#: The most entries kept: the newest win (a docs repository changes a few hundred pages a week).
MAX_ENTRIES = 200_000


def blob_digests(sources: Sequence[SourceFile], index_dir: Path | None, trust_index: bool = True,
                 git: Git | None = None) -> dict[str, str] | None:
    """sha256 of every git page by source path; ``None`` if a blob is over its size limit or cannot be read."""
    index = _load(index_dir) if index_dir is not None else {}
    digests: dict[str, str] = {}
    todo: dict[Path, list[SourceFile]] = defaultdict(list)
    for source in sources:
        assert source.blob is not None
        if source.blob.size > source.max_bytes:
            return None  # the build reports it; without every digest nothing is taken as current
        known = index.get(source.blob.oid) if trust_index else None
        if known is not None:
            digests[source.source_path] = known
        else:
            todo[source.blob.repository].append(source)
    git = git or Git(purpose="declared sources", bare=True)
    for repository, pages in todo.items():
        limit = max(page.max_bytes for page in pages)
        try:
            for page, (oid, data) in zip(pages, git.read_blobs(repository, [p.blob.oid for p in pages if p.blob],
                                                               pages[0].service, limit), strict=True):
                digests[page.source_path] = index[oid] = hashlib.sha256(data).hexdigest()
        except GitError:
            return None
    if index_dir is not None and todo:
        _save(index_dir, index)
    return digests


def _load(index_dir: Path) -> dict[str, str]:
    """The index, or an empty one when it is missing or unreadable (then every blob is hashed)."""
    try:
        data = json.loads((index_dir / BLOB_INDEX).read_bytes())
    except (OSError, ValueError):
        return {}
    entries = data.get("entries") if isinstance(data, dict) and data.get("version") == 1 else None
    if not isinstance(entries, dict):
        return {}
    return {oid: digest for oid, digest in entries.items()
            if COMMIT_ID.fullmatch(oid) and isinstance(digest, str) and len(digest) == 64}


def _save(index_dir: Path, index: dict[str, str]) -> None:
    kept = dict(list(index.items())[-MAX_ENTRIES:])
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=index_dir)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"version": 1, "entries": kept}, handle, separators=(",", ":"))
        os.replace(tmp, index_dir / BLOB_INDEX)
    except OSError:
        pass  # an index that cannot be written only costs speed

"""Content hashes of the input pages, and a stat index so that a rebuild does not re-read unchanged files.

The index works like git's: a file whose size, mtime, ctime, inode and device are what they
were when it was hashed is taken to hold the same bytes (any write changes its ctime, which
no user can set back). An entry is only recorded for a file unchanged for ``RACY_NS`` before
it was hashed (by ``clock``), so a write in the same timestamp tick as the hash cannot hide.
``--force`` ignores the index and hashes every page. Where ctime is a file's creation time (Windows,
see ``pipeline.platform``), an edit leaves the signature alone, so there is no index.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.jsonfile import DamagedJSON, read_json
from pipeline.platform import capabilities
from pipeline.sources import Discovery as Discovery  # re-exported: what ``discover`` found under the roots
from pipeline.sources import SourceFile, discover, read_bytes

#: The index file, in the cache directory.
STAT_INDEX = "stat-index.json"
#: A file changed less than this long before it was hashed is hashed again next time.
RACY_NS = 2_000_000_000
#: Threads reading and hashing pages (both release the GIL).
HASH_THREADS = 2

Signature = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device


#: Reads a page's bytes (``pipeline.sources.read_bytes``).
Reader = Callable[[SourceFile], bytes]
#: The time now, in nanoseconds since the epoch (``time.time_ns``).
Clock = Callable[[], int]


def input_digests(root: Path | Sequence[Path], discovered: Discovery | None = None, index_dir: Path | None = None,
                  trust_index: bool = True, *, read: Reader = read_bytes,
                  clock: Clock = time.time_ns) -> dict[str, str] | None:
    """sha256 of every page's bytes by source path; ``None`` if a page could not be read.

    Discovery problems (a symbolic link, a file outside any service folder) do not stop it:
    they concern no page, and callers that must not ignore them (the up-to-date check) look
    at them themselves. ``discovered`` is ``discover(root)`` when the caller already has it.
    With ``index_dir``, pages whose stat signature is in its index (and ``trust_index``) are
    not read, and the index is brought up to date (where the platform keeps change times).
    ``read`` reads a page, ``clock`` tells the time (tests give their own).
    """
    sources = (discovered or discover(root)).sources
    if not capabilities().ctime_is_change:
        index_dir = None  # a signature without a change time cannot tell an edited file
    index = _load(index_dir) if index_dir is not None else {}
    started = clock()
    digests: dict[str, str] = {}
    todo: list[tuple[SourceFile, str, Signature]] = []
    for source in sources:
        key = os.path.abspath(source.path)
        try:
            signature = _signature(os.stat(source.path, follow_symlinks=False))
        except OSError:
            return None
        known = index.get(key)
        if trust_index and known is not None and tuple(known[:5]) == signature:
            digests[source.source_path] = str(known[5])
        else:
            todo.append((source, key, signature))
    with ThreadPoolExecutor(max_workers=HASH_THREADS) as readers:
        hashed = list(readers.map(lambda source: _digest_or_none(source, read), (source for source, _, _ in todo)))
    if any(digest is None for digest in hashed):
        return None
    for (source, key, signature), digest in zip(todo, hashed, strict=True):
        assert digest is not None
        digests[source.source_path] = digest
        index.pop(key, None)
        if max(signature[1], signature[2]) < started - RACY_NS:
            index[key] = [*signature, digest]
    if index_dir is not None and todo:
        _save(index_dir, _pruned(index, root, {os.path.abspath(s.path) for s in sources}))
    return digests


def _signature(stat: os.stat_result) -> Signature:
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev


def _digest_or_none(source: SourceFile, read: Reader) -> str | None:
    try:
        return hashlib.sha256(read(source)).hexdigest()
    except PipelineError:
        return None


def _load(index_dir: Path) -> dict[str, list[int | str]]:
    """The index, or an empty one when it is missing or unreadable (then every page is hashed)."""
    try:
        data = read_json(index_dir / STAT_INDEX)
    except DamagedJSON:  # missing, truncated, nested too deeply...: rebuilt
        return {}
    entries = data.get("entries") if isinstance(data, dict) and data.get("version") == 1 else None
    if not isinstance(entries, dict):
        return {}
    return {key: value for key, value in entries.items() if _well_formed(value)}


def _well_formed(value: object) -> bool:
    return (isinstance(value, list) and len(value) == 6 and all(type(v) is int for v in value[:5])
            and isinstance(value[5], str) and len(value[5]) == 64)


def _pruned(index: dict[str, list[int | str]], root: Path | Sequence[Path],
            present: set[str]) -> dict[str, list[int | str]]:
    """The index without the files of the roots that are gone (other roots' entries are kept)."""
    roots = [root] if isinstance(root, Path) else root
    prefixes = tuple(os.path.join(os.path.abspath(r), "") for r in roots)
    return {key: value for key, value in index.items() if not key.startswith(prefixes) or key in present}


def _save(index_dir: Path, index: dict[str, list[int | str]]) -> None:
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=index_dir)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"version": 1, "entries": dict(sorted(index.items()))}, handle, separators=(",", ":"))
        os.replace(tmp, index_dir / STAT_INDEX)
    except OSError:
        pass  # an index that cannot be written only costs speed

"""Reading back a JSON file pipeline wrote (a manifest, the stat index, a page-store entry, issues.json).

Such a file may have been damaged or replaced by anyone: truncated, not UTF-8, ``[[[[…`` nested
200,000 deep, larger than memory. Every reader goes through ``read_json`` / ``load_json``, which
turn each of these into one ``DamagedJSON`` with the reason in a few words, never a traceback;
the caller decides what damage means (a cache entry or the stat index is rebuilt, a folder
whose manifest cannot be read is not ours to replace). Parsing is orjson's, which refuses
nesting deeper than 1,024 levels instead of recursing.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import orjson


class DamagedJSON(ValueError):
    """A JSON file or payload that cannot be read back; ``str()`` says why (``nested too deeply to read``)."""


def load_json(data: bytes | bytearray | memoryview | str) -> Any:
    """The value a JSON document holds, or ``DamagedJSON``."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        reason = "is nested too deeply to read" if "depth limit" in str(exc) else f"is not valid JSON ({exc})"
        raise DamagedJSON(reason) from exc
    except RecursionError as exc:
        raise DamagedJSON("is nested too deeply to read") from exc
    except MemoryError as exc:
        raise DamagedJSON("is too large to read into memory") from exc


def read_json(path: Path | str, limit: int | None = None) -> Any:
    """The value the JSON file at ``path`` holds, or ``DamagedJSON`` when it is missing, not a regular
    file, larger than ``limit`` bytes, unreadable or not JSON."""
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise DamagedJSON("is not a regular file")
            if limit is not None and info.st_size > limit:
                raise DamagedJSON(f"is larger than {limit} bytes")
            data = handle.read() if limit is None else handle.read(limit + 1)
    except OSError as exc:
        raise DamagedJSON(f"cannot be read ({exc.strerror or type(exc).__name__})") from exc
    except MemoryError as exc:
        raise DamagedJSON("is too large to read into memory") from exc
    if limit is not None and len(data) > limit:
        raise DamagedJSON(f"is larger than {limit} bytes")
    return load_json(data)

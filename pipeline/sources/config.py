"""``pipeline.toml``: the roots, patterns and service aliases of a build repeated as one word.

Read from ``--config FILE``, else from ``pipeline.toml`` in the working directory if there is one::

    roots = ["../docs/rst", "../docs/md/doc/source"]   # relative to the file's folder
    include = ["*/api-ref/"]                           # gitignore-style, relative to each root
    exclude = ["umn/"]

    [aliases]                                          # service folder = the service its pages feed
    "virtual-private-cloud" = "vpc"

Roots given on the command line replace the file's; patterns given there are added after its
own (a later ``!pattern`` can re-include). With neither, the root is ``raw_docs``. The file is
untrusted-ish: at most ``MAX_CONFIG_BYTES``, UTF-8, every key known and every value of its
type, or a one-line error naming the file and the key. Declared git sources are ``[[source]]``
tables (``pipeline.sources.declared``); their mirror folder and lock file sit next to the file.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import UsageError
from pipeline.sources.declared import Source, parse_sources
from pipeline.sources.read import MAX_PAGE_BYTES
from pipeline.sources.selection import Selection, compile_patterns

#: The file looked for in the working directory.
CONFIG_NAME = "pipeline.toml"
#: A config file larger than this is refused.
MAX_CONFIG_BYTES = 64 * 1024
#: The root when neither the command line nor a config file names one.
DEFAULT_ROOT = Path("raw_docs")
#: Where ``pipeline sync`` keeps its bare clones, next to the config file (git-ignored).
MIRROR_NAME = ".pipeline-mirror"
#: The lock file ``pipeline sync`` writes and a build of declared sources reads, next to the config file.
LOCK_NAME = "pipeline.lock"


@dataclass(frozen=True, slots=True)
class Config:
    """What a config file says (all empty without one); roots are relative to the working directory."""

    path: Path | None = None
    roots: tuple[Path, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)
    sources: tuple[Source, ...] = ()

    @property
    def folder(self) -> Path:
        """The folder the file is in (the working directory without a file): the mirror and lock go there."""
        return self.path.parent if self.path is not None else Path()

    @property
    def mirror(self) -> Path:
        return self.folder / MIRROR_NAME

    @property
    def lock(self) -> Path:
        return self.folder / LOCK_NAME


@dataclass(frozen=True, slots=True)
class Inputs:
    """The roots to build and what to read under them: the command line over the config file."""

    roots: tuple[Path, ...]
    selection: Selection
    config: Config


def resolve_inputs(roots: Sequence[Path], include: Sequence[str], exclude: Sequence[str], config: Path | None,
                   max_page_bytes: int = MAX_PAGE_BYTES, cwd: Path | None = None) -> Inputs:
    """The command line's roots (else the config's, else ``raw_docs``) and the patterns of both."""
    found = load_config(config) if config is not None else find_config(cwd)
    include_all = (*found.include, *include)
    exclude_all = (*found.exclude, *exclude)
    compile_patterns(include, "--include")  # the command line's own, to name the option in an error
    compile_patterns(exclude, "--exclude")
    selection = Selection(compile_patterns(include_all, "--include"), compile_patterns(exclude_all, "--exclude"),
                          dict(found.aliases), max_page_bytes)
    chosen = tuple(roots) or found.roots or (DEFAULT_ROOT,)
    return Inputs(chosen, selection, found)


def find_config(cwd: Path | None = None) -> Config:
    """``pipeline.toml`` of the working directory (``cwd``), or an empty ``Config`` when there is none."""
    path = Path(CONFIG_NAME) if cwd is None else cwd / CONFIG_NAME
    return load_config(path) if os.path.lexists(path) else Config()


def load_config(path: Path) -> Config:
    """Read and check a config file; ``UsageError`` (one line, naming the file) when it is not right."""
    text = _read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, _, place = str(exc).partition(" (at line ")
        line, _, column = place.rstrip(")").partition(", column ")
        where = f" (column {column})" if column.isdigit() else ""
        raise UsageError(f"not valid TOML: {message}{where}", str(path),
                         int(line) if line.isdigit() else None) from exc
    where = str(path)
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise UsageError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(KEYS))})", where)
    values = {key: KEYS[key](data[key], key, where) for key in data}
    base = path.parent
    roots = tuple(base / root for root in values.get("roots", ()))
    sources = parse_sources(values["source"], "source", where, base, usable_folder_name) if "source" in values else ()
    return Config(path, roots, values.get("include", ()), values.get("exclude", ()), values.get("aliases", {}),
                  sources)


def _read_text(path: Path) -> str:
    """The file's text: a regular file (a FIFO is never waited on), at most ``MAX_CONFIG_BYTES``, UTF-8."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UsageError(f"cannot read the config file: {exc.strerror}", str(path)) from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UsageError("the config file is not a regular file", str(path))
        chunks: list[bytes] = []
        left = MAX_CONFIG_BYTES + 1
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise UsageError(f"cannot read the config file: {exc.strerror}", str(path)) from exc
    finally:
        os.close(fd)
    if left <= 0:
        raise UsageError(f"the config file is over the {MAX_CONFIG_BYTES}-byte limit", str(path))
    data = b"".join(chunks)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"the config file is not UTF-8 (byte {exc.start})", str(path)) from exc


# --- each key's check: the value as the build uses it, or a UsageError ----------------------------


def _type_name(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "an array",
             dict: "a table"}
    return names.get(type(value), "a date or time")


def _strings(value: object, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise UsageError(f"{key!r} must be an array of strings, not {_type_name(value)}", where)
    odd = next((item for item in value if not isinstance(item, str) or not item), None)
    if odd is not None:
        what = "an empty string" if odd == "" else _type_name(odd)
        raise UsageError(f"{key!r} must be an array of non-empty strings; it holds {what}", where)
    return tuple(value)


def _patterns(value: object, key: str, where: str) -> tuple[str, ...]:
    patterns = _strings(value, key, where)
    compile_patterns(patterns, f"{where}: {key}")
    return patterns


def _aliases(value: object, key: str, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise UsageError(f"{key!r} must be a table of folder = service names, not {_type_name(value)}", where)
    aliases: dict[str, str] = {}
    for folder, service in value.items():
        if not isinstance(service, str):
            raise UsageError(f"{key}.{folder!r} must be a string (a service name), not {_type_name(service)}", where)
        for name in (folder, service):
            if not usable_folder_name(name):
                raise UsageError(f"{key}: {name!r} is not a folder name (one name: no '/', no leading '.', "
                                 "no control characters)", where)
        aliases[folder] = service
    return aliases


def usable_folder_name(name: str) -> bool:
    """One folder name that can go into a source path: not empty, no separator, not hidden, printable.

    >>> usable_folder_name("vpc"), usable_folder_name("a/b"), usable_folder_name(".git"), usable_folder_name("")
    (True, False, False, False)
    """
    return bool(name) and name.isprintable() and not name.startswith(".") and "/" not in name and "\\" not in name


def _tables(value: object, key: str, where: str) -> list[dict[str, object]]:
    """An array of tables (``[[source]]``); each table's keys are checked by ``parse_sources``."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise UsageError(f"{key!r} must be an array of tables ([[{key}]]), not {_type_name(value)}", where)
    return value


KEYS: dict[str, Callable[[object, str, str], Any]] = {
    "roots": _strings,
    "include": _patterns,
    "exclude": _patterns,
    "aliases": _aliases,
    "source": _tables,
}

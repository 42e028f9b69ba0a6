"""Declared sources: the ``[[source]]`` tables of ``pipeline.toml``, one git repository each.

::

    [[source]]
    service = "vpc"                                   # the service its pages feed
    repo = "https://github.com/opentelekomcloud-docs/virtual-private-cloud"  # or file:// URL or local path
    ref = "main"                                      # branch, tag or full commit id (default: HEAD)
    paths = ["api-ref/source"]                        # optional: only these folders of the repository
    include = ["*.rst"]                               # optional, gitignore-style, relative to the repository
    exclude = ["**/_static/"]
    url_template = "{repo}/blob/{commit}/{path}#L{line}"   # optional: the link of a record (this is the default)

A page's source path is ``<service>/<path in the repository>``. Everything here is checked
before git sees it: a repository is an ``https://``, ``ssh://``, ``git://`` or ``file://`` URL,
an scp-like ``user@host:path``, or a local path (relative to the config file); never a
``transport::address`` (``ext::`` runs commands) nor anything starting with ``-``. A ref is a
full commit id or a name git would accept as a branch or tag.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from pipeline.errors import UsageError
from pipeline.sources.kinds import BUILD_FOLDERS, is_documentation, is_hidden
from pipeline.sources.selection import Selection, compile_patterns

#: The link of a record when a source gives no ``url_template`` (GitHub's and Gitea's blob view).
DEFAULT_URL_TEMPLATE = "{repo}/blob/{commit}/{path}#L{line}"
#: The names a URL template may use.
TEMPLATE_FIELDS = frozenset({"repo", "commit", "path", "line"})
#: URL schemes a source may use (git is given the same list as ``GIT_ALLOW_PROTOCOL``).
SCHEMES = ("https", "ssh", "git", "file")
#: The ref fetched when a source names none: the remote's default branch.
DEFAULT_REF = "HEAD"

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,31})://")
_SCP_LIKE = re.compile(r"[A-Za-z0-9._~-]{1,64}@[A-Za-z0-9.-]{1,253}:")
_FULL_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|/\.|\.lock(?:/|$)")


@dataclass(frozen=True, slots=True)
class Source:
    """One declared git source: where its pages come from and which of them are read."""

    service: str
    repo: str
    ref: str = DEFAULT_REF
    paths: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    url_template: str = DEFAULT_URL_TEMPLATE

    @property
    def name(self) -> str:
        """The source's name in messages, the lock file and the mirror: its service."""
        return self.service

    def link(self, commit: str, path: str, line: int | None) -> str:
        """The URL of ``path`` (in the repository) at ``commit`` and ``line``.

        Without a line (an operation's section report), the template is cut before the
        fragment that holds ``{line}``: the link is to the page.
        """
        base = self.repo.removesuffix("/").removesuffix(".git")
        template = self.url_template
        if line is None:
            head, hash_mark, fragment = template.partition("#")
            template = head if hash_mark and "{line}" in fragment else template
        return template.format(repo=base, commit=commit, path=quote(path), line="" if line is None else line)


def page_filter(source: Source) -> Callable[[str], bool]:
    """Whether a file of the source's repository (its path from the root) is one of its pages.

    A page is a documentation file (``.rst``, ``.md``, ``.html``, ``.htm``) below one of
    ``paths`` (anywhere without them), outside hidden and build folders, selected by
    ``include``/``exclude`` as ``discover`` selects files under a root.
    """
    selection = Selection(compile_patterns(source.include, "include"), compile_patterns(source.exclude, "exclude"))
    prefixes = tuple(f"{path}/" for path in source.paths)

    def reads(path: str) -> bool:
        parts = path.split("/")
        if prefixes and not path.startswith(prefixes):
            return False
        if any(is_hidden(part) or part in BUILD_FOLDERS for part in parts) or not is_documentation(parts[-1]):
            return False
        folders = ("/".join(parts[:end]) for end in range(1, len(parts)))
        return not any(selection.excludes_folder(folder) for folder in folders) and not selection.excludes_file(path)

    return reads


# --- checks, each a one-line UsageError naming the file and the key ------------------------------


def check_repo(value: str, key: str, where: str, base: Path) -> str:
    """The repository as git is to be given it: a URL of an allowed scheme, scp-like, or an absolute path."""
    if not value.isprintable() or value != value.strip():
        raise UsageError(f"{key}: {value!r} holds control characters or surrounding spaces", where)
    if value.startswith("-"):
        raise UsageError(f"{key}: {value!r} cannot start with '-' (git would take it for an option)", where)
    if "::" in value:
        raise UsageError(f"{key}: {value!r} is a 'transport::address'; give an https://, ssh://, git:// or "
                         "file:// URL or a path", where)
    scheme = _SCHEME.match(value)
    if scheme is not None:
        if scheme.group(1).lower() not in SCHEMES:
            raise UsageError(f"{key}: the scheme {scheme.group(1)!r} is not allowed (allowed: "
                             f"{', '.join(SCHEMES)})", where)
        return value
    if _SCP_LIKE.match(value):
        return value
    if ":" in value.split("/")[0] and not re.fullmatch(r"[A-Za-z]:", value[:2]):
        raise UsageError(f"{key}: {value!r} is neither a URL (scheme://...), user@host:path nor a path", where)
    return os.path.abspath(base / value)


def check_ref(value: str, key: str, where: str) -> str:
    """A full commit id, or a branch or tag name by git's rules (``git check-ref-format``).

    >>> check_ref("main", "ref", "pipeline.toml"), check_ref("refs/tags/v1.0", "ref", "pipeline.toml")
    ('main', 'refs/tags/v1.0')
    """
    if _FULL_COMMIT.fullmatch(value):
        return value
    if value.startswith("-"):
        raise UsageError(f"{key}: {value!r} cannot start with '-' (git would take it for an option)", where)
    if (_REF_FORBIDDEN.search(value) or value.startswith(("/", ".")) or value.endswith(("/", "."))
            or value == "@" or not value.isprintable()):
        raise UsageError(f"{key}: {value!r} is not a branch, tag or full commit id", where)
    return value


def check_path(value: str, key: str, where: str) -> str:
    """A folder of the repository, relative, without ``..``: ``api-ref/source``."""
    path = PurePosixPath(value.strip("/"))
    if value.startswith("/") or ".." in path.parts or not value.isprintable() or str(path) in ("", "."):
        raise UsageError(f"{key}: {value!r} is not a folder of the repository (relative, no '..')", where)
    return str(path)


def check_template(value: str, key: str, where: str) -> str:
    """A ``str.format`` template using only ``{repo}``, ``{commit}``, ``{path}`` and ``{line}``."""
    try:
        names = {name for _, name, spec, conv in string.Formatter().parse(value) if name is not None}
    except ValueError as exc:
        raise UsageError(f"{key}: {value!r} is not a template ({exc})", where) from exc
    odd = sorted(name for name in names if name not in TEMPLATE_FIELDS)
    if odd:
        raise UsageError(f"{key}: unknown field {{{odd[0]}}} (known: "
                         f"{', '.join(f'{{{n}}}' for n in sorted(TEMPLATE_FIELDS))})", where)
    return value


def _string(value: object, key: str, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise UsageError(f"{key} must be a non-empty string", where)
    return value


def _strings(value: object, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise UsageError(f"{key} must be an array of non-empty strings", where)
    return tuple(value)


def _patterns(value: object, key: str, where: str) -> tuple[str, ...]:
    patterns = _strings(value, key, where)
    compile_patterns(patterns, f"{where}: {key}")
    return patterns


#: Each key of a ``[[source]]`` table: its check (value, key, where) -> what ``Source`` holds.
SOURCE_KEYS: dict[str, Callable[[object, str, str], Any]] = {
    "service": _string,
    "repo": _string,
    "ref": lambda value, key, where: check_ref(_string(value, key, where), key, where),
    "paths": lambda value, key, where: tuple(check_path(p, key, where) for p in _strings(value, key, where)),
    "include": _patterns,
    "exclude": _patterns,
    "url_template": lambda value, key, where: check_template(_string(value, key, where), key, where),
}
REQUIRED_KEYS = ("service", "repo")


def parse_sources(value: object, key: str, where: str, base: Path,
                  usable_name: Callable[[str], bool]) -> tuple[Source, ...]:
    """The ``[[source]]`` tables (``value``, already an array of tables) as ``Source`` values; services unique."""
    assert isinstance(value, list)
    sources: list[Source] = []
    for number, table in enumerate(value, 1):
        label = f"{key}[{number}]"
        unknown = sorted(set(table) - set(SOURCE_KEYS))
        if unknown:
            raise UsageError(f"{label}: unknown key {unknown[0]!r} (known: {', '.join(sorted(SOURCE_KEYS))})", where)
        missing = [name for name in REQUIRED_KEYS if name not in table]
        if missing:
            raise UsageError(f"{label}: {missing[0]!r} is required", where)
        values = {name: SOURCE_KEYS[name](table[name], f"{label}.{name}", where) for name in table}
        if not usable_name(values["service"]):
            raise UsageError(f"{label}.service: {values['service']!r} is not a folder name (one name: no '/', "
                             "no leading '.', no control characters)", where)
        values["repo"] = check_repo(values["repo"], f"{label}.repo", where, base)
        source = replace(Source(values["service"], values["repo"]), **values)
        if any(other.service == source.service for other in sources):
            raise UsageError(f"{label}.service: {source.service!r} is declared twice; one source per service",
                             where)
        sources.append(source)
    return tuple(sources)

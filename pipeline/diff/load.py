"""Loading one side of a diff: a built dataset directory, a docs folder, or a docs folder in git.

Every side becomes the same thing, a ``Side``: the label the user gave and the two record
lists, rebuilt as the frozen dataclasses of ``pipeline.model``. Nothing is ever written to
the inputs; a git revision is read with ``git ls-tree``/``git cat-file`` into a temporary
directory that is removed afterwards, so the work tree and the index are never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pipeline.build import build, default_jobs
from pipeline.errors import PipelineError, UsageError
from pipeline.model import ErrorCodeRecord, StatusCodeRecord
from pipeline.output import MANIFEST
from pipeline.schema import ERROR_CODES, STATUS_CODES, Resource

SideKind = Literal["dataset", "docs"]

#: The files that make a directory a built dataset (any one of them is enough to decide).
DATASET_MARKERS = (MANIFEST, f"{STATUS_CODES.name}.json", f"{ERROR_CODES.name}.json")


class DiffInputError(PipelineError):
    """A side of a diff cannot be read: missing, malformed, or an unknown git revision."""


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a diff: where it came from and its records, in dataset order."""

    label: str
    kind: SideKind
    status_codes: tuple[StatusCodeRecord, ...]
    error_codes: tuple[ErrorCodeRecord, ...]
    problems: tuple[str, ...] = ()  # pages of a docs folder that could not be read, as ``path: message``


def load_side(spec: str, *, git: bool = False, repo: Path | None = None) -> Side:
    """Load ``spec``: a directory, or with ``git`` a ``REV:path`` of the repository ``repo``.

    With ``git``, an argument without a colon is still read as a local directory, so a
    revision can be compared with the work tree (``--git HEAD:raw_docs raw_docs``).
    """
    if git and ":" in spec:
        return load_git(spec, repo or Path.cwd())
    return load_path(Path(spec), spec, hint=git)


def load_path(path: Path, label: str | None = None, *, hint: bool = False) -> Side:
    """Load a dataset directory (it has ``manifest.json`` or the JSON files) or build a docs folder."""
    label = label if label is not None else str(path)
    if not path.exists():
        extra = " (with --git, write REV:path, e.g. HEAD~1:raw_docs)" if hint else ""
        raise DiffInputError(f"{label} does not exist{extra}")
    if not path.is_dir():
        raise DiffInputError(f"{label} is not a directory: give a dataset directory (like output/) "
                             "or a docs folder with one sub-folder per service")
    if is_dataset_dir(path):
        return load_dataset_dir(path, label)
    return load_docs_dir(path, label)


def is_dataset_dir(path: Path) -> bool:
    """True when ``path`` holds a built dataset rather than documentation pages."""
    return any((path / name).is_file() for name in DATASET_MARKERS)


def load_dataset_dir(path: Path, label: str | None = None) -> Side:
    """Read ``status_codes.json`` and ``error_codes.json`` of a built dataset back into records."""
    label = label if label is not None else str(path)
    status = [StatusCodeRecord(**row) for row in _read_records(path, STATUS_CODES, label)]
    errors = [ErrorCodeRecord(**row) for row in _read_records(path, ERROR_CODES, label)]
    return Side(label, "dataset", tuple(status), tuple(errors))


def load_docs_dir(path: Path, label: str | None = None) -> Side:
    """Build the docs folder in memory (nothing is written) and keep its records."""
    label = label if label is not None else str(path)
    dataset = build(path, jobs=default_jobs())
    pages = sum(1 for p in dataset.pages if p.source_path)
    if not pages and any(i.slug == "outside-service-folder" for i in dataset.issues):
        raise DiffInputError(f"{label} holds pages directly, not in <service>/ folders: give the folder "
                             "above it (the one holding the service folders)")
    problems = tuple(str(i) for i in dataset.issues if i.severity == "error")
    return Side(label, "docs", tuple(dataset.status_codes), tuple(dataset.error_codes), problems)


def _read_records(directory: Path, resource: Resource, label: str) -> list[dict[str, Any]]:
    file = directory / f"{resource.name}.json"
    where = f"{label.rstrip('/')}/{file.name}"
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DiffInputError(f"{where} is missing: {label} looks like a dataset directory "
                             f"(it has {', '.join(n for n in DATASET_MARKERS if (directory / n).is_file())}) "
                             "but is incomplete; rebuild it with `pipeline build`") from exc
    except OSError as exc:
        raise DiffInputError(f"cannot read {where}: {exc.strerror}") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise DiffInputError(f"{where} is not valid UTF-8 JSON: {exc}") from exc
    if not isinstance(data, list):
        raise DiffInputError(f"{where}: expected a JSON array of records, found {type(data).__name__}")
    for number, row in enumerate(data):
        problem = record_problem(resource, row)
        if problem:
            raise DiffInputError(f"{where}: record {number}: {problem}")
    return data


def record_problem(resource: Resource, row: object) -> str | None:
    """Why ``row`` is not a record of ``resource`` (fields, types, enums), or None when it is."""
    if not isinstance(row, dict):
        return f"expected an object, found {type(row).__name__}"
    names = resource.column_names
    missing = [n for n in names if n not in row]
    unknown = sorted(k for k in row if k not in names)
    if missing or unknown:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unknown {', '.join(unknown)}"] if unknown else [])
        return f"not a {resource.name} record ({'; '.join(parts)}); was it written by another version?"
    for field in resource.fields:
        value = row[field.name]
        if value is None:
            if field.required:
                return f"{field.name} is null but required"
            continue
        wanted = int if field.type == "integer" else str
        if isinstance(value, bool) or not isinstance(value, wanted):
            return f"{field.name} must be {field.type}, not {type(value).__name__} ({value!r})"
        if field.enum and value not in field.enum:
            return f"{field.name} is {value!r}, not one of {', '.join(field.enum)}"
    return None


def split_git_spec(spec: str) -> tuple[str, str]:
    """``HEAD~1:raw_docs`` -> (``HEAD~1``, ``raw_docs``); the path is relative to the repository root."""
    rev, _, path = spec.partition(":")
    if not rev:
        raise UsageError(f"{spec!r}: with --git, give REV:path, e.g. HEAD~1:raw_docs")
    return rev, path.strip("/")


def load_git(spec: str, repo: Path) -> Side:
    """Read the folder ``REV:path`` of the repository ``repo`` and load it like a local directory.

    The blobs are read as committed (``git cat-file``: no checkout, no work tree or index
    change, no ``.gitattributes`` export filters) into a temporary directory, removed after.
    """
    rev, path = split_git_spec(spec)
    git = shutil.which("git")
    if git is None:
        raise DiffInputError("git is not installed (needed for --git)")
    if not repo.is_dir():
        raise DiffInputError(f"--repo {repo} is not a directory")
    treeish = f"{rev}:{path}"
    kind = _git(git, repo, ["cat-file", "-t", treeish], spec).decode().strip()
    if kind != "tree":
        raise DiffInputError(f"{spec}: is a {kind} in {repo}, not a folder; give the docs folder "
                             "that holds the <service>/ folders (or a dataset directory)")
    with tempfile.TemporaryDirectory(prefix="pipeline-diff-") as tmp:
        root = Path(tmp) / "side"
        root.mkdir()
        extract_tree(git, repo, treeish, root, spec)
        return load_path(root, spec)  # records carry paths relative to ``root``: no temp path leaks


def extract_tree(git: str, repo: Path, treeish: str, target: Path, label: str) -> int:
    """Write every regular file of the git tree ``treeish`` under ``target``; return the count.

    Symbolic links and submodules are left out, as ``build`` never follows links; a path
    that would leave ``target`` is refused.
    """
    listing = _git(git, repo, ["ls-tree", "-r", "-z", "--full-tree", treeish], label)
    blobs: list[tuple[str, PurePosixPath]] = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_name = entry.partition(b"\t")
        mode, kind, oid = meta.decode().split()
        name = PurePosixPath(os.fsdecode(raw_name))
        if kind != "blob" or mode == "120000":
            continue
        if name.is_absolute() or ".." in name.parts:
            raise DiffInputError(f"{label}: refusing the unsafe path {name} in the tree")
        blobs.append((oid, name))
    if not blobs:
        return 0
    request = b"".join(f"{oid}\n".encode() for oid, _ in blobs)
    data = _git(git, repo, ["cat-file", "--batch"], label, stdin=request)
    offset = 0
    for oid, name in blobs:
        header_end = data.index(b"\n", offset)
        header = data[offset:header_end].decode(errors="replace").split()
        if len(header) != 3 or header[0] != oid or header[1] != "blob":
            raise DiffInputError(f"{label}: cannot read {name} from git ({' '.join(header)})")
        size = int(header[2])
        start = header_end + 1
        destination = target.joinpath(*name.parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data[start:start + size])
        offset = start + size + 1  # the blob is followed by a newline
    return len(blobs)


def _git(git: str, repo: Path, args: list[str], label: str, stdin: bytes | None = None) -> bytes:
    """Run a read-only git command in ``repo``; a failure becomes a ``DiffInputError``."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}  # never write the index, not even to refresh it
    try:
        proc = subprocess.run([git, "-C", str(repo), *args], input=stdin, capture_output=True,
                              check=False, env=env)
    except OSError as exc:
        raise DiffInputError(f"cannot run git: {exc.strerror}") from exc
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().splitlines()
        reason = message[-1] if message else f"git {args[0]} exited {proc.returncode}"
        raise DiffInputError(f"{label}: {reason.removeprefix('fatal: ')}")
    return proc.stdout

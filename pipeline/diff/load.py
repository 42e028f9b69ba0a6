"""Loading one side of a diff: a built dataset directory, a docs folder, or a docs folder in git.

Every side becomes the same thing, a ``Side``: the label the user gave and the records of each
dataset (``pipeline.datasets.RESOURCES``), as the frozen record dataclasses. Nothing is ever written to
the inputs; a git revision is read with ``pipeline.sources.git`` (``ls-tree``/``cat-file``) into a temporary
directory that is removed afterwards, so the work tree and the index are never touched.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pipeline.building import build, default_jobs
from pipeline.datasets import RESOURCES, Field, Record, Resource
from pipeline.datasets.types import is_json_value
from pipeline.errors import PipelineError, UsageError
from pipeline.jsonfile import DamagedJSON, read_json
from pipeline.model import Issue, Location, RecordsByDataset
from pipeline.output import MANIFEST
from pipeline.sources.git import Git, GitError, extract_tree
from pipeline.sources.read import MAX_PAGE_BYTES

SideKind = Literal["dataset", "docs"]

#: The files that make a directory a built dataset (any one of them is enough to decide).
DATASET_MARKERS = (MANIFEST, *(f"{r.name}.json" for r in RESOURCES))
#: A dataset's list of problems; its error-severity items name what the build could not read.
ISSUES = "issues.json"


class DiffInputError(PipelineError):
    """A side of a diff cannot be read: missing, malformed, or an unknown git revision."""


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a diff: where it came from and its records by dataset name, each in dataset order."""

    label: str
    kind: SideKind
    records: RecordsByDataset
    #: What could not be read (error-severity issues: a page, a table, a folder), whose records
    #: are missing from this side: from the build of a docs folder, or a dataset's issues.json.
    unreadable: tuple[Issue, ...] = ()
    pages: int | None = None  # pages found in a docs folder; None for a dataset

    def records_of(self, resource: Resource) -> tuple[Record, ...]:
        return self.records.get(resource.name, ())


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
        if hint:
            extra = " (with --git, write REV:path, e.g. HEAD~1:raw_docs)"
        elif looks_like_git_spec(label):
            extra = "; did you mean --git, to read REV:path from the git repository?"
        else:
            extra = ""
        raise DiffInputError(f"{label} does not exist{extra}")
    if not path.is_dir():
        raise DiffInputError(f"{label} is not a directory: give a dataset directory (like output/) "
                             "or a docs folder with one sub-folder per service")
    if is_dataset_dir(path):
        return load_dataset_dir(path, label)
    return load_docs_dir(path, label)


def looks_like_git_spec(spec: str) -> bool:
    """True for ``HEAD~1:raw_docs``-like text: a revision, a colon, a path (not ``C:\\docs``).

    >>> looks_like_git_spec("HEAD~1:raw_docs"), looks_like_git_spec("v2.0:"), looks_like_git_spec("C:/docs")
    (True, True, False)
    """
    rev, colon, _ = spec.partition(":")
    drive = len(rev) == 1 and rev.isalpha()
    return bool(colon and rev and not drive and not rev.startswith("-") and "/" not in rev and "\\" not in rev
                and not any(ch.isspace() for ch in rev))


def is_dataset_dir(path: Path) -> bool:
    """True when ``path`` holds a built dataset rather than documentation pages."""
    return any((path / name).is_file() for name in DATASET_MARKERS)


def load_dataset_dir(path: Path, label: str | None = None) -> Side:
    """Read the JSON file of each dataset (``status_codes.json``, ...) of a built dataset back into records."""
    label = label if label is not None else str(path)
    records = {r.name: tuple(r.from_dict(row) for row in _read_records(path, r, label)) for r in RESOURCES}
    return Side(label, "dataset", records, read_unreadable(path, label))


def load_docs_dir(path: Path, label: str | None = None) -> Side:
    """Build the docs folder in memory (nothing is written) and keep its records."""
    label = label if label is not None else str(path)
    dataset = build(path, jobs=default_jobs())
    pages = sum(1 for p in dataset.pages if p.source_path)
    if not pages and dataset.census is not None and dataset.census.outside_service_folder:
        raise DiffInputError(f"{label} holds pages directly, not in <service>/ folders: give the folder "
                             "above it (the one holding the service folders)")
    unreadable = tuple(i for i in dataset.issues if i.severity == "error")
    records = {r.name: tuple(dataset.records_of(r)) for r in RESOURCES}
    return Side(label, "docs", records, unreadable, pages)


def read_unreadable(directory: Path, label: str) -> tuple[Issue, ...]:
    """The error-severity issues of a dataset's ``issues.json``: what its build could not read.

    A dataset without ``issues.json`` (written by hand, or by an old version) has none.
    """
    file = directory / ISSUES
    if not file.is_file():
        return ()
    found = []
    for number, item in enumerate(_read_json_array(file, label)):
        if not isinstance(item, dict) or not isinstance(item.get("severity"), str):
            raise DiffInputError(f"{_where(file, label)}: item {number}: not an issue (an object with a severity)")
        if item["severity"] != "error":
            continue
        try:
            location = Location(item["path"], item.get("line"), item.get("table_index"), item.get("row_index"))
            issue = Issue(item["slug"], location, item["message"], "error")
        except KeyError as exc:
            raise DiffInputError(f"{_where(file, label)}: item {number}: missing {exc}") from exc
        if not all(isinstance(v, str) for v in (issue.slug, location.path, issue.message)) or not all(
                v is None or (isinstance(v, int) and not isinstance(v, bool))
                for v in (location.line, location.table_index, location.row_index)):
            raise DiffInputError(f"{_where(file, label)}: item {number}: not an issue of this version")
        found.append(issue)
    return tuple(found)


def _where(file: Path, label: str) -> str:
    return f"{label.rstrip('/')}/{file.name}"


def _read_json_array(file: Path, label: str) -> list[Any]:
    """The JSON array in ``file``; anything else (unreadable, not JSON, nested too deeply) is trouble."""
    where = _where(file, label)
    try:
        data = read_json(file)  # missing, unreadable, not UTF-8 JSON, ``[[[[...`` nested too deeply
    except DamagedJSON as exc:
        raise DiffInputError(f"{where} is not a dataset file: it {exc}") from exc
    if not isinstance(data, list):
        raise DiffInputError(f"{where}: expected a JSON array, found {type(data).__name__}")
    return data


def _read_records(directory: Path, resource: Resource, label: str) -> list[dict[str, Any]]:
    file = directory / f"{resource.name}.json"
    where = _where(file, label)
    if not file.exists():
        raise DiffInputError(f"{where} is missing: {label} looks like a dataset directory "
                             f"(it has {', '.join(n for n in DATASET_MARKERS if (directory / n).is_file())}) "
                             "but is incomplete; rebuild it with `pipeline build`")
    data = _read_json_array(file, label)
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
        problem = value_problem(field, row[field.name])
        if problem:
            return problem
    return None


def value_problem(field: Field, value: object) -> str | None:
    """Why ``value`` (read from JSON) is not a value of ``field``, or None when it is."""
    if value is None:
        return f"{field.name} is null but required" if field.required else None
    kind = f"list of {field.storage.json}" if field.is_list else field.storage.json
    items: list[object] = [value]
    if field.is_list:
        if not isinstance(value, list):
            return f"{field.name} must be a {kind}, not {type(value).__name__} ({value!r})"
        items = value
    for item in items:
        if not is_json_value(field.type, item):
            return f"{field.name} must be {kind}, not {type(item).__name__} ({item!r})"
        if field.enum and item not in field.enum:
            return f"{field.name} is {item!r}, not one of {', '.join(field.enum)}"
    return None


def split_git_spec(spec: str) -> tuple[str, str]:
    """``HEAD~1:raw_docs`` -> (``HEAD~1``, ``raw_docs``); the path is relative to the repository root."""
    rev, _, path = spec.partition(":")
    if not rev:
        raise UsageError(f"{spec!r}: with --git, give REV:path, e.g. HEAD~1:raw_docs")
    if rev.startswith("-"):
        raise UsageError(f"{spec!r}: a revision cannot start with '-' (git would take it for an option)")
    return rev, path.strip("/")


def load_git(spec: str, repo: Path, git: Git | None = None) -> Side:
    """Read the folder ``REV:path`` of the repository ``repo`` and load it like a local directory.

    The blobs are read as committed (``pipeline.sources.git``: no checkout, no work tree or
    index change, no ``.gitattributes`` export filters) into a temporary directory, removed after.
    """
    rev, path = split_git_spec(spec)
    if not repo.is_dir():
        raise DiffInputError(f"--repo {repo} is not a directory")
    try:
        git = git or Git(purpose="--git")
        treeish = f"{rev}:{path}"
        kind = git.object_type(repo, treeish, spec)
        if kind != "tree":
            raise DiffInputError(f"{spec}: is a {kind} in {repo}, not a folder; give the docs folder "
                                 "that holds the <service>/ folders (or a dataset directory)")
        with tempfile.TemporaryDirectory(prefix="pipeline-diff-") as tmp:
            root = Path(tmp) / "side"
            root.mkdir()
            extract_tree(git, repo, treeish, root, spec, MAX_PAGE_BYTES)
            return load_path(root, spec)  # records carry paths relative to ``root``: no temp path leaks
    except GitError as exc:
        raise DiffInputError(str(exc)) from exc

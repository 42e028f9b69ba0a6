"""The Python API: ``pipeline.build(...)`` and ``pipeline.load(dir)`` give every dataset as typed records.

>>> import pipeline
>>> data = pipeline.load("output")                       # doctest: +SKIP
>>> data.error_codes[0].error_code                       # doctest: +SKIP
'APIGW.0101'
>>> data.error_codes.to_pandas().dtypes["status_code"]   # doctest: +SKIP
Int16Dtype()

A ``Datasets`` maps each dataset's name (``pipeline.datasets.ALL_RESOURCES``, derived ones
included) to its ``RecordTable``: a sequence of the dataset's frozen record dataclasses, with
``to_arrow()`` (the Arrow schema of the declaration, as in the Parquet files) and
``to_pandas()`` (nullable dtypes from ``Storage.pandas``: ``string`` error codes keep their
leading zeros, a missing status is ``<NA>`` in an ``Int16`` column, booleans are ``boolean``).
pandas is optional: ``pip install 'apidoc-datasets[pandas]'``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import orjson

from pipeline.datasets import ALL_RESOURCES, RESOURCES, Resource, derive_all
from pipeline.errors import PipelineError, UsageError
from pipeline.jsonfile import DamagedJSON, read_json
from pipeline.model import Issue

#: The optional dependency ``to_pandas`` needs, and how to install it.
PANDAS_EXTRA = "pip install 'apidoc-datasets[pandas]'"


class DatasetReadError(PipelineError):
    """A dataset directory cannot be read: missing, not JSON, or records of another version."""


@dataclass(frozen=True, slots=True)
class RecordTable(Sequence[Any]):
    """The records of one dataset, in dataset order: a sequence of its record dataclasses."""

    resource: Resource
    records: tuple[Any, ...]

    @property
    def name(self) -> str:
        return self.resource.name

    def __len__(self) -> int:
        return len(self.records)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Any, ...]: ...

    def __getitem__(self, index: int | slice) -> Any:
        return self.records[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.records)

    def to_dicts(self) -> list[dict[str, Any]]:
        """The records as dicts, keys in field order (lists as lists), as in the JSON file."""
        loaded: list[dict[str, Any]] = orjson.loads(orjson.dumps(list(self.records)))
        return loaded

    def to_arrow(self) -> Any:
        """A ``pyarrow.Table`` with the dataset's declared schema (``int16`` status, ``string`` codes)."""
        from pipeline.exporters.parquet import arrow_table
        from pipeline.exporters.rows import record_rows

        return arrow_table(self.resource, list(record_rows(self.records)))

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame``, each column of the nullable dtype its declaration's storage names.

        ``error_code`` is ``string`` (``"0001"`` stays ``"0001"``), ``status_code`` ``Int16`` (a
        missing status is ``<NA>``, not a float NaN), booleans ``boolean``; a list field is a
        column of tuples. Raises ``ImportError`` naming the extra when pandas is missing.
        """
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError(f"RecordTable.to_pandas needs pandas: {PANDAS_EXTRA}") from exc
        columns: dict[str, Any] = {}
        for index, field in enumerate(self.resource.fields):
            values = [record[index] for record in _rows(self.records)]
            dtype = "object" if field.is_list else field.storage.pandas
            columns[field.name] = pd.array(values, dtype=dtype) if dtype != "object" else pd.Series(
                values, dtype="object")
        return pd.DataFrame(columns, columns=list(self.resource.column_names))


def _rows(records: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    from pipeline.exporters.rows import record_rows

    return list(record_rows(records))


@dataclass(frozen=True, slots=True)
class Datasets(Mapping[str, RecordTable]):
    """Every dataset by name (``data["error_codes"]`` or ``data.error_codes``), and the build's issues.

    ``issues``: the problems and skips of the build (``issues.json``); empty for ``load`` of a
    directory without ``issues.json``.
    """

    tables: Mapping[str, RecordTable]
    issues: tuple[Issue, ...] = ()

    def __getitem__(self, name: str) -> RecordTable:
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(f"no dataset {name!r}: choose one of {', '.join(self.tables)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)

    def __getattr__(self, name: str) -> RecordTable:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.tables[name]
        except KeyError:
            raise AttributeError(f"no dataset {name!r}: choose one of {', '.join(self.tables)}") from None


def from_records(records: Mapping[str, Sequence[Any]], issues: Sequence[Issue] = ()) -> Datasets:
    """The ``Datasets`` of the page datasets' records (by name), the derived datasets made from them."""
    everything = {**records, **derive_all(records)}
    return Datasets({r.name: RecordTable(r, tuple(everything[r.name])) for r in ALL_RESOURCES}, tuple(issues))


PathLike = str | os.PathLike[str]


def build(roots: PathLike | Sequence[PathLike] = (), *, include: Sequence[str] = (), exclude: Sequence[str] = (),
          config: PathLike | None = None, jobs: int = 1, cache_dir: PathLike | None = None,
          out: PathLike | None = None, csv_safe: bool = False) -> Datasets:
    """Build the datasets of the docs under ``roots`` in memory, as ``pipeline build`` would.

    ``roots``: folders of service folders (default: the roots of ``pipeline.toml``, else
    ``raw_docs``); ``include``/``exclude``/``config``: as the command's options. Nothing is
    written unless ``out`` is given (then the dataset directory is written there, as by
    ``pipeline build --out``); no cache is read or written unless ``cache_dir`` is given.
    Raises ``PipelineError`` subclasses (``UsageError``) for unusable arguments.
    """
    from pipeline.building import finish, require_pages, stream_results
    from pipeline.incremental.fingerprint import current_environment
    from pipeline.incremental.store import PageStore
    from pipeline.openapi import openapi_export
    from pipeline.sources import discover, resolve_inputs

    given = [roots] if isinstance(roots, str | os.PathLike) else list(roots)
    inputs = resolve_inputs([Path(r) for r in given], include, exclude, Path(config) if config else None)
    sources = list(inputs.roots)
    for root in sources:
        if not root.is_dir():
            raise UsageError(f"input folder {root} does not exist or is not a directory")
    if jobs < 1:
        raise UsageError(f"jobs must be at least 1, not {jobs}")
    discovered = discover(sources, selection=inputs.selection)
    require_pages(sources, discovered)
    store = PageStore(Path(cache_dir), current_environment()) if cache_dir is not None else None
    dataset = finish((page.result() for page in stream_results(discovered.sources, jobs=jobs, store=store)),
                     discovered.issues, discovered.census)
    records = {r.name: dataset.records_of(r) for r in RESOURCES}
    if out is not None:
        from pipeline.output import write_results

        # the writer made the OpenAPI documents: their defects come with what it wrote
        exported = write_results(dataset.pages, Path(out), csv_safe, census=dataset.census, store=store).issues
    else:
        exported = openapi_export(records).issues
    return from_records(records, (*dataset.issues, *exported))  # issues.json's, in order


def load(directory: PathLike = "output") -> Datasets:
    """The datasets of a dataset directory written by ``pipeline build``, as typed records.

    Every page dataset's JSON file is read and checked against its declaration (fields, types,
    enums); the derived datasets are made again from them, so a directory written before they
    existed loads too. Raises ``DatasetReadError`` (one line: what is wrong and where).
    """
    from pipeline.diff.load import record_problem

    folder = Path(directory)
    if not folder.is_dir():
        raise DatasetReadError(f"{folder} is not a dataset directory (write one with `pipeline build --out {folder}`)")
    typed: dict[str, list[Any]] = {}
    for resource in RESOURCES:  # each file read and checked in turn: the first problem is the one reported
        items = _read_records(folder, resource)
        for number, item in enumerate(items):
            problem = record_problem(resource, item)
            if problem:
                raise DatasetReadError(f"{folder / (resource.name + '.json')}: record {number}: {problem}")
        typed[resource.name] = [resource.from_dict(item) for item in items]
    return from_records(typed, _read_issues(folder))


def _read_issues(folder: Path) -> tuple[Issue, ...]:
    """Every issue of ``issues.json`` (none when there is no such file)."""
    from pipeline.exporters.items import issue_from_dict

    file = folder / "issues.json"
    if not file.is_file():
        return ()
    try:
        items = read_json(file)
        if not isinstance(items, list):
            raise TypeError("not a JSON array")
        return tuple(issue_from_dict(item) for item in items)
    except (DamagedJSON, TypeError, KeyError) as exc:
        raise DatasetReadError(f"{file} is not an issues file of this version ({type(exc).__name__}: {exc})") \
            from exc


def _read_records(folder: Path, resource: Resource) -> list[Any]:
    file = folder / f"{resource.name}.json"
    if not file.exists():
        raise DatasetReadError(f"{file} is missing: is {folder} a dataset directory written by `pipeline build`?")
    try:
        data = read_json(file)
    except DamagedJSON as exc:
        raise DatasetReadError(f"{file} {exc}") from exc
    if not isinstance(data, list):
        raise DatasetReadError(f"{file}: expected a JSON array, found {type(data).__name__}")
    return data

"""Each dataset is declared once (``pipeline.datasets``): everything else follows from the declaration."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal

import jsonschema
import pytest
from records import as_json, typed

from pipeline.building import build
from pipeline.datasets import ERROR_CODES, RESOURCES, STATUS_CODES, HttpStatus, Located, Resource, column
from pipeline.diff.compare import Identity, match_records
from pipeline.diff.load import record_problem
from pipeline.exporters import FORMATS
from pipeline.exporters.parquet import arrow_schema
from pipeline.schema import json_schema, table_schema

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Sample(Located):
    """A record with a field of every kind the declaration supports."""

    code: str = field(metadata=column("A code."))
    status: HttpStatus | None = field(metadata=column("An HTTP status.", compared=True))
    retryable: bool | None = field(metadata=column("Whether to retry.", compared=True))
    tags: tuple[str, ...] = field(metadata=column("Tags.", compared=True))
    kind: Literal["a", "b"] = field(metadata=column("A kind.", compared=True))


SAMPLES = Resource("samples", Sample, "Samples", key=("service", "code"), primary_key=("code",),
                   order=("service", "source_path", "table_index", "row_index"))


def sample(code: str, retryable: bool | None, tags: tuple[str, ...] = ("x", "y, z")) -> Sample:
    return Sample("svc", "svc/p.md", "html", None, None, 0, None, 0, 3, None, None, None, code, 429, retryable, tags,
                  "a")


RECORDS = [sample("A.1", True), sample("A.2", False, ()), sample("A.3", None, ('say "hi"',))]


def test_a_boolean_and_a_list_field_go_through_json_csv_parquet_and_both_schemas(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    from frictionless import Resource as FrictionlessResource
    from frictionless import Schema

    expected = [as_json(r, SAMPLES) for r in RECORDS]
    data = json.loads(FORMATS["json"].export(SAMPLES, RECORDS))
    assert data == expected
    jsonschema.validate(data, json_schema(SAMPLES))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{**data[0], "retryable": "yes"}], json_schema(SAMPLES))
    assert [record_problem(SAMPLES, row) for row in data] == [None, None, None]
    assert [SAMPLES.from_dict(row) for row in data] == RECORDS
    assert record_problem(SAMPLES, {**data[0], "retryable": 1}) == "retryable must be boolean, not int (1)"
    assert record_problem(SAMPLES, {**data[0], "tags": ["x", 2]}) == "tags must be list of string, not int (2)"

    text = FORMATS["csv"].export(SAMPLES, RECORDS).decode("utf-8")
    assert text.splitlines()[1].endswith(',429,true,"[""x"",""y, z""]",a')
    assert [typed(SAMPLES, row) for row in csv.DictReader(io.StringIO(text, newline=""))] == expected
    (tmp_path / "samples.csv").write_text(text, encoding="utf-8", newline="")
    report = FrictionlessResource(path="samples.csv", basepath=str(tmp_path),
                                  schema=Schema.from_descriptor(table_schema(SAMPLES))).validate()
    assert report.valid, report.flatten(["type", "message"])

    schema = arrow_schema(SAMPLES)
    assert (schema.field("status").type, schema.field("retryable").type) == (pa.int16(), pa.bool_())
    assert schema.field("tags").type == pa.list_(pa.string())
    table = pq.read_table(io.BytesIO(FORMATS["parquet"].export(SAMPLES, RECORDS)))
    assert table.schema.equals(schema) and table.to_pylist() == expected


def test_the_diff_compares_a_declared_boolean_field() -> None:
    identity = Identity.of(SAMPLES)
    assert (identity.key, identity.compared) == (("service", "code"), ("status", "retryable", "tags", "kind"))
    diff = match_records(identity, RECORDS, [sample("A.1", False), *RECORDS[1:]])
    [change] = diff.changed
    assert (change.key, change.fields, diff.unchanged) == (("svc", "A.1"), ("retryable",), 2)


def test_the_shipped_identities_are_the_declared_ones() -> None:
    from pipeline.diff.compare import ERROR_IDENTITY, STATUS_IDENTITY

    assert (STATUS_IDENTITY.key, STATUS_IDENTITY.role) == (("service", "source_path", "status_code"), ("table_title",))
    assert STATUS_IDENTITY.compared == ("documented_reason", "reason", "description", "category")
    # an error code's key is (service, error_code); its HTTP status is compared, and pairs repeats first
    assert (ERROR_IDENTITY.key, ERROR_IDENTITY.role) == (("service", "error_code"), ("source_path", "table_title"))
    assert ERROR_IDENTITY.compared[:5] == ("status_code", "message", "description", "solution", "module")
    assert ERROR_IDENTITY.prefer == ("status_code",)


def test_a_declaration_that_cannot_be_stored_is_refused_at_import() -> None:
    @dataclass(frozen=True)
    class NoColumn:
        a: str

    @dataclass(frozen=True)
    class Floating:
        a: float = field(metadata=column("A."))

    @dataclass(frozen=True)
    class Two:
        a: int | str = field(metadata=column("A."))

    @dataclass(frozen=True)
    class Compared:
        a: str = field(metadata=column("A.", compared=True))
        b: str = field(metadata=column("B."))

    with pytest.raises(TypeError, match="no column"):
        Resource("x", NoColumn, "X", key=(), primary_key=(), order=())
    with pytest.raises(TypeError, match="not a field type"):
        Resource("x", Floating, "X", key=(), primary_key=(), order=())
    with pytest.raises(TypeError, match="one type"):
        Resource("x", Two, "X", key=(), primary_key=(), order=())
    with pytest.raises(ValueError, match="cannot also be compared"):
        Resource("x", Compared, "X", key=("a",), primary_key=(), order=())
    with pytest.raises(ValueError, match="unknown fields"):
        Resource("x", Compared, "X", key=("c",), primary_key=(), order=())
    with pytest.raises(ValueError, match="prefer"):
        Resource("x", Compared, "X", key=(), primary_key=(), order=(), prefer=("b",))


def test_records_come_in_the_declared_order() -> None:
    fixtures = ROOT / "tests" / "fixtures"
    operation_pages = [fixtures / "operations" / "rst", fixtures / "operations" / "md" / "doc" / "source"]
    dataset = build([fixtures / "pages", *operation_pages])
    for resource in RESOURCES:
        records = dataset.records_of(resource)
        assert records and records == sorted(records, key=resource.sort_key), resource.name


# --- README ------------------------------------------------------------------------------------

def readme_type(f: object) -> str:
    """How README's field tables write a field's type."""
    from pipeline.datasets import Field

    assert isinstance(f, Field)
    base = " \\| ".join(f"`{v}`" for v in f.enum) if f.enum else {
        "string": "str", "integer": "int", "small_integer": "int", "boolean": "bool"}[f.type]
    if f.is_list:
        base = f"list of {base}"
    return base if f.required else f"{base} \\| null"


def readme_rows(heading: str) -> list[tuple[str, str]]:
    """The (field, type) rows of the first table after ``heading`` in README.md."""
    text = (ROOT / "README.md").read_text("utf-8")
    section = text[text.index(f"\n{heading}\n"):]
    rows = []
    for line in section.splitlines()[2:]:
        if line.startswith("#"):
            break
        match = re.match(r"\| `(\w+)` \| (.+?) \| ", line)
        if match:
            rows.append((match.group(1), match.group(2)))
        elif rows:
            break
    return rows


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
def test_readme_documents_every_field_with_its_declared_type(resource: Resource) -> None:
    """The first dataset's table lists the location fields; the others built on them say "the same nine location
    fields"; the datasets not built on them (pages, operations...) list every field."""
    location = {f.name for f in fields(Located)}
    based = resource is not RESOURCES[0] and issubclass(resource.record_type, Located)
    shown = [f for f in resource.fields if not based or f.name not in location]
    heading = f"### The {resource.name.removesuffix('s').replace('_', '-')} record"
    assert readme_rows(heading) == [(f.name, readme_type(f)) for f in shown]


def test_readme_identity_table_is_the_declared_one() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    for role in ("key", "compared"):
        line = next(x for x in text.splitlines() if x.startswith(f"| **{role}**"))
        cells = [re.findall(r"`(\w+)`", cell) for cell in line.split("|")[2:4]]
        assert cells == [list(STATUS_CODES.names(role)), list(ERROR_CODES.names(role))], role
    line = next(x for x in text.splitlines() if x.startswith("| **location**"))
    assert re.findall(r"`(\w+)`", line.split("|")[2]) == list(STATUS_CODES.names("location"))

"""The ``parameters`` dataset: one record per parameter row of an operation page (issue 15)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pipeline.datasets.declaration import Resource, column
from pipeline.datasets.located import ON_PAGE, Located
from pipeline.datasets.types import HttpStatus

#: Where a parameter goes: the OpenAPI ``in``, with the response's headers and body apart.
ParameterIn = Literal["path", "query", "header", "body", "response_header", "response_body"]
#: The JSON Schema type a printed type means.
SchemaType = Literal["string", "integer", "number", "boolean", "object", "array"]


@dataclass(frozen=True, slots=True)
class ParameterRecord(Located):
    """One parameter of one operation, as a parameter table documents it."""

    method: str = field(metadata=column("The operation's HTTP method, upper case."))
    path: str = field(metadata=column("The operation's URI template, as in the operations dataset."))
    in_: ParameterIn = field(metadata=column(
        "Where the parameter goes: path, query, header, body, response_header or response_body. From the "
        "table's caption, the text before it or its section; in a URI table, from the URI template.",
        name="in"))
    status_code: HttpStatus | None = field(metadata=column(
        "For a response parameter documented per status ('Status code: 200'): that status."))
    name: str = field(metadata=column("The parameter's name as printed."))
    parent: str | None = field(metadata=column(
        "The dotted path of the object parameter it is a field of ('transfer', 'volume.metadata'); null at the "
        "top level."))
    required: bool | None = field(metadata=column(
        "Whether the parameter is required (Yes/No, Mandatory/Optional, true/false); null where the page does "
        "not say.", compared=True))
    type: str | None = field(metadata=column("The type as printed, markup removed.", compared=True))
    schema_type: SchemaType | None = field(metadata=column(
        "The JSON Schema type the printed type means; null when unknown.", compared=True))
    description: str | None = field(metadata=column(
        "The description, markup removed, paragraphs joined.", compared=True))


PARAMETERS = Resource(
    "parameters", ParameterRecord, "Parameters of each API operation",
    # a parameter is its operation's: the same name in another place or under another parent is another one
    key=("service", "method", "path", "in", "status_code", "parent", "name"),
    primary_key=(),  # the docs themselves document a parameter twice (v2 and v2.1 tables of one page)
    order=("service", "source_path", "method", "path", "table_index", "row_index"),
    headline=("method", "path", "in", "name"),
    relations=(ON_PAGE,),
)

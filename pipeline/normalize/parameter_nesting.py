"""Nested parameters: which rows of a page are the parents of which parameter tables.

A page documents an object parameter's fields in a table of their own and ties it to the
parent in one of three ways, read here as small named rules:

* the parent row refers to the table by number: ``For details, see Table 5`` (RST
  ``:ref:`Table 5 <...>```, markdown ``<a href="#table...">Table 5</a>``), or its type does:
  ``Array of Table 1 objects``;
* the table's caption names the parent field or its type: ``Table 4 transfer field
  description``, ``Description of the **bandwidths** field``, ``route objects``, a named type
  such as ``UpdatePoolOption`` (the parent row's type is ``UpdatePoolOption object``);
* a sentence right before the table names it: ``Parameters in the **transfer** field``.

A caption may name the items of an array row (``tag`` for the ``Array<Object>`` row ``tags``):
that holds when exactly one array row of the table's side is so named. A caption naming a field
no row carries is placed under that field only when the page's example shows it as an object at
the top level of the request (or response) body, and the caller reports it.

A table referred to from two rows is nested under each. A number that names no table of the
page, or a field no row of the page carries, is reported by the caller, never guessed.

A row of the request that cites a table of the response (or the reverse) whose caption names a
field of the response (of its own side), while a table of the request is captioned for the row,
is a copy-paste slip of the page: the citation is not followed, the table goes where its caption
says, and the caller reports the citation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pipeline.text import collapse_whitespace

Side = Literal["request", "response"]

#: ``**Table 3** Description ...``, ``.. table:: **Table 3** ...``: a table's label line (markup stripped first).
_LABEL_LINE = re.compile(r"(?:\.\.[ \t]++table::[ \t]*+)?[ \t]*+Table[ \t]*+([0-9]{1,4})(?![0-9])", re.IGNORECASE)
#: ``see Table 5``, ``Array of Table 1 objects``: a reference to a table of the page by its number.
_TABLE_REFERENCE = re.compile(r"\bTable[ \t]*+([0-9]{1,4})(?![0-9])")
_TAG = re.compile(r"<[^<>\n]*+>")
#: ``:ref:`Table 1 <en-us_topic_0169494074__table41869715>```: an RST reference to a table, with its target label.
_RST_TABLE_REF = re.compile(r":ref:`Table[ \t]*+([0-9]{1,4})[ \t]*+<([^<>`\n]*+)>`")
#: ``<a href="resource-status-description.md#table13906">Table 1</a>``: an HTML link to a table.
_HTML_TABLE_REF = re.compile(r"<a[ \t]++href=\"([^\"\n]*+)\"[^<>\n]*+>[ \t]*+Table[ \t]*+([0-9]{1,4})[ \t]*+</a>")
#: ``.. _en-us_topic_0094148849__table32475667:``: an RST label, a target a reference of the page may name.
_RST_LABEL = re.compile(r"\.\.[ \t]++_([^:\n]++):")
#: How far above a table its label line may be (anchors and blank lines between them).
LABEL_WINDOW = 8
#: How many source lines of a table's last row are read for its references.
ROW_SOURCE_LIMIT = 2000

#: Caption words before the field name, longest first (lower case): ``Description of the X field``.
FIELD_PREFIXES = (
    "data structure description of the ", "parameter description of field ", "data structure of field ",
    "objects of request parameter ", "objects of response parameter ", "description of the ", "description of field ",
    "description of ", "parameters in the ", "parameter in the ", "parameters of the ", "fields of the ",
)
#: Caption words after the field name, longest first: ``X field description``, ``X objects``.
FIELD_SUFFIXES = (
    " field data structure description", " parameter structure description", " field description",
    " fields description", " parameter description", " parameters description", " parameter information",
    " structure description", " structure array", " field", " fields", " list", " objects", " object",
    " structures", " structure", " parameters", " parameter", " description", " details", " attributes",
    " information",
)
#: The suffixes that name a field or an object (what a sentence before the table must say).
FIELD_WORDS = frozenset({" field", " fields", " object", " objects", " structure", " structures", " list",
                         " field description", " structure array"})
#: Words that make a caption a place (``Request parameters``), not a field's name.
GENERIC_WORDS = frozenset({"request", "response", "uri", "url", "path", "query", "header", "headers", "body",
                           "parameter", "parameters", "message", "returned", "return", "status", "code",
                           "example", "the", "a", "of", "in", "and", "for", "which", "is"})


@dataclass(frozen=True, slots=True)
class TableFacts:
    """What nesting reads of one parameter table: its number, the field its caption names, its side."""

    index: int
    number: int | None
    field: str | None
    field_rule: str
    side: Side | None
    #: The field is an object at the top level of the page's example body on the table's side.
    example_object: bool = False


@dataclass(frozen=True, slots=True)
class RowFacts:
    """What nesting reads of one parameter row: its name, the object type it names, the tables it cites."""

    table: int
    row: int
    name: str
    type_name: str | None
    numbers: tuple[int, ...]
    #: Its printed type is an array (``Array<Object>``, ``List``).
    array: bool = False


@dataclass(frozen=True, slots=True)
class Parent:
    """A row that is the parent of a table, and the rule that tied them."""

    table: int
    row: int
    rule: str


@dataclass(frozen=True, slots=True)
class Misdirected:
    """A citation not followed: the cited table's caption names another field, and the row has a table of its own.

    ``other_side``: the table lies in the other section (request vs response); else its caption names
    another row's field.
    """

    row: RowFacts
    number: int
    row_side: Side
    table_side: Side
    field: str
    other_side: bool


@dataclass(frozen=True, slots=True)
class Nesting:
    """The parents of each nested table, the references to no table of the page, the tables whose parent is lost.

    ``from_example``: the tables placed under a field no row names, which the page's example shows (table
    index -> field).
    """

    parents: dict[int, tuple[Parent, ...]]
    unresolved: tuple[tuple[RowFacts, int], ...]
    lost: dict[int, str]
    from_example: dict[int, str] = field(default_factory=dict)
    #: The citations not followed: the cited table's caption places it elsewhere (see ``Misdirected``).
    misdirected: tuple[Misdirected, ...] = ()


def name_key(text: str) -> str:
    """A field or type name compared loosely: ``Security Group Rule`` and ``security_group_rule`` are one."""
    return collapse_whitespace(text).lower().replace(" ", "_").replace("-", "_")


def caption_field(text: str, strict: bool = False) -> str | None:
    """The field (or named type) a caption names, or ``None`` for a caption naming none.

    ``strict``: a sentence before a table must say ``field`` or ``object`` (``Parameters in the
    transfer field``); a caption may be the bare name (``UpdatePoolOption``, ``route objects``).

    >>> [caption_field(t) for t in ("Description of the bandwidths field", "transfer field description",
    ...                             "UpdatePoolOption", "security group rule objects", "Request body parameters")]
    ['bandwidths', 'transfer', 'UpdatePoolOption', 'security group rule', None]
    >>> caption_field("Parameters in the transfer field.", strict=True), caption_field("Table 1 lists them.", True)
    ('transfer', None)
    """
    value = collapse_whitespace(text.replace("*", " ").replace("`", " ")).rstrip(" .:")
    lower = value.lower()
    prefix = next((p for p in FIELD_PREFIXES if lower.startswith(p)), "")
    suffix = next((s for s in FIELD_SUFFIXES if lower.endswith(s) and len(lower) > len(prefix) + len(s)), "")
    if strict and not (suffix in FIELD_WORDS or prefix.startswith("parameters in")):
        return None
    name = value[len(prefix): len(value) - len(suffix)].strip()
    words = name.lower().split()
    if not words or len(words) > 3 or any(w in GENERIC_WORDS for w in words):
        return None
    if not prefix and not suffix and len(words) > 1:
        return None
    return name


def table_numbers(lines: Sequence[str], starts: Sequence[tuple[int, int | None, int | None]]) -> dict[int, int]:
    """The ``Table N`` label of each table: ``starts`` holds ``(table index, first line, last row line)``.

    The label is the nearest label line above the table (at most ``LABEL_WINDOW`` lines, and
    after the previous table), or a ``<caption>`` on the table's first lines.
    """
    found: dict[int, int] = {}
    previous_end = 0
    for index, first, last in sorted(((i, f, e) for i, f, e in starts if f is not None), key=lambda s: s[1] or 0):
        assert first is not None
        number = _caption_number(lines, first) or _label_above(lines, first, previous_end)
        if number is not None:
            found[index] = number
        previous_end = max(previous_end, last or first)
    return found


def _label_above(lines: Sequence[str], first: int, previous_end: int) -> int | None:
    for line_number in range(first - 1, max(previous_end, first - LABEL_WINDOW - 1), -1):
        if 1 <= line_number <= len(lines):
            match = _LABEL_LINE.match(lines[line_number - 1].replace("*", "").strip())
            if match:
                return int(match.group(1))
    return None


def _caption_number(lines: Sequence[str], first: int) -> int | None:
    for line_number in range(first, min(first + 3, len(lines) + 1)):
        text = lines[line_number - 1]
        if "<caption" in text.lower():
            match = _LABEL_LINE.match(_TAG.sub(" ", text).replace("*", "").strip())
            return int(match.group(1)) if match else None
    return None


def cited_numbers(texts: Iterable[str]) -> tuple[int, ...]:
    """The table numbers cited in a row's cells, in order, each once.

    >>> cited_numbers(["Array of Table 1 objects", "For details, see Table 5 and Table 1."])
    (1, 5)
    """
    found: list[int] = []
    for text in texts:
        for match in _TABLE_REFERENCE.finditer(text):
            number = int(match.group(1))
            if number not in found:
                found.append(number)
    return tuple(found)


def page_labels(lines: Sequence[str]) -> frozenset[str]:
    """The RST labels the page defines (``.. _name:``): the targets of its own references."""
    return frozenset(m.group(1).strip().lower() for line in lines if "_" in line
                     for m in [_RST_LABEL.match(line.strip())] if m)


def external_citations(lines: Sequence[str], labels: frozenset[str]) -> frozenset[int]:
    """The table numbers ``lines`` cite only as tables of other pages.

    A cell's text says ``For details, see Table 1``; its source says whether that is this
    page's Table 1 (``:ref:`Table 1 <label>``` with a label of the page, ``<a href="#table...">``)
    or another page's (a label the page does not define, ``href="other.md#table..."``).
    Real page: rst/elastic-cloud-server/api-ref/source/apis_recommended/lifecycle_management/
    querying_details_about_an_ecs.rst (``flavor``: ``see :ref:`Table 1 <en-us_topic_0169494074__...>```,
    a table of another page; the page's own Table 1 holds its URI parameters).
    """
    local: set[int] = set()
    external: set[int] = set()
    for line in lines:
        if "Table" not in line:
            continue
        for match in _RST_TABLE_REF.finditer(line):
            (local if match.group(2).strip().lower() in labels else external).add(int(match.group(1)))
        for match in _HTML_TABLE_REF.finditer(line):
            (local if match.group(1).startswith("#") else external).add(int(match.group(2)))
    return frozenset(external - local)


def row_source(lines: Sequence[str], first: int | None, next_first: int | None) -> Sequence[str]:
    """The source lines of a table row starting at line ``first`` (1-based): up to the next row's line,
    or for a table's last row up to the first blank line or ``</table>``.
    """
    if first is None:
        return ()
    if next_first is not None and next_first > first:
        return lines[first - 1: next_first - 1]
    end = first
    while end < len(lines) and end - first < ROW_SOURCE_LIMIT and lines[end].strip():
        if "</table>" in lines[end - 1]:
            break
        end += 1
    return lines[first - 1: end]


def resolve(tables: Sequence[TableFacts], rows: Sequence[RowFacts], numbers: Iterable[int] = ()) -> Nesting:
    """The parents of every nested table: the rules below, in order, for each table.

    ``numbers``: the labels of the page's other tables (``Table 3`` listing cipher suites): a row
    citing one refers to a table that holds no parameters, which is no nesting and no problem.
    """
    side = {t.index: t.side for t in tables}
    cited, unresolved, misdirected = _citations(tables, rows, numbers, side)
    parents: dict[int, tuple[Parent, ...]] = {}
    lost: dict[int, str] = {}
    from_example: dict[int, str] = {}
    for table in tables:
        if table.index in cited:
            parents[table.index] = tuple(cited[table.index])
            continue
        if table.field is None:
            continue
        named = _rows_named(table, rows, side) or _array_of_items(table, rows, side)
        if named:
            parents[table.index] = named
        elif _names_own_row(table, rows):
            continue
        elif table.example_object:
            from_example[table.index] = table.field
        else:
            lost[table.index] = (f"its {table.field_rule} names the field {table.field!r}, but no parameter row of "
                                 "the page has that name or type")
    return Nesting(parents, tuple(unresolved), lost, from_example, tuple(misdirected))


def _citations(tables: Sequence[TableFacts], rows: Sequence[RowFacts], numbers: Iterable[int],
               side: dict[int, Side | None]) -> tuple[dict[int, list[Parent]], list[tuple[RowFacts, int]],
                                                      list[Misdirected]]:
    """The rows citing each table, the citations of no table of the page, and the misdirected ones not followed."""
    by_number = {t.number: t for t in tables if t.number is not None}
    elsewhere = set(numbers) - set(by_number)
    slips = _Slips(tables, rows, side)
    cited: dict[int, list[Parent]] = {}
    unresolved: list[tuple[RowFacts, int]] = []
    misdirected: list[Misdirected] = []
    for row in rows:
        for number in row.numbers:
            target = by_number.get(number)
            if target is None:
                if number not in elsewhere:
                    unresolved.append((row, number))
            elif target.index != row.table:
                slip = slips.of(row, number, target)
                if slip is not None:
                    misdirected.append(slip)
                else:
                    cited.setdefault(target.index, []).append(Parent(row.table, row.row, f"row cites Table {number}"))
    return cited, unresolved, misdirected


class _Slips:
    """Tells a misdirected citation from a true one; what it reads of the page is indexed once, per cited table
    computed once (a page citing one table from thousands of rows costs one pass)."""

    def __init__(self, tables: Sequence[TableFacts], rows: Sequence[RowFacts], side: dict[int, Side | None]) -> None:
        self.rows, self.side = rows, side
        self.captioned: dict[tuple[Side | None, str], list[int]] = {}
        for table in tables:
            if table.field is not None:
                self.captioned.setdefault((table.side, name_key(table.field)), []).append(table.index)
        self._placed: dict[int, bool] = {}
        self._named: dict[int, tuple[RowFacts, ...]] = {}

    def of(self, row: RowFacts, number: int, target: TableFacts) -> Misdirected | None:
        """The citation as a slip of the page, or ``None`` (followed, as every other citation).

        A slip needs a table of the row's side captioned for the row (its own fields are there), and a cited
        table whose caption places it elsewhere by the caption rules (a row's name or type, the one array row
        of its items): under a row of the other side when the table lies there, else under another row its
        caption names and the citing row's does not.

        Real page: rst/elastic-load-balancing/api-ref/source/apis_v2.0/backend_server_group/
        updating_a_backend_server_group.rst (the request's ``session_persistence`` row says ``see Table 10``,
        the response's ``session_persistence parameter description``; the request's own is Table 4, right after
        it; the response's ``session_persistence`` row says ``see Table 9``, captioned ``loadbalancers`` as the
        row above it, though there that citation's label is another page's); md/doc/source/vpc/api-reference/
        querying-a-subnet.md (``allocation_pools`` cites Table 4 ``host_route objects``; Table 3 is
        ``allocation_pool objects``). Without a table of its own the citation is the page sharing one table:
        md/doc/source/vpc/api-reference/creating-a-port.md (the request's ``fixed_ips`` cites the response's
        ``fixed_ip objects``), md/doc/source/ecs/api-reference/querying-ecs-flavors.md (``flavors_links``
        cites ``links``, the table the row ``links`` cites too).
        """
        row_side = self.side.get(row.table)
        if row_side is None or target.side is None or target.field is None or not self._has_own(row, row_side,
                                                                                                 target):
            return None  # the row has no table of its own: the cited one may serve it as well
        if row_side != target.side:
            if self._placed_by_caption(target):
                return Misdirected(row, number, row_side, target.side, target.field, True)
            return None
        if _caption_names(target, row) or not any(r != row for r in self._rows_captioned(target)):
            return None
        return Misdirected(row, number, row_side, target.side, target.field, False)

    def _has_own(self, row: RowFacts, row_side: Side, target: TableFacts) -> bool:
        """A table of the row's side (not the row's, not the cited one) captioned for the row."""
        name = name_key(row.name)
        keys = _row_keys(row)
        if row.array:
            keys |= {name[:-1] if name.endswith("s") else name, name[:-2] if name.endswith("es") else name}
        for key in keys:
            # at most three looks per key: the first index that is neither of the two answers
            if any(i not in (row.table, target.index) for i in self.captioned.get((row_side, key), ())):
                return True
        return False

    def _placed_by_caption(self, target: TableFacts) -> bool:
        """The cited table's caption places it under a row of its own side."""
        if target.index not in self._placed:
            own = [r for r in self.rows if self.side.get(r.table) == target.side]
            self._placed[target.index] = bool(_rows_named(target, own, self.side)
                                              or _array_of_items(target, own, self.side))
        return self._placed[target.index]

    def _rows_captioned(self, target: TableFacts) -> tuple[RowFacts, ...]:
        """Up to two rows of the cited table's side (not in it) its caption names: enough to find one that is
        not the citing row."""
        if target.index not in self._named:
            found: list[RowFacts] = []
            for r in self.rows:
                if r.table != target.index and self.side.get(r.table) == target.side and _caption_names(target, r):
                    found.append(r)
                    if len(found) == 2:
                        break
            self._named[target.index] = tuple(found)
        return self._named[target.index]


def _caption_names(table: TableFacts, row: RowFacts) -> bool:
    """The table's caption names the row: its name or type, or (for an array row) its item."""
    if table.field is None:
        return False
    key = name_key(table.field)
    return key in _row_keys(row) or _names_items_of(key, row)


def _row_keys(row: RowFacts) -> set[str]:
    """What a caption may name a row by: its name, or its type's (``name_key``)."""
    return {name_key(row.name)} | ({name_key(row.type_name)} if row.type_name else set())


def _names_items_of(key: str, row: RowFacts) -> bool:
    """``key`` (a caption's field) names the items of the array row: ``tag`` for ``tags``, ``box`` for ``boxes``."""
    return row.array and name_key(row.name) in {key + "s", key + "es"}


def _names_own_row(table: TableFacts, rows: Sequence[RowFacts]) -> bool:
    """The caption names a row of the table itself, which no other table has: a top-level table.

    Real page: md/doc/source/css/api-reference/querying-the-list-of-snapshots.md (``Table 2 backups
    field data structure description`` holds the one row ``backups``; Table 3, captioned the same,
    holds its fields).
    """
    assert table.field is not None
    key = name_key(table.field)
    return any(r.table == table.index and name_key(r.name) == key for r in rows)


def _array_of_items(table: TableFacts, rows: Sequence[RowFacts], side: dict[int, Side | None]) -> tuple[Parent, ...]:
    """The one array row named as the plural of the caption's field: the table describes its items.

    Real pages: rst/nat-gateway/api-ref/source/apis_for_public_nat_gateways_v2.0/tags/querying_nat_gateways_by_tag.rst
    (``Table 3 Description of field tag``; the request row ``tags`` is ``Array<Object>``; the response's
    ``tags`` is on the other side), md/doc/source/mrs/api-reference/configuring-an-auto-scaling-rule.md
    (``resources_plan parameter description``, the ``List`` row ``resources_plans``). Two such rows on
    the table's side, or one that is not an array, say nothing: the table stays reported.
    """
    assert table.field is not None
    key = name_key(table.field)
    found = [r for r in rows if r.table != table.index and _names_items_of(key, r)
             and (table.side is None or side.get(r.table) in (None, table.side))]
    if len(found) != 1:
        return ()
    return (Parent(found[0].table, found[0].row,
                   f"{table.field_rule} names {table.field!r}, an item of the array {found[0].name!r}"),)


def top_level_objects(text: str) -> frozenset[str]:
    """The keys whose value is an object at the top level of the JSON objects in an example's text.

    Scans once, strings and nesting tracked, so an example that is not valid JSON (``...``,
    trailing commas, a request line before the body) is still read. Real page:
    md/doc/source/mrs/api-reference/configuring-an-auto-scaling-rule.md (its example request is
    ``{"node_group": "...", "auto_scaling_policy": {..., "rules": [{..., "trigger": {...}}]}}``).

    >>> sorted(top_level_objects('POST /v1/{id}/x {"node_group": "a", "auto_scaling_policy": {"rules": [{"t": {}}]}}'))
    ['auto_scaling_policy']
    """
    found: set[str] = set()
    depth, position, key, colon = 0, 0, "", False
    while position < len(text):
        char = text[position]
        if char == '"':
            end = _string_end(text, position + 1)
            key, colon = (text[position + 1: end], False) if depth == 1 and not colon else ("", False)
            position = end + 1
            continue
        if char in "{[":
            if char == "{" and depth == 1 and colon and key:
                found.add(key)
            depth += 1
        elif char in "}]":
            depth = max(0, depth - 1)
        elif char == ":" and key and depth == 1:
            colon = True
            position += 1
            continue
        if not char.isspace():
            key, colon = "", False
        position += 1
    return frozenset(found)


def _string_end(text: str, start: int) -> int:
    """The index of the quote closing a JSON string that starts at ``start`` (a line break ends it too)."""
    position = start
    while position < len(text) and text[position] not in '"\n':
        position += 2 if text[position] == "\\" else 1
    return min(position, len(text))


def _rows_named(table: TableFacts, rows: Sequence[RowFacts], side: dict[int, Side | None]) -> tuple[Parent, ...]:
    """The rows (of other tables) named as the table's field, or whose type names it; on the table's side first."""
    assert table.field is not None
    key = name_key(table.field)
    found = [Parent(r.table, r.row, f"{table.field_rule} names {table.field!r}") for r in rows
             if r.table != table.index and key in _row_keys(r)]
    same_side = [p for p in found if table.side is None or side.get(p.table) in (None, table.side)]
    return tuple(same_side or found)

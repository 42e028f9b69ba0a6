"""Deciding what each column of a table holds, from its header AND its content, and so the table's kind.

Vendors word the same column many ways (``Status Code``, ``Returned Value``, ``Normal
Response Code``...), and the words lie: vpcep's ``Error Code`` column holds descriptions,
bms's ``Returned Value`` column holds service error codes, cfw's first ``Description``
column holds reason phrases. So a header only proposes a role; the cells confirm it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pipeline.model import RawTable, TableKind
from pipeline.normalize.characters import skeleton, suspicious_characters
from pipeline.normalize.httpstatus import is_valid_status, looks_like_reason_phrase, parse_status_cell

Role = Literal["status", "error_code", "reason", "description", "message", "solution", "module", "ignored"]

#: Headers that name the HTTP status column (content must confirm: >= 60% status cells).
STATUS_HEADERS = frozenset({
    "status code", "http status code", "normal response code", "error response code", "return code",
    "response code", "http response code", "normal status code", "error status code", "successful response",
    "error response", "status code & message", "returned value", "http status", "status", "code",
    "status codes", "http status codes", "returned values", "return value", "http code",
})
#: Headers that can only mean an HTTP status column: with one of these, one readable cell is
#: enough (``is_status_column_by_header``). ``Status``, ``Code`` and ``Returned Value`` are not
#: here: they also head resource states and parameter values.
SPECIFIC_STATUS_HEADERS = frozenset({
    "status code", "status codes", "http status code", "http status codes", "http status", "http code",
    "normal response code", "error response code", "response code", "http response code",
    "normal status code", "error status code", "status code & message", "return code",
})
#: Headers that name the service error code column (content must confirm: codes, not prose).
ERROR_CODE_HEADERS = frozenset({"error code", "error codes", "code", "returned value", "error id", "errorcode"})
#: Headers that can only mean a service error code column: with one of these, a column whose
#: readable codes outnumber its sentences is one (``is_error_code_column_by_header``).
SPECIFIC_ERROR_CODE_HEADERS = frozenset({"error code", "error codes", "error id", "errorcode"})
#: In a status-code table: headers of the reason-phrase column.
REASON_HEADERS = frozenset({
    "type", "message", "status", "name", "code", "encoding", "message title", "returned value", "reason",
    "reason phrase", "status description", "status message", "meaning",
})
#: In a status-code table: headers of the description column (content may make it the reason).
DESCRIPTION_HEADERS = frozenset({
    "description", "possible cause", "state description", "error code", "remarks", "cause", "details",
    "explanation", "meaning", "possible causes", "remark", "note", "notes",
})
#: Headers that may hold prose (vpcep: descriptions) or short names (obs Swift: "Missing Content
#: Length"): a description only when the cells are prose.
NAME_HEADERS = frozenset({"error code", "error codes"})
#: In an error-code table: the text columns of the record.
ERROR_TEXT_HEADERS: dict[str, Role] = {
    "message": "message", "error message": "message", "error information": "message", "error info": "message",
    "error": "message", "error msg": "message", "error messages": "message",
    "description": "description", "cause": "description", "error code description": "description",
    "error description": "description", "possible cause": "description", "possible causes": "description",
    "reason": "description", "causes": "description",
    "handling measure": "solution", "solution": "solution", "measure": "solution", "suggestion": "solution",
    "handling suggestion": "solution", "handling suggestions": "solution", "handling method": "solution",
    "troubleshooting": "solution", "solutions": "solution", "handling measures": "solution",
    "measures": "solution", "suggestions": "solution",
    "module": "module",
}

STATUS_SHARE = 0.6
ERROR_CODE_SHARE = 0.6
#: A table without header text needs this many filled status cells at least (``headerless_status_column``).
HEADERLESS_MIN_ROWS = 3

#: A word of a header (``header_key``) that names a status role.
_STATUS_ROLE_WORD = re.compile(r"\b(?:status|statuses|return|returned|response|http|code|codes)\b")
#: Headings whose tables never hold codes: ``Specifications`` (flavor tables), ``Flavors``.
_NO_CODES_SECTION = re.compile(r"\b(?:specifications?|flavors?)\b", re.IGNORECASE)
#: Headings naming codes (``Status Codes``, ``Error Codes``, ``Returned Values``): the rule above stops there.
_CODES_SECTION = re.compile(r"\b(?:status|error|return|returned|response)[ \t]++(?:codes?|values?)\b",
                            re.IGNORECASE)

_ERROR_CODE_TOKEN = re.compile(
    r"^(?=[^\s]*\d)[A-Za-z0-9][\w.\-:/]*$"  # VPC.0002, SVCSTG.CCECAM.5000001, 10000000
    r"|^[a-z]+(?:[A-Z][a-z0-9]*)+$"  # badRequest
    r"|^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$"  # AccessDenied (S3-style)
    r"|^[A-Z][A-Za-z0-9]*_\w+$",  # RMS_INTERNAL
    re.ASCII,  # \d and \w: ASCII digits and letters only
)
_PLAIN_STATUS = re.compile(r"^[1-5][0-9][0-9]$")
#: RMS.INTERNAL.ERROR, KMS.DisabledException: a dotted or underscored name with no digit.
_DOTTED_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*+(?:[._][A-Za-z0-9]++)+$", re.ASCII)
#: DIS.5000 to DIS.5999: a range of codes, documented as one row.
_CODE_RANGE = re.compile(r"^(\S++) (?:to|-|–|~) (\S++)$")
#: Redirect, Request-URI Too Large, System Capacity Not enough: an S3-style code written as words.
_NAME_PHRASE = re.compile(r"^[A-Z][A-Za-z-]*+(?: [A-Za-z][A-Za-z-]*+){0,4}$", re.ASCII)


def header_key(text: str) -> str:
    """Lowercase, markup and punctuation trimmed: ``Handling Suggestions (Optional)`` -> ``handling suggestions``."""
    key = re.sub(r"\(optional\)", "", text.lower())
    key = re.sub(r"[^a-z0-9&/ ]+", " ", key)
    return re.sub(r"\s+", " ", key).strip()


def looks_like_error_code(text: str) -> bool:
    """A service error code: one token with a digit or a camelCase word, not an HTTP status.

    ``VPC.0002``, ``APIGW.0101``, ``SVCSTG_AMS_4000001``, ``10000000`` and ``badRequest`` are;
    ``404`` and ``The VPC does not exist.`` are not.
    """
    return bool(_ERROR_CODE_TOKEN.match(text)) and not _PLAIN_STATUS.match(text) and len(text) <= 80


def reads_as_error_code(text: str, named: bool = False) -> bool:
    """An error-code cell that reads as a code as it stands: the row becomes a record.

    ``looks_like_error_code``; or a dotted name (``RMS.INTERNAL.ERROR``,
    ``KMS.DisabledException``); or a range of two codes (``DIS.5000 to DIS.5999``, kept as
    written: the page documents the range as one row); or a camelCase code wrapped at a
    capital (``IncorrectNumberOf FilesInPostRequest``). In a column of *named* codes
    (``AccessDenied``: ``named_codes``), also a name written as up to five words
    (``Request-URI Too Large``, ``Redirect``). Not: ``see note``, ``TBD``, ``VPC 0009``.
    """
    if looks_like_error_code(text) or _DOTTED_NAME.match(text):
        return True
    span = _CODE_RANGE.match(text)
    if span and looks_like_error_code(span.group(1)) and looks_like_error_code(span.group(2)):
        return True
    words = text.split()
    if len(words) > 1 and all(word[:1].isupper() for word in words[1:]) and looks_like_error_code("".join(words)):
        return True
    return named and bool(_NAME_PHRASE.match(text))


def named_codes(values: list[str]) -> bool:
    """A column whose codes are mostly names (``AccessDenied``, S3-style) rather than numbered (``VPC.0002``)."""
    codes = [v for v in values if looks_like_error_code(v)]
    names = sum(1 for v in codes if not any(ch.isdigit() for ch in v))
    return names > len(codes) - names


@dataclass(frozen=True, slots=True)
class ColumnProfile:
    """Shares of a column's filled cells that look like each kind of value.

    Cells are judged by what a reader sees (``characters.skeleton``): ``٤٠٤`` counts as a
    status cell here, so its column is found, and its row is then reported, not read.
    ``valid_status`` counts the cells that really are codes 100-599 (or a class like ``2xx``).
    """

    filled: int
    status: float
    combined: float
    error_code: float
    phrase: float
    valid_status: int = 0
    sentences: int = 0


def profile(values: list[str]) -> ColumnProfile:
    """Profile the cells a column holds in its own right (span copies excluded)."""
    filled = [v for v in values if v and v != "-"]
    n = len(filled) or 1
    seen = [skeleton(v) for v in filled]
    parsed = [parse_status_cell(v) for v in seen]
    return ColumnProfile(
        filled=len(filled),
        status=sum(1 for p in parsed if p is not None) / n,
        combined=sum(1 for p in parsed if p is not None and p.phrase) / n,
        error_code=sum(1 for v in seen if looks_like_error_code(v)) / n,
        phrase=sum(1 for v in filled if looks_like_reason_phrase(v)) / n,
        valid_status=sum(1 for v in filled if is_readable_status_cell(v)),
        sentences=sum(1 for v in filled if len(v.split()) >= 3),
    )


def is_readable_status_cell(text: str) -> bool:
    """A cell that reads as it stands as HTTP status codes 100-599 or a class (``2xx``); ``٤٠٤`` does not."""
    cell = parse_status_cell(text)
    if cell is None or suspicious_characters(text):
        return False
    return cell.code_class is not None or (bool(cell.codes) and all(is_valid_status(c) for c in cell.codes))


@dataclass(frozen=True, slots=True)
class TablePlan:
    """A table's kind, the rule that decided it, and one role per column."""

    kind: TableKind
    rule: str
    roles: tuple[Role, ...]

    def columns(self, role: Role) -> list[int]:
        return [i for i, r in enumerate(self.roles) if r == role]


def column_values(table: RawTable, column: int) -> list[str]:
    return [row.cells[column].text for row in table.rows
            if column < len(row.cells) and not row.cells[column].spanned and not row.cells[column].colspan_copy]


def plan_table(table: RawTable, sections: Sequence[str] = ()) -> TablePlan:
    """Classify a table and give each column a role; ``sections``: the titles of the section the table lies
    in and of those enclosing it (``Outline.parents``), innermost first.

    The rules, in order: a table under a heading that never holds codes (``Specifications``) is
    ``other``; a column headed as error codes whose cells are >= 60 % error codes makes an
    error-code table; else a column that ``is_error_code_column_by_header`` makes one (its
    unreadable cells are reported row by row), even beside a status column; else a column whose
    header names a status role (``status_role_header``: Status Code, Returned Value, Response
    Code...) and whose cells are >= 60 % status cells makes a status-code table (in a table
    without any header text, only overwhelming evidence: ``headerless_status_column``); else a
    column that ``is_status_column_by_header`` makes one (its bad cells are reported row by row);
    else the table is ``other`` and skipped as a whole. A column of numbers that read as codes
    under a header naming no status role (``Memory (GiB)`` of a flavor table: 128, 256) is no
    status column, and the rule says so.
    """
    keys = [header_key(h) for h in table.header]
    heading = no_codes_heading(sections)
    if heading is not None:
        return TablePlan("other", f"under the heading {heading!r}: a table there never holds codes",
                         tuple("ignored" for _ in keys))
    profiles = [profile(column_values(table, i)) for i in range(len(keys))]
    error_col = _find_error_code_column(keys, profiles)
    status_col = _find_status_column(keys, profiles, exclude=error_col)
    if error_col is not None:
        roles = _error_roles(keys, profiles, error_col, status_col)
        share = round(profiles[error_col].error_code * 100)
        rule = f"error-code column {table.header[error_col]!r}: {share}% of its cells are service error codes"
        if profiles[error_col].error_code < ERROR_CODE_SHARE:
            rule += " (by its header); the other rows are reported"
        return TablePlan("error_codes", rule, roles)
    if status_col is not None:
        roles = _status_roles(keys, profiles, status_col)
        share = round(profiles[status_col].status * 100)
        if profiles[status_col].status >= STATUS_SHARE:
            rule = f"status column {table.header[status_col]!r}: {share}% of its cells are HTTP status codes"
        else:
            rule = (f"status column {table.header[status_col]!r} by its header: {share}% of its cells are HTTP "
                    "status codes; the other rows are reported")
        return TablePlan("status_codes", rule, roles)
    if not table.rows:
        return TablePlan("other", "table has no data rows", tuple("ignored" for _ in keys))
    unnamed = next((i for i, p in enumerate(profiles) if i != error_col and p.filled and p.status >= STATUS_SHARE),
                   None)
    if unnamed is not None:
        return TablePlan("other", f"column {table.header[unnamed]!r} reads as HTTP status codes but its header "
                                  "names no status role: not a status column", tuple("ignored" for _ in keys))
    return TablePlan("other", "no column of HTTP status codes or service error codes",
                     tuple("ignored" for _ in keys))


def no_codes_heading(sections: Sequence[str]) -> str | None:
    """The heading, among a table's section and those enclosing it (innermost first), whose tables never hold
    codes (``Specifications``, ``Flavors``); ``None`` when a section naming status or error codes comes first.

    ``A Summary List of ECS Specifications`` holds flavor tables; the ``Status Codes`` section of the
    operation page ``Querying Flavors`` holds that operation's status codes.
    """
    for title in sections:
        if _CODES_SECTION.search(title):
            return None
        if _NO_CODES_SECTION.search(title):
            return title
    return None


def status_role_header(key: str) -> bool:
    """A header naming a status role: ``Status Code``, ``Returned Value``, ``Normal Response Code``, ``HTTP Code``.

    ``Memory (GiB)``, ``Max. Network PPS (10,000)``, ``Destination Port Range`` and ``QPS`` (flavor, quota
    and port tables of the user guides, whose numbers read as codes 128, 400, 443) name none.
    """
    return bool(_STATUS_ROLE_WORD.search(key))


def headerless_status_column(profiles: list[ColumnProfile], column: int) -> bool:
    """Overwhelming evidence for a status column in a table without header text.

    At least 3 filled cells, every one a readable status code, and reason phrases beside them:
    in the cells themselves (``400 Bad Request``) or in another column (>= 80 % phrases).
    """
    p = profiles[column]
    if p.filled < HEADERLESS_MIN_ROWS or p.valid_status < p.filled:
        return False
    return p.combined >= 0.8 or any(q.filled and q.phrase >= 0.8 for i, q in enumerate(profiles) if i != column)


def is_error_code_column_by_header(key: str, column: ColumnProfile) -> bool:
    """A column headed as nothing but service error codes, whose readable codes outnumber its sentences.

    The twin of ``is_status_column_by_header``: a table headed ``Error Code | Error Message``
    whose code cells are ``VPC.0000``… and a few ``see note``, ``TBD``, ``VPC 0009`` keeps its
    good rows; the others are reported (``invalid-error-code``, a warning). A column of
    descriptions under an ``Error Code`` header (vpcep) holds sentences and no code: not one.
    """
    readable = round(column.error_code * column.filled)
    return key in SPECIFIC_ERROR_CODE_HEADERS and readable > 0 and readable > column.sentences


def is_status_column_by_header(key: str, column: ColumnProfile) -> bool:
    """A column headed as nothing but an HTTP status column, with at least one readable status cell.

    The 60 % content rule guards against headers that lie; it must not cost a real status
    table its good rows. A table headed ``HTTP Status Code`` whose cells are ``400``,
    ``4O4`` and ``5OO`` (letters O for zeros) is a status-code table with two bad rows: the
    ``400`` row is extracted and the other two are reported as ``not-a-status-code``
    (warning), so ``--strict`` fails. The header must be one of ``SPECIFIC_STATUS_HEADERS``
    (``Status Code``, ``HTTP Status Code``, ``Response Code``…; not ``Status``, ``Code`` or
    ``Returned Value``, which also head resource states and parameter values), and at least
    one cell must read as it stands as a code 100-599 or a class (``is_readable_status_cell``).
    A ``Status Code`` column of ``ACTIVE`` / ``ERROR`` has none: its table stays ``other``.
    """
    return key in SPECIFIC_STATUS_HEADERS and column.valid_status > 0


def _find_status_column(keys: list[str], profiles: list[ColumnProfile], exclude: int | None) -> int | None:
    """The column with >= 60 % status cells whose header names a status role (a listed one first; without any
    header text, ``headerless_status_column``); else one ``is_status_column_by_header``."""
    headerless = not any(keys)
    candidates = [i for i, p in enumerate(profiles) if i != exclude and p.filled and p.status >= STATUS_SHARE
                  and (headerless_status_column(profiles, i) if headerless else status_role_header(keys[i]))]
    named = [i for i in candidates if keys[i] in STATUS_HEADERS or "status" in keys[i] or "code" in keys[i]]
    chosen = named or candidates or [i for i, p in enumerate(profiles)
                                     if i != exclude and is_status_column_by_header(keys[i], p)]
    return chosen[0] if chosen else None


def _find_error_code_column(keys: list[str], profiles: list[ColumnProfile]) -> int | None:
    """The first column headed as error codes with >= 60 % codes; else one ``is_error_code_column_by_header``."""
    for i, key in enumerate(keys):
        if key in ERROR_CODE_HEADERS and profiles[i].filled and profiles[i].error_code >= ERROR_CODE_SHARE:
            return i
    return next((i for i, key in enumerate(keys) if is_error_code_column_by_header(key, profiles[i])), None)


def _status_roles(keys: list[str], profiles: list[ColumnProfile], status_col: int) -> tuple[Role, ...]:
    roles: list[Role] = ["ignored"] * len(keys)
    roles[status_col] = "status"
    others = [i for i in range(len(keys)) if i != status_col]
    # A reason column named as such; else, when the status cells print no phrase of their
    # own, a column that holds phrases (ecs: "Normal Status Code | Description" with OK...).
    reason = next((i for i in others if keys[i] in REASON_HEADERS and keys[i] not in DESCRIPTION_HEADERS), None)
    if reason is None and profiles[status_col].combined < 0.5:
        reason = next((i for i in others if profiles[i].filled and profiles[i].phrase >= 0.8), None)
    if reason is not None:
        roles[reason] = "reason"
    for i in others:
        if i == reason:
            continue
        prose = profiles[i].filled > 0 and profiles[i].phrase < 0.8
        if (keys[i] in DESCRIPTION_HEADERS and keys[i] not in NAME_HEADERS) or prose:
            roles[i] = "description"
    return tuple(roles)


def _error_roles(keys: list[str], profiles: list[ColumnProfile], error_col: int,
                 status_col: int | None) -> tuple[Role, ...]:
    roles: list[Role] = ["ignored"] * len(keys)
    roles[error_col] = "error_code"
    if status_col is not None:
        roles[status_col] = "status"
    for i, key in enumerate(keys):
        if roles[i] == "ignored" and key in ERROR_TEXT_HEADERS:
            role = ERROR_TEXT_HEADERS[key]
            if role in roles:
                role = _next_free_text_role(role, roles)
            roles[i] = role
    return tuple(roles)


_TEXT_ROLE_ORDER: tuple[Role, ...] = ("message", "description", "solution")


def _next_free_text_role(role: Role, taken: list[Role]) -> Role:
    """A second column claiming a taken role gets the next free one in reading order.

    cts/error-code.md: ``... | Description | Error Message | Description.`` — the last column
    holds cause and remedy (the RST twin heads it ``Solution``): it becomes the solution
    instead of being glued onto the description.
    """
    if role not in _TEXT_ROLE_ORDER:
        return "ignored"
    for candidate in _TEXT_ROLE_ORDER[_TEXT_ROLE_ORDER.index(role) + 1:]:
        if candidate not in taken:
            return candidate
    return "ignored"

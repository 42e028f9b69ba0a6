"""Every kind of problem the pipeline reports, declared once: slug, severity, one-line description.

Call sites never spell a slug or a severity: they write ``EMPTY_ROW.at(location, message)``,
and an exception carries its kind (``UnsupportedInput(..., kind=...)``). README's table of
slugs by severity is checked against ``KINDS`` by a test, both ways; another checks that no
``Issue`` is built anywhere but here (and where ``issues.json`` is read back).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.model import Issue, Location, Severity


@dataclass(frozen=True, slots=True)
class ProblemKind:
    """One kind of problem: its stable slug, its severity, what it means."""

    slug: str
    severity: Severity
    description: str

    def at(self, location: Location, message: str) -> Issue:
        """An ``Issue`` of this kind: ``EMPTY_ROW.at(Location("nat/x.rst", 12, 0, 3), "row has no text")``."""
        return Issue(self.slug, location, message, self.severity)


# --- skip: a row or table deliberately not extracted, with the reason -------------------------
STATUS_CLASS = ProblemKind("status-class", "skip", "a status cell names a class of codes (2xx), not one code")
EMPTY_ROW = ProblemKind("empty-row", "skip", "a row with no text in any cell")
SECTION_DIVIDER = ProblemKind("section-divider", "skip", "one cell spread over the whole row: a heading, not a record")
NO_STATUS_CODE = ProblemKind("no-status-code", "skip", "a status row with no code and no row above to continue")
NO_ERROR_CODE = ProblemKind("no-error-code", "skip",
                            "an error-code row with no code (blank or a placeholder) that continues no row above")
NOT_AN_ERROR_CODE = ProblemKind("not-an-error-code", "skip", "the error-code cell holds a sentence, not a code")
TABLE_NOT_EXTRACTED = ProblemKind("table-not-extracted", "skip",
                                  "a table that holds neither status codes nor error codes")
NOT_A_PARAMETER = ProblemKind("not-a-parameter", "skip",
                              "a parameter-table row naming no parameter (an empty name, a divider, 'None')")
EXAMPLE_PARAMETERS = ProblemKind("example-parameters", "skip",
                                 "a parameter table in an example section: the example's, not the operation's")
PARAMETER_TABLE_UNPLACED = ProblemKind("parameter-table-unplaced", "skip",
                                       "a parameter table that no caption, text or section places in the path, "
                                       "query, headers, body or response")
PARAMETER_PARENT_NOT_FOUND = ProblemKind("parameter-parent-not-found", "skip",
                                         "a nested parameter table whose parent field no row of the page names: "
                                         "its rows are not read")
DUPLICATE_PARAMETER = ProblemKind("duplicate-parameter", "skip",
                                  "a nested-table row repeating, word for word, a field another table already gives "
                                  "the same parent (a table both named by a caption and cited): read once")

# --- notice: a fact about the docs --------------------------------------------------------------
DUPLICATE_ERROR_CODE = ProblemKind("duplicate-error-code", "notice",
                                   "an error code (with its status) documented more than once in one table")
EMPTY_PAGE = ProblemKind("empty-page", "notice", "a documentation file with no text (a placeholder README)")
DUPLICATE_OPERATION = ProblemKind("duplicate-operation", "notice",
                                  "an operation (method and path) documented again on another page or line of "
                                  "its service, as OpenStack's POST .../action once per action: the OpenAPI "
                                  "document keeps the first")

# --- warning: odd input, handled ----------------------------------------------------------------
ENCODING_GUESSED = ProblemKind("encoding-guessed", "warning", "a page that is not UTF-8, decoded as cp1252")
INVALID_STATUS_CODE = ProblemKind("invalid-status-code", "warning",
                                  "a status code outside 100-599, or a status cell of an error-code table that is "
                                  "not one")
INVALID_ERROR_CODE = ProblemKind("invalid-error-code", "warning",
                                 "an error-code cell that holds no service error code (TBD, see note): row not read")
NOT_A_STATUS_CODE = ProblemKind("not-a-status-code", "warning", "a status cell that holds no HTTP status code")
SUSPICIOUS_CHARACTER = ProblemKind("suspicious-character", "warning",
                                   "an invisible, control or look-alike character in a code cell")
RAGGED_ROW = ProblemKind("ragged-row", "warning", "a row with more or fewer cells than the header")
EMPTY_TABLE = ProblemKind("empty-table", "warning", "a table with no data rows")
DIRECTIVE_NOT_EXECUTED = ProblemKind("directive-not-executed", "warning",
                                     "an RST directive that would insert outside content; never run, not read")
ENTITY_NOT_EXPANDED = ProblemKind("entity-not-expanded", "warning", "an HTML entity declaration, never expanded")
UNCLOSED_TABLE = ProblemKind("unclosed-table", "warning", "a <table> with no </table>")
UNCLOSED_COMMENT = ProblemKind("unclosed-comment", "warning", "an HTML comment that is never closed")
REPLACEMENT_CHARACTER = ProblemKind("replacement-character", "warning",
                                    "a U+FFFD in the text: a character was lost before or while reading the page")
NUL_CHARACTER = ProblemKind("nul-character", "warning", "a NUL byte in the text: the row holding it is not read")
CONTROL_CHARACTER = ProblemKind("control-character", "warning",
                                "a control character (an ANSI escape sequence) in a cell: kept, printed escaped")
UNRESOLVED_TABLE_REFERENCE = ProblemKind("unresolved-table-reference", "warning",
                                        "a parameter row cites a table number ('see Table 5') the page does not have")
CROSS_SECTION_TABLE_REFERENCE = ProblemKind("cross-section-table-reference", "warning",
                                           "a parameter row cites a table in the other section (request vs "
                                           "response) whose caption names a field of its own section: placed by "
                                           "its caption")
MISMATCHED_TABLE_REFERENCE = ProblemKind("mismatched-table-reference", "warning",
                                        "a parameter row cites a table captioned for another row's field, while "
                                        "another table is captioned for it: placed by the captions")
PARAMETER_PARENT_FROM_EXAMPLE = ProblemKind("parameter-parent-from-example", "warning",
                                            "a nested parameter table whose parent field no row names, placed under "
                                            "it because the page's example shows it as a top-level object")
UNDOCUMENTED_PATH_PARAMETER = ProblemKind("undocumented-path-parameter", "warning",
                                          "a {placeholder} of an operation's path that no path parameter documents: "
                                          "the OpenAPI document declares it as a string")
PATH_PARAMETER_NOT_IN_PATH = ProblemKind("path-parameter-not-in-path", "warning",
                                         "a documented path parameter the operation's path has no {placeholder} "
                                         "for: the OpenAPI document leaves it out")
REPEATED_PATH_PARAMETER = ProblemKind("repeated-path-parameter", "warning",
                                      "a {placeholder} printed twice in one path (/v2/{project_id}/x/{project_id}): "
                                      "OpenAPI cannot tell the two apart")
AMBIGUOUS_PATHS = ProblemKind("ambiguous-paths", "warning",
                              "two paths of a service that differ only in their placeholders' names "
                              "(/v2/{a}/tags and /v2/{b}/tags): a client cannot tell which one a URL is")
HTML_PARSER_FALLBACK = ProblemKind("html-parser-fallback", "warning",
                                   "libxml2 gave up on the page, which was read again with Python's html.parser")

# --- error: content that could not be read ------------------------------------------------------
UNSUPPORTED_INPUT = ProblemKind("unsupported-input", "error",
                                "a file that is not a page we read: binary, empty, not a docs page, undecodable")
PARSE_ERROR = ProblemKind("parse-error", "error", "a page whose markup could not be understood")
MALFORMED_TABLE = ProblemKind("malformed-table", "error", "an RST table whose rows cannot be read")
UNTERMINATED_TABLE = ProblemKind("unterminated-table", "error", "RST table lines with no bottom border after them")
TABLE_TOO_LARGE = ProblemKind("table-too-large", "error",
                              "a table whose rowspan/colspan would expand it beyond the cell limit")
TOO_MANY_TABLES = ProblemKind("too-many-tables", "error",
                              "a page with more tables than are read per page (5,000); the rest are not read")
SYMLINK_SKIPPED = ProblemKind("symlink-skipped", "error", "a symbolic link, never followed")
NOT_A_FILE = ProblemKind("not-a-file", "error", "neither a regular file nor a folder (a FIFO, a socket, a device)")
UNREADABLE_DIRECTORY = ProblemKind("unreadable-directory", "error", "a folder that cannot be listed")
UNUSABLE_FILE_NAME = ProblemKind("unusable-file-name", "error",
                                 "a file name with control characters or bytes that are not UTF-8")
INTERNAL_ERROR = ProblemKind("internal-error", "error", "a bug met while reading one page; the page is skipped")

#: Every kind, by slug, in the order of README's table.
KINDS: dict[str, ProblemKind] = {kind.slug: kind for kind in (
    STATUS_CLASS, EMPTY_ROW, SECTION_DIVIDER, NO_STATUS_CODE, NO_ERROR_CODE, NOT_AN_ERROR_CODE, TABLE_NOT_EXTRACTED,
    NOT_A_PARAMETER, EXAMPLE_PARAMETERS, PARAMETER_TABLE_UNPLACED, PARAMETER_PARENT_NOT_FOUND, DUPLICATE_PARAMETER,
    DUPLICATE_ERROR_CODE, EMPTY_PAGE,
    ENCODING_GUESSED, INVALID_STATUS_CODE, INVALID_ERROR_CODE, NOT_A_STATUS_CODE, SUSPICIOUS_CHARACTER, RAGGED_ROW,
    EMPTY_TABLE,
    DIRECTIVE_NOT_EXECUTED, ENTITY_NOT_EXPANDED, UNCLOSED_TABLE, UNCLOSED_COMMENT, REPLACEMENT_CHARACTER,
    NUL_CHARACTER, CONTROL_CHARACTER, UNRESOLVED_TABLE_REFERENCE, CROSS_SECTION_TABLE_REFERENCE,
    MISMATCHED_TABLE_REFERENCE, PARAMETER_PARENT_FROM_EXAMPLE, DUPLICATE_OPERATION, UNDOCUMENTED_PATH_PARAMETER,
    PATH_PARAMETER_NOT_IN_PATH, REPEATED_PATH_PARAMETER, AMBIGUOUS_PATHS, HTML_PARSER_FALLBACK,
    UNSUPPORTED_INPUT, PARSE_ERROR, MALFORMED_TABLE, UNTERMINATED_TABLE, TABLE_TOO_LARGE, TOO_MANY_TABLES,
    SYMLINK_SKIPPED, NOT_A_FILE, UNREADABLE_DIRECTORY, UNUSABLE_FILE_NAME, INTERNAL_ERROR,
)}

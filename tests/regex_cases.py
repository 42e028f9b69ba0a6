"""Every regular expression ``pipeline`` applies to page text, listed once, with its worst inputs (issue 12, item 5).

Each ``Case`` names a pattern (a module-level compiled pattern, or the literal of an inline
``re.sub``/``re.findall`` call), says how the code applies it (``match`` at the start,
``fullmatch``, or ``all``: search at every position, as ``search``/``finditer``/``sub`` do)
and gives the near-matches that make a backtracking pattern slow: the prefixes it starts
matching on. ``worst_inputs`` turns them into long runs. ``tests/test_regex_linear.py``
checks that every pattern in ``pipeline`` is listed here and that each finishes on these
inputs; ``bench/run.py --regex`` prints the time per MB.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pipeline.parsers.rst import rst_inline_text
from pipeline.text import collapse_whitespace

Mode = str  # "match" | "fullmatch" | "all"
#: Whitespace the runs are made of: ASCII space, newline, no-break space, ideographic space.
WHITESPACE = (" ", "\n", "\u00a0", "\u3000")


@dataclass(frozen=True)
class Case:
    """One pattern: ``module`` and ``name`` (or ``inline``: the literal pattern of an inline call)."""

    module: str
    name: str
    mode: Mode
    near: tuple[str, ...]
    inline: str | None = None
    #: What the code does to the text before applying the pattern (``collapse_whitespace``, encoding),
    #: or how it applies it (``rst_inline_text`` for the patterns only used through ``_unwrap``).
    prepare: Callable[[str], str | bytes] | None = field(default=None)
    through: Callable[[str], object] | None = field(default=None)

    @property
    def key(self) -> str:
        return f"{self.module}:{self.inline if self.inline is not None else self.name}"


def _ascii(text: str) -> bytes:
    return text.encode("utf-8")


H, R, N = "pipeline.parsers.html", "pipeline.parsers.rst", "pipeline.normalize"
D, S = "pipeline.sources.decode", "pipeline.sources.sniff"
OUT = "pipeline.outline"
CASES: tuple[Case, ...] = (
    # sources: decoding and sniffing
    Case(D, "_META_CHARSET", "all", ("<meta", "<meta charset", "charset=", "<meta a"), prepare=_ascii),
    Case(D, "_C1_CONTROL", "all", ("\x80",)),
    Case(D, "_CONTROL", "all", ("\x01",)),
    Case("pipeline.parsers.controls", "_CONTROL", "all", ("\x1b",)),
    Case(S, "_HTML_MARKUP", "all", ("<tabl", "<h7", "<")),
    Case(S, "_RST_MARKUP", "all", (".. _x", ".. x:", "====", "= =", ":original_name", ".. ")),
    # HTML parser
    Case(H, "_TABLE_LABEL_LINE", "match", ("**", "Table 1", "** Table", "Table 1 *")),
    Case(H, "_MARKDOWN_HEADING", "match", ("# ", "#######")),
    Case(H, "_ANCHOR_NAME", "all", ('<a name="', "<a ", "<a name=")),
    Case(H, "_TAG", "all", ("<", "<a")),
    Case(H, "_MARKDOWN_ESCAPE", "all", ("\\",)),
    Case(H, "_ENTITY_DECLARATION", "all", ("<!ENTIT",)),
    Case(H, "_TABLE_TAG_OR_COMMENT", "all", ("<!--", "<!-", "</tabl", "<table")),
    Case(H, "_XML_NAME", "fullmatch", ("a", "a.", "a-")),
    Case(H, "_NOT_XML_CHAR", "all", ("\x01",)),
    Case("pipeline.parsers.common", "_TABLE_LABEL", "all", ("Table 1", "Table 1.", "1.", "1 - ")),
    # RST parser
    Case(R, "_GRID_BORDER", "match", ("+-", "+=", "+--+")),
    Case(R, "_GRID_TOP", "match", ("+-", "-+", "+--+", "+-+")),
    Case(R, "_SIMPLE_BORDER", "match", ("= ", "==", "== ")),
    Case(R, "_DIRECTIVE", "match", (".. ", "..", ".. a:", "a::")),
    Case(R, "_ORIGINAL_NAME", "all", (":original_name:",)),
    Case(R, "_LABEL", "all", (".. _", ".. _a", "a:", "\n.. _a")),
    Case(R, "_UNDERLINE", "match", ("==", "=")),
    Case(R, "_TABLE_LABEL_LINE", "match", ("**", "** Table")),
    Case(R, "_DIRECTIVE_IN_CELL", "all", (".. ", ".. a", "a:")),
    Case(R, "_ROLE", "all", (":a:`", ":a:", "\\", ":a.", "\\`", ":a:`\\`")),
    Case(R, "_REFERENCE", "all", ("`", "`a", "\\", "\\`")),
    Case(R, "_LITERAL", "all", ("``", "`")),
    Case(R, "_STRONG", "all", ("**a ", "**", "a**b"), through=rst_inline_text),
    Case(R, "_EMPHASIS", "all", ("*a ", "*", "a*b"), through=rst_inline_text),
    Case(R, "_STRONG_CLOSE", "all", ("a**", "**")),
    Case(R, "_EMPHASIS_CLOSE", "all", ("a*", "*")),
    Case(R, "_INTERPRETED", "all", ("`a", "a`", "`")),
    Case(R, "_BULLET", "all", ("-", "* ")),
    Case(R, "_ENUMERATOR", "all", ("1.", "(a", "#.")),
    Case(R, "_ADMONITION", "all", (".. note", "..")),
    Case(R, "_LITERAL_ROLE", "all", (":literal:`", "\\", ":code:", "\\`", ":code:`\\`")),
    Case(R, "_SUBSTITUTION", "all", ("|br", "|")),
    Case(R, "_ESCAPE", "all", ("\\",)),
    Case(R, "rst_inline_text", "all", ("\x001", "\x00"), inline=r"\x00(\d+)\x00"),
    # text, exporters, normalizer, diff
    Case("pipeline.text", "_WHITESPACE", "all", (" ",)),
    Case(f"{N}.columns", "_ERROR_CODE_TOKEN", "match", ("a", "aB", "A_", "1.", "Aa")),
    Case(f"{N}.columns", "_DOTTED_NAME", "match", ("a", "a.", "a.a", "a_a.")),
    Case(f"{N}.columns", "_CODE_RANGE", "match", ("a", "a ", "a to ", "a to a ")),
    Case(f"{N}.columns", "_NAME_PHRASE", "match", ("A", "A ", "A a", "A-a a ")),
    Case(f"{N}.columns", "_PLAIN_STATUS", "match", ("1",)),
    Case(f"{N}.columns", "header_key", "all", ("(optional", "("), inline=r"\(optional\)"),
    Case(f"{N}.columns", "header_key", "all", ("!",), inline=r"[^a-z0-9&/ ]+"),
    Case(f"{N}.columns", "header_key", "all", (" ",), inline=r"\s+"),
    Case(f"{N}.httpstatus", "_NOT_LETTER", "all", ("1",)),
    # _SINGLE and _MULTI are only ever applied to collapse_whitespace(text) (one space at most in a row).
    Case(f"{N}.httpstatus", "_SINGLE", "match", ("200 ", "a", "(", ")", "200 a"), prepare=collapse_whitespace),
    Case(f"{N}.httpstatus", "_MULTI", "match", ("200/", "200 or ", "200"), prepare=collapse_whitespace),
    Case(f"{N}.httpstatus", "_CODE_CLASS", "match", ("2x",)),
    Case(f"{N}.httpstatus", "_STARTS_WITH_DIGIT", "match", ("\u200b",)),
    Case(f"{N}.httpstatus", "_CODE", "all", ("20", "200", "2")),
    Case("pipeline.diff.render", "_TOKENS", "all", (" ", "a")),
    Case("pipeline.diff.escape", "_MD_SPECIAL", "all", ("\\",)),
    Case("pipeline.sources.git", "_git_version", "match", ("git version ", "git version 2.", "git version 2"),
         inline=r"git version (\d{1,9})\.(\d{1,9})"),
    Case("pipeline.sources.git", "COMMIT_ID", "fullmatch", ("0" * 40, "0" * 64, "a" * 41)),
    # declared sources (issue 16): the config file's repository URLs and refs
    Case("pipeline.sources.declared", "_SCHEME", "match", ("a", "a:", "a:/", "a+")),
    Case("pipeline.sources.declared", "_SCP_LIKE", "match", ("a", "a@", "a@b", "a@b.")),
    Case("pipeline.sources.declared", "_FULL_COMMIT", "fullmatch", ("0", "a" * 41)),
    Case("pipeline.sources.declared", "_REF_FORBIDDEN", "all", (".", "/", "@", ".l", ".lock", "a")),
    Case("pipeline.diff.split", "_TABLE_RULE", "fullmatch", ("|---", "|--", "| :--", "|---|-")),
    Case("pipeline.sources.declared", "check_repo", "fullmatch", ("a",), inline=r"[A-Za-z]:"),
    # page outline (issue 14): RST and markdown+HTML pages read line by line
    Case(f"{OUT}.rst", "_ADORNMENT", "fullmatch", ("==", "--", "= ", "=-")),
    Case(f"{OUT}.rst", "_DIRECTIVE", "fullmatch", (".. ", ".. a", ".. a:", ".. a::", ".. a:b", "..a::")),
    Case(f"{OUT}.rst", "_ITEM", "match", ("-", "1", "(1", "(a", "#.", "a.")),
    Case(f"{OUT}.rst", "_FIELD", "match", (":a", ": ", ":a b")),
    Case(f"{OUT}.markdown", "_FENCE", "match", ("``", "```", "~~")),
    Case(f"{OUT}.markdown", "_HEADING", "fullmatch", ("#", "# ", "#######")),
    Case(f"{OUT}.markdown", "_ITEM", "match", ("-", "1", "1.")),
    Case(f"{OUT}.markdown", "_HTML_START", "match", ("<", "<a", "</", "<!")),
    Case(f"{OUT}.markdown", "_TABLE_TAG", "all", ("<table", "</tabl", "<")),
    Case(f"{OUT}.markdown", "_DOCUMENT_START", "match", ("<", "<html", "<!doctyp")),
    Case(f"{OUT}.markdown", "_ESCAPE", "all", ("\\",)),
    Case(f"{OUT}.markdown", "_IMAGE", "all", ("![", "![a", "![a](", "!", "](")),
    Case(f"{OUT}.markdown", "_LINK", "all", ("[", "[a", "[a](", "](", "[a]")),
    Case(f"{OUT}.markdown", "_INLINE_TAG", "all", ("<", "<a")),
    Case(f"{OUT}.markdown", "_PLACEHOLDER", "all", ("\ue000",)),
    Case(f"{OUT}.markdown", "_ENTITY", "all", ("&", "&#1", "&#x", "&nbsp")),
    # operations, their status sections, page roles (issue 14)
    Case(f"{N}.uri", "_REQUEST_LINE", "fullmatch", ("GET", "GET ", "GET /", "Usage:", "URI format: GET", "GETx")),
    Case(f"{N}.uri", "_METHOD_ONLY", "fullmatch", ("GET", "Method:", "Method: GE")),
    Case(f"{N}.uri", "_METHOD_LABEL", "fullmatch", ("Method:", "method: get", "Method: ")),
    Case(f"{N}.uri", "_PATH_LABEL", "fullmatch", ("PATH:", "Path: ", "URI:")),
    Case(f"{N}.uri", "_SPACED_PLACEHOLDER", "all", ("{ ", "{a ", "{", "{a")),
    Case(f"{N}.uri", "_SCHEME_HOST", "match", ("http://", "https://a", "http")),
    Case(f"{N}.uri", "_HOST_PLACEHOLDER", "match", ("{", "{a", "{endpoint", "{aendpoint}")),
    Case(f"{N}.operations", "_URI_SECTION", "all", ("URI", "URIs")),
    Case(f"{N}.operations", "_SUMMARY_SECTION", "fullmatch", ("API ", "Function", "Function ")),
    Case(f"{N}.operations", "_DEPRECATED_TITLE", "all", ("deprecat", "discard")),
    Case(f"{N}.operations", "_DEPRECATED_TEXT", "all", ("this ", "this API", "this API is", "the API no longer")),
    Case(f"{N}.operation_status", "_STATUS_SECTION", "all", ("status ", "status code", "returned ", "return ")),
    Case(f"{N}.operation_status", "_STATUS_TABLE_TITLE", "all", ("status ", "returned ", "return code")),
    Case(f"{N}.operation_status", "_STATUS_LABEL", "match", ("Normal", "Normal ", "Returned ", "Status code:")),
    Case(f"{N}.page_roles", "_ERROR_TITLE", "all", ("error ", "error code", "fault")),
    Case(f"{N}.page_roles", "_STATUS_TITLE", "all", ("status ", "returned ", "response ")),
    # the table classifier's header and heading rules (issue 14)
    Case(f"{N}.columns", "_STATUS_ROLE_WORD", "all", ("statu", "return", "respons", "http")),
    Case(f"{N}.columns", "_NO_CODES_SECTION", "all", ("specification", "flavo", "specifications ")),
    Case(f"{N}.columns", "_CODES_SECTION", "all", ("status ", "error ", "returned ", "return valu")),
    # parameters (issue 15): columns and cells, places, nesting
    Case(f"{N}.parameter_columns", "_HEADER_NOISE", "all", ("1", "(")),
    Case(f"{N}.parameter_columns", "_ARRAY_OF", "fullmatch", ("array", "array ", "array of", "list of ")),
    Case(f"{N}.parameter_columns", "_GENERIC", "fullmatch", ("list", "list<", "array <", "list<a")),
    Case(f"{N}.parameter_columns", "_TYPE_WORD", "match", ("a", "_")),
    Case(f"{N}.parameter_columns", "_REQUIRED_WORDS", "all", ("yes", "no", "mandator", "optional")),
    Case(f"{N}.parameter_places", "_PATH", "all", ("path ", "path", "path para")),
    Case(f"{N}.parameter_places", "_QUERY", "all", ("query ", "query", "query str")),
    Case(f"{N}.parameter_places", "_URI", "all", ("URI", "url ", "url")),
    Case(f"{N}.parameter_places", "_RESPONSE_HEADER", "all", ("response ", "response head")),
    Case(f"{N}.parameter_places", "_HEADER", "all", ("header", "headers")),
    Case(f"{N}.parameter_places", "_RESPONSE", "all", ("response", "responses")),
    Case(f"{N}.parameter_places", "_REQUEST", "all", ("request", "requests")),
    Case(f"{N}.parameter_places", "_EXAMPLE", "all", ("example", "examples")),
    Case(f"{N}.parameter_places", "_STATUS_BLOCK", "match", ("status ", "status code", "status code:",
                                                                    "status code 2", "returned ",
                                                                    "returned status ")),
    Case(f"{N}.parameter_places", "_QUERY_EXPANSION", "all", ("{?", "{?a", "{")),
    Case(f"{N}.parameter_places", "_PLACEHOLDER", "all", ("{", "{a", "{?")),
    Case(f"{N}.parameter_nesting", "_LABEL_LINE", "match", (".. ", ".. table::", "Table", "Table 1")),
    Case(f"{N}.parameter_nesting", "_TABLE_REFERENCE", "all", ("Table", "Table ", "Table 1")),
    Case(f"{N}.parameter_nesting", "_TAG", "all", ("<", "<a")),
    Case(f"{N}.parameter_nesting", "_RST_TABLE_REF", "all", (":ref:`Table", ":ref:`Table 1 <", ":ref:`Table 1 <a")),
    Case(f"{N}.parameter_nesting", "_HTML_TABLE_REF", "all", ('<a href="', '<a href="#a"', '<a href="#a">Table 1',
                                                              "<a ")),
    Case(f"{N}.parameter_nesting", "_RST_LABEL", "match", (".. ", ".. _", ".. _a")),
    # OpenAPI per service (issue 15): operationIds from the method and the path
    Case("pipeline.openapi.document", "_NOT_WORD", "all", ("/", "{", "a/", "/{")),
    Case("pipeline.openapi.names", "_UNSAFE", "all", (":", "a", "\\", "\x00")),
    # output: staging folder names next to --out (file names, not page text, but a user's names all the same)
    Case("pipeline.output", "_STAGING_REST", "fullmatch", ("1", "1-", "1-a")),
    Case("pipeline.output", "_OLD_REST", "fullmatch", ("1",)),
)


def worst_inputs(case: Case, size: int) -> Iterator[str]:
    """Long runs of whitespace and of the case's near-matches, about ``size`` characters each."""
    for space in WHITESPACE:
        yield space * size
        for piece in case.near:
            yield piece + space * size + "\x01"  # a near-match, then a run that must not be rescanned
            yield (piece + space) * (size // (len(piece) + 1))
    for piece in case.near:
        yield piece * (size // len(piece))
        yield (piece + "x") * (size // (len(piece) + 1))


def apply(case: Case, pattern: re.Pattern[str] | re.Pattern[bytes], text: str) -> object:
    """Use the pattern on ``text`` the way ``pipeline`` does (see ``Case.mode``)."""
    if case.through is not None:
        return case.through(text)
    subject = case.prepare(text) if case.prepare is not None else text
    if case.mode == "match":
        return pattern.match(subject)
    if case.mode == "fullmatch":
        return pattern.fullmatch(subject)
    return sum(1 for _ in pattern.finditer(subject))


def compiled(case: Case) -> re.Pattern[str] | re.Pattern[bytes]:
    """The case's pattern, as ``pipeline`` defines it."""
    import importlib

    if case.inline is not None:
        return re.compile(case.inline)
    value = getattr(importlib.import_module(case.module), case.name)
    assert isinstance(value, re.Pattern), case.key
    return value

"""Knowledge of HTTP status codes: canonical phrases, categories and the cell shapes vendors use.

The phrases are frozen here (copied from CPython 3.11's ``http.HTTPStatus``, i.e. the IANA
registry) instead of read at run time, because later Pythons renamed some (413 became
``Content Too Large``) and the dataset must not change with the interpreter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.model import Category
from pipeline.text import collapse_whitespace

#: IANA status phrases as in CPython 3.11 ``http.HTTPStatus``.
CANONICAL_REASONS: dict[int, str] = {
    100: 'Continue',
    101: 'Switching Protocols',
    102: 'Processing',
    103: 'Early Hints',
    200: 'OK',
    201: 'Created',
    202: 'Accepted',
    203: 'Non-Authoritative Information',
    204: 'No Content',
    205: 'Reset Content',
    206: 'Partial Content',
    207: 'Multi-Status',
    208: 'Already Reported',
    226: 'IM Used',
    300: 'Multiple Choices',
    301: 'Moved Permanently',
    302: 'Found',
    303: 'See Other',
    304: 'Not Modified',
    305: 'Use Proxy',
    307: 'Temporary Redirect',
    308: 'Permanent Redirect',
    400: 'Bad Request',
    401: 'Unauthorized',
    402: 'Payment Required',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    406: 'Not Acceptable',
    407: 'Proxy Authentication Required',
    408: 'Request Timeout',
    409: 'Conflict',
    410: 'Gone',
    411: 'Length Required',
    412: 'Precondition Failed',
    413: 'Request Entity Too Large',
    414: 'Request-URI Too Long',
    415: 'Unsupported Media Type',
    416: 'Requested Range Not Satisfiable',
    417: 'Expectation Failed',
    418: "I'm a Teapot",
    421: 'Misdirected Request',
    422: 'Unprocessable Entity',
    423: 'Locked',
    424: 'Failed Dependency',
    425: 'Too Early',
    426: 'Upgrade Required',
    428: 'Precondition Required',
    429: 'Too Many Requests',
    431: 'Request Header Fields Too Large',
    451: 'Unavailable For Legal Reasons',
    500: 'Internal Server Error',
    501: 'Not Implemented',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
    505: 'HTTP Version Not Supported',
    506: 'Variant Also Negotiates',
    507: 'Insufficient Storage',
    508: 'Loop Detected',
    510: 'Not Extended',
    511: 'Network Authentication Required',
}

#: The reason of a code the registry does not list and the page gives no phrase for (IANA's word).
UNASSIGNED = "Unassigned"

_CATEGORIES: dict[str, Category] = {
    "1": "informational", "2": "success", "3": "redirection", "4": "client_error", "5": "server_error",
}

#: Non-registry phrases seen in vendor tables (kept verbatim as documented_reason), recognised
#: as reason phrases when deciding what a column holds. Keys: lowercase letters only.
VENDOR_PHRASES = frozenset({
    "nocontent", "requesttimeout", "servertimeout", "overlimit", "movedtemporarily",
    "clientrequestedrangenotsatisfiable", "payloadtoolarge", "uritoolong", "objectnotappendable",
    "toomanyrequests", "contenttoolarge", "unprocessablecontent", "itemnotfound", "badmethod",
})


def category(code: int) -> Category:
    """``404`` gives ``client_error``: the class named by the first digit (RFC 9110 section 15)."""
    return _CATEGORIES[str(code)[0]]


def canonical_reason(code: int, documented: str | None) -> str:
    """The registry phrase for ``code``; for an unregistered code, the page's phrase or ``Unassigned``.

    >>> canonical_reason(500, "internal Server Error")
    'Internal Server Error'
    """
    return CANONICAL_REASONS.get(code) or documented or UNASSIGNED


def is_valid_status(code: int) -> bool:
    """HTTP status codes are three digits, 100 to 599 (``4000`` in an elb table is not one)."""
    return 100 <= code <= 599


_NOT_LETTER = re.compile(r"[^a-z]")


def _phrase_key(text: str) -> str:
    return _NOT_LETTER.sub("", text.lower())


_KNOWN_KEYS = frozenset(_phrase_key(p) for p in CANONICAL_REASONS.values()) | VENDOR_PHRASES


def is_known_phrase(text: str) -> bool:
    """``Method Not  Allowed``, ``NoContent`` and ``Request Time-out`` are all known phrases."""
    return _phrase_key(text) in _KNOWN_KEYS


def looks_like_reason_phrase(text: str) -> bool:
    """A short title-like phrase (``OK``, ``Bad Request``, ``overLimit``), not a sentence.

    >>> looks_like_reason_phrase("Bad Request"), looks_like_reason_phrase("The request failed.")
    (True, False)
    """
    if is_known_phrase(text):
        return True
    words = text.split()
    return (0 < len(words) <= 5 and len(text) <= 48 and text[0].isalpha()
            and not text.endswith((".", ":", ";")) and "," not in text)


@dataclass(frozen=True, slots=True)
class StatusCell:
    """What a status cell holds: codes (with the phrase printed next to a single code), or a class."""

    codes: tuple[int, ...] = ()
    phrase: str | None = None
    code_class: str | None = None


# Only ASCII digits make a status code: ``[0-9]``, never ``\d`` (which also matches ``٤٠٤``
# and ``４０４`` in a str pattern), and never ``int()`` of anything else.
_SINGLE = re.compile(r"^(?P<code>[0-9]{3})(?![0-9.])\s*(?:[-:(\u2013]\s*)?(?P<phrase>[A-Za-z][^()]*?)?\s*\)?\s*$")
_MULTI = re.compile(r"^[0-9]{3}(?:\s*(?:/|,|;|\bor\b|\band\b|&)\s*[0-9]{3})+$")
_CODE = re.compile(r"[0-9]{3}")
_CODE_CLASS = re.compile(r"^[1-5][xX]{2}$")
#: Whitespace ``collapse_whitespace`` removes from the start of a cell, then an ASCII digit.
_STARTS_WITH_DIGIT = re.compile(r"\s*[0-9]")


def parse_status_cell(text: str | None) -> StatusCell | None:
    """Read a status cell; ``None`` when it holds no status code at all.

    ``200`` gives (200,); ``400 Bad Request`` and ``401Unauthorized`` give the code and its
    phrase; ``400/404`` and ``400, 409`` give both codes; ``2xx`` gives the class ``2xx``.
    Only ASCII digits are digits: ``٤٠٤`` (Arabic-Indic) and ``４０４`` (fullwidth) give ``None``.
    """
    if not text or not _STARTS_WITH_DIGIT.match(text):  # every form below starts with a digit
        return None
    value = collapse_whitespace(text)
    single = _SINGLE.match(value)
    if single:
        phrase = single.group("phrase")
        return StatusCell((int(single.group("code")),), collapse_whitespace(phrase) if phrase else None)
    if _MULTI.match(value):
        return StatusCell(tuple(int(c) for c in _CODE.findall(value)))
    if _CODE_CLASS.match(value):
        return StatusCell(code_class=value)
    return None

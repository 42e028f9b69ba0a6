"""Knowledge of HTTP status codes: canonical phrases, categories and the cell shapes vendors use.

The phrases are the IANA HTTP Status Code Registry's (https://www.iana.org/assignments/http-status-codes),
as RFC 9110 (June 2022) left it and its updates since, frozen here rather than read from
``http.HTTPStatus`` at run time: CPython 3.11 still has the RFC 7231 wording (413 ``Request
Entity Too Large``), later versions follow RFC 9110, and the dataset must not change with the
interpreter. Temporary registrations (104 ``Upload Resumption Supported``, registered for a
year from a draft) are left out until an RFC makes them permanent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.datasets.status_wording import WordingVerdict
from pipeline.model import Category
from pipeline.text import collapse_whitespace

#: The IANA registry's description of every permanently registered code (RFC 9110 unless noted).
CANONICAL_REASONS: dict[int, str] = {
    100: 'Continue',
    101: 'Switching Protocols',
    102: 'Processing',  # RFC 2518
    103: 'Early Hints',  # RFC 8297
    200: 'OK',
    201: 'Created',
    202: 'Accepted',
    203: 'Non-Authoritative Information',
    204: 'No Content',
    205: 'Reset Content',
    206: 'Partial Content',
    207: 'Multi-Status',  # RFC 4918
    208: 'Already Reported',  # RFC 5842
    226: 'IM Used',  # RFC 3229
    300: 'Multiple Choices',
    301: 'Moved Permanently',
    302: 'Found',
    303: 'See Other',
    304: 'Not Modified',
    305: 'Use Proxy',
    306: '(Unused)',
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
    413: 'Content Too Large',
    414: 'URI Too Long',
    415: 'Unsupported Media Type',
    416: 'Range Not Satisfiable',
    417: 'Expectation Failed',
    418: '(Unused)',
    421: 'Misdirected Request',
    422: 'Unprocessable Content',
    423: 'Locked',  # RFC 4918
    424: 'Failed Dependency',  # RFC 4918
    425: 'Too Early',  # RFC 8470
    426: 'Upgrade Required',
    428: 'Precondition Required',  # RFC 6585
    429: 'Too Many Requests',  # RFC 6585
    431: 'Request Header Fields Too Large',  # RFC 6585
    451: 'Unavailable For Legal Reasons',  # RFC 7725
    500: 'Internal Server Error',
    501: 'Not Implemented',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
    505: 'HTTP Version Not Supported',
    506: 'Variant Also Negotiates',  # RFC 2295
    507: 'Insufficient Storage',  # RFC 4918
    508: 'Loop Detected',  # RFC 5842
    510: 'Not Extended (OBSOLETED)',  # RFC 2774, moved to Historic in 2022
    511: 'Network Authentication Required',  # RFC 6585
}

#: Phrases the registry or an earlier HTTP RFC gave a code before today's wording: what pages
#: written against RFC 2616 / 7231 (and CPython 3.11's ``http.HTTPStatus``) print.
EARLIER_REASONS: dict[int, tuple[str, ...]] = {
    302: ('Moved Temporarily',),  # RFC 1945
    408: ('Request Time-out',),  # RFC 2616
    413: ('Request Entity Too Large', 'Payload Too Large'),  # RFC 2616, RFC 7231
    414: ('Request-URI Too Long',),  # RFC 2616
    416: ('Requested Range Not Satisfiable',),  # RFC 2616
    418: ("I'm a Teapot", "I'm a teapot"),  # RFC 2324 (an April Fools' RFC; CPython 3.11 names it so)
    422: ('Unprocessable Entity',),  # RFC 4918
    504: ('Gateway Time-out',),  # RFC 2616
    505: ('HTTP Version not supported',),  # RFC 2616
    510: ('Not Extended',),  # RFC 2774
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


#: Every registry phrase, today's and earlier ones (``(Unused)`` is no phrase a page prints).
_REGISTRY_PHRASES = [p for p in CANONICAL_REASONS.values() if not p.startswith("(")] + [
    p for phrases in EARLIER_REASONS.values() for p in phrases]
_KNOWN_KEYS = frozenset(_phrase_key(p) for p in _REGISTRY_PHRASES) | VENDOR_PHRASES


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


def wording_verdict(code: int, wording: str) -> WordingVerdict:
    """How a page's phrase for ``code`` relates to the registry (the ``status_wording`` dataset's ``verdict``).

    >>> [wording_verdict(500, w) for w in ("Internal Server Error", "internal Server Error", "Server Boom")]
    ['registry', 'spelling', 'non_standard']
    >>> wording_verdict(413, "Request Entity Too Large"), wording_verdict(499, "Client Closed")
    ('earlier_registry', 'unregistered_code')
    """
    current = CANONICAL_REASONS.get(code)
    if current is None:
        return "unregistered_code"
    if wording in (current, current.strip("()")):  # 306 "(Unused)": the registry's parentheses are no phrase
        return "registry"
    earlier = EARLIER_REASONS.get(code, ())
    if wording in earlier:
        return "earlier_registry"
    if _phrase_key(wording) in {_phrase_key(p) for p in (current, *earlier)}:
        return "spelling"  # the registry's words, cased, spaced or hyphenated otherwise
    return "non_standard"

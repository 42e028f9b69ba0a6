"""Text cleanup shared by every parser and the normalizer."""

from __future__ import annotations

import re

_WHITESPACE = re.compile(r"\s+")


def collapse_whitespace(text: str) -> str:
    """Collapse runs of whitespace (including NBSP and newlines) to one space and strip.

    Nothing else is removed: a zero-width space (U+200B) or another invisible character is
    not whitespace, and deleting it would make ``VPC.00\u200b02`` pass for ``VPC.0002``
    without a word (the normalizer reports such characters in codes).

    >>> collapse_whitespace("Method Not  Allowed")
    'Method Not Allowed'
    """
    return _WHITESPACE.sub(" ", text.replace("\u00a0", " ")).strip()


def clean_cell(text: str | None) -> str | None:
    """Collapse whitespace; an empty cell or one holding only a dash becomes ``None``.

    >>> clean_cell(" - "), clean_cell("  OK ")
    (None, 'OK')
    """
    if text is None:
        return None
    value = collapse_whitespace(text)
    if value in ("", "-", "--", "\u2013", "\u2014"):
        return None
    return value


def escape_controls(text: str) -> str:
    """``text`` safe to print on a terminal: each character ``repr`` escapes, escaped as ``repr`` does.

    That is every control character (ESC becomes the four characters ``\\x1b``), every
    format character (bidi controls such as U+202E become ``\\u202e``, zero-width ones too),
    whitespace other than the space (``\\t``, ``\\xa0``) and lone surrogates. The build's
    messages quote cells with ``!r``; this is the same rule without the quotes, for text
    that is printed as it is (a page path, a cell in ``pipeline diff``).

    >>> escape_controls("a\\x1b[2Jb\\u202ec\\td")
    'a\\\\x1b[2Jb\\\\u202ec\\\\td'
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def escape_json_controls(text: str) -> str:
    """JSON text safe to print on a terminal: ``escape_controls``'s rule, written as JSON escapes.

    Every character ``escape_controls`` would escape becomes ``\\uXXXX`` (a surrogate pair
    above U+FFFF), so the text is still the same JSON; the newlines that lay the JSON out are
    kept (inside strings a JSON encoder has already escaped them).

    >>> escape_json_controls('{"a": "x\\u202ey"}\\n')
    '{"a": "x\\\\u202ey"}\\n'
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == "\n" else _json_escape(ch) for ch in text)


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"

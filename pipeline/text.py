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

    Default-ignorable characters that ``repr`` leaves as they are (U+034F, a variation
    selector, a Hangul filler) are escaped too: they print as nothing.

    >>> escape_controls("a\\x1b[2Jb\\u202ec\\td\\u034f")
    'a\\\\x1b[2Jb\\\\u202ec\\\\td\\\\u034f'
    """
    if text.isascii() and text.isprintable():
        return text
    return "".join(ch if ch.isprintable() and not is_default_ignorable(ch) else _escaped(ch) for ch in text)


def _escaped(ch: str) -> str:
    if not ch.isprintable():
        return repr(ch)[1:-1]
    return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"


#: Unicode's default-ignorable code points (``Default_Ignorable_Code_Point`` in DerivedCoreProperties.txt,
#: Unicode 15.1): characters rendered as nothing. Some are letters or marks to ``unicodedata`` (U+034F,
#: the Hangul fillers, the variation selectors), so ``str.isprintable`` does not catch them.
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)


def is_default_ignorable(ch: str) -> bool:
    """A character Unicode says to render as nothing (``Default_Ignorable_Code_Point``).

    >>> [is_default_ignorable(c) for c in ("\\u034f", "\\ufe0f", "\\u3164", "\\U000e0041", "\\u200b", "A")]
    [True, True, True, True, True, False]
    """
    code = ord(ch)
    return code >= 0xAD and any(low <= code <= high for low, high in _IGNORABLE_RANGES)


def escape_json_controls(text: str) -> str:
    """JSON text safe to print on a terminal: ``escape_controls``'s rule, written as JSON escapes.

    Every character ``escape_controls`` would escape becomes ``\\uXXXX`` (a surrogate pair
    above U+FFFF), so the text is still the same JSON; the newlines that lay the JSON out are
    kept (inside strings a JSON encoder has already escaped them).

    >>> escape_json_controls('{"a": "x\\u202ey\\u034f"}\\n')
    '{"a": "x\\\\u202ey\\\\u034f"}\\n'
    """
    if text.isascii() and text.isprintable():
        return text
    return "".join(ch if ch == "\n" or (ch.isprintable() and not is_default_ignorable(ch)) else _json_escape(ch)
                   for ch in text)


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"

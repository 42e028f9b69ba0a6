"""Characters that make a code look like another: invisible, bidi, control and look-alike characters.

A code is matched by machines character for character, so ``VPC.0002`` with a zero-width
space inside, or ``٤٠٤`` (Arabic-Indic digits), is not the code a reader sees. Such cells are
never normalised quietly: the record keeps what the page says (an error code verbatim) or
the cell is not read (a status code is made of ASCII digits only), and each is reported as
``suspicious-character``. ``skeleton`` gives the look-alike ASCII form, for classifying a
column only — never for a record's value.
"""

from __future__ import annotations

import unicodedata


def is_suspicious(ch: str) -> bool:
    """A character that does not belong in a code because it hides or imitates another one.

    * every format (Cf) character: zero-width space, ZWJ/ZWNJ, word joiner, BOM, soft
      hyphen and the bidi controls (U+200E/F, U+202A–U+202E, U+2066–U+2069);
    * every other control, private-use, surrogate or unassigned character (categories C*);
    * a non-ASCII decimal digit (Arabic-Indic ``٤``, fullwidth ``４``): ``int()`` and a
      ``str`` regex's ``\\d`` accept them, HTTP does not;
    * a character that Unicode compatibility normalisation (NFKC) changes (fullwidth
      ``Ｖ``, ligature ``ﬁ``, superscript ``²``).

    >>> [is_suspicious(c) for c in ("\\u200b", "\\u0664", "\\uff14", "4", "é")]
    [True, True, True, False, False]
    """
    if unicodedata.category(ch)[0] == "C":
        return True
    if ch.isascii():
        return False
    return unicodedata.category(ch) == "Nd" or unicodedata.normalize("NFKC", ch) != ch


def suspicious_characters(text: str) -> list[str]:
    """The suspicious characters of ``text``, each named once, in order of appearance.

    >>> suspicious_characters("VPC.00\\u200b02")
    ['U+200B ZERO WIDTH SPACE']
    """
    if text.isascii() and text.isprintable():
        return []
    named = (f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}" for ch in text if is_suspicious(ch))
    return list(dict.fromkeys(named))


def skeleton(text: str) -> str:
    """What ``text`` looks like to a reader: look-alikes mapped to ASCII, invisible characters removed.

    For deciding what a column holds only (a column of ``٤٠٤`` cells is a status column
    with unreadable cells, not prose); records never hold a skeleton.

    >>> skeleton("\\u0664\\u0660\\u0664"), skeleton("\\uff36PC.0\\u200b002")
    ('404', 'VPC.0002')
    """
    if text.isascii() and text.isprintable():
        return text
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        if unicodedata.category(ch)[0] == "C":
            continue
        digit = unicodedata.decimal(ch, None)
        out.append(str(digit) if digit is not None else ch)
    return "".join(out)


def describe(text: str, found: list[str]) -> str:
    """``'٤٠٤' holds U+0664 ARABIC-INDIC DIGIT FOUR, ...`` — the cell escaped as a repr, its characters named."""
    return f"{text!r} holds {', '.join(found)}"

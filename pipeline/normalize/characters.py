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

from pipeline.text import is_default_ignorable


def is_suspicious(ch: str) -> bool:
    """A character that does not belong in a code because it hides or imitates another one.

    * every format (Cf) character: zero-width space, ZWJ/ZWNJ, word joiner, BOM, soft
      hyphen and the bidi controls (U+200E/F, U+202A–U+202E, U+2066–U+2069);
    * every other control, private-use, surrogate or unassigned character (categories C*);
    * every other default-ignorable code point (``is_default_ignorable``): the combining
      grapheme joiner U+034F, Hangul fillers (U+115F, U+3164, U+FFA0), variation selectors
      (U+FE00–U+FE0F, U+E0100–U+E01EF), Mongolian selectors, tag characters;
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
    if is_default_ignorable(ch):
        return True
    return unicodedata.category(ch) == "Nd" or unicodedata.normalize("NFKC", ch) != ch


def _named(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}"


def suspicious_characters(text: str) -> list[str]:
    """The suspicious characters of ``text``, each named once, in order of appearance.

    >>> suspicious_characters("VPC.00\\u200b02")
    ['U+200B ZERO WIDTH SPACE']
    """
    if text.isascii() and text.isprintable():
        return []
    return list(dict.fromkeys(_named(ch) for ch in text if is_suspicious(ch)))


def script(ch: str) -> str | None:
    """The script of a letter, as the first word of its Unicode name (``LATIN``, ``CYRILLIC``, ``GREEK``).

    ``unicodedata`` has no Script property; the names of letters start with their script.
    """
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] or None


def mixed_script_letters(text: str) -> list[str]:
    """The letters of ``text`` that are not Latin, when it also holds Latin letters: look-alikes.

    ``VРC.0004`` with a Cyrillic ``Р`` reads as ``VPC.0004`` and is another string; a code is
    written in one script.

    >>> mixed_script_letters("V\u0420C.0004"), mixed_script_letters("VPC.0004")
    (['U+0420 CYRILLIC CAPITAL LETTER ER'], [])
    """
    if text.isascii():
        return []
    scripts = {ch: script(ch) for ch in set(text)}
    if "LATIN" not in scripts.values():
        return []
    return list(dict.fromkeys(_named(ch) for ch in text if scripts[ch] not in (None, "LATIN")))


def code_findings(text: str) -> list[str]:
    """What makes a code cell not the code a reader sees: suspicious characters, then letters of another script.

    >>> code_findings("V\u0420C.0004")
    ['U+0420 CYRILLIC CAPITAL LETTER ER (Cyrillic in a Latin code)']
    """
    found = suspicious_characters(text)
    for named in mixed_script_letters(text):
        if named not in found:
            found.append(f"{named} ({named.split()[1].capitalize()} in a Latin code)")
    return found


def escape_suspicious(text: str) -> str:
    """``text`` as a Python string literal (``repr``), with its suspicious and other-script letters escaped too.

    ``repr`` leaves printable look-alikes and default-ignorable marks as they are (U+034F is
    category Mn, a Cyrillic ``Р`` is a letter): a message must show them, not hide them.

    >>> print(escape_suspicious("4\u034f04"), escape_suspicious("V\u0420C"))
    '4\\u034f04' 'V\\u0420C'
    """
    other_script = set(mixed_script_letters(text))
    out = []
    for ch in repr(text):
        if not ch.isascii() and (is_suspicious(ch) or _named(ch) in other_script):
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return "".join(out)


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
        if unicodedata.category(ch)[0] == "C" or is_default_ignorable(ch):
            continue
        digit = unicodedata.decimal(ch, None)
        out.append(str(digit) if digit is not None else ch)
    return "".join(out)


def describe(text: str, found: list[str]) -> str:
    """``'\\u0664\\u0660\\u0664' holds U+0664 ARABIC-INDIC DIGIT FOUR, ...``: the cell escaped, its characters named."""
    return f"{escape_suspicious(text)} holds {', '.join(found)}"

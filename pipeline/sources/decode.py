"""Decoding a page's bytes to text without inventing characters, and refusing binary data."""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass

from pipeline.errors import UnsupportedInput
from pipeline.model import Issue, Location, SourceFormat
from pipeline.problems import EMPTY_PAGE, ENCODING_GUESSED
from pipeline.sources.read import SourceFile, read_bytes
from pipeline.sources.sniff import sniff_format


@dataclass(frozen=True, slots=True)
class PageText:
    """A page's decoded text with what we learned while decoding it."""

    source: SourceFile
    text: str
    format: SourceFormat
    sha256: str
    encoding: str
    problems: tuple[Issue, ...] = ()


def read_page(source: SourceFile) -> PageText:
    """Read, decode and sniff one page; raise ``UnsupportedInput`` when that is impossible."""
    return decode_page(source, read_bytes(source))


def decode_page(source: SourceFile, data: bytes, sha256: str | None = None) -> PageText:
    """Decode bytes to text and sniff the format (see ``decode`` and ``sniff_format``)."""
    digest = sha256 or hashlib.sha256(data).hexdigest()
    text, encoding, problems = decode(data, source.source_path)
    return PageText(source, text, sniff_format(text, source.source_path), digest, encoding, tuple(problems))


_META_CHARSET = re.compile(rb"""<meta[^<>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode(data: bytes, source_path: str) -> tuple[str, str, list[Issue]]:
    """Decode page bytes without ever inventing U+FFFD.

    Binary data is refused (``is_binary``, and the ``BINARY_SIGNATURES`` of common formats).
    Order: a byte-order mark (UTF-8, UTF-16) wins; then strict UTF-8; then a
    ``<meta charset>`` (read as browsers read it, see ``declared_encoding``) that decodes
    the bytes cleanly, without C1 controls; then cp1252 (the usual encoding of
    Windows-written docs), reported as a guess. Anything else is unreadable.
    """
    if not data.strip():
        raise UnsupportedInput("empty file: nothing to read", source_path, kind=EMPTY_PAGE)
    if data.startswith(BINARY_SIGNATURES):
        raise UnsupportedInput("binary data, not a text page", source_path)
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", source_path), "utf-8-sig", []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", source_path), "utf-16", []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            name = declared_encoding(declared.group(1).decode("ascii"))
            if name is not None:
                try:
                    text = data.decode(name)
                except ValueError:  # UnicodeDecodeError, or another codec error
                    pass
                else:
                    if not _C1_CONTROL.search(text):
                        return _reject_binary(text, source_path), name, []
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise UnsupportedInput(f"invalid UTF-8 (byte {exc.start}) and not cp1252 either", source_path,
                                   line) from exc
        label = f" nor its <meta charset> {declared.group(1).decode('ascii')!r}" if declared else ""
        return _reject_binary(text, source_path), "cp1252", [
            ENCODING_GUESSED.at(Location(source_path, line), f"not valid UTF-8{label}; decoded as cp1252 (declare "
                                "the encoding or save the page as UTF-8)")
        ]
    return _reject_binary(text, source_path), "utf-8", []


#: Labels the WHATWG Encoding Standard (what browsers do) reads as windows-1252: a page that
#: says ``iso-8859-1`` and holds ``\x93quoted\x94`` means curly quotes, not C1 controls.
_WINDOWS_1252_LABELS = frozenset({
    "ascii", "us-ascii", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819",
    "iso-ir-100", "csisolatin1", "windows-1252", "x-cp1252", "cp1252",
})
#: C1 control characters never occur in a real page: text holding them was decoded with the wrong encoding.
_C1_CONTROL = re.compile("[\x80-\x9f]")
_ASCII_PROBE = b"<td>\\u0041 +- &amp; \\x41</td>"


def declared_encoding(label: str) -> str | None:
    """The codec to decode a page with, for the label of its ``<meta charset>``; ``None`` to ignore it.

    Latin-1 and ASCII labels mean windows-1252 (as in browsers). A label naming UTF-8
    (already tried), UTF-16/32, an unknown codec, or a codec that does not read ASCII as
    ASCII (``utf-7``, ``unicode_escape``, ``punycode``: the tag itself was written in
    ASCII, so the page cannot be in those; ``idna`` names domain names, not pages) is ignored.
    """
    name = label.strip().lower()
    if name in _WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        codec = codecs.lookup(name)
        if codec.name in ("utf-8", "idna") or _ASCII_PROBE.decode(codec.name) != _ASCII_PROBE.decode("ascii"):
            return None
    except (LookupError, ValueError):  # ValueError: UnicodeError, or a codec's own complaint
        return None
    return codec.name


def _strict(data: bytes, encoding: str, source_path: str) -> str:
    try:
        return _reject_binary(data.decode(encoding), source_path)
    except UnicodeDecodeError as exc:
        raise UnsupportedInput(f"invalid {encoding} at byte {exc.start} despite its byte-order mark",
                               source_path) from exc


#: Control characters that no text means (tab, newlines, form feed and vertical tab are whitespace).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
#: The start of a page that ``_reject_binary`` looks at.
BINARY_SAMPLE = 65536
#: Control characters make at least this share of a binary file's start (random bytes: 11 %, a
#: UTF-16 page read as UTF-8: 50 %), and far less of a text page with a few NULs or ANSI escapes.
BINARY_CONTROL_SHARE = 0.10
#: How many characters at the start of a page may not hold a NUL: UTF-16 and UTF-32 text
#: without a byte-order mark holds one there, a text page never does.
NUL_FREE_START = 8
#: The first bytes of common binary formats that would decode as cp1252 text: images, archives,
#: PDF, executables, SQLite. Refused whatever their share of control characters.
BINARY_SIGNATURES = (
    b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b",
    b"BZh9", b"\xfd7zXZ\x00", b"7z\xbc\xaf\x27\x1c", b"%PDF-", b"\x7fELF", b"SQLite format 3\x00",
    b"\x00\x00\x01\x00", b"RIFF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"MZ\x90\x00",
)


def _reject_binary(text: str, source_path: str) -> str:
    """The text, unless it is binary data: see ``is_binary``."""
    if is_binary(text):
        raise UnsupportedInput("binary data, not a text page", source_path)
    return text.lstrip("\ufeff")


def is_binary(text: str) -> bool:
    """Whether decoded ``text`` is binary data rather than a text page that holds a few control characters.

    Binary: a NUL in its first ``NUL_FREE_START`` characters (UTF-16/32 without a byte-order
    mark), or control characters making ``BINARY_CONTROL_SHARE`` of its first 64 KiB (a PNG,
    an executable). A text page with nine NULs or five ANSI colour sequences in one cell is
    not binary: the parsers drop the row holding a NUL (``pipeline.parsers.nul``) and report
    one holding another control character (``pipeline.parsers.controls``). Known binary
    signatures are refused on the bytes, before decoding (``decode``).
    """
    if "\x00" in text[:NUL_FREE_START]:
        return True
    sample = min(len(text), BINARY_SAMPLE)
    return len(_CONTROL.findall(text, 0, BINARY_SAMPLE)) >= BINARY_CONTROL_SHARE * sample

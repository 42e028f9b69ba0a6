"""Finding pages under the input root, reading them safely, decoding and sniffing their format."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import UnsupportedInput
from pipeline.model import Issue, Location, SourceFormat
from pipeline.problems import (
    ENCODING_GUESSED,
    NOT_A_FILE,
    OUTSIDE_SERVICE_FOLDER,
    SYMLINK_SKIPPED,
    UNREADABLE_DIRECTORY,
    UNUSABLE_FILE_NAME,
)

#: The default limit on a page's size (``pipeline build --max-page-bytes``).
MAX_PAGE_BYTES = 256 * 1024 * 1024
#: How much of a page is read at a time once its announced size is exhausted.
READ_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A page file found under the input root (not yet read)."""

    service: str
    source_path: str  # relative to the input root, POSIX separators
    path: Path
    max_bytes: int = MAX_PAGE_BYTES  # read at most this much of it (``--max-page-bytes``)


@dataclass(frozen=True, slots=True)
class PageText:
    """A page's decoded text with what we learned while decoding it."""

    source: SourceFile
    text: str
    format: SourceFormat
    sha256: str
    encoding: str
    problems: tuple[Issue, ...] = ()


def discover(root: Path, max_page_bytes: int = MAX_PAGE_BYTES) -> tuple[list[SourceFile], list[Issue]]:
    """List every page file under ``root/<service>/`` in a stable order (each to be read up to ``max_page_bytes``).

    Symbolic links are never followed (a link may point outside the root); they are
    reported, as are files lying directly in the root, outside any service folder, and
    names that cannot be written into the dataset (see ``unusable_name``). The walk keeps
    its own stack, so no nesting depth can exhaust Python's recursion limit.
    """
    files: list[SourceFile] = []
    issues: list[Issue] = []
    stack: list[tuple[Iterator[os.DirEntry[str]], tuple[str, ...]]] = []

    def enter(directory: Path, rel: tuple[str, ...]) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            where = "/".join(rel) or "."
            issues.append(UNREADABLE_DIRECTORY.at(Location(where), f"cannot list directory: {exc.strerror}"))
            return
        stack.append((iter(entries), rel))

    enter(root, ())
    while stack:
        entries, rel = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        parts = (*rel, entry.name)
        source_path = "/".join(parts)
        escaped = unusable_name(entry.name)
        if escaped is not None:
            issues.append(UNUSABLE_FILE_NAME.at(Location("/".join((*rel, escaped))),
                                                "name holds control characters or bytes that are not UTF-8; skipped "
                                                "(rename it)"))
        elif entry.is_symlink():
            issues.append(SYMLINK_SKIPPED.at(Location(source_path),
                                             "symbolic link not followed (it may point outside the input root)"))
        elif entry.is_dir(follow_symlinks=False):
            enter(Path(entry.path), parts)
        elif entry.is_file(follow_symlinks=False):
            if len(parts) < 2:
                issues.append(OUTSIDE_SERVICE_FOLDER.at(
                    Location(source_path), "file lies directly in the input root; pages belong in <service>/ folders"))
                continue
            files.append(SourceFile(parts[0], source_path, Path(entry.path), max_page_bytes))
        else:
            issues.append(NOT_A_FILE.at(Location(source_path), "not a regular file; skipped"))
    return files, issues


def unusable_name(name: str) -> str | None:
    """``None`` for a file name that can go into the dataset; else an escaped form to report it by.

    A name whose bytes are not UTF-8 (Python gives them as lone surrogates) cannot be
    written to JSON, CSV or Parquet, and a control character (a newline) would break the
    ``path:line: message`` lines. Spaces and non-ASCII letters are fine.
    """
    if name.isprintable() or not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        return None
    return repr(name.encode("utf-8", "surrogateescape"))[2:-1]


#: Flags opening a page: never follow a symbolic link, never wait on a FIFO or device (where the platform has them).
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
               | getattr(os, "O_BINARY", 0))
_FILE_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))


def read_bytes(source: SourceFile) -> bytes:
    """A page's bytes, at most ``source.max_bytes``; ``UnsupportedInput`` when unreadable, special or too big.

    The name was a regular file when listed, but anything may be bound over it since: the
    open never blocks (a FIFO with no writer) nor follows a link, and the opened descriptor,
    not the name, must be a regular file. A file growing while read stops at the limit.
    """
    limit = source.max_bytes
    try:
        fd = os.open(source.path, _OPEN_FLAGS)
    except OSError as exc:
        raise UnsupportedInput(f"cannot read file: {exc.strerror}", source.source_path) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _FILE_KINDS if test(info.st_mode)), "a special file")
            raise UnsupportedInput(f"not a regular file ({kind}); not read", source.source_path)
        if info.st_size > limit:
            raise UnsupportedInput(f"page is {info.st_size} bytes, over the {limit}-byte limit (--max-page-bytes)",
                                   source.source_path)
        chunks: list[bytes] = []
        left = limit + 1  # one byte more than allowed tells a file that grew past the limit
        want = info.st_size + 1
        while left > 0:
            chunk = os.read(fd, min(left, want))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
            want = READ_CHUNK
        if left <= 0:
            raise UnsupportedInput(f"page grew over the {limit}-byte limit (--max-page-bytes) while read",
                                   source.source_path)
        return b"".join(chunks)
    except OSError as exc:
        raise UnsupportedInput(f"cannot read file: {exc.strerror}", source.source_path) from exc
    finally:
        os.close(fd)


def decode_page(source: SourceFile, data: bytes, sha256: str | None = None) -> PageText:
    """Decode bytes to text and sniff the format (see ``decode`` and ``sniff_format``)."""
    digest = sha256 or hashlib.sha256(data).hexdigest()
    text, encoding, problems = decode(data, source.source_path)
    return PageText(source, text, sniff_format(text, source.source_path), digest, encoding, tuple(problems))


_META_CHARSET = re.compile(rb"""<meta[^<>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode(data: bytes, source_path: str) -> tuple[str, str, list[Issue]]:
    """Decode page bytes without ever inventing U+FFFD.

    Order: a byte-order mark (UTF-8, UTF-16) wins; then strict UTF-8; then a
    ``<meta charset>`` (read as browsers read it, see ``declared_encoding``) that decodes
    the bytes cleanly, without C1 controls; then cp1252 (the usual encoding of
    Windows-written docs), reported as a guess. Anything else is unreadable.
    """
    if not data.strip():
        raise UnsupportedInput("empty file", source_path)
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


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
#: The start of a page that ``_reject_binary`` looks at.
BINARY_SAMPLE = 65536


def _reject_binary(text: str, source_path: str) -> str:
    """The text, unless it is binary data: more than 8 control characters in its first 64 KiB,
    or NUL characters making more than 1/64 of it (a PNG, a UTF-16 page without its byte-order mark).

    A stray NUL in one cell of a text page is not binary: the parsers drop the row holding
    it (see ``pipeline.parsers.nul``).
    """
    controls = len(_CONTROL.findall(text, 0, BINARY_SAMPLE))
    if controls > 8 or 64 * text.count("\x00", 0, BINARY_SAMPLE) > min(len(text), BINARY_SAMPLE):
        raise UnsupportedInput("binary data, not a text page", source_path)
    return text.lstrip("\ufeff")


_HTML_MARKUP = re.compile(r"<(?:table|html|body|div|p|h[1-6]|a|ul|ol|span|!doctype)\b", re.IGNORECASE)
#: Directives, ``:original_name:``, labels, title underlines, or a simple table border (``===  ===``).
_RST_MARKUP = re.compile(r"^(?::original_name:|\.\. [A-Za-z_-]+::|\.\. _[^:\n]+:|[=\-~^\"'`#*+]{4,}\s*$"
                         r"|=+(?: +=+)+ *$)", re.MULTILINE)


def sniff_format(text: str, source_path: str) -> SourceFormat:
    """Tell HTML from reStructuredText by content, never by file name.

    Our HTML pages are either full exports (``<a name=..>``, ``<h1 class="topictitle1">``)
    or a markdown heading line followed by raw ``<table>`` markup saved as ``.md``; RST
    pages have directives, ``:original_name:`` and title underlines.
    """
    head = text.lstrip()
    starts_html = head.startswith("<") or (head.startswith("# ") and "<table" in text.lower())
    if starts_html:
        return "html"
    if _RST_MARKUP.search(text):
        return "rst"
    if _HTML_MARKUP.search(text):
        return "html"
    raise UnsupportedInput("neither HTML nor reStructuredText: no tables, markup or directives found", source_path, 1)


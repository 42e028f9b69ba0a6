"""The input side of a build: finding pages under the roots, reading them safely, decoding and sniffing them.

One module per job: ``discover`` (walk the roots, decide each entry), ``kinds`` (what a name
is), ``selection`` (``--include`` / ``--exclude``, aliases), ``roots`` (several roots at
once), ``config`` (``pipeline.toml``), ``read`` (bounded, non-blocking reads), ``decode``
(bytes to text) and ``sniff`` (HTML or RST). The names below are the package's interface.
"""

from __future__ import annotations

from pipeline.sources.census import describe_census
from pipeline.sources.config import CONFIG_NAME, Config, Inputs, load_config, resolve_inputs
from pipeline.sources.decode import BINARY_SAMPLE, PageText, declared_encoding, decode, decode_page, read_page
from pipeline.sources.discover import ENTRY_RULES, Discovery, discover
from pipeline.sources.kinds import DOCUMENT_SUFFIXES, file_kind, is_documentation, unusable_name
from pipeline.sources.read import MAX_PAGE_BYTES, READ_CHUNK, SourceFile, read_bytes
from pipeline.sources.selection import Selection, make_selection
from pipeline.sources.sniff import sniff_format

__all__ = [
    "BINARY_SAMPLE", "CONFIG_NAME", "DOCUMENT_SUFFIXES", "ENTRY_RULES", "MAX_PAGE_BYTES", "READ_CHUNK", "Config",
    "Discovery", "Inputs", "PageText", "Selection", "SourceFile", "declared_encoding", "decode", "decode_page",
    "describe_census", "discover", "file_kind", "is_documentation", "load_config", "make_selection", "read_bytes",
    "read_page", "resolve_inputs", "sniff_format", "unusable_name",
]

"""The one shape of every exporter: an ``Encoder`` writes one dataset file to a sink, fed records in chunks.

``encode`` (each format's pure ``records -> bytes`` export) feeds an encoder all the records at
once; the dataset writer (``pipeline.output``) feeds it page by page. Both run the same code,
so a streamed file is byte for byte the exported one.

A ``TextEncoder`` (JSON, CSV, JSON Lines) is more: its file is a head, then one *part* per chunk,
then a tail, and a chunk's part does not depend on the chunks before it. So a page's parts can be
encoded once, where the page is parsed, kept in the page store, and written again as they are
(``write_part``) by every later build that finds the page unchanged.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import BinaryIO

from pipeline.datasets import DatasetRecord, Resource


class Encoder:
    """Writes one file of ``resource`` to ``sink``: ``write`` each chunk of records in order, then ``close``.

    ``close`` finishes the file but leaves the sink open (the caller owns it).
    """

    #: CSV cells neutralised by ``--csv-safe`` (only the safe CSV encoder counts any).
    neutralised: int = 0

    def __init__(self, resource: Resource, sink: BinaryIO) -> None:
        self.resource = resource
        self.sink = sink

    def write(self, records: Sequence[DatasetRecord]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class TextEncoder(Encoder):
    """An encoder whose file is the concatenation of its chunks' parts, framed (see the module docstring)."""

    def part(self, records: Sequence[DatasetRecord]) -> bytes:
        """The bytes ``records`` (a chunk, not empty) add to the file, wherever the chunk falls in it.
        (``--csv-safe``'s encoder counts the cells it neutralises in ``neutralised``.)"""
        raise NotImplementedError

    def write_part(self, part: bytes, count: int) -> None:
        """Write a chunk of ``count`` records (not zero) given as its ``part``."""
        raise NotImplementedError

    def write(self, records: Sequence[DatasetRecord]) -> None:
        if records:
            self.write_part(self.part(records), len(records))


#: What makes an encoder: ``(resource, sink) -> Encoder`` (an ``Encoder`` class, or a ``partial`` of one).
EncoderFactory = Callable[[Resource, BinaryIO], Encoder]


def encode(factory: EncoderFactory, resource: Resource, records: Sequence[DatasetRecord]) -> bytes:
    """The whole file of ``records``, in memory: the pure export of a format."""
    sink = io.BytesIO()
    encoder = factory(resource, sink)
    encoder.write(records)
    encoder.close()
    return sink.getvalue()

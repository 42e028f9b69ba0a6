"""The one shape of every exporter: an ``Encoder`` writes one dataset file to a sink, fed records in chunks.

``encode`` (each format's pure ``records -> bytes`` export) feeds an encoder all the records at
once; the dataset writer (``pipeline.output``) feeds it page by page. Both run the same code,
so a streamed file is byte for byte the exported one.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import BinaryIO

from pipeline.datasets import Record, Resource


class Encoder:
    """Writes one file of ``resource`` to ``sink``: ``write`` each chunk of records in order, then ``close``.

    ``close`` finishes the file but leaves the sink open (the caller owns it).
    """

    #: CSV cells neutralised by ``--csv-safe`` (only the safe CSV encoder counts any).
    neutralised: int = 0

    def __init__(self, resource: Resource, sink: BinaryIO) -> None:
        self.resource = resource
        self.sink = sink

    def write(self, records: Sequence[Record]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


#: What makes an encoder: ``(resource, sink) -> Encoder`` (an ``Encoder`` class, or a ``partial`` of one).
EncoderFactory = Callable[[Resource, BinaryIO], Encoder]


def encode(factory: EncoderFactory, resource: Resource, records: Sequence[Record]) -> bytes:
    """The whole file of ``records``, in memory: the pure export of a format."""
    sink = io.BytesIO()
    encoder = factory(resource, sink)
    encoder.write(records)
    encoder.close()
    return sink.getvalue()

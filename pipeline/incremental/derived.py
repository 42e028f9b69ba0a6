"""The derived datasets' partitions, made once and kept in the page store for the next build.

A partition of a derived dataset (``Derivation.partition``: the error catalog of one service
family) is made from its source records only, so its parts are stored under the hash of those
records (the JSON Lines lines of its pages), with the code's fingerprint: a rebuild takes the
parts of every partition whose records did not change, and derives the rest.
"""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.datasets import Resource, resource_named
from pipeline.exporters.whole import Partitions, Scratch
from pipeline.incremental.encoded import EncodedPage, Parts, encode_parts
from pipeline.incremental.store import PART, PageStore, decode_entry, encode_entry


def derived_parts(resource: Resource, scratch: Scratch,
                  store: PageStore | None) -> Iterator[tuple[Parts, str]]:
    """The parts of the derived dataset ``resource``, partition by partition in order, each with the
    partition's name (from ``store`` where an earlier build made them of the same source records)."""
    derivation = resource.derive
    assert derivation is not None, f"{resource.name} is not a derived dataset"
    source = resource_named(derivation.source)
    partitions = scratch.partitions.get(resource.name, Partitions())
    for partition in sorted(partitions.ranges):
        name, digest = f"{resource.name}/{partition}", partitions.hashes[partition].hexdigest()
        entry = store.read(name, digest, PART) if store is not None else None
        kept = decode_entry(entry, name, digest) if entry is not None else None
        if kept is not None:
            yield kept.parts_of(resource), name
            continue
        records = scratch.records_in(source, partitions.ranges[partition])
        parts = encode_parts(resource, list(derivation.rows(sorted(records, key=derivation.order))))
        if store is not None:
            store.put(encode_entry(EncodedPage(name, digest, (), (), {resource.name: parts})), name, digest, PART)
        yield parts, name

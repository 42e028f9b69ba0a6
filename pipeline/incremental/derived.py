"""The derived datasets' partitions, made once and kept in the page store for the next build.

A partition of a derived dataset (``Derivation.partition``: the error catalog of one service
family) is made from its source records only, so its parts are stored under the hash of the keys
of its pages' segments (each the hash of the page's JSON Lines lines, with the code's
fingerprint): a rebuild takes the parts of every partition whose records did not change, and
derives the rest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

from pipeline.datasets import Derivation, Resource, resource_named
from pipeline.exporters.whole import Scratch
from pipeline.incremental.encoded import EncodedPage, Parts, encode_parts
from pipeline.incremental.row_cache import Segment
from pipeline.incremental.store import PART, PageStore, decode_entry, encode_entry


def partitions(derivation: Derivation, segments: Sequence[Segment]) -> dict[str, list[Segment]]:
    """The source's segments by partition (a page's partition is its service folder's, the first part of its
    path; without ``Derivation.partition``, one partition), each in dataset order."""
    found: dict[str, list[Segment]] = {}
    for segment in segments:
        service = segment.name.split("/", 1)[0]
        found.setdefault(derivation.partition(service) if derivation.partition is not None else "", []).append(segment)
    return found


def derived_parts(resource: Resource, scratch: Scratch,
                  store: PageStore | None) -> Iterator[tuple[Parts, str]]:
    """The parts of the derived dataset ``resource``, partition by partition in order, each with the
    partition's name (from ``store`` where an earlier build made them of the same source records)."""
    derivation = resource.derive
    assert derivation is not None, f"{resource.name} is not a derived dataset"
    source = resource_named(derivation.source)
    grouped = partitions(derivation, scratch.segments[source.name])
    for partition in sorted(grouped):
        segments = grouped[partition]
        name = f"{resource.name}/{partition}"
        digest = hashlib.sha256("".join(segment.key for segment in segments).encode()).hexdigest()
        entry = store.read(name, digest, PART) if store is not None else None
        kept = decode_entry(entry, name, digest) if entry is not None else None
        if kept is not None:
            yield kept.parts_of(resource), name
            continue
        records = scratch.records_in(source, segments)
        parts = encode_parts(resource, list(derivation.rows(sorted(records, key=derivation.order))))
        if store is not None:
            store.put(encode_entry(EncodedPage(name, digest, (), (), {resource.name: parts})), name, digest, PART)
        yield parts, name

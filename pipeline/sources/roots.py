"""Several input roots at once: each folder given once, none inside another, no source path given twice."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.errors import UsageError
from pipeline.sources.read import SourceFile


def check_roots(roots: Sequence[Path]) -> None:
    """``UsageError`` when two roots are one folder, or one lies inside another (its pages would be read twice)."""
    seen: list[tuple[Path, Path]] = []
    for root in roots:
        real = root.resolve()
        for other, other_real in seen:
            if real == other_real:
                raise UsageError(f"the same folder as {other}, given twice; give each root once", str(root))
            if other_real in real.parents or real in other_real.parents:
                inner, outer = (root, other) if other_real in real.parents else (other, root)
                raise UsageError(f"{inner} lies inside {outer}, another root: its pages would be read twice; "
                                 "give only one of them (and --exclude what you do not want)")
        seen.append((root, real))


def check_unique(sources: Sequence[SourceFile]) -> None:
    """``UsageError`` naming both files when two pages would have the same source path.

    Two roots holding the same service folder with the same page, or two folders aliased to
    one service with a page of the same name: the dataset, its cache and its diff tell pages
    by source path, so neither can be chosen silently.
    """
    first: dict[str, SourceFile] = {}
    clashes: list[tuple[SourceFile, SourceFile]] = []
    for source in sources:
        known = first.setdefault(source.source_path, source)
        if known is not source:
            clashes.append((known, source))
    if not clashes:
        return
    one, two = clashes[0]
    more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
    raise UsageError(f"two files give the same source path {one.source_path}: {one.path} and {two.path}{more}; "
                     "leave one out (--exclude) or give its service another alias")

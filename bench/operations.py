"""Operation coverage and speed on whole documentation trees (issue 14): not a test, a measurement.

``.venv/bin/python bench/operations.py [--tree DIR ...]`` reads every documentation page of each
tree (default: ``../shared/corpus/trees/rst`` and ``../shared/corpus/trees/md/doc/source``) and
prints, per tree:

* the silver count of operation pages, as ``../shared/tools/tree_check.py`` defines it (a line
  ``METHOD /path`` or ``METHOD https://...`` and the word ``URI`` on the page);
* how many of those pages the extractor finds at least one operation on (the target is 99 %),
  and the pages it finds operations on that the silver test does not count;
* each silver page without an operation (to be explained), and the count of operations per URI rule;
* the time per page of ``outline`` + ``operations`` (median and total), the page already decoded.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.normalize.operations import operations  # noqa: E402
from pipeline.outline import outline  # noqa: E402

#: As in tree_check.py: the files it looks at, its request-line pattern, its URI test.
DOC_EXT = {".rst", ".md", ".html", ".htm", ".txt"}
OPLINE = re.compile(r"^\s*(?:[-*]\s+)?(?:<[^>]+>)*\s*(GET|POST|PUT|DELETE|PATCH|HEAD)\s+(/\S*|https?://\S+)", re.M)
URI = re.compile(r"^(URI|## URI|URI format)|>URI<|\bURI\b", re.M)
FORMATS = {".rst": "rst", ".md": "html", ".html": "html", ".htm": "html"}


def measure(tree: Path) -> None:
    silver: set[str] = set()
    found: set[str] = set()
    rules: Counter[str] = Counter()
    times: list[float] = []
    count = 0
    for path in sorted(p for p in tree.rglob("*") if p.is_file() and p.suffix.lower() in DOC_EXT):
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(tree).as_posix()
        if OPLINE.search(text) and URI.search(text):
            silver.add(rel)
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            continue
        count += 1
        start = time.perf_counter()
        ops = operations(outline(text, fmt))
        times.append(time.perf_counter() - start)
        if ops:
            found.add(rel)
            rules.update(op.rule for op in ops)
    hit = len(silver & found)
    share = 100 * hit / len(silver) if silver else 100.0
    print(f"tree {tree}: {count} pages read; silver operation pages {len(silver)}; extractor finds operations on "
          f"{len(found)} pages, {hit} of the silver ones ({share:.2f} %); {sum(rules.values())} operations "
          f"({', '.join(f'{r} {n}' for r, n in rules.most_common())})")
    for rel in sorted(silver - found):
        print(f"   silver page without an operation: {rel}")
    for rel in sorted(found - silver):
        print(f"   operations on a page the silver test does not count: {rel}")
    print(f"   outline+operations per page: median {1000 * statistics.median(times):.2f} ms, "
          f"mean {1000 * statistics.mean(times):.2f} ms, max {1000 * max(times):.1f} ms, "
          f"total {sum(times):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", type=Path, help="a documentation tree (repeatable)")
    args = parser.parse_args()
    shared = ROOT.parent / "shared" / "corpus" / "trees"
    for tree in args.tree or [shared / "rst", shared / "md" / "doc" / "source"]:
        measure(tree)


if __name__ == "__main__":
    main()

"""Parameter coverage and speed on whole documentation trees (issue 15): not a test, a measurement.

``.venv/bin/python bench/parameters.py [--tree DIR ...] [--show N]`` reads every operation page of
each tree (default: ``../shared/corpus/trees/rst`` and ``../shared/corpus/trees/md/doc/source``)
and prints, per tree:

* parameter rows seen, read (gave at least one parameter) and skipped, the share read (the
  target is 95 %), and the records emitted, by ``in``;
* the operation sections by status (ok, partial, failed, missing), per section;
* the skip reasons and issue kinds, most frequent first (the failure classes), with ``--show``
  examples of each;
* the time per operation page of ``parameters_of_page`` (outline, operations and parsing excluded).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.errors import UnsupportedInput  # noqa: E402
from pipeline.normalize.operations import operations  # noqa: E402
from pipeline.normalize.parameters import parameters_of_page  # noqa: E402
from pipeline.outline import outline  # noqa: E402
from pipeline.parsers import parse_page  # noqa: E402
from pipeline.sources import SourceFile, read_page  # noqa: E402

FORMATS = {".rst", ".md", ".html", ".htm"}
_DIGITS = re.compile(r"\d+")


def measure(tree: Path, show: int) -> None:
    rows = read = skipped = 0
    by_in: Counter[str] = Counter()
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    reasons: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    issues: Counter[str] = Counter()
    times: list[float] = []
    pages = 0
    for path in sorted(p for p in tree.rglob("*") if p.is_file() and p.suffix.lower() in FORMATS):
        rel = path.relative_to(tree).as_posix()
        try:
            text = read_page(SourceFile(rel.split("/", 1)[0], rel, path))
        except UnsupportedInput:  # a page we cannot read has no parameters to count
            continue
        page_outline = outline(text.text, text.format)
        ops = operations(page_outline)
        if not ops:
            continue
        page = parse_page(text)
        pages += 1
        start = time.perf_counter()
        result = parameters_of_page(page, text.text, page_outline, ops)
        times.append(time.perf_counter() - start)
        by_in.update(getattr(r, "in") for r in result.records)
        issues.update(i.slug for i in result.issues)
        for section in result.sections:
            statuses[section.section][section.status] += 1
            rows += section.rows
            read += section.rows_read
            skipped += section.rows_skipped
            for reason in section.reasons:
                if "skipped" in reason:
                    key = _DIGITS.sub("N", reason.split(": ", 1)[1].split(": ", 1)[-1])[:110]
                    reasons[key] += int(reason.split(" ", 1)[0])
                    if len(examples[key]) < show:
                        examples[key].append(f"{rel}: {reason[:160]}")
    share = 100 * read / rows if rows else 100.0
    print(f"tree {tree}: {pages} operation pages; parameter rows (per operation and section) seen {rows}, read "
          f"{read} ({share:.2f} %), skipped {skipped}; reconciled: {rows == read + skipped}")
    print(f"   records by in: {', '.join(f'{k} {n}' for k, n in by_in.most_common())} (total {sum(by_in.values())})")
    for name, counts in statuses.items():
        print(f"   section {name}: {', '.join(f'{k} {n}' for k, n in counts.most_common())}")
    print(f"   issues: {', '.join(f'{k} {n}' for k, n in issues.most_common())}")
    for key, count in reasons.most_common(15):
        print(f"   {count:6d} rows skipped: {key}")
        for example in examples[key]:
            print(f"            {example}")
    if times:
        print(f"   parameters_of_page per operation page: median {1000 * statistics.median(times):.2f} ms, "
              f"mean {1000 * statistics.mean(times):.2f} ms, max {1000 * max(times):.1f} ms, "
              f"total {sum(times):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tree", action="append", type=Path, help="a documentation tree (repeatable)")
    parser.add_argument("--show", type=int, default=0, help="examples per skip reason")
    args = parser.parse_args()
    shared = ROOT.parent / "shared" / "corpus" / "trees"
    for tree in args.tree or [shared / "rst", shared / "md" / "doc" / "source"]:
        measure(tree, args.show)


if __name__ == "__main__":
    main()

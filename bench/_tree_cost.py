"""What the parameters cost a whole-tree build (issue 15): the comparison ``run.py`` prints, and its profile.

Issue 15 asks that the whole-tree build with parameters keep its throughput within 25 % of the
operations-only build. No revision of the code is that build: operations and parameters were
wired into the build by the same commit (88b1419; before it the build read neither), so an A/B
against a git revision would compare everything that commit and the later ones changed. The
operations-only build is therefore today's code with the parameter stage switched off in the
measured process (``_measure.py cli-no-parameters``: ``parameters_of_page`` returns nothing).
What it leaves out is exactly the parameter stage and what follows from its records: the
``parameters`` and ``operation_sections`` files in every format and their SQLite tables, and
the parameters in the OpenAPI documents (which it still writes, with operations and status codes
only). One thing goes the other way:
the parameter tables it no longer reads are reported as tables not extracted, so that build
writes more issues (shown in the table).

The ratio is with-parameters throughput / operations-only throughput (= operations-only seconds
/ with-parameters seconds, same files): 0.80 means the parameters cost 20 % of the throughput;
the target is >= 0.75. Each build is run ``--repeat`` times, alternating the two; the figures are
the best of the runs (wall and CPU each minimised on their own: other processes only ever add
time). On a busy machine (a NOISY run involved) the verdict goes by CPU seconds.
"""

from __future__ import annotations

import pstats
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

MB = 1024 * 1024
#: The issue's bound: throughput with parameters >= this share of the operations-only throughput.
TARGET = 0.75
#: The two builds of a whole tree: label suffix and ``_measure.py`` kind.
WITH, WITHOUT = "", ", operations only"
BUILDS = ((WITH, "cli"), (WITHOUT, "cli-no-parameters"))
#: Counts of the build's manifest shown beside each build.
COUNTED = ("operations", "parameters", "operation_sections", "issues")


class Run(Protocol):
    """What the comparison reads of a measured build (``run.Result``)."""

    name: str
    pages: int
    bytes: int
    seconds: float | None
    cpu_seconds: float | None
    others_cores: float | None
    note: str
    detail: dict[str, Any]

    @property
    def ok(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Best:
    """The best of one build's runs."""

    files: int
    nbytes: int
    wall: float
    cpu: float
    runs: int
    noisy: bool  # a run behind ``wall`` or ``cpu`` was NOISY
    counts: Mapping[str, int]


def best(result: Run, noisy_cores: float) -> Best | None:
    """The least wall and the least CPU seconds of ``result``'s runs (``detail["runs"]``), or ``None``."""
    if not result.ok:
        return None
    runs = result.detail.get("runs") or [{"seconds": result.seconds, "cpu_seconds": result.cpu_seconds,
                                          "others_cores": result.others_cores}]
    fastest = min(runs, key=lambda r: r["seconds"])
    thriftiest = min(runs, key=lambda r: r["cpu_seconds"])
    noisy = any((r.get("others_cores") or 0.0) > noisy_cores for r in (fastest, thriftiest))
    return Best(result.pages, result.bytes, fastest["seconds"], thriftiest["cpu_seconds"], len(runs), noisy,
                result.detail.get("counts") or {})


def total(parts: Sequence[Best]) -> Best:
    """Several trees as one build: files, bytes and seconds added."""
    counts = {k: sum(p.counts.get(k, 0) for p in parts) for k in COUNTED}
    return Best(sum(p.files for p in parts), sum(p.nbytes for p in parts), sum(p.wall for p in parts),
                sum(p.cpu for p in parts), min(p.runs for p in parts), any(p.noisy for p in parts), counts)


@dataclass(frozen=True, slots=True)
class Comparison:
    """One tree (or all of them): the two builds and the throughput ratios."""

    tree: str
    with_parameters: Best
    operations_only: Best

    @property
    def by_wall(self) -> float:
        return self.operations_only.wall / self.with_parameters.wall

    @property
    def by_cpu(self) -> float:
        return self.operations_only.cpu / self.with_parameters.cpu

    @property
    def noisy(self) -> bool:
        return self.with_parameters.noisy or self.operations_only.noisy

    @property
    def verdict_on(self) -> str:
        return "CPU" if self.noisy else "wall"

    @property
    def met(self) -> bool:
        return (self.by_cpu if self.noisy else self.by_wall) >= TARGET


def comparisons(results: Mapping[str, Run], trees: Sequence[str], noisy_cores: float) -> list[Comparison]:
    """Per tree whose two builds both ran, then all those trees together (``both``)."""
    out = []
    for tree in trees:
        pair = [results.get(f"ours: whole tree {tree}{suffix}") for suffix, _kind in BUILDS]
        bests = [best(r, noisy_cores) if r is not None else None for r in pair]
        if bests[0] is not None and bests[1] is not None:
            out.append(Comparison(tree, bests[0], bests[1]))
    if len(out) > 1:
        out.append(Comparison("both", total([c.with_parameters for c in out]),
                              total([c.operations_only for c in out])))
    return out


def grid(rows: list[tuple[str, ...]], right: set[int]) -> str:
    """Rows as a fixed-width text table: the first row a header ruled off below, ``right`` columns right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append(" | ".join(cells).rstrip())
        if n == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def comparison_table(items: Sequence[Comparison]) -> str:
    """The builds (best of N) with their records, then the ratios and verdicts."""
    rows: list[tuple[str, ...]] = [("tree", "build", "files", "MB", "wall s", "CPU s", "files/s", "MB/s",
                                    *COUNTED, "runs")]
    for item in items:
        for label, b in (("with parameters", item.with_parameters), ("operations only", item.operations_only)):
            rows.append((item.tree, label, f"{b.files:,}", f"{b.nbytes / MB:.1f}", f"{b.wall:.2f}", f"{b.cpu:.2f}",
                         f"{b.files / b.wall:.0f}", f"{b.nbytes / MB / b.wall:.2f}",
                         *(f"{b.counts[k]:,}" if k in b.counts else "-" for k in COUNTED),
                         f"{b.runs}{' NOISY' if b.noisy else ''}"))
    builds = grid(rows, {2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
    head = ("tree", "ratio by wall", "ratio by CPU", f"target >= {TARGET:.2f}", "verdict on")
    ratio_rows: list[tuple[str, ...]] = [head]
    for item in items:
        ratio_rows.append((item.tree, f"{item.by_wall:.2f}", f"{item.by_cpu:.2f}", "PASS" if item.met else "MISS",
                           item.verdict_on + (" (a run was NOISY)" if item.noisy else "")))
    return builds + "\n\n" + grid(ratio_rows, {1, 2})


# --- the profile: where the difference goes -------------------------------------------------------------

#: Stages of a build by (file suffix, function): the cumulative time of each, with and without parameters.
STAGES = (
    ("read, parse, normalize a page", "pipeline/building.py", "process_bytes"),
    ("  parse", "pipeline/parsers/__init__.py", "parse_page"),
    ("  normalize", "pipeline/normalize/__init__.py", "normalize_page"),
    ("    the parameter stage", "pipeline/normalize/parameters.py", "parameters_of_page"),
    ("dataset files, page by page", "pipeline/output.py", "add"),
    ("whole files (SQLite, derived datasets)", "pipeline/output.py", "close"),
)

Entries = dict[tuple[str, int, str], tuple[int, int, float, float, Any]]


def _entries(stats_file: Path) -> Entries:
    entries: Entries = pstats.Stats(str(stats_file)).stats  # type: ignore[attr-defined]
    return entries


def _cumulative(entries: Entries, suffix: str, function: str) -> float:
    """The cumulative time of the function (the largest, if several of that name live in the file)."""
    return max((v[3] for (file, _line, name), v in entries.items() if name == function and file.endswith(suffix)),
               default=0.0)


def _where(key: tuple[str, int, str]) -> str:
    file, line, function = key
    if file == "~":
        return function
    for marker in ("site-packages/", "/lib/python", "snapshot/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{file}:{line} {function}"


def profile_table(with_file: Path, without_file: Path, top: int = 12) -> str:
    """The stages' cumulative seconds in both profiles, and the functions whose own time grew most."""
    a, b = _entries(with_file), _entries(without_file)
    whole_a = max((v[3] for v in a.values()), default=0.0) or 1.0
    whole_b = max((v[3] for v in b.values()), default=0.0) or 1.0
    rows: list[tuple[str, ...]] = [("stage (cumulative)", "with s", "share", "without s", "share", "difference s")]
    rows.append(("the whole build", f"{whole_a:.2f}", "100%", f"{whole_b:.2f}", "100%", f"{whole_a - whole_b:+.2f}"))
    for label, suffix, function in STAGES:
        ca, cb = _cumulative(a, suffix, function), _cumulative(b, suffix, function)
        rows.append((label, f"{ca:.2f}", f"{ca / whole_a:.0%}", f"{cb:.2f}", f"{cb / whole_b:.0%}", f"{ca - cb:+.2f}"))
    stages = grid(rows, {1, 2, 3, 4, 5})
    grown = sorted(((a[k][2] - (b[k][2] if k in b else 0.0), k) for k in a), reverse=True)[:top]
    own: list[tuple[str, ...]] = [("own time grown most (with - without)", "with s", "without s", "difference s")]
    for diff, key in grown:
        own.append((_where(key), f"{a[key][2]:.2f}", f"{b[key][2]:.2f}" if key in b else "-", f"{diff:+.2f}"))
    return stages + "\n\n" + grid(own, {1, 2, 3})

"""The benchmark of issue 8: ``pipeline build`` against the tools people would try first.

``make bench`` (or ``.venv/bin/python bench/run.py [--pages N | --quick]``) builds a corpus
of N pages (default 10,000) by copying the pages of ``raw_docs`` into numbered services
(``nat-1``, ``nat-2``...), each copy changed by a trailing comment so that no cache can
hide work, keeping raw_docs' HTML/RST proportions. It then runs, each as its own
process timed by the wall clock (interpreter start and imports included):

* the floor: reading every page's bytes; lxml parsing the HTML pages with no extraction;
* ``pandas.read_html(flavor="lxml")`` over the HTML pages, every table extracted;
* ``pipeline build`` (parse, normalize, export) of the HTML pages and of the RST pages;
* ``docutils.core.publish_doctree`` over the RST pages;
* ``pipeline build`` of the whole corpus with its defaults, then again with nothing
  changed and with one page changed (the cache, when there is one);
* ``pipeline build --jobs 1`` and ``--jobs 2`` with no cache (when the flags exist);
* ``pipeline build`` of a single ~5 MB page (one status-code table, rows repeated);
* ``pipeline build`` of each whole published tree of ``--trees-dir`` (issue 14: images, build
  configuration, user guides and all), cold: files/s and MB/s; and the same build with the parameter
  stage switched off, the operations-only build issue 15 compares it with (``bench/_tree_cost.py``
  says how and why: no git revision is that build); ``--trees`` runs only these, ``--repeat N``
  times each, alternating, and prints the comparison; with ``--profile`` also a cProfile of both
  builds of each tree in one process, stage by stage (where the difference goes);

prints a table and the ratios against the targets of issue 8, and writes everything to
``WORKDIR/results.json``. Peak RSS is measured per process by ``bench/_measure.py``
(``getrusage(RUSAGE_SELF)`` in the measured process) and, for builds that start worker
processes, by summing the RSS of the whole process tree sampled every 50 ms.

Built for a small shared machine:

* the package is copied to WORKDIR/snapshot first and every run imports it from there, so
  all rows measure the same code even if the working tree is edited meanwhile
  (``--no-snapshot`` measures the working tree);
* before each run it waits (``--wait-quiet``, default 60 s) for other processes to leave
  the CPU idle, and it reports the CPU time of each run and flags as NOISY any run during
  which other processes were busy (their wall times are then pessimistic; the CPU-time
  ratios printed beside the wall-time ones are much less affected);
* the corpus is reused when it was made from the same pages (``--fresh-corpus``), and
  ``--reuse-baselines`` takes the pandas/docutils/floor rows, which do not run our code,
  from the last results.json of the same corpus and library versions.

``--regex`` prints only the time per MB of every regular expression on its worst inputs (the
long runs of whitespace and near-matches of ``tests/regex_cases.py``) and exits.

``--hostile`` prints only the time per MB of a build step (``process_bytes``) on hostile pages
(tables nested thousands deep, a flood of ``<table>`` tags) at two sizes: linear code keeps the
two rates close; a quadratic step shows as a rate that grows with the size.

``--profile`` also runs ``pipeline build --jobs 1 --no-cache`` over a 500-page sample
under cProfile and prints the top functions by cumulative and by own time.

This is a script that prints numbers, not a test: it never fails on a missed target.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import pstats
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import _tree_cost

REPO = Path(__file__).resolve().parent.parent
MEASURE = Path(__file__).resolve().parent / "_measure.py"
DEFAULT_PAGES = 10_000
QUICK_PAGES = 1_000
PROFILE_PAGES = 500
BIG_PAGE_BYTES = 5 * 1024 * 1024
#: Bump when the corpus layout or the per-copy change changes (a stale corpus is rebuilt).
CORPUS_VERSION = 2
MB = 1024 * 1024
#: A run during which other processes kept more than this many cores busy is flagged NOISY.
NOISY_CORES = 0.25
#: Where measured processes import ``pipeline`` from: the repository, or a snapshot of it (``snapshot_code``).
CODE_ROOT = [REPO]
#: Seconds to wait before each run for the machine to become quiet (``--wait-quiet``).
WAIT_QUIET = [60.0]
#: The workloads that do not run our code: ``--reuse-baselines`` may take them from results.json.
BASELINES = ("floor: read bytes", "floor: lxml parse", "pandas.read_html", "docutils publish_doctree")


# --- the corpus ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourcePage:
    """A page of the source docs folder with its sniffed format (``html``, ``rst`` or ``other``)."""

    service: str
    rel: tuple[str, ...]  # path inside the service folder
    path: Path
    format: str


@dataclass(slots=True)
class Corpus:
    """The generated corpus: one root per format (hard links into ``all``), and list files."""

    root: Path
    pages: int
    counts: dict[str, int]
    bytes: dict[str, int]
    changed_page: str  # a page of ``all`` that the one-page-changed rebuild edits
    big_page_bytes: int = 0
    fingerprint: str = ""  # of the sources and N: equal fingerprints, equal corpora

    def dir(self, name: str) -> Path:
        """The input root named ``all``, ``html``, ``rst``, ``sample`` or ``big``."""
        return self.root / name

    def list_file(self, name: str) -> Path:
        """The file listing every page of one root, one path per line."""
        return self.root / f"{name}.list"


def sniff(data: bytes, name: str) -> str:
    """The format ``pipeline`` itself would give the page (its own sniffer), or ``other``."""
    try:
        from pipeline.errors import PipelineError
        from pipeline.sources import decode, sniff_format
    except ImportError:  # pragma: no cover - the package is installed in the venv
        return "rst" if name.endswith(".rst") else "html"
    try:
        text, _encoding, _problems = decode(data, name)
        return sniff_format(text, name)
    except PipelineError:
        return "other"


def source_pages(root: Path) -> list[SourcePage]:
    """Every page under ``root/<service>/`` (hidden entries and symbolic links skipped), sorted."""
    pages = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if len(rel) < 2 or any(part.startswith(".") for part in rel) or path.is_symlink() or not path.is_file():
            continue
        pages.append(SourcePage(rel[0], rel[1:], path, sniff(path.read_bytes(), "/".join(rel))))
    return pages


def interleave(pages: Sequence[SourcePage]) -> list[SourcePage]:
    """The pages ordered so that any prefix keeps the proportions of the formats."""
    by_format: dict[str, list[SourcePage]] = {}
    for page in pages:
        by_format.setdefault(page.format, []).append(page)
    keyed = [((i + 0.5) / len(group), fmt, page) for fmt, group in by_format.items() for i, page in enumerate(group)]
    return [page for _key, _fmt, page in sorted(keyed, key=lambda k: (k[0], k[1]))]


def _encoded_like(data: bytes, text: str) -> bytes:
    if data.startswith(b"\xff\xfe"):
        return text.encode("utf-16-le")
    if data.startswith(b"\xfe\xff"):
        return text.encode("utf-16-be")
    return text.encode("ascii")


def changed_copy(data: bytes, fmt: str, copy: int) -> bytes:
    """The page with a trailing comment naming the copy: still valid, never byte-identical."""
    if fmt == "rst":
        return data + _encoded_like(data, f"\n\n.. copy {copy}\n")
    if fmt == "html":
        return data + _encoded_like(data, f"\n<!-- copy {copy} -->\n")
    return data + _encoded_like(data, f"\ncopy {copy}\n")


def _fingerprint(pages: Sequence[SourcePage], count: int) -> str:
    digest = hashlib.sha256(f"v{CORPUS_VERSION} pages={count}".encode())
    for page in pages:
        digest.update("/".join((page.service, *page.rel)).encode())
        digest.update(hashlib.sha256(page.path.read_bytes()).digest())
    return digest.hexdigest()


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def big_page(pages: Sequence[SourcePage], size: int) -> tuple[str, str, bytes] | None:
    """One ~``size``-byte HTML page: a real status-code table with its body rows repeated.

    Returns ``(service, file name, bytes)``, or ``None`` when no HTML status-code page has
    a table with a header row and at least one body row.
    """
    row = re.compile(r"<tr\b.*?</tr>", re.IGNORECASE | re.DOTALL)
    candidates = [p for p in pages if p.format == "html" and "status" in p.rel[-1].lower()]
    candidates += [p for p in pages if p.format == "html" and p not in candidates]
    for page in candidates:
        text = page.path.read_text(encoding="utf-8", errors="replace")
        start = text.lower().find("<table")
        end = text.lower().find("</table>", start)
        if start < 0 or end < 0:
            continue
        rows = list(row.finditer(text, start, end))
        if len(rows) < 2:
            continue
        body = text[rows[1].start():rows[-1].end()] + "\n"
        repeat = max(1, (size - len(text)) // len(body.encode("utf-8")))
        out = text[:rows[-1].end()] + "\n" + body * repeat + text[rows[-1].end():]
        return page.service, page.rel[-1], out.encode("utf-8")
    return None


def make_corpus(source: Path, workdir: Path, count: int, fresh: bool) -> Corpus:
    """Generate (or reuse, when it was made from the same sources) the corpus of ``count`` pages."""
    root = workdir / "corpus"
    meta_file, dirty_file = root / "corpus.json", root / "DIRTY"
    pages = source_pages(source)
    if not pages:
        raise SystemExit(f"bench: no pages under {source}/<service>/")
    fingerprint = _fingerprint(pages, count)
    if not fresh and meta_file.is_file() and not dirty_file.exists():
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        if meta.get("fingerprint") == fingerprint:
            print(f"bench: reusing the corpus in {root} (--fresh-corpus to regenerate)", file=sys.stderr)
            return Corpus(root, meta["pages"], meta["counts"], meta["bytes"], meta["changed_page"],
                          meta["big_page_bytes"], fingerprint)
    if root.exists():
        shutil.rmtree(root)
    started = time.perf_counter()
    order = interleave(pages)
    counts: dict[str, int] = {}
    sizes: dict[str, int] = {}
    listed: dict[str, list[str]] = {"all": [], "html": [], "rst": [], "sample": []}
    for n in range(count):
        page = order[n % len(order)]
        copy = n // len(order) + 1
        rel = Path(f"{page.service}-{copy}", *page.rel)
        data = changed_copy(page.path.read_bytes(), page.format, copy)
        home = root / (page.format if page.format in ("html", "rst") else "other") / rel
        home.parent.mkdir(parents=True, exist_ok=True)
        home.write_bytes(data)
        _link(home, root / "all" / rel)
        listed["all"].append(str(root / "all" / rel))
        if page.format in ("html", "rst"):
            listed[page.format].append(str(home))
        if n < PROFILE_PAGES:
            _link(home, root / "sample" / rel)
            listed["sample"].append(str(root / "sample" / rel))
        counts[page.format] = counts.get(page.format, 0) + 1
        sizes[page.format] = sizes.get(page.format, 0) + len(data)
    for name, paths in listed.items():
        (root / f"{name}.list").write_text("".join(f"{p}\n" for p in paths), encoding="utf-8")
    big = big_page(pages, BIG_PAGE_BYTES)
    big_bytes = 0
    if big is not None:
        service, name, data = big
        (root / "big" / service).mkdir(parents=True)
        (root / "big" / service / name).write_bytes(data)
        big_bytes = len(data)
    html_pages = listed["html"] or listed["all"]
    changed = html_pages[len(html_pages) // 2] if html_pages else ""
    meta = {"fingerprint": fingerprint, "pages": count, "counts": counts, "bytes": sizes,
            "changed_page": changed, "big_page_bytes": big_bytes}
    meta_file.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    print(f"bench: wrote {count} pages ({sum(sizes.values()) / MB:.1f} MB) to {root} "
          f"in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return Corpus(root, count, counts, sizes, changed, big_bytes, fingerprint)


# --- running one measured process --------------------------------------------------------------


@dataclass(slots=True)
class Result:
    """One measured workload (``seconds`` is ``None`` when it was not run).

    ``rss_mb`` is the peak RSS: the larger of the process's own ``ru_maxrss`` and the summed
    RSS of its process tree sampled every 50 ms (which counts pool workers running at once).
    """

    name: str
    pages: int
    bytes: int
    seconds: float | None = None
    inner_seconds: float | None = None
    rss_mb: float | None = None
    self_rss_mb: float | None = None
    children_rss_mb: float | None = None
    tree_rss_mb: float | None = None
    exit: int | None = None
    cpu_seconds: float | None = None  # user + system, the process and its reaped workers
    others_cores: float | None = None  # CPU used by everything else on the machine meanwhile, in cores
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Ran to the end with exit code 0 (1 is fine for builds: problems found under ``--strict``)."""
        return self.seconds is not None and self.exit == 0


def _tree_rss_kb(root_pid: int) -> int:
    """The summed RSS (KiB) of ``root_pid`` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        parents[int(entry)] = int(fields[1])
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid and child not in tree]
        tree.update(children)
        frontier.extend(children)
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
                total += int(handle.read().split()[1]) * page_kb
        except (OSError, IndexError, ValueError):
            continue
    return total


def _busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores), from /proc/stat."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = handle.readline().split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def others_cores(window: float = 1.0) -> float:
    """Cores kept busy by other processes over the next ``window`` seconds."""
    busy, mine = _busy_seconds(), _own_cpu()
    time.sleep(window)
    return max(0.0, _busy_seconds() - busy - (_own_cpu() - mine)) / window


def wait_quiet(limit: float) -> None:
    """Wait up to ``limit`` seconds for the machine to be quiet (other processes under ``NOISY_CORES``)."""
    deadline = time.monotonic() + limit
    said = False
    while time.monotonic() < deadline:
        load = others_cores()
        if load <= NOISY_CORES:
            return
        if not said:
            print(f"bench: waiting up to {limit:.0f}s for a quiet machine (others use {load:.1f} cores)",
                  file=sys.stderr, flush=True)
            said = True
        time.sleep(2)


def _own_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def code_fingerprint() -> str:
    """A short hash of the package's source files: the code a run measured (it may change during a run)."""
    root = CODE_ROOT[0]
    digest = hashlib.sha256()
    for path in sorted((root / "pipeline").rglob("*.py")):
        with contextlib.suppress(OSError):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def snapshot_code(workdir: Path) -> None:
    """Copy ``pipeline/`` to WORKDIR/snapshot and make every measured process import it from there.

    Every row then measures the same code even while someone edits the working tree during
    the (long) run; ``PYTHONPATH`` comes before the editable install's finder.
    """
    target = workdir / "snapshot"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(REPO / "pipeline", target / "pipeline", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    CODE_ROOT[0] = target


def child_env() -> dict[str, str]:
    """The environment of measured processes: the code snapshot first on the import path."""
    env = dict(os.environ)
    if CODE_ROOT[0] != REPO:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CODE_ROOT[0]), env.get("PYTHONPATH", "")]))
    return env


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def measure(name: str, workload: list[str], cwd: Path, pages: int, nbytes: int, note: str = "") -> Result:
    """Run ``_measure.py`` WORKLOAD as a separate process in ``cwd`` and time it by the wall clock.

    Besides the wall time: the CPU time of the process and the workers it reaped (``wait4``),
    its peak RSS (see ``Result``), and the CPU time the rest of the machine used meanwhile
    (``others_cores``: another job on a 2-core machine makes every wall time meaningless).
    """
    cwd.mkdir(parents=True, exist_ok=True)
    report_file = cwd / f"{_slug(name)}.measure.json"
    report_file.unlink(missing_ok=True)
    log = cwd / f"{_slug(name)}.log"
    wait_quiet(WAIT_QUIET[0])
    print(f"bench: {name} ...", file=sys.stderr, flush=True)
    code_before = code_fingerprint()
    peak = [0]
    with open(log, "wb") as out:
        busy_before = _busy_seconds()
        mine_before = _own_cpu()
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, str(MEASURE), str(report_file), *workload],
                                cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=child_env())
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                with contextlib.suppress(OSError):
                    peak[0] = max(peak[0], _tree_rss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        busy = _busy_seconds() - busy_before - (_own_cpu() - mine_before)  # minus this sampler
        done.set()
        sampler.join()
        code = proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    result = Result(name, pages, nbytes, seconds, exit=code, note=note, cpu_seconds=cpu,
                    others_cores=max(0.0, busy - cpu) / seconds if seconds else None)
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report = {}
    result.inner_seconds = report.get("inner_seconds")
    result.detail = dict(report.get("detail") or {})
    code_after = code_fingerprint()
    result.detail["code"] = code_before if code_before == code_after else f"{code_before}->{code_after}"
    if report.get("error"):
        result.detail["error"] = report["error"]
    self_kb, children_kb = report.get("maxrss_kb"), report.get("children_maxrss_kb")
    result.self_rss_mb = self_kb / 1024 if self_kb else None
    result.children_rss_mb = children_kb / 1024 if children_kb else None
    result.tree_rss_mb = peak[0] / 1024 if peak[0] else None
    result.rss_mb = max((v for v in (result.self_rss_mb, result.tree_rss_mb) if v), default=None)
    tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    said = [line for line in tail if line.startswith("pipeline: ")]
    if said:
        result.detail["pipeline_said"] = said
    if code not in (0, 1) or report.get("error"):
        result.note = (result.note + "; " if result.note else "") + f"FAILED (exit {code}, see {log})"
        result.detail["log_tail"] = tail[-5:]
    elif code == 1:
        result.exit = 0  # a build that found problems in pages still did all its work
    if result.others_cores is not None and result.others_cores > NOISY_CORES:
        result.note = (result.note + "; " if result.note else "") + (
            f"NOISY: other processes used {result.others_cores:.1f} cores meanwhile")
    print(f"bench: {name}: {seconds:.2f}s wall, {cpu:.2f}s CPU", file=sys.stderr, flush=True)
    return result


def skipped(name: str, pages: int, nbytes: int, why: str) -> Result:
    """A row for a workload that was not run."""
    return Result(name, pages, nbytes, note=f"n/a ({why})")


#: The whole published documentation trees (issue 14): one repository per service, and doc/source of the big
#: markdown+HTML repository, each with its images, build configuration and user guides.
TREES = (("rst", Path("rst")), ("md", Path("md") / "doc" / "source"))


def run_trees(args: argparse.Namespace, builder: Builder) -> dict[str, Result]:
    """``pipeline build`` of each whole tree under ``--trees-dir``, cold (no cache): files/s and MB/s of what
    a user points it at, every file counted (the pages read are in the note); each with parameters (today's
    build) and operations only (``_tree_cost.BUILDS``), ``--repeat`` times, alternating; the fastest run kept."""
    results: dict[str, Result] = {}
    for name, rel in TREES:
        tree = args.trees_dir / rel
        labels = {f"ours: whole tree {name}{suffix}": kind for suffix, kind in _tree_cost.BUILDS}
        if not tree.is_dir():
            results.update((label, skipped(label, 0, 0, f"no tree at {tree}")) for label in labels)
            continue
        files = [p for p in tree.rglob("*") if p.is_file()]
        runs: dict[str, list[Result]] = {label: [] for label in labels}
        for _ in range(args.repeat):
            for label, kind in labels.items():
                run = fresh_dir(args.workdir / "runs" / f"tree-{name}{'-ops' if kind != 'cli' else ''}")
                workload = [kind, *builder.args(tree, run, cache=False)[1:]]
                runs[label].append(tree_build(label, workload, run, len(files), sum(p.stat().st_size for p in files),
                                              parameters=kind == "cli"))
        results.update((label, fastest(found)) for label, found in runs.items())
    return results


def tree_build(label: str, workload: list[str], run: Path, files: int, nbytes: int, parameters: bool) -> Result:
    """One measured whole-tree build, with the pages it read and its records counted (from its manifest).

    The operations-only build must write no parameter: if it did, the switch did not reach the build
    (workers started another way than by fork, say) and the row says so."""
    note = "all files (pages/s: files/s), no cache" + ("" if parameters else "; parameter stage off")
    result = measure(label, workload, run, files, nbytes, note)
    said = " ".join(result.detail.get("pipeline_said") or [])
    read = re.search(r"([0-9,]+) pages read", said)
    if read:
        result.note += f"; {read.group(0)}"
    try:
        counts = json.loads((run / "out" / "manifest.json").read_text(encoding="utf-8"))["counts"]
    except (OSError, ValueError, KeyError, TypeError):
        counts = {}
    result.detail["counts"] = {k: counts[k] for k in _tree_cost.COUNTED if isinstance(counts.get(k), int)}
    if not parameters and counts.get("parameters"):
        result.exit = 2  # not the build it claims to be: left out of every comparison
        result.note += f"; FAILED: the parameter stage was not off ({counts['parameters']} parameters written)"
    return result


def fastest(runs: list[Result]) -> Result:
    """The run with the least wall time (the first one when none succeeded); every run's figures in its detail."""
    done = [r for r in runs if r.ok]
    if not done:
        return runs[0]
    best = min(done, key=lambda r: r.seconds or 0.0)
    best.detail["runs"] = [{"seconds": r.seconds, "cpu_seconds": r.cpu_seconds, "others_cores": r.others_cores}
                           for r in done]
    if len(runs) > 1:
        walls, cpus = [r.seconds or 0.0 for r in done], [r.cpu_seconds or 0.0 for r in done]
        best.note += (f"; fastest of {len(done)}/{len(runs)} runs (wall {min(walls):.2f}-{max(walls):.2f} s, "
                      f"CPU {min(cpus):.2f}-{max(cpus):.2f} s)")
    return best


def profile_trees(args: argparse.Namespace, builder: Builder) -> None:
    """Each tree built with and without parameters under cProfile, in one process (``--jobs 1``): the stages."""
    for name, rel in TREES:
        tree = args.trees_dir / rel
        if not tree.is_dir():
            continue
        stats: list[Path] = []
        for suffix, kind in _tree_cost.BUILDS:
            run = fresh_dir(args.workdir / "runs" / f"profile-tree-{name}{'-ops' if kind != 'cli' else ''}")
            stats_file = run / "build.prof"
            build = builder.args(tree, run, jobs=1 if builder.has_jobs else None, cache=False)[1:]
            profiled = "profile" if kind == "cli" else "profile-no-parameters"
            result = measure(f"profile: whole tree {name}{suffix}", [profiled, str(stats_file), *build], run, 0, 0)
            if result.ok and stats_file.is_file():
                stats.append(stats_file)
            if not args.keep_outputs:
                shutil.rmtree(run / "out", ignore_errors=True)
        if len(stats) == 2:
            print(f"\ncProfile of the whole tree {name}, one process (--jobs 1), with parameters and operations only "
                  "(the profiler slows Python code more than C: shares, not speeds):")
            print(_tree_cost.profile_table(stats[0], stats[1]))


# --- pipeline build invocations ------------------------------------------------------------------


def build_flags() -> set[str]:
    """The options ``pipeline build --help`` lists (``--jobs``, ``--no-cache``, ``--cache-dir``...)."""
    try:
        done = subprocess.run([sys.executable, "-m", "pipeline", "build", "--help"], capture_output=True,
                              text=True, timeout=120, check=False, env=child_env())
    except (OSError, subprocess.SubprocessError):
        return set()
    return set(re.findall(r"(--[a-z][a-z0-9-]*)", done.stdout))


@dataclass(frozen=True, slots=True)
class Builder:
    """Makes ``pipeline build`` argument lists with the options this version supports."""

    flags: frozenset[str]

    def args(self, source: Path, run_dir: Path, jobs: int | None = None, cache: bool = True) -> list[str]:
        """``build SOURCE --out RUN/out``; the cache (if any) in RUN/cache, or off."""
        args = ["cli", "build", str(source), "--out", str(run_dir / "out")]
        if jobs is not None:
            args += ["--jobs", str(jobs)]
        if not cache and "--no-cache" in self.flags:
            args.append("--no-cache")
        elif "--cache-dir" in self.flags:
            args += ["--cache-dir", str(run_dir / "cache")]  # a fresh cache is a cold cache
        return args

    @property
    def has_jobs(self) -> bool:
        return "--jobs" in self.flags

    @property
    def has_cache(self) -> bool:
        return bool({"--no-cache", "--cache-dir", "--cache"} & self.flags)


def fresh_dir(path: Path) -> Path:
    """``path``, emptied (builds run in it, so a default cache under the cwd starts cold)."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def _drop_input_caches(corpus: Corpus) -> None:
    """Remove caches a build may have left inside an input root, so cold runs stay cold."""
    for name in ("all", "html", "rst", "sample", "big"):
        for cache in corpus.dir(name).glob(".*cache*"):
            shutil.rmtree(cache, ignore_errors=True)


# --- the benchmark -------------------------------------------------------------------------------


def run_all(args: argparse.Namespace, corpus: Corpus, builder: Builder) -> dict[str, Result]:
    """Every workload, one after the other (never two at once: the machine has few cores)."""
    runs = args.workdir / "runs"
    total_bytes = sum(corpus.bytes.values())
    n_html, n_rst = corpus.counts.get("html", 0), corpus.counts.get("rst", 0)
    b_html, b_rst = corpus.bytes.get("html", 0), corpus.bytes.get("rst", 0)
    results: dict[str, Result] = {}

    reused = reusable_baselines(args, corpus)

    def add(result: Result) -> Result:
        results[result.name] = result
        return result

    def baseline(name: str, workload: list[str], run: str, pages: int, nbytes: int, note: str) -> None:
        if name in reused:
            add(reused[name])
        else:
            add(measure(name, workload, fresh_dir(runs / run), pages, nbytes, note))

    # The floor first: it also brings the corpus into the page cache for everything after it.
    baseline("floor: read bytes", ["read", str(corpus.list_file("all"))], "read", corpus.pages, total_bytes,
             "all pages")
    baseline("floor: lxml parse", ["lxml", str(corpus.list_file("html"))], "lxml", n_html, b_html,
             "HTML pages, no extraction")
    baseline("pandas.read_html", ["pandas", str(corpus.list_file("html"))], "pandas", n_html, b_html,
             "HTML pages, flavor=lxml")
    _drop_input_caches(corpus)
    run = fresh_dir(runs / "html")
    add(measure("ours: HTML, defaults", builder.args(corpus.dir("html"), run), run, n_html, b_html,
                "HTML pages, end to end"))
    if args.skip_slow and "docutils publish_doctree" not in reused:
        add(skipped("docutils publish_doctree", n_rst, b_rst, "--skip-slow"))
    else:
        baseline("docutils publish_doctree", ["docutils", str(corpus.list_file("rst"))], "docutils", n_rst, b_rst,
                 "RST pages, full doctree")
    _drop_input_caches(corpus)
    run = fresh_dir(runs / "rst")
    add(measure("ours: RST, defaults", builder.args(corpus.dir("rst"), run), run, n_rst, b_rst,
                "RST pages, end to end"))

    _drop_input_caches(corpus)
    run = fresh_dir(runs / "full")
    single = "" if builder.has_jobs else "single process (no --jobs yet)"
    full = add(measure("ours: all, defaults", builder.args(corpus.dir("all"), run), run, corpus.pages,
                       total_bytes, ", ".join(filter(None, ["cold", single]))))
    cache_note = "" if builder.has_cache else "no cache support detected"
    if args.skip_slow:
        add(skipped("rebuild, no change", corpus.pages, total_bytes, "--skip-slow"))
        add(skipped("rebuild, 1 page changed", corpus.pages, total_bytes, "--skip-slow"))
    elif not full.ok:
        add(skipped("rebuild, no change", corpus.pages, total_bytes, "the full build failed"))
        add(skipped("rebuild, 1 page changed", corpus.pages, total_bytes, "the full build failed"))
    else:
        add(measure("rebuild, no change", builder.args(corpus.dir("all"), run), run, corpus.pages,
                    total_bytes, cache_note))
        add(rebuild_one_changed(corpus, builder, run, total_bytes, cache_note))

    for jobs in (1, 2):
        name = f"ours: all, --jobs {jobs}"
        if not builder.has_jobs:
            add(skipped(name, corpus.pages, total_bytes, "flag not supported yet"))
            continue
        _drop_input_caches(corpus)
        run = fresh_dir(runs / f"jobs{jobs}")
        cache = "--no-cache" if "--no-cache" in builder.flags else "fresh cache"
        add(measure(name, builder.args(corpus.dir("all"), run, jobs=jobs, cache=False), run, corpus.pages,
                    total_bytes, cache))

    results.update(run_trees(args, builder))

    if corpus.big_page_bytes:
        run = fresh_dir(runs / "big")
        add(measure("ours: one 5 MB page", builder.args(corpus.dir("big"), run), run, 1, corpus.big_page_bytes,
                    "one status-code table, rows repeated"))
    else:
        add(skipped("ours: one 5 MB page", 1, 0, "no HTML status-code table to grow"))
    return results


def reusable_baselines(args: argparse.Namespace, corpus: Corpus) -> dict[str, Result]:
    """With ``--reuse-baselines``: the baseline rows of the last results.json, if it measured this corpus
    with the same library versions and Python (they do not run our code, so they do not change with it).
    Rows measured while other processes were busy (NOISY) are measured again."""
    if not args.reuse_baselines:
        return {}
    try:
        old = json.loads((args.workdir / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    info = machine()
    same = (old.get("corpus", {}).get("fingerprint") == corpus.fingerprint
            and old.get("machine", {}).get("versions") == info["versions"]
            and old.get("machine", {}).get("python") == info["python"])
    if not same:
        print("bench: --reuse-baselines: the last results are for another corpus or versions; measuring",
              file=sys.stderr)
        return {}
    reused = {}
    for row in old.get("results", []):
        quiet = (row.get("others_cores") or 0.0) <= NOISY_CORES
        if row.get("name") in BASELINES and row.get("seconds") is not None and row.get("exit") == 0 and quiet:
            result = Result(**row)
            if "reused" not in result.note:
                when = old.get("machine", {}).get("date_utc", "?")
                result.note = f"{result.note}; reused from {when} UTC"
            reused[result.name] = result
    return reused


def page_in_all(corpus: Corpus) -> Path:
    """The changed page's file in the ``all`` tree, the one the rebuilds read."""
    page = Path(corpus.changed_page)
    for name in ("html", "rst"):
        if page.is_relative_to(corpus.dir(name)):
            return corpus.dir("all") / page.relative_to(corpus.dir(name))
    return page


def rebuild_one_changed(corpus: Corpus, builder: Builder, run: Path, total_bytes: int, note: str) -> Result:
    """Rebuild after appending a comment to one page; the page is restored afterwards.

    The page is changed where the build reads it, in ``all`` (``changed_page`` names its copy under
    ``html``, a hard link of it unless something rewrote one of the two: then the rebuild found
    nothing changed and measured an up-to-date build)."""
    page = page_in_all(corpus)
    dirty = corpus.root / "DIRTY"
    size = page.stat().st_size
    dirty.write_text(f"{page} is being changed by the one-page rebuild\n", encoding="utf-8")
    try:
        with open(page, "ab") as handle:  # in place: the page's hard links see the change too
            handle.write(b"\n<!-- changed for the one-page rebuild -->\n")
        result = measure("rebuild, 1 page changed", builder.args(corpus.dir("all"), run), run, corpus.pages,
                         total_bytes, note)
        if any("up to date" in line for line in result.detail.get("pipeline_said") or []):
            result.exit = 2  # not the workload it names: left out of every ratio
            result.note = (result.note + "; " if result.note else "") + "FAILED: the build found no page changed"
        return result
    finally:
        with open(page, "r+b") as handle:
            handle.truncate(size)
        dirty.unlink()


# --- reporting ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """Date (UTC), cores, CPU model, Python and package versions, the commit."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = os.cpu_count() or 0
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                text=True, check=False).stdout.strip()
    except OSError:
        commit = ""
    try:
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "pipeline"], cwd=REPO,
                                    capture_output=True, text=True, check=False).stdout.strip())
    except OSError:
        dirty = False
    versions: dict[str, str] = {}
    for package in ("pipeline", "lxml", "pandas", "docutils", "pyarrow"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:
            versions[package] = "?"
    return {"date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"), "nproc": usable,
            "cpu": model or "unknown", "python": platform.python_version(), "commit": commit or "?",
            "dirty": dirty, "code": code_fingerprint(),
            "versions": versions}


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def table(results: dict[str, Result]) -> str:
    """The results as a fixed-width text table."""
    head = ("workload", "pages", "seconds", "pages/s", "MB/s", "CPU s", "peak RSS MB", "note")
    rows = [head]
    for r in results.values():
        if r.seconds is None:
            rows.append((r.name, str(r.pages), "-", "-", "-", "-", "-", r.note))
            continue
        rate = r.pages / r.seconds
        mbps = r.bytes / MB / r.seconds
        rss = _num(r.rss_mb, ".0f")
        if r.tree_rss_mb and r.self_rss_mb and r.tree_rss_mb > r.self_rss_mb * 1.05:
            rss += f" (main {r.self_rss_mb:.0f})"
        rows.append((r.name, str(r.pages), f"{r.seconds:.2f}", f"{rate:.1f}", f"{mbps:.2f}",
                     _num(r.cpu_seconds, ".2f"), rss, r.note))
    return _tree_cost.grid(rows, {1, 2, 3, 4, 5, 6})


@dataclass(frozen=True, slots=True)
class Ratio:
    """One ratio of issue 8 with its target (``None``: printed for information)."""

    name: str
    value: float | None
    shown: str
    target: str
    met: bool | None
    why: str = ""
    by_cpu: str = ""  # the same ratio from CPU seconds: robust to other processes, not for --jobs


def _cpu(results: dict[str, Result], name: str) -> float | None:
    result = results.get(name)
    return result.cpu_seconds if result is not None and result.ok else None


def _caveats(results: dict[str, Result], *names: str) -> str:
    """NOISY runs, and runs that measured different versions of the code."""
    rows = [results[n] for n in names if n in results and results[n].ok]
    said = []
    if any(r.others_cores is not None and r.others_cores > NOISY_CORES for r in rows):
        said.append("NOISY run involved")
    if len({str(r.detail.get("code")) for r in rows if r.detail.get("code")}) > 1:
        said.append("code changed between these runs")
    return "; ".join(said)


def _time(results: dict[str, Result], name: str) -> float | None:
    result = results.get(name)
    return result.seconds if result is not None and result.ok else None


def _why(results: dict[str, Result], *names: str) -> str:
    for name in names:
        result = results.get(name)
        if result is None or not result.ok:
            return f"{name}: {result.note if result is not None else 'not run'}"
    return ""


def ratios(results: dict[str, Result], pages: int) -> list[Ratio]:
    """The ratios of issue 8: speed-ups are other seconds / our seconds (same pages, same run)."""
    out: list[Ratio] = []

    def speedup(name: str, ours: str, theirs: str, target: float | None) -> None:
        t_ours, t_theirs = _time(results, ours), _time(results, theirs)
        if t_ours is None or t_theirs is None:
            out.append(Ratio(name, None, "n/a", f">= {target:g}x" if target else "info", None,
                             _why(results, ours, theirs)))
            return
        value = t_theirs / t_ours
        shown = f"{value:.2f}x" if value >= 1 or target else f"{value:.3f}x ({1 / value:.1f}x slower)"
        c_ours, c_theirs = _cpu(results, ours), _cpu(results, theirs)
        by_cpu = f"{c_theirs / c_ours:.2f}x" if c_ours and c_theirs and not name.startswith("--jobs") else ""
        out.append(Ratio(name, value, shown, f">= {target:g}x" if target else "info",
                         None if target is None else value >= target, _caveats(results, ours, theirs), by_cpu))

    def share(name: str, part: str, whole: str, limit: float) -> None:
        t_part, t_whole = _time(results, part), _time(results, whole)
        if t_part is None or t_whole is None:
            out.append(Ratio(name, None, "n/a", f"<= {limit:.0%}", None, _why(results, whole, part)))
            return
        value = t_part / t_whole
        c_part, c_whole = _cpu(results, part), _cpu(results, whole)
        by_cpu = f"{c_part / c_whole:.1%}" if c_part and c_whole else ""
        out.append(Ratio(name, value, f"{value:.1%}", f"<= {limit:.0%}", value <= limit,
                         _caveats(results, part, whole), by_cpu))

    speedup("HTML: ours / pandas.read_html", "ours: HTML, defaults", "pandas.read_html", 8)
    speedup("HTML: ours / lxml-parse floor", "ours: HTML, defaults", "floor: lxml parse", None)
    speedup("RST: ours / docutils publish_doctree", "ours: RST, defaults", "docutils publish_doctree", 5)
    speedup("--jobs 2 / --jobs 1", "ours: all, --jobs 2", "ours: all, --jobs 1", 1.7)
    share("rebuild, no change / full build", "rebuild, no change", "ours: all, defaults", 0.05)
    share("rebuild, 1 page changed / full build", "rebuild, 1 page changed", "ours: all, defaults", 0.20)  # issue 13
    trees = _tree_cost.comparisons(results, [name for name, _ in TREES], NOISY_CORES)
    if trees:
        whole = trees[-1]
        why = f"{whole.tree} trees, best of {whole.with_parameters.runs}"
        why += "; NOISY run involved" if whole.noisy else ""
        out.append(Ratio("whole trees: with parameters / operations only", whole.by_wall, f"{whole.by_wall:.2f}",
                         f">= {_tree_cost.TARGET:.2f}", whole.met, why + f"; verdict on {whole.verdict_on}",
                         f"{whole.by_cpu:.2f}"))
    full = results.get("ours: all, defaults")
    scale = "" if pages == DEFAULT_PAGES else f" (target is for {DEFAULT_PAGES:,} pages; this run: {pages:,})"
    if full is not None and full.ok and full.rss_mb is not None:
        out.append(Ratio("peak RSS, full build", full.rss_mb, f"{full.rss_mb:.0f} MB", "<= 500 MB",
                         full.rss_mb <= 500, scale.strip()))
    else:
        out.append(Ratio("peak RSS, full build", None, "n/a", "<= 500 MB", None, _why(results, "ours: all, defaults")))
    big = results.get("ours: one 5 MB page")
    if big is not None and big.ok and big.rss_mb is not None:
        out.append(Ratio("peak RSS, one 5 MB page", big.rss_mb, f"{big.rss_mb:.0f} MB", "info", None))
    return out


def ratio_table(items: list[Ratio]) -> str:
    """The ratios with their targets and PASS / MISS."""
    width = max(len(r.name) for r in items)
    shown = max(len(r.shown) for r in items)
    target = max(len(r.target) for r in items)
    cpu = max(len(r.by_cpu) for r in items)
    lines = [f"{'ratio'.ljust(width)}  {'wall'.rjust(shown)}  {'target'.ljust(target + 7)}  verdict  "
             f"{'by CPU s'.rjust(cpu)}  caveats"]
    for r in items:
        verdict = "" if r.met is None else ("PASS" if r.met else "MISS")
        if r.value is None and r.target != "info":
            verdict = "n/a"
        lines.append(f"{r.name.ljust(width)}  {r.shown.rjust(shown)}  target {r.target.ljust(target)}  "
                     f"{verdict.ljust(7)}  {r.by_cpu.rjust(cpu)}  {r.why}".rstrip())
    return "\n".join(lines)


def _where(file: str, line: int, function: str) -> str:
    """``docutils/utils/__init__.py:697 column_indices`` rather than a bare ``__init__.py:697``."""
    if file == "~":
        return function  # a built-in, e.g. "<built-in method unicodedata.combining>"
    for marker in ("site-packages/", "/lib/python"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    else:
        for root in (CODE_ROOT[0], REPO):
            with contextlib.suppress(ValueError):
                file = str(Path(file).relative_to(root))
                break
    return f"{file}:{line} {function}"


def print_profile(stats_file: Path, top: int = 15) -> None:
    """The top functions of a cProfile run, by cumulative and by own time, with package-relative paths."""
    stats = pstats.Stats(str(stats_file))
    entries = stats.stats  # type: ignore[attr-defined]  # {(file, line, name): (cc, nc, tt, ct, callers)}
    total = max((ct for (_cc, _nc, _tt, ct, _callers) in entries.values()), default=0.0) or 1.0
    for label, column in (("cumulative", 3), ("tottime (own time)", 2)):
        print(f"\ncProfile of the build, top {top} by {label} (total {total:.2f}s under the profiler):")
        print(f"{'calls':>10} {'tottime':>8} {'cumtime':>8} {'cum %':>6}  function")
        ranked = sorted(entries.items(), key=lambda kv: kv[1][column], reverse=True)[:top]
        for (file, line, function), (_cc, nc, tt, ct, _callers) in ranked:
            print(f"{nc:>10} {tt:>8.3f} {ct:>8.3f} {ct / total:>6.1%}  {_where(file, line, function)}")


#: Characters per worst-case input of ``print_regex_times`` (the tests use the same inputs).
REGEX_INPUT_CHARS = 1_000_000


def print_regex_times() -> None:
    """Seconds per MB of each pattern of ``tests/regex_cases.py`` on its slowest worst-case input (printed only).

    Linear patterns stay in milliseconds per MB; a quadratic one would take minutes here.
    """
    sys.path.insert(0, str(REPO / "tests"))
    sys.path.insert(0, str(REPO))
    from regex_cases import CASES, apply, compiled, worst_inputs

    print(f"{'pattern':<60} {'worst ms/MB':>12} {'mean ms/MB':>11}  worst input starts with")
    for case in CASES:
        pattern = compiled(case)
        times: list[tuple[float, str]] = []
        for text in worst_inputs(case, REGEX_INPUT_CHARS):
            start = time.perf_counter()
            apply(case, pattern, text)
            times.append(((time.perf_counter() - start) * 1000 / (len(text.encode()) / MB), text[:12]))
        worst = max(times)
        print(f"{case.key:<60} {worst[0]:>12.1f} {sum(t for t, _ in times) / len(times):>11.1f}  {worst[1]!r}")


#: Hostile pages of ``print_hostile_times``, by name: a function of a size parameter.
HOSTILE_PAGES: dict[str, Callable[[int], str]] = {
    "tables nested k deep": lambda k: (
        "# S\n\n" + "<table><tr><th>Status Code</th></tr><tr><td>200</td></tr></table>\n" + "<table><tr><td>" * k
        + "<table><tr><th>Status Code</th></tr><tr><td>404</td></tr></table>\n"),
    "k <table> tags on one line": lambda k: "<table>" * k,
}


def print_hostile_times() -> None:
    """Seconds per MB of one page through ``process_bytes`` for each hostile page, at k and 5k (printed only)."""
    sys.path.insert(0, str(REPO))
    from pipeline.building import process_bytes
    from pipeline.sources import SourceFile

    print(f"{'hostile page':<32} {'k':>7} {'KB':>8} {'s':>7} {'s/MB':>7} {'issues':>7}")
    for name, make in HOSTILE_PAGES.items():
        for k in (4_000, 20_000):
            data = make(k).encode()
            start = time.perf_counter()
            result = process_bytes(SourceFile("svc", "svc/hostile.md", REPO / "hostile.md"), data)
            took = time.perf_counter() - start
            print(f"{name:<32} {k:>7} {len(data) / 1024:>8.0f} {took:>7.2f} {took / (len(data) / MB):>7.2f} "
                  f"{len(result.issues):>7}")


def print_trees(info: dict[str, Any], builder: Builder, args: argparse.Namespace) -> int:
    """``--trees``: run only the whole-tree workloads, print their table and the parameters' cost, write trees.json."""
    results = run_trees(args, builder)
    if not args.keep_outputs:
        for run in (args.workdir / "runs").glob("tree-*"):
            shutil.rmtree(run / "out", ignore_errors=True)
    print(f"\npipeline whole-tree builds  {info['date_utc']} UTC  commit {info['commit']}"
          f"{' + uncommitted changes' if info['dirty'] else ''}; {info['nproc']} cores, Python {info['python']}")
    print(table(results))
    print_tree_cost(results)
    if args.profile:
        profile_trees(args, builder)
    report = {"machine": info, "results": [asdict(r) for r in results.values()]}
    (args.workdir / "trees.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


def print_tree_cost(results: dict[str, Result]) -> None:
    """The comparison of issue 15: each tree built with parameters and operations only (``bench/_tree_cost.py``)."""
    items = _tree_cost.comparisons(results, [name for name, _ in TREES], NOISY_CORES)
    if not items:
        return
    print("\nwhole-tree build with parameters vs operations only (issue 15: throughput with parameters within 25 %):")
    print("operations only = the same code with parameters_of_page returning nothing, patched in the measured process")
    print("(no git revision had operations without parameters); it writes no parameter or section records, and more")
    print("issues (its parameter tables are reported not extracted). Best of the runs, wall and CPU each;")
    print("ratio = with-parameters throughput / operations-only throughput (= operations-only s / with s)")
    print(_tree_cost.comparison_table(items))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=None,
                        help=f"pages in the corpus (default {DEFAULT_PAGES:,}; {QUICK_PAGES:,} with --quick)")
    parser.add_argument("--quick", action="store_true", help=f"a smoke run of {QUICK_PAGES:,} pages")
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out",
                        help="where the corpus, the builds and results.json go (default bench/out, git-ignored)")
    parser.add_argument("--input", type=Path, default=REPO / "raw_docs",
                        help="the docs folder whose pages are replicated (default raw_docs)")
    parser.add_argument("--skip-slow", action="store_true",
                        help="skip the docutils baseline and the two rebuilds (the slowest parts)")
    parser.add_argument("--reuse-baselines", action="store_true",
                        help="take the pandas, docutils and floor rows from the last results.json when it measured "
                             "the same corpus with the same library versions (they do not run our code)")
    parser.add_argument("--wait-quiet", type=float, default=WAIT_QUIET[0], metavar="SECONDS",
                        help="before each run, wait up to SECONDS for other processes to leave the CPU idle "
                             f"(default {WAIT_QUIET[0]:g}; 0: never wait)")
    parser.add_argument("--no-snapshot", action="store_true",
                        help="import pipeline from the working tree in every run, rather than from a copy taken "
                             "at the start (edits made during the benchmark then change what is measured)")
    parser.add_argument("--keep-outputs", action="store_true",
                        help="keep the datasets and caches the builds wrote under WORKDIR/runs (gigabytes at 10,000 "
                             "pages); by default only their logs are kept")
    parser.add_argument("--fresh-corpus", action="store_true", help="regenerate the corpus even if it is reusable")
    parser.add_argument("--regex", action="store_true",
                        help="only print the time per MB of each regular expression on its worst inputs, and exit")
    parser.add_argument("--hostile", action="store_true",
                        help="only print the time per MB of hostile pages (deeply nested tables, a flood of tables)")
    parser.add_argument("--trees", action="store_true",
                        help="only the whole-tree builds (issue 14): each tree of --trees-dir, once, no cache")
    parser.add_argument("--trees-dir", type=Path, default=REPO.parent / "shared" / "corpus" / "trees",
                        help="the published trees: rst/ (one repository per service) and md/doc/source/ "
                             "(default ../shared/corpus/trees)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="build each whole tree N times with parameters and N times operations only, "
                             "alternating, and keep the best (default 1)")
    parser.add_argument("--profile", action="store_true",
                        help=f"also profile a build of {PROFILE_PAGES} pages with cProfile and print the top "
                             "functions; with --trees, each tree with and without parameters, stage by stage")
    args = parser.parse_args(argv)
    if args.pages is None:
        args.pages = QUICK_PAGES if args.quick else DEFAULT_PAGES
    if args.pages < 1:
        parser.error("--pages must be at least 1")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.workdir = args.workdir.absolute()
    WAIT_QUIET[0] = max(0.0, args.wait_quiet)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the corpus, run every workload, print the table and ratios, write results.json."""
    args = parse_args(argv)
    if args.regex:
        print_regex_times()
        return 0
    if args.hostile:
        print_hostile_times()
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    if not args.no_snapshot:
        snapshot_code(args.workdir)
    info = machine()
    if args.trees:
        return print_trees(info, Builder(frozenset(build_flags())), args)
    corpus = make_corpus(args.input.absolute(), args.workdir, args.pages, args.fresh_corpus)
    builder = Builder(frozenset(build_flags()))
    results = run_all(args, corpus, builder)
    if not args.keep_outputs:  # the datasets and caches of 10,000 pages take gigabytes; logs stay
        for run_dir in (args.workdir / "runs").glob("*"):
            for name in ("out", "cache"):
                shutil.rmtree(run_dir / name, ignore_errors=True)
    items = ratios(results, corpus.pages)

    total = sum(corpus.bytes.values())
    per_format = ", ".join(f"{fmt} {n:,} ({corpus.bytes[fmt] / MB:.1f} MB)" for fmt, n in sorted(corpus.counts.items()))
    supported = [f for f in ("--jobs", "--no-cache", "--cache-dir") if f in builder.flags]
    print()
    where = "snapshot of the working tree" if CODE_ROOT[0] != REPO else "working tree"
    print(f"pipeline benchmark  {info['date_utc']} UTC  commit {info['commit']}"
          f"{' + uncommitted changes' if info['dirty'] else ''}; code measured: {where}, sources {info['code']}")
    print(f"machine: {info['nproc']} cores, {info['cpu']}, Python {info['python']}; "
          + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    print(f"corpus: N = {corpus.pages:,} pages, {total / MB:.1f} MB: {per_format}; "
          f"5 MB page: {corpus.big_page_bytes / MB:.1f} MB")
    print(f"build flags found: {' '.join(supported) or 'none of --jobs/--no-cache/--cache-dir'}")
    print("every row: one whole process, wall clock (interpreter start and imports included), page cache warm;")
    print("CPU s: user + system time of the process and its workers (our builds use all cores by default, so")
    print("       'by CPU s' ratios compare total work, not elapsed time); peak RSS: whole process tree")
    codes = {r.detail.get("code") for r in results.values() if r.detail.get("code")}
    if len(codes) > 1:
        print(f"WARNING: the pipeline/ sources changed during the benchmark ({len(codes)} versions: "
              f"{', '.join(sorted(str(c) for c in codes))}); rows measured different code")
    noisy = [r.name for r in results.values() if r.others_cores is not None and r.others_cores > NOISY_CORES]
    if noisy:
        print(f"WARNING: other processes kept the CPU busy during {len(noisy)} runs (marked NOISY): their wall "
              "times are inflated (so a ratio against a NOISY baseline flatters us); CPU s is much less "
              "affected; re-run on a quiet machine for verdicts")
    print()
    print(table(results))
    print()
    print("ratios (speed-ups: their seconds / our seconds, same pages, same run; verdicts on wall time):")
    print(ratio_table(items))
    print_tree_cost(results)

    if args.profile:
        run = fresh_dir(args.workdir / "runs" / "profile")
        stats_file = run / "build.prof"
        # One process, no cache: with workers, cProfile in the main process would not see the parsing.
        build = builder.args(corpus.dir("sample"), run, jobs=1 if builder.has_jobs else None, cache=False)[1:]
        result = measure("profile", ["profile", str(stats_file), *build], run, min(PROFILE_PAGES, corpus.pages), 0)
        if result.ok and stats_file.is_file():
            print_profile(stats_file)

    report = {
        "machine": info,
        "pages": corpus.pages,
        "corpus": {"fingerprint": corpus.fingerprint, "counts": corpus.counts, "bytes": corpus.bytes,
                   "big_page_bytes": corpus.big_page_bytes},
        "build_flags": supported,
        "results": [asdict(r) for r in results.values()],
        "ratios": [asdict(r) for r in items],
    }
    (args.workdir / "results.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"\nresults: {args.workdir / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run one benchmark workload in this process; report its time and peak RSS as JSON.

Usage: ``python bench/_measure.py RESULT_JSON KIND [ARGS...]`` where KIND is one of

``cli ARGS...``
    ``pipeline ARGS...``: the console script's ``main`` run in this very process.
``profile STATS ARGS...``
    the same under ``cProfile``, the stats dumped to the file STATS.
``cli-no-parameters ARGS...`` and ``profile-no-parameters STATS ARGS...``
    ``cli`` and ``profile`` with the parameter stage switched off: before the build,
    ``pipeline.normalize.parameters_of_page`` (the one call site of the stage) is replaced by a
    function returning no parameters, no sections, no issues and no parameter tables. Everything
    else is today's code, so this is the operations-only build the parameters are compared with
    (``run.py --trees``). A patch, stated plainly: this is a measurement, not a test. Pool workers
    are forked after the patch and inherit it; the runner checks the build wrote no parameters.
``read LIST``
    read the bytes of every file listed in LIST (a text file, one path per line).
``lxml LIST``
    read every listed file and parse it with ``lxml.etree.HTMLParser``; nothing is extracted.
``pandas LIST``
    ``pandas.read_html(path, flavor="lxml")`` on every listed file: every table, as DataFrames.
``docutils LIST``
    ``docutils.core.publish_doctree`` on every listed RST file (no file insertion, no raw).

The result goes to RESULT_JSON (never stdout, so that nothing the workload prints can mix
with it): ``{"kind", "exit", "inner_seconds", "maxrss_kb", "children_maxrss_kb", "detail"}``.
``maxrss_kb`` is this process's own peak RSS (``getrusage(RUSAGE_SELF)``), so each workload
is measured alone; ``children_maxrss_kb`` is the largest peak of any worker process it reaped.
Heavy imports happen inside the workloads, so they are part of what is measured.
"""

from __future__ import annotations

import time

_STARTED = time.perf_counter()

import json  # noqa: E402  (the clock starts before any other import)
import resource  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

Detail = dict[str, Any]

#: docutils settings for a fair, safe, quiet full parse. ``halt_level`` 5 keeps docutils
#: from aborting a page at its first severe problem (which would make it look faster).
DOCUTILS_SETTINGS: dict[str, Any] = {
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "report_level": 5,
    "halt_level": 5,
    "_disable_config": True,
}


def _paths(list_file: str) -> list[str]:
    return [line for line in Path(list_file).read_text(encoding="utf-8").splitlines() if line]


def run_cli(args: list[str]) -> tuple[int, Detail]:
    """``pipeline ARGS`` in this process (what the ``pipeline`` console script runs)."""
    import pipeline
    from pipeline.cli import main

    return main(args), {"imported_from": str(Path(pipeline.__file__).parent)}


def run_profile(args: list[str]) -> tuple[int, Detail]:
    """``pipeline ARGS[1:]`` under cProfile; the stats are dumped to ``ARGS[0]``."""
    import cProfile

    import pipeline
    from pipeline.cli import main

    profiler = cProfile.Profile()
    code = profiler.runcall(main, args[1:])
    profiler.dump_stats(args[0])
    return code, {"imported_from": str(Path(pipeline.__file__).parent)}


def switch_parameters_off() -> Detail:
    """Make ``pipeline.normalize`` call a ``parameters_of_page`` that finds nothing (the operations-only build)."""
    import pipeline.normalize
    from pipeline.normalize.parameters import PageParameters

    def no_parameters(*_args: object) -> PageParameters:
        return PageParameters()

    pipeline.normalize.parameters_of_page = no_parameters  # type: ignore[assignment]
    return {"parameter_stage": "off"}


def without_parameters(run: Callable[[list[str]], tuple[int, Detail]]) -> Callable[[list[str]], tuple[int, Detail]]:
    """``run`` (``cli`` or ``profile``) with the parameter stage off."""
    def run_off(args: list[str]) -> tuple[int, Detail]:
        off = switch_parameters_off()
        code, detail = run(args)
        return code, {**detail, **off}
    return run_off


def run_read(args: list[str]) -> tuple[int, Detail]:
    """The I/O floor: read every listed file's bytes."""
    total = 0
    for path in _paths(args[0]):
        with open(path, "rb") as handle:
            total += len(handle.read())
    return 0, {"bytes": total}


def run_lxml(args: list[str]) -> tuple[int, Detail]:
    """The parse floor: read and parse every listed HTML file with lxml, extract nothing."""
    from lxml import etree

    parser = etree.HTMLParser()
    elements = 0
    for path in _paths(args[0]):
        with open(path, "rb") as handle:
            root = etree.fromstring(handle.read(), parser)
        if root is not None:
            elements += 1
    return 0, {"documents": elements}


def run_pandas(args: list[str]) -> tuple[int, Detail]:
    """``pandas.read_html(flavor="lxml")`` on every listed page, every table extracted."""
    import pandas

    tables = rows = without = 0
    for path in _paths(args[0]):
        try:
            frames = pandas.read_html(path, flavor="lxml")
        except ValueError:  # "No tables found"
            without += 1
            continue
        tables += len(frames)
        rows += sum(len(frame) for frame in frames)
    return 0, {"tables": tables, "rows": rows, "pages_without_tables": without}


def run_docutils(args: list[str]) -> tuple[int, Detail]:
    """A full docutils document tree (``publish_doctree``) for every listed RST page."""
    from docutils import nodes
    from docutils.core import publish_doctree

    failed = tables = 0
    for path in _paths(args[0]):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        try:
            tree = publish_doctree(text, source_path=path, settings_overrides=DOCUTILS_SETTINGS)
        except Exception:  # a page docutils cannot turn into a tree still costs its time
            failed += 1
            continue
        tables += len(list(tree.findall(nodes.table)))
    return 0, {"tables": tables, "failed_pages": failed}


KINDS: dict[str, Callable[[list[str]], tuple[int, Detail]]] = {
    "cli": run_cli,
    "profile": run_profile,
    "cli-no-parameters": without_parameters(run_cli),
    "profile-no-parameters": without_parameters(run_profile),
    "read": run_read,
    "lxml": run_lxml,
    "pandas": run_pandas,
    "docutils": run_docutils,
}


def main(argv: list[str]) -> int:
    """Run the workload named by ``argv[1]`` and write the JSON report to ``argv[0]``."""
    if len(argv) < 2 or argv[1] not in KINDS:
        print(__doc__, file=sys.stderr)
        return 2
    result_path, kind, args = argv[0], argv[1], argv[2:]
    error = None
    try:
        code, detail = KINDS[kind](args)
    except Exception as exc:  # report the failure in the JSON; the runner shows it
        code, detail, error = 2, {}, f"{type(exc).__name__}: {exc}"
    inner = time.perf_counter() - _STARTED
    report = {
        "kind": kind,
        "exit": code,
        "error": error,
        "inner_seconds": inner,
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "children_maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        "detail": detail,
    }
    Path(result_path).write_text(json.dumps(report), encoding="utf-8")
    return code


if __name__ == "__main__":  # guarded: worker processes started with "spawn" re-import this module
    sys.exit(main(sys.argv[1:]))

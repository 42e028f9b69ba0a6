"""What ``pipeline build`` does, decided once: nothing (up to date), an incremental build, or a check.

``plan_build`` takes the page digests where the decision or the page store needs them (through
the stat index, ``pipeline.incremental.stat_index``) and decides by ``PLAN_RULES``, in order.
The command line only maps its arguments to a ``BuildRequest`` and prints what the plan did.
"""

from __future__ import annotations

import enum
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.incremental.blob_index import blob_digests
from pipeline.incremental.fingerprint import current_environment
from pipeline.incremental.stat_index import Clock, Discovery, Reader, input_digests
from pipeline.incremental.store import DEFAULT_STORE_DIR, PageStore
from pipeline.model import Census
from pipeline.output import DATA_FILES, census_json, generator_of, is_document, read_manifest, sources_json
from pipeline.rules import Rules
from pipeline.sources import read_bytes


class Mode(enum.Enum):
    """What a build does."""

    UP_TO_DATE = "up-to-date"  # --out was built from these very pages by this code: nothing to do
    INCREMENTAL = "incremental"  # build and replace --out; the page store serves the pages it holds
    CHECK = "check"  # build, compare with --out, write nothing


@dataclass(frozen=True, slots=True)
class BuildRequest:
    """The options that decide a build's plan: the roots (one or several), --out and the flags.
    ``store_dir`` is ``None`` with ``--no-cache``.
    """

    roots: Path | tuple[Path, ...]
    out: Path
    check: bool = False
    force: bool = False
    csv_safe: bool = False
    store_dir: Path | None = DEFAULT_STORE_DIR


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """What the plan is decided from: the request, what discovery found, the pages' digests (if taken)."""

    request: BuildRequest
    discovered: Discovery
    digests: dict[str, str] | None


@dataclass(frozen=True, slots=True)
class Decision:
    mode: Mode
    reason: str


@dataclass(frozen=True, slots=True)
class BuildPlan:
    """The decision, with what carrying it out needs: the digests taken and the page store (if any)."""

    mode: Mode
    reason: str
    digests: dict[str, str] | None = None
    store: PageStore | None = None


def check_requested(f: PlanFacts) -> Decision | None:
    """``--check``: always a fresh build, compared with --out."""
    return Decision(Mode.CHECK, "--check compares a fresh build with --out") if f.request.check else None


def force_requested(f: PlanFacts) -> Decision | None:
    """``--force``: --out is rewritten even when it is current."""
    return Decision(Mode.INCREMENTAL, "--force rebuilds every page") if f.request.force else None


def discovery_problem(f: PlanFacts) -> Decision | None:
    """A symbolic link or an unreadable folder is in no page digest: --out is never taken as current."""
    if not f.discovered[1]:
        return None
    return Decision(Mode.INCREMENTAL, "discovery found problems, which no page digest records")


def inputs_current(f: PlanFacts) -> Decision | None:
    """Every page's digest is the one --out was built from, by this code with these options: nothing to do."""
    if f.digests is None or not inputs_are_current(f.digests, f.request.out, f.request.csv_safe,
                                                   f.discovered.census):
        return None
    return Decision(Mode.UP_TO_DATE, "every page is as --out was built from")


def inputs_changed(f: PlanFacts) -> Decision:
    """Anything else: build and replace --out, the page store serving the pages it holds."""
    return Decision(Mode.INCREMENTAL, "pages changed since --out was built")


PLAN_RULES: Rules[PlanFacts, Decision] = Rules((
    check_requested, force_requested, discovery_problem, inputs_current, inputs_changed,
))


def plan_build(request: BuildRequest, discovered: Discovery, *, read: Reader = read_bytes,
               clock: Clock = time.time_ns) -> BuildPlan:
    """Take the digests the build needs (``page_digests``) and decide by ``PLAN_RULES``."""
    digests = page_digests(request, discovered, read=read, clock=clock)
    decision = PLAN_RULES.decide(PlanFacts(request, discovered, digests))
    store = PageStore(request.store_dir, current_environment()) if request.store_dir is not None else None
    return BuildPlan(decision.mode, decision.reason, digests, store)


def page_digests(request: BuildRequest, discovered: Discovery, *, read: Reader = read_bytes,
                 clock: Clock = time.time_ns) -> dict[str, str] | None:
    """Every page's sha256, where the up-to-date check or the page store needs them; with neither, ``None``
    (the build reads each page once instead of twice). ``--force`` trusts no stat index.
    """
    if request.store_dir is None and (request.check or request.force):
        return None
    if discovered.sources and all(source.blob is not None for source in discovered.sources):
        return blob_digests(discovered.sources, request.store_dir, trust_index=not request.force)
    return input_digests(request.roots, discovered, request.store_dir, trust_index=not request.force,
                         read=read, clock=clock)


def inputs_are_current(digests: dict[str, str], out: Path, csv_safe: bool = False,
                       census: Census | None = None) -> bool:
    """True when ``out`` was written by this code, with these options, from pages with these digests.

    ``digests`` maps each page's source path to the sha256 of its bytes. Everything in the
    dataset follows from those, so a rebuild with nothing changed needs neither parsing
    nor the page store. With ``census``, the files discovery skipped must also be as the
    manifest counted them. ``issues.json``, which an up-to-date build reads back to report
    its problems, must match its checksum: a damaged one is rebuilt, not believed.
    """
    previous = read_manifest(out)
    if previous is None or previous.get("generator") != generator_of(csv_safe):
        return False
    if census is not None and previous.get("discovery") != census_json(census):
        return False  # a file skipped came or went: the manifest's count is stale
    if census is not None and previous.get("sources", []) != sources_json(census):
        return False  # a source moved to another commit: the records' provenance is stale
    inputs = previous.get("inputs")
    if not isinstance(inputs, list) or len(inputs) != len(digests):
        return False
    documents = [name for name in _listed(previous) if is_document(name)]  # their number varies with the data
    return all(isinstance(i, dict) and digests.get(i.get("path", "")) == i.get("sha256") for i in inputs) \
        and all((out / name).is_file() for name in (*DATA_FILES, *documents)) \
        and _matches_checksum(out, "issues.json", previous)


def _listed(manifest: dict[str, Any]) -> list[str]:
    """The files the manifest checksums."""
    checksums = manifest.get("checksums")
    return list(checksums) if isinstance(checksums, dict) else []


def _matches_checksum(out: Path, name: str, manifest: dict[str, Any]) -> bool:
    checksums = manifest.get("checksums")
    expected = checksums.get(name) if isinstance(checksums, dict) else None
    try:
        with open(out / name, "rb") as handle:
            return isinstance(expected, str) and hashlib.file_digest(handle, "sha256").hexdigest() == expected
    except OSError:
        return False

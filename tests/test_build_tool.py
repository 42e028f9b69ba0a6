"""Issue 6: the build behaves like a build tool — cache, --check, --jobs, atomic writes, progress."""

from __future__ import annotations

import importlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pipeline.build import build, build_with_stats
from pipeline.cache import cache_key, decode_entry, encode_entry
from pipeline.cli import main
from pipeline.cli.progress import ProgressReporter
from pipeline.exporters.fragments import render_page
from pipeline.model import page_order
from pipeline.output import render

ROOT = Path(__file__).resolve().parent.parent
SEED = Path(__file__).resolve().parent / "fixtures" / "seed"
PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"


def test_cache_hits_on_rebuild_and_results_are_equal(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, stats1 = build_with_stats(SEED, cache_dir=cache)
    second, stats2 = build_with_stats(SEED, cache_dir=cache)
    assert (stats1.cache_hits, stats1.cache_misses) == (0, 5)
    assert (stats2.cache_hits, stats2.cache_misses) == (5, 0)
    assert render(first).files == render(second).files


def test_changed_page_is_reparsed(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(SEED, docs)
    cache = tmp_path / "cache"
    build_with_stats(docs, cache_dir=cache)
    page = docs / "nat" / "status-codes.md"
    page.write_text(page.read_text("utf-8").replace("Bad Request", "Bad  Request!"), "utf-8")
    dataset, stats = build_with_stats(docs, cache_dir=cache)
    assert (stats.cache_hits, stats.cache_misses) == (4, 1)
    assert any(r.documented_reason == "Bad Request!" for r in dataset.status_codes)


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_corrupt_cache_entry_is_rebuilt_not_trusted(tmp_path: Path, damage: str) -> None:
    cache = tmp_path / "cache"
    clean, _ = build_with_stats(SEED, cache_dir=cache)
    entries = list(cache.rglob("*.page"))
    assert len(entries) == 5
    for entry in entries:
        data = entry.read_bytes()
        entry.write_bytes({"truncate": data[: len(data) // 2], "flip": data[:-10] + b"X" + data[-9:],
                           "garbage": b"\x00\xff" * 10, "empty": b""}[damage])
    rebuilt, stats = build_with_stats(SEED, cache_dir=cache)
    assert stats.cache_hits == 0 and stats.cache_corrupt == 5
    assert render(rebuilt).files == render(clean).files
    assert build_with_stats(SEED, cache_dir=cache)[1].cache_hits == 5  # rewritten entries are good again


def test_cache_entry_round_trip_and_tamper_check() -> None:
    page = render_page(max(build(PAGES).pages, key=lambda p: min(len(p.issues), len(p.status_codes))))
    assert page.status_codes.count and page.tables and page.issues
    decoded = decode_entry(encode_entry(page))
    assert decoded is not None and decoded.status_codes.table.num_rows == page.status_codes.count  # checked batch
    assert replace(decoded, status_codes=replace(decoded.status_codes, table=None),
                   error_codes=replace(decoded.error_codes, table=None)) == page
    tampered = encode_entry(page).replace(b'"OK"', b'"KO"')
    assert tampered != encode_entry(page)
    assert decode_entry(tampered) is None


@pytest.mark.parametrize("change", ["code", "lxml"])
def test_new_code_or_library_invalidates_the_cache(monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    import importlib.metadata

    import pipeline.cache as cache_module

    key = cache_key("a/b.md", "0" * 64)
    if change == "code":
        monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "another version")
    else:
        real = importlib.metadata.version
        monkeypatch.setattr(importlib.metadata, "version", lambda name: "99.0" if name == "lxml" else real(name))
    cache_module.environment_fingerprint.cache_clear()
    try:
        assert cache_module.cache_key("a/b.md", "0" * 64) != key
    finally:
        monkeypatch.undo()
        cache_module.environment_fingerprint.cache_clear()
    assert cache_module.cache_key("a/b.md", "0" * 64) == key


def _slow_miss(task: tuple[object, str | None]) -> tuple[str, int]:
    time.sleep(1.0)
    return "parsed", 0


def test_hits_waiting_behind_a_slow_page_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """While one page parses in the pool, the cache hits behind it must not pile up without bound
    (they did: a one-page-changed rebuild of 10,000 pages peaked at 1 GB)."""
    build_module = importlib.import_module("pipeline.build")  # pipeline.build is the API function

    looked_up = []

    def hit_unless_first(task: tuple[SimpleNamespace, str | None], digest: str | None) -> tuple[str, int] | None:
        looked_up.append(task[0].source_path)
        return None if task[0].source_path == "svc/0" else ("hit", 1)

    monkeypatch.setattr(build_module, "_cached_only", hit_unless_first)
    monkeypatch.setattr(build_module, "_process_cached", _slow_miss)
    tasks = [(SimpleNamespace(source_path=f"svc/{i}"), "cache") for i in range(2000)]
    results = build_module._run(tasks, 2, {f"svc/{i}": "digest" for i in range(2000)})  # type: ignore[arg-type]
    assert next(results) == ("parsed", 0)
    assert len(looked_up) <= 2 * build_module.WINDOW_PER_JOB + build_module.LOOKAHEAD + 2
    assert [r for r, _ in results] == ["hit"] * 1999


def test_no_cache_writes_no_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert main(["build", str(SEED), "--out", str(tmp_path / "o"), "-q", "--no-cache", "--cache-dir",
                 str(cache)]) == 0
    assert not cache.exists()


def test_check_reports_current_and_stale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o"
    args = ["build", str(SEED), "--out", str(out), "--no-cache"]
    assert main(args) == 0
    assert main([*args, "--check"]) == 0
    (out / "status_codes.csv").write_bytes((out / "status_codes.csv").read_bytes() + b"x")
    (out / "error_codes.parquet").unlink()
    capsys.readouterr()
    assert main([*args, "--check"]) == 1
    err = capsys.readouterr().err
    assert "status_codes.csv" in err and "error_codes.parquet" in err and "status_codes.json" not in err
    assert main([*args, "--check", "-q"]) == 1


def test_check_summarises_record_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(SEED, docs)
    out = tmp_path / "o"
    assert main(["build", str(docs), "--out", str(out), "-q", "--no-cache"]) == 0
    (docs / "nat" / "status-codes.md").unlink()
    assert main(["build", str(docs), "--out", str(out), "--check", "--no-cache"]) == 1
    assert "status_codes: 83 -> 66 records" in capsys.readouterr().err


def test_unchanged_rebuild_skips_writing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o"
    args = ["build", str(SEED), "--out", str(out), "--cache-dir", str(tmp_path / "c")]
    assert main(args) == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert main(args) == 0
    assert "is up to date" in capsys.readouterr().err
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    assert main([*args, "--force", "-q"]) == 0


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages written by a test count as settled (not changed just before they are hashed)."""
    import pipeline.digests as digests

    monkeypatch.setattr(digests, "_now_ns", lambda: time.time_ns() + 10 * digests.RACY_NS)


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import pipeline.digests as digests

    read: list[str] = []
    real = digests.read_bytes

    def counting(source: Any) -> bytes:
        read.append(source.source_path)
        return real(source)

    monkeypatch.setattr(digests, "read_bytes", counting)
    return read


def test_stat_index_spares_reading_unchanged_pages(tmp_path: Path, settled: None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.digests import input_digests

    docs = tmp_path / "docs"
    shutil.copytree(SEED, docs)
    read = _counting_reads(monkeypatch)
    first = input_digests(docs, index_dir=tmp_path / "c")
    assert first is not None and len(read) == 5
    read.clear()
    assert input_digests(docs, index_dir=tmp_path / "c") == first and read == []
    page = docs / "nat" / "status-codes.md"
    stat = page.stat()
    data = page.read_bytes()
    page.write_bytes(data.replace(b"Bad Request", b"Bad Requesx"))  # same size, and the old mtime put back
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed = input_digests(docs, index_dir=tmp_path / "c")
    assert read == ["nat/status-codes.md"]  # the ctime gave it away
    assert changed is not None and changed["nat/status-codes.md"] != first["nat/status-codes.md"]
    read.clear()
    assert input_digests(docs, index_dir=tmp_path / "c", trust_index=False) == changed and len(read) == 5


def test_pages_changed_just_before_hashing_are_hashed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.digests import input_digests

    read = _counting_reads(monkeypatch)  # pages just copied: within the racy window
    assert input_digests(SEED, index_dir=tmp_path / "c") is not None  # settled pages of another root
    docs = tmp_path / "docs"
    shutil.copytree(SEED, docs)
    read.clear()
    input_digests(docs, index_dir=tmp_path / "c")
    input_digests(docs, index_dir=tmp_path / "c")
    assert len(read) == 10


@pytest.mark.parametrize("content", [b"", b"{", b'{"version": 1, "entries": {"x": [1]}}', b"\xff" * 9])
def test_unreadable_stat_index_is_ignored(tmp_path: Path, settled: None, content: bytes) -> None:
    from pipeline.digests import STAT_INDEX, input_digests

    expected = input_digests(SEED)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / STAT_INDEX).write_bytes(content)
    assert input_digests(SEED, index_dir=tmp_path / "c") == expected
    assert input_digests(SEED, index_dir=tmp_path / "c") == expected  # rewritten, now used


def test_force_hashes_every_page_whatever_the_index_says(tmp_path: Path, settled: None,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """A change the stat signature cannot show (faked here in the index) is missed by a normal
    rebuild, which trusts the index, and caught by --force, which reads every page."""
    from pipeline.digests import STAT_INDEX

    docs = tmp_path / "docs"
    shutil.copytree(SEED, docs)
    out, cache = tmp_path / "o", tmp_path / "c"
    args = ["build", str(docs), "--out", str(out), "--cache-dir", str(cache), "-q"]
    assert main(args) == 0
    page = docs / "nat" / "status-codes.md"
    page.write_text(page.read_text("utf-8").replace("Bad Request", "Bad  Request!"), "utf-8")
    index = json.loads((cache / STAT_INDEX).read_text("utf-8"))
    key = os.path.abspath(page)
    stat = page.stat()
    index["entries"][key][:5] = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev]
    (cache / STAT_INDEX).write_text(json.dumps(index), "utf-8")
    assert main(args) == 0
    assert "Bad Request!" not in (out / "status_codes.csv").read_text("utf-8")
    assert main([*args, "--force"]) == 0
    assert "Bad Request!" in (out / "status_codes.csv").read_text("utf-8")


def _same_dataset(a: Path, b: Path) -> None:
    """Two dataset directories hold the same files: text byte for byte, Parquet by content."""
    import pyarrow.parquet as pq

    names = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    for name in names:
        if name.endswith(".parquet"):
            assert pq.read_table(a / name).equals(pq.read_table(b / name)), name
        else:
            assert (a / name).read_bytes() == (b / name).read_bytes(), name


def _edit_docs(docs: Path, stray: bool = False) -> None:
    """Change the first page, one in the middle and the last; remove one; add one; maybe a stray file."""
    pages = sorted(p for p in docs.rglob("*") if p.is_file())
    for page in (pages[0], pages[len(pages) // 2], pages[-1]):
        page.write_bytes(page.read_bytes().replace(b"Bad Request", b"Bad Request (edited)") + b"\n\n")
    pages[5].unlink()
    shutil.copy(SEED / "nat" / "status-codes.md", docs / "apig" / "added-page.md")
    if stray:  # a discovery problem: issues.json ends with an entry of no page
        (docs / "stray.md").write_text("# not in a service folder\n", "utf-8")


@pytest.mark.parametrize(("jobs", "stray"), [("1", False), ("2", False), ("2", True)])
def test_rebuild_copies_unchanged_pages_and_equals_a_fresh_build(tmp_path: Path, jobs: str, stray: bool,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(PAGES, docs)
    out, cache = tmp_path / "out", tmp_path / "cache"
    args = ["build", str(docs), "--out", str(out), "--cache-dir", str(cache), "--jobs", jobs]
    assert main(args) == 0
    _edit_docs(docs, stray)
    capsys.readouterr()
    assert main(args) == 0
    pages = len([p for p in docs.glob("*/*") if p.is_file()])
    assert f"{pages - 4} unchanged pages copied from the previous dataset" in capsys.readouterr().err
    fresh = tmp_path / "fresh"
    assert main(["build", str(docs), "--out", str(fresh), "--no-cache", "-q"]) == 0
    _same_dataset(out, fresh)


@pytest.mark.parametrize("damage", ["csv", "parquet", "parquet-page", "spans", "counts"])
def test_damaged_previous_dataset_is_not_copied(tmp_path: Path, damage: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(PAGES, docs)
    out = tmp_path / "out"
    args = ["build", str(docs), "--out", str(out), "--no-cache"]
    assert main(args) == 0
    if damage == "csv":  # same size: only the checksum can tell
        data = (out / "error_codes.csv").read_bytes()
        (out / "error_codes.csv").write_bytes(data.replace(b"VPC.0101", b"VPC.0102", 1))
    elif damage == "parquet":
        (out / "status_codes.parquet").write_bytes(b"PAR1 not parquet PAR1")
    elif damage == "parquet-page":  # inside the data, footer intact: only the page CRCs can tell
        data = bytearray((out / "error_codes.parquet").read_bytes())
        data[len(data) // 3] ^= 0xFF
        (out / "error_codes.parquet").write_bytes(bytes(data))
    else:
        manifest = json.loads((out / "manifest.json").read_text("utf-8"))
        manifest["inputs"][3]["spans" if damage == "spans" else "error_codes"] = (
            [n + 1 for n in manifest["inputs"][3]["spans"]] if damage == "spans"
            else manifest["inputs"][3]["error_codes"] + 1)
        (out / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    _edit_docs(docs)
    capsys.readouterr()
    assert main(args) == 0
    if damage != "parquet-page":  # there, the pages before the damaged row group are still copied
        assert "copied from the previous dataset" not in capsys.readouterr().err
    fresh = tmp_path / "fresh"
    assert main(["build", str(docs), "--out", str(fresh), "--no-cache", "-q"]) == 0
    _same_dataset(out, fresh)


def test_manifest_spans_measure_the_files_as_written(tmp_path: Path) -> None:
    """Spans add up to each file (CSV after --csv-safe neutralising too), so a reader can use them."""
    from pipeline.output import SPAN_FILES

    for safe in ([], ["--csv-safe"]):
        out = tmp_path / f"out{len(safe)}"
        assert main(["build", str(PAGES), "--out", str(out), "--no-cache", "-q", *safe]) == 0
        inputs = json.loads((out / "manifest.json").read_text("utf-8"))["inputs"]
        for column, name in enumerate(SPAN_FILES):
            pieces = [i["spans"][column] for i in inputs if i["spans"][column]]
            data = (out / name).read_bytes()
            if name.endswith(".csv"):
                header = data.index(b"\r\n") + 2
                assert header + sum(pieces) == len(data), name
            else:
                opening, separator, closing = (6, 10, 7) if name.endswith("codes.json") else (4, 4, 3)
                assert opening + sum(pieces) + separator * (len(pieces) - 1) + closing == len(data), name


def test_cache_entry_of_another_page_is_not_used(tmp_path: Path) -> None:
    """Entries are found by a hash of path and content; one holding another page is rebuilt."""
    cache = tmp_path / "cache"
    clean, _ = build_with_stats(SEED, cache_dir=cache)
    entries = sorted(cache.rglob("*.page"))
    first, second = entries[0].read_bytes(), entries[1].read_bytes()
    entries[0].write_bytes(second)
    entries[1].write_bytes(first)
    rebuilt, stats = build_with_stats(SEED, cache_dir=cache)
    assert stats.cache_corrupt == 2
    assert render(rebuilt).files == render(clean).files


def test_previous_dataset_is_not_copied_under_other_options(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(PAGES, docs)
    out = tmp_path / "out"
    assert main(["build", str(docs), "--out", str(out), "--no-cache", "--csv-safe", "-q"]) == 0
    _edit_docs(docs)
    assert main(["build", str(docs), "--out", str(out), "--no-cache"]) == 0
    assert "copied from the previous dataset" not in capsys.readouterr().err
    fresh = tmp_path / "fresh"
    assert main(["build", str(docs), "--out", str(fresh), "--no-cache", "-q"]) == 0
    _same_dataset(out, fresh)


def test_jobs_give_identical_output() -> None:
    one = render(build(PAGES, jobs=1)).files
    two = render(build(PAGES, jobs=2)).files
    assert one == two


def test_progress_lines_when_not_a_tty() -> None:
    stream = io.StringIO()
    reporter = ProgressReporter(stream)
    for done in range(1, 101):
        reporter(done, 100)
    lines = stream.getvalue().splitlines()
    assert lines[-1] == "building: 100/100 pages (100%)" and 5 <= len(lines) <= 12


def test_progress_silent_for_small_builds_and_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stream = io.StringIO()
    for done in range(1, 6):
        ProgressReporter(stream)(done, 5)
    assert stream.getvalue() == ""
    assert main(["build", str(PAGES), "--out", str(tmp_path / "o"), "-q", "--no-cache"]) == 0
    assert capsys.readouterr().err == ""


def test_manifest_records_inputs_and_dataset_hash(tmp_path: Path) -> None:
    out = tmp_path / "o"
    assert main(["build", str(SEED), "--out", str(out), "-q", "--no-cache"]) == 0
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["generator"]["name"] == "pipeline"
    paths = [i["path"] for i in manifest["inputs"]]
    assert paths == sorted(paths, key=page_order)  # by service, then path: vpn/ before vpn-enterprise/
    nat = next(i for i in manifest["inputs"] if i["path"] == "nat/status-codes.md")
    import hashlib

    assert nat["sha256"] == hashlib.sha256((SEED / "nat/status-codes.md").read_bytes()).hexdigest()
    assert nat["status_codes"] == 17
    assert len(manifest["dataset_sha256"]) == 64


def _consistent(out: Path) -> str:
    """'complete' when out/ is one whole dataset whose files agree with its manifest."""
    import hashlib

    from pipeline.exporters.datapackage import content_hash

    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    hashes = {n: hashlib.sha256((out / n).read_bytes()).hexdigest() for n in ("status_codes.json", "error_codes.json")}
    assert hashes == manifest["files"]
    assert content_hash(hashes) == manifest["dataset_sha256"]
    status = json.loads((out / "status_codes.json").read_text("utf-8"))
    assert len(status) == manifest["counts"]["status_codes"]
    csv_rows = (out / "status_codes.csv").read_bytes().count(b"\r\n") - 1
    assert csv_rows == len(status)  # no field of these pages holds a line break
    return manifest["dataset_sha256"]


def test_killed_builds_leave_the_previous_complete_dataset(tmp_path: Path) -> None:
    """SIGKILL real builds at several moments: out/ is always one whole dataset, old or new."""
    docs_a, docs_b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(PAGES, docs_b)
    shutil.copytree(SEED, docs_a)
    out = tmp_path / "out"
    assert main(["build", str(docs_a), "--out", str(out), "-q", "--no-cache"]) == 0
    old_hash = _consistent(out)
    command = [sys.executable, "-m", "pipeline", "build", str(docs_b), "--out", str(out), "-q", "--no-cache",
               "--jobs", "1"]
    started = time.monotonic()
    subprocess.run(command, check=True, cwd=tmp_path)
    duration = time.monotonic() - started
    new_hash = _consistent(out)
    assert main(["build", str(docs_a), "--out", str(out), "-q", "--no-cache", "--allow-shrink"]) == 0  # back to A
    seen = set()
    for fraction in (0.2, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98):
        process = subprocess.Popen(command, cwd=tmp_path)
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait()
        current = _consistent(out)
        assert current in (old_hash, new_hash)
        seen.add(current)
        if current == new_hash:
            assert main(["build", str(docs_a), "--out", str(out), "-q", "--no-cache", "--allow-shrink"]) == 0
    assert main(["build", str(docs_b), "--out", str(out), "-q", "--no-cache"]) == 0
    assert _consistent(out) == new_hash
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # abandoned staging removed

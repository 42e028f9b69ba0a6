"""Issue 12: a build never deletes what is not ours, never silently loses a dataset, never ends in a traceback.

Also: every platform-specific call has a fallback, forced here by hiding the capability
through ``pipeline.platform.overriding`` (items 1-4, 19 and 20).
"""

from __future__ import annotations

import errno
import functools
import hashlib
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from pipeline import platform
from pipeline.building import build
from pipeline.cli import main
from pipeline.datasets import RESOURCES
from pipeline.output import (
    FORMAT,
    STAGING_MARKER,
    FileOps,
    OutputError,
    remove_abandoned_staging,
    write_results,
)

SEED = Path(__file__).resolve().parent / "fixtures" / "seed"
PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (links included, not followed) by relative path: a hash of its bytes."""
    files = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            files[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture(scope="session")
def built_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``pages`` fixture built once (~2,300 records); tests get copies (``dataset``)."""
    out = tmp_path_factory.mktemp("pages-dataset") / "out"
    assert main(["build", str(PAGES), "--out", str(out), "-q", "--no-cache"]) == 0
    return out


@pytest.fixture
def dataset(tmp_path: Path, built_pages: Path) -> Path:
    """A previous dataset of the ``pages`` fixture in ``tmp_path/out``: a copy of ``built_pages``."""
    return Path(shutil.copytree(built_pages, tmp_path / "out", symlinks=True))


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


# --- 1. an empty or wrong input never replaces a good dataset -------------------------------------


@pytest.mark.parametrize(("layout", "hint"), [
    ({}, "the folder is empty"),
    ({"status-code.md": SEED / "nat" / "status-codes.md"}, "pages lie directly in the root"),
    ({"svc/.hidden.md": SEED / "nat" / "status-codes.md"}, "no pages found in its service folders"),
])
@pytest.mark.parametrize("check", [False, True])
def test_a_build_of_no_pages_fails_and_keeps_the_dataset(tmp_path: Path, dataset: Path, layout: dict[str, Path],
                                                         hint: str, check: bool,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for rel, page in layout.items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(page, docs / rel)
    before = _snapshot(dataset)
    capsys.readouterr()
    argv = ["build", str(docs), "--out", str(dataset), "--no-cache", *(["--check"] if check else [])]
    assert main(argv) == 2
    line = _one_line(capsys.readouterr().err)
    assert line.startswith(f"pipeline: {docs}: no pages found") and hint in line
    if layout and "/" not in next(iter(layout)):
        assert f"pass the parent folder ({tmp_path})" in line
    assert _snapshot(dataset) == before


def test_a_single_service_root_says_to_pass_its_parent(tmp_path: Path, dataset: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    before = _snapshot(dataset)
    capsys.readouterr()
    assert main(["build", str(PAGES / "vpc"), "--out", str(dataset), "--no-cache"]) == 2
    assert "pass the parent folder" in _one_line(capsys.readouterr().err)
    assert _snapshot(dataset) == before


def test_removing_more_than_half_of_the_records_needs_allow_shrink(tmp_path: Path, dataset: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    before = _snapshot(dataset)
    counts = json.loads((dataset / "manifest.json").read_text("utf-8"))["counts"]
    previous = sum(counts[r.name] for r in RESOURCES)  # every dataset's records, the page records too
    capsys.readouterr()
    argv = ["build", str(SEED), "--out", str(dataset), "--no-cache", "-q"]
    assert main(argv) == 2
    line = _one_line(capsys.readouterr().err)
    assert f"refusing to replace {previous} records with {83 + 5}" in line and "--allow-shrink" in line  # 5 pages
    assert _snapshot(dataset) == before
    assert not [p.name for p in dataset.parent.iterdir() if p.name.startswith(".out.")]  # staging removed
    assert main([*argv, "--allow-shrink"]) == 0
    assert json.loads((dataset / "manifest.json").read_text("utf-8"))["counts"]["status_codes"] == 83


def test_losing_less_than_half_is_not_refused(tmp_path: Path, dataset: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(PAGES, docs)
    shutil.rmtree(docs / "vpc")
    assert main(["build", str(docs), "--out", str(dataset), "--no-cache", "-q"]) == 0


# --- 2. --out must never delete what isn't ours ---------------------------------------------------


def _foreign(out: Path, kind: str) -> None:
    """Make ``out`` something that is not (only) our dataset."""
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    if kind == "web-app":
        shutil.rmtree(out)
        out.mkdir()
        manifest_path.write_text('{"name": "My App", "start_url": "/", "icons": []}', "utf-8")
        (out / "index.html").write_text("<h1>my work</h1>", "utf-8")
    elif kind == "other-generator":
        manifest["generator"]["name"] = "webpack"
        manifest_path.write_text(json.dumps(manifest), "utf-8")
    elif kind == "other-format":
        manifest["format"] = "pipeline-dataset/99"
        manifest_path.write_text(json.dumps(manifest), "utf-8")
    elif kind == "listed-file-missing":
        (out / "tables.json").unlink()
    elif kind == "listed-file-is-a-link":
        (out / "tables.json").unlink()
        (out / "tables.json").symlink_to(out.parent / "elsewhere.json")
    elif kind == "lists-a-stranger":
        manifest["checksums"]["../../etc/passwd"] = "0" * 64
        manifest_path.write_text(json.dumps(manifest), "utf-8")
    elif kind == "user-file-inside":
        (out / "notes.txt").write_text("my notes", "utf-8")
    elif kind == "legacy-tampered":  # no format (an older version) and a file not matching its checksum
        del manifest["format"]
        manifest_path.write_text(json.dumps(manifest), "utf-8")
        (out / "tables.json").write_text("[]\n", "utf-8")
    elif kind == "not-json":
        manifest_path.write_text("<html>", "utf-8")


@pytest.mark.parametrize("kind", ["web-app", "other-generator", "other-format", "listed-file-missing",
                                  "listed-file-is-a-link", "lists-a-stranger", "user-file-inside",
                                  "legacy-tampered", "not-json"])
def test_a_folder_that_is_not_our_dataset_is_refused_and_kept(dataset: Path, kind: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    _foreign(dataset, kind)
    before = _snapshot(dataset)
    capsys.readouterr()
    assert main(["build", str(PAGES), "--out", str(dataset), "--no-cache", "--force"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert line.startswith(f"pipeline: {dataset}: refusing to replace this folder: ")
    assert _snapshot(dataset) == before


def test_our_manifest_carries_the_signature(dataset: Path) -> None:
    manifest = json.loads((dataset / "manifest.json").read_text("utf-8"))
    assert manifest["format"] == FORMAT and manifest["generator"]["name"] == "pipeline"


@pytest.mark.parametrize("kind", ["current", "legacy", "os-litter"])
def test_our_own_dataset_is_replaced(tmp_path: Path, dataset: Path, kind: str) -> None:
    if kind == "legacy":  # written before the format was recorded: accepted when its checksums hold
        manifest = json.loads((dataset / "manifest.json").read_text("utf-8"))
        del manifest["format"]
        (dataset / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    elif kind == "os-litter":
        (dataset / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    docs = tmp_path / "docs"
    shutil.copytree(PAGES, docs)
    (docs / "nat" / "added.md").write_bytes((SEED / "nat" / "status-codes.md").read_bytes())
    assert main(["build", str(docs), "--out", str(dataset), "--no-cache", "-q"]) == 0
    assert json.loads((dataset / "manifest.json").read_text("utf-8"))["format"] == FORMAT


# --- 3. stale staging: our names, taken literally, and our marker ---------------------------------


def test_staging_clean_up_takes_the_out_name_literally_and_wants_our_marker(tmp_path: Path) -> None:
    """``--out 'x*'``: ``.xy.tmp-<pid>-…`` (a user's folder, or the staging of ``--out xy``) matches the
    pattern ``.x*.tmp-*-*`` but is not ours; our own name without our marker is not ours either."""
    pid = _dead_pid()
    siblings = [tmp_path / f".xy.tmp-{pid}-keep", tmp_path / f".xy.tmp-{pid}-marked", tmp_path / "xyz"]
    ours_unmarked = tmp_path / f".x*.tmp-{pid}-abc"
    ours = tmp_path / f".x*.tmp-{pid}-def"
    for folder in (*siblings, ours_unmarked, ours):
        folder.mkdir()
        (folder / "work.txt").write_text("precious", "utf-8")
    for folder in (siblings[1], ours):
        (folder / STAGING_MARKER).write_text(json.dumps({"pid": pid}), "utf-8")
    assert main(["build", str(SEED), "--out", str(tmp_path / "x*"), "-q", "--no-cache"]) == 0
    assert all((folder / "work.txt").is_file() for folder in (*siblings, ours_unmarked))
    assert not ours.exists()


def test_staging_of_a_build_killed_while_marking_it_is_removed(tmp_path: Path) -> None:
    """A build killed between making its staging folder and writing its marker (an fsync, slow on a busy
    disk) left the folder empty or with a half-written marker, and no later build removed it."""
    pid = _dead_pid()
    empty, half, other = (tmp_path / f".out.tmp-{pid}-{name}" for name in ("empty", "half", "other"))
    for folder in (empty, half, other):
        folder.mkdir()
    (half / STAGING_MARKER).write_bytes(b'{"pid": 12')
    (other / STAGING_MARKER).write_bytes(b'{"pid": 12')
    (other / "notes.txt").write_text("not ours to delete", "utf-8")
    alive = tmp_path / f".out.tmp-{os.getppid()}-alive"  # an owner still running: its build goes on
    alive.mkdir()
    remove_abandoned_staging(tmp_path / "out")
    assert not empty.exists() and not half.exists()
    assert (other / "notes.txt").is_file() and alive.is_dir()


# --- 4. symlinks, mount points, read-only parents, full disks -------------------------------------


def test_a_symlinked_out_is_written_through_and_kept(tmp_path: Path, dataset: Path) -> None:
    link = tmp_path / "current"
    link.symlink_to(dataset.name)
    assert main(["build", str(SEED), "--out", str(link), "-q", "--no-cache", "--allow-shrink"]) == 0
    assert link.is_symlink() and os.readlink(link) == dataset.name
    assert json.loads((dataset / "manifest.json").read_text("utf-8"))["counts"]["status_codes"] == 83
    assert sorted(p.name for p in tmp_path.iterdir()) == ["current", "out"]
    dangling = tmp_path / "next"
    dangling.symlink_to("made-by-the-build")
    assert main(["build", str(SEED), "--out", str(dangling), "-q", "--no-cache"]) == 0
    assert dangling.is_symlink() and (tmp_path / "made-by-the-build" / "manifest.json").is_file()


def test_a_symlink_loop_as_out_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to("loop")
    assert main(["build", str(SEED), "--out", str(loop), "-q", "--no-cache"]) == 2
    assert "symbolic link" in _one_line(capsys.readouterr().err)
    assert loop.is_symlink()


@functools.cache
def _pages() -> tuple[Any, ...]:
    """SEED's pages, built once."""
    return tuple(build(SEED).pages)


def _refused(dataset: Path, ops: FileOps, reason: str) -> str:
    """Write SEED's dataset over ``dataset`` with ``ops``; it must fail in one line, leaving all as it was."""
    before = _snapshot(dataset.parent)
    with pytest.raises(OutputError) as caught:
        write_results(_pages(), dataset, allow_shrink=True, ops=ops)
    message = str(caught.value)
    assert "\n" not in message and reason in message and message.startswith(f"{dataset}")
    assert _snapshot(dataset.parent) == before  # no staging, no half-renamed folder left
    return message


def test_a_mount_point_is_refused(dataset: Path) -> None:
    _refused(dataset, FileOps(is_mount=lambda path: path == dataset), "is a mount point")


@pytest.mark.parametrize("code", [errno.EXDEV, errno.EBUSY])
def test_a_failed_swap_is_one_line_and_puts_the_previous_dataset_back(dataset: Path, code: int) -> None:
    """Renames across or onto a mount point fail with EXDEV/EBUSY; the first rename has already moved
    the previous dataset aside, and it must come back."""
    moves: list[tuple[Path, Path]] = []

    def rename(src: Path, dst: Path) -> None:
        if moves and Path(src).name.startswith(".out.tmp-"):
            raise OSError(code, os.strerror(code), str(src), None, str(dst))
        moves.append((Path(src), Path(dst)))
        os.replace(src, dst)

    _refused(dataset, FileOps(rename=rename, exchange=lambda a, b: False), os.strerror(code))
    assert moves[0][1].name.startswith(".out.old-") and moves[1] == (moves[0][1], dataset)


def test_a_read_only_parent_is_one_line(tmp_path: Path, dataset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def mkdtemp(prefix: str, parent: Path) -> str:
        raise PermissionError(errno.EACCES, "Permission denied", str(parent / prefix))

    _refused(dataset, FileOps(mkdtemp=mkdtemp), "Permission denied")
    if os.geteuid() != 0:  # root writes anywhere: the real thing only runs for other users
        os.chmod(tmp_path, 0o555)
        try:
            assert main(["build", str(SEED), "--out", str(dataset), "-q", "--no-cache", "--allow-shrink"]) == 2
        finally:
            os.chmod(tmp_path, 0o755)
        assert "Permission denied" in _one_line(capsys.readouterr().err)


def _disk_full_after(name: str, budget: int) -> Callable[[Path], BinaryIO]:
    """An opener whose file ``name`` fails with ENOSPC once ``budget`` bytes are written."""

    class Full(io.FileIO):
        written = 0

        def write(self, data: Any) -> int:
            if self.written + len(data) > budget:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.name)
            self.written += len(data)
            return super().write(data)

    def opener(path: Path) -> BinaryIO:
        return Full(path, "wb") if path.name == name else open(path, "wb")  # type: ignore[return-value]

    return opener


@pytest.mark.parametrize(("name", "budget"), [("status_codes.csv", 0), ("status_codes.csv", 2000),
                                              ("error_codes.parquet", 100), ("manifest.json", 0),
                                              (STAGING_MARKER, 0), ("pipeline.db", 4096),
                                              ("error_catalog.json", 0)])
def test_a_full_disk_is_one_line_and_keeps_the_dataset(dataset: Path, name: str, budget: int) -> None:
    message = _refused(dataset, FileOps(open=_disk_full_after(name, budget)), "No space left on device")
    assert message.endswith("nothing was replaced")


def test_a_full_disk_under_parquet_leaves_the_interpreter_sound(dataset: Path) -> None:
    """pyarrow writing through a Python file that fails left CPython 3.11's recursion count off by 11: a
    later ``ast.parse`` of a deeply nested module failed with SystemError (test_problems.py did, after
    this module). The Parquet file is now made in pyarrow's memory and copied to the file by us."""
    import ast

    _refused(dataset, FileOps(open=_disk_full_after("error_codes.parquet", 100)), "No space left on device")
    ast.parse((Path(__file__).resolve().parent.parent / "pipeline" / "parsers" / "rst.py").read_text("utf-8"))


# --- 19. what the user should run, and what INPUT should be ---------------------------------------


def test_check_prints_the_exact_command_to_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs, out, cache = tmp_path / "my docs", tmp_path / "data set", tmp_path / "c$che"
    shutil.copytree(SEED, docs)
    assert main(["build", str(docs), "--out", str(out), "-q", "--no-cache"]) == 0
    capsys.readouterr()
    assert main(["build", str(docs), "--out", str(out), "--check", "--csv-safe", "--cache-dir", str(cache)]) == 1
    expected = shlex.join(["pipeline", "build", str(docs), "--out", str(out), "--csv-safe", "--cache-dir",
                           str(cache)])
    assert f"run `{expected}` to regenerate it" in capsys.readouterr().err
    assert main(["build", str(docs), "--out", str(out), "--check", "--csv-safe", "--no-cache"]) == 1
    assert f"`{shlex.join(['pipeline', 'build', str(docs), '--out', str(out), '--csv-safe', '--no-cache'])}`" \
        in capsys.readouterr().err


def test_a_file_as_input_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = SEED / "nat" / "status-codes.md"
    assert main(["build", str(page), "--out", str(tmp_path / "o")]) == 2
    line = _one_line(capsys.readouterr().err)
    assert line.startswith(f"pipeline: {page}: is a file") and "one sub-folder per service" in line
    assert not (tmp_path / "o").exists()


# --- 20. every platform-specific call has a fallback ---------------------------------------------


def _same_dataset(a: Path, b: Path) -> None:
    import pyarrow.parquet as pq

    names = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    for name in names:
        if name.endswith(".parquet"):
            assert pq.read_table(a / name).equals(pq.read_table(b / name)), name
        else:
            assert (a / name).read_bytes() == (b / name).read_bytes(), name


CAPABILITIES = ["rename_exchange", "process_probe", "ctime_is_change", "directory_sync"]


def _edit_three_pages(docs: Path) -> None:
    for page in sorted(docs.glob("*/*"))[:3]:
        page.write_bytes(page.read_bytes().replace(b"Bad Request", b"Bad Request (edited)") + b"\n\n")


@pytest.fixture(scope="session")
def edited_pages_fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh build, every capability present, of the ``pages`` fixture after ``_edit_three_pages``."""
    docs = tmp_path_factory.mktemp("edited") / "docs"
    shutil.copytree(PAGES, docs)
    _edit_three_pages(docs)
    fresh = docs.parent / "fresh"
    assert main(["build", str(docs), "--out", str(fresh), "--no-cache", "-q"]) == 0
    return fresh


@pytest.mark.parametrize("hidden", CAPABILITIES)
def test_each_fallback_builds_the_same_dataset(tmp_path: Path, hidden: str, edited_pages_fresh: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A build, a rebuild after edits (serving unchanged pages from the store, swapping the dataset in) and
    a --check, with one capability hidden, give what they give with every capability."""
    docs = tmp_path / "docs"
    shutil.copytree(PAGES, docs)
    out, cache = tmp_path / "out", tmp_path / "cache"
    args = ["build", str(docs), "--out", str(out), "--cache-dir", str(cache), "--jobs", "1"]
    with platform.overriding(platform.detect().without(hidden)):
        assert main(args) == 0
        _edit_three_pages(docs)
        capsys.readouterr()
        assert main(args) == 0
        assert f"cache {len(list(docs.glob('*/*'))) - 3} hits, 3 misses" in capsys.readouterr().err
        assert main([*args, "--check"]) == 0
    _same_dataset(out, edited_pages_fresh)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "docs", "out"]
    assert (cache / "stat-index.json").exists() == (hidden != "ctime_is_change")


def test_without_change_times_every_page_is_hashed(tmp_path: Path) -> None:
    """Where ctime is the creation time, an edit that puts the mtime back would hide from a stat index."""
    from pipeline.incremental.stat_index import input_digests

    docs = tmp_path / "docs"
    shutil.copytree(SEED, docs)
    old = time.time() - 3600
    for page in docs.rglob("*.md"):
        os.utime(page, (old, old))
    with platform.overriding(platform.detect().without("ctime_is_change")):
        first = input_digests(docs, index_dir=tmp_path / "c")
        page = docs / "nat" / "status-codes.md"
        stat = page.stat()
        page.write_bytes(page.read_bytes().replace(b"Bad Request", b"Bad Requesx"))
        os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        second = input_digests(docs, index_dir=tmp_path / "c")
    assert first is not None and second is not None
    assert first["nat/status-codes.md"] != second["nat/status-codes.md"]
    assert not (tmp_path / "c").exists()


def test_without_a_process_probe_staging_is_judged_by_age(tmp_path: Path) -> None:
    out = tmp_path / "out"
    young, aged = tmp_path / f".out.tmp-{os.getppid()}-young", tmp_path / f".out.tmp-{os.getppid()}-aged"
    for folder in (young, aged):
        folder.mkdir()
        (folder / STAGING_MARKER).write_text(json.dumps({"pid": os.getppid()}), "utf-8")
    two_days_ago = time.time() - 2 * 86400
    os.utime(aged, (two_days_ago, two_days_ago))
    with platform.overriding(platform.detect().without("process_probe")):
        remove_abandoned_staging(out)
    assert young.exists() and not aged.exists()
    remove_abandoned_staging(out)  # probed: its owner (our parent) is alive
    assert young.exists()


def test_a_swap_killed_between_its_two_renames_is_repaired(tmp_path: Path, dataset: Path) -> None:
    """Without an atomic exchange the previous dataset is renamed aside first: a build killed right
    then leaves no --out, and the next build puts the previous dataset back before anything else."""
    before = _snapshot(dataset)
    aside = dataset.with_name(f".out.old-{_dead_pid()}")
    dataset.rename(aside)
    remove_abandoned_staging(dataset)
    assert _snapshot(dataset) == before and not aside.exists()


def test_every_capability_has_its_fallback_tested() -> None:
    import dataclasses

    assert [f.name for f in dataclasses.fields(platform.Capabilities)] == CAPABILITIES


def test_an_unknown_capability_is_an_error() -> None:
    with pytest.raises(ValueError, match="no_such"):
        platform.detect().without("no_such")

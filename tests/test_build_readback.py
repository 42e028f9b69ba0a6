"""What ``pipeline build`` reads back and prints, after issue 12's review.

* every JSON file a build reads back (manifest, stat index, page-store entries, staging marker,
  issues.json) goes through ``pipeline.jsonfile``: nested 200,000 deep it is corrupt (rebuilt,
  or a one-line refusal), never a ``RecursionError`` traceback;
* every path and text ``build`` prints is escaped (summary, up-to-date line, ``--check`` hint
  and its ``differs:`` lines);
* only our own files are replaced: OS litter as plain small files, and files with dataset names
  as we wrote them (checksums, Parquet magic, JSON objects);
* ``--check`` honours ``--strict`` and ``-q``, and its hint repeats every option that matters;
* a build where no page could be read exits 2 and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.cli.build_command import NOT_REPEATED, REBUILD_OPTIONS

SEED = Path(__file__).resolve().parent / "fixtures" / "seed"
DEEP = b"[" * 200_000
#: What must never reach a terminal raw: ESC, BEL, a bidi override.
RAW = ("\x1b", "\x07", "\u202e")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SEED, tmp_path / "docs"))


def build(capsys: pytest.CaptureFixture[str], docs: Path, out: Path, *extra: str) -> tuple[int, str]:
    return run(capsys, "build", str(docs), "--out", str(out), "-j", "1", *extra)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- JSON read back: damage is an outcome, never a traceback ------------------------------------------

def test_a_deep_manifest_is_refused_in_one_line(tmp_path: Path, docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert build(capsys, docs, out, "--no-cache")[0] == 0
    (out / "manifest.json").write_bytes(DEEP)
    before = snapshot(out)
    code, err = build(capsys, docs, out, "--no-cache")
    assert code == 2 and err.strip().splitlines() == [
        f"pipeline: {out}: refusing to replace this folder: its manifest.json is nested too deeply to read; "
        "choose a new or empty folder for --out"]
    assert snapshot(out) == before


def test_a_deep_stat_index_is_rebuilt(tmp_path: Path, docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert build(capsys, docs, out, "--cache-dir", str(cache))[0] == 0
    [index] = [p for p in cache.iterdir() if p.is_file() and p.suffix == ".json"]
    index.write_bytes(b'{"version": 1, "entries": ' + DEEP)
    (docs / "nat" / "status-codes.md").write_text((docs / "nat" / "status-codes.md").read_text() + "\n")
    code, err = build(capsys, docs, out, "--cache-dir", str(cache))
    assert code == 0, err
    assert json.loads(index.read_bytes())["version"] == 1  # written anew


def test_a_poisoned_page_store_entry_is_corrupt_and_rebuilt(tmp_path: Path, docs: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """An entry whose sha256 heads a payload nested 5,000 deep: its checksum holds, its JSON does not."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert build(capsys, docs, out, "--cache-dir", str(cache))[0] == 0
    expected = snapshot(out)
    payload = b"[" * 5000
    entries = sorted(cache.rglob("*.page"))
    assert entries
    for entry in entries:
        entry.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    code, err = build(capsys, docs, out, "--cache-dir", str(cache), "--force")
    assert code == 0 and f"({len(entries)} corrupt entries rebuilt)" in err
    assert snapshot(out) == expected
    code, err = build(capsys, docs, out, "--cache-dir", str(cache), "--force")
    assert code == 0 and f"cache {len(entries)} hits, 0 misses" in err  # the entries were rewritten


def test_a_deep_staging_marker_is_not_a_traceback(tmp_path: Path, docs: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    sibling = tmp_path / ".out.tmp-999999-abc"
    sibling.mkdir()
    (sibling / ".pipeline-staging").write_bytes(b"[" * 4000)
    (sibling / "keep.txt").write_text("not ours")  # a damaged marker does not make a folder ours
    code, err = build(capsys, docs, out, "--no-cache")
    assert code == 0, err
    assert (sibling / "keep.txt").read_text() == "not ours"


def test_a_damaged_issues_json_of_a_current_dataset_is_not_believed(tmp_path: Path, docs: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Nothing changed, but issues.json no longer matches its checksum: not "up to date" with 0 problems,
    and not overwritten either (a file that is not as we wrote it may be the user's): one line."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert build(capsys, docs, out, "--cache-dir", str(cache))[0] == 0
    (out / "issues.json").write_bytes(DEEP)
    before = snapshot(out)
    code, err = build(capsys, docs, out, "--cache-dir", str(cache))
    assert code == 2 and err.strip().splitlines() == [
        f"pipeline: {out}: refusing to replace this folder: issues.json is not the file pipeline wrote (its content "
        "does not match its manifest.json); choose a new or empty folder for --out"]
    assert snapshot(out) == before


def test_a_poisoned_issues_json_with_its_checksum_is_one_line(tmp_path: Path, docs: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert build(capsys, docs, out, "--cache-dir", str(cache))[0] == 0
    (out / "issues.json").write_bytes(DEEP)
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    manifest["checksums"]["issues.json"] = hashlib.sha256(DEEP).hexdigest()
    (out / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    code, err = build(capsys, docs, out, "--cache-dir", str(cache))
    assert code == 2 and err.strip().splitlines() == [
        f"pipeline: {out}: issues.json is nested too deeply to read; run the build with --force to rewrite the "
        "dataset"]


# --- everything printed is escaped --------------------------------------------------------------------

def test_every_line_build_prints_escapes_the_out_path(tmp_path: Path, docs: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out\x1b]0;PWNED\x07\u202e"
    shown = str(out).encode("unicode_escape").decode("ascii")  # ESC as the four characters \x1b
    outputs = [build(capsys, docs, out, "--no-cache"), build(capsys, docs, out, "--no-cache")]
    (out / "status_codes.csv").write_text("stale\n", "utf-8")
    outputs.append(build(capsys, docs, out, "--no-cache", "--check"))
    codes = [code for code, _ in outputs]
    err = "".join(text for _, text in outputs)
    assert codes == [0, 0, 1]
    assert not any(ch in err for ch in RAW), err
    assert f"-> {shown}" in err  # the summary
    assert f"pipeline: {shown} is up to date" in err
    assert f"pipeline: {shown} is stale; run `" in err and f"  differs: {shown}/status_codes.csv" in err
    hint = re.search(r"run `(.*)` to regenerate it", err)
    assert hint is not None and f"--out $'{shown}'" in hint.group(1)  # ANSI-C quoted: exact for the shell


# --- only our own files are replaced ------------------------------------------------------------------

def test_a_folder_named_like_os_litter_is_not_litter(tmp_path: Path, docs: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert build(capsys, docs, out, "--no-cache")[0] == 0
    (out / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")  # real litter: still replaced
    assert build(capsys, docs, out, "--no-cache", "--force")[0] == 0
    (out / "Thumbs.db").mkdir()
    (out / "Thumbs.db" / "photo.jpg").write_bytes(b"\xff\xd8\xff photo")
    code, err = build(capsys, docs, out, "--no-cache", "--force", "--allow-shrink")
    assert code == 2 and "'Thumbs.db', named like OS litter but not a small plain file" in err
    assert (out / "Thumbs.db" / "photo.jpg").read_bytes() == b"\xff\xd8\xff photo"


@pytest.mark.parametrize("name", ["status_codes.json", "error_codes.csv", "datapackage.json",
                                  "status_codes.parquet", "schemas/status_codes.schema.json"])
def test_user_files_with_dataset_names_beside_a_copied_manifest_are_kept(tmp_path: Path, docs: Path,
                                                                         capsys: pytest.CaptureFixture[str],
                                                                         name: str) -> None:
    out = tmp_path / "out"
    assert build(capsys, docs, out, "--no-cache")[0] == 0
    (out / name).write_text("USER DATA\n", "utf-8")
    code, err = build(capsys, docs, out, "--no-cache", "--force", "--allow-shrink")
    assert code == 2 and f"{name} is not the file pipeline wrote" in err
    assert (out / name).read_text("utf-8") == "USER DATA\n"


# --- --check: --strict, -q, and the hint ------------------------------------------------------------

def test_check_honours_strict_and_quiet(tmp_path: Path, docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (docs / "nat" / "junk.md").write_bytes(b"\x00\x01\x02binary\x00")  # an error-severity problem
    out = tmp_path / "out"
    assert build(capsys, docs, out, "--no-cache")[0] == 0
    code, err = build(capsys, docs, out, "--no-cache", "--check")
    assert code == 0 and "nat/junk.md: binary data" in err and "is up to date" in err
    assert build(capsys, docs, out, "--no-cache", "--check", "--strict")[0] == 1
    code, err = build(capsys, docs, out, "--no-cache", "--check", "-q")
    assert code == 0 and err.splitlines() == ["nat/junk.md: binary data, not a text page"]


def test_check_hint_repeats_every_option_that_changes_the_dataset(tmp_path: Path, docs: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "pipeline.toml"
    config.write_text("", "utf-8")
    out = tmp_path / "out"
    options = ("--max-page-bytes", "1000000", "--include=*.md", "--exclude=-odd", "--config", str(config),
               "--csv-safe", "--allow-shrink")
    assert build(capsys, docs, out, "--no-cache", *options)[0] == 0
    (out / "status_codes.csv").write_text("stale\n", "utf-8")
    code, err = build(capsys, docs, out, "--no-cache", "--check", *options)
    hint = re.search(r"run `(.*)` to regenerate it", err)
    assert code == 1 and hint is not None
    for word in ("--max-page-bytes 1000000", "'--include=*.md'", "--exclude=-odd", f"--config {config}",
                 "--csv-safe", "--allow-shrink", "--no-cache"):
        assert word in hint.group(1), (word, hint.group(1))


def test_every_build_option_is_repeated_by_the_hint_or_left_out_on_purpose(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--help"]) == 0
    help_text = capsys.readouterr().out
    options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", help_text))
    assert options == {option for _, option in REBUILD_OPTIONS} | NOT_REPEATED


# --- a build of pages none of which could be read ----------------------------------------------------

@pytest.mark.parametrize("check", [False, True])
def test_a_build_where_every_page_failed_exits_2_and_writes_nothing(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str],
                                                                    check: bool) -> None:
    docs = tmp_path / "docs"
    (docs / "svc").mkdir(parents=True)
    (docs / "svc" / "a.md").write_bytes(b"\x00\x01\x02binary\x00")
    (docs / "svc" / "b.rst").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    out = tmp_path / "out"
    code, err = build(capsys, docs, out, "--no-cache", *(["--check"] if check else []))
    assert code == 2 and err.strip().splitlines()[-1] == (
        "pipeline: no page could be read: all 2 pages failed (first: svc/a.md: binary data, not a text page); "
        "nothing was written")
    assert not out.exists()


def test_one_page_read_is_enough(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = tmp_path / "docs"
    (docs / "svc").mkdir(parents=True)
    (docs / "svc" / "a.md").write_bytes(b"\x00\x01\x02binary\x00")
    (docs / "svc" / "README.md").write_text("# Nothing here\n\nNo table.\n", "utf-8")
    assert build(capsys, docs, tmp_path / "out", "--no-cache")[0] == 0

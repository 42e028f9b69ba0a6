"""Inputs as published (issue 14, item 1): several roots, only documentation read, the rest counted by kind;
``--include`` / ``--exclude``, ``pipeline.toml`` and service aliases. CLI tests go through ``main(argv)``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main

TREES = Path(__file__).resolve().parent / "fixtures" / "trees"
#: A status page in the shape of the corpus: HTML table saved as markdown.
STATUS_MD = ("# Status Codes\n\n<table><tr><th>Status Code</th><th>Description</th></tr>"
             "<tr><td>200</td><td>OK</td></tr><tr><td>404</td><td>Not found.</td></tr></table>\n")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32)


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    root.mkdir(parents=True, exist_ok=True)
    return root


def build(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["build", *argv, "--no-cache", "-j", "1"])
    return code, capsys.readouterr().err.splitlines()


def load(out: Path, name: str) -> Any:
    return json.loads((out / name).read_text("utf-8"))


# --- only documentation is read; everything else is counted by kind ----------------------------


def published_repo(root: Path) -> Path:
    """A service repository as cloned: pages, figures, build config, VCS and CI folders, build output."""
    return write(root, {
        "vpc/api-ref/source/status_codes.md": STATUS_MD,
        "vpc/api-ref/source/conf.py": "project = 'vpc'\n",
        "vpc/api-ref/source/_static/images/a.png": PNG,
        "vpc/api-ref/source/_static/images/b.PNG": PNG,
        "vpc/api-ref/source/_static/.placeholder": "",
        "vpc/umn/source/figures/c.jpg": b"\xff\xd8\xff\xe0" + bytes(16),
        "vpc/tox.ini": "[tox]\n",
        "vpc/LICENSE": "Apache License\n",
        "vpc/docs.zip": b"PK\x03\x04" + bytes(16),
        "vpc/.gitignore": "_build\n",
        "vpc/.git/HEAD": "ref: refs/heads/main\n",
        "vpc/.git/objects/ab/cdef": b"\x78\x9c" + bytes(8),
        "vpc/.github/workflows/ci.md": STATUS_MD,  # a page in a hidden folder: never entered
        "vpc/doc/_build/html/status.html": "<html><table><tr><td>500</td></tr></table></html>",
        "vpc/doc/build/html/.buildinfo": "# Sphinx build info\n",
        "vpc/doc/build/html/status.html": "<html><table><tr><td>500</td></tr></table></html>",
        "vpc/api-ref/source/__pycache__/conf.cpython-311.pyc": b"\x00\x01",
    })


def test_files_that_are_not_documentation_are_counted_not_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = published_repo(tmp_path / "repos")
    out = tmp_path / "out"
    code, err = build(capsys, str(root), "--out", str(out), "--strict")
    assert code == 0, err  # --strict passes: nothing but a page was read, and it is clean
    assert load(out, "issues.json") == []
    assert [i["path"] for i in load(out, "manifest.json")["inputs"]] == ["vpc/api-ref/source/status_codes.md"]
    assert err[-2] == ("pipeline: 10 files: 1 pages read, 9 skipped (not documentation: png 2, ini 1, jpg 1, "
                       "no extension 1, py 1, zip 1; hidden 2); folders not entered: build output 3, hidden 2")
    assert err[-1].startswith("pipeline: 1 pages, 1 tables, 2 status codes")
    assert load(out, "manifest.json")["discovery"] == {
        "files": 10, "pages": 1,
        "skipped": {"not_documentation": {"png": 2, "ini": 1, "jpg": 1, "no extension": 1, "py": 1, "zip": 1},
                    "hidden": 2, "excluded": 0, "outside_service_folder": 0},
        "folders_not_entered": {"build output": 3, "hidden": 2},
    }


def test_a_file_named_as_a_page_that_cannot_be_read_is_still_a_problem(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write(tmp_path / "docs", {"vpc/status.md": STATUS_MD, "vpc/figure.md": PNG, "vpc/figure.png": PNG})
    code, err = build(capsys, str(root), "--out", str(tmp_path / "out"), "--strict")
    assert code == 1
    assert "vpc/figure.md: binary data, not a text page" in err
    assert not any("figure.png" in line for line in err)
    assert "pipeline: 3 files: 2 pages read, 1 skipped (not documentation: png 1)" in err


def test_files_in_the_root_belong_to_no_service_and_are_counted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``doc/source`` of the big repository: ``conf.py`` and ``index.rst`` lie beside the service folders."""
    root = write(tmp_path / "source", {"conf.py": "x = 1\n", "index.rst": "Docs\n====\n", "nat/codes.md": STATUS_MD})
    out = tmp_path / "out"
    code, err = build(capsys, str(root), "--out", str(out), "--strict")
    assert code == 0 and load(out, "issues.json") == []
    assert "pipeline: 3 files: 1 pages read, 2 skipped (not documentation: py 1; outside a service folder 1)" in err


def test_symbolic_links_named_as_images_are_counted_others_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write(tmp_path / "docs", {"vpc/codes.md": STATUS_MD, "elsewhere.png": PNG})
    (root / "vpc" / "logo.png").symlink_to(root / "elsewhere.png")
    (root / "vpc" / "link.md").symlink_to(root / "vpc" / "codes.md")
    out = tmp_path / "out"
    assert build(capsys, str(root), "--out", str(out))[0] == 0
    assert [(i["path"], i["slug"]) for i in load(out, "issues.json")] == [("vpc/link.md", "symlink-skipped")]
    assert dict(load(out, "manifest.json")["discovery"]["skipped"]["not_documentation"]) == {"png": 2}


def test_the_published_subtrees_build_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A real repository (rst) and ``doc/source`` of the big one (md), as published, built together."""
    out = tmp_path / "out"
    code, err = build(capsys, str(TREES / "rst"), str(TREES / "md" / "doc" / "source"), "--out", str(out), "--strict")
    assert code == 0, err
    assert err[-2:] == [
        "pipeline: 10 files: 3 pages read, 7 skipped (not documentation: png 2, py 2, conf 1, ini 1; "
        "outside a service folder 1)",
        "pipeline: 3 pages, 4 tables, 34 status codes, 0 error codes, 0 operations, 0 operation status codes, "
        f"0 parameters, 0 operation sections, 0 problems, 0 skips, 0 notices -> {out}",
    ]
    services = {(r["service"], r["source_path"]) for r in load(out, "status_codes.json")}
    assert services == {("nat", "nat/api-reference/status-codes.md"),
                        ("nat-gateway", "nat-gateway/api-ref/source/common_parameters/status_codes.rst")}


# --- several roots ------------------------------------------------------------------------------


def test_two_roots_giving_one_source_path_are_refused_naming_both(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = write(tmp_path / "one", {"vpc/codes.md": STATUS_MD, "vpc/a.md": STATUS_MD})
    two = write(tmp_path / "two", {"vpc/codes.md": STATUS_MD, "vpc/b.md": STATUS_MD})
    code, err = build(capsys, str(one), str(two), "--out", str(tmp_path / "out"))
    assert code == 2 and len(err) == 1
    assert err[0] == (f"pipeline: two files give the same source path vpc/codes.md: {one}/vpc/codes.md and "
                      f"{two}/vpc/codes.md; leave one out (--exclude) or give its service another alias")
    assert not (tmp_path / "out").exists()
    # Leaving one out settles it: the rest of both roots is one dataset.
    code, _ = build(capsys, str(one), str(two), "--exclude", "/vpc/codes.md", "--out", str(tmp_path / "out"))
    paths = [i["path"] for i in load(tmp_path / "out", "manifest.json")["inputs"]]
    assert code == 0 and paths == ["vpc/a.md", "vpc/b.md"]


@pytest.mark.parametrize("second", ["same", "inside"])
def test_a_root_given_twice_or_inside_another_is_refused(
        second: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write(tmp_path / "docs", {"vpc/codes.md": STATUS_MD})
    other = str(root / ".." / "docs") if second == "same" else str(root / "vpc")
    code, err = build(capsys, str(root), other, "--out", str(tmp_path / "out"))
    expected = (f"{other}: the same folder as {root}, given twice; give each root once" if second == "same" else
                f"{other} lies inside {root}, another root: its pages would be read twice; give only one of them "
                "(and --exclude what you do not want)")
    assert (code, err) == (2, [f"pipeline: {expected}"])


# --- --include / --exclude -----------------------------------------------------------------------


def test_include_and_exclude_are_gitignore_patterns_relative_to_the_root(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write(tmp_path / "repos", {
        "vpc/api-ref/source/codes.md": STATUS_MD,
        "vpc/api-ref/source/drafts/old.md": STATUS_MD,
        "vpc/umn/source/specs.md": STATUS_MD,
        "nat/api-ref/source/codes.md": STATUS_MD,
        "nat/api-ref/source/keep.md": STATUS_MD,
        "nat/api-ref/source/drop.md": STATUS_MD,
        "nat/api-ref/source/logo.png": PNG,
    })
    out = tmp_path / "out"
    code, err = build(capsys, str(root), "--out", str(out), "--include", "*/api-ref/**",
                      "--exclude", "drafts/", "--exclude", "nat/api-ref/source/*.md", "--exclude", "!keep.md")
    assert code == 0, err
    paths = [i["path"] for i in load(out, "manifest.json")["inputs"]]
    assert paths == ["nat/api-ref/source/keep.md", "vpc/api-ref/source/codes.md"]
    discovery = load(out, "manifest.json")["discovery"]
    # umn/specs.md is not included, codes.md and drop.md are excluded; drafts/ is a folder not entered
    assert discovery["skipped"]["excluded"] == 3 and discovery["folders_not_entered"] == {"excluded": 1}
    assert discovery["skipped"]["not_documentation"] == {"png": 1}


def test_a_bad_pattern_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write(tmp_path / "docs", {"vpc/codes.md": STATUS_MD})
    code, err = build(capsys, str(root), "--out", str(tmp_path / "out"), "--exclude", "!")
    assert code == 2 and len(err) == 1 and err[0].startswith("pipeline: --exclude: ")


# --- pipeline.toml ------------------------------------------------------------------------------


def test_a_config_file_makes_a_repeated_build_one_word(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "repos", {"virtual-private-cloud/api-ref/codes.md": STATUS_MD,
                               "virtual-private-cloud/umn/specs.md": STATUS_MD})
    write(tmp_path / "source", {"vpc/api-reference/status.md": STATUS_MD, "conf.py": "x = 1\n"})
    (tmp_path / "pipeline.toml").write_text(
        'roots = ["repos", "source"]\nexclude = ["umn/"]\n\n[aliases]\n"virtual-private-cloud" = "vpc"\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    code, err = build(capsys)
    assert code == 0, err
    records = load(tmp_path / "output", "status_codes.json")
    assert sorted({(r["service"], r["source_path"]) for r in records}) == [
        ("vpc", "vpc/api-ref/codes.md"), ("vpc", "vpc/api-reference/status.md")]
    # Nothing changed: the second build says so; a new figure is counted, so the manifest is rewritten.
    assert build(capsys)[1][-1].startswith("pipeline: output is up to date")
    (tmp_path / "source" / "vpc" / "figure.png").write_bytes(PNG)
    code, err = build(capsys)
    assert code == 0 and not err[-1].startswith("pipeline: output is up to date")
    assert load(tmp_path / "output", "manifest.json")["discovery"]["skipped"]["not_documentation"] == {
        "png": 1, "py": 1}


def test_an_alias_change_is_never_served_from_the_cache_or_the_previous_dataset(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "docs", {"virtual-private-cloud/codes.md": STATUS_MD})
    monkeypatch.chdir(tmp_path)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    assert main(["build", "docs", *cache]) == 0
    (tmp_path / "pipeline.toml").write_text('[aliases]\n"virtual-private-cloud" = "vpc"\n', "utf-8")
    assert main(["build", "docs", *cache]) == 0
    assert {r["service"] for r in load(tmp_path / "output", "status_codes.json")} == {"vpc"}
    (tmp_path / "pipeline.toml").unlink()
    assert main(["build", "docs", *cache]) == 0
    assert {r["service"] for r in load(tmp_path / "output", "status_codes.json")} == {"virtual-private-cloud"}


def test_two_folders_aliased_to_one_service_clash_only_on_a_shared_page(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write(tmp_path / "docs", {"vpc/codes.md": STATUS_MD, "virtual-private-cloud/codes.md": STATUS_MD})
    config = tmp_path / "elsewhere" / "build.toml"
    write(config.parent, {"build.toml": '[aliases]\n"virtual-private-cloud" = "vpc"\n'})
    code, err = build(capsys, str(root), "--config", str(config), "--out", str(tmp_path / "out"))
    assert code == 2 and "two files give the same source path vpc/codes.md" in err[0]
    (root / "vpc" / "codes.md").rename(root / "vpc" / "other.md")
    assert build(capsys, str(root), "--config", str(config), "--out", str(tmp_path / "out"))[0] == 0


@pytest.mark.parametrize(("text", "message"), [
    ('rootz = ["a"]\n', "pipeline.toml: unknown key 'rootz' (known: aliases, exclude, include, roots, source)"),
    ('[[source]]\nservice = "vpc"\n', "pipeline.toml: source[1]: 'repo' is required"),
    ('source = "vpc"\n', "pipeline.toml: 'source' must be an array of tables ([[source]]), not a string"),
    ("roots = 'docs'\n", "pipeline.toml: 'roots' must be an array of strings, not a string"),
    ("exclude = [1]\n", "pipeline.toml: 'exclude' must be an array of non-empty strings; it holds an integer"),
    ("include = ['']\n", "pipeline.toml: 'include' must be an array of non-empty strings; it holds an empty string"),
    ("aliases = ['a']\n", "pipeline.toml: 'aliases' must be a table of folder = service names, not an array"),
    ('[aliases]\nvpc = 3\n', "pipeline.toml: aliases.'vpc' must be a string (a service name), not an integer"),
    ('[aliases]\nvpc = "a/b"\n', "pipeline.toml: aliases: 'a/b' is not a folder name (one name: no '/', no "
                                 "leading '.', no control characters)"),
    ('[aliases]\nvpc = "x\\u001b[2J"\n', "pipeline.toml: aliases: 'x\\x1b[2J' is not a folder name (one name: no "
                                         "'/', no leading '.', no control characters)"),
    ("exclude = ['!']\n", "pipeline.toml: exclude: Invalid git pattern: '!'"),
    ('roots = ["a"]\nroots = ["b"]\n', "pipeline.toml:2: not valid TOML: Cannot overwrite a value (column 14)"),
    ("roots = [\n", "pipeline.toml: not valid TOML: Invalid value (at end of document)"),
    (b"roots = ['\xff']\n", "pipeline.toml: the config file is not UTF-8 (byte 10)"),
    ("# " + "x" * 70_000 + "\n", "pipeline.toml: the config file is over the 65536-byte limit"),
])
def test_a_bad_config_file_is_one_line_naming_the_file(text: str | bytes, message: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"pipeline.toml": text, "docs/vpc/codes.md": STATUS_MD})
    monkeypatch.chdir(tmp_path)
    code, err = build(capsys, "docs")
    assert (code, err) == (2, [f"pipeline: {message}"])
    assert not (tmp_path / "output").exists()


def test_a_missing_or_special_config_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write(tmp_path / "docs", {"vpc/codes.md": STATUS_MD})
    code, err = build(capsys, str(root), "--config", str(tmp_path / "nope.toml"))
    assert code == 2 and err == [f"pipeline: {tmp_path / 'nope.toml'}: cannot read the config file: "
                                 "No such file or directory"]
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)  # never waited on
    code, err = build(capsys, str(root), "--config", str(fifo))
    assert code == 2 and err == [f"pipeline: {fifo}: the config file is not a regular file"]


def test_without_config_or_root_the_root_is_raw_docs(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "raw_docs", {"vpc/codes.md": STATUS_MD})
    monkeypatch.chdir(tmp_path)
    assert build(capsys)[0] == 0
    assert [i["path"] for i in load(tmp_path / "output", "manifest.json")["inputs"]] == ["vpc/codes.md"]


def test_check_names_the_roots_config_and_patterns_to_rebuild_with(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = write(tmp_path / "one", {"vpc/codes.md": STATUS_MD, "vpc/x.png": PNG})
    two = write(tmp_path / "two", {"nat/codes.md": STATUS_MD, "nat/umn/a.md": STATUS_MD})
    config = write(tmp_path / "cfg", {"p.toml": "[aliases]\nnat = 'nat-gw'\n"}) / "p.toml"
    out = tmp_path / "out"
    argv = [str(one), str(two), "--config", str(config), "--exclude", "umn/", "--out", str(out)]
    assert build(capsys, *argv)[0] == 0
    assert build(capsys, *argv, "--check")[0] == 0  # current: the census is part of the comparison
    shutil.copy(one / "vpc" / "x.png", one / "vpc" / "y.png")
    code, err = build(capsys, *argv, "--check")
    assert code == 1
    assert err[0] == (f"pipeline: {out} is stale; run `pipeline build {one} {two} --out {out} --config {config} "
                      f"--exclude=umn/ --no-cache` to regenerate it")

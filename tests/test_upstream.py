"""Declared git sources (issue 16): config, ``pipeline sync``, builds from git objects, provenance, ``diff --rev``.

The remotes are bare clones of the bundles in ``../shared/corpus/git`` reached by ``file://``
URLs (no network). Builds read two small folders of virtual-private-cloud's ``api-ref/source``
(``appendix`` and ``vpc_apis_v3/vpc``), which its commit 19e480d "Update content (#76)" changed
after 4116c72 "Sync api-ref from gitea (#73)": error codes of ``appendix/error_codes.rst`` among them.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.datasets import RESOURCES
from pipeline.diff.split import split_markdown
from pipeline.sources.config import load_config
from pipeline.sources.declared import Source
from pipeline.sources.git import GitError
from pipeline.sources.mirror import Mirror

ROOT = Path(__file__).resolve().parent.parent
BUNDLES = ROOT.parent / "shared" / "corpus" / "git"
if not BUNDLES.is_dir():  # a worktree next to /work/main: the shared corpus is at /work/shared
    BUNDLES = Path("/work/shared/corpus/git")
VPC_BUNDLE = BUNDLES / "virtual-private-cloud.bundle"
NAT_BUNDLE = BUNDLES / "nat-gateway.bundle"
OLD = "4116c720d0b783d5afd104322b81387c5d44325c"  # 4116c72 Sync api-ref from gitea (#73)
NEW = "19e480dbe04cbea828130ed1e017b973b6d2852e"  # 19e480d Update content (#76)
PATHS = '["api-ref/source/appendix", "api-ref/source/vpc_apis_v3/vpc"]'

pytestmark = pytest.mark.skipif(not VPC_BUNDLE.is_file() or shutil.which("git") is None,
                                reason="needs git and the bundled repositories")


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def bare_remote(bundle: Path, target: Path) -> Path:
    """A bare clone of a bundle serving partial clones, as GitHub does."""
    git("clone", "--quiet", "--bare", str(bundle), str(target))
    git("--git-dir", str(target), "config", "uploadpack.allowFilter", "true")
    git("--git-dir", str(target), "config", "uploadpack.allowAnySHA1InWant", "true")
    return target


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bare_remote(VPC_BUNDLE, tmp_path_factory.mktemp("bundles") / "virtual-private-cloud.git")


@pytest.fixture
def remote(pristine: Path, tmp_path: Path) -> Path:
    """A remote of one's own (tests push to it)."""
    target = tmp_path / "remote" / "virtual-private-cloud.git"
    target.parent.mkdir()
    shutil.copytree(pristine, target)
    return target


def full(remote: Path, rev: str) -> str:
    return git("--git-dir", str(remote), "rev-parse", f"{rev}^{{commit}}")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working directory for the commands (``pipeline.toml``, the mirror, the lock and the cache go here)."""
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.chdir(folder)
    yield folder


def declare(project: Path, *tables: str) -> Path:
    config = project / "pipeline.toml"
    config.write_text("\n".join(tables), encoding="utf-8")
    return config


def vpc(remote: Path, ref: str = "main", extra: str = "") -> str:
    return (f'[[source]]\nservice = "vpc"\nrepo = "{remote.as_uri()}"\nref = "{ref}"\npaths = {PATHS}\n{extra}\n')


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def lock_commits(project: Path) -> dict[str, str]:
    data = json.loads((project / "pipeline.lock").read_text("utf-8"))
    return {name: entry["commit"] for name, entry in data["sources"].items()}


# --- the config file: [[source]] tables, each key checked, one line naming the file and the key -----


@pytest.mark.parametrize(("table", "message"), [
    ('service = "vpc"\nrepo = "x"\nbranch = "main"', "source[1]: unknown key 'branch'"),
    ('service = "vpc"', "source[1]: 'repo' is required"),
    ('service = "vpc"\nrepo = "x"\nref = "--upload-pack=touch /tmp/owned"', "source[1].ref: '--upload-pack=touch"),
    ('service = "vpc"\nrepo = "x"\nref = "main..dev"', "source[1].ref: 'main..dev' is not a branch, tag"),
    ('service = "vpc"\nrepo = "--upload-pack=touch /tmp/owned"', "cannot start with '-'"),
    ('service = "vpc"\nrepo = "ext::sh -c touch% /tmp/owned"', "is a 'transport::address'"),
    ('service = "vpc"\nrepo = "http://example.com/docs"', "the scheme 'http' is not allowed"),
    ('service = "vpc"\nrepo = "x"\npaths = ["../etc"]', "source[1].paths: '../etc' is not a folder"),
    ('service = "vpc"\nrepo = "x"\nurl_template = "{repo}/{branch}"', "source[1].url_template: unknown field {branch}"),
    ('service = "../vpc"\nrepo = "x"', "source[1].service: '../vpc' is not a folder name"),
    ('service = "vpc"\nrepo = "x"\n[[source]]\nservice = "vpc"\nrepo = "y"',
     "source[2].service: 'vpc' is declared twice"),
    ('service = "vpc"\nrepo = "x"\ninclude = ["a\\nb"]', "holds a line break"),
])
def test_a_bad_source_table_is_one_line_naming_the_file_and_key(tmp_path: Path, table: str, message: str,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "pipeline.toml"
    config.write_text(f"[[source]]\n{table}\n", encoding="utf-8")
    code, out, err = run(capsys, "sync", "--config", str(config))
    assert (code, out) == (2, "")
    assert err.startswith(f"pipeline: {config}: ") and message in err and err.count("\n") == 1, err


def test_a_source_table_as_the_issue_writes_it(tmp_path: Path) -> None:
    config = tmp_path / "pipeline.toml"
    config.write_text('[[source]]\nservice = "vpc"\n'
                      'repo = "https://github.com/opentelekomcloud-docs/virtual-private-cloud"\n'
                      'ref = "main"\npaths = ["api-ref/source/"]\n[[source]]\nservice = "nat"\nrepo = "../nat.git"\n',
                      encoding="utf-8")
    vpc_source, nat_source = load_config(config).sources
    assert vpc_source == Source("vpc", "https://github.com/opentelekomcloud-docs/virtual-private-cloud", "main",
                                ("api-ref/source",))
    assert nat_source.repo == str((tmp_path.parent / "nat.git").absolute()) and nat_source.ref == "HEAD"
    # the GitHub default link: the blob at the commit, at the line
    assert vpc_source.link("19e480d" + "0" * 33, "api-ref/source/appendix/error codes.rst", 42) == (
        "https://github.com/opentelekomcloud-docs/virtual-private-cloud/blob/19e480d" + "0" * 33
        + "/api-ref/source/appendix/error%20codes.rst#L42")
    assert vpc_source.link("c" * 40, "a.rst", None).endswith("/blob/" + "c" * 40 + "/a.rst")


# --- pipeline sync ----------------------------------------------------------------------------


def test_sync_from_scratch_writes_a_deterministic_lock(remote: Path, project: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    declare(project, vpc(remote))
    code, out, err = run(capsys, "sync")
    head = full(remote, "main")
    assert (code, out) == (0, "")
    assert err == f"vpc: {head[:7]} (first sync), 10 pages\n"
    assert lock_commits(project) == {"vpc": head}
    mirror = project / ".pipeline-mirror"
    assert (mirror / ".gitignore").read_text("utf-8").splitlines()[-1] == "*"
    assert git("--git-dir", str(mirror / "vpc.git"), "config", "remote.origin.promisor") == "true"  # partial
    first = (project / "pipeline.lock").read_bytes()
    assert run(capsys, "sync", "--offline") == (0, "", f"vpc: {head[:7]}, up to date\n")
    assert (project / "pipeline.lock").read_bytes() == first


def push_change(remote: Path, tmp_path: Path, page: str, text: str, *, rewrite: bool = False) -> str:
    """Commit a change to ``page`` in a temporary clone and push it (``rewrite``: replacing the last commit)."""
    work = tmp_path / "work"
    if not work.exists():
        git("clone", "--quiet", remote.as_uri(), str(work))
    git("-c", "user.name=t", "-c", "user.email=t@t", "-C", str(work), "reset", "--quiet", "--hard",
        "HEAD~1" if rewrite else "HEAD")
    target = work / page
    target.write_text(target.read_text("utf-8") + text, encoding="utf-8")
    git("-C", str(work), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-am", "edit")
    git("-C", str(work), "push", "--quiet", "--force", "origin", "HEAD:main")
    return git("-C", str(work), "rev-parse", "HEAD")


def test_sync_after_a_new_commit_says_what_moved(remote: Path, project: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    declare(project, vpc(remote))
    assert run(capsys, "sync")[0] == 0
    before = lock_commits(project)["vpc"]
    after = push_change(remote, tmp_path, "api-ref/source/appendix/status_codes.rst", "\nA new paragraph.\n")
    code, out, err = run(capsys, "sync")
    assert (code, out, err) == (0, "", f"vpc: {before[:7]} → {after[:7]}, 1 page changed\n")
    assert lock_commits(project) == {"vpc": after}
    # the new page's blob is in the (partial) mirror: a build reads it with no network
    assert run(capsys, "build", "--out", "out", "-q")[0] == 0


def test_a_force_pushed_ref_is_followed_and_said(remote: Path, project: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    declare(project, vpc(remote))
    first = push_change(remote, tmp_path, "api-ref/source/appendix/status_codes.rst", "\nOne.\n")
    assert run(capsys, "sync")[0] == 0
    second = push_change(remote, tmp_path, "api-ref/source/appendix/error_codes.rst", "\nTwo.\n", rewrite=True)
    code, out, err = run(capsys, "sync")
    assert (code, out) == (0, "")
    assert err == (f"vpc: {first[:7]} → {second[:7]} (history rewritten: the old commit is not an ancestor), "
                   "2 pages changed\n")
    assert lock_commits(project) == {"vpc": second}


def test_an_unreachable_source_next_to_a_good_one(remote: Path, project: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    gone = (tmp_path / "gone.git").as_uri()
    declare(project, vpc(remote), f'[[source]]\nservice = "nat"\nrepo = "{gone}"\n',
            f'[[source]]\nservice = "dns"\nrepo = "{remote.as_uri()}"\nref = "no-such-branch"\n')
    code, out, err = run(capsys, "sync")
    lines = err.splitlines()
    assert code == 2 and out == ""
    assert lines[0] == f"vpc: {full(remote, 'main')[:7]} (first sync), 10 pages"
    assert lines[1] == f"pipeline: nat: '{tmp_path / 'gone.git'}' does not appear to be a git repository"
    assert lines[2] == "pipeline: dns: couldn't find remote ref no-such-branch"
    assert lines[3] == "pipeline: 2 of 3 sources failed; pipeline.lock keeps their last commit"
    assert lock_commits(project) == {"vpc": full(remote, "main")}


def test_a_damaged_mirror_is_one_line_and_the_lock_keeps_its_commit(remote: Path, project: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    declare(project, vpc(remote))
    assert run(capsys, "sync")[0] == 0
    shutil.rmtree(project / ".pipeline-mirror" / "vpc.git" / "objects")
    code, out, err = run(capsys, "sync")
    assert (code, out) == (2, "")
    assert err.splitlines()[0].startswith("pipeline: vpc: ") and "remove it and sync again" in err
    assert lock_commits(project) == {"vpc": full(remote, "main")}


def test_git_never_runs_another_transport(project: Path, tmp_path: Path) -> None:
    """Behind the config's checks, git itself is only allowed file, https, ssh and git (``ext::`` runs commands)."""
    owned = tmp_path / "owned"
    source = Source("vpc", f"ext::sh -c touch% {owned}")  # as if the config check had been bypassed
    with pytest.raises(GitError, match="transport 'ext' not allowed"):
        Mirror(project / "mirror").sync(source, None)
    assert not owned.exists()


# --- builds from the lock: git objects, provenance, the page store ----------------------------------


def data_without_provenance(out: Path) -> dict[str, object]:
    """Every data file's records (JSON), the three provenance fields left out; tables and issues as they are."""
    found: dict[str, object] = {}
    for name in (resource.name for resource in RESOURCES):
        records = json.loads((out / f"{name}.json").read_text("utf-8"))
        found[name] = [{k: v for k, v in r.items() if k not in ("source_repo", "source_commit", "source_url")}
                       for r in records]
    for name in ("tables.json", "issues.json"):
        found[name] = json.loads((out / name).read_text("utf-8"))
    return found


def test_a_build_from_the_lock_equals_a_build_of_a_checkout(remote: Path, project: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    declare(project, vpc(remote, full(remote, OLD)))
    assert run(capsys, "sync")[0] == 0
    assert run(capsys, "build", "--out", "from-lock", "-q") == (0, "", "")
    checkout = tmp_path / "checkout"
    git("clone", "--quiet", remote.as_uri(), str(checkout / "vpc"))
    git("-C", str(checkout / "vpc"), "checkout", "--quiet", full(remote, OLD))
    assert run(capsys, "build", str(checkout), "--out", "from-checkout", "-q", "--include",
               "vpc/api-ref/source/appendix/", "--include", "vpc/api-ref/source/vpc_apis_v3/vpc/") == (0, "", "")
    from_lock, from_checkout = data_without_provenance(project / "from-lock"), \
        data_without_provenance(tmp_path / "project" / "from-checkout")
    assert from_lock == from_checkout
    assert len(from_lock["error_codes"]) > 20 and len(from_lock["status_codes"]) > 10  # type: ignore[arg-type]
    assert len(from_lock["operations"]) >= 4 and len(from_lock["operation_status_codes"]) >= 4  # type: ignore[arg-type]
    folder_records = json.loads((project / "from-checkout" / "error_codes.json").read_text("utf-8"))
    assert {(r["source_repo"], r["source_commit"], r["source_url"]) for r in folder_records} == {(None, None, None)}
    manifest = json.loads((project / "from-lock" / "manifest.json").read_text("utf-8"))
    assert manifest["sources"] == [{"source": "vpc", "repo": remote.as_uri(), "commit": full(remote, OLD)}]


def test_provenance_urls_point_at_the_line(remote: Path, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = 'url_template = "{repo}.git#{commit}:{path}:{line}"'
    declare(project, vpc(remote, extra=template))
    assert run(capsys, "sync")[0] == 0
    assert run(capsys, "build", "--out", "out", "-q")[0] == 0
    head = full(remote, "main")
    checked = 0
    for name, text_of in (("error_codes", lambda r: r["error_code"]),
                          ("status_codes", lambda r: str(r["status_code"]))):
        for record in json.loads((project / "out" / f"{name}.json").read_text("utf-8")):
            assert (record["source_repo"], record["source_commit"]) == (remote.as_uri(), head)
            match = re.fullmatch(r"(.+)\.git#([0-9a-f]{40}):(.+):(\d+)", record["source_url"])
            assert match is not None, record["source_url"]
            commit, path, line = match.group(2), match.group(3), int(match.group(4))
            assert commit == head and record["source_path"] == f"vpc/{path}" and line == record["line"]
            page = git("--git-dir", str(remote), "show", f"{commit}:{path}").splitlines()
            assert text_of(record) in page[line - 1], (record["source_url"], page[line - 1])
            checked += 1
    assert checked > 100


def test_an_unchanged_page_is_served_by_the_store_not_parsed(remote: Path, project: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    declare(project, vpc(remote, full(remote, OLD)))
    assert run(capsys, "sync")[0] == 0
    assert run(capsys, "build", "--out", "out")[0] == 0
    declare(project, vpc(remote, full(remote, NEW)))
    assert run(capsys, "sync")[2] == f"vpc: {OLD[:7]} → {NEW[:7]}, 6 pages changed\n"
    code, out, err = run(capsys, "build", "--out", "out")
    assert (code, out) == (0, "") and "pipeline: cache 4 hits, 6 misses" in err  # the pages 19e480d changed
    assert run(capsys, "build", "--out", "out")[2].startswith("pipeline: out is up to date")


def test_a_build_without_a_lock_says_to_sync(remote: Path, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    declare(project, vpc(remote))
    code, out, err = run(capsys, "build", "--out", "out")
    assert (code, out) == (2, "")
    assert err == f"pipeline: {Path('pipeline.lock')}: no lock file: run `pipeline sync` first (it fetches the " \
                  "sources and writes it)\n"


# --- diff between revisions ---------------------------------------------------------------------


def test_diff_rev_between_two_real_commits(remote: Path, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    declare(project, vpc(remote))
    assert run(capsys, "sync")[0] == 0
    code, out, err = run(capsys, "diff", "--rev", f"{OLD[:7]}..{NEW[:7]}", "--format", "json")
    assert code == 1, err
    report = json.loads(out)
    assert report["summary"]["old"] == f"{OLD[:7]} (vpc@{OLD[:7]})"
    changed = report["error_codes"]["changed"]
    assert changed and {c["after"]["source_path"] for c in changed} == {"vpc/api-ref/source/appendix/error_codes.rst"}
    vpc0007 = next(c for c in changed if c["key"]["error_code"] == "VPC.0007")
    assert vpc0007["before"]["source_commit"] == full(remote, OLD)
    assert vpc0007["after"]["source_commit"] == full(remote, NEW)
    upstream = report["upstream"]["sources"]
    assert [(u["source"], u["old"], u["new"]) for u in upstream] == [("vpc", full(remote, OLD), full(remote, NEW))]
    assert upstream[0]["pages"]["vpc/api-ref/source/appendix/error_codes.rst"] == [
        {"commit": full(remote, NEW), "subject": "Update content (#76)"}]
    # the same two commits named by two lock files, and by a date
    (project / "old.lock").write_text((project / "pipeline.lock").read_text("utf-8").replace(
        full(remote, "main"), full(remote, OLD)), encoding="utf-8")
    (project / "new.lock").write_text((project / "pipeline.lock").read_text("utf-8").replace(
        full(remote, "main"), full(remote, NEW)), encoding="utf-8")
    code, text, _ = run(capsys, "diff", "--lock", "old.lock", "new.lock")
    assert code == 1 and "Upstream commits behind these changes:\n  vpc: 4116c72 → 19e480d\n" in text
    assert f"      {NEW[:7]} Update content (#76)\n" in text
    code, _, _ = run(capsys, "diff", "--since", "2026-04-01", "-q")  # 3694383 (2025-10-17) .. main
    assert code == 1


def test_diff_revisions_refuse_what_git_could_take_for_an_option(remote: Path, project: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    declare(project, vpc(remote))
    assert run(capsys, "sync")[0] == 0
    for argv, message in ((["--rev=--output=/tmp/x..main"], "a revision cannot start with '-'"),
                          (["--rev", "main"], "give OLD..NEW"),
                          (["--since", "last week"], "give a date as YYYY-MM-DD"),
                          (["--rev", "v9.9..main"], "no declared source has 'v9.9'")):
        code, out, err = run(capsys, "diff", *argv)
        assert (code, out) == (2, "") and message in err and err.count("\n") == 1, err


# --- the markdown diff as pull-request comments --------------------------------------------------


def test_split_markdown_keeps_each_part_under_the_limit_and_repeats_table_headers() -> None:
    rows = [f"| + | E.{n:04d} | **message:** {'x' * (n % 97)} | vpc/p.rst:{n} |\n" for n in range(2000)]
    text = "### Dataset diff\n\n#### vpc\n\n| | record | what | where |\n|---|---|---|---|\n" + "".join(rows)
    parts = split_markdown(text, 4096)
    assert len(parts) > 10 and all(len(part) <= 4096 for part in parts)
    assert all(part.endswith(f"_Part {n} of {len(parts)}._\n") for n, part in enumerate(parts, 1))
    assert all(part.startswith("| | record | what | where |\n|---|---|---|---|\n") for part in parts[1:])
    body = [line for part in parts for line in part.splitlines(keepends=True)
            if not line.startswith(("_Part", "| | record", "|---")) and line != "\n"]
    assert "".join(body) == "".join(line for line in text.splitlines(keepends=True)
                                    if not line.startswith(("| | record", "|---")) and line != "\n")
    assert split_markdown("short\n", 4096) == ["short\n"]
    huge = split_markdown("| " + "y" * 10_000 + " |\n", 2048)
    assert all(len(part) <= 2048 for part in huge) and "".join(huge).count("y") == 10_000


def workflow_commands() -> list[str]:
    """The shell lines of docs/ci-workflow.yml's steps, in order (read as YAML when a YAML library is there)."""
    text = (ROOT / "docs" / "ci-workflow.yml").read_text("utf-8")
    try:
        import yaml
    except ImportError:  # the steps' `run: |` blocks, read as text
        blocks = re.findall(r"run: \|\n((?:          .*\n)+)|run: (.+)\n", text)
        scripts = [block or line for block, line in blocks]
    else:
        steps = yaml.safe_load(text)["jobs"]["regenerate"]["steps"]
        scripts = [step["run"] for step in steps if "run" in step]
    return [line.strip() for script in scripts for line in script.splitlines() if line.strip()]


def test_the_ci_workflow_runs_against_the_bundled_repositories(remote: Path, project: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    nat = bare_remote(NAT_BUNDLE, tmp_path / "nat-gateway.git")
    nat_table = (f'[[source]]\nservice = "nat"\nrepo = "{nat.as_uri()}"\nref = "main"\n'
                 'paths = ["api-ref/source/appendix"]\n')
    declare(project, vpc(remote, full(remote, OLD)), nat_table)
    assert run(capsys, "sync")[0] == 0  # last week's lock
    declare(project, vpc(remote), nat_table)  # the sources follow their branches
    ran = []
    for line in workflow_commands():
        words = shlex.split(line.split("||")[0])
        if words[0] == "cp":
            shutil.copyfile(words[1], words[2])
        elif words[0] == "pipeline":
            code, _, err = run(capsys, *words[1:])
            allowed = (0, 1) if "||" in line else (0,)
            assert code in allowed, (line, err)
            ran.append((words[1], code))
        else:
            assert words[0] in ("pip", "git", "gh", "for"), line  # installing, committing, commenting
    assert ran == [("sync", 0), ("build", 0), ("build", 0), ("diff", 1)]
    comments = sorted((project / "comments").glob("comment-*.md"))
    assert comments and all(len(c.read_text("utf-8")) <= 65_536 for c in comments)
    text = "".join(c.read_text("utf-8") for c in comments)
    assert "#### Upstream commits behind these changes" in text and "`19e480d` Update content (\\#76)" in text


def test_roots_and_sources_together_are_refused(remote: Path, project: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    declare(project, 'roots = ["docs"]\n', vpc(remote))
    code, out, err = run(capsys, "build", "--out", "out")
    assert (code, out) == (2, "")
    assert err == f"pipeline: {Path('pipeline.toml')}: give roots or [[source]] tables, not both (a build reads " \
                  "one or the other)\n"

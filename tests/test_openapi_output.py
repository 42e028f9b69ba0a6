"""`pipeline build` writes ``openapi/<service>.json`` (issue 15): listed, checked, guarded, reported.

A small tree: two services of the operation fixture pages (copies of real RST pages), plus two
pages made from one of them, one documenting the same operation again (``duplicate-operation``),
one with a placeholder no parameter documents (``undocumented-path-parameter``).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import unicodedata
from dataclasses import replace
from operator import attrgetter
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

import pipeline
from pipeline.cli import main
from pipeline.openapi import ApiRecords, grouped_by_service, openapi_documents
from pipeline.output import dataset_problem

OPERATIONS = Path(__file__).resolve().parent / "fixtures" / "operations" / "rst"
#: An operation page of nat-gateway: ``GET/{api_version}``, its path parameter documented.
VERSION_PAGE = "nat-gateway/api-ref/source/apis_for_public_nat_gateways_v2.0/api_version/querying_an_api_version.rst"
AGAIN = "nat-gateway/api-ref/source/zz_again.rst"
ITEMS = "nat-gateway/api-ref/source/zz_items.rst"


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    for service in ("nat-gateway", "vpc-endpoint"):
        shutil.copytree(OPERATIONS / service, root / service)
    page = (OPERATIONS / VERSION_PAGE).read_text("utf-8")
    (root / AGAIN).write_text(page, "utf-8")
    assert "\nGET/{api_version}\n" in page
    (root / ITEMS).write_text(page.replace("\nGET/{api_version}\n", "\nGET/{api_version}/items/{item_id}\n"), "utf-8")
    return root


def build(docs: Path, out: Path, *options: str) -> int:
    return main(["build", str(docs), "--out", str(out), "--no-cache", *options])


def documents(out: Path) -> dict[str, bytes]:
    return {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted((out / "openapi").iterdir())}


def read(out: Path, name: str) -> Any:
    return json.loads((out / name).read_text("utf-8"))


def test_a_build_writes_one_valid_document_per_service_listed_in_the_manifest(
        docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert build(docs, out) == 0
    written = documents(out)
    assert sorted(written) == ["openapi/nat-gateway.json", "openapi/vpc-endpoint.json"]
    assert {op["service"] for op in read(out, "operations.json")} == {"nat-gateway", "vpc-endpoint"}
    checksums = read(out, "manifest.json")["checksums"]
    for name, data in written.items():
        document = json.loads(data)
        validate(document)  # raises on any violation of OpenAPI 3.1
        assert document["paths"]
        assert checksums[name] == hashlib.sha256(data).hexdigest()
    nat = json.loads(written["openapi/nat-gateway.json"])
    assert {"/{api_version}", "/{api_version}/items/{item_id}"} <= set(nat["paths"])
    assert "openapi/nat-gateway.json" in (out / "README.md").read_text("utf-8")
    assert dataset_problem(out) is None
    assert written == openapi_documents(pipeline.load(out))  # streamed service by service = all at once


def test_records_sorted_by_service_are_grouped_as_by_service(docs: Path, tmp_path: Path) -> None:
    """Parameters and codes of services with no operation (before, between and after) are passed over."""
    data = pipeline.load(pipeline.build(docs, out=tmp_path / "out") and tmp_path / "out")
    stray = data.parameters[0]
    parameters = [replace(stray, service="aaa"), *data.parameters, replace(stray, service="o"),
                  replace(stray, service="zzz")]
    codes = [replace(data.parameters[0], service="m")]  # any record with a service will do: none of an operation
    records = {"operations": data.operations, "parameters": parameters, "operation_status_codes": codes}
    expected = ApiRecords.of(records).by_service()
    by = attrgetter("service")
    grouped = dict(grouped_by_service(sorted(data.operations, key=by), sorted(parameters, key=by),
                                      sorted(codes, key=by)))
    assert grouped == expected and list(grouped) == ["nat-gateway", "vpc-endpoint"]


def test_the_export_warnings_are_issues_with_their_source_and_count_as_problems(
        docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert build(docs, out) == 0
    err = capsys.readouterr().err
    found = {(i["slug"], i["path"]): i for i in read(out, "issues.json")}
    again = found["duplicate-operation", AGAIN]
    assert again["severity"] == "notice" and again["line"] == 16  # the docs may mean it: not a problem
    assert f"first at {VERSION_PAGE}:16" in again["message"]
    items = found["undocumented-path-parameter", ITEMS]
    assert items["severity"] == "warning" and items["line"] == 16 and "{item_id}" in items["message"]
    assert read(out, "manifest.json")["counts"]["issues"] == len(read(out, "issues.json"))
    assert f"{ITEMS}:16: GET /{{api_version}}/items/{{item_id}}: no path parameter documents" in err
    assert f"{AGAIN}:16" not in err  # a notice is counted, not printed
    assert ", 1 problems, 0 skips, 1 notices" in err.splitlines()[-1]
    # --strict fails on them, whether the build writes, checks, or finds --out up to date
    assert build(docs, out, "--strict", "--force") == 1
    assert build(docs, out, "--strict", "--check") == 1
    assert build(docs, out, "--check") == 0
    assert main(["build", str(docs), "--out", str(out), "--strict", "--cache-dir", str(tmp_path / "c")]) == 1


def test_pipeline_build_gives_the_issues_that_issues_json_holds(docs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    built = pipeline.build(docs, out=out)
    assert {i.slug for i in built.issues} >= {"duplicate-operation", "undocumented-path-parameter"}
    assert built.issues == pipeline.load(out).issues


def test_check_compares_the_documents(docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert build(docs, out) == 0
    assert build(docs, out, "--check") == 0
    document = out / "openapi" / "vpc-endpoint.json"
    original = document.read_bytes()
    capsys.readouterr()
    document.write_bytes(original.replace(b'"deprecated": false', b'"deprecated": true', 1))
    assert build(docs, out, "--check") == 1
    assert f"differs: {document}" in capsys.readouterr().err
    document.unlink()
    assert build(docs, out, "--check") == 1
    assert f"differs: {document}" in capsys.readouterr().err
    document.write_bytes(original)
    extra = out / "openapi" / "old-service.json"
    extra.write_bytes(original)
    assert build(docs, out, "--check") == 1
    assert f"not in a fresh build: {extra}" in capsys.readouterr().err
    extra.unlink()
    assert build(docs, out, "--check") == 0


def test_the_guard_takes_listed_documents_and_refuses_any_other_file_in_openapi(
        docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert build(docs, out) == 0
    assert build(docs, out, "--force") == 0  # a dataset with documents is ours to replace
    for name, data in (("openapi/notes.json", b"{}\n"), ("openapi/notes.txt", b"mine\n")):
        (out / name).write_bytes(data)
        assert dataset_problem(out) is not None
        capsys.readouterr()
        assert build(docs, out, "--force") == 2
        assert "refusing to replace this folder" in capsys.readouterr().err
        assert (out / name).read_bytes() == data
        (out / name).unlink()
    edited = out / "openapi" / "nat-gateway.json"
    edited.write_bytes(edited.read_bytes() + b" ")
    assert "nat-gateway.json is not the file pipeline wrote" in str(dataset_problem(out))
    assert build(docs, out, "--force") == 2


def test_documents_are_byte_identical_and_follow_the_pages(docs: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    one, two, cache = tmp_path / "one", tmp_path / "two", tmp_path / "cache"
    assert build(docs, one) == 0 and build(docs, two) == 0
    assert documents(one) == documents(two)
    assert (one / "manifest.json").read_bytes() == (two / "manifest.json").read_bytes()
    incremental = ["build", str(docs), "--out", str(one), "--cache-dir", str(cache)]
    assert main(incremental) == 0  # fills the cache, rewrites the same bytes
    before = {p: p.stat().st_mtime_ns for p in (one / "openapi").iterdir()}
    capsys.readouterr()
    assert main(incremental) == 0
    assert "is up to date" in capsys.readouterr().err
    assert {p: p.stat().st_mtime_ns for p in (one / "openapi").iterdir()} == before
    (one / "openapi" / "vpc-endpoint.json").unlink()  # a file listed gone: not up to date, nor ours (as any file)
    assert main(incremental) == 2
    assert "openapi/vpc-endpoint.json, listed in its manifest.json, is missing" in capsys.readouterr().err
    shutil.copy(two / "openapi" / "vpc-endpoint.json", one / "openapi")
    page = docs / ITEMS
    page.write_text(page.read_text("utf-8").replace("/items/{item_id}", "/things/{item_id}"), "utf-8")
    assert main(incremental) == 0
    paths = set(json.loads((one / "openapi" / "nat-gateway.json").read_bytes())["paths"])
    assert "/{api_version}/things/{item_id}" in paths and "/{api_version}/items/{item_id}" not in paths
    shutil.rmtree(docs / "vpc-endpoint")  # a service without operations loses its document
    assert main(incremental) == 0
    assert sorted(documents(one)) == ["openapi/nat-gateway.json"]
    assert "openapi/vpc-endpoint.json" not in read(one, "manifest.json")["checksums"]
    assert main([*incremental, "--check"]) == 0


def test_the_summary_gives_the_operation_sections_by_status(docs: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert build(docs, out) == 0
    line = capsys.readouterr().err.splitlines()[-1]
    sections = read(out, "operation_sections.json")
    by_status = {s: sum(r["status"] == s for r in sections) for s in ("ok", "partial", "failed", "missing")}
    assert by_status["ok"] and by_status["missing"]
    assert (f"{len(sections)} operation sections ({by_status['ok']} ok, {by_status['partial']} partial, "
            f"{by_status['failed']} failed, {by_status['missing']} missing), ") in line


#: Service folder names that are legal on Linux but no safe document name as they are: too long with ``.json``,
#: one file on a case-insensitive or normalizing file system, not a Windows file name.
HOSTILE_SERVICES = ("VPC", "vpc", "x" * 251, "a:b", "con", "\u00e9", "e\u0301", "ok")


def test_every_service_gets_its_own_portable_document_name(tmp_path: Path) -> None:
    root, out = tmp_path / "docs", tmp_path / "out"
    page = (OPERATIONS / VERSION_PAGE).read_text("utf-8")
    for service in HOSTILE_SERVICES:
        (root / service).mkdir(parents=True)
        (root / service / "page.rst").write_text(page, "utf-8")
    assert build(root, out) == 0  # a 251-byte service name cost the whole build (File name too long)
    written = documents(out)
    titles = {json.loads(data)["info"]["title"]: name for name, data in written.items()}
    assert sorted(titles) == sorted(HOSTILE_SERVICES)  # one document each, none overwritten
    assert titles["ok"] == "openapi/ok.json" and titles["VPC"] == "openapi/VPC.json"
    keys = {unicodedata.normalize("NFC", name).casefold() for name in written}
    assert len(keys) == len(written)
    for name in written:
        file = name.removeprefix("openapi/")
        assert len(file.encode("utf-8")) <= 255 and not re.search(r'[<>:"\\|?*]', file)
        assert file.split(".")[0].lower() != "con"
    assert set(written) == set(read(out, "manifest.json")["checksums"]) & set(written)
    assert build(root, out, "--check") == 0


def test_a_loaded_service_name_cannot_place_a_document_outside_openapi(docs: Path, tmp_path: Path) -> None:
    data = pipeline.load(pipeline.build(docs, out=tmp_path / "out") and tmp_path / "out")
    records = {"operations": [replace(op, service="../../evil") for op in data.operations],
               "parameters": data.parameters, "operation_status_codes": data.operation_status_codes}
    (name,) = openapi_documents(records)
    folder, file = name.split("/", 1)
    assert folder == "openapi" and file.endswith(".json") and "/" not in file and "\\" not in file

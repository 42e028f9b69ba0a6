"""OpenAPI documents of whole documentation trees (issue 15): does every service's document validate?

``.venv/bin/python bench/api_check.py [--tree DIR ...] [--write DIR]`` reads every page of each
tree (default: ``../shared/corpus/trees/rst`` and ``../shared/corpus/trees/md/doc/source``), makes
the ``operations``, ``parameters`` and ``operation_status_codes`` records with the extraction
functions, builds one OpenAPI document per service (``pipeline.openapi``) and validates each with
``openapi-spec-validator``. Prints per service: paths, operations, parameters, responses, the
docs defects found, and valid or the validator's first complaint. ``--write DIR`` writes the
documents to ``DIR/<tree>/<service>.json`` (what ``make spectral`` lints). Exit 1 when a
document does not validate. Not a test: a measurement over the shared trees.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
from openapi_spec_validator import validate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from api_records import tree_api_records  # noqa: E402

from pipeline.openapi import PARAMETERS, openapi_export  # noqa: E402


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in document["paths"].values() for op in item.values()]


def check(tree: Path, name: str, out: Path | None) -> bool:
    """Validate the document of every service of ``tree``; print one line per service; True when all validate."""
    start = time.perf_counter()
    records = tree_api_records(tree)
    export = openapi_export(records)
    seconds = time.perf_counter() - start
    parameters = Counter(r.service for r in records[PARAMETERS])
    defects: dict[str, Counter[str]] = {}
    for issue in export.issues:
        defects.setdefault(issue.location.path.split("/", 1)[0], Counter())[issue.slug] += 1
    print(f"tree {tree}: {len(export.documents)} services, records and documents in {seconds:.1f} s")
    valid = True
    for data in export.documents.values():
        document = orjson.loads(data)
        service = document["info"]["title"]
        try:
            validate(document)
            verdict = "valid"
        except Exception as exc:  # any complaint of the validator is the finding
            valid = False
            verdict = "INVALID: " + str(exc).splitlines()[0][:200]
        operations = _operations(document)
        responses = sum(len(op.get("responses", {})) for op in operations)
        found = ", ".join(f"{slug} {count}" for slug, count in sorted(defects.get(service, Counter()).items()))
        print(f"   {service:28} {len(document['paths']):4d} paths {len(operations):4d} operations "
              f"{parameters[service]:5d} parameters {responses:4d} responses; {verdict}"
              f"{'; defects: ' + found if found else ''}")
        if out is not None:
            target = out / name / f"{service}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return valid


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tree", action="append", type=Path, help="a documentation tree (repeatable)")
    parser.add_argument("--write", type=Path, help="write the documents under this folder")
    args = parser.parse_args()
    shared = ROOT.parent / "shared" / "corpus" / "trees"
    trees = args.tree or [shared / "rst", shared / "md" / "doc" / "source"]
    results = [check(tree, tree.parts[-1] if tree.parts[-1] != "source" else "md", args.write) for tree in trees]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())

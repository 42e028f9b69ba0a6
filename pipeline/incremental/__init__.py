"""The incremental build: a rebuild does only the work its changes need.

* ``fingerprint`` -- what a result depends on besides the page: our code, Python, the libraries;
* ``stat_index`` -- each page's sha256, without reading the pages whose stat signature is unchanged;
* ``store`` -- the page store: each page's result (records, tables, issues) by path, digest and fingerprint;
* ``plan`` -- ``plan_build``: up to date (nothing to do), incremental, or check.

(Nothing is imported here: ``pipeline.output`` needs ``fingerprint`` and ``plan`` needs ``pipeline.output``.)
"""

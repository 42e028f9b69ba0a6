# Two entry points for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INPUT ?= raw_docs
OUT ?= output

.PHONY: run test test-fast lint typecheck unit bench spectral clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## Regenerate output/ from raw_docs/.
run: $(VENV)/.installed
	$(BIN)/pipeline build $(INPUT) --out $(OUT)

## ruff, mypy --strict on the package, and pytest.
test: $(VENV)/.installed-test lint typecheck unit

lint: $(VENV)/.installed-test
	$(BIN)/ruff check pipeline tests bench

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy --strict pipeline

## pytest on every core (pytest-xdist; `make unit WORKERS=0` runs it in one process). worksteal: an idle
## worker takes queued tests from a busy one, so the few long tests do not leave a core waiting at the end.
WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(WORKERS) --dist worksteal

## Test folders live in memory (tmpfs /dev/shm) where the machine has one: the builds under test fsync
## every file they write, which on this machine's disk cost 34 s of system time per run (8 s in memory;
## pytest 64 s -> 42 s). Each run gets its own folder (mktemp): removed when the run passes, kept and
## named when it fails.
TEST_TMP_PARENT ?= $(shell [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo $${TMPDIR:-/tmp})
define run_pytest
	tmp=$$(mktemp -d "$(TEST_TMP_PARENT)/pipeline-pytest-XXXXXX") && \
	{ $(PYTEST) --basetemp="$$tmp/base" $(1); status=$$?; \
	  if [ $$status -eq 0 ]; then rm -rf "$$tmp"; else echo "test folders kept in $$tmp" >&2; fi; \
	  exit $$status; }
endef

unit: $(VENV)/.installed-test
	$(call run_pytest,)

## The edit-test loop: pytest without the tests marked slow (CI runs those: `make test`).
test-fast: $(VENV)/.installed-test
	$(call run_pytest,-m "not slow")

## The benchmark (prints a table; not a test).
bench: $(VENV)/.installed-test
	$(BIN)/python bench/run.py

## Spectral (npm @stoplight/spectral-cli, installed under .spectral/, git-ignored) on the OpenAPI documents:
## by default those of the shared trees (bench/api_check.py writes them; OPENAPI=dir lints another folder).
SPECTRAL_VERSION := 6.16.3
SPECTRAL := .spectral/node_modules/.bin/spectral
TREES ?= ../shared/corpus/trees
OPENAPI ?=

$(SPECTRAL):
	npm install --prefix .spectral --no-audit --no-fund --silent @stoplight/spectral-cli@$(SPECTRAL_VERSION)

spectral: $(VENV)/.installed-test $(SPECTRAL)
ifeq ($(OPENAPI),)
	rm -rf bench/out/openapi
	$(BIN)/python bench/api_check.py --tree $(TREES)/rst --tree $(TREES)/md/doc/source --write bench/out/openapi
	$(SPECTRAL) lint --ruleset .spectral.yaml --format text 'bench/out/openapi/*/*.json'
else
	$(SPECTRAL) lint --ruleset .spectral.yaml --format text '$(OPENAPI)/*.json'
endif

clean:
	rm -rf $(VENV) .spectral .pytest_cache .mypy_cache .ruff_cache .hypothesis .pipeline-cache

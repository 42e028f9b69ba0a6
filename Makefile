# Two entry points for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INPUT ?= raw_docs
OUT ?= output

.PHONY: run test test-fast lint typecheck unit bench clean

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

unit: $(VENV)/.installed-test
	$(BIN)/pytest

## The edit-test loop: pytest without the tests marked slow (CI runs those: `make test`).
test-fast: $(VENV)/.installed-test
	$(BIN)/pytest -m "not slow"

## The benchmark (prints a table; not a test).
bench: $(VENV)/.installed-test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .pipeline-cache

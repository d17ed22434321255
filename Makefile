# Two commands do everything on a fresh machine:  `make run`  and  `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3 ...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)  ## ingest the seeds if the library is empty, then serve the chat on http://127.0.0.1:7860
	$(PY) app.py

lint: $(STAMP)
	$(PY) -m ruff check assistant ingest tests bench app.py
	$(PY) -m mypy

test: $(STAMP) lint  ## lint, type-check and run the whole test suite
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

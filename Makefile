# certflow: `make run` starts the whole system on embedded defaults, `make test` runs every test.
# Both set everything up on a fresh machine: a private uv in .tools/, the locked environment in .venv/.

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install system run test test-fast lint lock clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

# requirements.lock pins every package by version and hash (exported from uv's lock by `make lock`); it
# names no index, so the ordinary one is used. Then the project itself, editable. The packages are compiled
# to bytecode as they are installed: nothing else writes it (PYTHONDONTWRITEBYTECODE is common, and set in
# the image), and without it every process compiled what it imported, a worker's start 2–3 CPU-seconds more
# (the SDK's default build id reads every loaded module's code; issue 17).
$(VENV)/.installed: $(UV) pyproject.toml requirements.lock
	$(UV) venv --allow-existing --python $(PYTHON) $(VENV)
	$(UV) pip sync --python $(VENV)/bin/python --require-hashes --compile-bytecode requirements.lock
	$(UV) pip install --python $(VENV)/bin/python --no-deps -e .
	touch $@

# Debian's CJK font and poppler-utils (scripts/system-packages.sh): checked each time, installed once.
system:
	bash scripts/system-packages.sh

# The front-end packages (web/package.json, pinned by web/package-lock.json): bpmn-js for the process
# pages, bpmnlint for the diagrams, elkjs to lay them out (certflow/bpmn_layout.py).
web/node_modules/.installed: web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund
	touch $@

install: system $(VENV)/.installed web/node_modules/.installed

run: install
	$(VENV)/bin/certflow up

# Every test, after ruff and mypy have nothing to say (`make lint`), in TEST_WORKERS processes
# (pytest-xdist; each has its own PostgreSQL and Temporal test server, and most of a test's time is
# waiting on them, so two share two cores well). tests/workflows/ stays in one process (its BPMN coverage
# test judges the journeys that ran before it: tests/conftest.py). `TEST_WORKERS=0`: one process.
TEST_WORKERS ?= 2

test: install lint
	$(VENV)/bin/python -m pytest -n $(TEST_WORKERS)

test-fast: install
	$(VENV)/bin/python -m pytest -m "not slow"

# ruff and mypy as configured in pyproject.toml (mypy with the pydantic plugin, over the packages it names).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

lock: $(UV)
	$(UV) lock
	$(UV) export --frozen --no-emit-project --format requirements-txt --quiet -o requirements.lock

clean:
	rm -rf $(VENV) $(TOOLS)

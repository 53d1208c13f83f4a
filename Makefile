# certflow: `make run` starts the whole system on embedded defaults, `make test` runs every test.
# Both set everything up on a fresh machine: a private uv in .tools/, the locked environment in .venv/.

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install system run test test-fast lock clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --python $(PYTHON)
	touch $@

# Debian's CJK font and poppler-utils (scripts/system-packages.sh): checked each time, installed once.
system:
	bash scripts/system-packages.sh

# The front-end packages (web/package.json, pinned by web/package-lock.json): bpmn-js for the process
# pages, bpmnlint for the diagrams.
web/node_modules/.installed: web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund
	touch $@

install: system $(VENV)/.installed web/node_modules/.installed

run: install
	$(VENV)/bin/certflow up

test: install
	$(VENV)/bin/python -m pytest

test-fast: install
	$(VENV)/bin/python -m pytest -m "not slow"

lock: $(UV)
	$(UV) lock

clean:
	rm -rf $(VENV) $(TOOLS)

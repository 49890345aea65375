# make dist: set up everything and build every document; make test: set up and run every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
JOBS ?= auto

.PHONY: dist test lint setup clean sheets

dist: $(STAMPS)/venv
	$(BIN)/policyc build

test: $(STAMPS)/venv $(STAMPS)/test-system $(STAMPS)/browser
	$(BIN)/ruff check compiler tests scripts benchmarks
	$(BIN)/mypy
	POLICYC_REQUIRE_TOOLS=1 $(BIN)/pytest -n $(JOBS) -q

# Page images of every output (PDF, DOCX through LibreOffice, HTML at 1280/390 px) in dist/sheets/.
sheets: dist $(STAMPS)/test-system
	$(BIN)/python scripts/sheets.py

lint: $(STAMPS)/venv
	$(BIN)/ruff check compiler tests scripts benchmarks
	$(BIN)/mypy

setup: $(STAMPS)/venv

$(STAMPS)/system: scripts/system-deps.sh
	@mkdir -p $(STAMPS)
	scripts/system-deps.sh runtime
	@touch $@

$(STAMPS)/test-system: scripts/system-deps.sh $(STAMPS)/system
	scripts/system-deps.sh test
	@touch $@

$(STAMPS)/browser: tests/browser/package-lock.json $(STAMPS)/test-system
	cd tests/browser && npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

$(STAMPS)/venv: pyproject.toml $(STAMPS)/system
	@mkdir -p $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

clean:
	rm -rf dist $(STAMPS) .pytest_cache .ruff_cache .mypy_cache

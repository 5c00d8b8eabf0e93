# Techwin: `make run` sets up and serves the product with a demo organisation on SQLite;
# `make test` sets up and runs the whole test suite. Both start from a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
VENDOR := src/techwin/web/static/vendor
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_SCALE ?= medium

.PHONY: install run demo test lint typecheck contracts check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(VENDOR)/.stamp: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/chart.umd.min.js
	cp node_modules/sortablejs/Sortable.min.js $(VENDOR)/Sortable.min.js
	touch $@

install: $(STAMP) $(VENDOR)/.stamp

run: install
	$(BIN)/techwin db upgrade
	@if [ ! -f .demo-ready ]; then $(BIN)/techwin demo --scale $(DEMO_SCALE) && touch .demo-ready; \
	else $(BIN)/techwin demo --logins; fi
	$(BIN)/techwin serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check src tests migrations bench scripts
	$(BIN)/ruff format --check src tests migrations bench scripts

typecheck: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

check: lint typecheck contracts test

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .demo-ready techwin.db techwin.db-shm techwin.db-wal

bench: install
	$(BIN)/python -m bench $(BENCH)

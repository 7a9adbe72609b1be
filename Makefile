# consult — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := consult
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test install install-test translations lint check-chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations node_modules/axe-core/axe.min.js

# Compiled catalogs (.mo) are built, not committed.
translations: $(VENV)/.installed
	@$(BIN)/pybabel -q compile -d translations

node_modules/axe-core/axe.min.js: package.json
	npm install --no-audit --no-fund --silent
	@touch $@

## Install, migrate the SQLite database under instance/, load the demo, serve on :5000.
run: install
	CONSULT_ENV=development $(BIN)/flask db upgrade
	CONSULT_ENV=development $(BIN)/flask consult demo
	CONSULT_ENV=development $(BIN)/flask run --host 127.0.0.1 --port 5000

check-chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "Chromium is missing, so the browser tests will be skipped. Install it with:"; \
	  echo "  sudo apt-get update && sudo apt-get install -y chromium"; \
	fi

## Install the test extras and run every test on SQLite, then on PostgreSQL when
## CONSULT_TEST_DATABASE_URL is set (e.g. postgresql+psycopg://postgres@127.0.0.1/test).
test: install-test check-chromium
	env -u CONSULT_TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)
	@if [ -n "$$CONSULT_TEST_DATABASE_URL" ]; then \
	  echo "== the same suite on $$CONSULT_TEST_DATABASE_URL"; \
	  $(BIN)/pytest $(PYTEST_ARGS); \
	fi

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check consult tests

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache

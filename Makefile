# consult — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := consult
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test install install-test translations lint check-machine clean

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

## Install, migrate the SQLite database under instance/, load the demo, serve on :5000 with
## one background worker beside it (scripts/run-dev; Ctrl-C stops both).
run: install
	CONSULT_ENV=development $(BIN)/flask db upgrade
	CONSULT_ENV=development $(BIN)/flask consult demo
	BIN=$(BIN) scripts/run-dev

## Say what this machine lacks for the tests and how to install it; start Redis if it is not.
check-machine:
	@CHROMIUM=$(CHROMIUM) tests/tools/check-machine

## Install the test extras and run every test on SQLite, and at the same time on PostgreSQL
## when CONSULT_TEST_DATABASE_URL is set (e.g. postgresql+psycopg://postgres@127.0.0.1/test).
## Parts of the suite: make test PYTEST_ARGS="tests/responses" (see docs/testing.md).
test: check-machine install-test
	@PYTEST=$(BIN)/pytest tests/tools/run-both $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check consult tests

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache

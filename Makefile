# Entraide: `make up` to run it, `make test` to test it. Both install what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Re-install the Python packages whenever pyproject.toml changes.
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: install install-bench infra up down status test unit integration schema lint format

install: $(STAMP)
	@$(BIN)/entraide infra install >/dev/null

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

# The benchmarks' own packages (bench/README.md); the tests do not need them.
install-bench: install
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev,bench]'

infra: install
	$(BIN)/entraide infra up

# The infrastructure, every service, and the demo; prints the web client's address.
up: install
	$(BIN)/entraide up
	$(BIN)/entraide demo

down:
	$(BIN)/entraide down

status:
	$(BIN)/entraide status

# Everything: unit, then integration against real Kafka, PostgreSQL and Redis.
test: install
	$(BIN)/pytest

unit: install
	$(BIN)/pytest tests/unit

integration: install
	$(BIN)/pytest tests/integration

schema: install
	$(BIN)/entraide schema

# Style, and the import rules of ADR 0014 (pyproject.toml, [tool.importlinter]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

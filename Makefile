# Entraide: `make up` to run it, `make test` to test it. Both install what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Re-install the Python packages whenever pyproject.toml changes.
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

# The web client (services/gateway/web): npm ci when the lockfile changes, then a build.
WEB := services/gateway/web
WEB_STAMP := $(WEB)/node_modules/.installed-$(shell sha1sum $(WEB)/package-lock.json | cut -c1-12)

.PHONY: install install-bench infra up down status test unit integration schema lint format web web-test screens chaos soak

install: $(STAMP)
	@$(BIN)/entraide infra install >/dev/null

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

# The benchmarks' own packages (bench/README.md); the tests do not need them.
install-bench: install
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev,bench]'

$(WEB_STAMP): $(WEB)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 with npm (https://nodejs.org or apt-get install nodejs npm)"; exit 1; }
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	@rm -f $(WEB)/node_modules/.installed-* && touch $@

# Type-checks and builds the client into $(WEB)/dist, which the gateway serves.
web: $(WEB_STAMP)
	cd $(WEB) && npm run --silent build

# The client's own logic (vitest): the cursor and dedupe, token renewal, the catalogues.
web-test: $(WEB_STAMP)
	cd $(WEB) && npm test --silent

infra: install
	$(BIN)/entraide infra up

# The infrastructure, every service, and the demo; prints the web client's address.
up: install web
	$(BIN)/entraide up
	$(BIN)/entraide demo

down:
	$(BIN)/entraide down

status:
	$(BIN)/entraide status

# Everything: the client's unit tests, then Python's unit, integration (real Kafka,
# PostgreSQL and Redis) and end-to-end tiers, the browser journeys among them.
test: install web web-test
	$(BIN)/pytest

unit: install
	$(BIN)/pytest tests/unit

integration: install
	$(BIN)/pytest tests/integration

schema: install
	$(BIN)/entraide schema

# Kill -9 of each process in turn under load, then count what was lost (BENCHMARKS.md);
# BROKERS=3 for the three-broker cluster. Takes the machine and the default ports (~6 min).
chaos: install-bench
	$(BIN)/python -m bench.chaos.run --brokers $(or $(BROKERS),1)

# An hour at 10 posts/s: memory, descriptors and lag each minute, plotted (bench/soak).
soak: install-bench
	$(BIN)/python -m bench.soak.run --minutes 60 --rate 10

# Screenshots of every screen at phone and laptop sizes, into docs/screens/.
screens: install web
	ENTRAIDE_SCREENS=1 $(BIN)/pytest tests/e2e/test_journeys.py tests/e2e/test_urgent_help.py \
		tests/e2e/test_conversations.py tests/e2e/test_accounts.py tests/e2e/test_moderation.py

# Style, and the import rules of ADR 0014 (pyproject.toml, [tool.importlinter]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Pakan: two commands. `make run` sets up and serves the app; `make test` sets up and tests it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PEOPLE ?= 20000
SEED ?= 2026
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)

.PHONY: run test test-fast install assets messages lint bench clean services

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP) assets messages

# Front-end assets come from the npm registry (pinned by package-lock.json), never a CDN.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json
	$(BIN)/python scripts/copy_assets.py

messages: $(STAMP)
	$(BIN)/python scripts/compile_messages.py

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_geography
	$(BIN)/python manage.py synth --people $(PEOPLE) --seed $(SEED) --fund
	$(BIN)/python manage.py load_nsps_framework
	$(BIN)/python manage.py create_demo_accounts
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

services:
	bash scripts/ensure_services.sh

# The whole suite on PostgreSQL (a database this run creates and drops), then the fast subset on
# the embedded SQLite. Browser tests drive Debian's Chromium.
test: install services
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	$(BIN)/ruff check .
	DB=pakan_ci_$$RANDOM$$RANDOM; \
	DATABASE_URL=$(PG_URL)/$$DB \
	  $(BIN)/pytest -p no:cacheprovider -q -n 2 --dist loadgroup; status=$$?; \
	psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS test_$$DB" postgres >/dev/null 2>&1; \
	exit $$status
	$(MAKE) test-fast

test-fast: install
	tmp=$$(mktemp -d); PAKAN_VAR_DIR=$$tmp DATABASE_URL=sqlite:///$$tmp/test.sqlite3 \
	  $(BIN)/pytest -p no:cacheprovider -q -m "not postgres_only and not browser and not slow"; \
	status=$$?; rm -rf $$tmp; exit $$status

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: install services
	bash bench/run_all.sh

clean:
	rm -rf $(VENV) node_modules pakan/static/vendor var

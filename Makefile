# Qashyq: `make run` serves the demo academy, `make test` runs the whole suite.
# `make help` lists every target. Everything runs from .venv, created on first use.

SHELL := /bin/bash
.DEFAULT_GOAL := help

HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Written after a successful install; pip runs again only when pyproject.toml is newer.
STAMP := $(VENV)/.installed
# pytest-xdist workers for the suite ("auto" = one per core; PYTEST_WORKERS=0 runs in one process).
PYTEST_WORKERS ?= auto
PYTEST := $(PY) -m pytest -p no:cacheprovider -n $(PYTEST_WORKERS)
# The suite on PostgreSQL and Redis (make test-postgres; pytest-django creates test_qashyq).
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/qashyq
REDIS_TEST_URL ?= redis://127.0.0.1:6379/0
LANGS := kk ru en

.PHONY: help install run serve test test-postgres e2e lint format migrations-check messages \
	compilemessages bench clean distclean

help: ## List the targets (this text)
	@echo "Qashyq. Start with:  make run   (serves the demo academy)   make test   (the whole suite)"
	@echo
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "} {printf "  make %-18s %s\n", $$1, $$2}'
	@echo
	@echo "Variables: PORT=$(PORT) HOST=$(HOST) PYTHON=<interpreter for .venv> PYTEST_WORKERS=$(PYTEST_WORKERS)"

# ---------------------------------------------------------------- environment
$(PY):
	@py="$(PYTHON)"; \
	if [ -z "$$py" ]; then py=$$(scripts/find-python) || exit 1; fi; \
	echo "Creating $(VENV) with $$py ($$($$py --version 2>&1))"; \
	"$$py" -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv (Python >= 3.12) and install Qashyq with its dev tools

# ---------------------------------------------------------------- run
run: $(STAMP) ## Migrate, load the demo academy, then serve http://127.0.0.1:8000 (PORT=...) with the task worker
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) serve --host $(HOST) --port $(PORT)

serve: $(STAMP) ## Serve without migrating or seeding (web, task worker, periodic jobs; Ctrl-C stops all)
	$(MANAGE) serve --host $(HOST) --port $(PORT)

# ---------------------------------------------------------------- tests and checks
# The suite never needs a running server: browser tests start their own (pytest-django live_server).
test: $(STAMP) ## Run the whole suite (unit + browser tests) on SQLite
	env -u DATABASE_URL -u REDIS_URL $(PYTEST)

test-postgres: $(STAMP) ## Run the whole suite on PostgreSQL and Redis (POSTGRES_URL, REDIS_TEST_URL)
	@$(PY) -c "import psycopg, sys; psycopg.connect('$(POSTGRES_URL)'.rsplit('/', 1)[0] + '/postgres', connect_timeout=3).close()" \
		|| { echo "PostgreSQL is not reachable at $(POSTGRES_URL) (start it, or set POSTGRES_URL)"; exit 1; }
	@$(PY) -c "import redis; redis.Redis.from_url('$(REDIS_TEST_URL)', socket_timeout=3).ping()" \
		|| { echo "Redis is not reachable at $(REDIS_TEST_URL) (start it, or set REDIS_TEST_URL)"; exit 1; }
	DATABASE_URL=$(POSTGRES_URL) REDIS_URL=$(REDIS_TEST_URL) QASHYQ_EXPECT_SERVICES=1 $(PYTEST)

e2e: $(STAMP) ## Run only the browser tests (Playwright driving Debian's Chromium)
	env -u DATABASE_URL -u REDIS_URL $(PYTEST) -m e2e tests/e2e

lint: $(STAMP) ## ruff check, ruff format --check and import-linter's layer contract
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: $(STAMP) ## Fail when a model change has no migration
	$(MANAGE) makemigrations --check --dry-run

# ---------------------------------------------------------------- translations
# The compiled .mo files are committed, so running Qashyq needs no gettext; after translating,
# `make messages` again rebuilds them (a test fails while a .mo is older than its .po).
messages: $(STAMP) ## Extract strings into qashyq/locale/{kk,ru,en}/django.po and compile them
	@mkdir -p qashyq/locale
	$(MANAGE) makemessages $(addprefix -l ,$(LANGS)) -i .venv -i staticfiles -i var -i bench -i tests --no-obsolete --no-location
	$(PY) scripts/fill-english-catalogue
	@$(MAKE) --no-print-directory compilemessages

compilemessages: $(STAMP) ## Compile the .po files (needs gettext's msgfmt)
	@if ! command -v msgfmt >/dev/null 2>&1; then \
		echo "compilemessages needs msgfmt from GNU gettext: apt-get install gettext (macOS: brew install gettext)"; \
		exit 1; \
	fi
	@if [ -z "$$(find qashyq -name '*.po' -not -path '*/.venv/*' -print -quit)" ]; then \
		echo "No .po files yet: nothing to compile."; \
	else \
		$(MANAGE) compilemessages -i .venv --verbosity 0 && echo "Translations compiled."; \
	fi

# ---------------------------------------------------------------- benchmarks and cleaning
bench: $(STAMP) ## Load benchmark of public pages and the API with wrk (loopback, ~1 min), see bench/README.md
	@command -v wrk >/dev/null 2>&1 || { \
		echo "Installing wrk (Debian package)"; \
		if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; \
		else sudo apt-get install -y -qq wrk; fi; }
	$(MANAGE) migrate --noinput --verbosity 0
	$(MANAGE) seed_demo
	$(MANAGE) collectstatic --noinput --verbosity 0
	bench/http_pages.sh

clean: ## Remove generated files (collected static, caches, test media); keeps .venv and var/
	rm -rf staticfiles var/test-media .pytest_cache .ruff_cache test-results
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean ## Also remove .venv and the local database (var/)
	rm -rf $(VENV) var

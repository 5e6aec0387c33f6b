# keyprojects — the commands a newcomer relies on (architecture.md §6). `make help` lists them.
SHELL := /bin/bash
# The system's Python 3.11 when it can make a venv (Debian's /usr/bin/python3.11 with python3.11-venv:
# a static build, 10-15 % faster on this project's Python-bound work than a --enable-shared build such
# as pyenv's, and one a service user can run; ADR 0021), else python3.11 on PATH. PYTHON=... chooses.
PYTHON ?= $(or $(shell /usr/bin/python3.11 -c 'import ensurepip' 2>/dev/null && echo /usr/bin/python3.11),python3.11)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/keyprojects
DEMO_PROJECTS ?= 3000
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install lock dist dist-check demo serve test test-sqlite test-postgres test-browser lint bench clean system-deps messages

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-14s %s\n", $$1, $$2}'

# requirements/*.txt are locked (exact versions, SHA-256 hashes): edit requirements/*.in, then `make lock`.
$(VENV)/.stamp: requirements/base.txt requirements/dev.txt requirements/nodeps.txt
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 ($(PYTHON))"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements/dev.txt
	$(PIP) install -q --disable-pip-version-check --no-deps -r requirements/nodeps.txt
	touch $@

static/vendor/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/
	cp node_modules/bootstrap/dist/css/bootstrap.min.css static/vendor/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/
	cp node_modules/echarts/dist/echarts.min.js static/vendor/
	touch $@

# The minified bundles name their source maps; collectstatic's manifest storage needs them present.
static/vendor/.maps: static/vendor/.stamp
	cp node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/
	touch $@

locale/.stamp: $(wildcard locale/*/LC_MESSAGES/django.po) $(VENV)/.stamp
	@command -v msgfmt >/dev/null || { apt-get update -qq && apt-get install -y -qq gettext >/dev/null; }
	$(MANAGE) compilemessages -v 0
	touch $@

ifeq ($(OFFLINE),1)
install:
	bash scripts/install_offline.sh
else
install: $(VENV)/.stamp static/vendor/.maps locale/.stamp ## create .venv, install Python and front-end dependencies (OFFLINE=1: from a `make dist` archive)
endif

# Keeps the versions already locked where the .in files allow; `make lock LOCK_ARGS=--upgrade` takes the newest.
LOCK_ARGS ?=
UV_COMPILE = $(VENV)/bin/uv pip compile -q --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 $(LOCK_ARGS)
lock: $(VENV)/.stamp ## re-lock requirements/*.txt (exact versions + hashes) from requirements/*.in
	$(UV_COMPILE) requirements/base.in -o requirements/base.txt
	$(UV_COMPILE) requirements/dev.in -o requirements/dev.txt
	$(UV_COMPILE) --no-deps requirements/nodeps.in -o requirements/nodeps.txt

dist: install ## build/keyprojects-<version>-<commit>.tar.gz: code, wheelhouse (py3.11 x86_64), assets, messages, deploy kit
	bash scripts/dist.sh

dist-check: install ## build the archive, install it offline in a fresh directory, check and serve it
	bash scripts/dist_check.sh

system-deps: ## Debian packages the tests need (Chromium and CJK fonts; pg_dump/pg_restore for the backup drill; LibreOffice and poppler for the bulletin rendering)
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "installing chromium and fonts-noto-cjk ..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi
	@if ! command -v pg_restore >/dev/null; then \
	  echo "installing postgresql-client ..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null; \
	fi
	@if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null || ! fc-list :lang=zh | grep -q .; then \
	  echo "installing libreoffice-writer-nogui, poppler-utils and fonts-noto-cjk (the bulletin rendering test) ..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    libreoffice-writer-nogui poppler-utils fonts-noto-cjk >/dev/null \
	    || echo "could not install them: the bulletin rendering test will be skipped"; \
	fi

demo: install ## migrate, load demo data and serve on http://127.0.0.1:8000
	mkdir -p var
	$(MANAGE) migrate -v 0
	$(MANAGE) seed_demo --projects $(DEMO_PROJECTS) --if-empty
	@echo "打开 / open http://$(HOST):$(PORT)/  (logins above; Ctrl-C to stop)"
	$(MANAGE) runserver $(HOST):$(PORT)

serve: install ## serve the existing database on http://127.0.0.1:8000
	mkdir -p var
	$(MANAGE) migrate -v 0
	$(MANAGE) runserver $(HOST):$(PORT)

# The two databases' runs go side by side (one core each): each run's output is printed whole
# when it ends (--output-sync); the target fails when either run fails. TEST_JOBS=1: one after the other.
TEST_JOBS ?= 2
test: install system-deps ## the whole suite: SQLite (with browser tests) and PostgreSQL (when reachable), side by side
	$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target test-sqlite test-postgres

test-sqlite: install
	@echo "== test suite on SQLite (with browser tests) =="
	DATABASE_URL= $(VENV)/bin/pytest $(PYTEST_ARGS)

test-postgres: install
	@if $(PY) scripts/pg_reachable.py "$(PG_URL)"; then \
	  echo "== test suite on PostgreSQL ($(PG_URL)) =="; \
	  $(PY) scripts/pg_drop_stale_test_dbs.py "$(PG_URL)"; \
	  DATABASE_URL="$(PG_URL)" $(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS); \
	else echo "== PostgreSQL not reachable at $(PG_URL): skipped =="; fi

lint: install ## ruff, ruff format --check, mypy (services/selectors), check, makemigrations --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

bench: install ## benchmarks, printing measured figures beside their floors
	$(PY) scripts/bench.py

.PHONY: loadtest
loadtest: install ## deadline load test: 120 county users submit at once via gunicorn (PORT=n: its port), SQLite and PostgreSQL
	PG_URL="$(PG_URL)" $(PY) scripts/loadtest.py --clients 120 $(if $(filter command line environment,$(origin PORT)),--port $(PORT))

clean: ## remove the virtualenv, assets and local database
	rm -rf $(VENV) node_modules static/vendor var staticfiles build

messages: install ## refresh the English catalogue from the Chinese source strings (then translate the new entries)
	$(MANAGE) makemessages -l en --ignore=.venv --ignore=node_modules --ignore=static/vendor
	$(MANAGE) compilemessages -v 0

test-browser: install system-deps ## only the browser journeys (Chromium, SQLite)
	DATABASE_URL= $(VENV)/bin/pytest tests/browser $(PYTEST_ARGS)

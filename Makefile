# ModelBuilder: `make run` starts the application, `make test` runs every test tier.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.modelbuilder-installed
FRONTEND := frontend
HAS_FRONTEND := $(wildcard $(FRONTEND)/package.json)
HAS_LOCK := $(wildcard $(FRONTEND)/package-lock.json)
NODE_STAMP := $(FRONTEND)/node_modules/.modelbuilder-installed
DIST_INDEX := $(FRONTEND)/dist/index.html
FRONTEND_SOURCES := $(shell find $(FRONTEND)/src $(FRONTEND)/public -type f 2>/dev/null) \
	$(wildcard $(FRONTEND)/index.html $(FRONTEND)/vite.config.* $(FRONTEND)/tsconfig*.json)
PYTEST_ARGS ?=

.PHONY: help install run test test-python test-frontend test-e2e lint bench frontend chromium clean

help:
	@echo "make run    install what is missing, build the frontend, start the app on http://127.0.0.1:8000"
	@echo "make test   install what is missing and run every test tier (pytest, vitest, Playwright)"
	@echo "make lint   ruff + TypeScript type check"
	@echo "make bench  engine benchmarks (python -m bench)"

# --- Python -------------------------------------------------------------------------------------
# Re-runs only when pyproject.toml changes (the stamp lives inside the venv).
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed, found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]' --config-settings editable_mode=compat
	@touch $@

install: $(STAMP)

# --- frontend -----------------------------------------------------------------------------------
ifneq ($(HAS_FRONTEND),)
$(NODE_STAMP): $(FRONTEND)/package.json $(HAS_LOCK)
ifneq ($(HAS_LOCK),)
	cd $(FRONTEND) && npm ci --no-audit --no-fund
else
	cd $(FRONTEND) && npm install --no-audit --no-fund
endif
	@touch $@

$(DIST_INDEX): $(NODE_STAMP) $(FRONTEND_SOURCES)
	cd $(FRONTEND) && npm run build
	@touch $@

frontend: $(DIST_INDEX)
else
frontend:
	@echo "frontend/package.json does not exist yet: skipping the frontend build"
endif

# --- run ----------------------------------------------------------------------------------------
run: $(STAMP) frontend
	@scripts/run

# --- tests --------------------------------------------------------------------------------------
# Debian's chromium for the browser tests (Playwright cannot download its own browser here).
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing chromium (apt-get)"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
			|| echo "WARNING: could not install chromium: browser tests will be skipped"; \
	else \
		echo "NOTE: /usr/bin/chromium is missing and you are not root: browser tests will be skipped" \
		     "(sudo apt-get install chromium)"; \
	fi

# Every tier runs; the exit code is non-zero when any of them failed.
# pytest's exit code 5 ("no tests collected") counts as success.
test: $(STAMP) chromium
	@status=0; \
	$(MAKE) --no-print-directory frontend || { status=1; echo "!! the frontend build failed"; }; \
	echo "== tier 1/3: pytest (engine + Django) =="; \
	$(PY) -m pytest tests --ignore=tests/e2e $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -ne 0 ] && [ $$rc -ne 5 ]; then status=1; echo "!! pytest tier failed ($$rc)"; fi; \
	echo "== tier 2/3: vitest (frontend) =="; \
	if [ -f $(FRONTEND)/package.json ]; then \
		(cd $(FRONTEND) && npm test) || { status=1; echo "!! frontend tier failed"; }; \
	else echo "frontend/package.json does not exist yet: skipping"; fi; \
	echo "== tier 3/3: Playwright (browser) =="; \
	$(PY) -m pytest tests/e2e -p no:xdist $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -ne 0 ] && [ $$rc -ne 5 ]; then status=1; echo "!! browser tier failed ($$rc)"; fi; \
	if [ $$status -eq 0 ]; then echo "== all test tiers passed =="; else echo "== some test tier FAILED =="; fi; \
	exit $$status

test-python: $(STAMP)
	$(PY) -m pytest tests --ignore=tests/e2e $(PYTEST_ARGS)

test-frontend: frontend
	cd $(FRONTEND) && npm test

test-e2e: $(STAMP) frontend chromium
	$(PY) -m pytest tests/e2e -p no:xdist $(PYTEST_ARGS)

lint: $(STAMP)
	@status=0; \
	$(PY) -m ruff check . || status=1; \
	if [ -f $(FRONTEND)/package.json ]; then \
		$(MAKE) --no-print-directory $(NODE_STAMP) >/dev/null && (cd $(FRONTEND) && npm run typecheck) || status=1; \
	fi; \
	exit $$status

bench: $(STAMP)
	@if [ -d bench ]; then $(PY) -m bench; else echo "no bench/ yet"; fi

clean:
	rm -rf $(FRONTEND)/dist .pytest_cache .ruff_cache

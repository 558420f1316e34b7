# Cocreate — two commands do everything: `make run` (demo) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(PY) -m flask --app wsgi
PORT ?= 5000
export PORT

.PHONY: run test install install-test catalogs db chromium axe clean bench bench-quick audit reliability

## The demo: web server + scheduler on SQLite with demo data (Ctrl-C stops both).
run: install catalogs
	COCREATE_DEMO=1 $(FLASK) db upgrade
	COCREATE_DEMO=1 $(FLASK) seed demo
	COCREATE_DEMO=1 $(FLASK) demo serve --port $(PORT)

## Everything the tests need, then the whole suite (SQLite, PostgreSQL, Chromium).
test: install-test catalogs chromium axe
	$(PY) -m pytest $(PYTEST_ARGS)

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## .po → .mo (only when a catalog changed).
catalogs: install
	@for po in translations/*/LC_MESSAGES/messages.po; do \
	  mo=$${po%.po}.mo; \
	  if [ ! -f "$$mo" ] || [ "$$po" -nt "$$mo" ]; then \
	    $(PY) -m babel.messages.frontend compile -i "$$po" -o "$$mo" || exit 1; \
	  fi; \
	done

## Debian's Chromium for the browser tests (installed when root and missing).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
	      || echo "warning: could not install chromium; browser tests will be skipped"; \
	  else echo "note: /usr/bin/chromium missing and not root; browser tests will be skipped"; fi; \
	fi

## axe-core from npm, for the accessibility checks.
axe: node_modules/axe-core/axe.min.js
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent || npm install --no-audit --no-fund --silent
	touch $@

## Known-vulnerable dependencies: pip-audit over the installed packages (the project itself
## aside), against PyPI's advisory data. Where that data cannot be reached (an offline
## machine or a mirror without the JSON API), it says so and skips rather than pass silently.
audit: install-test
	@if $(PY) -c "import importlib.metadata as m, urllib.request; urllib.request.urlopen('https://pypi.org/pypi/flask/' + m.version('flask') + '/json', timeout=15)" 2>/dev/null; then \
	  $(PY) -m pip_audit --skip-editable --progress-spinner off; \
	else \
	  echo "audit: PyPI's vulnerability data (https://pypi.org/pypi/<name>/<version>/json) is not reachable from this machine; NOT audited"; \
	fi

## Benchmarks (never part of make test): JSON lines on stdout, bench/results.json at the end.
bench: install-test
	$(PY) -m bench.run

bench-quick: install-test
	$(PY) -m bench.run --quick

## Load and fault scenarios on 127.0.0.1 (never part of make test): a JSON line per scenario,
## exit status 1 when one fails. About 6 minutes; restarts the local PostgreSQL once.
reliability: install-test
	$(PY) -m reliability.run

clean:
	rm -rf $(VENV) node_modules .pytest_cache

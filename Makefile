# Two entry points for a fresh clone: `make serve` and `make test`.
# Each installs what is missing first (a virtualenv in .venv, the front-end
# libraries from the npm registry into node_modules), so nothing else is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

# Plain `make` only installs: the README's commands then run as written (.venv/bin/webmap ...).
.DEFAULT_GOAL := setup
.PHONY: serve test setup clean

serve: setup
	$(BIN)/webmap serve --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# node_modules first: the package build copies Leaflet from it.
setup: node_modules/.installed $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("webmap needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

clean:
	rm -rf $(VENV) node_modules

# zGovern: `make run` serves the demo on http://127.0.0.1:8000; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BIND ?= 127.0.0.1:8000
PYTEST_ARGS ?=

.PHONY: setup run test lint migrations-check browser-deps bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/zgovern migrate --noinput
	$(BIN)/zgovern demo
	$(BIN)/zgovern serve --bind $(BIND)

browser-deps:
	@scripts/ensure-chromium

test: setup browser-deps
	$(BIN)/pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: setup
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: setup
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

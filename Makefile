# Spona: `make run` to try it, `make test` to check it. Each target bootstraps .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := src/spona/web/static/vendor
export DJANGO_SETTINGS_MODULE := spona.settings

.PHONY: run test test-sqlite test-postgres lint bench static messages lock system-deps clean help

help:
	@echo "make run     install and run Spona on SQLite with the demo company (http://127.0.0.1:8000)"
	@echo "make test    install and run the whole test suite (SQLite and, alongside, PostgreSQL when reachable)"
	@echo "make bench   run the benchmarks in bench/ and print their figures"
	@echo "make lint    ruff and import contracts only"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip==25.3"

# Installs are stamped by the lock file they came from, so a changed lock reinstalls.
$(VENV)/.run-installed: requirements/run.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/run.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-installed: requirements/dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.run-installed

# Front-end packages come from the npm registry through the lock file and are copied into
# static/vendor (ignored by git); nothing is fetched when Spona runs. The source maps the
# minified files point to come along: collectstatic's manifest storage resolves every reference.
$(VENDOR)/.stamp: package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/css $(VENDOR)/js $(VENDOR)/fonts
	cp node_modules/bootstrap/dist/css/bootstrap.min.css $(VENDOR)/css/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js $(VENDOR)/js/
	cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css $(VENDOR)/css/
	cp -r node_modules/bootstrap-icons/font/fonts/. $(VENDOR)/css/fonts/
	cp node_modules/tom-select/dist/css/tom-select.bootstrap5.min.css $(VENDOR)/css/
	cp node_modules/tom-select/dist/js/tom-select.complete.min.js $(VENDOR)/js/
	cp node_modules/sortablejs/Sortable.min.js $(VENDOR)/js/
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/js/
	cp node_modules/bootstrap/dist/css/bootstrap.min.css.map node_modules/tom-select/dist/css/tom-select.bootstrap5.min.css.map $(VENDOR)/css/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map node_modules/tom-select/dist/js/tom-select.complete.min.js.map \
	   node_modules/chart.js/dist/chart.umd.min.js.map $(VENDOR)/js/
	touch $@

static: $(VENDOR)/.stamp

# Translations are compiled with Babel (a Python dependency), so no gettext is needed to run.
messages: $(VENV)/.run-installed
	$(BIN)/pybabel -q compile -d src/spona/locale -D django

run: $(VENV)/.run-installed static messages
	$(BIN)/spona run

system-deps:
	@scripts/system-deps.sh

test: system-deps $(VENV)/.dev-installed static messages
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/spona makemigrations --check --dry-run
	scripts/test-all.sh --durations=15

test-sqlite: $(VENV)/.dev-installed static messages
	$(BIN)/pytest

test-postgres: $(VENV)/.dev-installed static messages
	scripts/test-postgres.sh

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: $(VENV)/.dev-installed static
	$(BIN)/python -m bench

lock: $(BIN)/python
	$(BIN)/pip install --quiet "uv==0.13.9"
	$(BIN)/uv pip compile pyproject.toml --extra pg --python-version 3.11 --generate-hashes -q -o requirements/run.lock
	$(BIN)/uv pip compile pyproject.toml --extra pg --extra scale --extra pdf --extra dev --python-version 3.11 --generate-hashes -q -o requirements/dev.lock

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache

# Clientes en ruta: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: install run test lint format translations extract-messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy --statistics -d app/translations 2>&1 | tail -n 1

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i app/translations/messages.pot -d app/translations

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo-data --if-empty
	$(BIN)/gunicorn --bind 127.0.0.1:8000 --workers 2 --access-logfile - wsgi:app

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install lint
	$(BIN)/pytest

bench: install
	$(BIN)/python -m benchmarks.demo_data $(if $(BENCH_PG_URL),--pg $(BENCH_PG_URL))
	$(BIN)/python -m benchmarks.iibb_import $(if $(BENCH_PG_URL),--pg $(BENCH_PG_URL))
	$(BIN)/python -m benchmarks.ledger $(if $(BENCH_PG_URL),--pg $(BENCH_PG_URL))
	$(BIN)/python -m benchmarks.credit $(if $(BENCH_PG_URL),--pg $(BENCH_PG_URL))
	$(BIN)/python -m benchmarks.orders $(if $(BENCH_PG_URL),--pg $(BENCH_PG_URL))
	$(BIN)/python -m benchmarks.sync $(if $(BENCH_PG_URL),--pg $(BENCH_PG_URL))

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/e2e/artifacts

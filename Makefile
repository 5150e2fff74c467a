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

# The job queue's worker runs beside gunicorn and stops with it.
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo-data --if-empty
	$(BIN)/flask jobs worker --workers 2 --quiet & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:8000 --workers 2 --access-logfile - wsgi:app

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install lint
	$(BIN)/pytest

# The quick report by default (under 10 minutes on 2 cores); BENCH_FULL=1 for the full sizes.
# BENCH_PG_URL=postgresql+psycopg://... adds PostgreSQL and two app servers on it (a scratch
# database: it is emptied, and copies of the demo data are kept beside it as <name>_tpl_*
# databases; the pair's rate limiter uses the Redis at BENCH_REDIS_URL).
BENCH_PG = $(if $(BENCH_PG_URL),--pg $(BENCH_PG_URL))
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/15
quick = $(if $(BENCH_FULL),,$(1))

bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m benchmarks.demo_data $(BENCH_PG) $(call quick,--clients 2000)
	$(BIN)/python -m benchmarks.iibb_import $(BENCH_PG) $(call quick,--lines 20000)
	$(BIN)/python -m benchmarks.ledger $(BENCH_PG) $(call quick,--clients 2000 --documents 1000 --runs 10)
	$(BIN)/python -m benchmarks.credit $(BENCH_PG) $(call quick,--clients 2000 --documents 1000 --requests 100)
	$(BIN)/python -m benchmarks.orders $(BENCH_PG) $(call quick,--clients 2000 --documents 1000 --requests 100)
	$(BIN)/python -m benchmarks.sync $(BENCH_PG) $(call quick,--runs 1)
	$(BIN)/python -m benchmarks.reports $(BENCH_PG) $(call quick,--clients 2000 --runs 2)
	$(BIN)/python -m benchmarks.clients_import $(BENCH_PG) $(call quick,--rows 1000)
	$(BIN)/python -m benchmarks.report --rush $(call quick,--quick) $(BENCH_PG) \
		$(if $(BENCH_PG_URL),--pair --redis $(BENCH_REDIS_URL))

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/e2e/artifacts

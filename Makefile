# The two commands of the README: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
BENCH_DB := $(CURDIR)/instance/bench.db
# Tools for the lock files and the audit; not needed to run or test the app.
PIP_TOOLS_VERSION := 7.6.2
PIP_AUDIT_VERSION := 2.10.1
# Report exports are timed on a plan version of 300 actions (1,800 over 3 plans × 2 versions).
BENCH_REPORT_DB := $(CURDIR)/instance/bench-report.db

# System packages the app needs to export PDFs (WeasyPrint): Pango/HarfBuzz and fonts, with
# Symbola for emoji. The suite also needs PostgreSQL for its second database run and Chromium
# for the browser tests.
RUN_SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation \
	fonts-symbola
TEST_SYSTEM_PACKAGES := postgresql chromium $(RUN_SYSTEM_PACKAGES)

.PHONY: run serve install test check lint bench bench-http assets lock audit system-packages run-system-packages clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required: set PYTHON=/path/to/python3.11")'
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { echo "Creating the virtualenv needs python3-venv: sudo apt-get install python3-venv" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Exactly the versions the suite was run with, checked against their hashes; the app itself
# is then installed on top without letting pip pick anything else.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps --requirement requirements.lock
	$(BIN)/pip install --quiet --no-deps --editable .
	@touch $@

$(VENV)/.installed-test: pyproject.toml requirements-test.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps --requirement requirements-test.lock
	$(BIN)/pip install --quiet --no-deps --editable .
	@touch $@ $(VENV)/.installed

## run: set up, migrate the SQLite database in instance/, load the demo plan if empty, serve
run: run-system-packages $(VENV)/.installed
	@echo "Bringing the database up to date…"
	@$(FLASK) db upgrade
	@$(FLASK) seed-demo --if-empty
	@echo
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl+C to stop)"
	@$(FLASK) run --host 127.0.0.1 --port $(PORT)

## install: the virtualenv with the app installed, and the system packages PDF exports need
install: run-system-packages $(VENV)/.installed

## serve: production-like: gunicorn with 2 workers (migrate first with `make run` or flask db upgrade)
serve: run-system-packages $(VENV)/.installed
	@$(FLASK) db upgrade
	$(BIN)/gunicorn --workers 2 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

system-packages:
	@PYTHON=$(PYTHON) .ci/ensure-system-packages $(TEST_SYSTEM_PACKAGES)

run-system-packages:
	@PYTHON=$(PYTHON) NEEDED_BY="make $(MAKECMDGOALS)" .ci/ensure-system-packages $(RUN_SYSTEM_PACKAGES)

## lint: ruff (lint and format check), mypy, and bandit (fails on medium or high findings)
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/bandit --quiet --recursive tracker --severity-level medium

## test: system packages, virtualenv, lint, then the whole suite on SQLite and PostgreSQL,
## one pytest-xdist worker per core (worksteal: an idle worker takes tests queued for a busy
## one, so a few long browser tests at the end do not leave a core idle)
test: system-packages $(VENV)/.installed-test
	@$(MAKE) --no-print-directory lint
	$(BIN)/pytest --numprocesses auto --dist worksteal

## check: the quick loop while working: lint, then the suite on SQLite without the browser
check: $(VENV)/.installed-test
	@$(MAKE) --no-print-directory lint
	$(BIN)/pytest --numprocesses auto --databases=sqlite --ignore=tests/browser

## bench: a 10,000-action × 20-update SQLite database, then page timings and query counts;
## a 300-action plan version's report exports
bench: $(VENV)/.installed
	@rm -f $(BENCH_DB) $(BENCH_DB)-wal $(BENCH_DB)-shm
	@DATABASE_URL=sqlite:///$(BENCH_DB) $(FLASK) db upgrade 2>/dev/null
	DATABASE_URL=sqlite:///$(BENCH_DB) $(FLASK) bench-data --actions 10000 --updates-per-action 20
	DATABASE_URL=sqlite:///$(BENCH_DB) $(BIN)/python -m bench.run
	@rm -f $(BENCH_REPORT_DB) $(BENCH_REPORT_DB)-wal $(BENCH_REPORT_DB)-shm
	@DATABASE_URL=sqlite:///$(BENCH_REPORT_DB) $(FLASK) db upgrade 2>/dev/null
	DATABASE_URL=sqlite:///$(BENCH_REPORT_DB) $(FLASK) bench-data --actions 1800 --updates-per-action 20
	DATABASE_URL=sqlite:///$(BENCH_REPORT_DB) $(BIN)/python -m bench.exports

## bench-http: the pages over HTTP under gunicorn (2 workers), loaded by wrk with 4 connections:
## 2,000 actions × 5 updates and 10,000 × 20, on SQLite and on a throwaway PostgreSQL
bench-http: $(VENV)/.installed
	@PYTHON=$(PYTHON) NEEDED_BY="make bench-http" .ci/ensure-system-packages wrk postgresql
	@set -e; for size in "2000 5" "10000 20"; do \
		set -- $$size; database=$(CURDIR)/instance/bench-http-$$1.db; \
		rm -f $$database $$database-wal $$database-shm; \
		echo; echo "== SQLite, $$1 actions × $$2 updates"; \
		DATABASE_URL=sqlite:///$$database $(FLASK) db upgrade 2>/dev/null; \
		DATABASE_URL=sqlite:///$$database $(FLASK) bench-data --actions $$1 \
			--updates-per-action $$2 --plans 1 --versions-per-plan 1; \
		DATABASE_URL=sqlite:///$$database $(BIN)/python -m bench.http; \
	done
	@set -e; for size in "2000 5" "10000 20"; do \
		set -- $$size; echo; echo "== PostgreSQL, $$1 actions × $$2 updates"; \
		$(BIN)/python -m bench.postgres sh -c "$(FLASK) db upgrade 2>/dev/null && \
			$(FLASK) bench-data --actions $$1 --updates-per-action $$2 --plans 1 \
				--versions-per-plan 1 && $(BIN)/python -m bench.http"; \
	done

## assets: refresh the vendored front-end packages from npm and rebuild the stylesheet
assets: $(VENV)/.installed
	npm ci --no-audit --no-fund
	rm -rf static/vendor tests/browser/vendor
	mkdir -p static/vendor/govuk-frontend static/vendor/htmx tests/browser/vendor
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/vendor/govuk-frontend/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp node_modules/axe-core/axe.min.js tests/browser/vendor/
	$(BIN)/python -m tracker.statuses > static/src/_statuses.scss
	node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules \
		static/src/tracker.scss static/css/tracker.css
	node -e "for (const name of ['govuk-frontend', 'htmx.org', 'axe-core', 'sass']) \
		console.log(name + ' ' + JSON.parse(require('fs').readFileSync('node_modules/' + name + '/package.json')).version)" \
		> static/vendor/VERSIONS.txt

## lock: re-resolve requirements.lock and requirements-test.lock from pyproject.toml (newest allowed)
lock: | $(BIN)/python
	$(BIN)/pip install --quiet "pip-tools==$(PIP_TOOLS_VERSION)"
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links --upgrade -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links --upgrade --extra test -o requirements-test.lock pyproject.toml

## audit: known vulnerabilities in the locked Python and npm packages (where the services answer)
audit: $(VENV)/.installed-test
	@$(BIN)/pip install --quiet "pip-audit==$(PIP_AUDIT_VERSION)"
	@BIN=$(BIN) .ci/audit

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

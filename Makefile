# The two commands: `make run` (demo on http://127.0.0.1:8000) and `make test` (the whole suite).
# Both install what they need: system packages with apt-get where missing, Python packages into .venv.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_WORKERS ?= auto

.PHONY: run test lint lock bench messages clean help

help:
	@echo "make run    - install, migrate, load the demo and serve on http://127.0.0.1:8000"
	@echo "make test   - install, start throwaway PostgreSQL and Redis, run lint and the whole suite"
	@echo "make lint   - ruff, the layers of the apps (import-linter) and the migrations check"
	@echo "make bench  - measure the 100,000-dwelling lists, the connection-plan PDFs and a 10,000-recipient campaign and the dashboards at 100,000 dwellings; writes docs/PERFORMANCE.md"
	@echo "make messages - update and compile the Dutch catalogue"
	@echo "make lock   - re-pin requirements/*.txt from requirements/*.in"

$(VENV)/.base: requirements/base.txt
	scripts/system-deps run
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.dev: $(VENV)/.base requirements/dev.txt
	scripts/system-deps test
	$(PY) -m pip install --quiet -r requirements/dev.txt
	touch $@

run: $(VENV)/.base
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	@echo
	@echo "Open http://127.0.0.1:8000 and log in with one of the demo logins above."
	$(PY) manage.py runserver 127.0.0.1:8000

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run

test: $(VENV)/.dev lint
	scripts/with-services $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: $(VENV)/.dev
	scripts/with-services $(PY) scripts/bench.py $(BENCH_ARGS)
	scripts/with-services $(PY) scripts/bench_plans.py $(BENCH_PLANS_ARGS)
	scripts/with-services $(PY) scripts/bench_campaign.py $(BENCH_CAMPAIGN_ARGS)
	scripts/with-services $(PY) scripts/bench_dashboards.py $(BENCH_DASHBOARDS_ARGS)

messages: $(VENV)/.dev
	$(PY) manage.py makemessages --locale nl --no-obsolete --add-location file --ignore '.venv/*' --ignore 'tests/*'
	$(PY) manage.py compilemessages --locale nl --ignore '.venv/*'

lock:
	$(PYTHON) -m venv /tmp/lastmetre-lock && /tmp/lastmetre-lock/bin/pip install --quiet pip-tools
	cd requirements && /tmp/lastmetre-lock/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links base.in -o base.txt
	cd requirements && /tmp/lastmetre-lock/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links dev.in -o dev.txt

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache

# `make run` serves the demo; `make test` runs the whole suite. Both set up what is missing.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
PY_STAMP     := $(VENV)/.installed
VENDOR_STAMP := static/vendor/.installed

.PHONY: install run test lint clean bench

install: $(PY_STAMP) $(VENDOR_STAMP)

$(PY_STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,production]'
	touch $@

$(VENDOR_STAMP): package.json package-lock.json scripts/vendor.sh
	npm ci --no-audit --no-fund --loglevel=error
	bash scripts/vendor.sh
	touch $@

run: install
	$(FLASK) db upgrade
	$(FLASK) lms has-cohort tokyo-dx-2021 || $(FLASK) lms demo
	$(PY) wsgi.py

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check lms tests bench

bench: install
	$(PY) bench/goals_eval.py

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache

# Ontschot: two commands on a fresh machine with Python >= 3.11 and make.
#   make run   installs, migrates, loads the demo data, starts web + worker (Ctrl-C stops both)
#   make test  installs the test tools and runs the whole suite

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench lint install install-dev clean

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Ontschot vraagt Python 3.11 of nieuwer"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	bash scripts/systeempakketten
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py demo
	$(PY) manage.py taken_inplannen
	$(PY) manage.py aggregeer
	@echo ""
	@echo "Ontschot draait op http://$(HOST):$(PORT)/  (beheer: http://$(HOST):$(PORT)/beheer/)"
	@echo "Inloggen: zie hierboven of demo-toegang.json (wachtwoord ontschot-demo). Ctrl-C stopt web en worker."
	$(PY) -m ontschot.starten --host $(HOST) --port $(PORT)

test: install-dev
	$(VENV)/bin/pytest

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(PY) manage.py makemigrations --check --dry-run

bench: install-dev
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

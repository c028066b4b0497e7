# Haven: two commands for a fresh machine.
#   make run   creates .venv, installs Haven and starts the bot
#   make test  creates .venv with the dev extra, runs ruff, pyright and the whole suite
#   make demo  installs the simulated Discord (the demo extra) and shows Haven at work, no token needed
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test lint typecheck unit check migrate sync bench demo clean

$(VENV)/.base: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Haven needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -e '.[postgres]'
	@touch $@

$(VENV)/.dev: $(VENV)/.base pyproject.toml
	$(PIP) install -e '.[dev,postgres]'
	@touch $@

$(VENV)/.demo: $(VENV)/.base pyproject.toml
	$(PIP) install -e '.[demo,postgres]'
	@touch $@

run: $(VENV)/.base
	$(PY) -m bot run

check: $(VENV)/.base
	$(PY) -m bot check

migrate: $(VENV)/.base
	$(PY) -m bot migrate

sync: $(VENV)/.base
	$(PY) -m bot sync

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check bot tests bench scripts
	$(VENV)/bin/ruff format --check bot tests bench scripts

typecheck: $(VENV)/.dev
	$(VENV)/bin/pyright

unit: $(VENV)/.dev
	$(VENV)/bin/pytest -q

test: lint typecheck unit

demo: $(VENV)/.demo
	$(PY) -m bot demo

bench: $(VENV)/.dev
	@for f in bench/bench_*.py; do [ -e "$$f" ] || continue; echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

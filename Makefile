# Haven: two commands for a fresh machine.
#   make run   creates .venv, installs Haven and starts the bot
#   make test  creates .venv with the dev extra, runs ruff, pyright and the whole suite
#   make demo  installs the simulated Discord (the demo extra) and shows Haven at work, no token needed
# Installs are pinned by constraints.txt (make lock regenerates it from pyproject.toml's ranges).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
LOCK := constraints.txt
# Parallel test workers (pytest-xdist). The suite mostly waits (the simulated Discord, the databases), so three
# workers per core keep the cores busy; PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) * 3 )))

.PHONY: run test lint typecheck unit check migrate sync bench demo lock clean

$(VENV)/.base: pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Haven needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -c $(LOCK) -e '.[postgres]'
	@touch $@

$(VENV)/.dev: $(VENV)/.base pyproject.toml $(LOCK)
	$(PIP) install -c $(LOCK) -e '.[dev,postgres]'
	@touch $@

$(VENV)/.demo: $(VENV)/.base pyproject.toml $(LOCK)
	$(PIP) install -c $(LOCK) -e '.[demo,postgres]'
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
	$(VENV)/bin/pytest -q -n $(PYTEST_WORKERS)

test: lint typecheck unit

demo: $(VENV)/.demo
	$(PY) -m bot demo

bench: $(VENV)/.dev
	@for f in bench/bench_*.py; do [ -e "$$f" ] || continue; echo "== $$f"; $(PY) $$f || exit 1; done

# Regenerate the lock from pyproject.toml's ranges (pip-tools); commit both files.
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip --disable-pip-version-check -q install pip-tools
	.venv-lock/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
		--extra dev --extra postgres --extra demo -o $(LOCK) pyproject.toml

clean:
	rm -rf $(VENV) .venv-lock .pytest_cache .ruff_cache

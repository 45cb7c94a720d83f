# One gate for developers and CI. Every target sets up what it needs by itself.
SHELL := /bin/bash
PY := .venv/bin/python
VENV_STAMP := .venv/.installed
SHARED ?= ../shared

.PHONY: setup system-deps lint format typecheck test test-fast bench demo synth clean

$(VENV_STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $(VENV_STAMP)

setup: $(VENV_STAMP)

# Debian packages used by tests and the demo: Apertium (real offline EN<->ES), Chromium (report screenshots),
# Node/npm (CDK CLI). Skipped when already present; needs root, as on the project's machines and CI.
system-deps:
	@bash scripts/system-deps.sh

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

test: setup lint
	$(PY) -m pytest -n 2 --dist loadfile tests

test-fast: setup
	$(PY) -m pytest -n 2 --dist loadfile -m "not slow" tests

bench: setup
	@set -e; for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f; done

demo: setup
	$(PY) -m amts.cli demo --out out

synth: setup
	bash scripts/synth.sh

clean:
	rm -rf cdk.out out .pytest_cache .mypy_cache .ruff_cache

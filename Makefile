# One gate for developers and CI. Every target sets up what it needs by itself.
SHELL := /bin/bash
PY := .venv/bin/python
VENV_STAMP := .venv/.installed
SHARED ?= ../shared

.PHONY: setup system-deps lint format typecheck test test-fast bench demo screenshots synth lock clean

# The venv is installed from the dev lock (hashes, whole tree): the versions the tests run with are the ones the
# Lambda bundle gets (requirements-lambda.lock is constrained to them). `make lock` regenerates both.
$(VENV_STAMP): requirements-dev.lock pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q --require-hashes -r requirements-dev.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $(VENV_STAMP)

setup: $(VENV_STAMP)

# Debian packages used by tests and the demo: Apertium (real offline EN<->ES) and Chromium (report screenshots,
# browser tests). Installed when missing and root; otherwise one line says what is missing and what that changes.
system-deps:
	@bash scripts/system-deps.sh

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

test: setup system-deps lint
	$(PY) -m pytest -n 2 --dist loadfile tests

test-fast: setup
	$(PY) -m pytest -n 2 --dist loadfile -m "not slow" tests

bench: setup
	@set -e; for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f; done

demo: setup system-deps
	$(PY) -m amts_local.cli demo -o out

# The run report, the evaluation report and the review page at 1400 and 400 px -> bench/results/screenshots/
screenshots: demo
	$(PY) -m bench.screenshots out

synth: setup
	bash scripts/synth.sh

lock: setup
	$(PY) -m uv pip compile requirements-dev.txt --python-version 3.11 --generate-hashes --quiet -o requirements-dev.lock
	$(PY) -m uv pip compile requirements.txt -c requirements-dev.lock --python-version 3.13 \
		--python-platform x86_64-manylinux_2_28 --generate-hashes --quiet -o requirements-lambda.lock

clean:
	rm -rf cdk.out out .pytest_cache .mypy_cache .ruff_cache

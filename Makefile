# Every target bootstraps .venv on a fresh machine.
PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test test-unit test-integration test-e2e run lint asyncapi bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(VPY) || $(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

test: $(STAMP)
	$(VPY) -m pytest -q -p no:cacheprovider tests

test-unit: $(STAMP)
	$(VPY) -m pytest -q tests/unit

test-integration: $(STAMP)
	$(VPY) -m pytest -q tests/integration

test-e2e: $(STAMP)
	$(VPY) -m pytest -q tests/e2e

run: $(STAMP)
	$(VPY) -m cli.main run

lint: $(STAMP)
	$(VENV)/bin/ruff check shared services cli devstack tests bench
	$(VENV)/bin/mypy shared

asyncapi: $(STAMP)
	$(VPY) -m cli.main asyncapi deploy/asyncapi

bench: $(STAMP)
	$(VPY) -m bench.run_all

clean:
	rm -rf var .pytest_cache

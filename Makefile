# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

.PHONY: setup demo test lint bench
setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/playbook validate brokerage
	$(BIN)/playbook dry-run brokerage examples/conversations/busy_owner.yaml
	$(BIN)/playbook dry-run brokerage examples/conversations/busy_owner.yaml --locale en

test: $(STAMP)
	$(BIN)/pytest
	$(BIN)/ruff check engine tests benchmarks examples
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/turn.py
	$(BIN)/python benchmarks/detect_speed.py
	$(BIN)/python benchmarks/detect_quality.py

# The CI steps (bash .ci/run runs the same in a fresh virtual environment).
VENV ?= .venv
BIN := $(VENV)/bin
SOURCES := langchain_vertex_openai tests examples scripts

.PHONY: install lint format format-check typecheck test test-unit check ci

install:  ## a virtual environment with the test and lint tools, Ray and Spark
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test,lint,scale]'

lint:
	$(BIN)/ruff check $(SOURCES)

format-check:
	$(BIN)/ruff format --check $(SOURCES)

format:  ## rewrite files in the house format
	$(BIN)/ruff format $(SOURCES)
	$(BIN)/ruff check --fix $(SOURCES)

typecheck:
	$(BIN)/mypy

test-unit:  ## fast, no sockets
	$(BIN)/python -m pytest tests/unit -q

test:  ## the README's test command
	$(BIN)/python -m pytest

check: lint format-check typecheck test  ## everything CI checks, in this environment

ci:  ## CI itself: a fresh environment, then every check
	bash .ci/run

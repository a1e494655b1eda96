# Seguiment del Pla — the two commands a newcomer needs:
#   make run    install into .venv, prepare the database (with demo data) and serve on :8050
#   make test   install into .venv and run every check (ruff, mypy, pytest)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8050
PYTEST_ARGS ?=
# pytest-xdist processes (each with its own browser and databases); 0 runs in one process
PYTEST_WORKERS ?= 2

.PHONY: run test install lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/seguiment db upgrade
	$(BIN)/seguiment setup --demo-if-empty
	$(BIN)/seguiment serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy

pytest: install
	@test -n "$$TEST_DATABASE_URL" || echo "TEST_DATABASE_URL is not set: the PostgreSQL runs of the storage tests are left out (see README, Quick start)"
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: lint typecheck pytest

bench: install
	$(BIN)/seguiment bench import
	$(BIN)/seguiment bench status
	$(BIN)/seguiment bench pages
	$(BIN)/seguiment bench load  # needs PostgreSQL on 127.0.0.1:5432 (BENCH_DATABASE_URL)

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache

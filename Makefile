# Segmentation Studio: `make run` opens the app on demo data; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
WORKSPACE := data/workspace.duckdb

.PHONY: setup run demo test lint typecheck bench bench-quick clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

$(WORKSPACE): | $(STAMP)
	$(BIN)/python data/build_demo.py --workspace $(WORKSPACE) --files data/demo

demo: $(STAMP)  ## rebuild the demo workspace
	$(BIN)/python data/build_demo.py --workspace $(WORKSPACE) --files data/demo

run: $(STAMP) $(WORKSPACE)
	@echo "Segmentation Studio on http://localhost:8501"
	$(BIN)/python -m segstudio.ui.serve app.py --server.port 8501

lint: $(STAMP)
	$(BIN)/ruff check src tests pages app.py data bench
	$(BIN)/ruff format --check src tests pages app.py data bench
	$(BIN)/mypy

typecheck: $(STAMP)  ## mypy over the core (pyproject.toml [tool.mypy]: all of segstudio but ui/)
	$(BIN)/mypy

test: $(STAMP)
	./scripts/ensure_chromium.sh
	$(BIN)/ruff check src tests pages app.py data bench
	$(BIN)/ruff format --check src tests pages app.py data bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/run.py

bench-quick: $(STAMP)
	$(BIN)/python bench/run.py --quick

clean:
	rm -rf $(VENV) data/demo $(WORKSPACE) $(WORKSPACE).wal bench/out tests/artifacts

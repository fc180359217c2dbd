# Every target builds the virtual environment it needs, so a fresh clone works with one command.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
SCENE ?= scenes/starter-lab.aift.json

.PHONY: run test lint typecheck bench clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The dev tools install at the exact versions in constraints-dev.txt.
$(STAMP): pyproject.toml setup.py constraints-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,cluster]" -c constraints-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/aifactory-twin $(SCENE)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/vulture || { echo "vulture: delete the dead code, or list it in tools/vulture_whitelist.py with the reason"; exit 1; }

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/aifactory-twin scenes/starter-lab.aift.json --screenshot docs/editor.png --size 1600x1000
	QT_QPA_PLATFORM=offscreen $(BIN)/aifactory-twin scenes/hybrid-burst.aift.json --run 3d --screenshot docs/live-run.png --size 1600x1000

clean:
	rm -rf $(VENV) build *.egg-info

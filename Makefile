# Quick start: `make run` (dashboard on the bundled sample) and `make test` (every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: setup system-deps run test lint bench sample demo-live clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

# Debian packages the tests drive (Chromium, poppler, fonts...): installs as root, else prints the command.
system-deps:
	bash tools/system-deps.sh

run: setup
	$(BIN)/streamlit run app.py --server.port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: system-deps lint
	$(BIN)/python -m pytest

sample: setup
	$(BIN)/python -m tools.make_sample sample_data

bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

demo-live: setup
	@[ -f sample_data/graph_alerts_v2.json ] || $(MAKE) sample
	$(BIN)/python -m tools.graph_emulator.demo --app-port $(PORT) \
		$(if $(EMULATOR_PORT),--port $(EMULATOR_PORT)) \
		$(if $(DEMO_SINCE),--since $(DEMO_SINCE)) $(if $(DEMO_UNTIL),--until $(DEMO_UNTIL)) \
		$(if $(EMULATOR_BEHAVIOUR),--behaviour $(EMULATOR_BEHAVIOUR))

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Quick start: `make run` (dashboard on the bundled sample) and `make test` (every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: setup run test lint bench sample demo-live clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/streamlit run app.py --server.port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest

sample: setup
	$(BIN)/python -m tools.make_sample sample_data

bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

demo-live: setup
	@[ -f sample_data/graph_alerts_v2.json ] || $(MAKE) sample
	@mkdir -p .demo-live && rm -f .demo-live/ca.pem
	@port=$${EMULATOR_PORT:-8443}; \
	export SIEM2GRAPH_CLIENT_SECRET="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(32))')"; \
	$(BIN)/python -m tools.graph_emulator --alerts sample_data/graph_alerts_v2.json --port $$port \
		--ca-out .demo-live/ca.pem --client-id demo-client --behaviour $${EMULATOR_BEHAVIOUR:-chaos} & \
	emulator=$$!; trap 'kill $$emulator 2>/dev/null' EXIT INT TERM; \
	for i in $$(seq 100); do [ -s .demo-live/ca.pem ] && break; sleep 0.1; done; \
	REQUESTS_CA_BUNDLE="$$PWD/.demo-live/ca.pem" SIEM2GRAPH_TENANT_ID=demo-tenant \
	SIEM2GRAPH_CLIENT_ID=demo-client SIEM2GRAPH_AUTHORITY="https://127.0.0.1:$$port" \
	SIEM2GRAPH_GRAPH_URL="https://127.0.0.1:$$port" SIEM2GRAPH_CACHE_DIR=.demo-live/cache \
	SIEM2GRAPH_SINCE=$${DEMO_SINCE:-2026-10-01} SIEM2GRAPH_UNTIL=$${DEMO_UNTIL:-2026-10-14} \
	$(BIN)/streamlit run app.py --server.port $(PORT)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

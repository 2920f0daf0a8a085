# The two commands a new machine needs: `make run` and `make test`.
# Both do every setup step themselves (venv, packages, bun, migrations, demo data).

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
BUN := $(TOOLS)/node_modules/.bin/bun
AXE := $(TOOLS)/node_modules/axe-core/axe.min.js
PORT ?= 3000
DESK_PORT ?= 8765
# Only this machine can reach the app unless HOST says otherwise (e.g. HOST=0.0.0.0
# behind a reverse proxy; then set SUPPORT_APP_PUBLIC_URL to the proxy's https URL).
HOST ?= 127.0.0.1
# Where this machine reaches the app (for the /readyz wait).
LOCAL_HOST = $(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST))

# Reflex needs bun >= 1.4.4; its own download fails offline, so we install bun from
# the npm registry into .tools/ and tell Reflex to use it.
export PATH := $(CURDIR)/$(TOOLS)/node_modules/.bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1

.PHONY: install migrate seed run run-scaled run-cluster test lint chromium haproxy bench

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[test]"
	touch $@

$(BUN):
	npm install --prefix $(TOOLS) --no-audit --no-fund bun@1.4.4

# axe-core (Deque's own package, the engine every axe wrapper bundles) for the
# accessibility checks in tests/e2e; injected into pages as a script.
$(AXE): $(BUN)
	npm install --prefix $(TOOLS) --no-audit --no-fund axe-core@4.14.1

install: $(VENV)/.installed $(BUN) $(AXE)

migrate: install
	$(PY) -m support_app migrate

seed: migrate
	$(PY) -m support_app seed-demo

# Starts the local support-desk emulator beside the app (unless SUPPORT_DESK_URL
# points at a real desk), then the app in production mode on one port; $(1) are extra
# environment assignments for the app. "Ready … Open" is printed once the app's
# /readyz answers 200 (database and Redis reachable), not when the build starts.
define serve
	@set -euo pipefail; \
	if [ -z "$${SUPPORT_DESK_URL:-}" ]; then \
	  export SUPPORT_DESK_URL=http://127.0.0.1:$(DESK_PORT) \
	         SUPPORT_DESK_EMAIL=agent@desk.example SUPPORT_DESK_API_TOKEN=local-emulator-token; \
	  export SUPPORT_DESK_EMULATOR_CONTROL_TOKEN=$${SUPPORT_DESK_EMULATOR_CONTROL_TOKEN:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(24))')}; \
	  $(PY) -m support_app desk-emulator --port $(DESK_PORT) & desk=$$!; \
	  echo "Support-desk emulator: $$SUPPORT_DESK_URL"; \
	fi; \
	{ $(PY) -m support_app wait-ready http://$(LOCAL_HOST):$(PORT) && \
	  echo "Ready (/readyz answers 200). Open $${SUPPORT_APP_PUBLIC_URL:-http://localhost:$(PORT)}  (demo users: see README; password demo-Passw0rd!)"; } & \
	waiter=$$!; \
	trap 'kill $$waiter $${desk:-} 2>/dev/null' EXIT; \
	SUPPORT_APP_PORT=$(PORT) $(1) $(VENV)/bin/reflex run --env prod --single-port --frontend-port $(PORT) \
	  --backend-host $(HOST)
endef

run: seed
	$(call serve,)

# The scaled-out shape: PostgreSQL for data, Redis for the state every backend worker
# shares, WORKERS backend worker processes (Granian, via GRANIAN_WORKERS).
SCALED_DB_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/support_app
SCALED_REDIS_URL ?= redis://127.0.0.1:6379/0
# One worker per CPU core: the workers are CPU-bound (Python, Argon2); on this 2-core
# machine 4 workers made every action's p95 3-4x slower under load than 2 (bench/README).
WORKERS ?= $(shell nproc)

run-scaled: install
	REFLEX_DB_URL=$(SCALED_DB_URL) $(PY) -m support_app migrate
	REFLEX_DB_URL=$(SCALED_DB_URL) $(PY) -m support_app seed-demo
	@echo "Database $(SCALED_DB_URL), state in $(SCALED_REDIS_URL), $(WORKERS) backend workers"
	$(call serve,REFLEX_DB_URL=$(SCALED_DB_URL) REFLEX_REDIS_URL=$(SCALED_REDIS_URL) GRANIAN_WORKERS=$(WORKERS))

chromium:
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }

# The reverse proxy in front of the two-instance lane and run-cluster (Debian's HAProxy).
haproxy:
	@command -v haproxy >/dev/null || { apt-get update -q && apt-get install -y -q haproxy; }

# Two instances on hostnames of their own (unshare -u, so as root) behind HAProxy on
# PORT, sharing PostgreSQL and Redis: the shape of tests/resilience/test_cluster_drills.py.
run-cluster: install haproxy
	REFLEX_DB_URL=$(SCALED_DB_URL) $(PY) -m support_app migrate
	REFLEX_DB_URL=$(SCALED_DB_URL) $(PY) -m support_app seed-demo
	$(PY) -m tests.resilience.cluster --port $(PORT) --db $(SCALED_DB_URL) --redis $(SCALED_REDIS_URL)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The e2e lane runs twice: as above (SQLite, one worker), then scaled out (a fresh
# PostgreSQL database on E2E_PG_URL's server, state in Redis, E2E_WORKERS workers).
E2E_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
E2E_REDIS_URL ?= redis://127.0.0.1:6379/7
E2E_WORKERS ?= 2

# tests/resilience breaks PostgreSQL and Redis on purpose, so it starts its own (a
# private cluster via initdb/pg_ctl as the postgres user, a private redis-server).
test: install chromium haproxy lint
	$(PY) -m pytest tests/unit tests/feature tests/security tests/resilience tests/e2e
	SUPPORT_APP_E2E_PG_URL=$(E2E_PG_URL) SUPPORT_APP_E2E_REDIS_URL=$(E2E_REDIS_URL) \
	  SUPPORT_APP_E2E_WORKERS=$(E2E_WORKERS) $(PY) -m pytest tests/e2e

bench: install
	$(PY) bench/support_request_submission.py
	$(PY) bench/support_desk_create.py
	$(PY) bench/redaction.py

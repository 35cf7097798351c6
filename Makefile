# Laksana developer commands. Needs only Python 3.11+ and make; everything else is installed
# into .venv, again whenever pyproject.toml changes.
#
#   make demo    start Laksana on http://127.0.0.1:8000 (SQLite in ./data), with the task
#                worker and the SLA sweep every SWEEP_SECONDS (60) seconds, and the monitoring
#                worker with a scheduler pass every MONITOR_SECONDS (10) seconds
#   make test    run the test suite on TEST_WORKERS processes (auto: one per CPU core; extra
#                pytest arguments: make test PYTEST_ARGS='-k cli', one process: TEST_WORKERS=0)
#   make lint    ruff check, ruff format --check, mypy
#   make check   lint + migrations up to date + the shipped procedures pass their checks

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.laksana-installed
ADDRESS ?= 127.0.0.1:8000
SWEEP_SECONDS ?= 60
MONITOR_SECONDS ?= 10
PYTEST_ARGS ?=
TEST_WORKERS ?= auto

.PHONY: demo test lint check venv

# The stamp is older than pyproject.toml whenever the dependencies may have changed.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Laksana needs Python 3.11 or newer; '$(PYTHON)' is older (set PYTHON=...)." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	./scripts/ensure-system-libs
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(STAMP)

# The task worker, the SLA sweep's ticker, the monitoring worker (its own queue, so checks
# never wait behind e-mails) and the monitoring ticker run in the background while runserver
# runs in the foreground; the trap stops them when runserver stops (Ctrl-C included).
demo: $(STAMP)
	$(BIN)/laksana migrate --noinput
	$(BIN)/laksana demo
	@$(BIN)/laksana db_worker --no-reload & worker=$$!; \
	$(BIN)/laksana sla enqueue-every $(SWEEP_SECONDS) & ticker=$$!; \
	$(BIN)/laksana db_worker --no-reload --queue-name monitoring & monitors=$$!; \
	$(BIN)/laksana monitor enqueue-every $(MONITOR_SECONDS) & monitor_ticker=$$!; \
	trap 'kill $$worker $$ticker $$monitors $$monitor_ticker 2>/dev/null; wait' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/laksana runserver $(ADDRESS)

test: $(STAMP)
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

check: lint
	$(BIN)/laksana makemigrations --check --dry-run
	$(BIN)/laksana procedure check src/laksana/procedures/*.yaml

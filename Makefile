# Two entry points, each setting everything up first:
#   make run   - create the virtualenv, install, run the standard experiment (every built-in
#                scenario, 1,000 seeded runs each) and print the comparison table
#   make test  - create the virtualenv, install with test extras and Debian's Chromium (for the
#                browser tests), run ruff, mypy and the layer contracts (lint-imports), compile
#                the weekly process once, then the test suite on every core (pytest-xdist)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test setup setup-test browser lint app timeline clean

# uv installs into the virtualenv (about four times faster than pip); it uses the system's
# certificate store, as pip does here. It also compiles the installed packages to bytecode
# once, so that no command compiles them again at every start (where PYTHONDONTWRITEBYTECODE is
# set, as on this project's machines, that cost `escalation run` 1.5 s of its 2.5 s).
UV := UV_NATIVE_TLS=1 $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12+ is needed (Mesa 3.4+ requires it); with pyenv, the .python-version file selects 3.12")'
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: $(BIN)/python
	$(BIN)/python -m pip install --quiet uv

setup: $(BIN)/uv
	$(UV) -e .

setup-test: $(BIN)/uv
	$(UV) -e ".[test]"

run: setup
	$(BIN)/escalation experiment compare_scenarios --out runs/compare

timeline: setup
	$(BIN)/escalation run --scenario baseline --weeks 26 --seed 1 --out runs/baseline-seed1

app: setup
	$(BIN)/escalation app

# The browser tests drive Debian's Chromium (Playwright cannot download its own here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo apt-get install -y -qq chromium; \
	  else echo "Chromium not installed and no root: the browser tests will be skipped"; fi; }

# Before the tests, the weekly process is compiled once (or loaded), not by every test process
# at once: with a cold cache each would compile it while the browser tests wait on their server.
test: setup-test browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -c "from cli.usage import compile_notice; compile_notice(False); from ensemble.driver import warm_up; warm_up()"
	$(BIN)/pytest -q -n auto --dist worksteal

lint: setup-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy && $(BIN)/lint-imports

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache build

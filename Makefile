# Two commands on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-full bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

demo: $(VENV)/.installed
	$(BIN)/python -m tracenp.demo

# A clean machine compiles every kernel (LLVM's time is most of the suite's): one test
# process per core this process may use, from 2 to 4, and no more than GiB of free memory
# (a process holds up to 1 GiB)
JOBS ?= $(shell $(PY) -c 'import os; free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") >> 30; print(max(2, min(4, len(os.sched_getaffinity(0)), free)))')

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(JOBS) --durations=30 tests

test-full: $(VENV)/.installed-test
	TRACENP_TEST_FULL=1 $(BIN)/python -m pytest -q -p no:cacheprovider -n $(JOBS) tests

bench: $(VENV)/.installed-test
	$(BIN)/python -m pip install -q -e ".[bench]"
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python -m tracenp.bench

clean:
	rm -rf $(VENV) build *.egg-info

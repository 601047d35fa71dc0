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

# two test processes: a clean machine compiles every kernel, 11 min on one core, 9 on two
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 tests

test-full: $(VENV)/.installed-test
	TRACENP_TEST_FULL=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests

bench: $(VENV)/.installed-test
	$(BIN)/python -m pip install -q -e ".[bench]"
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python -m tracenp.bench

clean:
	rm -rf $(VENV) build *.egg-info

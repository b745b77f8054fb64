# tinyinit: `make demo` runs the demo, `make test` runs every test (both set up what they need).
# Development dependencies are PEP 735 dependency groups of pyproject.toml (`dev`, `test`,
# `bench`), installed with `pip install --group`, which needs pip >= 25.1: each venv's pip is
# upgraded first. They are not extras, so they are not in the published metadata.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup setup-docker venv reinstall demo test test-unit test-integration test-docker \
	test-packaging check-dist bench lint clean test-python

# Debian packages (and, for the Docker suite, a running dockerd): installed when missing.
setup:
	bash tools/setup.sh

setup-docker:
	bash tools/setup.sh --docker

venv: $(STAMP)

$(STAMP): pyproject.toml bin/tinyinit
	bash tools/setup.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=25.1"
	$(PY) -m pip install -q ".[prctl]" --group dev
	touch $(STAMP)

# tinyinit is installed (not editable) so tests run the real console script.
reinstall: venv
	$(PY) -m pip install -q --no-deps --force-reinstall .

demo: setup reinstall
	bash demo/demo.sh $(VENV)/bin/tinyinit

test: setup-docker reinstall lint check-dist
	$(PY) -m pytest -q tests

# The sdist and the wheel as they would be published (`python -m build`: the sdist, then the
# wheel built from it), checked as an index and a packaging reviewer would.
DIST := dist
check-dist: venv
	rm -rf $(DIST)
	$(PY) -m build -q --outdir $(DIST) .
	$(VENV)/bin/twine check --strict $(DIST)/*
	$(VENV)/bin/check-wheel-contents $(DIST)/*.whl

# Each install path of README, as a stranger would take it (also part of `make test`).
test-packaging: reinstall
	$(PY) -m pytest -q -m packaging tests/packaging

test-unit: reinstall
	$(PY) -m pytest -q tests/unit

test-integration: setup reinstall
	$(PY) -m pytest -q tests/integration

test-docker: setup-docker reinstall
	$(PY) -m pytest -q tests/docker

# The unit and integration tests again under another interpreter: by default the oldest
# supported one, Python 3.9, from pyenv (OTHER_PYTHON=/path/to/python to choose).
OTHER_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.9*/bin/python))
OTHER_VENV := .venv-other
test-python: setup
	@test -n "$(OTHER_PYTHON)" || { echo "test-python: no Python 3.9 found; set OTHER_PYTHON"; exit 1; }
	rm -rf $(OTHER_VENV)
	$(OTHER_PYTHON) -m venv $(OTHER_VENV)
	$(OTHER_VENV)/bin/python -m pip install -q --upgrade "pip>=25.1"
	$(OTHER_VENV)/bin/python -m pip install -q ".[prctl]" --group test
	TINYINIT=$(CURDIR)/$(OTHER_VENV)/bin/tinyinit $(OTHER_VENV)/bin/python -m pytest -q \
		-p no:cacheprovider tests/unit tests/integration

bench: reinstall
	bash bench/run.sh

lint: venv
	$(VENV)/bin/ruff check tinyinit tests bench bin/tinyinit
	$(VENV)/bin/ruff format --check tinyinit tests bench bin/tinyinit
	$(VENV)/bin/hadolint Dockerfile.example

clean:
	rm -rf $(VENV) $(OTHER_VENV) build $(DIST) *.egg-info

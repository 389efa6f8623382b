# aidcalc: the two Quick-start commands.  `make report` runs the main job, `make test` the test suite.
# Each creates its own virtual environment (.venv) and installs what it needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.aidcalc-installed
# the oldest dependency versions pyproject.toml allows (.ci/constraints-min.txt): make test-min
VENV_MIN ?= .venv-min
MIN_STAMP := $(VENV_MIN)/.aidcalc-installed

.PHONY: report test test-min docs bench lint system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,xlsx]'
	touch $(STAMP)

## report: install aidcalc and write the G7 report on the embedded data into ./aidcalc-report/
report: $(STAMP)
	$(VENV)/bin/aidcalc report --out aidcalc-report

## test: install aidcalc with its test tools, then lint, type-check and run the whole test suite
test: $(STAMP) system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest

$(MIN_STAMP): pyproject.toml .ci/constraints-min.txt
	$(PYTHON) -m venv $(VENV_MIN)
	$(VENV_MIN)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_MIN)/bin/python -m pip install --quiet -c .ci/constraints-min.txt -e '.[test,xlsx]'
	touch $(MIN_STAMP)

## test-min: the test suite on the oldest versions of our dependencies that pyproject.toml
## allows (pinned in .ci/constraints-min.txt, in .venv-min); not part of `make test` (time).
## TESTS= narrows it, e.g. make test-min TESTS="-m versions"
test-min: $(MIN_STAMP)
	$(VENV_MIN)/bin/python -m pip check
	$(VENV_MIN)/bin/python -c "import importlib.metadata as m; print(*(f'{p} {m.version(p)}' for p in ('pandas', 'numpy', 'pyarrow', 'babel', 'pint', 'matplotlib')), sep=', ')"
	$(VENV_MIN)/bin/python -m pytest -q -p no:cacheprovider $(TESTS)

## system-deps: best effort, optional system packages used by some tests (CJK fonts, headless
## Chromium).  Only attempted as root with apt-get available; never fails the build, and the tests
## that need them skip with a message when they are missing.
system-deps:
	@if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  missing=""; \
	  for p in fonts-noto-cjk chromium chromium-driver; do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; \
	  done; \
	  if [ -n "$$missing" ]; then \
	    echo "installing optional system packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing) >/dev/null 2>&1 \
	      || echo "optional system packages could not be installed; the tests that need them will skip"; \
	  fi; \
	fi

## docs: the documentation site (Sphinx + numpydoc + sphinx-gallery) into docs/_build/html, warnings as errors
docs: $(STAMP)
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "docs written to docs/_build/html/index.html"

## bench: the performance benchmarks (not part of the test suite)
bench: $(STAMP)
	$(PY) benchmarks/run.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) $(VENV_MIN) aidcalc-report .pytest_cache .ruff_cache .hypothesis docs/_build docs/generated docs/gallery docs/api.rst

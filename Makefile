# aidcalc: the two Quick-start commands.  `make report` runs the main job, `make test` the test suite.
# Each creates its own virtual environment (.venv) and installs what it needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.aidcalc-installed

.PHONY: report test docs bench lint system-deps clean

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
	rm -rf $(VENV) aidcalc-report .pytest_cache .ruff_cache .hypothesis docs/_build docs/generated docs/gallery docs/api.rst

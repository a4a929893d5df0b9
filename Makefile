# The two commands of the quick start: `make demo` and `make test`. Everything else is for developers.
PORT ?= 8000
VENV := .venv
export AMTSWEG_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test lint format vendor bench regions-data messages venv

$(VENV)/.installed-base: pyproject.toml constraints.txt scripts/bootstrap-venv.sh
	scripts/bootstrap-venv.sh
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt scripts/bootstrap-venv.sh
	scripts/bootstrap-venv.sh test
	touch $@ $(VENV)/.installed-base

venv: $(VENV)/.installed-base

demo: $(VENV)/.installed-base
	$(VENV)/bin/amtsweg demo --port $(PORT)

test: $(VENV)/.installed-test
	scripts/run-tests.sh

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

vendor: $(VENV)/.installed-base
	$(VENV)/bin/python scripts/vendor.py

regions-data: $(VENV)/.installed-base
	$(VENV)/bin/python data/build_regions.py

messages: $(VENV)/.installed-base
	cd src/amtsweg && ../../$(VENV)/bin/amtsweg manage makemessages -l en --ignore '*/vendor/*' && ../../$(VENV)/bin/amtsweg manage compilemessages

bench: $(VENV)/.installed-test
	$(VENV)/bin/python benchmarks/run.py
